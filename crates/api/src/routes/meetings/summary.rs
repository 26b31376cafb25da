use super::plans::Plan;
use super::{find_visible, members, AttendanceStatus};
use crate::blocking;
use crate::error::ApiResult;
use crate::extract::Caller;
use crate::reply::Reply;
use crate::routes::path_id;
use crate::state::AppState;
use actix_web::{get, web};
use chrono::{Days, NaiveDate};
use ironfield_domain::ids::MeetingId;
use ironfield_domain::ids::UserId;
use ironfield_persistence::{meetings, stats};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct DayFigures {
    pub visits: i64,
    pub signings: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberSummary {
    #[schema(format = Uuid)]
    pub user_id: String,
    pub name: String,
    /// `null`: not recorded.
    pub attendance: Option<AttendanceStatus>,
    pub attendance_note: Option<String>,
    pub plan: Option<Plan>,
    /// Counted from the visits logged and the accounts signed that business day.
    pub actual: DayFigures,
    /// Actual minus planned (negative: short of the plan); `null` without a plan.
    pub versus_plan: Option<DayFigures>,
}

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct TeamTotals {
    pub present: i64,
    pub late: i64,
    pub absent: i64,
    pub excused: i64,
    pub planned_visits: i64,
    pub planned_signings: i64,
    pub actual_visits: i64,
    pub actual_signings: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingSummary {
    #[schema(format = Uuid)]
    pub meeting_id: String,
    #[schema(format = Uuid)]
    pub team_id: String,
    pub date: NaiveDate,
    pub members: Vec<MemberSummary>,
    pub totals: TeamTotals,
}

/// Meeting summary: plan versus actual
///
/// Per member of the team: attendance, the plan, and the actuals of that business day
/// (visits logged and seller accounts signed, counted from the records, never typed in
/// twice), with plan-versus-actual; and team totals.
#[utoipa::path(
    tag = "meetings",
    params(("id" = String, Path, format = Uuid, description = "Meeting id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Plan versus actual for each member, with team totals", body = MeetingSummary),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 404, response = crate::spec_types::NotFound),
    )
)]
#[get("/meetings/{id}/summary")]
pub async fn meeting_summary(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<Reply> {
    let id: MeetingId = path_id(&id, "meeting")?;
    let summary = blocking::read(&state, move |conn| {
        let meeting = find_visible(conn, &caller, &id)?;
        let date = meeting.date;
        let next = date.checked_add_days(Days::new(1)).unwrap_or(date);
        let team = members(conn, &meeting.team_id)?;
        let ids: Vec<String> = team.iter().map(|m| m.id.to_string()).collect();
        let attendance: HashMap<UserId, _> = meetings::attendance(conn, &meeting.id)?
            .into_iter()
            .map(|a| (a.user_id.clone(), a))
            .collect();
        let mut plans: HashMap<UserId, _> = meetings::plans(conn, &meeting.id)?
            .into_iter()
            .map(|p| (p.user_id.clone(), p))
            .collect();
        let tally = stats::by_rep(conn, &ids, date, next)?;

        let mut totals = TeamTotals::default();
        let mut rows = Vec::new();
        for member in team {
            let mark = attendance.get(&member.id);
            let status = mark.map(|a| a.status);
            match status {
                Some(AttendanceStatus::Present) => totals.present += 1,
                Some(AttendanceStatus::Late) => totals.late += 1,
                Some(AttendanceStatus::Absent) => totals.absent += 1,
                Some(AttendanceStatus::Excused) => totals.excused += 1,
                None => {}
            }
            let actual = DayFigures {
                visits: tally.visits.get(member.id.as_str()).copied().unwrap_or(0),
                signings: tally
                    .new_sellers
                    .get(member.id.as_str())
                    .copied()
                    .unwrap_or(0),
            };
            totals.actual_visits += actual.visits;
            totals.actual_signings += actual.signings;
            let plan = plans.remove(&member.id).map(Plan::from);
            let versus_plan = plan.as_ref().map(|p| {
                totals.planned_visits += p.planned_visits;
                totals.planned_signings += p.planned_signings;
                DayFigures {
                    visits: actual.visits - p.planned_visits,
                    signings: actual.signings - p.planned_signings,
                }
            });
            rows.push(MemberSummary {
                user_id: member.id.into(),
                name: member.name,
                attendance: status,
                attendance_note: mark.and_then(|a| a.note.clone()),
                plan,
                actual,
                versus_plan,
            });
        }
        Ok(MeetingSummary {
            meeting_id: meeting.id.into(),
            team_id: meeting.team_id.into(),
            date,
            members: rows,
            totals,
        })
    })
    .await?;
    Ok(Reply::ok(&summary))
}
