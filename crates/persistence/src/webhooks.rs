//! Webhook subscriptions and their deliveries (one row per event and subscription).
//!
//! A delivery is claimed by one process at a time: the claim sets `claimed_until` (a lease)
//! inside a transaction that, on PostgreSQL, locks the candidate rows `FOR UPDATE SKIP
//! LOCKED`, so two processes never pick the same row, and a process that dies mid-send lets
//! the lease run out and another one resend (at least once; receivers drop repeats by
//! `event_id`).

use crate::error::DbError;
use crate::pagination::{Page, PageRequest};
use crate::schema::{job_cursors, webhook_deliveries, webhook_delivery_attempts, webhooks};
use crate::stored::Stored;
use crate::{paginate, DbConnection, Timestamp};
use diesel::prelude::*;
use ironfield_domain::ids::{DeliveryId, EventId, WebhookId};
use ironfield_domain::webhook::{CreatorType, DeliveryStatus};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhooks)]
pub struct WebhookRow {
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub id: WebhookId,
    pub url: String,
    /// The subscribed event types (a JSON array of their names); empty is every type.
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub event_types: Vec<String>,
    pub active: i64,
    pub description: Option<String>,
    pub secret: String,
    pub created_by: String,
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub creator_kind: CreatorType,
    pub failure_streak: i64,
    pub disabled_reason: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

impl WebhookRow {
    pub fn is_active(&self) -> bool {
        self.active != 0
    }

