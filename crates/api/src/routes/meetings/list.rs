use super::{Meeting, MeetingPage};
use crate::blocking;
use crate::error::ApiResult;
use crate::extract::{page_request, Caller};
use crate::reply::Reply;
use crate::state::AppState;
use actix_web::{get, web};
use chrono::NaiveDate;
use ironfield_auth::Scope;
use ironfield_domain::ids::TeamId;
use ironfield_persistence::meetings::{self, MeetingFilter};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListMeetingsQuery {
    #[param(value_type = Option<String>, format = Uuid)]
    #[serde(default, deserialize_with = "crate::routes::query_id")]
    pub team_id: Option<TeamId>,
    pub date: Option<NaiveDate>,
    /// Meetings on or after this day.
    pub from: Option<NaiveDate>,
    /// Meetings on or before this day.
    pub to: Option<NaiveDate>,
    /// Items per page, 1 to 200 (default 50); more is 422.
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page; absent for the first.
    pub cursor: Option<String>,
}

/// List meetings
///
/// The meetings of the teams the caller can see, newest first.
#[utoipa::path(
    tag = "meetings",
    params(ListMeetingsQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of meetings", body = MeetingPage),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[get("/meetings")]
pub async fn list_meetings(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ListMeetingsQuery>,
) -> ApiResult<Reply> {
    caller.require_scope(Scope::MeetingsRead)?;
    let query = query.into_inner();
    let page = page_request(query.limit, query.cursor.as_deref())?;
    let filter = MeetingFilter {
        team_id: query.team_id,
        date: query.date,
        from: query.from,
        to: query.to,
    };
    let scope = caller.scope();
    let page = blocking::heavy_read(&state, move |conn| {
        Ok(meetings::list(conn, &scope, &filter, &page)?)
    })
    .await?;
    Ok(Reply::ok(&MeetingPage {
        items: page.items.into_iter().map(Meeting::from).collect(),
        next_cursor: page.next_cursor,
    }))
}
