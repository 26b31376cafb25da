use super::AttendanceStatus;
use crate::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Caller};
use crate::reply::Reply;
use crate::routes::path_id;
use crate::services::meetings::{self, AttendanceEntry};
use crate::state::AppState;
use actix_web::{put, web};
use ironfield_domain::ids::MeetingId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Attendance {
    #[schema(format = Uuid)]
    pub user_id: String,
    pub status: AttendanceStatus,
    #[schema(max_length = 500)]
    pub note: Option<String>,
}

/// A meeting's attendance as a `PUT` sends it: at most 500 entries (the body is this array).
#[derive(ToSchema)]
#[schema(max_items = 500)]
#[expect(
    dead_code,
    reason = "documents the body; the handler reads `Vec<Attendance>`"
)]
pub struct AttendanceSheet(Vec<Attendance>);

/// Take attendance
///
/// Sets who came: the list given replaces the meeting's attendance. Everyone listed must be
/// an active member of the meeting's team (else 422 naming the entry). The team lead, a
/// manager or an admin takes it.
#[utoipa::path(
    tag = "meetings",
    params(("id" = String, Path, format = Uuid, description = "Meeting id")),
    request_body = AttendanceSheet,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The attendance as stored", body = Vec<Attendance>),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 404, response = crate::spec_types::NotFound),
        (status = 413, response = crate::spec_types::PayloadTooLarge),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[put("/meetings/{id}/attendance")]
pub async fn put_attendance(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ApiJson<Vec<Attendance>>,
) -> ApiResult<Reply> {
    let id: MeetingId = path_id(&id, "meeting")?;
    let entries = body.into_inner();
    if entries.len() > 500 {
        return Err(ApiError::invalid_field("body", "at most 500 entries"));
    }
    let entries = entries
        .into_iter()
        .map(|entry| AttendanceEntry {
            user_id: entry.user_id,
            status: entry.status,
            note: entry.note,
        })
        .collect();
    let stored = blocking::write(&state, move |conn| {
        meetings::set_attendance(conn, &caller, &id, entries)
    })
    .await?;
    let list: Vec<Attendance> = stored
        .into_iter()
        .map(|r| Attendance {
            status: r.status,
            user_id: r.user_id.into(),
            note: r.note,
        })
        .collect();
    Ok(Reply::ok(&list))
}
