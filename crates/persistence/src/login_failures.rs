//! Failed sign-ins counted per key in a fixed window, in the database so that every server
//! process on it shares one count. Each statement is atomic on its own (no transaction: a
//! PostgreSQL transaction would be spoilt by the insert that loses a race).

use crate::error::DbError;
use crate::schema::login_failures;
use crate::{DbConnection, Timestamp};
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = login_failures)]
pub struct FailureWindow {
    pub key: String,
    pub failures: i64,
    pub window_start: Timestamp,
}

/// The current windows of `keys` (windows that started before `since` are over and left out).
pub fn current(
    conn: &mut DbConnection,
    keys: &[&str],
    since: Timestamp,
) -> Result<Vec<FailureWindow>, DbError> {
    Ok(login_failures::table
        .filter(login_failures::key.eq_any(keys))
        .filter(login_failures::window_start.gt(since))
        .select(FailureWindow::as_select())
        .load(conn)?)
}

/// Counts one failure for `key`: a window that started at or before `stale_before` starts
/// afresh at `now`. Returns the window after counting.
pub fn record(
    conn: &mut DbConnection,
    key: &str,
    now: Timestamp,
    stale_before: Timestamp,
) -> Result<FailureWindow, DbError> {
    diesel::update(
        login_failures::table
            .filter(login_failures::key.eq(key))
            .filter(login_failures::window_start.le(stale_before)),
    )
    .set((
        login_failures::failures.eq(0_i64),
        login_failures::window_start.eq(now),
    ))
    .execute(conn)?;
    for _ in 0..2 {
        let counted = diesel::update(login_failures::table.filter(login_failures::key.eq(key)))
            .set(login_failures::failures.eq(login_failures::failures + 1_i64))
            .get_result::<(String, i64, Timestamp)>(conn)
            .optional()?;
        if let Some((key, failures, window_start)) = counted {
            return Ok(FailureWindow {
                key,
                failures,
                window_start,
            });
        }
        let inserted = diesel::insert_into(login_failures::table)
            .values((
                login_failures::key.eq(key),
                login_failures::failures.eq(1_i64),
                login_failures::window_start.eq(now),
            ))
            .execute(conn)
            .map_err(DbError::from);
        match inserted {
            Ok(_) => {
                return Ok(FailureWindow {
                    key: key.to_owned(),
                    failures: 1,
                    window_start: now,
                })
            }
            // Another process counted the first failure at the same moment: count on it.
            Err(DbError::UniqueViolation(_)) => continue,
            Err(other) => return Err(other),
        }
    }
    Err(DbError::Unavailable(
        "the login failure count kept changing".into(),
    ))
}

/// Forgets windows that started before `cutoff`.
pub fn purge_before(conn: &mut DbConnection, cutoff: Timestamp) -> Result<usize, DbError> {
    Ok(
        diesel::delete(login_failures::table.filter(login_failures::window_start.lt(cutoff)))
            .execute(conn)?,
    )
}
