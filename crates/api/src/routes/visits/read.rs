use super::{find_visible, Visit};
use crate::blocking;
use crate::error::ApiResult;
use crate::extract::Caller;
use crate::reply::Reply;
use crate::routes::path_id;
use crate::state::AppState;
use actix_web::{get, web};
use ironfield_domain::ids::VisitId;

/// Get a visit
///
/// A rep reads their own visits; team leads, managers and admins the visits of the teams in
/// their view. Any other is 404.
#[utoipa::path(
    tag = "visits",
    params(("id" = String, Path, format = Uuid, description = "Visit id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The visit", body = Visit, headers(("ETag" = String))),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 404, response = crate::spec_types::NotFound),
    )
)]
#[get("/visits/{id}")]
pub async fn get_visit(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<Reply> {
    let id: VisitId = path_id(&id, "visit")?;
    let visit = blocking::read(&state, move |conn| find_visible(conn, &caller, &id)).await?;
    let version = visit.version;
    Ok(Reply::ok(&Visit::from(visit)).versioned(version))
}
