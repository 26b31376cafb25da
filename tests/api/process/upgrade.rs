//! Upgrades: a database at the previous schema version, holding realistic rows, is migrated by
//! the current binary at start, and every row reads the same through the API afterwards.
//!
//! The previous version is made by writing the rows through the API at the current version
//! and then reverting the latest `BACK` migrations (their `down.sql`), which leaves the older
//! tables and their rows as the previous release had them. With the next migration this test
//! covers that step too, unchanged.

use super::harness::*;
use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use serde_json::{json, Value};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
/// How many migrations back the previous release is.
const BACK: usize = 1;

/// Lists and histories of everything written, as the admin reads them.
pub(super) async fn read_everything(
    server: &Server,
    token: &str,
    lead_ids: &[String],
) -> Vec<(String, Value)> {
    let mut paths: Vec<String> = ["/teams", "/users", "/leads", "/visits", "/seller-accounts"]
        .iter()
        .map(|p| format!("/api/v1{p}?limit=200"))
        .collect();
    for id in lead_ids {
        paths.push(format!("/api/v1/leads/{id}"));
        paths.push(format!("/api/v1/leads/{id}/history"));
    }
    let mut out = Vec::new();
    for path in paths {
        let response = server.get(&path, token).await;
        assert_eq!(response.status(), 200, "GET {path}");
        out.push((path, response.json().await.unwrap()));
    }
    out
}

async fn created(response: reqwest::Response, what: &str) -> Value {
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert!(status == 201 || status == 200, "{what}: {status} {body}");
    body
}

async fn upgrade_keeps_every_row(url: &str, revert: impl FnOnce()) {
    let server = Server::start(command(url)).await;
    let admin = server.login().await;
    let lead_ids = write_dataset(&server, &admin).await;
    let before = read_everything(&server, &admin, &lead_ids).await;
    drop(server);

    revert();

    // The current binary migrates the previous version at start; every row reads the same.
    let server = Server::start(command(url)).await;
    let admin = server.login().await;
    let after = read_everything(&server, &admin, &lead_ids).await;
    for ((path, was), (_, is)) in before.iter().zip(&after) {
        assert_eq!(was, is, "GET {path} changed across the upgrade");
    }
}

/// A small realistic organisation written through the API: a team, a rep, three leads (one
/// moved on, one converted into a seller account), a visit. Returns the lead ids.
pub(super) async fn write_dataset(server: &Server, admin: &str) -> Vec<String> {
    let admin = admin.to_owned();
    let team = created(
        server
            .post(
                "/api/v1/teams",
                &admin,
                json!({"name": "一区招商组", "market": "一区"}),
            )
            .await,
        "team",
    )
    .await;
    let rep_email = format!("rep-{}@test.ironfield.dev", uuid::Uuid::new_v4().simple());
    created(
        server
            .post(
                "/api/v1/users",
                &admin,
                json!({"email": rep_email, "name": "王小明", "role": "rep",
                       "team_id": team["id"], "password": ADMIN_PASSWORD}),
            )
            .await,
        "rep",
    )
    .await;
    let rep = {
        let response = server
            .client
            .post(server.url("/api/v1/auth/login"))
            .json(&json!({"email": rep_email, "password": ADMIN_PASSWORD}))
            .send()
            .await
            .unwrap();
        let body: Value = response.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_owned()
    };
    let mut lead_ids = Vec::new();
    for (i, (name, phone)) in [
        ("义乌市星辰饰品厂", "138 0013 8000"),
        ("金华小商品贸易行", "139 0579 1234"),
        ("福田袜业", "137 5793 0001"),
    ]
    .iter()
    .enumerate()
    {
        let lead = created(
            server
                .post(
                    "/api/v1/leads",
                    &rep,
                    json!({"company_name": name, "phone": phone, "market": "一区",
                           "stall_no": format!("A-10{i}")}),
                )
                .await,
            "lead",
        )
        .await;
        lead_ids.push(lead["id"].as_str().unwrap().to_owned());
    }
    let patched = server
        .client
        .patch(server.url(&format!("/api/v1/leads/{}", lead_ids[0])))
        .bearer_auth(&rep)
        .json(&json!({"stage": "contacted"}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), 200);
    created(
        server
            .post(
                "/api/v1/visits",
                &rep,
                json!({"id": uuid::Uuid::new_v4(), "lead_id": lead_ids[0],
                       "visited_at": "2026-11-02T10:00:00+08:00",
                       "purpose": "prospecting", "outcome": "interested"}),
            )
            .await,
        "visit",
    )
    .await;
    created(
        server
            .post(
                &format!("/api/v1/leads/{}/convert", lead_ids[1]),
                &rep,
                json!({"membership_tier": "premium", "contract_start": "2026-11-01",
                       "contract_months": 12, "contract_value": {"amount": 1980000, "currency": "CNY"}}),
            )
            .await,
        "seller account",
    )
    .await;
    lead_ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_database_of_the_previous_version_upgrades_with_every_row() {
    let dir = TempDir::new("upgrade");
    let path = dir.join("previous.db");
    let file = path.display().to_string();
    upgrade_keeps_every_row(&sqlite_url(&path), move || {
        let mut conn = SqliteConnection::establish(&file).unwrap();
        for _ in 0..BACK {
            conn.revert_last_migration(SQLITE_MIGRATIONS).unwrap();
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_database_of_the_previous_version_upgrades_with_every_row() {
    let Some(db) = PgDatabase::create() else {
        eprintln!("skipped: TEST_DATABASE_URL is not set");
        return;
    };
    let url = db.url.clone();
    upgrade_keeps_every_row(&db.url, move || {
        let mut conn = PgConnection::establish(&url).unwrap();
        for _ in 0..BACK {
            conn.revert_last_migration(POSTGRES_MIGRATIONS).unwrap();
        }
    })
    .await;
}
