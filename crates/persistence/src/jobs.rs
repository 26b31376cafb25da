//! Periodic work that must run once across every server process on one database.
//!
//! On PostgreSQL a job takes a transaction-scoped advisory lock
//! (`pg_try_advisory_xact_lock`): the process that gets it runs the job, the others skip this
//! round. The lock ends with the transaction, so a process that dies never holds it. SQLite is
//! the single-process mode: the job always runs.

use crate::db::DbConnection;
use crate::error::DbError;
use diesel::sql_types::{BigInt, Bool};
use diesel::RunQueryDsl;

/// Advisory lock ids of the periodic jobs (one number space shared with nothing else).
pub const MAINTENANCE_LOCK: i64 = 0x1F0_0001;

#[derive(diesel::QueryableByName)]
struct Locked {
    #[diesel(sql_type = Bool)]
    locked: bool,
}

/// Inside a transaction: `true` when this process may run job `lock_id` now.
pub fn try_lock(conn: &mut DbConnection, lock_id: i64) -> Result<bool, DbError> {
    match conn {
        DbConnection::Sqlite(_) => Ok(true),
        DbConnection::Postgresql(pg) => {
            let row: Locked = diesel::sql_query("SELECT pg_try_advisory_xact_lock($1) AS locked")
                .bind::<BigInt, _>(lock_id)
                .get_result(pg)?;
            Ok(row.locked)
        }
    }
}

/// Advisory lock id held while a process migrates the database at start.
pub const MIGRATION_LOCK: i64 = 0x1F0_0002;

/// Runs `f` holding a session-level advisory lock on PostgreSQL, waiting for it: processes
/// started together on one database migrate it one after the other, and the later ones find
/// nothing left to do. On SQLite it just runs `f`.
pub fn exclusively<T>(
    conn: &mut DbConnection,
    lock_id: i64,
    f: impl FnOnce(&mut DbConnection) -> T,
) -> Result<T, DbError> {
    if matches!(conn, DbConnection::Sqlite(_)) {
        return Ok(f(conn));
    }
    if let DbConnection::Postgresql(pg) = conn {
        diesel::sql_query("SELECT pg_advisory_lock($1)")
            .bind::<BigInt, _>(lock_id)
            .execute(pg)?;
    }
    let result = f(conn);
    if let DbConnection::Postgresql(pg) = conn {
        diesel::sql_query("SELECT pg_advisory_unlock($1)")
            .bind::<BigInt, _>(lock_id)
            .execute(pg)?;
    }
    Ok(result)
}
