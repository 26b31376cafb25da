//! Persistence errors. Each keeps its cause; none is turned into "not found" unless the
//! database said so.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("record not found")]
    NotFound,
    /// A unique constraint refused the write; the payload names the constraint or column.
    #[error("unique constraint violated: {0}")]
    UniqueViolation(String),
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
}

impl From<DieselError> for DbError {
    fn from(error: DieselError) -> Self {
        match error {
            DieselError::NotFound => DbError::NotFound,
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                DbError::UniqueViolation(
                    info.constraint_name()
                        .map(str::to_owned)
                        .unwrap_or_else(|| info.message().to_owned()),
                )
            }
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
                DbError::ForeignKeyViolation(info.message().to_owned())
            }
            other => DbError::Query(other),
        }
    }
}

impl From<diesel::r2d2::PoolError> for DbError {
    fn from(error: diesel::r2d2::PoolError) -> Self {
        DbError::Unavailable(error.to_string())
    }
}

impl DbError {
    /// Whether this is a unique violation mentioning `needle` (a column or constraint name).
    /// SQLite reports `UNIQUE constraint failed: users.email`, PostgreSQL `users_email_key`.
    pub fn is_unique_on(&self, needle: &str) -> bool {
        matches!(self, DbError::UniqueViolation(what) if what.contains(needle))
    }
}
