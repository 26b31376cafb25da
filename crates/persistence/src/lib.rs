//! Persistence over diesel: SQLite (the embedded default) and PostgreSQL, chosen at run time
//! from the database URL. One `schema.rs` whose SQL types mean the same on both backends.

pub mod account_health;
pub mod audit;
pub mod bulk;
pub mod db;
pub mod directory;
pub mod duplicates;
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
pub mod scope;
pub mod seller_accounts;
pub mod seller_performance;
pub mod service_accounts;
pub mod settings;
pub mod stats;
pub mod stored;
pub mod target_achievements;
pub mod targets;
pub mod teams;
pub mod unique;
pub mod users;
pub mod visits;
pub mod webhooks;

pub use db::{Backend, Db, DbConnection, DbOptions, MigrationState};
pub use error::DbError;
pub use pagination::{Cursor, Page, PageRequest};
pub use scope::TeamScope;
pub use unique::UniqueKey;

/// Bound parameters one statement may carry on both backends: SQLite's limit is 32,766 (since
/// 3.32; the bundled library is newer), PostgreSQL's 65,535. Multi-row inserts size their
/// chunks to about half of it, so a table may gain columns without a chunk going over.
pub const BULK_BIND_PARAMETERS: usize = 16_000;

/// Timestamps as stored: naive, always UTC.
pub type Timestamp = chrono::NaiveDateTime;
