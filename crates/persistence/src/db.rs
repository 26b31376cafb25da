//! The connection: one enum over both backends, an r2d2 pool that picks the backend from the
//! URL scheme, and the embedded migrations.

use crate::error::DbError;
use diesel::connection::SimpleConnection;
use diesel::connection::TransactionManager;
use diesel::migration::MigrationSource;
use diesel::r2d2::{self, ManageConnection, Pool, PooledConnection};
use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// A connection to either backend. Queries written against it run on both; where SQL truly
/// differs, match on the variant.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Where to connect, parsed from `DATABASE_URL`.
#[derive(Debug, Clone)]
enum Target {
    /// A file path (the `sqlite://` prefix removed).
    Sqlite(String),
    Postgres(String),
}

impl Target {
    fn parse(url: &str) -> Result<Self, DbError> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(DbError::BadUrl("sqlite:// needs a file path".into()));
            }
            Ok(Target::Sqlite(path.to_owned()))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Target::Postgres(url.to_owned()))
        } else {
            Err(DbError::BadUrl(
                "expected sqlite://PATH or postgres://USER@HOST/DB".into(),
            ))
        }
    }
}

/// What the pool may use, beyond the URL.
#[derive(Debug, Clone)]
pub struct DbOptions {
    /// Largest number of pooled connections.
    pub max_connections: u32,
    /// How long a request waits for a pooled connection before it is told 503. `None`: 1 s
    /// on PostgreSQL (an unreachable server must be reported quickly), 10 s on SQLite (the
    /// pool is the only queue of its readers).
    pub checkout_timeout: Option<Duration>,
    /// SQLite page cache shared by all connections, in KiB (each connection gets its share).
    pub sqlite_cache_budget_kib: u32,
    /// SQLite `max_page_count` (a size limit; operators and disk-full tests).
    pub sqlite_max_page_count: Option<u64>,
    /// How long SQLite waits for another process's lock before the write is told 503.
    pub sqlite_busy_timeout_ms: u32,
}

impl DbOptions {
    pub fn new(max_connections: u32) -> Self {
        DbOptions {
            max_connections: max_connections.max(1),
            checkout_timeout: None,
            sqlite_cache_budget_kib: 64 * 1024,
            sqlite_max_page_count: None,
            sqlite_busy_timeout_ms: 10_000,
        }
    }
}

/// Opens connections for the pool, backend chosen explicitly (the derive's own `establish`
/// would try each backend in turn and hide the real error).
pub struct Manager {
    target: Target,
    sqlite_pragmas: String,
    /// The watchdog's view of the server: whether a connection taken from the pool must be
    /// tested first (see [`Liveness::checkout_test_needed`]).
    liveness: Arc<Liveness>,
}

impl Manager {
    fn new(target: Target, options: &DbOptions, liveness: Arc<Liveness>) -> Manager {
        // busy_timeout first: the other pragmas may already need to wait for a lock. The page
        // cache is a budget shared by the pool (a 2 MiB cache spills every bulk write of the
        // dozen-index leads table to the WAL; 8 x 32 MiB made the process hold 300+ MB).
        let cache_kib = (options.sqlite_cache_budget_kib / options.max_connections.max(1))
            .clamp(2 * 1024, 32 * 1024);
        let mut sqlite_pragmas = format!(
            "PRAGMA busy_timeout = {}; PRAGMA journal_mode = WAL; \
             PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; \
             PRAGMA cache_size = -{cache_kib};",
            options.sqlite_busy_timeout_ms
        );
        if let Some(pages) = options.sqlite_max_page_count {
            sqlite_pragmas.push_str(&format!(" PRAGMA max_page_count = {pages};"));
        }
        Manager {
            target,
            sqlite_pragmas,
            liveness,
        }
    }

