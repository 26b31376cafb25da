use super::{find_visible, SellerAccount};
use crate::account_health::{self, Judge};
use crate::blocking;
use crate::error::ApiResult;
use crate::extract::Caller;
use crate::reply::Reply;
use crate::routes::path_id;
use crate::state::AppState;
use actix_web::{get, web};
use ironfield_domain::ids::SellerAccountId;

/// Get a seller account
///
/// An account in a team the caller can see; any other is 404. Carries its current `health`.
#[utoipa::path(
    tag = "seller-accounts",
    params(("id" = String, Path, format = Uuid, description = "Seller account id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The seller account", body = SellerAccount, headers(("ETag" = String))),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 404, response = crate::spec_types::NotFound),
    )
)]
#[get("/seller-accounts/{id}")]
pub async fn get_account(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<Reply> {
    let id: SellerAccountId = path_id(&id, "seller account")?;
    let (account, assessment) = blocking::read(&state, move |conn| {
        let account = find_visible(conn, &caller, &id)?;
        let judge = Judge::load(conn)?;
        let mut assessed = account_health::assess(conn, &judge, std::slice::from_ref(&account))?;
        let assessment = assessed.remove(&account.id);
        Ok((account, assessment))
    })
    .await?;
    let version = account.version;
    let account = SellerAccount::from(account).with_health(assessment.as_ref());
    Ok(Reply::ok(&account).versioned(version))
}
