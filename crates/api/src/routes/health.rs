//! Liveness, readiness and metrics.

use crate::blocking;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::metrics::Metrics;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use ironfield_persistence::DbError;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(live).service(ready).service(metrics);
}

/// The answer of the health checks. (Named `HealthStatus` in the spec: `Health` is an
/// account's health there.)
#[derive(Serialize, ToSchema)]
#[schema(as = HealthStatus)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Liveness
///
/// Answers 200 while the process is up; it checks nothing else.
#[utoipa::path(tag = "operations", security(()), responses((status = 200, description = "The process is up", body = Health)))]
#[get("/health/live")]
async fn live() -> web::Json<Health> {
    web::Json(Health { status: "ok" })
}

/// Readiness
///
/// Answers 200 when the database answers a query and has room to write; else 503 with a
/// `detail` saying which (unreachable, busy, or out of space).
#[utoipa::path(
    tag = "operations",
    security(()),
    responses((status = 200, description = "The database answers", body = Health), (status = 503, response = crate::spec_types::Unavailable))
)]
#[get("/health/ready")]
async fn ready(state: web::Data<AppState>) -> ApiResult<web::Json<Health>> {
    if state.db.is_full() {
        let mut error = ApiError::new(
            ErrorCode::Unavailable,
            "the database has no space left: writes are refused until an operator frees disk space",
        );
        error.retry_after_secs = Some(60);
        return Err(error);
    }
    blocking::read(&state, |conn| {
        use diesel::connection::SimpleConnection;
        conn.batch_execute("SELECT 1")
            .map_err(|e| match DbError::from(e) {
                DbError::Query(e) => DbError::Unavailable(e.to_string()),
                other => other,
            })?;
        Ok(())
    })
    .await?;
    Ok(web::Json(Health { status: "ok" }))
}

/// Prometheus metrics
///
/// Requests by route, method and status; request latency histogram; database pool use.
#[utoipa::path(
    tag = "operations",
    security(()),
    responses((status = 200, description = "Prometheus text exposition format", content_type = "text/plain", body = String))
)]
#[get("/metrics")]
async fn metrics(state: web::Data<AppState>, metrics: web::Data<Metrics>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(metrics.render(&state.db))
}
