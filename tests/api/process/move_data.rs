//! `move-data`: a pilot's SQLite database into an empty PostgreSQL one, and back, every record
//! reading the same through the API afterwards.

use super::harness::*;
use super::upgrade::{read_everything, write_dataset};
use serde_json::{json, Value};

async fn create_with_key(server: &Server, token: &str) -> Value {
    let response = server
        .client
        .post(server.url("/api/v1/teams"))
        .bearer_auth(token)
        .header("Idempotency-Key", "move-data-team-1")
        .json(&json!({"name": "创建一次的团队"}))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    response.json().await.unwrap()
}

fn move_data(from: &str, to: &str) -> (std::process::Output, String) {
    let mut c = command("unused");
    c.args(["move-data", "--from", from, "--to", to]);
    let (output, _) = run(c);
    let out = String::from_utf8_lossy(&output.stdout).into_owned();
    (output, out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn move_data_copies_sqlite_into_postgres_and_back_with_every_record() {
    let Some(pg) = PgDatabase::create() else {
        eprintln!("skipped: TEST_DATABASE_URL is not set");
        return;
    };
    let dir = TempDir::new("move");
    let sqlite = sqlite_url(&dir.join("pilot.db"));

    let server = Server::start(command(&sqlite)).await;
    let admin = server.login().await;
    let lead_ids = write_dataset(&server, &admin).await;
    let team = create_with_key(&server, &admin).await;
    let before = read_everything(&server, &admin, &lead_ids).await;
    drop(server);

    // The target had one first start: migrations and the first admin only. Accepted.
    drop(Server::start(command(&pg.url)).await);
    let (output, out) = move_data(&sqlite, &pg.url);
    assert!(output.status.success(), "{out}{}", stderr(&output));
    assert!(out.contains("verified"), "{out}");
    assert!(out.contains("audit_events"), "{out}");

    let server = Server::start(command(&pg.url)).await;
    let admin = server.login().await;
    let after = read_everything(&server, &admin, &lead_ids).await;
    for ((path, was), (_, is)) in before.iter().zip(&after) {
        assert_eq!(was, is, "GET {path} differs on PostgreSQL");
    }
    // The idempotency record came along: the replay answers the same team, no second one.
    let replay = create_with_key(&server, &admin).await;
    assert_eq!(replay["id"], team["id"]);
    drop(server);

    // A target with data is refused, and left as it was.
    let (output, _) = move_data(&sqlite, &pg.url);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("not empty"), "{}", stderr(&output));

    // And back, into a new SQLite file.
    let back = sqlite_url(&dir.join("back.db"));
    let (output, out) = move_data(&pg.url, &back);
    assert!(output.status.success(), "{out}{}", stderr(&output));
    let server = Server::start(command(&back)).await;
    let admin = server.login().await;
    let after = read_everything(&server, &admin, &lead_ids).await;
    for ((path, was), (_, is)) in before.iter().zip(&after) {
        assert_eq!(was, is, "GET {path} differs after the way back");
    }
}
