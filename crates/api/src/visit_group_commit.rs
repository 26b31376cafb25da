//! Group commit for single visits (`POST /visits`).
//!
//! A month-end morning sends many single visits at once, every rep's phone syncing the
//! evening's queue. Stored in a transaction each, every visit costs about nine statements, a
//! commit and a hand-off to a blocking thread, and the server and the database spend their
//! time on round trips rather than on visits. So one writer stores them: a visit that arrives
//! while the writer is busy waits, and everything that waited is then stored together, in one
//! transaction, by the batch's path (`services::visits::store_known_together`): a handful of
//! statements and one commit for the lot. Each visit is still checked against, and recorded
//! as, its own sender's, and answered as it would be alone.
//!
//! Nothing waits on purpose: a visit that finds the writer idle wakes it at once and is
//! stored alone, by the one-visit path, so a quiet server answers as fast as before; groups
//! grow only as the load does. A group the database refuses (one visit's statement, or the server) is written
//! again one visit per transaction, so a failure stays the one visit's it belongs to. Visits
//! that bring a new stall are always stored alone.

use crate::blocking::{note_write, while_reachable};
use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::services::visits::{self, Failure, Logged, Prepared, Sent, Target};
use ironfield_persistence::Db;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use tokio::sync::oneshot;

/// The most visits one transaction stores: about a batch's worth, so a group holds its
/// connection (and, on SQLite, the write lock) for tens of milliseconds at most.
const MAX_GROUP: usize = 200;

/// The single visits waiting for the writer, and the writer: one thread of its own for the
/// process's life, so the database driver's buffers (SQLite's page cache, libpq's results,
/// allocated by C code in the thread's malloc arena) live in one arena rather than in the
/// arena of whichever blocking thread wrote last.
pub struct VisitGroupCommit {
    shared: Arc<Shared>,
    /// `false` if the thread could not be started: each visit is then stored alone.
    writer_running: bool,
}

#[derive(Default)]
struct Shared {
    queue: Mutex<Queue>,
    arrived: Condvar,
}

#[derive(Default)]
struct Queue {
    waiting: Vec<Job>,
    /// The state was dropped (a test's server stopped): the writer ends.
    closed: bool,
}

struct Job {
    caller: Caller,
    visit: Prepared,
    answer: oneshot::Sender<ApiResult<Logged>>,
}

impl VisitGroupCommit {
    /// Starts the writer for `db`.
    pub fn start(db: Db) -> Self {
        let shared = Arc::new(Shared::default());
        let writer = shared.clone();
        let started = std::thread::Builder::new()
            .name("visit-writer".into())
            .spawn(move || write_until_closed(&writer, &db));
        if let Err(error) = &started {
            tracing::error!(%error, "the visit writer thread did not start: visits are stored one by one");
        }
        VisitGroupCommit {
            shared,
            writer_running: started.is_ok(),
        }
    }

    /// Stores `visit` for `caller`, with the visits that arrive meanwhile; answered as
    /// `services::visits::store` would answer it alone (a stored id is `Logged::Existing`).
    /// 503 at once when the database stops answering while the visit waits.
    pub(crate) async fn store(
        &self,
        db: &Db,
        caller: Caller,
        visit: Prepared,
    ) -> ApiResult<Logged> {
        if !db.is_reachable() {
            return Err(ApiError::database_unreachable());
        }
        if !self.writer_running {
            let job_db = db.clone();
            return crate::blocking::guarded(db, move || store_alone(&job_db, &caller, visit))
                .await;
        }
        let (answer, answered) = oneshot::channel();
        lock(&self.shared.queue).waiting.push(Job {
            caller,
            visit,
            answer,
        });
        self.shared.arrived.notify_one();
        match while_reachable(db, answered).await? {
            Ok(answer) => answer,
            // The writer dropped the visit unanswered: it panicked on its group.
            Err(_) => Err(ApiError::internal(WriterFailed)),
        }
    }
}

impl Drop for VisitGroupCommit {
    fn drop(&mut self) {
        lock(&self.shared.queue).closed = true;
        self.shared.arrived.notify_one();
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the visit writer stopped before answering")]
struct WriterFailed;

/// The writer: takes what waits, a group at a time, and sleeps while nothing does.
fn write_until_closed(shared: &Shared, db: &Db) {
    loop {
        let group: Vec<Job> = {
            let mut queue = lock(&shared.queue);
            while queue.waiting.is_empty() && !queue.closed {
                queue = shared
                    .arrived
                    .wait(queue)
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
            }
            if queue.waiting.is_empty() {
                return;
            }
            let size = queue.waiting.len().min(MAX_GROUP);
            queue.waiting.drain(..size).collect()
        };
        // A visit whose sender stopped waiting (gone, or answered 503 while the database was
        // away) is not written: its answer said it was not stored, and a resend stores it.
        let group: Vec<Job> = group
            .into_iter()
            .filter(|job| !job.answer.is_closed())
            .collect();
        if group.is_empty() {
            continue;
        }
        // A panic answers its own group 500 (their senders' channels close) and the writer
        // goes on with the next.
        if catch_unwind(AssertUnwindSafe(|| write_group(db, group))).is_err() {
            tracing::error!("the visit writer panicked on a group; its visits were answered 500");
        }
    }
}

/// Stores one group and answers each of its visits.
fn write_group(db: &Db, group: Vec<Job>) {
    // A visit that brings a new stall creates its lead by the lead rules (duplicates and
    // all): alone, as before.
    let (together, alone): (Vec<Job>, Vec<Job>) = group
        .into_iter()
        .partition(|job| !matches!(job.visit.target, Target::NewLead(_)));
    let alone = match together.len() {
        0 | 1 => together.into_iter().chain(alone).collect(),
        _ => {
            let sent: Vec<Sent<'_>> = together
                .iter()
                .map(|job| Sent {
                    caller: &job.caller,
                    visit: &job.visit,
                })
                .collect();
            let stored = db.write(|conn| visits::store_known_together(conn, &sent));
            note_write(db, stored.as_ref().err());
            match stored {
                Ok(answers) => {
                    for (job, answer) in together.into_iter().zip(answers) {
                        // A sender that stopped waiting (gone, or answered 503) is not an
                        // error.
                        let _ = job.answer.send(answer);
                    }
                    alone
                }
                // Nothing of the group is stored: a statement was refused for one visit's
                // reason (it is then that visit's answer) or the server's (then most often
                // everyone's: the database is gone). Each visit alone shows whose it was.
                Err(_) => together.into_iter().chain(alone).collect(),
            }
        }
    };
    for job in alone {
        let answer = store_alone(db, &job.caller, job.visit);
        let _ = job.answer.send(answer);
    }
}

/// One visit in its own transaction, as before groups: the stored visit when its id was
/// stored already.
fn store_alone(db: &Db, caller: &Caller, visit: Prepared) -> ApiResult<Logged> {
    let id = visit.row.id.clone();
    let stored = db.write(|conn| visits::store(conn, caller, visit));
    match stored {
        Ok(logged) => {
            note_write(db, None);
            Ok(logged)
        }
        Err(Failure::Api(error)) => {
            note_write(db, Some(&error));
            Err(error)
        }
        Err(Failure::Replayed) => db.read(|conn| visits::replayed(conn, caller, &id)),
    }
}

/// A poisoned lock only means a thread panicked while holding it; every change to the queue
/// is one step, so it is always whole.
fn lock(queue: &Mutex<Queue>) -> MutexGuard<'_, Queue> {
    queue
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
