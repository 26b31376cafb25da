use super::find_visible;
use crate::error::ApiResult;
use crate::extract::Caller;
use crate::reply::Reply;
use crate::routes::audit::{history, AuditPage, PageQuery};
use crate::routes::path_id;
use crate::state::AppState;
use actix_web::{get, web};
use ironfield_domain::ids::LeadId;
use ironfield_persistence::leads;

/// A lead's history
///
/// Every change of the lead, newest first: who, when, what, and each field's old and new
/// value. Includes the history of leads merged into this one. Readable by whoever can read
/// the lead.
#[utoipa::path(
    tag = "leads",
    params(("id" = String, Path, format = Uuid, description = "Lead id"), PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of audit events, newest first", body = AuditPage),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 404, response = crate::spec_types::NotFound),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[get("/leads/{id}/history")]
pub async fn lead_history(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    query: web::Query<PageQuery>,
) -> ApiResult<Reply> {
    let id: LeadId = path_id(&id, "lead")?;
    history(
        &state,
        caller,
        query.into_inner(),
        "lead",
        move |conn, caller| {
            let lead = find_visible(conn, caller, &id)?;
            // A merged lead's past is shown only to those who could see that lead.
            let mut ids = leads::merged_into(conn, &caller.scope(), &lead.id)?;
            ids.push(lead.id);
            Ok(ids.into_iter().map(String::from).collect())
        },
    )
    .await
}
