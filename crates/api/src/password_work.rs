//! Password hashing, bounded.
//!
//! Each argon2id hash or verification allocates its whole memory block (m_cost, about
//! 19 MiB) for the time it runs. Without a bound, a login burst of 64 clients ran 64 at once on
//! the blocking pool and took the process to 1.5–1.8 GB. The work is CPU-bound, so running
//! more hashes than there are cores gains nothing: at most one per core runs, the others
//! wait here (asynchronously, holding neither memory nor a blocking thread). The cost
//! parameters stay as they are.

use crate::error::ApiResult;
use actix_web::web;
use std::sync::OnceLock;
use tokio::sync::Semaphore;

fn permits() -> &'static Semaphore {
    static PERMITS: OnceLock<Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Semaphore::new(cores)
    })
}

/// Runs `work` (a password hash or verification) on the blocking pool once a core is free.
pub async fn run<T, F>(work: F) -> ApiResult<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    // The semaphore is never closed, so acquiring only waits (`ok()`: no panic path).
    let _permit = permits().acquire().await.ok();
    Ok(web::block(work).await?)
}
