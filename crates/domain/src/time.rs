//! Time as the database stores it.

use chrono::{DateTime, SubsecRound, Utc};

/// The current time, truncated to microseconds.
///
/// PostgreSQL keeps microseconds and SQLite keeps what it is given; truncating here means a
/// timestamp read back is equal to the one written, on both backends (cursors compare them).
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}
