//! `DELETE /webhooks/{id}`.

use super::require_manager;
use crate::blocking;
use crate::error::ApiResult;
use crate::extract::{Caller, IfMatch};
use crate::reply::Reply;
use crate::routes::path_id;
use crate::services::webhooks;
use crate::state::AppState;
use actix_web::{delete, web};
use ironfield_domain::ids::WebhookId;

/// Delete a webhook subscription
///
/// Admins, and the service account that created it. Its pending deliveries are dropped and
/// its delivery history goes with it. Honours `If-Match` (412).
#[utoipa::path(
    tag = "webhooks",
    params(
        ("id" = String, Path, format = Uuid, description = "Webhook id"),
        ("If-Match" = Option<String>, Header, min_length = 1, description = "The `ETag` last read, e.g. `\"3\"` (or `*`): a write to a record whose version has moved on is 412 and changes nothing; an empty value is 422"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 404, response = crate::spec_types::NotFound),
        (status = 412, response = crate::spec_types::PreconditionFailed),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    if_match: IfMatch,
    id: web::Path<String>,
) -> ApiResult<Reply> {
    require_manager(&caller)?;
    let id: WebhookId = path_id(&id, "webhook")?;
    blocking::write(&state, move |conn| {
        webhooks::delete(conn, &caller, &id, &if_match)
    })
    .await?;
    Ok(Reply::no_content())
}
