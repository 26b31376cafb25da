//! Organisation-wide key/value settings, and server secrets kept in the database.

use crate::error::DbError;
use crate::schema::settings;
use crate::DbConnection;
use diesel::prelude::*;

pub fn get(conn: &mut DbConnection, key: &str) -> Result<Option<String>, DbError> {
    Ok(settings::table
        .find(key)
        .select(settings::value)
        .first(conn)
        .optional()?)
}

/// Stores `value` under `key` unless a value is there already, and returns the stored one:
/// two servers starting at once agree on one value.
pub fn get_or_insert(conn: &mut DbConnection, key: &str, value: &str) -> Result<String, DbError> {
    if let Some(existing) = get(conn, key)? {
        return Ok(existing);
    }
    let inserted = diesel::insert_into(settings::table)
        .values((
            settings::key.eq(key),
            settings::value.eq(value),
            settings::updated_at.eq(ironfield_domain::time::now().naive_utc()),
        ))
        .execute(conn);
    match inserted.map_err(DbError::from) {
        Ok(_) => Ok(value.to_owned()),
        Err(DbError::UniqueViolation(_)) => get(conn, key)?.ok_or(DbError::NotFound),
        Err(other) => Err(other),
    }
}

pub fn put(conn: &mut DbConnection, key: &str, value: &str) -> Result<(), DbError> {
    let now = ironfield_domain::time::now().naive_utc();
    let updated = diesel::update(settings::table.find(key))
        .set((settings::value.eq(value), settings::updated_at.eq(now)))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(settings::table)
            .values((
                settings::key.eq(key),
                settings::value.eq(value),
                settings::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}
