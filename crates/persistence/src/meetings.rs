//! The 8:30 morning meeting: one per team per day, who came, and each member's plan.

use crate::error::DbError;
use crate::pagination::{Page, PageRequest};
use crate::schema::{meeting_attendance, meeting_plans, meetings};
use crate::scope::{in_scope, TeamScope};
use crate::stored::Stored;
use crate::{paginate, DbConnection, Timestamp};
use chrono::NaiveDate;
use diesel::prelude::*;
use ironfield_domain::ids::{MeetingId, TeamId, UserId};
use ironfield_domain::meeting::AttendanceStatus;

// No `Identifiable` (see `LeadRow`).
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = meetings, treat_none_as_null = true)]
pub struct MeetingRow {
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub id: MeetingId,
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub team_id: TeamId,
    /// The day, in the organisation's time zone (`YYYY-MM-DD` text, like a `business_date`).
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub date: NaiveDate,
    pub held_at: Option<Timestamp>,
    pub location: Option<String>,
    pub agenda: Option<String>,
    pub notes: Option<String>,
    pub created_by: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = meeting_attendance)]
pub struct AttendanceRow {
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub meeting_id: MeetingId,
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub user_id: UserId,
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub status: AttendanceStatus,
    pub note: Option<String>,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = meeting_plans, treat_none_as_null = true)]
pub struct PlanRow {
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub meeting_id: MeetingId,
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub user_id: UserId,
    pub planned_visits: i64,
    pub planned_signings: i64,
    pub focus_market: Option<String>,
    pub notes: Option<String>,
    pub updated_by: String,
    pub updated_at: Timestamp,
}

pub fn insert(conn: &mut DbConnection, meeting: &MeetingRow) -> Result<(), DbError> {
    // By value: typed fields (`Stored`) make diesel's insert owned-only.
    diesel::insert_into(meetings::table)
        .values(meeting.clone())
        .execute(conn)?;
    Ok(())
}

/// The meeting `id` if it is inside `scope` (else `NotFound`).
pub fn find(
    conn: &mut DbConnection,
    scope: &TeamScope,
    id: &MeetingId,
) -> Result<MeetingRow, DbError> {
    Ok(in_scope!(
        meetings::table.find(id.as_str()).into_boxed(),
        scope,
        meetings::team_id
    )
    .select(MeetingRow::as_select())
    .first(conn)?)
}

pub fn find_by_team_date(
    conn: &mut DbConnection,
    team_id: &TeamId,
    date: NaiveDate,
) -> Result<Option<MeetingRow>, DbError> {
    Ok(meetings::table
        .filter(meetings::team_id.eq(team_id.as_str()))
        .filter(meetings::date.eq(Stored::from(date)))
        .select(MeetingRow::as_select())
        .first(conn)
        .optional()?)
}

/// Writes `meeting` whole if still at its version; the bumped version travels in the row.
pub fn save(conn: &mut DbConnection, meeting: &MeetingRow) -> Result<bool, DbError> {
    let mut row = meeting.clone();
    row.version += 1;
    let updated = diesel::update(
        meetings::table
            .filter(meetings::id.eq(meeting.id.as_str()))
            .filter(meetings::version.eq(meeting.version)),
    )
    .set(row)
    .execute(conn)?;
    Ok(updated == 1)
}

/// List filters, each optional; the teams come from the list's `TeamScope`.
#[derive(Debug, Default, Clone)]
pub struct MeetingFilter {
    pub team_id: Option<TeamId>,
    pub date: Option<NaiveDate>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

pub fn list(
    conn: &mut DbConnection,
    scope: &TeamScope,
    filter: &MeetingFilter,
    page: &PageRequest,
) -> Result<Page<MeetingRow>, DbError> {
    let query = meetings::table.select(MeetingRow::as_select()).into_boxed();
    let mut query = in_scope!(query, scope, meetings::team_id);
    if let Some(team) = &filter.team_id {
        query = query.filter(meetings::team_id.eq(team.as_str().to_owned()));
    }
    // `YYYY-MM-DD` text compares in day order.
    if let Some(date) = filter.date {
        query = query.filter(meetings::date.eq(Stored::from(date)));
    }
    if let Some(from) = filter.from {
        query = query.filter(meetings::date.ge(Stored::from(from)));
    }
    if let Some(to) = filter.to {
        query = query.filter(meetings::date.le(Stored::from(to)));
    }
    let rows = paginate!(query, meetings, page).load(conn)?;
    Ok(Page::from_rows(rows, page.limit, |m: &MeetingRow| {
        (m.created_at, m.id.to_string())
    }))
}

/// Replaces the meeting's attendance with `rows` (PUT semantics: the list is the record).
pub fn replace_attendance(
    conn: &mut DbConnection,
    meeting_id: &MeetingId,
    rows: &[AttendanceRow],
) -> Result<(), DbError> {
    diesel::delete(
        meeting_attendance::table.filter(meeting_attendance::meeting_id.eq(meeting_id.as_str())),
    )
    .execute(conn)?;
    for row in rows {
        // By value: the typed status (`Stored`) makes diesel's insert owned-only.
        diesel::insert_into(meeting_attendance::table)
            .values(row.clone())
            .execute(conn)?;
    }
    Ok(())
}

pub fn attendance(
    conn: &mut DbConnection,
    meeting_id: &MeetingId,
) -> Result<Vec<AttendanceRow>, DbError> {
    Ok(meeting_attendance::table
        .filter(meeting_attendance::meeting_id.eq(meeting_id.as_str()))
        .select(AttendanceRow::as_select())
        .load(conn)?)
}

/// Stores a member's plan, replacing the one they had.
pub fn put_plan(conn: &mut DbConnection, plan: &PlanRow) -> Result<(), DbError> {
    let key = (plan.meeting_id.as_str(), plan.user_id.as_str());
    let updated = diesel::update(meeting_plans::table.find(key))
        .set(plan.clone())
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(meeting_plans::table)
            .values(plan.clone())
            .execute(conn)?;
    }
    Ok(())
}

pub fn plans(conn: &mut DbConnection, meeting_id: &MeetingId) -> Result<Vec<PlanRow>, DbError> {
    Ok(meeting_plans::table
        .filter(meeting_plans::meeting_id.eq(meeting_id.as_str()))
        .select(PlanRow::as_select())
        .load(conn)?)
}

/// A user's plan from their team's meeting on `date`, if there was one.
pub fn plan_of(
    conn: &mut DbConnection,
    user_id: &UserId,
    date: NaiveDate,
) -> Result<Option<PlanRow>, DbError> {
    Ok(meeting_plans::table
        .inner_join(meetings::table.on(meetings::id.eq(meeting_plans::meeting_id)))
        .filter(meeting_plans::user_id.eq(user_id.as_str()))
        .filter(meetings::date.eq(Stored::from(date)))
        .select(PlanRow::as_select())
        .first(conn)
        .optional()?)
}
