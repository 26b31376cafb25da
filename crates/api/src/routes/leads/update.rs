use super::input::LeadUpdate;
use super::{check_owner, find_writable, lead_reply, Lead};
use crate::blocking;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{ApiJson, Caller, IfMatch};
use crate::reply::Reply;
use crate::routes::path_id;
use crate::services::leads::{save, LeadInput};
use crate::state::AppState;
use actix_web::{patch, web};
use ironfield_auth::policy;
use ironfield_domain::ids::{parse_id, LeadId, TeamId};
use ironfield_domain::{validation, Stage, ValidationErrors};
use ironfield_persistence::leads::LeadRow;
use ironfield_persistence::DbConnection;

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
        let current = find_writable(conn, &caller, &id)?;
        apply_update(conn, &caller, &current, input, if_match)
    })
    .await?;
    lead_reply(lead)
}

fn apply_update(
    conn: &mut DbConnection,
    caller: &Caller,
    current: &LeadRow,
    mut input: LeadInput,
    if_match: IfMatch,
) -> ApiResult<LeadRow> {
    let mut errors = ValidationErrors::new();
    let mut lead = current.clone();
    input.apply_facts(&mut lead, &mut errors);
    if input
        .owner_id
        .as_deref()
        .is_some_and(|id| parse_id(id).is_none())
    {
        errors.add("owner_id", "must be a UUID");
    }
    let team_id = input
        .team_id
        .as_deref()
        .and_then(|raw| errors.check("team_id", TeamId::parse(raw).ok_or("must be a UUID")));
    errors.into_result(())?;

    if let Some(to) = input.stage {
        current
            .stage
            .check_move(to)
            .map_err(|e| ApiError::new(ErrorCode::InvalidTransition, e.to_string()))?;
        lead.stage = to;
    }
    match (lead.stage, input.lost_reason.as_deref()) {
        (Stage::Lost, Some(reason)) => {
            lead.lost_reason = Some(
                validation::required_text(reason, 500)
                    .map_err(|m| ApiError::invalid_field("lost_reason", m))?,
            );
        }
        (Stage::Lost, None) if lead.lost_reason.is_none() => {
            return Err(ApiError::invalid_field(
                "lost_reason",
                "say why the lead was lost",
            ));
        }
        (Stage::Lost, None) => {}
        (_, Some(_)) => {
            return Err(ApiError::invalid_field(
                "lost_reason",
                "only a lost lead has a lost reason",
            ))
        }
        (_, None) => lead.lost_reason = None,
    }

    if let Some(owner_id) = input
        .owner_id
        .as_deref()
        .filter(|o| *o != current.owner_id.as_str())
    {
        if !policy::may_assign(&caller.principal, &caller.view, current.team_id.as_ref()) {
            return Err(ApiError::forbidden(
                "only a team lead or above may reassign a lead",
            ));
        }
        let owner = check_owner(conn, caller, owner_id)?;
        lead.owner_id = owner.id;
        lead.team_id = owner.team_id;
    }
    if let Some(team_id) = team_id.filter(|t| Some(t) != current.team_id.as_ref()) {
        if !policy::may_move_team(&caller.principal, &caller.view, Some(&team_id)) {
            return Err(ApiError::forbidden(
                "only a manager may move a lead to another team",
            ));
        }
        crate::services::users::check_team_reference(conn, caller, &team_id)?;
        lead.team_id = Some(team_id);
    }
    // Every check of the body comes first: a bad change is 422 (or 403) whatever the version,
    // and only a valid one can be stale.
    if_match.check(current.version)?;
    save(conn, caller, current, lead)
}
