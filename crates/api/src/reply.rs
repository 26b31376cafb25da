//! Successful responses: a status, a JSON body, and for single records their `ETag`.

use actix_web::body::BoxBody;
use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse, Responder};
use serde::Serialize;

pub const IDEMPOTENT_REPLAYED: &str = "idempotent-replayed";

#[derive(Debug, Clone)]
pub struct Reply {
    pub status: StatusCode,
    pub body: String,
    pub content_type: &'static str,
    pub etag: Option<String>,
    pub location: Option<String>,
    pub replayed: bool,
}

impl Reply {
    pub fn json<T: Serialize>(status: StatusCode, body: &T) -> Self {
        Self {
            status,
            body: serde_json::to_string(body).unwrap_or_default(),
            content_type: "application/json",
            etag: None,
            location: None,
            replayed: false,
        }
    }

    pub fn ok<T: Serialize>(body: &T) -> Self {
        Self::json(StatusCode::OK, body)
    }

    pub fn created<T: Serialize>(body: &T, location: String) -> Self {
        let mut reply = Self::json(StatusCode::CREATED, body);
        reply.location = Some(location);
        reply
    }

    pub fn no_content() -> Self {
        Self {
            status: StatusCode::NO_CONTENT,
            body: String::new(),
            content_type: "application/json",
            etag: None,
            location: None,
            replayed: false,
        }
    }

    /// Marks the body as a record at `version`: `ETag: "<version>"`.
    pub fn versioned(mut self, version: i64) -> Self {
        self.etag = Some(format!("\"{version}\""));
        self
    }
}

impl Responder for Reply {
    type Body = BoxBody;

    fn respond_to(self, _req: &HttpRequest) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        if let Some(etag) = &self.etag {
            response.insert_header((header::ETAG, etag.as_str()));
        }
        if let Some(location) = &self.location {
            response.insert_header((header::LOCATION, location.as_str()));
        }
        if self.replayed {
            response.insert_header((IDEMPOTENT_REPLAYED, "true"));
        }
        if self.status == StatusCode::NO_CONTENT {
            return response.finish();
        }
        response.insert_header((header::CONTENT_TYPE, self.content_type));
        response.body(self.body)
    }
}
