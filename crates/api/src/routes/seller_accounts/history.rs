use super::find_visible;
use crate::blocking;
use crate::error::ApiResult;
use crate::extract::{page_request, Caller};
use crate::reply::Reply;
use crate::routes::audit::{AuditPage, PageQuery};
use crate::routes::path_id;
use crate::state::AppState;
use actix_web::{get, web};
use ironfield_persistence::audit;

/// A seller account's history
///
/// Every change of the account, newest first: who, when, what (`created`, `updated`,
/// `status_changed`, `assigned`, `renewed`), and each field's old and new value. Readable by
/// whoever can read the account.
#[utoipa::path(
    tag = "seller-accounts",
    params(("id" = String, Path, format = Uuid, description = "Seller account id"), PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of audit events, newest first", body = AuditPage),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 404, response = crate::spec_types::NotFound),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[get("/seller-accounts/{id}/history")]
pub async fn account_history(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    query: web::Query<PageQuery>,
) -> ApiResult<Reply> {
    let id = path_id(&id, "seller account")?;
    let page = page_request(query.limit, query.cursor.as_deref())?;
    let page = blocking::read(&state, move |conn| {
        let account = find_visible(conn, &caller, &id)?;
        Ok(audit::list(conn, "seller_account", &[account.id], &page)?)
    })
    .await?;
    Ok(Reply::ok(&AuditPage::from(page)))
}
