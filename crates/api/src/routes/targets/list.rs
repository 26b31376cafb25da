use super::{period, Target, TargetPage};
use crate::blocking;
use crate::error::ApiResult;
use crate::extract::{page_request, Caller};
use crate::reply::Reply;
use crate::state::AppState;
use actix_web::{get, web};
use ironfield_auth::{Principal, Scope};
use ironfield_domain::ids::TeamId;
use ironfield_domain::Role;
use ironfield_persistence::targets::{self, TargetFilter};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListTargetsQuery {
    /// `YYYY-MM`.
    #[param(pattern = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$", example = "2026-11")]
    pub period: String,
    #[param(value_type = Option<String>, format = Uuid)]
    #[serde(default, deserialize_with = "crate::routes::query_id")]
    pub team_id: Option<TeamId>,
    /// Items per page, 1 to 200 (default 50); more is 422.
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page; absent for the first.
    pub cursor: Option<String>,
}

/// List targets
///
/// A month's targets within the caller's view: a rep sees their own and their team's, a team
/// lead their team's and its members', a manager their branch's.
#[utoipa::path(
    tag = "targets",
    params(ListTargetsQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of targets", body = TargetPage),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[get("/targets")]
pub async fn list_targets(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ListTargetsQuery>,
) -> ApiResult<Reply> {
    caller.require_scope(Scope::TargetsRead)?;
    let query = query.into_inner();
    let period = period("period", &query.period)?;
    let page = page_request(query.limit, query.cursor.as_deref())?;
    let only = match &caller.principal {
        Principal::User {
            id,
            role: Role::Rep,
            team_id,
        } => Some((id.to_string(), team_id.clone())),
        _ => None,
    };
    let filter = TargetFilter {
        period,
        team_id: query.team_id,
        only_user_or_team: only,
    };
    let scope = caller.scope();
    let page = blocking::read(&state, move |conn| {
        Ok(targets::list(conn, &scope, &filter, &page)?)
    })
    .await?;
    Ok(Reply::ok(&TargetPage {
        items: page.items.into_iter().map(Target::from).collect(),
        next_cursor: page.next_cursor,
    }))
}