    fn open(&self) -> Result<DbConnection, diesel::result::ConnectionError> {
        match &self.target {
            Target::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(path)?;
                conn.batch_execute(&self.sqlite_pragmas)
                    .map_err(|e| diesel::result::ConnectionError::BadConnection(e.to_string()))?;
                Ok(DbConnection::Sqlite(conn))
            }
            Target::Postgres(url) => {
                let mut conn = PgConnection::establish(&libpq_url(url))?;
                // A session left idle inside a transaction (a frozen client) would hold its
                // locks forever; the server ends it instead.
                conn.batch_execute("SET idle_in_transaction_session_timeout = '60s'")
                    .map_err(|e| diesel::result::ConnectionError::BadConnection(e.to_string()))?;
                Ok(DbConnection::Postgresql(conn))
            }
        }
    }

    /// Where the connections go, for messages (never a password).
    fn describe(&self) -> String {
        match &self.target {
            Target::Sqlite(path) => format!("SQLite file {path}"),
            Target::Postgres(url) => format!("PostgreSQL {}", redact_url(url)),
        }
    }

    /// Opens one connection and, for SQLite, proves it can write: a corrupt file, a
    /// read-only file or an unreachable server fails here at once with the real reason,
    /// not after the pool's timeout.
    fn preflight(&self) -> Result<(), DbError> {
        let fail = |reason: String| DbError::Open {
            target: self.describe(),
            reason,
        };
        let mut conn = self.open().map_err(|e| fail(e.to_string()))?;
        if let DbConnection::Sqlite(c) = &mut conn {
            c.batch_execute("SELECT count(*) FROM sqlite_master")
                .map_err(|e| fail(e.to_string()))?;
            // A rolled-back write of the header: fails on a read-only file or directory.
            let probe = c.batch_execute("BEGIN IMMEDIATE; PRAGMA user_version = 0; ROLLBACK;");
            if let Err(e) = probe {
                let _ = c.batch_execute("ROLLBACK");
                return Err(fail(e.to_string()));
            }
        }
        Ok(())
    }
}

/// The libpq URL with our connection limits added where the operator set none: a short
/// connect timeout and TCP keepalives, so a server that went away is noticed.
fn libpq_url(url: &str) -> String {
    let defaults = [
        ("connect_timeout", "2"),
        ("keepalives", "1"),
        ("keepalives_idle", "5"),
        ("keepalives_interval", "2"),
        ("keepalives_count", "3"),
        ("tcp_user_timeout", "10000"),
    ];
    let mut out = url.to_owned();
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    for (key, value) in defaults {
        let present = query
            .split('&')
            .any(|pair| pair.split('=').next() == Some(key));
        if !present {
            out.push(if out.contains('?') { '&' } else { '?' });
            out.push_str(key);
            out.push('=');
            out.push_str(value);
        }
    }
    out
}

/// The URL without its password, for messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        self.open().map_err(r2d2::Error::ConnectionError)
    }

    /// Called at every checkout. A `SELECT 1` round trip there cost every request two extra
    /// statements (the caller's read and its write each take a connection), so it is sent
    /// only when a pooled connection may really be dead: see [`Liveness::checkout_test_needed`].
    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        if !self.liveness.checkout_test_needed(&self.target) {
            return Ok(());
        }
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        use diesel::r2d2::R2D2Connection;
        conn.is_broken()
    }
}

pub type PooledDbConnection = PooledConnection<Manager>;

/// What the PostgreSQL watchdog last saw.
struct Liveness {
    started: Instant,
    /// Milliseconds after `started` of the last answered ping.
    last_ok_ms: AtomicU64,
    watching: AtomicBool,
    /// Milliseconds after `started` of the last "disk full" (0: never).
    full_at_ms: AtomicU64,
    /// Until when (milliseconds after `started`) pooled connections are tested at checkout:
    /// set when the watchdog lost its connection or went unanswered.
    suspect_until_ms: AtomicU64,
    /// Set by [`Db::stop_watchdog`]: the thread ends at its next tick.
    watchdog_stopped: AtomicBool,
}

/// How long after the watchdog's last trouble connections are still tested at checkout: long
/// enough for every connection the pool held through an outage to be taken once.
const SUSPECT_FOR: Duration = Duration::from_secs(60);

impl Liveness {
    fn new() -> Liveness {
        Liveness {
            started: Instant::now(),
            last_ok_ms: AtomicU64::new(0),
            watching: AtomicBool::new(false),
            full_at_ms: AtomicU64::new(0),
            suspect_until_ms: AtomicU64::new(0),
            watchdog_stopped: AtomicBool::new(false),
        }
    }

    fn now_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    /// The watchdog met trouble: pooled connections may have died with the server.
    fn suspect(&self) {
        let until = self.now_ms() + SUSPECT_FOR.as_millis() as u64;
        self.suspect_until_ms.store(until, Ordering::SeqCst);
    }

