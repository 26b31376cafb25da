use super::input::AccountCreate;
use super::SellerAccount;
use crate::blocking;
use crate::error::ApiResult;
use crate::extract::{ApiJson, Caller, IdempotencyKey};
use crate::idempotency;
use crate::reply::Reply;
use crate::services::seller_accounts;
use crate::state::AppState;
use actix_web::{post, web};
use ironfield_auth::Scope;

/// Create a seller account
///
/// Signs a seller directly, for sellers signed outside the lead flow (leads become accounts
/// by `POST /leads/{id}/convert`). The phone is normalised to E.164 (default region CN); a
/// live (not churned) account with the same phone, WeChat id or licence number is 409
/// `duplicate`, naming the existing account only if the caller may see it. The owner defaults
/// to the caller (naming another needs a team lead or above) and the account belongs to the
/// owner's team. The contract ends the day before its `contract_months` anniversary.
#[utoipa::path(
    tag = "seller-accounts",
    request_body = AccountCreate,
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, pattern = r"^[!-~]{1,255}$", description = "Makes a retry safe: the same key and body from the same caller replay the first response (with `Idempotent-Replayed: true`) and create nothing; 1 to 255 visible ASCII characters, kept at least 24 hours")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created: the new seller account", body = SellerAccount, headers(("ETag" = String), ("Location" = String))),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 409, response = crate::spec_types::Conflict),
        (status = 413, response = crate::spec_types::PayloadTooLarge),
        (status = 422, response = crate::spec_types::IdempotencyKeyReused),
    )
)]
#[post("/seller-accounts")]
pub async fn create_account(
    state: web::Data<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    body: ApiJson<AccountCreate>,
) -> ApiResult<Reply> {
    caller.require_scope(Scope::AccountsWrite)?;
    idempotency::create_once(state, caller, key, body, |state, caller, body| async move {
        let input = body.into();
        let account = blocking::write(&state, move |conn| {
            seller_accounts::create(conn, &caller, input)
        })
        .await?;
        let location = format!("/api/v1/seller-accounts/{}", account.id);
        let version = account.version;
        Ok(Reply::created(&SellerAccount::from(account), location).versioned(version))
    })
    .await
}
