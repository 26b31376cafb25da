//! The connection: one enum over both backends, an r2d2 pool that picks the backend from the
//! URL scheme, and the embedded migrations.

use crate::error::DbError;
use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, ManageConnection, Pool, PooledConnection};
use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::sync::{Arc, Mutex};
use std::time::Duration;

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

/// Opens connections for the pool, backend chosen explicitly (the derive's own `establish`
/// would try each backend in turn and hide the real error).
pub struct Manager {
    target: Target,
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        match &self.target {
            Target::Sqlite(path) => {
                let mut conn =
                    SqliteConnection::establish(path).map_err(r2d2::Error::ConnectionError)?;
                // busy_timeout first: the other pragmas may already need to wait for a lock.
                // A 32 MiB page cache (default 2 MiB): the leads table carries a dozen
                // indexes, and a smaller cache spills every bulk write to the WAL and reads
                // it back (seeding 100k leads: 40 s -> seconds).
                conn.batch_execute(
                    "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                     PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; \
                     PRAGMA cache_size = -32768;",
                )
                .map_err(r2d2::Error::QueryError)?;
                Ok(DbConnection::Sqlite(conn))
            }
            Target::Postgres(url) => PgConnection::establish(url)
                .map(DbConnection::Postgresql)
                .map_err(r2d2::Error::ConnectionError),
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

pub type PooledDbConnection = PooledConnection<Manager>;

/// The database: a pool, the backend it speaks, and (for SQLite) the writer lock.
#[derive(Clone)]
pub struct Db {
    pool: Pool<Manager>,
    backend: Backend,
    /// SQLite has one writer. Two deferred transactions that both read and then write can
    /// deadlock into SQLITE_BUSY without waiting; taking this lock around every write
    /// transaction makes writers queue in the process instead.
    sqlite_writer: Option<Arc<Mutex<()>>>,
}

/// Pool usage, for metrics.
#[derive(Debug, Clone, Copy)]
pub struct PoolStats {
    pub size: u32,
    pub idle: u32,
    pub max: u32,
}

impl Db {
    /// Connects to `url`, runs pending migrations, and returns the pool.
    pub fn connect(url: &str, max_connections: u32) -> Result<Db, DbError> {
        let db = Db::open(url, max_connections)?;
        db.migrate()?;
        Ok(db)
    }

    /// Connects to a read replica of the primary (`DATABASE_READ_URL`): no migrations, they
    /// arrive by replication.
    pub fn connect_replica(url: &str, max_connections: u32) -> Result<Db, DbError> {
        Db::open(url, max_connections)
    }

    fn open(url: &str, max_connections: u32) -> Result<Db, DbError> {
        let target = Target::parse(url)?;
        let backend = match target {
            Target::Sqlite(_) => Backend::Sqlite,
            Target::Postgres(_) => Backend::Postgres,
        };
        let pool = Pool::builder()
            .max_size(max_connections.max(1))
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(10))
            .build(Manager { target })
            .map_err(|e| DbError::Unavailable(e.to_string()))?;
        let db = Db {
            pool,
            backend,
            sqlite_writer: (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(()))),
        };
        Ok(db)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    fn migrate(&self) -> Result<(), DbError> {
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
        let mut conn = self.conn()?;
        let _writer = self
            .sqlite_writer
            .as_ref()
            .map(|lock| lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner()));
        (*conn).transaction(f)
    }

    /// Refreshes the planner's statistics of every table (after a bulk load). Without them
    /// SQLite guesses that `team_id IN (...)` is selective and sorts a manager's whole branch
    /// instead of walking the `created_at` index.
    pub fn analyze(&self) -> Result<(), DbError> {
        let mut conn = self.conn()?;
        // After a bulk load PostgreSQL also needs VACUUM: it sets the visibility map, without
        // which the month-count queries cannot be index-only and visit every heap row.
        let sql = match self.backend {
            Backend::Postgres => "VACUUM ANALYZE",
            Backend::Sqlite => "ANALYZE",
        };
        conn.batch_execute(sql).map_err(DbError::from)
    }

    /// Keeps the planner's statistics current as tables grow: SQLite's `PRAGMA optimize`
    /// (re-analyses only the tables that changed a lot; cheap when nothing did). PostgreSQL's
    /// autovacuum does this by itself.
    pub fn optimize(&self) -> Result<(), DbError> {
        if self.backend != Backend::Sqlite {
            return Ok(());
        }
        let mut conn = self.conn()?;
        conn.batch_execute("PRAGMA optimize = 0x10002")
            .map_err(DbError::from)
    }

    /// Checks the database answers (for `/health/ready`).
    pub fn ping(&self) -> Result<(), DbError> {
        let mut conn = self.conn()?;
        conn.batch_execute("SELECT 1").map_err(DbError::from)
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
        assert!(Target::parse("sqlite://").is_err());
    }
}