    /// Whether a connection must be tested before the pool hands it out. A SQLite connection
    /// is a file handle: it does not go stale. A PostgreSQL one can die with its server, and
    /// the watchdog pings the server every 200 ms on a connection of its own, so it loses
    /// that connection in any restart or cut too: while it is healthy and has been for a
    /// minute, the pooled connections are alive as well. Without a watchdog (commands other
    /// than `serve`), every checkout is tested, as r2d2 does by default. A connection ended
    /// on its own (an operator's `pg_terminate_backend`) fails one request and leaves the
    /// pool as broken.
    fn checkout_test_needed(&self, target: &Target) -> bool {
        match target {
            Target::Sqlite(_) => false,
            Target::Postgres(_) => {
                let now = self.now_ms();
                !self.watching.load(Ordering::SeqCst)
                    || now < self.suspect_until_ms.load(Ordering::SeqCst)
                    || now.saturating_sub(self.last_ok_ms.load(Ordering::SeqCst))
                        >= UNREACHABLE_AFTER.as_millis() as u64
            }
        }
    }
}

/// Ping period of the watchdog, and how old its last answer may be before the database
/// counts as unreachable.
const WATCH_EVERY: Duration = Duration::from_millis(200);
const UNREACHABLE_AFTER: Duration = Duration::from_millis(700);
/// How long a "disk full" keeps `/health/ready` at 503 after the last write that hit it.
const FULL_REPORTED_FOR: Duration = Duration::from_secs(30);

/// The database: a pool, the backend it speaks, and (for SQLite) the writer lock.
#[derive(Clone)]
pub struct Db {
    pool: Pool<Manager>,
    backend: Backend,
    /// SQLite has one writer. Two deferred transactions that both read and then write can
    /// deadlock into SQLITE_BUSY without waiting; taking this lock around every write
    /// transaction (and every maintenance write) makes writers queue in the process instead.
    sqlite_writer: Option<Arc<Mutex<()>>>,
    liveness: Arc<Liveness>,
    target: Target,
}

/// Pool usage, for metrics.
#[derive(Debug, Clone, Copy)]
pub struct PoolStats {
    pub size: u32,
    pub idle: u32,
    pub max: u32,
}

/// Migrations as the database and this binary know them.
#[derive(Debug, Clone, Default)]
pub struct MigrationState {
    pub applied: Vec<String>,
    pub pending: Vec<String>,
    /// Applied in the database but unknown to this binary (a newer Ironfield wrote them).
    pub unknown: Vec<String>,
}

impl Db {
    /// Connects to `url`, runs pending migrations, and returns the pool.
    pub fn connect(url: &str, max_connections: u32) -> Result<Db, DbError> {
        Self::connect_with(url, DbOptions::new(max_connections))
    }

    /// Connects, refuses a database written by a newer Ironfield, runs pending migrations.
    pub fn connect_with(url: &str, options: DbOptions) -> Result<Db, DbError> {
        let db = Self::open_with(url, options)?;
        db.migrate()?;
        Ok(db)
    }

    /// Connects to a read replica of the primary (`DATABASE_READ_URL`): no migrations, they
    /// arrive by replication.
    pub fn connect_replica(url: &str, max_connections: u32) -> Result<Db, DbError> {
        Self::open_with(url, DbOptions::new(max_connections))
    }

