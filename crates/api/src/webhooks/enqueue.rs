//! From an event to deliveries: one pending delivery per active subscription whose types
//! match and whose creator may see the record. Runs inside the caller's transaction, so an
//! event and its deliveries are stored together or not at all, and a repeat of the same event
//! adds nothing (one delivery per event and subscription).

use crate::error::ApiResult;
use ironfield_auth::Scope;
use ironfield_domain::ids::{DeliveryId, EventId, ServiceAccountId, TeamId, UserId, WebhookId};
use ironfield_domain::webhook::{CreatorType, DeliveryStatus};
use ironfield_domain::Role;
use ironfield_persistence::webhooks::{self, DeliveryRow, WebhookRow};
use ironfield_persistence::TeamScope;
use ironfield_persistence::{service_accounts, users, DbConnection, DbError, Timestamp};

/// What fan-out needs to know of an event.
#[derive(Debug, Clone, Copy)]
pub struct EventEnvelope<'a> {
    pub event_id: &'a EventId,
    pub event_type: &'a str,
    /// `lead`, `seller_account`, `visit`, `meeting`, `target` (or `webhook` for a test event).
    pub record_type: &'a str,
    pub team_id: Option<&'a TeamId>,
    pub occurred_at: Timestamp,
    /// The event as JSON: the exact body every attempt sends.
    pub body: &'a str,
}

/// The read scope a service account needs to receive events about `record_type`.
pub fn read_scope(record_type: &str) -> Option<Scope> {
    Some(match record_type {
        "lead" => Scope::LeadsRead,
        "seller_account" => Scope::AccountsRead,
        "visit" => Scope::VisitsRead,
        "meeting" => Scope::MeetingsRead,
        "target" => Scope::TargetsRead,
        _ => return None,
    })
}

/// Enqueues `event` for every matching subscription created before it occurred (a new
/// subscription receives events from its creation on, never the history before it);
/// answers how many deliveries were added.
pub fn enqueue_event(
    conn: &mut DbConnection,
    event: EventEnvelope<'_>,
    now: Timestamp,
) -> ApiResult<usize> {
    let mut added = 0;
    for hook in webhooks::active(conn)? {
        if hook.created_at <= event.occurred_at
            && hook.wants(event.event_type)
            && creator_may_see(conn, &hook, event)?
        {
            added += usize::from(enqueue_for(conn, &hook.id, event, now)?);
        }
    }
    Ok(added)
}

/// Enqueues `event` for one subscription whatever its types (a `webhook.test`).
pub fn enqueue_for(
    conn: &mut DbConnection,
    webhook_id: &WebhookId,
    event: EventEnvelope<'_>,
    now: Timestamp,
) -> ApiResult<bool> {
    Ok(webhooks::enqueue(
        conn,
        &DeliveryRow {
            id: DeliveryId::new(),
            webhook_id: webhook_id.clone(),
            event_id: event.event_id.clone(),
            event_type: event.event_type.to_owned(),
            payload: event.body.to_owned(),
            attempt: 0,
            status: DeliveryStatus::Pending,
            response_status: None,
            duration_ms: None,
            error: None,
            next_attempt_at: Some(now),
            claimed_until: None,
            created_at: now,
        },
    )?)
}

/// Whether the subscription's creator, as they are now, could read the event's record:
/// an active admin sees everything; a live service account needs the record type's `:read`
/// scope. Anyone else (a demoted or deactivated user, a deleted account) sees nothing.
fn creator_may_see(
    conn: &mut DbConnection,
    hook: &WebhookRow,
    event: EventEnvelope<'_>,
) -> ApiResult<bool> {
    if hook.creator_kind == CreatorType::ServiceAccount {
        let Some(creator) = ServiceAccountId::parse(&hook.created_by) else {
            return Ok(false);
        };
        let account = match service_accounts::find_live(conn, &creator) {
            Ok(account) => account,
            Err(DbError::NotFound) => return Ok(false),
            Err(other) => return Err(other.into()),
        };
        return Ok(read_scope(event.record_type).is_some_and(|s| account.scopes.contains(s)));
    }
    // A person's subscription names them; other text names nobody.
    let Some(creator) = UserId::parse(&hook.created_by) else {
        return Ok(false);
    };
    let user = match users::find(conn, &TeamScope::everything(), &creator) {
        Ok(user) => user,
        Err(DbError::NotFound) => return Ok(false),
        Err(other) => return Err(other.into()),
    };
    Ok(user.is_active() && user.role == Role::Admin)
}
