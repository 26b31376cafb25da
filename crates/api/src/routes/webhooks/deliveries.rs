//! `GET /webhooks/{id}/deliveries`.

use super::{find_visible, require_manager, Delivery, DeliveryPage};
use crate::blocking;
use crate::error::ApiResult;
use crate::extract::{page_request, Caller};
use crate::reply::Reply;
use crate::routes::audit::PageQuery;
use crate::routes::path_id;
use crate::state::AppState;
use actix_web::{get, web};
use ironfield_domain::ids::{DeliveryId, WebhookId};
use ironfield_persistence::webhooks as store;

/// List a webhook's deliveries
///
/// One row per event and subscription, newest first: `attempt` counts the tries,
/// `response_status`, `duration_ms` and `error` describe the last one, `next_attempt_at` says
/// when the next is due while `pending`. Admins, and the service account that created the
/// subscription.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = String, Path, format = Uuid, description = "Webhook id"), PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of deliveries", body = DeliveryPage),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 404, response = crate::spec_types::NotFound),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_deliveries(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    query: web::Query<PageQuery>,
) -> ApiResult<Reply> {
    require_manager(&caller)?;
    let id: WebhookId = path_id(&id, "webhook")?;
    let page = page_request(query.limit, query.cursor.as_deref())?;
    let page = blocking::read(&state, move |conn| {
        find_visible(conn, &caller, &id)?;
        let page = store::list_deliveries(conn, &id, &page)?;
        let ids: Vec<DeliveryId> = page.items.iter().map(|d| d.id.clone()).collect();
        let attempts = store::attempts_of(conn, &ids)?;
        Ok((page, attempts))
    })
    .await?;
    let (page, attempts) = page;
    Ok(Reply::ok(&DeliveryPage {
        items: Delivery::with_attempts(page.items, attempts),
        next_cursor: page.next_cursor,
    }))
}
