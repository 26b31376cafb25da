//! One error shape for the whole API: a table of stable codes, each with its HTTP status and
//! title, rendered once as `application/problem+json` (RFC 9457).

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use ironfield_domain::{FieldError, ValidationErrors};
use ironfield_persistence::DbError;
use serde::Serialize;
use utoipa::ToSchema;

/// The stable machine code of an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    ValidationFailed,
    NotFound,
    MethodNotAllowed,
    Unauthorized,
    Forbidden,
    Conflict,
    Duplicate,
    InvalidTransition,
    PreconditionFailed,
    IdempotencyKeyReused,
    PayloadTooLarge,
    RateLimited,
    Unavailable,
    InsufficientStorage,
    Internal,
}

impl ErrorCode {
    /// The code table: HTTP status and human title of each code.
    pub fn describe(self) -> (StatusCode, &'static str, &'static str) {
        use ErrorCode::*;
        match self {
            ValidationFailed => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "The request is not valid",
            ),
            NotFound => (StatusCode::NOT_FOUND, "not_found", "Not found"),
            MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "Method not allowed",
            ),
            Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Authentication required",
            ),
            Forbidden => (StatusCode::FORBIDDEN, "forbidden", "Not allowed"),
            Conflict => (
                StatusCode::CONFLICT,
                "conflict",
                "Conflict with the current state",
            ),
            Duplicate => (
                StatusCode::CONFLICT,
                "duplicate",
                "A matching record already exists",
            ),
            InvalidTransition => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_transition",
                "That change of stage is not allowed",
            ),
            PreconditionFailed => (
                StatusCode::PRECONDITION_FAILED,
                "precondition_failed",
                "The record has changed",
            ),
            IdempotencyKeyReused => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "The Idempotency-Key was used with another request",
            ),
            PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "The request body is too large",
            ),
            RateLimited => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "Too many requests",
            ),
            Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "Service unavailable",
            ),
            InsufficientStorage => (
                StatusCode::INSUFFICIENT_STORAGE,
                "insufficient_storage",
                "The database has no space left",
            ),
            Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal server error",
            ),
        }
    }

    pub fn status(self) -> StatusCode {
        self.describe().0
    }

    pub fn as_str(self) -> &'static str {
        self.describe().1
    }
}

/// The detail of a request cut off by a lost database connection: the client cannot know
/// whether it was stored, and every write here is replay-safe.
pub const CONNECTION_LOST: &str = "the database connection was lost during the request, so it \
may or may not have been stored; retrying it with the same id or Idempotency-Key is safe";

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:ironfield:problem:validation_failed",
    "title": "The request is not valid",
    "status": 422,
    "detail": "email: must be an e-mail address",
    "code": "validation_failed",
    "errors": [{"field": "email", "message": "must be an e-mail address"}]
}))]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub code: ErrorCode,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<ProblemField>)]
    pub errors: Vec<FieldError>,
    /// Extra facts for some codes, e.g. the existing record of a `duplicate`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub existing: Option<serde_json::Value>,
}

/// One bad field of a `validation_failed` error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemField {
    /// The field's path in the request, e.g. `location.lat` or `visits[3].visited_at`.
    pub field: String,
    pub message: String,
}

