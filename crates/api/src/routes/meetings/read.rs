use super::{find_visible, Meeting};
use crate::blocking;
use crate::error::ApiResult;
use crate::extract::Caller;
use crate::reply::Reply;
use crate::routes::path_id;
use crate::state::AppState;
use actix_web::{get, web};
use ironfield_domain::ids::MeetingId;

/// Get a meeting
///
/// A meeting of a team the caller can see; any other is 404.
#[utoipa::path(
    tag = "meetings",
    params(("id" = String, Path, format = Uuid, description = "Meeting id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The meeting", body = Meeting, headers(("ETag" = String))),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 404, response = crate::spec_types::NotFound),
    )
)]
#[get("/meetings/{id}")]
pub async fn get_meeting(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<Reply> {
    let id: MeetingId = path_id(&id, "meeting")?;
    let meeting = blocking::read(&state, move |conn| find_visible(conn, &caller, &id)).await?;
    let version = meeting.version;
    Ok(Reply::ok(&Meeting::from(meeting)).versioned(version))
}
