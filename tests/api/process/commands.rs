//! The operations commands an admin runs: `check`, `backup`, `--config`, `seed-demo`.

use super::harness::*;
use diesel::connection::SimpleConnection;
use diesel::{Connection, SqliteConnection};
use serde_json::json;

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn check_passes_on_a_healthy_database_and_fails_naming_each_problem() {
    let dir = TempDir::new("check");
    let path = dir.join("crm.db");
    create_database(&sqlite_url(&path));
    let (output, _) = run({
        let mut c = command(&sqlite_url(&path));
        c.arg("check");
        c
    });
    let out = stdout(&output);
    assert!(output.status.success(), "{out}{}", stderr(&output));
    for line in [
        "database:",
        "migrations:",
        "0 pending",
        "integrity_check: ok",
        "clock:",
        "all checks passed",
    ] {
        assert!(out.contains(line), "`{line}` missing from:\n{out}");
    }

    // A short secret and a migration from a newer Ironfield: both named, non-zero exit.
    let mut conn = SqliteConnection::establish(&path.display().to_string()).unwrap();
    conn.batch_execute(
        "INSERT INTO __diesel_schema_migrations (version) VALUES ('20991231000001')",
    )
    .unwrap();
    let (output, _) = run({
        let mut c = command(&sqlite_url(&path));
        c.env("IRONFIELD_JWT_SECRET", "too short").arg("check");
        c
    });
    let out = stdout(&output);
    assert!(!output.status.success(), "{out}");
    assert!(out.contains("PROBLEM signing secret"), "{out}");
    assert!(
        out.contains("unknown to this version: 20991231000001"),
        "{out}"
    );
}

#[test]
fn check_fails_on_an_unreachable_database() {
    let url = format!("postgres://postgres@127.0.0.1:{}/none", free_port());
    let (output, _) = run({
        let mut c = command(&url);
        c.arg("check");
        c
    });
    assert!(!output.status.success());
    assert!(
        stdout(&output).contains("PROBLEM database"),
        "{}",
        stdout(&output)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_copies_a_sqlite_database_while_the_server_writes() {
    let dir = TempDir::new("backup");
    let path = dir.join("live.db");
    let log = dir.join("server.log");
    let server = Server::start_logging(command(&sqlite_url(&path)), Some(&log)).await;
    let token = server.login().await;
    for i in 0..5 {
        let response = server
            .post(
                "/api/v1/teams",
                &token,
                json!({"name": format!("Before {i}")}),
            )
            .await;
        assert_eq!(response.status(), 201);
    }
    // Writes keep going while the copy is taken.
    let writer = {
        let client = server.client.clone();
        let url = server.url("/api/v1/teams");
        let token = token.clone();
        tokio::spawn(async move {
            for i in 0..40 {
                let response = client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&json!({"name": format!("During {i}")}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 201, "a write during the backup");
            }
        })
    };
    let copy = dir.join("copy.db");
    let (output, _) = tokio::task::spawn_blocking({
        let path = path.clone();
        let copy = copy.clone();
        move || {
            let mut c = command(&sqlite_url(&path));
            c.arg("backup").arg("--to").arg(&copy);
            run(c)
        }
    })
    .await
    .unwrap();
    writer.await.unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("integrity_check: ok"),
        "{}",
        stdout(&output)
    );

    // The copy serves: sign in and read the teams written before the backup.
    drop(server);
    let restored = Server::start(command(&sqlite_url(&copy))).await;
    let token = restored.login().await;
    let teams: serde_json::Value = restored
        .get("/api/v1/teams?limit=200", &token)
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = teams["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    for i in 0..5 {
        assert!(names.contains(&format!("Before {i}").as_str()), "{names:?}");
    }

    // A second backup never overwrites a file.
    let (output, _) = run({
        let mut c = command(&sqlite_url(&path));
        c.arg("backup").arg("--to").arg(&copy);
        c
    });
    assert!(!output.status.success());
    assert!(stderr(&output).contains("exists"), "{}", stderr(&output));

    // Logs written to a file carry no colour codes.
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(
        !logged.contains('\u{1b}'),
        "ANSI codes in a log file:\n{logged}"
    );
}

#[test]
fn backup_of_postgres_points_to_pg_dump() {
    let (output, _) = run({
        let mut c = command("postgres://postgres@127.0.0.1:5432/test");
        c.arg("backup").arg("--to").arg("/tmp/never-written.dump");
        c
    });
    if stderr(&output).contains("cannot use the database") {
        eprintln!("skipped: no PostgreSQL on 127.0.0.1:5432");
        return;
    }
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("pg_dump --format=custom"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("pg_restore"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_settings_file_is_read_and_the_environment_overrides_it() {
    let dir = TempDir::new("config");
    let from_file = dir.join("from-file.db");
    let from_env = dir.join("from-env.db");
    create_database(&sqlite_url(&from_file));
    create_database(&sqlite_url(&from_env));
    let config = dir.join("ironfield.toml");
    std::fs::write(
        &config,
        format!(
            "database_url = \"{}\"\ndb_pool_size = 2\n",
            sqlite_url(&from_file)
        ),
    )
    .unwrap();

    let mut c = command("unused");
    c.env_remove("DATABASE_URL")
        .arg("--config")
        .arg(&config)
        .arg("check");
    let (output, _) = run(c);
    assert!(
        output.status.success(),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
    assert!(
        stdout(&output).contains("from-file.db"),
        "{}",
        stdout(&output)
    );

    let mut c = command(&sqlite_url(&from_env));
    c.arg("--config").arg(&config).arg("check");
    let (output, _) = run(c);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("from-env.db"),
        "{}",
        stdout(&output)
    );

    std::fs::write(&config, "databse_url = \"sqlite://x.db\"\n").unwrap();
    let mut c = command("unused");
    c.arg("--config").arg(&config).arg("check");
    let (output, _) = run(c);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("unknown setting `databse_url`"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_demo_makes_the_admin_named_in_the_environment() {
    let dir = TempDir::new("seed");
    let path = dir.join("demo.db");
    let (output, _) = run({
        let mut c = command(&sqlite_url(&path));
        c.args(["seed-demo", "--leads", "20", "--reps", "3", "--visits", "0"]);
        c
    });
    assert!(output.status.success(), "{}", stderr(&output));
    let server = Server::start(command(&sqlite_url(&path))).await;
    let token = server.login().await; // ADMIN_EMAIL / ADMIN_PASSWORD from the environment
    let me: serde_json::Value = server.get("/api/v1/me", &token).await.json().await.unwrap();
    assert_eq!(me["email"], ADMIN_EMAIL);
    assert_eq!(me["role"], "admin");
}
