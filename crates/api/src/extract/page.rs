//! Query-string helpers shared by every list.

use crate::error::ApiError;
use chrono::{DateTime, NaiveDateTime};
use ironfield_persistence::pagination::{DEFAULT_LIMIT, MAX_LIMIT};
use ironfield_persistence::{Cursor, PageRequest};

/// Validates `limit` (1..=200, default 50) and decodes `cursor`.
pub fn page_request(limit: Option<i64>, cursor: Option<&str>) -> Result<PageRequest, ApiError> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::invalid_field(
            "limit",
            format!("must be between 1 and {MAX_LIMIT}"),
        ));
    }
    let after = cursor
        .filter(|c| !c.is_empty())
        .map(Cursor::decode)
        .transpose()
        .map_err(|e| ApiError::invalid_field("cursor", e.to_string()))?;
    Ok(PageRequest { limit, after })
}

/// Parses an RFC 3339 query parameter into a stored (UTC) timestamp.
pub fn parse_time(field: &str, value: &str) -> Result<NaiveDateTime, ApiError> {
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.naive_utc())
        .map_err(|_| {
            ApiError::invalid_field(
                field,
                "must be an RFC 3339 time, e.g. 2026-11-01T08:30:00+08:00",
            )
        })
}
