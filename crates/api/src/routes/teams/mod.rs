//! Teams: `/teams`, `/teams/{id}`, `/teams/{id}/members`.

mod create;
mod list;
mod members;
mod read;
mod update;

use crate::services::teams::find_visible;
use chrono::{DateTime, Utc};
use ironfield_persistence::teams::TeamRow;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list::list_teams)
        .service(create::create_team)
        .service(read::get_team)
        .service(update::update_team)
        .service(members::list_members);
}

/// A team; `parent_id` places it in the tree (a branch's teams have the branch as parent).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a1b2-0000-7000-8000-000000000001", "name": "District 1 — East",
    "parent_id": "0193a1b2-0000-7000-8000-000000000000", "lead_id": null,
    "market": "Yiwu International Trade City, District 1",
    "created_at": "2026-11-01T00:30:00Z", "updated_at": "2026-11-01T00:30:00Z", "version": 1
}))]
pub struct Team {
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    #[schema(format = Uuid)]
    pub parent_id: Option<String>,
    #[schema(format = Uuid)]
    pub lead_id: Option<String>,
    pub market: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<TeamRow> for Team {
    fn from(row: TeamRow) -> Self {
        Team {
            id: row.id.into(),
            name: row.name,
            parent_id: row.parent_id.map(String::from),
            lead_id: row.lead_id.map(String::from),
            market: row.market,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
            version: row.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TeamPage {
    pub items: Vec<Team>,
    pub next_cursor: Option<String>,
}
