use super::{find_visible, Team};
use crate::blocking;
use crate::error::ApiResult;
use crate::extract::Caller;
use crate::reply::Reply;
use crate::routes::path_id;
use crate::state::AppState;
use actix_web::{get, web};
use ironfield_domain::ids::TeamId;

/// Get a team
///
/// A team the caller can see: any for an admin, the branch's for a manager, their own for
/// a team lead or rep. Any other is 404.
#[utoipa::path(
    tag = "teams",
    params(("id" = String, Path, format = Uuid, description = "Team id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The team", body = Team, headers(("ETag" = String))),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 404, response = crate::spec_types::NotFound),
    )
)]
#[get("/teams/{id}")]
pub async fn get_team(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<Reply> {
    caller.require_user()?;
    let id: TeamId = path_id(&id, "team")?;
    let team = blocking::read(&state, move |conn| find_visible(conn, &caller, &id)).await?;
    let version = team.version;
    Ok(Reply::ok(&Team::from(team)).versioned(version))
}
