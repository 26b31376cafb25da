//! `PATCH /webhooks/{id}`.

use super::{check_description, check_event_types, check_url, require_manager, Webhook};
use crate::blocking;
use crate::error::ApiResult;
use crate::extract::{ApiJson, Caller, IfMatch};
use crate::reply::Reply;
use crate::routes::{double_option, path_id};
use crate::services::webhooks::{self, WebhookChange};
use crate::state::AppState;
use crate::webhooks::settings::policy;
use actix_web::{patch, web};
use ironfield_domain::ids::WebhookId;
use ironfield_domain::ValidationErrors;
use serde::Deserialize;
use utoipa::ToSchema;

/// Changes to a subscription; fields left out keep their value.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": true}))]
pub struct UpdateWebhook {
    /// Checked like on create (scheme, and the addresses the host resolves to).
    #[schema(max_length = 2048)]
    pub url: Option<String>,
    /// Empty: every type.
    #[schema(value_type = Option<Vec<super::WebhookEventType>>, max_items = 15)]
    pub event_types: Option<Vec<String>>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub description: Option<Option<String>>,
    /// `true` re-enables a disabled subscription and resets its failure streak.
    pub active: Option<bool>,
}

/// Change a webhook subscription
///
/// Admins, and the service account that created it. `active: true` re-enables a
/// subscription the server disabled after repeated failures (its failure streak starts again
/// from 0; deliveries still within their 24 hours resume). Honours `If-Match` (412).
#[utoipa::path(
    tag = "webhooks",
    request_body = UpdateWebhook,
    params(
        ("id" = String, Path, format = Uuid, description = "Webhook id"),
        ("If-Match" = Option<String>, Header, min_length = 1, description = "The `ETag` last read, e.g. `\"3\"` (or `*`): a write to a record whose version has moved on is 412 and changes nothing; an empty value is 422"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The subscription as changed", body = Webhook, headers(("ETag" = String))),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 404, response = crate::spec_types::NotFound),
        (status = 412, response = crate::spec_types::PreconditionFailed),
        (status = 413, response = crate::spec_types::PayloadTooLarge),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[patch("/webhooks/{id}")]
pub async fn update_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    if_match: IfMatch,
    id: web::Path<String>,
    body: ApiJson<UpdateWebhook>,
) -> ApiResult<Reply> {
    require_manager(&caller)?;
    let id: WebhookId = path_id(&id, "webhook")?;
    let input = body.into_inner();
    let mut errors = ValidationErrors::new();
    let types = input
        .event_types
        .as_deref()
        .map(|t| check_event_types(t, &mut errors));
    let description = input
        .description
        .as_ref()
        .map(|d| d.as_deref().and_then(|d| check_description(d, &mut errors)));
    let url = match &input.url {
        Some(raw) => {
            let policy = blocking::read(&state, policy).await?;
            check_url(raw, policy, &mut errors).await
        }
        None => None,
    };
    errors.into_result(())?;
    let change = WebhookChange {
        url,
        event_types: types,
        description,
        active: input.active,
    };
    let row = blocking::write(&state, move |conn| {
        webhooks::update(conn, &caller, &id, change, &if_match)
    })
    .await?;
    let version = row.version;
    Ok(Reply::ok(&Webhook::from(row)).versioned(version))
}