    /// Whether an event of `event_type` is for this subscription (no types: every one is).
    pub fn wants(&self, event_type: &str) -> bool {
        self.event_types.is_empty() || self.event_types.iter().any(|t| t == event_type)
    }
}

/// What a PATCH may change; `version` is bumped by the update itself.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = webhooks, treat_none_as_null = true)]
pub struct WebhookChanges {
    pub url: String,
    #[diesel(serialize_as = Stored)]
    pub event_types: Vec<String>,
    pub active: i64,
    pub description: Option<String>,
    pub failure_streak: i64,
    pub disabled_reason: Option<String>,
    pub updated_at: Timestamp,
}

pub fn insert(conn: &mut DbConnection, row: &WebhookRow) -> Result<(), DbError> {
    // By value: the typed creator (`Stored`) makes diesel's insert owned-only.
    diesel::insert_into(webhooks::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &WebhookId) -> Result<Option<WebhookRow>, DbError> {
    Ok(webhooks::table
        .find(id.as_str())
        .select(WebhookRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn count(conn: &mut DbConnection) -> Result<i64, DbError> {
    Ok(webhooks::table.count().get_result(conn)?)
}

/// Newest first; `created_by` narrows to one creator's subscriptions (a service account's view).
pub fn list(
    conn: &mut DbConnection,
    created_by: Option<&str>,
    page: &PageRequest,
) -> Result<Page<WebhookRow>, DbError> {
    let mut query = webhooks::table.select(WebhookRow::as_select()).into_boxed();
    if let Some(creator) = created_by {
        query = query.filter(webhooks::created_by.eq(creator.to_owned()));
    }
    let rows = paginate!(query, webhooks, page).load(conn)?;
    Ok(Page::from_rows(rows, page.limit, |w: &WebhookRow| {
        (w.created_at, w.id.to_string())
    }))
}

/// Every active subscription, for fan-out.
pub fn active(conn: &mut DbConnection) -> Result<Vec<WebhookRow>, DbError> {
    Ok(webhooks::table
        .filter(webhooks::active.eq(1))
        .select(WebhookRow::as_select())
        .order(webhooks::id)
        .load(conn)?)
}

/// Writes `changes` if the row is still at `version`; `false` when it moved on or is gone.
pub fn update(
    conn: &mut DbConnection,
    id: &WebhookId,
    version: i64,
    changes: &WebhookChanges,
) -> Result<bool, DbError> {
    let updated = diesel::update(
        webhooks::table
            .find(id.as_str())
            .filter(webhooks::version.eq(version)),
    )
    // By value: the typed list (`Stored`) makes diesel's changeset owned-only.
    .set((changes.clone(), webhooks::version.eq(version + 1)))
    .execute(conn)?;
    Ok(updated == 1)
}

pub fn set_secret(
    conn: &mut DbConnection,
    id: &WebhookId,
    secret: &str,
    now: Timestamp,
) -> Result<(), DbError> {
    diesel::update(webhooks::table.find(id.as_str()))
        .set((
            webhooks::secret.eq(secret),
            webhooks::updated_at.eq(now),
            webhooks::version.eq(webhooks::version + 1),
        ))
        .execute(conn)?;
    Ok(())
}

/// Deletes the subscription and its deliveries.
pub fn delete(conn: &mut DbConnection, id: &WebhookId) -> Result<(), DbError> {
    diesel::delete(
        webhook_deliveries::table.filter(webhook_deliveries::webhook_id.eq(id.as_str())),
    )
    .execute(conn)?;
    diesel::delete(webhooks::table.find(id.as_str())).execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_deliveries)]
pub struct DeliveryRow {
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub id: DeliveryId,
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub webhook_id: WebhookId,
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub event_id: EventId,
    pub event_type: String,
    pub payload: String,
    pub attempt: i64,
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub status: DeliveryStatus,
    pub response_status: Option<i64>,
    pub duration_ms: Option<i64>,
    pub error: Option<String>,
    pub next_attempt_at: Option<Timestamp>,
    pub claimed_until: Option<Timestamp>,
    pub created_at: Timestamp,
}

/// Adds a pending delivery unless this event already has one for this subscription; `true`
/// when a row was added. Never aborts the surrounding transaction on a repeat.
pub fn enqueue(conn: &mut DbConnection, row: &DeliveryRow) -> Result<bool, DbError> {
    let added = match conn {
        DbConnection::Sqlite(c) => diesel::insert_into(webhook_deliveries::table)
            .values(row.clone())
            .on_conflict_do_nothing()
            .execute(c)?,
        DbConnection::Postgresql(c) => diesel::insert_into(webhook_deliveries::table)
            .values(row.clone())
            .on_conflict_do_nothing()
            .execute(c)?,
    };
    Ok(added == 1)
}

pub fn find_delivery(conn: &mut DbConnection, id: &DeliveryId) -> Result<DeliveryRow, DbError> {
    Ok(webhook_deliveries::table
        .find(id.as_str())
        .select(DeliveryRow::as_select())
        .first(conn)?)
}

/// One subscription's deliveries, newest first.
pub fn list_deliveries(
    conn: &mut DbConnection,
    webhook_id: &WebhookId,
    page: &PageRequest,
) -> Result<Page<DeliveryRow>, DbError> {
    let query = webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq(webhook_id.to_string()))
        .select(DeliveryRow::as_select())
        .into_boxed();
    let rows = paginate!(query, webhook_deliveries, page).load(conn)?;
    Ok(Page::from_rows(rows, page.limit, |d: &DeliveryRow| {
        (d.created_at, d.id.to_string())
    }))
}

/// Whether any delivery is due: a cheap read before taking a write transaction to claim.
pub fn has_due(conn: &mut DbConnection, now: Timestamp) -> Result<bool, DbError> {
    let due: Option<String> = webhook_deliveries::table
        .filter(webhook_deliveries::status.eq(Stored::from(DeliveryStatus::Pending)))
        .filter(webhook_deliveries::next_attempt_at.le(now))
        .filter(
            webhook_deliveries::claimed_until
                .is_null()
                .or(webhook_deliveries::claimed_until.lt(now)),
        )
        .select(webhook_deliveries::id)
        .first(conn)
        .optional()?;
    Ok(due.is_some())
}

/// A delivery leased to this process, with what it takes to send it.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub delivery: DeliveryRow,
    pub url: String,
    pub secret: String,
}

/// Inside a transaction: leases up to `limit` due deliveries of active subscriptions until
/// `lease_until`, at most `per_webhook` of any one subscription and none of the subscriptions
/// in `busy` (those already at their limit of requests in flight here).
pub fn claim_due(
    conn: &mut DbConnection,
    now: Timestamp,
    lease_until: Timestamp,
    busy: &[WebhookId],
    limit: usize,
    per_webhook: usize,
) -> Result<Vec<Claimed>, DbError> {
    // Look a little further than `limit` so one subscription's backlog does not hide others.
    let window = i64::try_from(limit.saturating_mul(4)).unwrap_or(i64::MAX);
    let busy: Vec<&str> = busy.iter().map(WebhookId::as_str).collect();
    macro_rules! candidates {
        ($c:expr $(, $lock:ident)?) => {{
            let query = webhook_deliveries::table
                .inner_join(webhooks::table)
                .filter(webhook_deliveries::status.eq(Stored::from(DeliveryStatus::Pending)))
                .filter(webhook_deliveries::next_attempt_at.le(now))
                .filter(
                    webhook_deliveries::claimed_until
                        .is_null()
                        .or(webhook_deliveries::claimed_until.lt(now)),
                )
                .filter(webhooks::active.eq(1))
                .filter(diesel::dsl::not(webhook_deliveries::webhook_id.eq_any(&busy)))
                .order((webhook_deliveries::next_attempt_at, webhook_deliveries::id))
                .limit(window)
                .select((DeliveryRow::as_select(), webhooks::url, webhooks::secret));
            $(let query = query.$lock().skip_locked();)?
            query.load::<(DeliveryRow, String, String)>($c)?
        }};
    }
    let rows = match conn {
        DbConnection::Sqlite(c) => candidates!(c),
        // `FOR UPDATE OF webhook_deliveries`: diesel locks the joined rows too; that only
        // makes concurrent claimers skip more, never pick the same delivery.
        DbConnection::Postgresql(c) => candidates!(c, for_update),
    };
    let mut per: std::collections::HashMap<WebhookId, usize> = Default::default();
    let mut chosen = Vec::new();
    for (delivery, url, secret) in rows {
        if chosen.len() == limit {
            break;
        }
        let n = per.entry(delivery.webhook_id.clone()).or_default();
        if *n >= per_webhook {
            continue;
        }
        *n += 1;
        chosen.push(Claimed {
            delivery,
            url,
            secret,
        });
    }
    let ids: Vec<&str> = chosen.iter().map(|c| c.delivery.id.as_str()).collect();
    if !ids.is_empty() {
        diesel::update(webhook_deliveries::table.filter(webhook_deliveries::id.eq_any(ids)))
            .set(webhook_deliveries::claimed_until.eq(lease_until))
            .execute(conn)?;
    }
    Ok(chosen)
}

/// The outcome of one attempt, as recorded.
#[derive(Debug, Clone)]
pub struct AttemptOutcome {
    pub succeeded: bool,
    pub response_status: Option<i64>,
    pub duration_ms: i64,
    pub error: Option<String>,
    /// When to try again; `None` when the delivery is done (succeeded, or failed for good).
    pub next_attempt_at: Option<Timestamp>,
}

/// One try of a delivery, as logged.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_delivery_attempts)]
pub struct AttemptRow {
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub delivery_id: DeliveryId,
    pub attempt: i64,
    pub attempted_at: Timestamp,
    pub response_status: Option<i64>,
    pub duration_ms: i64,
    pub error: Option<String>,
}

/// Every try of the given deliveries, oldest first (a delivery is tried a few dozen times at
/// most in its 24 hours, and a page holds at most 200 deliveries).
pub fn attempts_of(
    conn: &mut DbConnection,
    delivery_ids: &[DeliveryId],
) -> Result<Vec<AttemptRow>, DbError> {
    let delivery_ids: Vec<&str> = delivery_ids.iter().map(DeliveryId::as_str).collect();
    Ok(webhook_delivery_attempts::table
        .filter(webhook_delivery_attempts::delivery_id.eq_any(delivery_ids))
        .select(AttemptRow::as_select())
        .order((
            webhook_delivery_attempts::delivery_id,
            webhook_delivery_attempts::attempt,
        ))
        .load(conn)?)
}

/// Records an attempt on a delivery (the delivery row and the attempts log) and moves the subscription's failure streak; disables the
/// subscription once the streak reaches `disable_after`. Answers whether it was disabled now.
pub fn record_attempt(
    conn: &mut DbConnection,
    delivery: &DeliveryRow,
    outcome: &AttemptOutcome,
    disable_after: i64,
    now: Timestamp,
) -> Result<bool, DbError> {
    let status = Stored::from(if outcome.succeeded {
        DeliveryStatus::Succeeded
    } else if outcome.next_attempt_at.is_some() {
        DeliveryStatus::Pending
    } else {
        DeliveryStatus::Failed
    });
    // By value: the typed delivery id (`Stored`) makes diesel's insert owned-only.
    diesel::insert_into(webhook_delivery_attempts::table)
        .values(AttemptRow {
            delivery_id: delivery.id.clone(),
            attempt: delivery.attempt + 1,
            attempted_at: now,
            response_status: outcome.response_status,
            duration_ms: outcome.duration_ms,
            error: outcome.error.clone(),
        })
        .execute(conn)?;
    diesel::update(webhook_deliveries::table.find(delivery.id.as_str()))
        .set((
            webhook_deliveries::attempt.eq(webhook_deliveries::attempt + 1),
            webhook_deliveries::status.eq(status),
            webhook_deliveries::response_status.eq(outcome.response_status),
            webhook_deliveries::duration_ms.eq(Some(outcome.duration_ms)),
            webhook_deliveries::error.eq(outcome.error.as_deref()),
            webhook_deliveries::next_attempt_at.eq(outcome.next_attempt_at),
            webhook_deliveries::claimed_until.eq(None::<Timestamp>),
        ))
        .execute(conn)?;
    if outcome.succeeded {
        diesel::update(webhooks::table.find(delivery.webhook_id.as_str()))
            .set(webhooks::failure_streak.eq(0))
            .execute(conn)?;
        return Ok(false);
    }
    diesel::update(webhooks::table.find(delivery.webhook_id.as_str()))
        .set(webhooks::failure_streak.eq(webhooks::failure_streak + 1))
        .execute(conn)?;
    // Disabling is a change of the record: it bumps the version so a stale PATCH is 412.
    let disabled = diesel::update(
        webhooks::table
            .find(delivery.webhook_id.as_str())
            .filter(webhooks::active.eq(1))
            .filter(webhooks::failure_streak.ge(disable_after)),
    )
    .set((
        webhooks::active.eq(0),
        webhooks::disabled_reason.eq(Some(format!(
            "disabled after {disable_after} consecutive failed attempts"
        ))),
        webhooks::updated_at.eq(now),
        webhooks::version.eq(webhooks::version + 1),
    ))
    .execute(conn)?;
    Ok(disabled == 1)
}

/// Where a background job that reads the event feed has got to.
pub fn cursor(conn: &mut DbConnection, name: &str) -> Result<Option<String>, DbError> {
    Ok(job_cursors::table
        .find(name)
        .select(job_cursors::position)
        .first(conn)
        .optional()?)
}

pub fn save_cursor(
    conn: &mut DbConnection,
    name: &str,
    position: &str,
    now: Timestamp,
) -> Result<(), DbError> {
    let updated = diesel::update(job_cursors::table.find(name))
        .set((
            job_cursors::position.eq(position),
            job_cursors::updated_at.eq(now),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(job_cursors::table)
            .values((
                job_cursors::name.eq(name),
                job_cursors::position.eq(position),
                job_cursors::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}
