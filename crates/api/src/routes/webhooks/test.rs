//! `POST /webhooks/{id}/test`, and how a receiver verifies a delivery.

use super::{find_visible, require_manager, Delivery, Webhook};
use crate::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::reply::Reply;
use crate::routes::path_id;
use crate::state::AppState;
use crate::webhooks::enqueue::{enqueue_for, EventEnvelope};
use actix_web::http::StatusCode;
use actix_web::{post, web};
use ironfield_auth::Principal;
use ironfield_domain::ids::{EventId, WebhookId};
use ironfield_domain::time::now;
use ironfield_persistence::webhooks as store;

/// Send a test event to a webhook
///
/// Admins, and the service account that created the subscription. Enqueues one
/// `webhook.test` event for this subscription (whatever its `event_types`) and answers its
/// delivery (`202`, `pending`); follow it in `GET /webhooks/{id}/deliveries`. An inactive
/// subscription keeps it pending until re-enabled.
///
/// **Every delivery** is a `POST` of the event as JSON (`{event_id, type, occurred_at, actor
/// {type, id}, record_type, record_id, team_id, data}`) with the headers
/// `X-Ironfield-Event-Id`, `X-Ironfield-Event-Type` and
/// `X-Ironfield-Signature: t=<unix seconds>,v1=<signature>`. To verify it, a receiver:
/// 1. splits the header on `,` into `t=` and `v1=`;
/// 2. computes HMAC-SHA256 over the bytes `<t>.<raw body>` (the decimal `t`, a dot, the body
///    exactly as received, before any JSON parsing), keyed by the subscription's `secret` as
///    UTF-8 bytes, whole (the `whsec_` prefix included), and hex-encodes it in lowercase;
/// 3. compares it with `v1` in constant time;
/// 4. refuses the delivery when `t` is more than 5 minutes from its own clock (the replay
///    window; each retry is signed afresh with a new `t`);
/// 5. drops repeats by `event_id` (delivery is at least once).
///
/// A `2xx` answer within 10 s is success; anything else (other statuses, timeouts, refused
/// connections; redirects are not followed) is retried with exponential back-off and jitter,
/// the first retry within 30 s, for 24 hours, then the delivery is `failed`. After 20
/// consecutive failed attempts the subscription is disabled (`active: false` with a
/// `disabled_reason`); `PATCH` it with `active: true` to re-enable it.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = String, Path, format = Uuid, description = "Webhook id")),
    security(("bearer" = [])),
    responses(
        (status = 202, description = "The test delivery, enqueued", body = Delivery),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 404, response = crate::spec_types::NotFound),
    )
)]
#[post("/webhooks/{id}/test")]
pub async fn send_test(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<Reply> {
    require_manager(&caller)?;
    let id: WebhookId = path_id(&id, "webhook")?;
    let delivery = blocking::write(&state, move |conn| {
        let row = find_visible(conn, &caller, &id)?;
        let at = now();
        let event_id = EventId::new();
        let actor_type = match caller.principal {
            Principal::User { .. } => "user",
            Principal::Service { .. } => "service_account",
        };
        let body = serde_json::json!({
            "event_id": event_id,
            "type": "webhook.test",
            "occurred_at": at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            "actor": {"type": actor_type, "id": caller.id()},
            "record_type": "webhook",
            "record_id": row.id,
            "team_id": null,
            "data": Webhook::from(row.clone()),
        })
        .to_string();
        let envelope = EventEnvelope {
            event_id: &event_id,
            event_type: "webhook.test",
            record_type: "webhook",
            team_id: None,
            occurred_at: at.naive_utc(),
            body: &body,
        };
        enqueue_for(conn, &row.id, envelope, at.naive_utc())?;
        let page = store::list_deliveries(conn, &row.id, &Default::default())?;
        page.items
            .into_iter()
            .find(|d| d.event_id == event_id)
            .ok_or_else(|| ApiError::not_found("delivery"))
    })
    .await?;
    Ok(Reply::json(StatusCode::ACCEPTED, &Delivery::from(delivery)))
}