/// An error on its way to becoming a problem response.
#[derive(Debug, thiserror::Error)]
#[error("{code:?}: {detail}")]
pub struct ApiError {
    pub code: ErrorCode,
    pub detail: String,
    pub errors: Vec<FieldError>,
    pub existing: Option<serde_json::Value>,
    pub retry_after_secs: Option<u64>,
    /// The cause of a server-side failure: logged, never sent.
    #[source]
    pub cause: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl ApiError {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
            errors: Vec::new(),
            existing: None,
            retry_after_secs: None,
            cause: None,
        }
    }

    pub fn validation(errors: ValidationErrors) -> Self {
        let mut error = Self::new(ErrorCode::ValidationFailed, errors.to_string());
        error.errors = errors.0;
        error
    }

    pub fn invalid_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::validation(ValidationErrors::single(field, message))
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} not found"))
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthorized, detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, detail)
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, detail)
    }

    pub fn precondition_failed() -> Self {
        Self::new(
            ErrorCode::PreconditionFailed,
            "the record was changed since the version in If-Match; read it again and retry",
        )
    }

    pub fn rate_limited(retry_after_secs: u64) -> Self {
        let mut error = Self::new(
            ErrorCode::RateLimited,
            format!("too many attempts; retry after {retry_after_secs} seconds"),
        );
        error.retry_after_secs = Some(retry_after_secs);
        error
    }

    pub fn internal(cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        let mut error = Self::new(
            ErrorCode::Internal,
            "the server failed to handle the request",
        );
        error.cause = Some(Box::new(cause));
        error
    }

    /// A passing fault of the database: 503 `unavailable` with `Retry-After: 1`.
    pub fn unavailable(
        detail: impl Into<String>,
        cause: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        let mut error = Self::new(ErrorCode::Unavailable, detail);
        error.retry_after_secs = Some(1);
        error.cause = Some(Box::new(cause));
        error
    }

    /// The database stopped answering while the request waited for it.
    pub fn database_unreachable() -> Self {
        Self::unavailable(
            CONNECTION_LOST,
            DbError::Unavailable("the database does not answer".into()),
        )
    }

    /// A record the caller cannot see, named in a request body, is a bad field there (422);
    /// any other failure (the database, a missing scope) stays what it is.
    pub fn not_found_as_invalid(self, field: &str, message: &str) -> Self {
        if self.code == ErrorCode::NotFound {
            ApiError::invalid_field(field, message)
        } else {
            self
        }
    }

    pub fn with_existing(mut self, existing: serde_json::Value) -> Self {
        self.existing = Some(existing);
        self
    }

    pub fn problem(&self) -> Problem {
        let (status, code, title) = self.code.describe();
        Problem {
            type_uri: format!("urn:ironfield:problem:{code}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: self.detail.clone(),
            code: self.code,
            errors: self.errors.clone(),
            existing: self.existing.clone(),
        }
    }
}

impl From<DbError> for ApiError {
    fn from(error: DbError) -> Self {
        match error {
            DbError::NotFound => ApiError::new(ErrorCode::NotFound, "not found"),
            DbError::Unavailable(_) => ApiError::unavailable(
                "the database is unavailable; nothing was stored; retry shortly",
                error,
            ),
            DbError::Busy(_) => ApiError::unavailable(
                "the database is busy with other writes; nothing was stored; retry shortly",
                error,
            ),
            DbError::ConnectionLost(_) => ApiError::unavailable(CONNECTION_LOST, error),
            DbError::Full(_) => {
                let mut api = ApiError::new(
                    ErrorCode::InsufficientStorage,
                    "the database has no space left, so nothing was stored; reads still work. \
                     An operator must free disk space (or raise the database's size limit)",
                );
                api.retry_after_secs = Some(60);
                api.cause = Some(Box::new(error));
                api
            }
            other => ApiError::internal(other),
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> Self {
        ApiError::from(DbError::from(error))
    }
}

impl From<ValidationErrors> for ApiError {
    fn from(errors: ValidationErrors) -> Self {
        ApiError::validation(errors)
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        ApiError::internal(error)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.code.status()
    }

    fn error_response(&self) -> HttpResponse {
        if self.code == ErrorCode::Internal || self.code == ErrorCode::Unavailable {
            let cause = self
                .cause
                .as_ref()
                .map(|c| format!("{c:#}"))
                .unwrap_or_default();
            if self.code == ErrorCode::Internal {
                tracing::error!(code = self.code.as_str(), %cause, "request failed on the server");
            } else {
                tracing::warn!(code = self.code.as_str(), %cause, "request refused: the database is unavailable");
            }
        }
        problem_response(self)
    }
}

/// Renders an error as its problem+json response.
pub fn problem_response(error: &ApiError) -> HttpResponse {
    let mut response = HttpResponse::build(error.code.status());
    response.insert_header((header::CONTENT_TYPE, "application/problem+json"));
    if error.code == ErrorCode::Unauthorized {
        response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
    }
    if let Some(seconds) = error.retry_after_secs {
        response.insert_header((header::RETRY_AFTER, seconds.to_string()));
    }
    response.body(serde_json::to_string(&error.problem()).unwrap_or_default())
}

pub type ApiResult<T> = Result<T, ApiError>;
