//! `POST /webhooks`.

use super::{
    check_description, check_event_types, check_url, require_manager, Webhook, WebhookWithSecret,
    MAX_WEBHOOKS,
};
use crate::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Caller, IdempotencyKey};
use crate::idempotency;
use crate::reply::Reply;
use crate::state::AppState;
use crate::webhooks::settings::policy;
use actix_web::{post, web};
use ironfield_auth::{opaque, Principal};
use ironfield_domain::ids::WebhookId;
use ironfield_domain::time::now;
use ironfield_domain::webhook::CreatorType;
use ironfield_domain::ValidationErrors;
use ironfield_persistence::audit::ChangeSet;
use ironfield_persistence::webhooks::{self as store, WebhookRow};
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
            let at = now().naive_utc();
            let row = WebhookRow {
                id: WebhookId::new(),
                url: url.unwrap_or_default(),
                event_types: types.clone(),
                active: i64::from(input.active.unwrap_or(true)),
                description,
                secret: opaque::generate("whsec_"),
                created_by: caller.id().to_owned(),
                creator_kind: match caller.principal {
                    Principal::User { .. } => CreatorType::User,
                    Principal::Service { .. } => CreatorType::ServiceAccount,
                },
                failure_streak: 0,
                disabled_reason: None,
                created_at: at,
                updated_at: at,
                version: 1,
            };
            let row = blocking::write(&state, move |conn| {
                if store::count(conn)? >= MAX_WEBHOOKS {
                    return Err(ApiError::conflict(format!(
                        "at most {MAX_WEBHOOKS} webhook subscriptions; delete one first"
                    )));
                }
                store::insert(conn, &row)?;
                let mut changes = ChangeSet::new();
                changes.set("url", &row.url).set("event_types", &types);
                crate::services::audit::record(
                    conn,
                    &caller,
                    "webhook",
                    row.id.as_str(),
                    "created",
                    changes,
                    at,
                )?;
                Ok(row)
            })
            .await?;
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
