use crate::blocking;
use crate::error::ApiResult;
use crate::extract::{Caller, IfMatch};
use crate::reply::Reply;
use crate::routes::path_id;
use crate::services::leads;
use crate::state::AppState;
use actix_web::{delete, web};
use ironfield_auth::Scope;
use ironfield_domain::ids::LeadId;

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
        leads::archive(conn, &caller, &id, &if_match)
    })
    .await?;
    Ok(Reply::no_content())
}
