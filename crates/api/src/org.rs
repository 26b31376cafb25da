//! Organisation-wide settings that other endpoints depend on, read from one place.

use crate::error::{ApiError, ApiResult};
use chrono_tz::Tz;
use ironfield_domain::time::DEFAULT_TIMEZONE;
use ironfield_persistence::{settings, DbConnection};

pub const TIMEZONE_KEY: &str = "timezone";

/// The organisation's time zone (default Asia/Shanghai): calendar days and months are
/// counted in it.
pub fn timezone(conn: &mut DbConnection) -> ApiResult<Tz> {
    match settings::get(conn, TIMEZONE_KEY)? {
        Some(name) => name
            .parse()
            .map_err(|_| ApiError::internal(BadStoredTimezone(name))),
        None => Ok(DEFAULT_TIMEZONE),
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the stored time zone `{0}` is not an IANA name")]
struct BadStoredTimezone(String);
