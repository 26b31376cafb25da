//! JSON bodies: at most 1 MiB (413 beyond), unknown fields refused, and every error naming
//! the field it is about.

use super::strict::Strict;
pub use super::strict::NUL_MESSAGE;
use crate::error::{ApiError, ErrorCode};
use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

/// The largest request body accepted.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A parsed JSON body, with a fingerprint of the request for Idempotency-Key checks.
pub struct ApiJson<T> {
    pub value: T,
    fingerprint: String,
}

impl<T> ApiJson<T> {
    pub fn into_inner(self) -> T {
        self.value
    }

    /// SHA-256 over method, path and raw body: "the same request" for idempotency.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = web::Bytes::from_request(req, payload);
        let method = req.method().to_string();
        let path = req.path().to_owned();
        Box::pin(async move {
            let bytes = body.await.map_err(body_error)?;
            let value = parse(&bytes)?;
            let mut hasher = Sha256::new();
            hasher.update(method.as_bytes());
            hasher.update(b" ");
            hasher.update(path.as_bytes());
            hasher.update(b"\n");
            hasher.update(&bytes);
            Ok(ApiJson {
                value,
                fingerprint: hex::encode(hasher.finalize()),
            })
        })
    }
}

/// A raw request body for handlers that parse it themselves (an optional body, a form or
/// JSON): limited like JSON bodies, and a body over the limit is a 413 problem document.
pub struct RawBody(pub web::Bytes);

impl FromRequest for RawBody {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move { body.await.map(RawBody).map_err(body_error) })
    }
}

pub(crate) fn body_error(error: actix_web::Error) -> ApiError {
    match error.as_error::<PayloadError>() {
        Some(PayloadError::Overflow) => ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("request bodies are limited to {MAX_BODY_BYTES} bytes"),
        ),
        _ => ApiError::invalid_field(
            "body",
            format!("the request body could not be read: {error}"),
        ),
    }
}

/// Parses a JSON body into `T`, naming the offending field on failure.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::invalid_field("body", "a JSON body is required"));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = deserialize_strictly(&mut deserializer)?;
    deserializer
        .end()
        .map_err(|e| ApiError::invalid_field("body", e.to_string()))?;
    Ok(value)
}

/// Parses an `application/x-www-form-urlencoded` body into `T`, held to the same rules as
/// JSON (no NUL, every error naming its field).
pub fn parse_form<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    deserialize_strictly(serde_urlencoded::Deserializer::new(form_urlencoded::parse(
        bytes,
    )))
}

/// Deserializes through [`Strict`] (objects only, no NUL) while tracking the path of the
/// value that failed.
fn deserialize_strictly<'de, D, T>(deserializer: D) -> Result<T, ApiError>
where
    D: serde::Deserializer<'de>,
    D::Error: std::fmt::Display,
    T: serde::Deserialize<'de>,
{
    let mut track = serde_path_to_error::Track::new();
    let tracked = serde_path_to_error::Deserializer::new(deserializer, &mut track);
    T::deserialize(Strict(tracked)).map_err(|error| {
        let path = track.path().to_string();
        let message = error.to_string();
        // The path already ends in the unknown field's name, except at the root.
        let field = match unknown_field_name(&message) {
            Some(name) if path == "." => name.to_owned(),
            _ if path == "." || path == "?" => "body".to_owned(),
            _ => path,
        };
        ApiError::invalid_field(field, message)
    })
}

/// serde reports `unknown field `name`, expected ...`.
fn unknown_field_name(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split('`').next()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only whether it parses is tested")]
    struct Inner {
        lat: f64,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only whether it parses is tested")]
    struct Outer {
        name: String,
        location: Option<Inner>,
    }

    fn field_of(json: &str) -> String {
        parse::<Outer>(json.as_bytes()).unwrap_err().errors[0]
            .field
            .clone()
    }

    #[test]
    fn errors_name_the_field() {
        assert_eq!(field_of(r#"{"name": "a", "nmae": "b"}"#), "nmae");
        assert_eq!(
            field_of(r#"{"name": "a", "location": {"lat": 1, "lng": 2}}"#),
            "location.lng"
        );
        assert_eq!(field_of(r#"{"name": 5}"#), "name");
        assert_eq!(
            field_of(r#"{"name": "a", "location": {"lat": "x"}}"#),
            "location.lat"
        );
        assert_eq!(field_of(""), "body");
        assert_eq!(field_of("{"), "body");
        assert_eq!(field_of(r#"{"name": "a"} trailing"#), "body");
    }

    #[test]
    fn structs_are_read_only_from_objects() {
        assert_eq!(field_of(r#"["a"]"#), "body");
        assert_eq!(field_of(r#"{"name": "a", "location": [1.5]}"#), "location");
        assert!(parse::<Outer>(br#"{"name": "a", "location": {"lat": 1.5}}"#).is_ok());
    }

    #[test]
    fn text_with_nul_is_refused_where_it_stands() {
        assert_eq!(field_of(r#"{"name": "a\u0000b"}"#), "name");
        let error = parse::<Outer>(br#"{"name": "a\u0000b"}"#).unwrap_err();
        assert!(error.errors[0].message.contains("NUL"), "{error:?}");
    }

    #[test]
    fn forms_follow_the_same_rules() {
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        #[expect(dead_code, reason = "only whether it parses is tested")]
        struct Form {
            client_id: String,
        }
        assert!(parse_form::<Form>(b"client_id=abc").is_ok());
        let error = parse_form::<Form>(b"client_id=a%00b").unwrap_err();
        assert_eq!(error.errors[0].field, "client_id");
        let error = parse_form::<Form>(b"client_id=a&extra=1").unwrap_err();
        assert_eq!(error.errors[0].field, "extra");
    }
}
