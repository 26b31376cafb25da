//! `If-Match` and `Idempotency-Key`.

use crate::error::ApiError;
use actix_web::dev::Payload;
use actix_web::http::header::HeaderName;
use actix_web::{FromRequest, HttpRequest};
use std::future::{ready, Ready};

pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// The version a write expects the record to be at, from `If-Match: "<version>"`.
///
/// `None` when the header is absent or `*`. A value that names no version can match no
/// record, so it is kept as `Some(-1)` and the write is refused with 412. An empty header
/// is no entity tag at all: 422 naming `If-Match`.
#[derive(Debug, Clone, Copy)]
pub struct IfMatch(pub Option<i64>);

impl IfMatch {
    /// Refuses with 412 unless the caller's expectation matches `current`.
    pub fn check(&self, current: i64) -> Result<(), ApiError> {
        match self.0 {
            Some(expected) if expected != current => Err(ApiError::precondition_failed()),
            _ => Ok(()),
        }
    }
}

fn parse_if_match(value: &str) -> Option<i64> {
    let value = value.trim();
    if value == "*" {
        return None;
    }
    // A list of entity tags matches if any one does; ours are strong, so ignore `W/`.
    let versions: Vec<i64> = value
        .split(',')
        .filter_map(|tag| {
            let tag = tag.trim().trim_start_matches("W/").trim_matches('"');
            tag.parse().ok()
        })
        .collect();
    Some(versions.first().copied().unwrap_or(-1))
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(value) = req.headers().get(actix_web::http::header::IF_MATCH) else {
            return ready(Ok(IfMatch(None)));
        };
        if value.as_bytes().trim_ascii().is_empty() {
            return ready(Err(ApiError::invalid_field(
                "If-Match",
                "must be the entity tag last read, e.g. \"3\", or *",
            )));
        }
        let expected = value.to_str().ok().and_then(parse_if_match).or(Some(-1));
        ready(Ok(IfMatch(expected)))
    }
}

/// The client's `Idempotency-Key`, if it sent one: 1 to 255 visible ASCII characters.
#[derive(Debug, Clone)]
pub struct IdempotencyKey(pub Option<String>);

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(raw) = req.headers().get(IDEMPOTENCY_KEY) else {
            return ready(Ok(IdempotencyKey(None)));
        };
        let valid = raw.to_str().ok().filter(|key| {
            (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
        });
        ready(match valid {
            Some(key) => Ok(IdempotencyKey(Some(key.to_owned()))),
            None => Err(ApiError::invalid_field(
                "Idempotency-Key",
                "must be 1 to 255 visible ASCII characters",
            )),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::parse_if_match;

    #[test]
    fn if_match_values() {
        assert_eq!(parse_if_match("\"3\""), Some(3));
        assert_eq!(parse_if_match("W/\"4\""), Some(4));
        assert_eq!(parse_if_match("7"), Some(7));
        assert_eq!(parse_if_match("*"), None);
        assert_eq!(parse_if_match("\"abc\""), Some(-1));
    }
}
