use super::{find_visible, members, require_lead, AttendanceStatus};
use crate::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Caller};
use crate::reply::Reply;
use crate::routes::path_id;
use crate::state::AppState;
use actix_web::{put, web};
use ironfield_domain::ids::MeetingId;
use ironfield_domain::ids::UserId;
use ironfield_domain::time::now;
use ironfield_domain::validation::optional_text;
use ironfield_domain::ValidationErrors;
use ironfield_persistence::meetings::{self, AttendanceRow};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
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
    let stored = blocking::write(&state, move |conn| {
        let meeting = find_visible(conn, &caller, &id)?;
        require_lead(&caller, &meeting)?;
        let team: HashSet<UserId> = members(conn, &meeting.team_id)?
            .into_iter()
            .map(|u| u.id)
            .collect();
        let mut errors = ValidationErrors::new();
        let mut seen = HashSet::new();
        let at = now().naive_utc();
        let mut rows = Vec::new();
        for (i, entry) in entries.into_iter().enumerate() {
            // A member's id as written, in any case (not any other spelling of the UUID).
            let user_id = match team.get(entry.user_id.to_lowercase().as_str()) {
                None => {
                    errors.add(
                        format!("[{i}].user_id"),
                        "is not an active member of the meeting's team",
                    );
                    None
                }
                Some(id) if !seen.insert(id.clone()) => {
                    errors.add(format!("[{i}].user_id"), "is listed twice");
                    None
                }
                Some(id) => Some(id.clone()),
            };
            let note = entry
                .note
                .as_deref()
                .and_then(|n| errors.check(&format!("[{i}].note"), optional_text(n, 500)))
                .filter(|n| !n.is_empty());
            if let Some(user_id) = user_id {
                rows.push(AttendanceRow {
                    meeting_id: meeting.id.clone(),
                    user_id,
                    status: entry.status,
                    note,
                    updated_at: at,
                });
            }
        }
        errors.into_result(())?;
        meetings::replace_attendance(conn, &meeting.id, &rows)?;
        Ok(rows)
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
