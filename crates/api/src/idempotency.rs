//! `Idempotency-Key` for every creating `POST`.
//!
//! The first request with a key claims it (a pending row; the primary key lets exactly one of
//! two concurrent requests win), runs, and stores its response. A later request with the same
//! key and the same fingerprint (method, path and body) gets that response again with
//! `Idempotent-Replayed: true`; a different fingerprint is 422 `idempotency_key_reused`. A
//! request that arrives while the first is still running waits for it. Server failures
//! (5xx) release the key so the client can retry. Keys are kept for 48 hours.

use crate::blocking;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{ApiJson, Caller, IdempotencyKey};
use crate::reply::Reply;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::web;
use ironfield_domain::time::now;
use ironfield_persistence::idempotency::{self, IdempotencyRow, StoredResponse};
use std::future::Future;
use std::time::Duration;

/// How long keys are kept.
pub const RETENTION: chrono::Duration = chrono::Duration::hours(48);
/// How long a second request waits for the first to finish.
const WAIT_FOR_FIRST: Duration = Duration::from_secs(15);
/// A pending claim older than this belongs to a request that died with its process.
const ABANDONED_AFTER: chrono::Duration = chrono::Duration::seconds(120);

/// A request body that knows its fingerprint (method, path and raw body): what "the same
/// request" means for an `Idempotency-Key`.
pub trait Fingerprinted {
    /// What the handler works with once the request is known to be new.
    type Value;
    fn fingerprint(&self) -> &str;
    fn into_value(self) -> Self::Value;
}

impl<T> Fingerprinted for ApiJson<T> {
    type Value = T;
    fn fingerprint(&self) -> &str {
        ApiJson::fingerprint(self)
    }
    fn into_value(self) -> T {
        self.into_inner()
    }
}

/// The preamble of every creating `POST`: runs `operation` with the caller and the body's
/// value at most once per key and caller (a repeat replays the first answer). The handler
/// checks what it may refuse without reading the body (scopes, path ids) before calling this.
pub async fn create_once<B, F, Fut>(
    state: web::Data<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    body: B,
    operation: F,
) -> ApiResult<Reply>
where
    B: Fingerprinted,
    F: FnOnce(web::Data<AppState>, Caller, B::Value) -> Fut,
    Fut: Future<Output = ApiResult<Reply>>,
{
    let fingerprint = body.fingerprint().to_owned();
    let who = caller.clone();
    let shared = state.clone();
    run_once(&shared, &who, key, &fingerprint, || {
        operation(state, caller, body.into_value())
    })
    .await
}

/// Runs `operation` at most once per key and caller.
pub async fn run_once<F, Fut>(
    state: &AppState,
    caller: &Caller,
    key: IdempotencyKey,
    fingerprint: &str,
    operation: F,
) -> ApiResult<Reply>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = ApiResult<Reply>>,
{
    let Some(key) = key.0 else {
        return operation().await;
    };
    let caller_id = caller.id().to_owned();
    let waited_since = std::time::Instant::now();
    loop {
        let (c, k, f) = (caller_id.clone(), key.clone(), fingerprint.to_owned());
        let claimed = blocking::read(state, move |conn| {
            Ok(idempotency::claim(conn, &c, &k, &f, now().naive_utc())?)
        })
        .await?;
        if claimed {
            break;
        }
        let (c, k) = (caller_id.clone(), key.clone());
        let existing =
            blocking::read(state, move |conn| Ok(idempotency::find(conn, &c, &k)?)).await?;
        let Some(existing) = existing else {
            continue; // released between our claim and our look: claim again
        };
        if existing.fingerprint != fingerprint {
            return Err(ApiError::new(
                ErrorCode::IdempotencyKeyReused,
                "this Idempotency-Key was already used for a different request",
            ));
        }
        if let Some(reply) = replay(&existing) {
            return Ok(reply);
        }
        if now().naive_utc() - existing.created_at > ABANDONED_AFTER {
            let (c, k) = (caller_id.clone(), key.clone());
            blocking::read(state, move |conn| Ok(idempotency::release(conn, &c, &k)?)).await?;
            continue;
        }
        if waited_since.elapsed() > WAIT_FOR_FIRST {
            return Err(ApiError::conflict(
                "a request with this Idempotency-Key is still being processed; retry shortly",
            ));
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }

    let outcome = operation().await;
    let stored = match &outcome {
        Ok(reply) => Some(StoredResponse {
            status: i64::from(reply.status.as_u16()),
            body: reply.body.clone(),
            etag: reply.etag.clone(),
            location: reply.location.clone(),
        }),
        Err(error) if error.code.status().is_client_error() => Some(StoredResponse {
            status: i64::from(error.code.status().as_u16()),
            body: serde_json::to_string(&error.problem()).unwrap_or_default(),
            etag: None,
            location: None,
        }),
        Err(_) => None,
    };
    let result = blocking::read(state, move |conn| {
        match stored {
            Some(response) => idempotency::complete(conn, &caller_id, &key, &response)?,
            None => idempotency::release(conn, &caller_id, &key)?,
        }
        Ok(())
    })
    .await;
    if let Err(error) = result {
        tracing::error!(%error, "could not record the idempotent response");
    }
    outcome
}

fn replay(row: &IdempotencyRow) -> Option<Reply> {
    let status = StatusCode::from_u16(u16::try_from(row.status?).ok()?).ok()?;
    Some(Reply {
        status,
        body: row.response_body.clone().unwrap_or_default(),
        content_type: if status.is_success() {
            "application/json"
        } else {
            "application/problem+json"
        },
        etag: row.response_etag.clone(),
        location: row.response_location.clone(),
        replayed: true,
    })
}
