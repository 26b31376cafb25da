use super::{check_owner, find_writable, lead_reply, Lead};
use crate::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Caller, IfMatch};
use crate::reply::Reply;
use crate::routes::path_id;
use crate::services::leads::save;
use crate::state::AppState;
use actix_web::{post, web};
use ironfield_auth::policy;
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
        let current = find_writable(conn, &caller, &id)?;
        if !policy::may_assign(&caller.principal, &caller.view, current.team_id.as_ref()) {
            return Err(ApiError::forbidden(
                "only a team lead or above may assign leads",
            ));
        }
        let owner = check_owner(conn, &caller, &owner_id)?;
        // A bad owner is 422 whatever the version: only a valid change can be stale.
        if_match.check(current.version)?;
        let mut lead = current.clone();
        lead.owner_id = owner.id;
        lead.team_id = owner.team_id;
        save(conn, &caller, &current, lead)
    })
    .await?;
    lead_reply(lead)
}
