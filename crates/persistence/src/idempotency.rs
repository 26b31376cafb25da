//! The Idempotency-Key store. A key is claimed by inserting a pending row (the primary key
//! makes two concurrent claims resolve to one winner), then completed with the response.

use crate::error::DbError;
use crate::schema::idempotency_keys;
use crate::{DbConnection, Timestamp};
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = idempotency_keys)]
pub struct IdempotencyRow {
    pub caller_id: String,
    pub idem_key: String,
    pub fingerprint: String,
    pub status: Option<i64>,
    pub response_body: Option<String>,
    pub response_etag: Option<String>,
    pub response_location: Option<String>,
    pub created_at: Timestamp,
}

/// The stored response of a completed request.
#[derive(Debug, Clone)]
pub struct StoredResponse {
    pub status: i64,
    pub body: String,
    pub etag: Option<String>,
    pub location: Option<String>,
}

/// Tries to claim `key` for `caller`; `true` when this request is the first.
pub fn claim(
    conn: &mut DbConnection,
    caller: &str,
    key: &str,
    fingerprint: &str,
    now: Timestamp,
) -> Result<bool, DbError> {
    let inserted = diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::caller_id.eq(caller),
            idempotency_keys::idem_key.eq(key),
            idempotency_keys::fingerprint.eq(fingerprint),
            idempotency_keys::created_at.eq(now),
        ))
        .execute(conn);
    match inserted.map_err(DbError::from) {
        Ok(_) => Ok(true),
        Err(DbError::UniqueViolation(_)) => Ok(false),
        Err(other) => Err(other),
    }
}

pub fn find(
    conn: &mut DbConnection,
    caller: &str,
    key: &str,
) -> Result<Option<IdempotencyRow>, DbError> {
    Ok(idempotency_keys::table
        .find((caller, key))
        .select(IdempotencyRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn complete(
    conn: &mut DbConnection,
    caller: &str,
    key: &str,
    response: &StoredResponse,
) -> Result<(), DbError> {
    diesel::update(idempotency_keys::table.find((caller, key)))
        .set((
            idempotency_keys::status.eq(response.status),
            idempotency_keys::response_body.eq(&response.body),
            idempotency_keys::response_etag.eq(&response.etag),
            idempotency_keys::response_location.eq(&response.location),
        ))
        .execute(conn)?;
    Ok(())
}

/// Gives a key up (the request failed on the server's side), so a retry can run afresh.
pub fn release(conn: &mut DbConnection, caller: &str, key: &str) -> Result<(), DbError> {
    diesel::delete(
        idempotency_keys::table
            .find((caller, key))
            .filter(idempotency_keys::status.is_null()),
    )
    .execute(conn)?;
    Ok(())
}

/// Forgets keys claimed before `cutoff`.
pub fn purge_before(conn: &mut DbConnection, cutoff: Timestamp) -> Result<usize, DbError> {
    Ok(
        diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(cutoff)))
            .execute(conn)?,
    )
}
