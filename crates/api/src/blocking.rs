//! Database work runs on actix's blocking pool, never on the async workers.

use crate::error::ApiResult;
use crate::state::AppState;
use actix_web::web;
use ironfield_persistence::DbConnection;

/// Runs `f` on a pooled connection (no explicit transaction).
pub async fn read<T, F>(state: &AppState, f: F) -> ApiResult<T>
where
    F: FnOnce(&mut DbConnection) -> ApiResult<T> + Send + 'static,
    T: Send + 'static,
{
    let db = state.db.clone();
    web::block(move || db.read(f)).await?
}

/// Runs `f` in one transaction: all of it is stored, or none of it.
pub async fn write<T, F>(state: &AppState, f: F) -> ApiResult<T>
where
    F: FnOnce(&mut DbConnection) -> ApiResult<T> + Send + 'static,
    T: Send + 'static,
{
    let db = state.db.clone();
    web::block(move || db.write(f)).await?
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
