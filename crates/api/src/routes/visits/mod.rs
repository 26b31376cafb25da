//! Visit logs: what reps log from their phones, one market-stall visit at a time.

mod batch;
mod create;
mod day;
mod input;
mod list;
mod log;
mod read;
mod update;

use crate::services::visits::find_visible;
use chrono::{DateTime, NaiveDate, Utc};
use ironfield_domain::visit::{LocationCheck, Outcome, Purpose};
use ironfield_persistence::visits::VisitRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(batch::log_batch)
        .service(create::log_visit)
        .service(list::list_visits)
        .service(read::get_visit)
        .service(update::update_visit)
        .service(day::my_day);
}

/// Where the phone was, and how sure it was.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitLocation {
    #[schema(minimum = -90, maximum = 90)]
    pub lat: f64,
    #[schema(minimum = -180, maximum = 180)]
    pub lng: f64,
    /// The phone's accuracy radius in metres.
    #[schema(minimum = 0, maximum = 100000)]
    pub accuracy_m: Option<f64>,
}

/// One market-stall visit.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a1b2-9999-7000-8000-000000000001", "rep_id": "0193a1b2-0000-7000-8000-0000000000a1",
    "team_id": "0193a1b2-0000-7000-8000-000000000001", "lead_id": "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b",
    "seller_account_id": null, "visited_at": "2026-10-31T23:30:00Z", "business_date": "2026-11-01",
    "location": {"lat": 29.3321, "lng": 120.1078, "accuracy_m": 12.0}, "location_check": "verified",
    "market": "国际商贸城一区", "district": "1", "stall_no": "A-1023", "purpose": "follow_up",
    "outcome": "interested", "notes": "老板下周回义乌", "next_follow_up_at": "2026-11-05T02:00:00Z",
    "duration_minutes": 20, "received_at": "2026-11-01T04:12:09Z", "updated_at": "2026-11-01T04:12:09Z", "version": 1
}))]
pub struct Visit {
    #[schema(format = Uuid)]
    pub id: String,
    /// The rep who visited (the caller who logged it).
    #[schema(format = Uuid)]
    pub rep_id: String,
    /// The rep's team when the visit was logged.
    #[schema(format = Uuid)]
    pub team_id: Option<String>,
    #[schema(format = Uuid)]
    pub lead_id: Option<String>,
    #[schema(format = Uuid)]
    pub seller_account_id: Option<String>,
    /// The phone's time of the visit.
    pub visited_at: DateTime<Utc>,
    /// The day of `visited_at` in the organisation's time zone.
    pub business_date: NaiveDate,
    pub location: Option<VisitLocation>,
    pub location_check: LocationCheck,
    pub market: Option<String>,
    pub district: Option<String>,
    pub stall_no: Option<String>,
    pub purpose: Purpose,
    pub outcome: Outcome,
    pub notes: Option<String>,
    pub next_follow_up_at: Option<DateTime<Utc>>,
    pub duration_minutes: Option<i64>,
    /// When the server received it (a late sync shows here).
    pub received_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<VisitRow> for Visit {
    fn from(row: VisitRow) -> Self {
        Visit {
            location: match (row.location_lat, row.location_lng) {
                (Some(lat), Some(lng)) => Some(VisitLocation {
                    lat,
                    lng,
                    accuracy_m: row.location_accuracy_m,
                }),
                _ => None,
            },
            location_check: row.location_check,
            purpose: row.purpose,
            outcome: row.outcome,
            business_date: row.business_date,
            id: row.id.into(),
            rep_id: row.rep_id.into(),
            team_id: row.team_id,
            lead_id: row.lead_id.map(String::from),
            seller_account_id: row.seller_account_id.map(String::from),
            visited_at: row.visited_at.and_utc(),
            market: row.market,
            district: row.district,
            stall_no: row.stall_no,
            notes: row.notes,
            next_follow_up_at: row.next_follow_up_at.map(|t| t.and_utc()),
            duration_minutes: row.duration_minutes,
            received_at: row.received_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
            version: row.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VisitPage {
    pub items: Vec<Visit>,
    pub next_cursor: Option<String>,
}
