use super::input::LeadUpdate;
use super::{lead_reply, Lead};
use crate::blocking;
use crate::error::ApiResult;
use crate::extract::{ApiJson, Caller, IfMatch};
use crate::reply::Reply;
use crate::routes::path_id;
use crate::services::leads::{self, LeadInput};
use crate::state::AppState;
use actix_web::{patch, web};
use ironfield_domain::ids::LeadId;

/// Update a lead
///
/// Changes the fields sent (`null` clears one). `stage` moves by the rules: forward through
/// `new, contacted, visited, negotiating` (skips allowed), any open stage to `lost` with a
/// `lost_reason`, `lost` back to `contacted`; `won` only by conversion. Any other move is 422
/// `invalid_transition`. A rep changes only their own leads; reassigning (`owner_id`) needs a
/// team lead, moving team (`team_id`) a manager: otherwise 403 and nothing changes. Honours
/// `If-Match` (412).
#[utoipa::path(
    tag = "leads",
    params(
        ("id" = String, Path, format = Uuid, description = "Lead id"),
        ("If-Match" = Option<String>, Header, min_length = 1, description = "The `ETag` last read, e.g. `\"3\"` (or `*`): a write to a record whose version has moved on is 412 and changes nothing; an empty value is 422"),
    ),
    request_body = LeadUpdate,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The lead as changed", body = Lead, headers(("ETag" = String))),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 404, response = crate::spec_types::NotFound),
        (status = 409, response = crate::spec_types::Conflict),
        (status = 412, response = crate::spec_types::PreconditionFailed),
        (status = 413, response = crate::spec_types::PayloadTooLarge),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[patch("/leads/{id}")]
pub async fn update_lead(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: ApiJson<LeadUpdate>,
) -> ApiResult<Reply> {
    let id: LeadId = path_id(&id, "lead")?;
    let input = LeadInput::from(body.into_inner());
    let lead = blocking::write(&state, move |conn| {
        leads::update(conn, &caller, &id, input, &if_match)
    })
    .await?;
    lead_reply(lead)
}
