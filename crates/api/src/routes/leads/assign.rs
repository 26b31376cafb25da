use super::{lead_reply, Lead};
use crate::blocking;
use crate::error::ApiResult;
use crate::extract::{ApiJson, Caller, IfMatch};
use crate::reply::Reply;
use crate::routes::path_id;
use crate::services::leads;
use crate::state::AppState;
use actix_web::{post, web};
use ironfield_domain::ids::LeadId;
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignLead {
    #[schema(format = Uuid)]
    pub owner_id: String,
}

/// Assign a lead
///
/// Hands the lead to another rep; it moves to the new owner's team. Team leads assign within
/// their team, managers within their branch; reps cannot (403). An archived lead cannot be
/// assigned (409 `conflict`).
#[utoipa::path(
    tag = "leads",
    params(
        ("id" = String, Path, format = Uuid, description = "Lead id"),
        ("If-Match" = Option<String>, Header, min_length = 1, description = "The `ETag` last read, e.g. `\"3\"` (or `*`): a write to a record whose version has moved on is 412 and changes nothing; an empty value is 422"),
    ),
    request_body = AssignLead,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The lead with its new owner", body = Lead, headers(("ETag" = String))),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 404, response = crate::spec_types::NotFound),
        (status = 409, response = crate::spec_types::Conflict),
        (status = 412, response = crate::spec_types::PreconditionFailed),
        (status = 413, response = crate::spec_types::PayloadTooLarge),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[post("/leads/{id}/assign")]
pub async fn assign_lead(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: ApiJson<AssignLead>,
) -> ApiResult<Reply> {
    let id: LeadId = path_id(&id, "lead")?;
    let owner_id = body.into_inner().owner_id;
    let lead = blocking::write(&state, move |conn| {
        leads::assign(conn, &caller, &id, &owner_id, &if_match)
    })
    .await?;
    lead_reply(lead)
}
