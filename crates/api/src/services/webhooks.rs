//! Webhook subscriptions: who manages them (admins, and service accounts holding
//! `webhooks:manage`), which each sees (an admin every one, a service account its own), and
//! their writes, each with its audit record.

use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, IfMatch};
use ironfield_auth::{opaque, Principal, Scope};
use ironfield_domain::ids::WebhookId;
use ironfield_domain::time::now;
use ironfield_domain::webhook::CreatorType;
use ironfield_persistence::audit::ChangeSet;
use ironfield_persistence::webhooks::{self as store, WebhookChanges, WebhookRow};
use ironfield_persistence::DbConnection;

/// At most this many subscriptions in the organisation.
pub const MAX_WEBHOOKS: i64 = 100;

/// Admins, and service accounts holding `webhooks:manage`; else 403.
pub(crate) fn require_manager(caller: &Caller) -> ApiResult<()> {
    match &caller.principal {
        Principal::User { .. } => caller.require_admin(),
        Principal::Service { .. } => caller.require_scope(Scope::WebhooksManage),
    }
}

/// The subscriptions a caller sees: `None` = all (admins), else those it created.
pub(crate) fn creator_filter(caller: &Caller) -> Option<String> {
    match &caller.principal {
        Principal::User { .. } => None,
        Principal::Service { id, .. } => Some(id.to_string()),
    }
}

/// The subscription, if the caller may see it; else 404.
pub(crate) fn find_visible(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &WebhookId,
) -> ApiResult<WebhookRow> {
    let row = store::find(conn, id)?.ok_or_else(|| ApiError::not_found("webhook"))?;
    match creator_filter(caller) {
        Some(creator) if creator != row.created_by => Err(ApiError::not_found("webhook")),
        _ => Ok(row),
    }
}

/// A subscription to create, its fields checked (the URL against the guard).
#[derive(Debug)]
pub struct WebhookDraft {
    pub url: String,
    /// Known types, each once; empty: every type.
    pub event_types: Vec<String>,
    pub active: bool,
    pub description: Option<String>,
}

/// Creates a subscription with a new secret, while there are fewer than [`MAX_WEBHOOKS`]
/// (409 otherwise), and records it. Runs in the caller's write transaction.
pub fn create(
    conn: &mut DbConnection,
    caller: &Caller,
    draft: WebhookDraft,
) -> ApiResult<WebhookRow> {
    require_manager(caller)?;
    let at = now().naive_utc();
    let row = WebhookRow {
        id: WebhookId::new(),
        url: draft.url,
        event_types: draft.event_types,
        active: i64::from(draft.active),
        description: draft.description,
        secret: opaque::generate("whsec_"),
        created_by: caller.id().to_owned(),
        creator_kind: match caller.principal {
            Principal::User { .. } => CreatorType::User,
            Principal::Service { .. } => CreatorType::ServiceAccount,
        },
        failure_streak: 0,
        disabled_reason: None,
        created_at: at,
        updated_at: at,
        version: 1,
    };
    if store::count(conn)? >= MAX_WEBHOOKS {
        return Err(ApiError::conflict(format!(
            "at most {MAX_WEBHOOKS} webhook subscriptions; delete one first"
        )));
    }
    store::insert(conn, &row)?;
    let mut changes = ChangeSet::new();
    changes
        .set("url", &row.url)
        .set("event_types", &row.event_types);
    let id = row.id.as_str();
    crate::services::audit::record(conn, caller, "webhook", id, "created", changes, at)?;
    Ok(row)
}

/// A change of a subscription whose fields passed their checks (`None`: leave as it is).
#[derive(Debug, Default)]
pub struct WebhookChange {
    pub url: Option<String>,
    pub event_types: Option<Vec<String>>,
    pub description: Option<Option<String>>,
    pub active: Option<bool>,
}

/// Changes a subscription the caller sees, under If-Match (412); re-enabling one resets its
/// failure streak, and an active one has no disabled reason. Runs in the caller's write
/// transaction.
pub fn update(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &WebhookId,
    change: WebhookChange,
    if_match: &IfMatch,
) -> ApiResult<WebhookRow> {
    let row = find_visible(conn, caller, id)?;
    if_match.check(row.version)?;
    let at = now().naive_utc();
    let active = change.active.unwrap_or(row.is_active());
    let reenabled = active && !row.is_active();
    let mut changes = ChangeSet::new();
    let next = WebhookChanges {
        url: change.url.unwrap_or_else(|| row.url.clone()),
        event_types: change
            .event_types
            .unwrap_or_else(|| row.event_types.clone()),
        active: i64::from(active),
        description: change
            .description
            .unwrap_or_else(|| row.description.clone()),
        failure_streak: if reenabled { 0 } else { row.failure_streak },
        disabled_reason: if active {
            None
        } else {
            row.disabled_reason.clone()
        },
        updated_at: at,
    };
    changes
        .field("url", &row.url, &next.url)
        .field("event_types", &row.event_types, &next.event_types)
        .field("active", &row.is_active(), &active)
        .field("description", &row.description, &next.description);
    if !store::update(conn, id, row.version, &next)? {
        return Err(ApiError::precondition_failed());
    }
    let text = id.as_str();
    crate::services::audit::record(conn, caller, "webhook", text, "updated", changes, at)?;
    find_visible(conn, caller, id)
}

/// Gives a subscription a new signing secret, under If-Match (412), and records it. Runs in
/// the caller's write transaction.
pub fn rotate_secret(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &WebhookId,
    if_match: &IfMatch,
) -> ApiResult<WebhookRow> {
    let row = find_visible(conn, caller, id)?;
    if_match.check(row.version)?;
    let at = now().naive_utc();
    let secret = opaque::generate("whsec_");
    store::set_secret(conn, id, &secret, at)?;
    crate::services::audit::record(
        conn,
        caller,
        "webhook",
        id.as_str(),
        "secret_rotated",
        ChangeSet::new(),
        at,
    )?;
    find_visible(conn, caller, id)
}

/// Deletes a subscription (its pending deliveries and history with it) under If-Match
/// (412), and records it. Runs in the caller's write transaction.
pub fn delete(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &WebhookId,
    if_match: &IfMatch,
) -> ApiResult<()> {
    let row = find_visible(conn, caller, id)?;
    if_match.check(row.version)?;
    store::delete(conn, id)?;
    let mut changes = ChangeSet::new();
    changes.set("url", &row.url);
    crate::services::audit::record(
        conn,
        caller,
        "webhook",
        id.as_str(),
        "deleted",
        changes,
        now().naive_utc(),
    )
}
