//! The queue in front of long write transactions (a visit batch stored in one transaction).
//!
//! A batch of 500 visits in one transaction holds a pooled connection for its whole length
//! (a second under heavy load). Sixty-four phones syncing at once would then take every
//! pooled connection, and the requests behind them would meet the pool's short checkout
//! timeout (issue 13's fail-fast: 1 s on PostgreSQL) and be answered 503. So such writes wait
//! here first, asynchronously and holding nothing, and at most a few run at once: about half
//! the pool on PostgreSQL, leaving the rest to single writes and reads; one on SQLite, which
//! has one writer anyway (its in-process writer lock would otherwise park the others on
//! blocking threads). Waiting happens in this queue, bounded by [`MAX_WAIT`], not in the
//! pool's checkout.

use crate::error::{ApiError, ApiResult};
use ironfield_persistence::{Backend, Db, DbError};
use std::time::{Duration, Instant};
use tokio::sync::{Semaphore, SemaphorePermit};

/// How long a write may wait for its turn before the server counts itself saturated and
/// answers 503 `unavailable` with `Retry-After`. Far above a month-end morning's queue
/// (64 concurrent batches of 200 wait a few seconds on two cores).
pub const MAX_WAIT: Duration = Duration::from_secs(30);

/// How often a waiting write looks at the database's liveness: while it is unreachable the
/// request is answered at once (as `blocking::write` does), not after the whole wait.
const LIVENESS_POLL: Duration = Duration::from_millis(100);

pub struct WriteQueue {
    permits: Semaphore,
}

impl WriteQueue {
    /// A queue sized for `db`'s pool and backend.
    pub fn for_db(db: &Db) -> Self {
        let running = match db.backend() {
            Backend::Sqlite => 1,
            Backend::Postgres => (db.pool_stats().max / 2).max(1),
        };
        WriteQueue {
            permits: Semaphore::new(running as usize),
        }
    }

    /// Waits for a turn; the write runs while the returned permit lives.
    pub async fn turn(&self, db: &Db) -> ApiResult<SemaphorePermit<'_>> {
        let started = Instant::now();
        let mut acquire = std::pin::pin!(self.permits.acquire());
        loop {
            match actix_web::rt::time::timeout(LIVENESS_POLL, &mut acquire).await {
                // The semaphore is never closed; an error would mean it was: treat as busy.
                Ok(permit) => {
                    return permit.map_err(|e| {
                        ApiError::unavailable("the server is busy; retry shortly", e)
                    })
                }
                Err(_) if !db.is_reachable() => return Err(ApiError::database_unreachable()),
                Err(_) if started.elapsed() >= MAX_WAIT => {
                    return Err(ApiError::unavailable(
                        "the server is saturated with writes; retry shortly (the same ids are stored once)",
                        DbError::Unavailable("write queue wait exceeded".into()),
                    ))
                }
                Err(_) => {}
            }
        }
    }
}
