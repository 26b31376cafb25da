use super::input::LeadCreate;
use super::Lead;
use crate::blocking;
use crate::error::ApiResult;
use crate::extract::{ApiJson, Caller, IdempotencyKey};
use crate::idempotency;
use crate::reply::Reply;
use crate::services::leads::{self as service, Created, LeadInput};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{post, web};
use ironfield_auth::Scope;
use ironfield_persistence::DbConnection;

/// Create a lead
///
/// Captures a prospective seller. The phone is normalised to E.164 (default region CN);
/// a second open lead or a seller account with the same phone, WeChat id or licence number,
/// or an open lead on the same market stall, is 409 `duplicate` naming the existing record
/// (its id only if the caller may see it). A client-supplied `id` that already exists
/// returns the stored lead with 200. The lead belongs to its owner's team.
#[utoipa::path(
    tag = "leads",
    request_body = LeadCreate,
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, pattern = r"^[!-~]{1,255}$", description = "Makes a retry safe: the same key and body from the same caller replay the first response (with `Idempotent-Replayed: true`) and create nothing; 1 to 255 visible ASCII characters, kept at least 24 hours")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created: the new lead", body = Lead, headers(("ETag" = String), ("Location" = String))),
        (status = 200, description = "The `id` was already stored: the stored lead", body = Lead),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 409, response = crate::spec_types::Conflict),
        (status = 413, response = crate::spec_types::PayloadTooLarge),
        (status = 422, response = crate::spec_types::IdempotencyKeyReused),
    )
)]
#[post("/leads")]
pub async fn create_lead(
    state: web::Data<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    body: ApiJson<LeadCreate>,
) -> ApiResult<Reply> {
    caller.require_scope(Scope::LeadsWrite)?;
    idempotency::create_once(state, caller, key, body, |state, caller, body| async move {
        let input = LeadInput::from(body);
        blocking::write(&state, move |conn| create(conn, &caller, input)).await
    })
    .await
}

/// Creates a lead and answers with it (201), or with the stored one (200) for a repeated id.
fn create(conn: &mut DbConnection, caller: &Caller, input: LeadInput) -> ApiResult<Reply> {
    match service::create(conn, caller, input)? {
        Created::New(lead) => {
            let location = format!("/api/v1/leads/{}", lead.id);
            let version = lead.version;
            Ok(Reply::created(&Lead::try_from(lead)?, location).versioned(version))
        }
        Created::Existing(lead) => {
            let version = lead.version;
            Ok(Reply::json(StatusCode::OK, &Lead::try_from(lead)?).versioned(version))
        }
    }
}
