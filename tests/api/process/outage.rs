//! PostgreSQL going away under a running server: stopped, frozen, or a connection cut in the
//! middle of a request. A private cluster on its own port, started by the test, so the shared
//! server is never touched.

use super::harness::*;
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use serde_json::json;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// The newest installed PostgreSQL server binaries (Debian layout).
fn pg_bin() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop()
}

/// A throwaway PostgreSQL cluster; stopped and removed when dropped.
struct Cluster {
    bin: PathBuf,
    dir: TempDir,
    port: u16,
    as_postgres: bool,
}

impl Cluster {
    fn pg_command(&self, tool: &str) -> Command {
        let tool = self.bin.join(tool).display().to_string();
        if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--", &tool]);
            command
        } else {
            Command::new(tool)
        }
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn init() -> Option<Cluster> {
        let Some(bin) = pg_bin() else {
            eprintln!("skipped: no PostgreSQL server binaries (initdb) under /usr/lib/postgresql");
            return None;
        };
        let dir = TempDir::new("pgcluster");
        let as_postgres = running_as_root();
        if as_postgres {
            // initdb refuses to run as root.
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir.0)
                .status()
                .unwrap();
            assert!(status.success());
        }
        let cluster = Cluster {
            bin,
            dir,
            port: free_port(),
            as_postgres,
        };
        let output = cluster
            .pg_command("initdb")
            .args(["-A", "trust", "-U", "postgres", "--no-sync", "-D"])
            .arg(cluster.data())
            .output()
            .unwrap();
        assert!(output.status.success(), "initdb: {}", stderr(&output));
        cluster.start();
        Some(cluster)
    }

    fn start(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.0.display()
        );
        let output = self
            .pg_command("pg_ctl")
            .args(["-w", "-o", &options, "-l"])
            .arg(self.dir.join("log"))
            .arg("-D")
            .arg(self.data())
            .arg("start")
            .output()
            .unwrap();
        assert!(output.status.success(), "pg_ctl start: {}", stderr(&output));
    }

    fn stop(&self) {
        let output = self
            .pg_command("pg_ctl")
            .args(["-w", "-m", "immediate", "-D"])
            .arg(self.data())
            .arg("stop")
            .output()
            .unwrap();
        assert!(output.status.success(), "pg_ctl stop: {}", stderr(&output));
    }

    /// The postmaster and its children (the processes this cluster consists of).
    fn processes(&self) -> Vec<String> {
        let pid_file = std::fs::read_to_string(self.data().join("postmaster.pid")).unwrap();
        let postmaster = pid_file.lines().next().unwrap().trim().to_owned();
        let children = Command::new("ps")
            .args(["-o", "pid=", "--ppid", &postmaster])
            .output()
            .unwrap();
        let mut pids = vec![postmaster];
        pids.extend(
            String::from_utf8_lossy(&children.stdout)
                .split_whitespace()
                .map(str::to_owned),
        );
        pids
    }

    fn signal(pids: &[String], signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .args(pids)
            .status()
            .unwrap();
        assert!(status.success(), "kill -{signal}");
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self
            .pg_command("pg_ctl")
            .args(["-w", "-m", "immediate", "-D"])
            .arg(self.data())
            .arg("stop")
            .output();
    }
}

/// Polls `/health/ready` until it answers `status`; returns how long that took.
async fn ready_becomes(server: &Server, status: u16, within: Duration) -> Duration {
    let started = Instant::now();
    loop {
        if server.ready_status().await == status {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < within,
            "/health/ready did not answer {status} within {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A request answered 503 `unavailable` + `Retry-After` within 2 s.
async fn refused_quickly(server: &Server, token: &str) -> String {
    let started = Instant::now();
    let response = server.get("/api/v1/teams", token).await;
    let detail = assert_unavailable(response).await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "503 took {:?}",
        started.elapsed()
    );
    detail
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stopped_frozen_or_cut_is_503_at_once_and_service_resumes_by_itself() {
    let Some(cluster) = Cluster::init() else {
        return;
    };
    let server = Server::start(command(&cluster.url())).await;
    let token = server.login().await;
    assert_eq!(server.get("/api/v1/teams", &token).await.status(), 200);

    // Stopped.
    cluster.stop();
    let noticed = ready_becomes(&server, 503, Duration::from_secs(1)).await;
    eprintln!("stopped: /health/ready 503 after {noticed:?}");
    refused_quickly(&server, &token).await;
    cluster.start();
    let resumed = ready_becomes(&server, 200, Duration::from_secs(1)).await;
    eprintln!("restarted: /health/ready 200 after {resumed:?}");
    assert_eq!(server.get("/api/v1/teams", &token).await.status(), 200);

    // Frozen: every process of the cluster stopped, sockets open. The server's pool may be
    // opening connections right now (it refills after the restart), so a backend forked
    // between the listing and the signal would keep answering: list again once the
    // postmaster is stopped (it forks no more) and stop those too.
    let mut pids = cluster.processes();
    Cluster::signal(&pids, "STOP");
    let late: Vec<String> = cluster
        .processes()
        .into_iter()
        .filter(|pid| !pids.contains(pid))
        .collect();
    if !late.is_empty() {
        Cluster::signal(&late, "STOP");
        pids.extend(late);
    }
    let hung = {
        let client = server.client.clone();
        let url = server.url("/api/v1/teams");
        let token = token.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            let response = client.get(url).bearer_auth(token).send().await.unwrap();
            (response.status().as_u16(), started.elapsed())
        })
    };
    let noticed = ready_becomes(&server, 503, Duration::from_secs(1)).await;
    eprintln!("frozen: /health/ready 503 after {noticed:?}");
    refused_quickly(&server, &token).await;
    let (status, took) = hung.await.unwrap();
    assert_eq!(status, 503, "a request caught by the freeze");
    assert!(
        took < Duration::from_secs(2),
        "it was answered after {took:?}"
    );
    Cluster::signal(&pids, "CONT");
    let resumed = ready_becomes(&server, 200, Duration::from_secs(1)).await;
    eprintln!("thawed: /health/ready 200 after {resumed:?}");
    assert_eq!(server.get("/api/v1/teams", &token).await.status(), 200);

    // A connection cut in the middle of a write: the table is locked so the write waits,
    // then its backend is terminated.
    let mut locker = PgConnection::establish(&cluster.url()).unwrap();
    locker
        .batch_execute("BEGIN; LOCK TABLE teams IN ACCESS EXCLUSIVE MODE")
        .unwrap();
    let write = {
        let client = server.client.clone();
        let url = server.url("/api/v1/teams");
        let token = token.clone();
        tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .header("Idempotency-Key", "cut-connection-1")
                .json(&json!({"name": "Cut off"}))
                .send()
                .await
                .unwrap()
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    locker
        .batch_execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
        )
        .unwrap();
    let detail = assert_unavailable(write.await.unwrap()).await;
    assert!(detail.contains("Idempotency-Key"), "{detail}");
    assert!(detail.contains("safe"), "{detail}");
    locker.batch_execute("ROLLBACK").unwrap();
}
