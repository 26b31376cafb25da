//! Changing a lead in place: a client's update of its fields, and handing it to another rep.

use super::{find_writable, save, LeadInput};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{Caller, IfMatch};
use crate::services::ownership::{check_id_field, check_owner, reassign};
use crate::services::users::check_team_reference;
use ironfield_auth::policy;
use ironfield_domain::ids::LeadId;
use ironfield_domain::{validation, Stage, ValidationErrors};
use ironfield_persistence::leads::LeadRow;
use ironfield_persistence::DbConnection;

/// Updates a lead with the fields sent: the facts, the stage by its rules (422
/// `invalid_transition`), the lost reason a lost lead needs, a new owner (a team lead or
/// above) and a new team (a manager), each refused with 403 otherwise. Every check of the
/// body comes before If-Match: a bad change is 422 (or 403) whatever the version, and only
/// a valid one can be stale (412). Runs in the caller's write transaction.
pub fn update(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &LeadId,
    mut input: LeadInput,
    if_match: &IfMatch,
) -> ApiResult<LeadRow> {
    let current = find_writable(conn, caller, id)?;
    let mut errors = ValidationErrors::new();
    let mut lead = current.clone();
    input.apply_facts(&mut lead, &mut errors);
    check_id_field(&mut errors, "owner_id", input.owner_id.as_deref());
    check_id_field(&mut errors, "team_id", input.team_id.as_deref());
    errors.into_result(())?;

    if let Some(to) = input.stage {
        current
            .stage
            .check_move(to)
            .map_err(|e| ApiError::new(ErrorCode::InvalidTransition, e.to_string()))?;
        lead.stage = to;
    }
    lead.lost_reason = lost_reason(&lead, input.lost_reason.as_deref())?;

    let owned = (&current.owner_id, current.team_id.as_deref());
    let refusal = "only a team lead or above may reassign a lead";
    if let Some(owner) = reassign(conn, caller, owned, input.owner_id.as_deref(), refusal)? {
        lead.owner_id = owner.id;
        lead.team_id = owner.team_id;
    }
    if let Some(team_id) = input
        .team_id
        .as_deref()
        .filter(|t| Some(*t) != current.team_id.as_deref())
    {
        if !policy::may_move_team(&caller.principal, &caller.view, Some(team_id)) {
            return Err(ApiError::forbidden(
                "only a manager may move a lead to another team",
            ));
        }
        check_team_reference(conn, caller, team_id)?;
        lead.team_id = Some(team_id.to_owned());
    }
    if_match.check(current.version)?;
    save(conn, caller, &current, lead)
}

/// The lost reason `lead` keeps at its (new) stage given the one `sent`: a lost lead needs
/// one (kept from before, or sent), any other lead has none.
fn lost_reason(lead: &LeadRow, sent: Option<&str>) -> ApiResult<Option<String>> {
    match (lead.stage, sent) {
        (Stage::Lost, Some(reason)) => validation::required_text(reason, 500)
            .map(Some)
            .map_err(|m| ApiError::invalid_field("lost_reason", m)),
        (Stage::Lost, None) if lead.lost_reason.is_none() => Err(ApiError::invalid_field(
            "lost_reason",
            "say why the lead was lost",
        )),
        (Stage::Lost, None) => Ok(lead.lost_reason.clone()),
        (_, Some(_)) => Err(ApiError::invalid_field(
            "lost_reason",
            "only a lost lead has a lost reason",
        )),
        (_, None) => Ok(None),
    }
}

/// Hands a lead to another rep, who must be an active user in a team the caller can see
/// (422); it moves to their team. Only a team lead or above of the lead's team assigns
/// (403). A bad owner is refused whatever the version: only a valid change can be stale
/// (412). Runs in the caller's write transaction.
pub fn assign(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &LeadId,
    owner_id: &str,
    if_match: &IfMatch,
) -> ApiResult<LeadRow> {
    let current = find_writable(conn, caller, id)?;
    if !policy::may_assign(&caller.principal, &caller.view, current.team_id.as_deref()) {
        return Err(ApiError::forbidden(
            "only a team lead or above may assign leads",
        ));
    }
    let owner = check_owner(conn, caller, owner_id)?;
    if_match.check(current.version)?;
    let mut lead = current.clone();
    lead.owner_id = owner.id;
    lead.team_id = owner.team_id;
    save(conn, caller, &current, lead)
}
