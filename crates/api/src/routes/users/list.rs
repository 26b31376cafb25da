use super::{User, UserPage};
use crate::blocking;
use crate::error::ApiResult;
use crate::extract::{page_request, parse_time, Caller};
use crate::reply::Reply;
use crate::state::AppState;
use actix_web::{get, web};
use ironfield_domain::ids::TeamId;
use ironfield_domain::Role;
use ironfield_persistence::users::{self, UserFilter};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListUsersQuery {
    #[param(value_type = Option<String>, format = Uuid)]
    #[serde(default, deserialize_with = "crate::routes::query_id")]
    pub team_id: Option<TeamId>,
    pub role: Option<Role>,
    /// `true`: only active users; `false`: only deactivated ones.
    pub active: Option<bool>,
    /// Only users changed at or after this time (RFC 3339).
    #[param(format = DateTime)]
    pub updated_since: Option<String>,
    /// Items per page, 1 to 200 (default 50); more is 422.
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// List users
///
/// The users the caller can see, newest first: an admin sees everyone, a manager their
/// branch, a team lead or rep their own team.
#[utoipa::path(
    tag = "users",
    params(ListUsersQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of users in view", body = UserPage),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ListUsersQuery>,
) -> ApiResult<Reply> {
    caller.require_user()?;
    let query = query.into_inner();
    let page = page_request(query.limit, query.cursor.as_deref())?;
    let filter = UserFilter {
        team_id: query.team_id,
        role: query.role,
        active: query.active,
        updated_since: query
            .updated_since
            .as_deref()
            .map(|t| parse_time("updated_since", t))
            .transpose()?,
    };
    let scope = caller.scope();
    let page = blocking::read(&state, move |conn| {
        Ok(users::list(conn, &scope, &filter, &page)?)
    })
    .await?;
    Ok(Reply::ok(&UserPage {
        items: page.items.into_iter().map(User::from).collect(),
        next_cursor: page.next_cursor,
    }))
}
