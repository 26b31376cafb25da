use crate::blocking;
use crate::error::ApiResult;
use crate::extract::{ApiJson, Caller, IdempotencyKey};
use crate::idempotency;
use crate::reply::Reply;
use crate::routes::path_id;
use crate::routes::seller_accounts::{MembershipTier, SellerAccount};
use crate::services::leads::{self, Conversion};
use crate::state::AppState;
use actix_web::{post, web};
use chrono::NaiveDate;
use ironfield_auth::Scope;
use ironfield_domain::account::contract_end;
use ironfield_domain::ids::LeadId;
use ironfield_domain::{Money, ValidationErrors};
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "membership_tier": "gold", "contract_value": {"amount": 1980000, "currency": "CNY"},
    "contract_start": "2026-11-01", "contract_months": 12
}))]
pub struct ConvertLead {
    pub membership_tier: MembershipTier,
    pub contract_value: Money,
    pub contract_start: NaiveDate,
    /// 1 to 60.
    #[schema(minimum = 1, maximum = 60)]
    pub contract_months: u32,
}

/// Convert a lead
///
/// The stall owner signed: creates their seller account (status `onboarding`) and marks the
/// lead `won`, in one transaction, so a failure leaves neither. Only an open lead converts
/// (else 422 `invalid_transition`). Repeated with the same `Idempotency-Key`, it returns the
/// same account.
#[utoipa::path(
    tag = "leads",
    params(
        ("id" = String, Path, format = Uuid, description = "Lead id"),
        ("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, pattern = r"^[!-~]{1,255}$", description = "Makes a retry safe: the same key and body from the same caller replay the first response (with `Idempotent-Replayed: true`) and create nothing; 1 to 255 visible ASCII characters, kept at least 24 hours"),
    ),
    request_body = ConvertLead,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Converted: the new seller account", body = SellerAccount, headers(("ETag" = String), ("Location" = String))),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 404, response = crate::spec_types::NotFound),
        (status = 409, response = crate::spec_types::Conflict),
        (status = 413, response = crate::spec_types::PayloadTooLarge),
        (status = 422, response = crate::spec_types::IdempotencyKeyReused),
    )
)]
#[post("/leads/{id}/convert")]
pub async fn convert_lead(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    key: IdempotencyKey,
    body: ApiJson<ConvertLead>,
) -> ApiResult<Reply> {
    caller.require_scope(Scope::AccountsWrite)?;
    let id: LeadId = path_id(&id, "lead")?;
    idempotency::create_once(
        state,
        caller,
        key,
        body,
        |state, caller, input| async move {
            let mut errors = ValidationErrors::new();
            let value = errors.check(
                "contract_value",
                Money::new(input.contract_value.amount, &input.contract_value.currency),
            );
            if !(1..=60).contains(&input.contract_months) {
                errors.add("contract_months", "must be between 1 and 60");
            }
            let end = contract_end(input.contract_start, input.contract_months);
            if end.is_none() {
                errors.add("contract_start", "is out of range");
            }
            errors.into_result(())?;
            let (value, end) = (
                value.unwrap_or(input.contract_value),
                end.unwrap_or(input.contract_start),
            );

            let conversion = Conversion {
                membership_tier: input.membership_tier,
                contract_start: input.contract_start,
                contract_end: end,
                value,
            };
            let account = blocking::write(&state, move |conn| {
                leads::convert(conn, &caller, &id, conversion)
            })
            .await?;
            let location = format!("/api/v1/seller-accounts/{}", account.id);
            let version = account.version;
            Ok(Reply::created(&SellerAccount::from(account), location).versioned(version))
        },
    )
    .await
}
