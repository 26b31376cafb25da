//! Monthly targets, progress against them, and the leaderboard.

mod leaderboard;
mod list;
mod progress;
mod put;
mod scope;

use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, Utc};
use ironfield_domain::calendar::Period;
use ironfield_domain::pacing::{Metric, SubjectType};
use ironfield_persistence::targets::TargetRow;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list::list_targets)
        .service(put::put_targets)
        .service(progress::target_progress)
        .service(leaderboard::leaderboard);
}

/// One month's target for one rep or team and one metric.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a1b2-0000-7000-8000-0000000000f1", "period": "2026-11", "subject_type": "user",
    "subject_id": "0193a1b2-0000-7000-8000-0000000000a1", "metric": "visits", "value": 260,
    "team_id": "0193a1b2-0000-7000-8000-000000000001", "updated_at": "2026-11-01T01:00:00Z", "version": 1}))]
pub struct Target {
    #[schema(format = Uuid)]
    pub id: String,
    /// `YYYY-MM`, a month in the organisation's time zone.
    #[schema(pattern = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$", example = "2026-11")]
    pub period: String,
    pub subject_type: SubjectType,
    #[schema(format = Uuid)]
    pub subject_id: String,
    pub metric: Metric,
    /// Counts, or minor units of the default currency for `contract_value`.
    pub value: i64,
    /// The team the target belongs to (the rep's team when it was set, or the team itself).
    #[schema(format = Uuid)]
    pub team_id: Option<String>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<TargetRow> for Target {
    fn from(row: TargetRow) -> Self {
        Target {
            subject_type: row.subject_type,
            metric: row.metric,
            id: row.id.into(),
            period: row.period.to_string(),
            subject_id: row.subject_id,
            value: row.value,
            team_id: row.team_id.map(String::from),
            updated_at: row.updated_at.and_utc(),
            version: row.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TargetPage {
    pub items: Vec<Target>,
    pub next_cursor: Option<String>,
}

/// A `YYYY-MM` period from a path or query.
pub(crate) fn period(field: &str, text: &str) -> ApiResult<Period> {
    Period::parse(text).map_err(|m| ApiError::invalid_field(field, m))
}
