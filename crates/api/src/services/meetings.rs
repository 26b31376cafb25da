//! Meetings: who may see and run a team's morning meeting, opening and changing it, its
//! attendance and each member's plan.

use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, IfMatch};
use chrono::NaiveDate;
use ironfield_auth::{policy, Scope};
use ironfield_domain::ids::{MeetingId, TeamId, UserId};
use ironfield_domain::meeting::AttendanceStatus;
use ironfield_domain::time::now;
use ironfield_domain::validation::optional_text;
use ironfield_domain::ValidationErrors;
use ironfield_persistence::meetings::{self, AttendanceRow, MeetingRow, PlanRow};
use ironfield_persistence::users::{self, UserFilter, UserRow};
use ironfield_persistence::{DbConnection, DbError, PageRequest, TeamScope, Timestamp};
use std::collections::HashSet;

/// Loads a meeting of a team the caller can see; any other is 404.
pub(crate) fn find_visible(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &MeetingId,
) -> ApiResult<MeetingRow> {
    caller.require_scope(Scope::MeetingsRead)?;
    match meetings::find(conn, &caller.scope(), id) {
        Ok(meeting) => Ok(meeting),
        Err(DbError::NotFound) => Err(ApiError::not_found("meeting")),
        Err(other) => Err(other.into()),
    }
}

/// The team's lead (or a manager or admin) runs its meeting; reps only write their own plan.
pub(crate) fn require_lead(caller: &Caller, meeting: &MeetingRow) -> ApiResult<()> {
    caller.require_scope(Scope::MeetingsWrite)?;
    if policy::may_lead_team(&caller.principal, &caller.view, &meeting.team_id) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "only the team lead (or a manager) runs the meeting",
        ))
    }
}

/// The team's active members, at most 500 (a team is a few dozen people).
pub(crate) fn members(conn: &mut DbConnection, team_id: &TeamId) -> ApiResult<Vec<UserRow>> {
    let filter = UserFilter {
        active: Some(true),
        ..Default::default()
    };
    let page = PageRequest {
        limit: 500,
        after: None,
    };
    let team = TeamScope::teams([team_id.clone()]);
    let mut members = users::list(conn, &team, &filter, &page)?.items;
    members.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(members)
}

/// A meeting to open, its fields checked.
#[derive(Debug)]
pub struct MeetingDraft {
    pub team_id: TeamId,
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

/// A change of a meeting whose fields passed their checks (`None`: leave as it is).
#[derive(Debug, Default)]
pub struct MeetingChange {
    pub held_at: Option<Option<Timestamp>>,
    pub location: Option<Option<String>>,
    pub agenda: Option<Option<String>>,
    pub notes: Option<Option<String>>,
}

/// Changes when and where a meeting was held, its agenda and notes: its team's lead (or a
/// manager above), under If-Match (412). Runs in the caller's write transaction.
pub fn update(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &MeetingId,
    change: MeetingChange,
    if_match: &IfMatch,
) -> ApiResult<MeetingRow> {
    let current = find_visible(conn, caller, id)?;
    require_lead(caller, &current)?;
    if_match.check(current.version)?;
    let mut meeting = current;
    if let Some(held_at) = change.held_at {
        meeting.held_at = held_at;
    }
    if let Some(location) = change.location {
        meeting.location = location;
    }
    if let Some(agenda) = change.agenda {
        meeting.agenda = agenda;
    }
    if let Some(notes) = change.notes {
        meeting.notes = notes;
    }
    meeting.updated_at = now().naive_utc();
    if !meetings::save(conn, &meeting)? {
        return Err(ApiError::precondition_failed());
    }
    Ok(meetings::find(conn, &TeamScope::everything(), &meeting.id)?)
}

/// One member's attendance as sent.
#[derive(Debug)]
pub struct AttendanceEntry {
    pub user_id: String,
    pub status: AttendanceStatus,
    pub note: Option<String>,
}

/// Replaces a meeting's attendance: its team's lead (or a manager above); each entry an
/// active member of the team, listed once, with a note of at most 500 characters. Every bad
/// entry is named (`[i].field`). Runs in the caller's write transaction.
pub fn set_attendance(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &MeetingId,
    entries: Vec<AttendanceEntry>,
) -> ApiResult<Vec<AttendanceRow>> {
    let meeting = find_visible(conn, caller, id)?;
    require_lead(caller, &meeting)?;
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
}

/// A member's plan for the day, its fields checked.
#[derive(Debug)]
pub struct PlanDraft {
    pub planned_visits: i64,
    pub planned_signings: i64,
    pub focus_market: Option<String>,
    pub notes: Option<String>,
}

/// Writes `user_id`'s plan for a meeting: the member themselves, or the team's lead (or a
/// manager above; 403 otherwise), for an active member of the meeting's team (422). Runs in
/// the caller's write transaction.
pub fn put_plan(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &MeetingId,
    user_id: UserId,
    plan: PlanDraft,
) -> ApiResult<PlanRow> {
    let meeting = find_visible(conn, caller, id)?;
    let own = caller.user_id() == Some(&user_id);
    if !own && !policy::may_lead_team(&caller.principal, &caller.view, &meeting.team_id) {
        return Err(ApiError::forbidden("a rep writes only their own plan"));
    }
    if !members(conn, &meeting.team_id)?
        .iter()
        .any(|m| m.id == user_id)
    {
        return Err(ApiError::invalid_field(
            "user_id",
            "is not an active member of the meeting's team",
        ));
    }
    let row = PlanRow {
        meeting_id: meeting.id,
        user_id,
        planned_visits: plan.planned_visits,
        planned_signings: plan.planned_signings,
        focus_market: plan.focus_market,
        notes: plan.notes,
        updated_by: caller.id().to_owned(),
        updated_at: now().naive_utc(),
    };
    meetings::put_plan(conn, &row)?;
    Ok(row)
}
