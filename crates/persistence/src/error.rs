//! Persistence errors. Each keeps its cause; none is turned into "not found" unless the
//! database said so.

use crate::unique::UniqueKey;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("record not found")]
    NotFound,
    /// A unique constraint refused the write; the payload says which key (`is_unique_on`).
    #[error("unique constraint violated: {0}")]
    UniqueViolation(UniqueKey),
    #[error("a referenced record does not exist: {0}")]
    ForeignKeyViolation(String),
    #[error("database connection unavailable: {0}")]
    Unavailable(String),
    #[error("database query failed: {0}")]
    Query(#[source] DieselError),
    #[error("database migration failed: {0}")]
    Migration(String),
    #[error("DATABASE_URL is not usable: {0}")]
    BadUrl(String),
    /// The database cannot be opened or written at all (start-up): the reason and where.
    #[error("cannot use the database {target}: {reason}")]
    Open { target: String, reason: String },
    /// The database holds migrations this binary does not know: a newer Ironfield wrote it.
    #[error(
        "the database has migrations this version of Ironfield does not know: {}; \
         run the newer Ironfield that applied them (migrations are forward-only)",
        .0.join(", ")
    )]
    UnknownMigrations(Vec<String>),
    /// SQLite stayed locked by another writer past the busy timeout.
    #[error("the database is busy: {0}")]
    Busy(String),
    /// The connection broke during the request (PostgreSQL restarted, network cut, or the
    /// database stopped answering): whether the work was stored is unknown.
    #[error("the database connection was lost: {0}")]
    ConnectionLost(String),
    /// No space left for the database (SQLITE_FULL, or PostgreSQL's disk full).
    #[error("the database is full: {0}")]
    Full(String),
}

impl From<DieselError> for DbError {
    fn from(error: DieselError) -> Self {
        match error {
            DieselError::NotFound => DbError::NotFound,
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                DbError::UniqueViolation(UniqueKey::read(
                    info.message(),
                    info.table_name(),
                    info.constraint_name(),
                    info.details(),
                ))
            }
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
                DbError::ForeignKeyViolation(info.message().to_owned())
            }
            // The commit's own failure is the cause; its rollback's failure is a consequence.
            DieselError::RollbackErrorOnCommit { commit_error, .. } => DbError::from(*commit_error),
            DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                DbError::ConnectionLost(info.message().to_owned())
            }
            DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, info) => {
                DbError::Busy(info.message().to_owned())
            }
            DieselError::DatabaseError(kind, info) => match classify(info.message()) {
                Some(Class::Busy) => DbError::Busy(info.message().to_owned()),
                Some(Class::Full) => DbError::Full(info.message().to_owned()),
                Some(Class::Lost) => DbError::ConnectionLost(info.message().to_owned()),
                None => DbError::Query(DieselError::DatabaseError(kind, info)),
            },
            other => DbError::Query(other),
        }
    }
}

enum Class {
    Busy,
    Full,
    Lost,
}

/// Faults that diesel reports as `Unknown`, told apart by the database's message (SQLite has
/// no error kinds beyond constraints; PostgreSQL's SQLSTATE is not exposed for these).
fn classify(message: &str) -> Option<Class> {
    let m = message.to_ascii_lowercase();
    if m.contains("database is locked")
        || m.contains("database table is locked")
        || m.contains("database is busy")
        || m.contains("could not obtain lock")
        // PostgreSQL broke a lock cycle by rolling this transaction back: nothing of it was
        // stored, and the same request again will pass.
        || m.contains("deadlock detected")
    {
        Some(Class::Busy)
    } else if m.contains("database or disk is full")
        || m.contains("no space left on device")
        || m.contains("could not extend file")
    {
        Some(Class::Full)
    } else if m.contains("terminating connection")
        || m.contains("server closed the connection")
        || m.contains("no connection to the server")
        || m.contains("could not receive data from server")
        || m.contains("could not send data to server")
        || m.contains("connection to server")
        || m.contains("the database system is shutting down")
        || m.contains("the database system is starting up")
        || m.contains("canceling statement due to statement timeout")
    {
        Some(Class::Lost)
    } else {
        None
    }
}

/// A stored value read outside a row type (a single column loaded as `Stored`) fails the
/// same way as inside one: as diesel's deserialisation error.
impl From<crate::stored::Unreadable> for DbError {
    fn from(error: crate::stored::Unreadable) -> Self {
        DbError::Query(DieselError::DeserializationError(Box::new(error)))
    }
}

impl From<diesel::r2d2::PoolError> for DbError {
    fn from(error: diesel::r2d2::PoolError) -> Self {
        DbError::Unavailable(error.to_string())
    }
}

impl DbError {
    /// A passing fault of the database (busy, unreachable, connection lost): the client may
    /// retry the same request.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            DbError::Unavailable(_) | DbError::Busy(_) | DbError::ConnectionLost(_)
        )
    }

    /// Whether a unique key on exactly `columns` of `table` refused the write.
    pub fn is_unique_on(&self, table: &str, columns: &[&str]) -> bool {
        matches!(self, DbError::UniqueViolation(key) if key.is(table, columns))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passing_faults_are_told_apart_by_their_message() {
        assert!(matches!(classify("deadlock detected"), Some(Class::Busy)));
        assert!(matches!(classify("database is locked"), Some(Class::Busy)));
        assert!(matches!(
            classify("database or disk is full"),
            Some(Class::Full)
        ));
        assert!(matches!(
            classify("server closed the connection unexpectedly"),
            Some(Class::Lost)
        ));
        assert!(classify("syntax error at or near \"SELEC\"").is_none());
    }
}