    /// Connects without touching the schema (for `check`).
    pub fn open_with(url: &str, options: DbOptions) -> Result<Db, DbError> {
        let target = Target::parse(url)?;
        let backend = match target {
            Target::Sqlite(_) => Backend::Sqlite,
            Target::Postgres(_) => Backend::Postgres,
        };
        let liveness = Arc::new(Liveness::new());
        let manager = Manager::new(target.clone(), &options, liveness.clone());
        manager.preflight()?;
        let describe = manager.describe();
        let checkout = options.checkout_timeout.unwrap_or(match backend {
            Backend::Postgres => Duration::from_secs(1),
            Backend::Sqlite => Duration::from_secs(10),
        });
        let pool = Pool::builder()
            .max_size(options.max_connections.max(1))
            .min_idle(Some(1))
            .connection_timeout(checkout)
            .build(manager)
            .map_err(|e| DbError::Open {
                target: describe,
                reason: e.to_string(),
            })?;
        Ok(Db {
            pool,
            backend,
            sqlite_writer: (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(()))),
            liveness,
            target,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applied, pending and unknown migrations.
    pub fn migration_state(&self) -> Result<MigrationState, DbError> {
        let mut conn = self.conn()?;
        let (applied, known) = match &mut *conn {
            DbConnection::Sqlite(c) => (
                c.applied_migrations(),
                MigrationSource::<diesel::sqlite::Sqlite>::migrations(&SQLITE_MIGRATIONS)
                    .map(|all| all.iter().map(|m| m.name().version().to_string()).collect()),
            ),
            DbConnection::Postgresql(c) => (
                c.applied_migrations(),
                MigrationSource::<diesel::pg::Pg>::migrations(&POSTGRES_MIGRATIONS)
                    .map(|all| all.iter().map(|m| m.name().version().to_string()).collect()),
            ),
        };
        let applied: Vec<String> = applied
            .map_err(|e| DbError::Migration(e.to_string()))?
            .into_iter()
            .map(|v| v.to_string())
            .collect();
        let known: Vec<String> = known.map_err(|e| DbError::Migration(e.to_string()))?;
        let mut state = MigrationState {
            pending: known
                .iter()
                .filter(|v| !applied.contains(v))
                .cloned()
                .collect(),
            unknown: applied
                .iter()
                .filter(|v| !known.contains(v))
                .cloned()
                .collect(),
            applied,
        };
        state.applied.sort();
        state.unknown.sort();
        Ok(state)
    }

    fn migrate(&self) -> Result<(), DbError> {
        let state = self.migration_state()?;
        if !state.unknown.is_empty() {
            return Err(DbError::UnknownMigrations(state.unknown));
        }
        let _writer = self.writer_lock();
        let mut conn = self.conn()?;
        // Several processes starting together on one PostgreSQL migrate one at a time.
        let lock = crate::jobs::MIGRATION_LOCK;
        let result = crate::jobs::exclusively(&mut conn, lock, |conn| match conn {
            DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(drop),
            DbConnection::Postgresql(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS).map(drop),
        })?;
        result.map_err(|e| DbError::Migration(e.to_string()))
    }

    pub fn conn(&self) -> Result<PooledDbConnection, DbError> {
        Ok(self.pool.get()?)
    }

    /// The in-process writer lock (SQLite only; `None` on PostgreSQL).
    fn writer_lock(&self) -> Option<std::sync::MutexGuard<'_, ()>> {
        self.sqlite_writer
            .as_ref()
            .map(|lock| lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
    }

    /// Runs `f` on a pooled connection, outside any explicit transaction.
    pub fn read<T, E>(&self, f: impl FnOnce(&mut DbConnection) -> Result<T, E>) -> Result<T, E>
    where
        E: From<DbError>,
    {
        let mut conn = self.conn()?;
        f(&mut conn)
    }

    /// Runs `f` in one transaction: it commits when `f` returns `Ok` and rolls back otherwise,
    /// so an error half-way leaves nothing written.
    pub fn write<T, E>(&self, f: impl FnOnce(&mut DbConnection) -> Result<T, E>) -> Result<T, E>
    where
        E: From<DbError> + From<diesel::result::Error>,
    {
        // The lock before the connection: writers queue without holding pooled connections
        // that readers need.
        let _writer = self.writer_lock();
        let mut conn = self.conn()?;
        let conn: &mut DbConnection = &mut conn;
        // Connection::transaction, except that a failed ROLLBACK does not replace the error
        // that caused it: SQLite rolls back by itself on SQLITE_FULL, and its "cannot rollback
        // - no transaction is active" would hide the full disk behind a 500. A connection
        // whose rollback failed is marked broken and leaves the pool.
        type Tm = <DbConnection as Connection>::TransactionManager;
        Tm::begin_transaction(conn)?;
        match f(conn) {
            Ok(value) => {
                Tm::commit_transaction(conn)?;
                Ok(value)
            }
            Err(error) => {
                if let Err(rollback) = Tm::rollback_transaction(conn) {
                    tracing::debug!(%rollback, "rollback after a failed write failed");
                }
                Err(error)
            }
        }
    }

    /// Runs `f` on a pooled connection under the writer lock, outside a transaction (for
    /// maintenance statements such as `PRAGMA optimize` or `VACUUM INTO`).
    pub fn exclusive<T>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        let _writer = self.writer_lock();
        let mut conn = self.conn()?;
        f(&mut conn)
    }

    /// Refreshes the planner's statistics of every table (after a bulk load). Without them
    /// SQLite guesses that `team_id IN (...)` is selective and sorts a manager's whole branch
    /// instead of walking the `created_at` index.
    pub fn analyze(&self) -> Result<(), DbError> {
        // After a bulk load PostgreSQL also needs VACUUM: it sets the visibility map, without
        // which the month-count queries cannot be index-only and visit every heap row.
        let sql = match self.backend {
            Backend::Postgres => "VACUUM ANALYZE",
            Backend::Sqlite => "ANALYZE",
        };
        self.exclusive(|conn| conn.batch_execute(sql).map_err(DbError::from))
    }

    /// Keeps the planner's statistics current as tables grow: SQLite's `PRAGMA optimize`
    /// (re-analyses only the tables that changed a lot; cheap when nothing did). PostgreSQL's
    /// autovacuum does this by itself.
    pub fn optimize(&self) -> Result<(), DbError> {
        if self.backend != Backend::Sqlite {
            return Ok(());
        }
        self.exclusive(|conn| {
            conn.batch_execute("PRAGMA optimize = 0x10002")
                .map_err(DbError::from)
        })
    }

    /// Checks the database answers (for `/health/ready`).
    pub fn ping(&self) -> Result<(), DbError> {
        let mut conn = self.conn()?;
        conn.batch_execute("SELECT 1").map_err(DbError::from)
    }

    /// Starts (once) a thread that pings PostgreSQL on its own connection every 200 ms, so
    /// that a stopped or frozen server is known within a second without any request waiting
    /// for it. SQLite needs none. The thread ends when the last clone of this `Db` is gone.
    pub fn start_watchdog(&self) {
        if self.backend != Backend::Postgres || self.liveness.watching.swap(true, Ordering::SeqCst)
        {
            return;
        }
        let liveness = Arc::downgrade(&self.liveness);
        // The watchdog only opens connections; its manager's checkout test is never asked,
        // and it must not keep the pool's liveness alive (the thread ends when the Db goes).
        let manager = Manager {
            target: self.target.clone(),
            sqlite_pragmas: String::new(),
            liveness: Arc::new(Liveness::new()),
        };
        let now = self.liveness.now_ms();
        self.liveness.last_ok_ms.store(now, Ordering::SeqCst);
        let spawned = std::thread::Builder::new()
            .name("db-watchdog".into())
            .spawn(move || {
                let mut conn: Option<DbConnection> = None;
                loop {
                    let Some(liveness) = liveness.upgrade() else {
                        return;
                    };
                    if liveness.watchdog_stopped.load(Ordering::SeqCst) {
                        return;
                    }
                    if conn.is_none() {
                        conn = manager.open().ok();
                    }
                    if let Some(c) = conn.as_mut() {
                        match c.batch_execute("SELECT 1") {
                            Ok(()) => {
                                let now = liveness.now_ms();
                                let before = liveness.last_ok_ms.swap(now, Ordering::SeqCst);
                                // Unanswered for a while (frozen, or cut and reconnected).
                                if now.saturating_sub(before)
                                    >= UNREACHABLE_AFTER.as_millis() as u64
                                {
                                    liveness.suspect();
                                }
                            }
                            Err(_) => conn = None,
                        }
                    }
                    if conn.is_none() {
                        liveness.suspect();
                    }
                    drop(liveness);
                    std::thread::sleep(WATCH_EVERY);
                }
            });
        if let Err(error) = spawned {
            tracing::warn!(%error, "database watchdog not started");
            self.liveness.watching.store(false, Ordering::SeqCst);
        }
    }

    /// Ends the watchdog (at its next tick), for a `Db` that is about to go while clones of it
    /// may live on: a server whose database is dropped (a test's) would otherwise have its
    /// watchdog knock on the missing database five times a second for as long as the process
    /// lives. Afterwards the database counts as reachable and every checkout is tested, as
    /// without a watchdog.
    pub fn stop_watchdog(&self) {
        self.liveness.watchdog_stopped.store(true, Ordering::SeqCst);
        self.liveness.watching.store(false, Ordering::SeqCst);
    }

    /// False when the watchdog's last answer from PostgreSQL is too old: the server is
    /// stopped, unreachable or frozen. Always true without a watchdog (SQLite).
    pub fn is_reachable(&self) -> bool {
        if !self.liveness.watching.load(Ordering::SeqCst) {
            return true;
        }
        let age = self
            .liveness
            .now_ms()
            .saturating_sub(self.liveness.last_ok_ms.load(Ordering::SeqCst));
        age < UNREACHABLE_AFTER.as_millis() as u64
    }

    /// Notes that a write failed for want of space; returns whether this is the first such
    /// failure in a minute (so the caller logs it once a minute, not once a request).
    pub fn note_full(&self) -> bool {
        let now = self.liveness.now_ms().max(1);
        let previous = self.liveness.full_at_ms.swap(now, Ordering::SeqCst);
        previous == 0 || now.saturating_sub(previous) >= 60_000
    }

    /// Whether the database ran out of space recently (SQLite: or has no room left at all).
    pub fn is_full(&self) -> bool {
        let at = self.liveness.full_at_ms.load(Ordering::SeqCst);
        if at != 0
            && self.liveness.now_ms().saturating_sub(at) < FULL_REPORTED_FOR.as_millis() as u64
        {
            return true;
        }
        false
    }

    /// Clears the "disk full" mark (a write went through).
    pub fn note_written(&self) {
        if self.liveness.full_at_ms.load(Ordering::Relaxed) != 0 {
            self.liveness.full_at_ms.store(0, Ordering::SeqCst);
        }
    }

    pub fn pool_stats(&self) -> PoolStats {
        let state = self.pool.state();
        PoolStats {
            size: state.connections,
            idle: state.idle_connections,
            max: self.pool.max_size(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pooled_connections_are_tested_only_when_they_may_be_dead() {
        let postgres = Target::Postgres("postgres://u@h/db".into());
        let liveness = Liveness::new();
        assert!(
            liveness.checkout_test_needed(&postgres),
            "no watchdog: every checkout"
        );
        assert!(!liveness.checkout_test_needed(&Target::Sqlite("x.db".into())));
        liveness.watching.store(true, Ordering::SeqCst);
        liveness
            .last_ok_ms
            .store(liveness.now_ms(), Ordering::SeqCst);
        assert!(
            !liveness.checkout_test_needed(&postgres),
            "a healthy watchdog: none"
        );
        liveness.suspect();
        assert!(
            liveness.checkout_test_needed(&postgres),
            "for a while after trouble"
        );
        liveness.suspect_until_ms.store(0, Ordering::SeqCst);
        liveness.last_ok_ms.store(0, Ordering::SeqCst);
        std::thread::sleep(UNREACHABLE_AFTER);
        assert!(
            liveness.checkout_test_needed(&postgres),
            "while the watchdog goes unanswered"
        );
    }

    #[test]
    fn urls_pick_their_backend_or_are_refused() {
        assert!(matches!(Target::parse("sqlite://x.db"), Ok(Target::Sqlite(p)) if p == "x.db"));
        assert!(matches!(
            Target::parse("postgres://u@h/db"),
            Ok(Target::Postgres(_))
        ));
        assert!(matches!(
            Target::parse("postgresql://u@h/db"),
            Ok(Target::Postgres(_))
        ));
        assert!(Target::parse("mysql://u@h/db").is_err());
    }

    #[test]
    fn libpq_urls_get_timeouts_and_keepalives_unless_the_operator_set_them() {
        let url = libpq_url("postgres://u@h/db");
        assert!(
            url.starts_with("postgres://u@h/db?connect_timeout=2&keepalives=1"),
            "{url}"
        );
        let url = libpq_url("postgres://u@h/db?sslmode=require&connect_timeout=9");
        assert!(url.contains("connect_timeout=9"), "{url}");
        assert!(!url.contains("connect_timeout=2"), "{url}");
        assert!(url.contains("&tcp_user_timeout=10000"), "{url}");
        assert!(Target::parse("sqlite://").is_err());
    }
}
