//! The directory's version: one number that moves whenever a user, a service account, a team
//! or a setting changes (database triggers move it, in the writing transaction). A server
//! keeps those records in memory and reads this number once per request instead: the same
//! number means the same records, in this process and in every other one.

use crate::error::DbError;
use crate::schema::directory_version;
use crate::DbConnection;
use diesel::prelude::*;

/// The directory's current version. Its one row is made by the migration; without it no
/// request can be answered safely, so its absence is a query failure (a logged 500), not
/// "not found".
pub fn version(conn: &mut DbConnection) -> Result<i64, DbError> {
    directory_version::table
        .find(1_i64)
        .select(directory_version::value)
        .first(conn)
        .optional()?
        .ok_or(DbError::Query(diesel::result::Error::NotFound))
}
