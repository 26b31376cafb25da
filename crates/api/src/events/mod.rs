//! Business events: what the change feed (`GET /events`) and webhooks carry.
//!
//! A write emits its events with [`emit`] inside its own transaction (the outbox), so an event
//! exists exactly when its change was committed. [`Event`] is the one JSON shape of an event,
//! for the feed and for webhook bodies alike.

pub mod records;
pub mod targets;
pub mod writes;

use crate::error::ApiResult;
use crate::extract::Caller;
use chrono::{DateTime, Utc};
use ironfield_auth::{Principal, Scope};
use ironfield_domain::ids::{EventId, TeamId};
use ironfield_domain::webhook::CreatorType;
use ironfield_persistence::events::{self as store, EventRow};
use ironfield_persistence::{DbConnection, Timestamp};
use serde::Serialize;
use serde_json::{json, Map, Value};
use utoipa::ToSchema;

macro_rules! event_types {
    ($($variant:ident => ($name:literal, $record:literal)),+ $(,)?) => {
        /// Every event type, with the record type it is about.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum EventType {
            $($variant,)+
        }

        impl EventType {
            pub const ALL: &'static [EventType] = &[$(EventType::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(EventType::$variant => $name,)+
                }
            }

            pub fn record_type(self) -> &'static str {
                match self {
                    $(EventType::$variant => $record,)+
                }
            }

            pub fn parse(name: &str) -> Option<EventType> {
                match name {
                    $($name => Some(EventType::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

event_types! {
    LeadCreated => ("lead.created", "lead"),
    LeadUpdated => ("lead.updated", "lead"),
    LeadStageChanged => ("lead.stage_changed", "lead"),
    LeadAssigned => ("lead.assigned", "lead"),
    LeadMerged => ("lead.merged", "lead"),
    SellerAccountSigned => ("seller_account.signed", "seller_account"),
    SellerAccountUpdated => ("seller_account.updated", "seller_account"),
    SellerAccountRenewed => ("seller_account.renewed", "seller_account"),
    SellerAccountChurned => ("seller_account.churned", "seller_account"),
    VisitLogged => ("visit.logged", "visit"),
    VisitCorrected => ("visit.corrected", "visit"),
    MeetingOpened => ("meeting.opened", "meeting"),
    TargetSet => ("target.set", "target"),
    TargetAchieved => ("target.achieved", "target"),
}

/// The record types a service account's read scopes cover (`leads:read` → lead events, ...).
pub fn record_types_readable(principal: &Principal) -> Vec<&'static str> {
    [
        (Scope::LeadsRead, "lead"),
        (Scope::AccountsRead, "seller_account"),
        (Scope::VisitsRead, "visit"),
        (Scope::MeetingsRead, "meeting"),
        (Scope::TargetsRead, "target"),
    ]
    .into_iter()
    .filter(|(scope, _)| principal.has_scope(*scope))
    .map(|(_, record)| record)
    .collect()
}

/// Who made a change.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventActor {
    /// `user` or `service_account`.
    #[serde(rename = "type")]
    #[schema(pattern = "^(user|service_account)$")]
    pub actor_type: String,
    #[schema(format = Uuid)]
    pub id: String,
}

/// One business event.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "event_id": "0193a1b2-0000-7000-8000-00000000ee01", "type": "lead.stage_changed",
    "occurred_at": "2026-11-03T02:10:00Z",
    "actor": {"type": "user", "id": "0193a1b2-0000-7000-8000-0000000000a1"},
    "record_type": "lead", "record_id": "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b",
    "team_id": "0193a1b2-0000-7000-8000-000000000001",
    "data": {"id": "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b", "stage": "negotiating", "version": 4},
    "changes": {"stage": {"from": "visited", "to": "negotiating"}}
}))]
pub struct Event {
    #[schema(format = Uuid)]
    pub event_id: String,
    /// `lead.created`, `lead.updated`, `lead.stage_changed`, `lead.assigned`, `lead.merged`,
    /// `seller_account.signed`, `seller_account.updated`, `seller_account.renewed`,
    /// `seller_account.churned`, `visit.logged`, `visit.corrected`, `meeting.opened`,
    /// `target.set`, `target.achieved`.
    #[serde(rename = "type")]
    pub event_type: String,
    pub occurred_at: DateTime<Utc>,
    pub actor: EventActor,
    /// `lead`, `seller_account`, `visit`, `meeting` or `target`.
    pub record_type: String,
    #[schema(format = Uuid)]
    pub record_id: String,
    #[schema(format = Uuid)]
    pub team_id: Option<String>,
    /// The record as the API returns it after the change.
    #[schema(value_type = Object)]
    pub data: Value,
    /// `{field: {from, to}}` for the fields the change moved, on the events that carry it.
    #[schema(value_type = Option<Object>)]
    pub changes: Option<Value>,
}

