use super::update::save;
use super::{audit, find_writable};
use crate::blocking;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{ApiJson, Caller, IdempotencyKey};
use crate::idempotency;
use crate::reply::Reply;
use crate::routes::path_id;
use crate::routes::seller_accounts::{
    account_changes, audit_account, contract_end, AccountStatus, MembershipTier, SellerAccount,
};
use crate::state::AppState;
use actix_web::{post, web};
use chrono::NaiveDate;
use ironfield_auth::Scope;
use ironfield_domain::ids::new_id;
use ironfield_domain::time::{business_date, now};
use ironfield_domain::{Money, Stage, ValidationErrors};
use ironfield_persistence::audit::ChangeSet;
use ironfield_persistence::seller_accounts::{self, AccountRow};
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
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 422, response = crate::openapi::IdempotencyKeyReused),
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
    let id = path_id(&id, "lead")?;
    let fingerprint = body.fingerprint().to_owned();
    let who = caller.clone();
    idempotency::run_once(&state.clone(), &who, key, &fingerprint, || async move {
        let input = body.into_inner();
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

        let account = blocking::write(&state, move |conn| {
            let lead = find_writable(conn, &caller, &id)?;
            let stage: Stage = lead.stage.parse().map_err(ApiError::internal)?;
            stage
                .check_convert()
                .map_err(|e| ApiError::new(ErrorCode::InvalidTransition, e.to_string()))?;
            let signed = now();
            let at = signed.naive_utc();
            let tz = crate::org::timezone(conn)?;
            let mut account = AccountRow {
                id: new_id(),
                company_name: lead.company_name.clone(),
                contact_name: lead.contact_name.clone(),
                phone: lead.phone.clone(),
                wechat_id: lead.wechat_id.clone(),
                business_license_no: lead.business_license_no.clone(),
                market: lead.market.clone(),
                district: lead.district.clone(),
                stall_no: lead.stall_no.clone(),
                location_lat: lead.location_lat,
                location_lng: lead.location_lng,
                lead_id: Some(lead.id.clone()),
                owner_id: lead.owner_id.clone(),
                team_id: lead.team_id.clone(),
                membership_tier: input.membership_tier.as_str().to_owned(),
                status: AccountStatus::Onboarding.as_str().to_owned(),
                contract_start: input.contract_start,
                contract_end: end,
                contract_value: value.amount,
                contract_currency: value.currency,
                signed_at: at,
                signed_business_date: business_date(signed, tz).to_string(),
                churn_reason: None,
                notes: None,
                search_text: String::new(),
                created_at: at,
                updated_at: at,
                version: 1,
            };
            // An account already holding the same phone, WeChat id or licence is a duplicate.
            let ids = super::identifiers(&lead);
            if let Some((existing, matched)) = seller_accounts::live_duplicates(conn, &ids, None)?
                .into_iter()
                .next()
            {
                return Err(super::duplicate(
                    &caller,
                    "seller_account",
                    &existing.id,
                    existing.team_id.as_deref(),
                    &matched,
                ));
            }
            account.search_text = account.compute_search_text();
            seller_accounts::insert(conn, &account).map_err(|e| match e {
                // Two conversions of one lead at once: the other one won.
                ironfield_persistence::DbError::UniqueViolation(_) => ApiError::new(
                    ErrorCode::InvalidTransition,
                    "the lead is already converted",
                ),
                other => other.into(),
            })?;
            audit_account(
                conn,
                &caller,
                &account.id,
                "created",
                account_changes(None, &account),
                at,
            )?;
            let stored = seller_accounts::find(conn, &account.id)?;
            crate::events::writes::account_signed(conn, &caller, &stored, at)?;

            let mut won = lead.clone();
            won.stage = Stage::Won.as_str().to_owned();
            won.account_id = Some(account.id.clone());
            save(conn, &caller, &lead, won)?;
            let mut converted = ChangeSet::new();
            converted.set("account_id", &account.id);
            audit(conn, &caller, &lead.id, "converted", converted, at)?;
            Ok(seller_accounts::find(conn, &account.id)?)
        })
        .await?;
        let location = format!("/api/v1/seller-accounts/{}", account.id);
        let version = account.version;
        Ok(Reply::created(&SellerAccount::try_from(account)?, location).versioned(version))
    })
    .await
}
