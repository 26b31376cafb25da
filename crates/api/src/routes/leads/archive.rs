use super::{audit, find_visible};
use crate::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, IfMatch};
use crate::reply::Reply;
use crate::routes::path_id;
use crate::state::AppState;
use actix_web::{delete, web};
use ironfield_auth::{policy, Scope};
use ironfield_domain::ids::LeadId;
use ironfield_domain::time::now;
use ironfield_persistence::TeamScope;

/// Archive a lead
///
/// Takes the lead out of lists (`archived=true` brings it back into view) and out of
/// duplicate checks; its history stays. Archiving an archived lead changes nothing. Honours
/// `If-Match` (412).
#[utoipa::path(
    tag = "leads",
    params(
        ("id" = String, Path, format = Uuid, description = "Lead id"),
        ("If-Match" = Option<String>, Header, min_length = 1, description = "The `ETag` last read, e.g. `\"3\"` (or `*`): a write to a record whose version has moved on is 412 and changes nothing; an empty value is 422"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Archived"),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 404, response = crate::spec_types::NotFound),
        (status = 412, response = crate::spec_types::PreconditionFailed),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[delete("/leads/{id}")]
pub async fn archive_lead(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
) -> ApiResult<Reply> {
    caller.require_scope(Scope::LeadsWrite)?;
    let id: LeadId = path_id(&id, "lead")?;
    blocking::write(&state, move |conn| {
        let current = find_visible(conn, &caller, &id)?;
        if !policy::may_write_record(
            &caller.principal,
            &caller.view,
            &current.owner_id,
            current.team_id.as_ref(),
        ) {
            return Err(ApiError::forbidden(
                "only the lead's owner or their team lead may archive it",
            ));
        }
        if_match.check(current.version)?;
        if current.archived_at.is_some() {
            return Ok(());
        }
        let at = now().naive_utc();
        let mut lead = current.clone();
        lead.archived_at = Some(at);
        lead.updated_at = at;
        if !ironfield_persistence::leads::save(conn, &lead)? {
            return Err(ApiError::precondition_failed());
        }
        let mut changes = ironfield_persistence::audit::ChangeSet::new();
        changes.field("archived_at", &current.archived_at, &lead.archived_at);
        audit(conn, &caller, &lead.id, "archived", changes, at)?;
        let stored = ironfield_persistence::leads::find(conn, &TeamScope::everything(), &lead.id)?;
        crate::events::writes::lead_saved(conn, &caller, &current, &stored, at)
    })
    .await?;
    Ok(Reply::no_content())
}
