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

/// The ids of every event in the feed, in its order.
async fn feed(server: &Server, token: &str) -> Vec<String> {
    let page: Value = server
        .client
        .get(server.url("/api/v1/events?limit=200"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = page["items"].as_array().expect("a feed page");
    items
        .iter()
        .map(|e| e["event_id"].as_str().unwrap().to_owned())
        .collect()
}

/// Creates a lead (an event), and returns the id of that event as the feed shows it after
/// `after=latest` taken just before.
async fn new_event(server: &Server, token: &str) -> Vec<String> {
    let latest: Value = server
        .client
        .get(server.url("/api/v1/events?after=latest"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let created = server
        .client
        .post(server.url("/api/v1/leads"))
        .bearer_auth(token)
        .json(&json!({"company_name": "搬家以后"}))
        .send()
        .await
        .unwrap();
    assert!(created.status().is_success(), "{}", created.status());
    let cursor = latest["next_cursor"].as_str().unwrap();
    let page: Value = server
        .client
        .get(server.url(&format!("/api/v1/events?after={cursor}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect()
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
    let events = feed(&server, &admin).await;
    assert!(!events.is_empty());
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
    // The events came along, in their order.
    assert_eq!(feed(&server, &admin).await, events);
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
    assert_eq!(feed(&server, &admin).await, events);
    // On both, a new event follows the moved ones in the feed (their transaction ids and
    // PostgreSQL's seq sequence were adopted).
    assert_eq!(new_event(&server, &admin).await, ["lead.created"]);
    drop(server);
    let server = Server::start(command(&pg.url)).await;
    let admin = server.login().await;
    assert_eq!(new_event(&server, &admin).await, ["lead.created"]);
}
