//! The 8:30 morning meeting: who is there, what each rep plans, and at day's end what
//! actually happened.

mod attendance;
mod create;
mod list;
mod plans;
mod read;
mod summary;
mod update;

use chrono::{DateTime, NaiveDate, Utc};
use ironfield_persistence::meetings::{MeetingRow, PlanRow};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

pub use plans::Plan;

use crate::services::meetings::{find_visible, members};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list::list_meetings)
        .service(create::create_meeting)
        .service(read::get_meeting)
        .service(update::update_meeting)
        .service(attendance::put_attendance)
        .service(plans::put_plan)
        .service(summary::meeting_summary);
}

/// One team's meeting on one day.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a1b2-0000-7000-8000-0000000000d1", "team_id": "0193a1b2-0000-7000-8000-000000000001",
    "date": "2026-11-03", "held_at": "2026-11-03T00:30:00Z", "location": "一区 3 号门",
    "agenda": "月底冲刺：每人 12 家", "notes": null,
    "created_at": "2026-11-03T00:25:00Z", "updated_at": "2026-11-03T00:25:00Z", "version": 1
}))]
pub struct Meeting {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub team_id: String,
    /// The day, in the organisation's time zone.
    pub date: NaiveDate,
    pub held_at: Option<DateTime<Utc>>,
    pub location: Option<String>,
    pub agenda: Option<String>,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<MeetingRow> for Meeting {
    fn from(row: MeetingRow) -> Self {
        Meeting {
            date: row.date,
            id: row.id.into(),
            team_id: row.team_id.into(),
            held_at: row.held_at.map(|t| t.and_utc()),
            location: row.location,
            agenda: row.agenda,
            notes: row.notes,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
            version: row.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingPage {
    pub items: Vec<Meeting>,
    pub next_cursor: Option<String>,
}

pub use ironfield_domain::meeting::AttendanceStatus;

impl From<PlanRow> for Plan {
    fn from(row: PlanRow) -> Self {
        Plan {
            user_id: row.user_id.into(),
            planned_visits: row.planned_visits,
            planned_signings: row.planned_signings,
            focus_market: row.focus_market,
            notes: row.notes,
            updated_at: row.updated_at.and_utc(),
        }
    }
}
