//! `GET /webhooks` and `GET /webhooks/{id}`.

use super::{creator_filter, find_visible, require_manager, Webhook, WebhookPage};
use crate::blocking;
use crate::error::ApiResult;
use crate::extract::{page_request, Caller};
use crate::reply::Reply;
use crate::routes::audit::PageQuery;
use crate::routes::path_id;
use crate::state::AppState;
use actix_web::{get, web};
use ironfield_domain::ids::WebhookId;
use ironfield_persistence::webhooks as store;

/// List webhook subscriptions
///
/// Admins see every subscription; a service account with `webhooks:manage` sees those it
/// created. Newest first. Secrets are never listed.
#[utoipa::path(
    tag = "webhooks",
    params(PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of subscriptions", body = WebhookPage),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[get("/webhooks")]
pub async fn list_webhooks(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<PageQuery>,
) -> ApiResult<Reply> {
    require_manager(&caller)?;
    let page = page_request(query.limit, query.cursor.as_deref())?;
    let creator = creator_filter(&caller);
    let page = blocking::read(&state, move |conn| {
        Ok(store::list(conn, creator.as_deref(), &page)?)
    })
    .await?;
    Ok(Reply::ok(&WebhookPage {
        items: page.items.into_iter().map(Webhook::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Get a webhook subscription
///
/// Admins, and the service account that created it (another's is 404). The secret is not
/// shown; rotate it to get a new one.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = String, Path, format = Uuid, description = "Webhook id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The subscription", body = Webhook, headers(("ETag" = String))),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 404, response = crate::spec_types::NotFound),
    )
)]
#[get("/webhooks/{id}")]
pub async fn get_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<Reply> {
    require_manager(&caller)?;
    let id: WebhookId = path_id(&id, "webhook")?;
    let row = blocking::read(&state, move |conn| find_visible(conn, &caller, &id)).await?;
    let version = row.version;
    Ok(Reply::ok(&Webhook::from(row)).versioned(version))
}
