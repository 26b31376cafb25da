use super::{find_visible, lead_reply, Lead};
use crate::blocking;
use crate::error::ApiResult;
use crate::extract::Caller;
use crate::reply::Reply;
use crate::routes::path_id;
use crate::state::AppState;
use actix_web::{get, web};
use ironfield_domain::ids::LeadId;

/// Get a lead
///
/// A lead in a team the caller can see; any other is 404.
#[utoipa::path(
    tag = "leads",
    params(("id" = String, Path, format = Uuid, description = "Lead id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The lead", body = Lead, headers(("ETag" = String))),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 404, response = crate::spec_types::NotFound),
    )
)]
#[get("/leads/{id}")]
pub async fn get_lead(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<Reply> {
    let id: LeadId = path_id(&id, "lead")?;
    let lead = blocking::read(&state, move |conn| find_visible(conn, &caller, &id)).await?;
    lead_reply(lead)
}
