//! People: `/users`, `/users/{id}`, `/me`.

mod create;
mod deactivate;
mod list;
mod read;
mod update;

use crate::services::users::find_visible;
use chrono::{DateTime, Utc};
use ironfield_domain::Role;
use ironfield_persistence::users::UserRow;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(read::me)
        .service(list::list_users)
        .service(create::create_user)
        .service(read::get_user)
        .service(update::update_user)
        .service(deactivate::deactivate_user);
}

/// A person who signs in. Never carries a password or its hash.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b", "email": "wang.fang@example.com",
    "name": "王芳", "phone": "+8613800138000", "role": "rep",
    "team_id": "0193a1b2-0000-7000-8000-000000000001", "active": true,
    "created_at": "2026-11-01T00:30:00Z", "updated_at": "2026-11-01T00:30:00Z", "version": 1
}))]
pub struct User {
    #[schema(format = Uuid)]
    pub id: String,
    pub email: String,
    pub name: String,
    pub phone: Option<String>,
    pub role: Role,
    #[schema(format = Uuid)]
    pub team_id: Option<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        User {
            active: row.is_active(),
            role: row.role,
            id: row.id.into(),
            email: row.email,
            name: row.name,
            phone: row.phone,
            team_id: row.team_id,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
            version: row.version,
        }
    }
}

/// A page of users.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserPage {
    pub items: Vec<User>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}
