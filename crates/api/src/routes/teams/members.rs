use super::find_visible;
use crate::blocking;
use crate::error::ApiResult;
use crate::extract::{page_request, Caller};
use crate::reply::Reply;
use crate::routes::path_id;
use crate::routes::users::{User, UserPage};
use crate::state::AppState;
use actix_web::{get, web};
use ironfield_domain::ids::TeamId;
use ironfield_persistence::users::{self, UserFilter};
use ironfield_persistence::TeamScope;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MembersQuery {
    /// `true`: only active members; `false`: only deactivated ones.
    pub active: Option<bool>,
    /// Items per page, 1 to 200 (default 50); more is 422.
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page; absent for the first.
    pub cursor: Option<String>,
}

/// List a team's members
///
/// The users whose team is this one (not its sub-teams), newest first.
#[utoipa::path(
    tag = "teams",
    params(("id" = String, Path, format = Uuid, description = "Team id"), MembersQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of the team's members", body = UserPage),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 404, response = crate::spec_types::NotFound),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[get("/teams/{id}/members")]
pub async fn list_members(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    query: web::Query<MembersQuery>,
) -> ApiResult<Reply> {
    caller.require_user()?;
    let id: TeamId = path_id(&id, "team")?;
    let query = query.into_inner();
    let page = page_request(query.limit, query.cursor.as_deref())?;
    let page = blocking::read(&state, move |conn| {
        let team = find_visible(conn, &caller, &id)?;
        let filter = UserFilter {
            active: query.active,
            ..Default::default()
        };
        Ok(users::list(
            conn,
            &TeamScope::teams([team.id]),
            &filter,
            &page,
        )?)
    })
    .await?;
    Ok(Reply::ok(&UserPage {
        items: page.items.into_iter().map(User::from).collect(),
        next_cursor: page.next_cursor,
    }))
}
