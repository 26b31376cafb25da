//! Refuses a query string that carries a NUL character (`%00`) before any handler reads it.
//!
//! Query parameters reach database filters on every list, export and look-up; PostgreSQL
//! cannot hold NUL in text and would answer with an error (a 500, or a CSV stream cut off
//! after its 200). A NUL can only arrive percent-encoded, so one check at the edge covers every
//! endpoint, present and future.

use crate::error::ApiError;
use crate::extract::json::NUL_MESSAGE;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::ResponseError;

pub async fn refuse_nul_in_query<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    if req.query_string().contains("%00") {
        let response = ApiError::invalid_field("query", NUL_MESSAGE).error_response();
        return Ok(req.into_response(response).map_into_right_body());
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}
