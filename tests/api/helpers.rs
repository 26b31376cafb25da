//! `TestApp`: a running server over a fresh database, and builders for the records tests need.

use diesel::{Connection, PgConnection};
use ironfield_api::{bootstrap, ApiSettings, AppState};
use ironfield_auth::TokenKeys;
use ironfield_persistence::Db;
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{json, Value};
use std::net::TcpListener;

/// The signing secret of every test server, so tests can forge tokens deliberately.
pub const JWT_SECRET: &[u8] = b"test secret of the ironfield suite, 32+ bytes";
pub const ADMIN_EMAIL: &str = "admin@test.ironfield.dev";
pub const PASSWORD: &str = "a long test passphrase";
/// Webhook retries in tests come after 50–100 ms, not the production 5–10 s.
pub const WEBHOOK_RETRY_BASE: std::time::Duration = std::time::Duration::from_millis(100);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each named `async fn(TestApp)` once per backend.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                use $crate::helpers::{Backend, TestApp};

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let app = TestApp::spawn(Backend::Sqlite).await.expect("SQLite test app");
                    super::$name(app).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    match TestApp::spawn(Backend::Postgres).await {
                        Some(app) => super::$name(app).await,
                        None => eprintln!("skipped: TEST_DATABASE_URL is not set"),
                    }
                }
            }
        )+
    };
}

/// Removes the test database when the test ends.
enum DbGuard {
    SqliteFile(std::path::PathBuf),
    PostgresDatabase { admin_url: String, name: String },
}

impl Drop for DbGuard {
    fn drop(&mut self) {
        match self {
            DbGuard::SqliteFile(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut file = path.clone().into_os_string();
                    file.push(suffix);
                    let _ = std::fs::remove_file(file);
                }
            }
            DbGuard::PostgresDatabase { admin_url, name } => {
                if let Ok(mut conn) = PgConnection::establish(admin_url) {
                    use diesel::RunQueryDsl;
                    let _ = diesel::sql_query(format!(
                        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                    ))
                    .execute(&mut conn);
                }
            }
        }
    }
}

pub struct TestApp {
    pub backend: Backend,
    pub base: String,
    pub client: reqwest::Client,
    pub admin_token: String,
    /// The database under the server, for fault injection and direct checks.
    pub db: Db,
    server: actix_web::dev::ServerHandle,
    _guard: DbGuard,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Stop accepting; the runtime ends with the test. The server's workers may outlive
        // it holding the `Db`, so its watchdog is ended here, before the database is dropped.
        let stop = self.server.stop(false);
        drop(stop);
        self.db.stop_watchdog();
    }
}

/// A signed-in user made for a test.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: String,
    pub email: String,
    pub token: String,
}

