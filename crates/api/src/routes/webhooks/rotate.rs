//! `POST /webhooks/{id}/rotate-secret`.

use super::{require_manager, Webhook, WebhookWithSecret};
use crate::blocking;
use crate::error::ApiResult;
use crate::extract::{Caller, IfMatch};
use crate::reply::Reply;
use crate::routes::path_id;
use crate::services::webhooks;
use crate::state::AppState;
use actix_web::{post, web};
use ironfield_domain::ids::WebhookId;

/// Rotate a webhook's signing secret
///
/// Admins, and the service account that created it. Answers the new `secret` this once;
/// every delivery sent from now on, retries included, is signed with it, and the old secret
/// stops working at once. Honours `If-Match` (412).
#[utoipa::path(
    tag = "webhooks",
    params(
        ("id" = String, Path, format = Uuid, description = "Webhook id"),
        ("If-Match" = Option<String>, Header, min_length = 1, description = "The `ETag` last read, e.g. `\"3\"` (or `*`): a write to a record whose version has moved on is 412 and changes nothing; an empty value is 422"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The subscription with its new secret (shown only this once)", body = WebhookWithSecret, headers(("ETag" = String))),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 404, response = crate::spec_types::NotFound),
        (status = 412, response = crate::spec_types::PreconditionFailed),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[post("/webhooks/{id}/rotate-secret")]
pub async fn rotate_secret(
    state: web::Data<AppState>,
    caller: Caller,
    if_match: IfMatch,
    id: web::Path<String>,
) -> ApiResult<Reply> {
    require_manager(&caller)?;
    let id: WebhookId = path_id(&id, "webhook")?;
    let row = blocking::write(&state, move |conn| {
        webhooks::rotate_secret(conn, &caller, &id, &if_match)
    })
    .await?;
    let version = row.version;
    let secret = row.secret.clone();
    Ok(Reply::ok(&WebhookWithSecret {
        webhook: Webhook::from(row),
        secret,
    })
    .versioned(version))
}