impl From<EventRow> for Event {
    fn from(row: EventRow) -> Self {
        Event {
            data: serde_json::from_str(&row.data).unwrap_or(Value::Null),
            changes: row
                .changes
                .as_deref()
                .and_then(|c| serde_json::from_str(c).ok()),
            event_id: row.event_id.into(),
            event_type: row.event_type,
            occurred_at: row.occurred_at.and_utc(),
            actor: EventActor {
                actor_type: row.actor_type.as_str().to_owned(),
                id: row.actor_id,
            },
            record_type: row.record_type,
            record_id: row.record_id,
            team_id: row.team_id.map(String::from),
        }
    }
}

/// The fields a change moved, as `{field: {"from": .., "to": ..}}`.
#[derive(Debug, Default, Clone)]
pub struct Changes(Map<String, Value>);

impl Changes {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `field` if `from` and `to` differ.
    pub fn field<T: Serialize + PartialEq>(mut self, field: &str, from: &T, to: &T) -> Self {
        if from != to {
            self.0
                .insert(field.to_owned(), json!({"from": from, "to": to}));
        }
        self
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The record an event is about.
#[derive(Clone, Copy)]
pub struct Subject<'a> {
    pub id: &'a str,
    pub team_id: Option<&'a TeamId>,
}

/// Appends each of `events` (a change classified by [`records`]) about one record.
pub fn emit_each<T: Serialize>(
    conn: &mut DbConnection,
    caller: &Caller,
    events: Vec<(EventType, Changes)>,
    subject: Subject<'_>,
    data: &T,
    at: Timestamp,
) -> ApiResult<()> {
    for (event_type, changes) in events {
        emit(conn, caller, event_type, subject, data, Some(changes), at)?;
    }
    Ok(())
}

/// Appends events in the caller's transaction with one multi-row INSERT, in the order given;
/// each is `(by whom, type, record, the record's API response, when)`, as [`emit`] without
/// `changes`.
pub fn emit_many<T: Serialize>(
    conn: &mut DbConnection,
    events: &[(&Caller, EventType, Subject<'_>, T, Timestamp)],
) -> ApiResult<()> {
    let rendered = events
        .iter()
        .map(|(_, _, _, data, _)| {
            let data = serde_json::to_value(data).map_err(crate::error::ApiError::internal)?;
            Ok((EventId::new(), data))
        })
        .collect::<ApiResult<Vec<_>>>()?;
    let rows: Vec<store::NewEvent<'_>> = events
        .iter()
        .zip(&rendered)
        .map(|((caller, event_type, subject, _, at), (event_id, data))| {
            new_event(caller, *event_type, *subject, event_id, data, None, *at)
        })
        .collect();
    store::append_many(conn, &rows)?;
    Ok(())
}

/// The stored row of one event by `caller`.
fn new_event<'a>(
    caller: &'a Caller,
    event_type: EventType,
    subject: Subject<'a>,
    event_id: &'a EventId,
    data: &'a Value,
    changes: Option<&'a Value>,
    at: Timestamp,
) -> store::NewEvent<'a> {
    store::NewEvent {
        event_id,
        event_type: event_type.as_str(),
        occurred_at: at,
        actor_type: match caller.principal {
            Principal::User { .. } => CreatorType::User,
            Principal::Service { .. } => CreatorType::ServiceAccount,
        },
        actor_id: caller.id(),
        record_type: event_type.record_type(),
        record_id: subject.id,
        team_id: subject.team_id,
        data,
        changes,
    }
}

/// Appends one event by `caller` in the caller's transaction. `data` is the record's API
/// response after the change.
pub fn emit<T: Serialize>(
    conn: &mut DbConnection,
    caller: &Caller,
    event_type: EventType,
    subject: Subject<'_>,
    data: &T,
    changes: Option<Changes>,
    at: Timestamp,
) -> ApiResult<()> {
    let data = serde_json::to_value(data).map_err(crate::error::ApiError::internal)?;
    let changes = changes.map(|c| Value::Object(c.0));
    let event_id = EventId::new();
    store::append(
        conn,
        &new_event(
            caller,
            event_type,
            subject,
            &event_id,
            &data,
            changes.as_ref(),
            at,
        ),
    )?;
    Ok(())
}
