use super::find_visible;
use crate::error::ApiResult;
use crate::extract::Caller;
use crate::reply::Reply;
use crate::routes::audit::{history, AuditPage, PageQuery};
use crate::routes::path_id;
use crate::state::AppState;
use actix_web::{get, web};
use ironfield_domain::ids::SellerAccountId;

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
    let id: SellerAccountId = path_id(&id, "seller account")?;
    history(
        &state,
        caller,
        query.into_inner(),
        "seller_account",
        move |conn, caller| Ok(vec![find_visible(conn, caller, &id)?.id.into()]),
    )
    .await
}
