use super::input::contract_terms;
use super::SellerAccount;
use crate::blocking;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{ApiJson, Caller, IdempotencyKey, IfMatch};
use crate::idempotency;
use crate::reply::Reply;
use crate::routes::path_id;
use crate::services::seller_accounts::{find_writable, is_live, save};
use crate::state::AppState;
use actix_web::{post, web};
use chrono::{Months, NaiveDate};
use ironfield_auth::Scope;
use ironfield_domain::ids::new_id;
use ironfield_domain::time::{business_date, now};
use ironfield_domain::{Money, ValidationErrors};
use ironfield_persistence::seller_accounts::{self, RenewalRow};
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
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 412, response = crate::openapi::PreconditionFailed),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 422, response = crate::openapi::IdempotencyKeyReused),
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
    let id = path_id(&id, "seller account")?;
    let fingerprint = body.fingerprint().to_owned();
    let who = caller.clone();
    idempotency::run_once(&state.clone(), &who, key, &fingerprint, || async move {
        let input = body.into_inner();
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
            let current = find_writable(conn, &caller, &id)?;
            if_match.check(current.version)?;
            if !is_live(&current) {
                return Err(ApiError::new(
                    ErrorCode::InvalidTransition,
                    "a churned seller account cannot be renewed",
                ));
            }
            let renewed = now();
            let today = business_date(renewed, crate::org::timezone(conn)?);
            let new_end = renewed_end(current.contract_end, today, months)
                .ok_or_else(|| ApiError::invalid_field("contract_months", "is out of range"))?;

            let mut account = current.clone();
            account.contract_end = new_end;
            account.contract_value = value.amount;
            account.contract_currency = value.currency.clone();
            // Targets count renewals by owner, team and business day: stamp them as they are now.
            seller_accounts::insert_renewal(
                conn,
                &RenewalRow {
                    id: new_id(),
                    account_id: current.id.clone(),
                    owner_id: current.owner_id.clone(),
                    team_id: current.team_id.clone(),
                    actor_id: caller.id().to_owned(),
                    contract_months: i64::from(months),
                    contract_value: value.amount,
                    contract_currency: value.currency,
                    previous_end: current.contract_end,
                    new_end,
                    renewed_at: renewed.naive_utc(),
                    business_date: today,
                },
            )?;
            save(conn, &caller, &current, account, "renewed", Some(today))
        })
        .await?;
        let version = account.version;
        Ok(Reply::ok(&SellerAccount::from(account)).versioned(version))
    })
    .await
}

/// The new last day of a contract renewed for `months` on `today`: counted on from its
/// current end, or from today when it has already lapsed.
fn renewed_end(current_end: NaiveDate, today: NaiveDate, months: u32) -> Option<NaiveDate> {
    current_end
        .max(today)
        .checked_add_months(Months::new(months))
}

#[cfg(test)]
mod tests {
    use super::renewed_end;
    use chrono::NaiveDate;

    #[test]
    fn renewals_extend_from_the_later_of_end_and_today() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        // Still running: the months are added to the current end.
        assert_eq!(
            renewed_end(d("2027-10-31"), d("2027-09-01"), 12),
            Some(d("2028-10-31"))
        );
        // Lapsed: the months count from today.
        assert_eq!(
            renewed_end(d("2027-01-31"), d("2027-03-15"), 6),
            Some(d("2027-09-15"))
        );
    }
}