impl TestApp {
    /// A server over a fresh database; `None` for PostgreSQL when no server is configured.
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        let settings = ApiSettings {
            webhook_retry_base: WEBHOOK_RETRY_BASE,
            ..ApiSettings::default()
        };
        Self::spawn_with(backend, settings).await
    }

    pub async fn spawn_with(backend: Backend, settings: ApiSettings) -> Option<TestApp> {
        let unique = uuid::Uuid::new_v4().simple().to_string();
        let (url, guard) = match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("ironfield-test-{unique}.db"));
                (
                    format!("sqlite://{}", path.display()),
                    DbGuard::SqliteFile(path),
                )
            }
            Backend::Postgres => {
                let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") else {
                    // CI must run every test on PostgreSQL too; never skip there.
                    assert!(
                        std::env::var_os("CI").is_none(),
                        "CI needs TEST_DATABASE_URL"
                    );
                    return None;
                };
                use diesel::RunQueryDsl;
                let name = format!("ironfield_test_{unique}");
                let mut conn =
                    PgConnection::establish(&admin_url).expect("connect to TEST_DATABASE_URL");
                diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
                    .execute(&mut conn)
                    .expect("create test database");
                let base = admin_url
                    .rsplit_once('/')
                    .map(|(b, _)| b)
                    .unwrap_or(&admin_url);
                // Loopback, and no TLS in the test process: OpenSSL's clean-up at exit can
                // crash a process whose other threads still hold TLS connections.
                (
                    format!("{base}/{name}?sslmode=disable"),
                    DbGuard::PostgresDatabase { admin_url, name },
                )
            }
        };
        let db = Db::connect(&url, 4).expect("open test database");
        bootstrap::create_admin(&db, ADMIN_EMAIL, PASSWORD).expect("create admin");

        let tokens = TokenKeys::new(JWT_SECRET, chrono::Duration::minutes(15));
        let state = actix_web::web::Data::new(AppState::new(db.clone(), tokens, settings));
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind port 0");
        let port = listener.local_addr().unwrap().port();
        let server = ironfield_api::start(listener, state, Some(1)).expect("start server");
        let handle = server.handle();
        tokio::spawn(server);

        let mut app = TestApp {
            backend,
            base: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::new(),
            admin_token: String::new(),
            db,
            server: handle,
            _guard: guard,
        };
        app.admin_token = app.login(ADMIN_EMAIL, PASSWORD).await;
        Some(app)
    }

    /// Runs SQL straight on the test database (fault injection).
    pub fn execute_sql(&self, sql: &str) {
        use diesel::connection::SimpleConnection;
        let mut conn = self.db.conn().expect("a connection");
        conn.batch_execute(sql).expect("test SQL");
    }

    /// Seller accounts stored, counted in the database itself.
    pub fn count_seller_accounts(&self) -> i64 {
        use diesel::{QueryDsl, RunQueryDsl};
        use ironfield_persistence::schema::seller_accounts;
        let mut conn = self.db.conn().expect("a connection");
        seller_accounts::table
            .count()
            .get_result(&mut *conn)
            .expect("count")
    }

    /// Visits stored, counted in the database itself.
    pub fn count_visits(&self) -> i64 {
        use diesel::{QueryDsl, RunQueryDsl};
        use ironfield_persistence::schema::visits;
        let mut conn = self.db.conn().expect("a connection");
        visits::table.count().get_result(&mut *conn).expect("count")
    }

    /// Waits until no other transaction in the test database holds a transaction id
    /// (PostgreSQL; SQLite's feed has no horizon). The event feed serves only events below the
    /// oldest running writer, so a background job's short write (the webhook fan-out moving
    /// its cursor) can hide an already committed event for a moment; a test that asserts the
    /// exact events after an exact cursor waits for the writers first.
    pub async fn writers_settled(&self) {
        use diesel::sql_types::BigInt;
        use diesel::{QueryableByName, RunQueryDsl};
        use ironfield_persistence::DbConnection;
        #[derive(QueryableByName)]
        struct Running {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        for _ in 0..1000 {
            let running = {
                let mut conn = self.db.conn().expect("a connection");
                match &mut *conn {
                    DbConnection::Postgresql(pg) => {
                        diesel::sql_query(
                            "SELECT count(*) AS n FROM pg_stat_activity \
                             WHERE datname = current_database() AND backend_xid IS NOT NULL \
                             AND pid <> pg_backend_pid()",
                        )
                        .get_result::<Running>(pg)
                        .expect("pg_stat_activity")
                        .n
                    }
                    DbConnection::Sqlite(_) => 0,
                }
            };
            if running == 0 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("a transaction in the test database stayed open for 10 s");
    }

    pub fn is_postgres(&self) -> bool {
        self.db.backend() == ironfield_persistence::Backend::Postgres
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A request to `/api/v1{path}`, signed with `token` when given.
    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let builder = self
            .client
            .request(method, self.url(&format!("/api/v1{path}")));
        match token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.request(Method::GET, path, Some(token))
            .send()
            .await
            .unwrap()
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Response {
        self.request(Method::POST, path, Some(token))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Response {
        self.request(Method::PATCH, path, Some(token))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// A PATCH sending `If-Match: "{version}"`.
    pub async fn patch_if_match(
        &self,
        path: &str,
        token: &str,
        version: i64,
        body: Value,
    ) -> Response {
        self.request(Method::PATCH, path, Some(token))
            .header("If-Match", format!("\"{version}\""))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// Signs in and returns the access token; panics unless it works.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let response = self.login_response(email, password).await;
        assert_eq!(response.status(), StatusCode::OK, "login of {email}");
        let body: Value = response.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn login_response(&self, email: &str, password: &str) -> Response {
        self.request(Method::POST, "/auth/login", None)
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap()
    }

    /// Creates a team as admin.
    pub async fn team(&self, name: &str, parent_id: Option<&str>) -> String {
        let response = self
            .post(
                "/teams",
                &self.admin_token,
                json!({"name": name, "parent_id": parent_id}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED, "create team {name}");
        body(response).await["id"].as_str().unwrap().to_owned()
    }

    /// Creates a user with `role` in `team_id` as admin, and signs them in.
    pub async fn user(&self, role: &str, team_id: Option<&str>) -> TestUser {
        let email = format!(
            "{role}-{}@test.ironfield.dev",
            uuid::Uuid::new_v4().simple()
        );
        let response = self
            .post(
                "/users",
                &self.admin_token,
                json!({"email": email, "name": format!("Test {role}"), "role": role,
                       "team_id": team_id, "password": PASSWORD}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED, "create {role}");
        let id = body(response).await["id"].as_str().unwrap().to_owned();
        let token = self.login(&email, PASSWORD).await;
        TestUser { id, email, token }
    }
}

/// The JSON body of a response.
pub async fn body(response: Response) -> Value {
    response.json().await.expect("a JSON body")
}

/// Asserts a problem+json error with `status` and `code`, and returns its body.
pub async fn assert_problem(response: Response, status: u16, code: &str) -> Value {
    let actual = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let problem: Value = response.json().await.expect("a problem body");
    assert_eq!(actual, status, "status of {problem}");
    assert_eq!(content_type, "application/problem+json", "{problem}");
    assert_eq!(problem["code"], code, "{problem}");
    assert_eq!(problem["status"], status);
    problem
}
