//! The step from the events outbox to webhook deliveries, run once across all processes.
//!
//! Each round, whoever holds the advisory lock (`jobs::try_lock`; SQLite is single-process)
//! reads the events committed after the stored cursor (`events::read_after`, commit order),
//! enqueues one delivery per matching subscription, and moves the cursor, all in one
//! transaction: a process killed half-way leaves neither deliveries nor cursor behind, and the
//! next round (in any process) does the same events again. An event therefore reaches its
//! deliveries exactly once, however the processes die.

use super::enqueue::{enqueue_event, EventEnvelope};
use crate::blocking;
use crate::error::{ApiError, ApiResult};
use crate::events::Event;
use crate::state::AppState;
use actix_web::web;
use ironfield_domain::time::now;
use ironfield_persistence::events::{self, EventCursor, EventFilter};
use ironfield_persistence::{jobs, webhooks, DbConnection, TeamScope};
use std::time::Duration;

/// The advisory lock of the fan-out (the periodic jobs' number space, see `jobs`).
pub const FANOUT_LOCK: i64 = 0x1F0_0010;
/// Where the fan-out keeps its cursor (`job_cursors.name`).
const CURSOR_NAME: &str = "webhook_fanout";
/// Events per round.
const BATCH: i64 = 200;
/// How often new events are looked for.
const EVERY: Duration = Duration::from_millis(250);

/// Runs forever; `server::start` spawns it.
pub async fn run(state: web::Data<AppState>) {
    loop {
        tokio::time::sleep(EVERY).await;
        match round(&state).await {
            Ok(0) => {}
            Ok(added) => tracing::debug!(added, "webhook deliveries enqueued"),
            Err(error) => tracing::warn!(%error, "webhook fan-out failed"),
        }
    }
}

/// One round; answers how many deliveries it added.
async fn round(state: &AppState) -> ApiResult<usize> {
    // A cheap read first: most rounds find nothing new and need no write transaction.
    let behind = blocking::read(state, |conn| {
        let cursor = stored_cursor(conn)?;
        // Every event: each subscription's own view is applied when it is enqueued.
        let everything = TeamScope::everything();
        let (next, _) = events::read_after(conn, &everything, cursor, &EventFilter::default(), 1)?;
        Ok(!next.is_empty())
    })
    .await?;
    if !behind {
        return Ok(0);
    }
    blocking::write(state, fan_out).await
}

/// Inside one transaction: enqueue the next batch of events and move the cursor past them.
pub fn fan_out(conn: &mut DbConnection) -> ApiResult<usize> {
    if !jobs::try_lock(conn, FANOUT_LOCK)? {
        return Ok(0);
    }
    let at = now();
    // No cursor yet: from the oldest event kept. Events from before a subscription existed
    // are not sent to it (`enqueue_event`), so nothing old is replayed.
    let cursor = stored_cursor(conn)?;
    // Every event: each subscription's own view is applied when it is enqueued.
    let everything = TeamScope::everything();
    let (rows, next) =
        events::read_after(conn, &everything, cursor, &EventFilter::default(), BATCH)?;
    if rows.is_empty() {
        // Nothing new: the cursor stays (moving it to the horizon would be a write per round).
        return Ok(0);
    }
    let mut added = 0;
    for row in rows {
        let (event_id, event_type, record_type, team_id, occurred_at) = (
            row.event_id.clone(),
            row.event_type.clone(),
            row.record_type.clone(),
            row.team_id.clone(),
            row.occurred_at,
        );
        let event = Event::from(row);
        let body = serde_json::to_string(&event).map_err(ApiError::internal)?;
        added += enqueue_event(
            conn,
            EventEnvelope {
                event_id: &event_id,
                event_type: &event_type,
                record_type: &record_type,
                team_id: team_id.as_ref(),
                occurred_at,
                body: &body,
            },
            at.naive_utc(),
        )?;
    }
    webhooks::save_cursor(conn, CURSOR_NAME, &next.encode(), at.naive_utc())?;
    Ok(added)
}

fn stored_cursor(conn: &mut DbConnection) -> ApiResult<Option<EventCursor>> {
    webhooks::cursor(conn, CURSOR_NAME)?
        .map(|text| EventCursor::decode(&text).map_err(|_| ApiError::internal(BadStoredCursor)))
        .transpose()
}

#[derive(Debug, thiserror::Error)]
#[error("the stored webhook fan-out cursor cannot be read")]
struct BadStoredCursor;
