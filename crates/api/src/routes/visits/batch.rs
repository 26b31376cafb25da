use super::input::VisitInput;
use super::log::prepare;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Caller, IdempotencyKey};
use crate::idempotency;
use crate::reply::Reply;
use crate::services::visits::{store_batch, Logged};
use crate::state::AppState;
use actix_web::{post, web};
use ironfield_domain::time::now;
use ironfield_domain::FieldError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Most visits one batch may carry.
pub const MAX_BATCH: usize = 500;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitBatch {
    /// At most 500, each the body of a `POST /visits` (schema `VisitInput`) with its
    /// client-made `id`. Items are checked one by one: an item that is not a valid visit (even
    /// one that is not an object) is answered `invalid` with its field errors and never fails
    /// the batch, so the schema here accepts any item.
    #[schema(min_items = 1, max_items = 500, value_type = Vec<serde_json::Value>)]
    pub visits: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Created,
    Duplicate,
    Invalid,
}

/// What became of one item, in the order sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemResult {
    #[schema(format = Uuid)]
    pub id: Option<String>,
    pub status: ItemStatus,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<crate::error::ProblemField>)]
    pub errors: Vec<FieldError>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResult {
    pub results: Vec<ItemResult>,
}

/// Log a batch of visits
///
/// A phone's queue of visits logged offline, up to 500, answered 200 with one result per
/// item in order: `created`, `duplicate` (that id is stored already) or `invalid` (with its
/// errors). Valid items are stored even when others are not; sending the same batch again,
/// or from two connections at once, stores each visit exactly once.
#[utoipa::path(
    tag = "visits",
    request_body = VisitBatch,
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, pattern = r"^[!-~]{1,255}$", description = "Makes a retry safe: the same key and body from the same caller replay the first response (with `Idempotent-Replayed: true`) and create nothing; 1 to 255 visible ASCII characters, kept at least 24 hours")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One result per item, in order", body = BatchResult),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 413, response = crate::spec_types::PayloadTooLarge),
        (status = 422, response = crate::spec_types::IdempotencyKeyReused),
    )
)]
#[post("/visits/batch")]
pub async fn log_batch(
    state: web::Data<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    body: ApiJson<VisitBatch>,
) -> ApiResult<Reply> {
    caller.require_scope(ironfield_auth::Scope::VisitsWrite)?;
    caller.require_user()?;
    let fingerprint = body.fingerprint().to_owned();
    let who = caller.clone();
    idempotency::run_once(&state.clone(), &who, key, &fingerprint, || async move {
        log_items(&state, &caller, body.into_inner().visits).await
    })
    .await
}

async fn log_items(
    state: &AppState,
    caller: &Caller,
    items: Vec<serde_json::Value>,
) -> ApiResult<Reply> {
    if items.is_empty() || items.len() > MAX_BATCH {
        return Err(ApiError::invalid_field(
            "visits",
            format!("send 1 to {MAX_BATCH} visits"),
        ));
    }
    // Every item is parsed and checked first (no database); the valid ones are then stored
    // in one transaction (see `store_batch`), and each result goes back to its place.
    let received = now();
    let mut results: Vec<Option<ItemResult>> = Vec::with_capacity(items.len());
    let mut valid = Vec::new();
    let mut places = Vec::new();
    for item in items {
        let claimed_id = item.get("id").and_then(|v| v.as_str()).map(str::to_owned);
        let prepared = crate::extract::json::parse::<VisitInput>(item.to_string().as_bytes())
            .and_then(|input| prepare(caller, input, received, true));
        match prepared {
            Ok(prepared) => {
                places.push((results.len(), claimed_id));
                valid.push(prepared);
                results.push(None);
            }
            Err(error) => results.push(Some(invalid(claimed_id, error))),
        }
    }
    if !valid.is_empty() {
        // The transaction holds a pooled connection for the whole batch: wait for a turn
        // first, so concurrent batches queue here rather than in the pool's checkout.
        let _turn = state.write_queue.turn(&state.db).await?;
        let who = caller.clone();
        let outcomes =
            crate::blocking::write(state, move |conn| store_batch(conn, &who, &valid)).await?;
        for ((place, claimed_id), outcome) in places.into_iter().zip(outcomes) {
            results[place] = Some(match outcome {
                Ok(Logged::Created(row)) => ItemResult {
                    id: Some(row.id.into()),
                    status: ItemStatus::Created,
                    errors: vec![],
                },
                Ok(Logged::Existing(row)) => ItemResult {
                    id: Some(row.id.into()),
                    status: ItemStatus::Duplicate,
                    errors: vec![],
                },
                // A refusal of this item (bad field, duplicate lead, unknown target) is its
                // own; a server failure failed the whole batch above (nothing stored).
                Err(error) => invalid(claimed_id, error),
            });
        }
    }
    let results = results.into_iter().flatten().collect();
    Ok(Reply::ok(&BatchResult { results }))
}

fn invalid(id: Option<String>, error: ApiError) -> ItemResult {
    let errors = if error.errors.is_empty() {
        vec![FieldError {
            field: "visit".into(),
            message: error.detail,
        }]
    } else {
        error.errors
    };
    ItemResult {
        id,
        status: ItemStatus::Invalid,
        errors,
    }
}
