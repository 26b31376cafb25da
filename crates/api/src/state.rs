//! What every handler shares.

use crate::directory::DirectoryCache;
use crate::login_limit::LoginLimiter;
use crate::visit_group_commit::VisitGroupCommit;
use crate::write_queue::WriteQueue;
use ironfield_auth::TokenKeys;
use ironfield_persistence::Db;
use std::sync::Arc;

/// Settings of the API itself (the binary fills them from its configuration).
#[derive(Debug, Clone)]
pub struct ApiSettings {
    /// How long a refresh token lives if unused.
    pub refresh_ttl: chrono::Duration,
    /// Failed-login budget per account: attempts per minute.
    pub login_attempts_per_account_per_minute: u32,
    /// Failed-login budget per client address: attempts per minute.
    pub login_attempts_per_address_per_minute: u32,
    /// The back-off base of webhook retries (`IRONFIELD_WEBHOOK_RETRY_BASE_MS`, default 10 s):
    /// the first retry comes after half to all of it. Tests shorten it; production keeps it.
    pub webhook_retry_base: std::time::Duration,
}

impl Default for ApiSettings {
    fn default() -> Self {
        Self {
            refresh_ttl: chrono::Duration::days(30),
            login_attempts_per_account_per_minute: 5,
            login_attempts_per_address_per_minute: 30,
            webhook_retry_base: crate::webhooks::retry::DEFAULT_BASE,
        }
    }
}

pub struct AppState {
    pub db: Db,
    pub tokens: TokenKeys,
    pub settings: ApiSettings,
    pub login_limiter: LoginLimiter,
    /// A read replica for heavy reads (`DATABASE_READ_URL`); `None`: the primary serves them.
    pub replica: Option<Db>,
    /// Long write transactions (visit batches) wait their turn here, not in the pool.
    pub write_queue: WriteQueue,
    /// Single visits that arrive together are stored together.
    pub visit_groups: VisitGroupCommit,
    /// Users, service accounts, teams and the time zone as of the directory's version.
    pub directory: Arc<DirectoryCache>,
}

impl AppState {
    pub fn new(db: Db, tokens: TokenKeys, settings: ApiSettings) -> Self {
        let login_limiter = LoginLimiter::new(
            settings.login_attempts_per_account_per_minute,
            settings.login_attempts_per_address_per_minute,
        );
        Self {
            write_queue: WriteQueue::for_db(&db),
            visit_groups: VisitGroupCommit::start(db.clone()),
            db,
            tokens,
            settings,
            login_limiter,
            replica: None,
            directory: Arc::default(),
        }
    }

    /// Sends heavy reads (reports, lists, exports) to `replica`.
    pub fn with_replica(mut self, replica: Db) -> Self {
        self.replica = Some(replica);
        self
    }
}
