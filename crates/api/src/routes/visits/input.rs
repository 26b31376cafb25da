//! A visit as the phone sends it, checked field by field.

use crate::routes::leads::input::LeadCreate;
use crate::routes::visits::VisitLocation;
use chrono::{DateTime, FixedOffset};
use ironfield_domain::visit::{Outcome, Purpose};
use serde::Deserialize;
use utoipa::ToSchema;

/// A visit to log.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "id": "0193a1b2-9999-7000-8000-000000000001", "lead_id": "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b",
    "visited_at": "2026-11-01T07:30:00+08:00", "location": {"lat": 29.3321, "lng": 120.1078, "accuracy_m": 12.0},
    "purpose": "follow_up", "outcome": "interested", "notes": "老板下周回义乌",
    "next_follow_up_at": "2026-11-05T10:00:00+08:00", "duration_minutes": 20
}))]
pub struct VisitInput {
    /// A UUID made on the phone (required in a batch): sending it again returns the stored
    /// visit instead of storing it twice.
    #[schema(format = Uuid)]
    pub id: Option<String>,
    /// Exactly one of `lead_id`, `seller_account_id` and `new_lead`.
    #[schema(format = Uuid)]
    pub lead_id: Option<String>,
    #[schema(format = Uuid)]
    pub seller_account_id: Option<String>,
    /// A new stall captured with its first visit; the lead's duplicate rules apply.
    pub new_lead: Option<LeadCreate>,
    /// The phone's time, with its offset. More than 5 minutes in the future is refused.
    #[schema(value_type = DateTime<chrono::Utc>)]
    pub visited_at: DateTime<FixedOffset>,
    pub location: Option<VisitLocation>,
    #[schema(max_length = 100)]
    pub market: Option<String>,
    #[schema(max_length = 100)]
    pub district: Option<String>,
    #[schema(max_length = 50)]
    pub stall_no: Option<String>,
    pub purpose: Purpose,
    pub outcome: Outcome,
    #[schema(max_length = 4000)]
    pub notes: Option<String>,
    #[schema(value_type = Option<DateTime<chrono::Utc>>)]
    pub next_follow_up_at: Option<DateTime<FixedOffset>>,
    /// 0 to 1440.
    #[schema(minimum = 0, maximum = 1440)]
    pub duration_minutes: Option<i64>,
}
