use super::SellerAccount;
use crate::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Caller, IdempotencyKey, IfMatch};
use crate::idempotency;
use crate::reply::Reply;
use crate::routes::path_id;
use crate::services::renewals;
use crate::services::seller_accounts::contract_terms;
use crate::state::AppState;
use actix_web::{post, web};
use ironfield_auth::Scope;
use ironfield_domain::ids::SellerAccountId;
use ironfield_domain::{Money, ValidationErrors};
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "contract_months": 12, "contract_value": {"amount": 1980000, "currency": "CNY"}
}))]
pub struct RenewAccount {
    /// 1 to 60.
    #[schema(minimum = 1, maximum = 60)]
    pub contract_months: u32,
    /// The value of the renewed contract; it becomes the account's `contract_value`.
    pub contract_value: Money,
}

/// Renew a seller account
///
/// The seller signed again: the contract end moves `contract_months` months on from the
/// later of its current end and today (in the organisation's time zone), so a lapsed
/// contract restarts today. Records a renewal, counted towards its owner's and team's targets
/// on today's business date. A churned account cannot be renewed (422 `invalid_transition`).
/// Answers with the updated account. Honours `If-Match` (412) and `Idempotency-Key`.
#[utoipa::path(
    tag = "seller-accounts",
    params(
        ("id" = String, Path, format = Uuid, description = "Seller account id"),
        ("If-Match" = Option<String>, Header, min_length = 1, description = "The `ETag` last read, e.g. `\"3\"` (or `*`): a write to a record whose version has moved on is 412 and changes nothing; an empty value is 422"),
        ("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, pattern = r"^[!-~]{1,255}$", description = "Makes a retry safe: the same key and body from the same caller replay the first response (with `Idempotent-Replayed: true`) and create nothing; 1 to 255 visible ASCII characters, kept at least 24 hours"),
    ),
    request_body = RenewAccount,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The account with its renewed contract", body = SellerAccount, headers(("ETag" = String))),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 404, response = crate::spec_types::NotFound),
        (status = 412, response = crate::spec_types::PreconditionFailed),
        (status = 413, response = crate::spec_types::PayloadTooLarge),
        (status = 422, response = crate::spec_types::IdempotencyKeyReused),
    )
)]
#[post("/seller-accounts/{id}/renew")]
pub async fn renew_account(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    key: IdempotencyKey,
    body: ApiJson<RenewAccount>,
) -> ApiResult<Reply> {
    caller.require_scope(Scope::AccountsWrite)?;
    let id: SellerAccountId = path_id(&id, "seller account")?;
    idempotency::create_once(
        state,
        caller,
        key,
        body,
        |state, caller, input| async move {
            let mut errors = ValidationErrors::new();
            let terms = contract_terms(
                &mut errors,
                Some(input.contract_months),
                Some(&input.contract_value),
            );
            let (months, value) = errors.into_result(terms)?.ok_or_else(|| {
                ApiError::invalid_field("contract_months", "must be between 1 and 60")
            })?;

            let account = blocking::write(&state, move |conn| {
                renewals::renew(conn, &caller, &id, months, value, &if_match)
            })
            .await?;
            let version = account.version;
            Ok(Reply::ok(&SellerAccount::from(account)).versioned(version))
        },
    )
    .await
}
