//! Two real `ironfield serve` processes on one fresh PostgreSQL database: what one process
//! learns, the other knows at once (deactivation, failed logins, idempotency keys, stored
//! visits). PostgreSQL only: SQLite is the single-process mode. Skipped with a message when
//! `TEST_DATABASE_URL` is unset.

use crate::process::harness::PgDatabase;
use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ADMIN_EMAIL: &str = "admin@multi.ironfield.dev";
const PASSWORD: &str = "multi-process-password";
const JWT_SECRET: &str = "multi-process-test-secret-0123456789abcdef";

/// A server process; killed when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    async fn start(database_url: &str) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_ironfield"))
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("IRONFIELD_ADDR", format!("127.0.0.1:{port}"))
            .env("IRONFIELD_JWT_SECRET", JWT_SECRET)
            .env("IRONFIELD_ADMIN_EMAIL", ADMIN_EMAIL)
            .env("IRONFIELD_ADMIN_PASSWORD", PASSWORD)
            .env("IRONFIELD_WORKERS", "1")
            .env("IRONFIELD_DB_POOL_SIZE", "3")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start ironfield serve");
        let server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let client = Client::new();
        let started = Instant::now();
        loop {
            let ready = client
                .get(format!("{}/health/ready", server.base))
                .send()
                .await;
            if ready.is_ok_and(|r| r.status().is_success()) {
                return server;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the server was not ready after 30 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.base)
    }

    async fn login(&self, email: &str, password: &str) -> Response {
        Client::new()
            .post(self.url("/auth/login"))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap()
    }

    async fn token(&self, email: &str) -> String {
        let response = self.login(email, PASSWORD).await;
        assert_eq!(response.status(), StatusCode::OK, "login {email}");
        let body: Value = response.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_owned()
    }

    async fn post(&self, path: &str, token: &str, body: &Value) -> Response {
        Client::new()
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    async fn get(&self, path: &str, token: &str) -> Response {
        Client::new()
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }
}

async fn json(response: Response) -> Value {
    response.json().await.expect("a JSON body")
}

async fn new_rep(server: &Server, admin: &str, team: &str) -> (String, String) {
    let email = format!("rep-{}@multi.ironfield.dev", uuid::Uuid::new_v4().simple());
    let created = server
        .post(
            "/users",
            admin,
            &json!({"email": email, "name": "Rep", "role": "rep", "team_id": team,
                    "password": PASSWORD}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let id = json(created).await["id"].as_str().unwrap().to_owned();
    (id, email)
}

#[tokio::test]
async fn two_processes_on_one_postgresql_share_everything_that_matters() {
    let Some(database) = PgDatabase::create() else {
        eprintln!("skipped: TEST_DATABASE_URL is not set (two processes need PostgreSQL)");
        return;
    };
    let a = Server::start(&database.url).await;
    let b = Server::start(&database.url).await;
    let admin = a.token(ADMIN_EMAIL).await;
    let team = json(a.post("/teams", &admin, &json!({"name": "East"})).await).await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // A user deactivated through one process is refused by the other at once.
    let (leaver_id, leaver_email) = new_rep(&a, &admin, &team).await;
    let leaver = b.token(&leaver_email).await;
    assert_eq!(b.get("/me", &leaver).await.status(), StatusCode::OK);
    let deactivated = a
        .post(
            &format!("/users/{leaver_id}/deactivate"),
            &admin,
            &json!({}),
        )
        .await;
    assert!(
        deactivated.status().is_success(),
        "{}",
        deactivated.status()
    );
    assert_eq!(
        b.get("/me", &leaver).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        b.login(&leaver_email, PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );

    // Failed logins through both count toward one limit (5 a minute per account).
    let (_, guessed) = new_rep(&a, &admin, &team).await;
    for attempt in 0..5 {
        let server = if attempt % 2 == 0 { &a } else { &b };
        let failed = server.login(&guessed, "wrong password!").await;
        assert_eq!(
            failed.status(),
            StatusCode::UNAUTHORIZED,
            "attempt {attempt}"
        );
    }
    // The sixth failure is one too many, wherever it lands; then even the right password waits.
    let limited = b.login(&guessed, "wrong password!").await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    for server in [&a, &b] {
        let limited = server.login(&guessed, PASSWORD).await;
        assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(limited.headers().contains_key("retry-after"));
    }

    // An Idempotency-Key used on one process replays on the other.
    let (_, rep_email) = new_rep(&a, &admin, &team).await;
    let rep = a.token(&rep_email).await;
    let lead = json(
        a.post(
            "/leads",
            &rep,
            &json!({"company_name": "义乌市星辰饰品厂", "market": "一区", "stall_no": "A-1023"}),
        )
        .await,
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let keyed = |server: &Server| {
        Client::new()
            .post(server.url("/visits"))
            .bearer_auth(&rep)
            .header("Idempotency-Key", "multi-visit-1")
            .json(
                &json!({"lead_id": lead, "visited_at": "2026-11-01T10:00:00+08:00",
                          "purpose": "prospecting", "outcome": "no_contact"}),
            )
            .send()
    };
    let first = keyed(&a).await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first = json(first).await;
    let again = keyed(&b).await.unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(json(again).await["id"], first["id"]);

    // The same batch sent to both at once is stored once.
    let visits: Vec<Value> = (0..40)
        .map(|i| {
            json!({"id": uuid::Uuid::now_v7().to_string(), "lead_id": lead,
                   "visited_at": format!("2026-11-02T{:02}:{:02}:00+08:00", 8 + i / 60, i % 60),
                   "purpose": "follow_up", "outcome": "interested"})
        })
        .collect();
    let batch = json!({"visits": visits});
    let (from_a, from_b) = tokio::join!(
        a.post("/visits/batch", &rep, &batch),
        b.post("/visits/batch", &rep, &batch)
    );
    assert_eq!(from_a.status(), StatusCode::OK);
    assert_eq!(from_b.status(), StatusCode::OK);
    let (from_a, from_b) = (json(from_a).await, json(from_b).await);
    for i in 0..40 {
        let statuses = [
            from_a["results"][i]["status"].as_str().unwrap(),
            from_b["results"][i]["status"].as_str().unwrap(),
        ];
        assert!(
            statuses.contains(&"created") && statuses.contains(&"duplicate"),
            "item {i}: {statuses:?}"
        );
    }
    let listed = json(b.get("/visits?limit=200", &rep).await).await;
    assert_eq!(
        listed["items"].as_array().unwrap().len(),
        41,
        "the keyed visit and the batch, each once"
    );
}
