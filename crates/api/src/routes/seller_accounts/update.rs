use super::input::AccountUpdate;
use super::{account_reply, SellerAccount};
use crate::blocking;
use crate::error::ApiResult;
use crate::extract::{ApiJson, Caller, IfMatch};
use crate::reply::Reply;
use crate::routes::path_id;
use crate::services::seller_accounts::{self, AccountInput};
use crate::state::AppState;
use actix_web::{patch, web};
use ironfield_domain::ids::SellerAccountId;

/// Update a seller account
///
/// Changes the fields sent (`null` clears one): the seller's contact facts, `membership_tier`,
/// `status`, `churn_reason`, `notes` and `owner_id`. Moving to `churned` needs a
/// `churn_reason` (422); leaving it clears the reason. The contract changes only by
/// `POST /seller-accounts/{id}/renew`. A rep changes only their own accounts; reassigning
/// (`owner_id`) needs a team lead or above: otherwise 403 and nothing changes. A live account
/// may not share a phone, WeChat id or licence with another (409 `duplicate`). Honours
/// `If-Match` (412).
#[utoipa::path(
    tag = "seller-accounts",
    params(
        ("id" = String, Path, format = Uuid, description = "Seller account id"),
        ("If-Match" = Option<String>, Header, min_length = 1, description = "The `ETag` last read, e.g. `\"3\"` (or `*`): a write to a record whose version has moved on is 412 and changes nothing; an empty value is 422"),
    ),
    request_body = AccountUpdate,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The seller account as changed", body = SellerAccount, headers(("ETag" = String))),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 404, response = crate::spec_types::NotFound),
        (status = 409, response = crate::spec_types::Conflict),
        (status = 412, response = crate::spec_types::PreconditionFailed),
        (status = 413, response = crate::spec_types::PayloadTooLarge),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[patch("/seller-accounts/{id}")]
pub async fn update_account(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: ApiJson<AccountUpdate>,
) -> ApiResult<Reply> {
    let id: SellerAccountId = path_id(&id, "seller account")?;
    let input = AccountInput::from(body.into_inner());
    let account = blocking::write(&state, move |conn| {
        seller_accounts::update(conn, &caller, &id, input, &if_match)
    })
    .await?;
    account_reply(account)
}
