//! Database work runs on actix's blocking pool, never on the async workers.
//!
//! While it runs, the request also watches the database's liveness (PostgreSQL's watchdog, see
//! `Db::start_watchdog`): when the server stops answering, the request is answered 503 at
//! once instead of hanging for the whole outage. The blocking job finishes or fails by itself
//! later; its result is then dropped.

use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::state::AppState;
use actix_web::web;
use ironfield_persistence::{Db, DbConnection};
use std::future::Future;
use std::time::Duration;

/// How often a waiting request looks at the database's liveness.
const LIVENESS_POLL: Duration = Duration::from_millis(100);

/// Runs `f` on a pooled connection (no explicit transaction).
pub async fn read<T, F>(state: &AppState, f: F) -> ApiResult<T>
where
    F: FnOnce(&mut DbConnection) -> ApiResult<T> + Send + 'static,
    T: Send + 'static,
{
    let db = state.db.clone();
    guarded(&state.db, move || db.read(f)).await
}

/// Runs `f` in one transaction: all of it is stored, or none of it.
pub async fn write<T, F>(state: &AppState, f: F) -> ApiResult<T>
where
    F: FnOnce(&mut DbConnection) -> ApiResult<T> + Send + 'static,
    T: Send + 'static,
{
    let db = state.db.clone();
    let result = guarded(&state.db, move || db.write(f)).await;
    note_write(&state.db, result.as_ref().err());
    result
}

/// Notes how a write transaction ended (`error`: how it failed): a write that went through
/// clears the "disk full" mark; one refused for want of space sets it, and says so in the log.
pub(crate) fn note_write(db: &Db, error: Option<&ApiError>) {
    match error {
        None => db.note_written(),
        Some(error) if error.code == ErrorCode::InsufficientStorage => {
            // Once a minute in the log, not once a request.
            if db.note_full() {
                let cause = error
                    .cause
                    .as_ref()
                    .map(|c| c.to_string())
                    .unwrap_or_default();
                tracing::error!(%cause, "the database is full: writes are refused with 507 until space is freed");
            }
        }
        Some(_) => {}
    }
}

pub(crate) async fn guarded<T, F>(db: &Db, job: F) -> ApiResult<T>
where
    F: FnOnce() -> ApiResult<T> + Send + 'static,
    T: Send + 'static,
{
    if !db.is_reachable() {
        return Err(ApiError::database_unreachable());
    }
    while_reachable(db, web::block(job)).await??
}

/// Awaits `work` while the database answers; 503 at once when it stops (the work goes on by
/// itself, and its result is dropped).
pub(crate) async fn while_reachable<T>(db: &Db, work: impl Future<Output = T>) -> ApiResult<T> {
    let mut work = std::pin::pin!(work);
    loop {
        match actix_web::rt::time::timeout(LIVENESS_POLL, &mut work).await {
            Ok(result) => return Ok(result),
            Err(_) if !db.is_reachable() => return Err(ApiError::database_unreachable()),
            Err(_) => {}
        }
    }
}

/// Runs `f` on the read replica when one is configured, else like [`read`]. For heavy reads
/// only (reports, lists, exports): a replica may lag the primary by its replication delay,
/// so anything that must see the caller's own last write reads the primary.
pub async fn heavy_read<T, F>(state: &AppState, f: F) -> ApiResult<T>
where
    F: FnOnce(&mut DbConnection) -> ApiResult<T> + Send + 'static,
    T: Send + 'static,
{
    let db = state.replica.as_ref().unwrap_or(&state.db).clone();
    web::block(move || db.read(f)).await?
}
