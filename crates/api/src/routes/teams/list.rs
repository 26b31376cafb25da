use super::{Team, TeamPage};
use crate::blocking;
use crate::error::ApiResult;
use crate::extract::{page_request, Caller};
use crate::reply::Reply;
use crate::state::AppState;
use actix_web::{get, web};
use ironfield_domain::ids::TeamId;
use ironfield_persistence::teams;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListTeamsQuery {
    /// Only the direct children of this team.
    #[param(value_type = Option<String>, format = Uuid)]
    #[serde(default, deserialize_with = "crate::routes::query_id")]
    pub parent_id: Option<TeamId>,
    /// Items per page, 1 to 200 (default 50); more is 422.
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page; absent for the first.
    pub cursor: Option<String>,
}

/// List teams
///
/// The teams the caller can see, newest first: all for an admin, the branch for a manager,
/// their own team for a team lead or rep.
#[utoipa::path(
    tag = "teams",
    params(ListTeamsQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of teams in view", body = TeamPage),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[get("/teams")]
pub async fn list_teams(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ListTeamsQuery>,
) -> ApiResult<Reply> {
    caller.require_user()?;
    let query = query.into_inner();
    let page = page_request(query.limit, query.cursor.as_deref())?;
    let scope = caller.scope();
    let page = blocking::read(&state, move |conn| {
        Ok(teams::list(conn, &scope, query.parent_id.as_ref(), &page)?)
    })
    .await?;
    Ok(Reply::ok(&TeamPage {
        items: page.items.into_iter().map(Team::from).collect(),
        next_cursor: page.next_cursor,
    }))
}
