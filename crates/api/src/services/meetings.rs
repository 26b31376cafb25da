//! Meetings: opening a team's morning meeting.

use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use chrono::NaiveDate;
use ironfield_auth::policy;
use ironfield_domain::ids::MeetingId;
use ironfield_domain::time::now;
use ironfield_persistence::meetings::{self, MeetingRow};
use ironfield_persistence::{DbConnection, Timestamp};

/// A meeting to open, its fields checked.
#[derive(Debug)]
pub struct MeetingDraft {
    pub team_id: String,
    pub date: NaiveDate,
    pub held_at: Option<Timestamp>,
    pub location: Option<String>,
    pub agenda: Option<String>,
    pub notes: Option<String>,
}

/// Opens a team's meeting for a day: the team must be in view (else 422 `team_id`) and led
/// by the caller (or a manager above it); one meeting per team and day (409). Writes the row
/// and its `meeting.opened` event in the caller's write transaction (`blocking::write`).
pub fn open(
    conn: &mut DbConnection,
    caller: &Caller,
    draft: MeetingDraft,
) -> ApiResult<MeetingRow> {
    super::teams::find_visible(conn, caller, &draft.team_id)
        .map_err(|e| e.not_found_as_invalid("team_id", "no such team"))?;
    if !policy::may_lead_team(&caller.principal, &caller.view, &draft.team_id) {
        return Err(ApiError::forbidden(
            "only the team lead (or a manager) opens the meeting",
        ));
    }
    if meetings::find_by_team_date(conn, &draft.team_id, draft.date)?.is_some() {
        return Err(already_held());
    }
    let at = now().naive_utc();
    let row = MeetingRow {
        id: MeetingId::new(),
        team_id: draft.team_id,
        date: draft.date,
        held_at: draft.held_at,
        location: draft.location,
        agenda: draft.agenda,
        notes: draft.notes,
        created_by: caller.id().to_owned(),
        created_at: at,
        updated_at: at,
        version: 1,
    };
    // The look-up above answers the common case; the unique index settles a race.
    meetings::insert(conn, &row).map_err(|e| match e {
        e if e.is_unique_on("meetings", &["team_id", "date"]) => already_held(),
        other => other.into(),
    })?;
    crate::events::writes::meeting_opened(conn, caller, &row, at)?;
    Ok(row)
}

fn already_held() -> ApiError {
    ApiError::conflict("the team already has a meeting that day")
}
