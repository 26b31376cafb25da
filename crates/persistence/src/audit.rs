//! The audit trail: every change of every record, with its actor, time and the fields changed
//! (old and new values). Written in the same transaction as the change it describes.

use crate::error::DbError;
use crate::pagination::{Page, PageRequest};
use crate::schema::audit_events;
use crate::stored::Stored;
use crate::{paginate, DbConnection, Timestamp};
use diesel::prelude::*;
use ironfield_domain::ids::AuditEventId;
use serde::Serialize;
use serde_json::{json, Map, Value};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub struct AuditRow {
    #[diesel(deserialize_as = Stored)]
    pub id: AuditEventId,
    pub entity_type: String,
    pub entity_id: String,
    pub action: String,
    pub actor_id: String,
    pub changes: String,
    pub created_at: Timestamp,
}

/// The fields a change touched, as `{field: {"old": .., "new": ..}}`; unchanged fields are
/// left out.
#[derive(Debug, Default, Clone)]
pub struct ChangeSet(Map<String, Value>);

impl ChangeSet {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `field` if `old` and `new` differ.
    pub fn field<T: Serialize + PartialEq>(&mut self, field: &str, old: &T, new: &T) -> &mut Self {
        if old != new {
            self.0
                .insert(field.to_owned(), json!({"old": old, "new": new}));
        }
        self
    }

    /// Records `field` as a change from `old` (when it differed), or as set on create when
    /// there is no `old`.
    pub fn diff<T: Serialize + PartialEq>(
        &mut self,
        field: &str,
        old: Option<&T>,
        new: &T,
    ) -> &mut Self {
        match old {
            Some(old) => self.field(field, old, new),
            None => self.set(field, new),
        }
    }

    /// Records a value that was set (on create), as `{"new": value}`.
    pub fn set<T: Serialize>(&mut self, field: &str, new: &T) -> &mut Self {
        self.0.insert(field.to_owned(), json!({"new": new}));
        self
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_value(self) -> Value {
        Value::Object(self.0)
    }
}

pub struct NewEvent<'a> {
    pub entity_type: &'a str,
    pub entity_id: &'a str,
    pub action: &'a str,
    pub actor_id: &'a str,
    pub changes: Value,
    pub at: Timestamp,
}

/// Records one change in the caller's transaction.
pub fn record(conn: &mut DbConnection, event: NewEvent<'_>) -> Result<(), DbError> {
    record_many(conn, vec![event])
}

/// Columns of `audit_events`, for sizing multi-row INSERTs.
const AUDIT_COLUMNS: usize = 7;

/// Records many events in the caller's transaction with multi-row INSERTs (a batch of
/// visits), in the order given.
pub fn record_many(conn: &mut DbConnection, events: Vec<NewEvent<'_>>) -> Result<(), DbError> {
    let rows: Vec<_> = events
        .into_iter()
        .map(|event| {
            (
                audit_events::id.eq(Stored::from(AuditEventId::new())),
                audit_events::entity_type.eq(event.entity_type),
                audit_events::entity_id.eq(event.entity_id),
                audit_events::action.eq(event.action),
                audit_events::actor_id.eq(event.actor_id),
                audit_events::changes.eq(event.changes.to_string()),
                audit_events::created_at.eq(event.at),
            )
        })
        .collect();
    for chunk in rows.chunks(crate::BULK_BIND_PARAMETERS / AUDIT_COLUMNS) {
        // Per backend: diesel's multi-connection has no multi-row INSERT of its own.
        let insert = diesel::insert_into(audit_events::table).values(chunk.to_vec());
        match conn {
            DbConnection::Postgresql(conn) => insert.execute(conn)?,
            DbConnection::Sqlite(conn) => insert.execute(conn)?,
        };
    }
    Ok(())
}

/// The history of one record, newest first.
pub fn list(
    conn: &mut DbConnection,
    entity_type: &str,
    entity_ids: &[String],
    page: &PageRequest,
) -> Result<Page<AuditRow>, DbError> {
    let query = audit_events::table
        .filter(audit_events::entity_type.eq(entity_type.to_owned()))
        .filter(audit_events::entity_id.eq_any(entity_ids.to_vec()))
        .select(AuditRow::as_select())
        .into_boxed();
    let rows = paginate!(query, audit_events, page).load(conn)?;
    Ok(Page::from_rows(rows, page.limit, |e: &AuditRow| {
        (e.created_at, e.id.to_string())
    }))
}
