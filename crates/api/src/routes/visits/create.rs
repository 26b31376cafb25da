use super::input::VisitInput;
use super::log::log;
use super::Visit;
use crate::error::ApiResult;
use crate::extract::{ApiJson, Caller, IdempotencyKey};
use crate::idempotency;
use crate::reply::Reply;
use crate::services::visits::Logged;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{post, web};

/// Log a visit
///
/// Logs one market-stall visit for the calling rep: on a lead, a seller account, or a new
/// stall captured inline (`new_lead`, with the lead duplicate rules). The phone may supply
/// the `id`: a repeat of a stored id answers 200 with the stored visit, so a request sent
/// three times over a flaky network is stored once; `Idempotency-Key` works too.
/// `business_date` is the day of `visited_at` in the organisation's time zone; a `visited_at`
/// more than 5 minutes in the future is 422, late syncs are fine. The location is evidence
/// only (`location_check`), never a reason to refuse. On a lead, the visit sets
/// `last_visit_at` and `next_follow_up_at` and moves a `new` or `contacted` lead to
/// `visited`, in the same transaction.
#[utoipa::path(
    tag = "visits",
    request_body = VisitInput,
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, pattern = r"^[!-~]{1,255}$", description = "Makes a retry safe: the same key and body from the same caller replay the first response (with `Idempotent-Replayed: true`) and create nothing; 1 to 255 visible ASCII characters, kept at least 24 hours")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created: the new visit", body = Visit, headers(("ETag" = String), ("Location" = String))),
        (status = 200, description = "The `id` was already stored: the stored visit", body = Visit),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 409, response = crate::spec_types::Conflict),
        (status = 413, response = crate::spec_types::PayloadTooLarge),
        (status = 422, response = crate::spec_types::IdempotencyKeyReused),
    )
)]
#[post("/visits")]
pub async fn log_visit(
    state: web::Data<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    body: ApiJson<VisitInput>,
) -> ApiResult<Reply> {
    let fingerprint = body.fingerprint().to_owned();
    let who = caller.clone();
    idempotency::run_once(&state.clone(), &who, key, &fingerprint, || async move {
        let (status, row) = match log(&state, &caller, body.into_inner(), false).await? {
            Logged::Created(row) => (StatusCode::CREATED, row),
            Logged::Existing(row) => (StatusCode::OK, row),
        };
        let location = format!("/api/v1/visits/{}", row.id);
        let version = row.version;
        let mut reply = Reply::json(status, &Visit::from(row)).versioned(version);
        reply.location = Some(location);
        Ok(reply)
    })
    .await
}
