//! `X-Request-Id`: taken from the caller when it sent a sensible one, made up otherwise, put
//! on the request's tracing span (so every log line of the request carries it) and echoed on
//! every response.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{Error, HttpMessage};
use tracing::Span;
use tracing_actix_web::RootSpanBuilder;

pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

#[derive(Debug, Clone)]
pub struct RequestId(pub String);

impl RequestId {
    fn for_request(request: &ServiceRequest) -> RequestId {
        let supplied = request
            .headers()
            .get(X_REQUEST_ID)
            .and_then(|value| value.to_str().ok())
            .filter(|id| {
                (1..=128).contains(&id.len())
                    && id
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
            });
        RequestId(
            supplied
                .map(str::to_owned)
                .unwrap_or_else(|| uuid::Uuid::now_v7().to_string()),
        )
    }
}

/// The root span of every request, carrying its request id.
pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let request_id = RequestId::for_request(request);
        let span = tracing::info_span!(
            "request",
            request_id = %request_id.0,
            method = %request.method(),
            path = %request.path(),
            caller = tracing::field::Empty,
            status = tracing::field::Empty,
        );
        request.extensions_mut().insert(request_id);
        span
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        let status = match outcome {
            Ok(response) => response.status(),
            Err(error) => error.as_response_error().status_code(),
        };
        span.record("status", status.as_u16());
        let _entered = span.enter();
        if status.is_server_error() {
            tracing::warn!(status = status.as_u16(), "request finished");
        } else {
            tracing::info!(status = status.as_u16(), "request finished");
        }
    }
}

/// Copies the request id onto the response.
pub fn echo_header<B>(mut response: ServiceResponse<B>) -> ServiceResponse<B> {
    let id = response.request().extensions().get::<RequestId>().cloned();
    if let Some(value) = id.and_then(|id| HeaderValue::from_str(&id.0).ok()) {
        response.headers_mut().insert(X_REQUEST_ID, value);
    }
    response
}
