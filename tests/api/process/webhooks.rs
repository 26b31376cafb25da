//! Webhook delivery across process deaths and processes: a server killed right after a
//! business write commits loses no delivery (the restarted server sends it), and two servers
//! on one PostgreSQL deliver each event once.

use super::harness::{
    command, create_database, free_port, sqlite_url, PgDatabase, Server, TempDir,
};
use crate::webhooks::receiver::Receiver;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::process::Command;
use std::time::Duration;

/// The binary on `url`, retrying failed deliveries after 50–100 ms instead of 5–10 s.
fn serve(url: &str) -> Command {
    let mut command = command(url);
    command.env("IRONFIELD_WEBHOOK_RETRY_BASE_MS", "100");
    command
}

async fn send(
    server: &Server,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Value,
) -> Value {
    let response = server
        .client
        .request(method, server.url(&format!("/api/v1{path}")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert!(status.is_success(), "{path}: {status} {body}");
    body
}

/// Turns on http and private addresses and subscribes `url` to `event_types`.
async fn subscribe(server: &Server, token: &str, url: &str, event_types: Value) -> Value {
    send(
        server,
        reqwest::Method::PATCH,
        "/settings",
        token,
        json!({"webhook_allow_http": true, "webhook_allow_private": true}),
    )
    .await;
    send(
        server,
        reqwest::Method::POST,
        "/webhooks",
        token,
        json!({"url": url, "event_types": event_types}),
    )
    .await
}

async fn create_lead(server: &Server, token: &str, name: &str) -> Value {
    send(
        server,
        reqwest::Method::POST,
        "/leads",
        token,
        json!({"company_name": name}),
    )
    .await
}

async fn killed_after_commit_then_restarted_still_delivers(url: &str) {
    create_database(url);
    let port = free_port();
    let server = Server::start(serve(url)).await;
    let token = server.login().await;
    // Nothing listens on the subscribed port yet: the event cannot be delivered now.
    subscribe(
        &server,
        &token,
        &format!("http://127.0.0.1:{port}/hook"),
        json!(["lead.created"]),
    )
    .await;
    let lead = create_lead(&server, &token, "断电测试商行").await;
    drop(server); // SIGKILL, right after the write committed.

    let receiver = Receiver::start_on(port, &[200]).await;
    let _restarted = Server::start(serve(url)).await;
    // A claim leased by the killed process (if it died mid-send) lapses after 60 s.
    let hits = receiver.wait_for(1, Duration::from_secs(75)).await;
    let event = hits[0].json();
    assert_eq!(event["type"], "lead.created", "{event}");
    assert_eq!(event["record_id"], lead["id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_between_commit_and_delivery_loses_nothing_sqlite() {
    let dir = TempDir::new("webhook-kill");
    killed_after_commit_then_restarted_still_delivers(&sqlite_url(&dir.join("kill.db"))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_between_commit_and_delivery_loses_nothing_postgres() {
    let Some(db) = PgDatabase::create() else {
        eprintln!("skipped: TEST_DATABASE_URL is not set");
        return;
    };
    killed_after_commit_then_restarted_still_delivers(&db.url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_postgres_deliver_each_event_once() {
    let Some(db) = PgDatabase::create() else {
        eprintln!("skipped: TEST_DATABASE_URL is not set");
        return;
    };
    create_database(&db.url);
    let servers = [
        Server::start(serve(&db.url)).await,
        Server::start(serve(&db.url)).await,
    ];
    let token = servers[0].login().await;
    let receiver = Receiver::start(&[200]).await;
    let hook = subscribe(&servers[0], &token, &receiver.url, json!([])).await;
    let id = hook["id"].as_str().unwrap();

    const LEADS: usize = 20;
    const TESTS: usize = 10;
    for n in 0..LEADS {
        create_lead(&servers[n % 2], &token, &format!("并发商行 {n}")).await;
    }
    for n in 0..TESTS {
        send(
            &servers[n % 2],
            reqwest::Method::POST,
            &format!("/webhooks/{id}/test"),
            &token,
            json!({}),
        )
        .await;
    }
    receiver
        .wait_for(LEADS + TESTS, Duration::from_secs(30))
        .await;
    // Give a duplicate every chance to show up.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let hits = receiver.hits();
    let mut per_event: BTreeMap<String, usize> = BTreeMap::new();
    for hit in &hits {
        *per_event
            .entry(hit.header("x-ironfield-event-id").to_owned())
            .or_default() += 1;
    }
    let repeated: Vec<_> = per_event.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        repeated.is_empty(),
        "delivered more than once: {repeated:?}"
    );
    assert_eq!(hits.len(), LEADS + TESTS);
    let types: Vec<String> = hits
        .iter()
        .map(|h| h.json()["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(types.iter().filter(|t| *t == "lead.created").count(), LEADS);
}
