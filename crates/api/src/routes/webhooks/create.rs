//! `POST /webhooks`.

use super::{
    check_description, check_event_types, check_url, require_manager, Webhook, WebhookWithSecret,
};
use crate::blocking;
use crate::error::ApiResult;
use crate::extract::{ApiJson, Caller, IdempotencyKey};
use crate::idempotency;
use crate::reply::Reply;
use crate::services::webhooks::{self, WebhookDraft};
use crate::state::AppState;
use crate::webhooks::settings::policy;
use actix_web::{post, web};
use ironfield_domain::ValidationErrors;
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://crm-tools.example.com/ironfield",
    "event_types": ["lead.stage_changed", "seller_account.signed"], "description": "BI feed"}))]
pub struct CreateWebhook {
    /// `https` (or `http` with the setting `webhook_allow_http`); a host that resolves to a
    /// loopback, private, link-local, CGNAT, multicast or unspecified address is refused
    /// unless the setting `webhook_allow_private` is on.
    #[schema(max_length = 2048)]
    pub url: String,
    /// The types to deliver; absent or empty: every type.
    #[schema(value_type = Option<Vec<super::WebhookEventType>>, max_items = 15)]
    pub event_types: Option<Vec<String>>,
    #[schema(max_length = 500)]
    pub description: Option<String>,
    /// Default `true`.
    pub active: Option<bool>,
}

/// Create a webhook subscription
///
/// Admins, and service accounts with `webhooks:manage`. The response carries the signing
/// `secret` this once. At most 100 subscriptions (409 beyond). Signed deliveries: see the
/// description of `POST /webhooks/{id}/test` for how a receiver verifies them.
#[utoipa::path(
    tag = "webhooks",
    request_body = CreateWebhook,
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, pattern = r"^[!-~]{1,255}$", description = "Makes a retry safe: the same key and body from the same caller replay the first response (with `Idempotent-Replayed: true`) and create nothing; 1 to 255 visible ASCII characters, kept at least 24 hours")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created: the subscription with its secret (shown only this once)", body = WebhookWithSecret, headers(("Location" = String))),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 409, response = crate::spec_types::Conflict),
        (status = 413, response = crate::spec_types::PayloadTooLarge),
        (status = 422, response = crate::spec_types::IdempotencyKeyReused),
    )
)]
#[post("/webhooks")]
pub async fn create_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    body: ApiJson<CreateWebhook>,
) -> ApiResult<Reply> {
    require_manager(&caller)?;
    idempotency::create_once(
        state,
        caller,
        key,
        body,
        |state, caller, input| async move {
            let mut errors = ValidationErrors::new();
            let types = check_event_types(input.event_types.as_deref().unwrap_or(&[]), &mut errors);
            let description = input
                .description
                .as_deref()
                .and_then(|d| check_description(d, &mut errors));
            let policy = blocking::read(&state, policy).await?;
            let url = check_url(&input.url, policy, &mut errors).await;
            errors.into_result(())?;
            let draft = WebhookDraft {
                url: url.unwrap_or_default(),
                event_types: types,
                active: input.active.unwrap_or(true),
                description,
            };
            let row =
                blocking::write(&state, move |conn| webhooks::create(conn, &caller, draft)).await?;
            let location = format!("/api/v1/webhooks/{}", row.id);
            let secret = row.secret.clone();
            Ok(Reply::created(
                &WebhookWithSecret {
                    webhook: Webhook::from(row),
                    secret,
                },
                location,
            ))
        },
    )
    .await
}
