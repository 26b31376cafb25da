//! Running the built binary: one-shot commands and a server on a free port.

use diesel::{Connection, PgConnection, RunQueryDsl};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const ADMIN_EMAIL: &str = "ops-admin@test.ironfield.dev";
pub const ADMIN_PASSWORD: &str = "a long operations passphrase";
const JWT_SECRET: &str = "a test signing secret of at least thirty-two bytes";

pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_ironfield")
}

/// The binary with the test's settings and nothing from the caller's environment that could
/// change its behaviour.
pub fn command(database_url: &str) -> Command {
    let mut command = Command::new(binary());
    command
        .env_remove("IRONFIELD_CONFIG")
        .env("DATABASE_URL", database_url)
        .env("IRONFIELD_JWT_SECRET", JWT_SECRET)
        .env("IRONFIELD_ADMIN_EMAIL", ADMIN_EMAIL)
        .env("IRONFIELD_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("IRONFIELD_WORKERS", "2")
        .env("RUST_LOG", "warn");
    command
}

/// Runs a command to its end; returns its output and how long it took.
pub fn run(mut command: Command) -> (Output, Duration) {
    let started = Instant::now();
    let output = command
        .stdin(Stdio::null())
        .output()
        .expect("run ironfield");
    (output, started.elapsed())
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A scratch directory removed at the end of the test.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!(
            "ironfield-{label}-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

/// A fresh database on `TEST_DATABASE_URL`, dropped at the end; `None` when that is unset.
pub struct PgDatabase {
    admin_url: String,
    name: String,
    pub url: String,
}

impl PgDatabase {
    /// `None` where TEST_DATABASE_URL is unset; CI must set it, so there it panics instead.
    pub fn create() -> Option<PgDatabase> {
        let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") else {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI needs TEST_DATABASE_URL"
            );
            return None;
        };
        let name = format!("ironfield_ops_{}", uuid::Uuid::new_v4().simple());
        let mut conn = PgConnection::establish(&admin_url).expect("connect to TEST_DATABASE_URL");
        diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
            .execute(&mut conn)
            .expect("create database");
        let base = admin_url
            .rsplit_once('/')
            .map(|(b, _)| b)
            .unwrap_or(&admin_url);
        let url = format!("{base}/{name}");
        Some(PgDatabase {
            admin_url,
            name,
            url,
        })
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut conn) = PgConnection::establish(&self.admin_url) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn);
        }
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `ironfield serve` as a child process; killed when dropped.
pub struct Server {
    child: Child,
    pub base: String,
    pub client: reqwest::Client,
}

impl Server {
    pub async fn start(command: Command) -> Server {
        Self::start_logging(command, None).await
    }

    /// Starts the server with its log (stderr) written to `log`.
    pub async fn start_logging(mut command: Command, log: Option<&Path>) -> Server {
        let port = free_port();
        let stderr = match log {
            Some(path) => Stdio::from(std::fs::File::create(path).unwrap()),
            None => Stdio::inherit(),
        };
        command
            .arg("serve")
            .env("IRONFIELD_ADDR", format!("127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr);
        let child = command.spawn().expect("start ironfield serve");
        let server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                .build()
                .unwrap(),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(response) = server.client.get(server.url("/health/live")).send().await {
                if response.status().is_success() {
                    return server;
                }
            }
            assert!(Instant::now() < deadline, "the server did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn login(&self) -> String {
        let response = self
            .client
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "admin login");
        let body: Value = response.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn get(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn ready_status(&self) -> u16 {
        self.client
            .get(self.url("/health/ready"))
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Asserts a 503 `unavailable` problem with `Retry-After`; returns its detail.
pub async fn assert_unavailable(response: reqwest::Response) -> String {
    let status = response.status().as_u16();
    let retry_after = response.headers().get("retry-after").cloned();
    let problem: Value = response.json().await.expect("a problem body");
    assert_eq!(status, 503, "{problem}");
    assert_eq!(problem["code"], "unavailable", "{problem}");
    assert!(retry_after.is_some(), "503 without Retry-After: {problem}");
    problem["detail"].as_str().unwrap_or_default().to_owned()
}

/// Creates the database and its first admin through the binary (`create-admin`).
pub fn create_database(url: &str) {
    use std::io::Write;
    let mut child = command(url)
        .args(["create-admin", "--email", ADMIN_EMAIL, "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(ADMIN_PASSWORD.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "create-admin: {}", stderr(&output));
}

pub fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}
