//! The two webhook settings, read from the database each time they matter, so a change made
//! through any server process holds in every process at once.

use super::ssrf::Policy;
use crate::error::ApiResult;
use ironfield_persistence::{settings, DbConnection};

pub const ALLOW_HTTP_KEY: &str = "webhook_allow_http";
pub const ALLOW_PRIVATE_KEY: &str = "webhook_allow_private";

pub fn policy(conn: &mut DbConnection) -> ApiResult<Policy> {
    Ok(Policy {
        allow_http: flag(conn, ALLOW_HTTP_KEY)?,
        allow_private: flag(conn, ALLOW_PRIVATE_KEY)?,
    })
}

fn flag(conn: &mut DbConnection, key: &str) -> ApiResult<bool> {
    Ok(settings::get(conn, key)?.as_deref() == Some("true"))
}

pub fn put(conn: &mut DbConnection, key: &str, value: bool) -> ApiResult<()> {
    settings::put(conn, key, if value { "true" } else { "false" })?;
    Ok(())
}
