//! Audit events as the API shows them (the history endpoints of each resource).

use crate::blocking;
use crate::error::ApiResult;
use crate::extract::{page_request, Caller};
use crate::reply::Reply;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use ironfield_persistence::audit::{self, AuditRow};
use ironfield_persistence::DbConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// One change of a record.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a1b2-0000-7000-8000-00000000e001", "entity_type": "lead",
    "entity_id": "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b", "action": "stage_changed",
    "actor_id": "0193a1b2-0000-7000-8000-0000000000a1",
    "changes": {"stage": {"old": "visited", "new": "negotiating"}}, "at": "2026-11-03T02:10:00Z"
}))]
pub struct AuditEvent {
    #[schema(format = Uuid)]
    pub id: String,
    pub entity_type: String,
    #[schema(format = Uuid)]
    pub entity_id: String,
    /// `created`, `updated`, `stage_changed`, `assigned`, `archived`, `converted`, `merged`,
    /// `renewed`, `visit_logged`, ...
    pub action: String,
    #[schema(format = Uuid)]
    pub actor_id: String,
    /// `{field: {"old": ..., "new": ...}}` for each field the change touched.
    #[schema(value_type = Object)]
    pub changes: serde_json::Value,
    pub at: DateTime<Utc>,
}

impl From<AuditRow> for AuditEvent {
    fn from(row: AuditRow) -> Self {
        AuditEvent {
            changes: serde_json::from_str(&row.changes).unwrap_or_default(),
            id: row.id.into(),
            entity_type: row.entity_type,
            entity_id: row.entity_id,
            action: row.action,
            actor_id: row.actor_id,
            at: row.created_at.and_utc(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEvent>,
    pub next_cursor: Option<String>,
}

/// Just a page: `limit` and `cursor`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items per page, 1 to 200 (default 50); more is 422.
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page; absent for the first.
    pub cursor: Option<String>,
}

impl From<ironfield_persistence::Page<AuditRow>> for AuditPage {
    fn from(page: ironfield_persistence::Page<AuditRow>) -> Self {
        AuditPage {
            items: page.items.into_iter().map(AuditEvent::from).collect(),
            next_cursor: page.next_cursor,
        }
    }
}

/// A history endpoint's answer: `records` finds the record the caller asked for (answering
/// 404 when they cannot see it) and names the ids of `entity_type` whose audit events make
/// up its history; this reads one page of them, newest first.
pub(crate) async fn history(
    state: &AppState,
    caller: Caller,
    query: PageQuery,
    entity_type: &'static str,
    records: impl FnOnce(&mut DbConnection, &Caller) -> ApiResult<Vec<String>> + Send + 'static,
) -> ApiResult<Reply> {
    let page = page_request(query.limit, query.cursor.as_deref())?;
    let page = blocking::read(state, move |conn| {
        let ids = records(conn, &caller)?;
        Ok(audit::list(conn, entity_type, &ids, &page)?)
    })
    .await?;
    Ok(Reply::ok(&AuditPage::from(page)))
}
