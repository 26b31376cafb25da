//! Persistence over diesel: SQLite (the embedded default) and PostgreSQL, chosen at run time
//! from the database URL. One `schema.rs` whose SQL types mean the same on both backends.

pub mod account_health;
pub mod audit;
pub mod db;
pub mod error;
pub mod events;
pub mod idempotency;
pub mod jobs;
pub mod leads;
pub mod login_failures;
pub mod meetings;
pub mod pagination;
pub mod refresh_tokens;
pub mod schema;
pub mod seller_accounts;
pub mod seller_performance;
pub mod service_accounts;
pub mod settings;
pub mod stats;
pub mod target_achievements;
pub mod targets;
pub mod teams;
pub mod users;
pub mod visits;
pub mod webhooks;

pub use db::{Backend, Db, DbConnection, DbOptions, MigrationState};
pub use error::DbError;
pub use pagination::{Cursor, Page, PageRequest};

/// Timestamps as stored: naive, always UTC.
pub type Timestamp = chrono::NaiveDateTime;
