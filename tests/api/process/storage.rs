//! SQLite under pressure: locked by another process, or out of space.

use super::harness::*;
use diesel::connection::SimpleConnection;
use diesel::{Connection, RunQueryDsl, SqliteConnection};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_database_locked_by_another_process_is_503_with_retry_after_not_500() {
    let dir = TempDir::new("busy");
    let path = dir.join("busy.db");
    let mut serve = command(&sqlite_url(&path));
    serve.env("IRONFIELD_SQLITE_BUSY_TIMEOUT_MS", "200");
    let server = Server::start(serve).await;
    let token = server.login().await;

    // Another process (an sqlite3 shell, a backup) holds the write lock.
    let mut other = SqliteConnection::establish(&path.display().to_string()).unwrap();
    other.batch_execute("BEGIN IMMEDIATE").unwrap();
    let started = Instant::now();
    let response = server
        .post("/api/v1/teams", &token, json!({"name": "Blocked team"}))
        .await;
    assert_unavailable(response).await;
    assert!(started.elapsed() < Duration::from_secs(2));

    other.batch_execute("ROLLBACK").unwrap();
    let response = server
        .post("/api/v1/teams", &token, json!({"name": "Blocked team"}))
        .await;
    assert_eq!(response.status(), 201, "the retry goes through");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_sqlite_database_answers_507_reports_unready_and_logs_once() {
    let dir = TempDir::new("full");
    let path = dir.join("full.db");
    create_database(&sqlite_url(&path));
    let pages: i64 = {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            page_count: i64,
        }
        let mut conn = SqliteConnection::establish(&path.display().to_string()).unwrap();
        diesel::sql_query("SELECT page_count FROM pragma_page_count()")
            .get_result::<Count>(&mut conn)
            .unwrap()
            .page_count
    };
    let log = dir.join("server.log");
    let mut serve = command(&sqlite_url(&path));
    serve.env("IRONFIELD_SQLITE_MAX_PAGES", (pages + 2).to_string());
    let server = Server::start_logging(serve, Some(&log)).await;
    let token = server.login().await;
    assert_eq!(server.ready_status().await, 200);

    let mut refused = Vec::new();
    for i in 0..3000 {
        let response = server
            .post(
                "/api/v1/teams",
                &token,
                json!({"name": format!("Team {i} of the stall-recruitment branch in the Yiwu market")}),
            )
            .await;
        match response.status().as_u16() {
            201 => assert!(refused.is_empty(), "a write after the disk filled"),
            _ => {
                let status = response.status().as_u16();
                let content_type = response.headers()["content-type"]
                    .to_str()
                    .unwrap()
                    .to_owned();
                let problem: Value = response.json().await.unwrap();
                assert_eq!(
                    status,
                    507,
                    "{problem}\n{}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                );
                assert_eq!(content_type, "application/problem+json");
                assert_eq!(problem["code"], "insufficient_storage", "{problem}");
                assert!(
                    problem["detail"]
                        .as_str()
                        .unwrap()
                        .contains("no space left"),
                    "{problem}"
                );
                refused.push(problem);
                if refused.len() == 5 {
                    break;
                }
            }
        }
    }
    assert_eq!(refused.len(), 5, "the database never filled up");

    assert_eq!(
        server.ready_status().await,
        503,
        "/health/ready reports the full disk"
    );
    let response = server.get("/api/v1/teams", &token).await;
    assert_eq!(response.status(), 200, "reads still work");

    drop(server);
    let logged = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        logged.matches("writes are refused with 507").count(),
        1,
        "logged once, not once a request:\n{logged}"
    );
}
