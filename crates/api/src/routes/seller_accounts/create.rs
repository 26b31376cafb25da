use super::guard::refuse_duplicates;
use super::input::{contract_terms, AccountCreate, AccountInput};
use super::{account_changes, audit_account, contract_end, AccountStatus, SellerAccount};
use crate::blocking;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{ApiJson, Caller, IdempotencyKey};
use crate::idempotency;
use crate::reply::Reply;
use crate::routes::leads::check_owner;
use crate::state::AppState;
use actix_web::{post, web};
use ironfield_auth::{policy, Principal, Scope};
use ironfield_domain::ids::new_id;
use ironfield_domain::time::{business_date, now};
use ironfield_domain::ValidationErrors;
use ironfield_persistence::seller_accounts::{self, AccountRow};
use ironfield_persistence::users::UserRow;
use ironfield_persistence::DbConnection;

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
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 409, response = crate::openapi::Conflict),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 422, response = crate::openapi::IdempotencyKeyReused),
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
    let fingerprint = body.fingerprint().to_owned();
    let who = caller.clone();
    idempotency::run_once(&state.clone(), &who, key, &fingerprint, || async move {
        let input = AccountInput::from(body.into_inner());
        blocking::write(&state, move |conn| create(conn, &caller, input)).await
    })
    .await
}

fn create(conn: &mut DbConnection, caller: &Caller, mut input: AccountInput) -> ApiResult<Reply> {
    let mut errors = ValidationErrors::new();
    if input.company_name.is_none() {
        errors.add("company_name", "is required");
    }
    if input.membership_tier.is_none() {
        errors.add("membership_tier", "is required");
    }
    let status = input.status.unwrap_or(AccountStatus::Onboarding);
    if status == AccountStatus::Churned {
        errors.add("status", "a new account cannot be churned");
    }
    if input.churn_reason.is_some() {
        errors.add("churn_reason", "a new account cannot be churned");
    }
    let terms = contract_terms(
        &mut errors,
        input.contract_months,
        input.contract_value.as_ref(),
    );
    let end = match (input.contract_start, terms.as_ref()) {
        (Some(start), Some((months, _))) => {
            let end = contract_end(start, *months);
            if end.is_none() {
                errors.add("contract_start", "is out of range");
            }
            end
        }
        (None, _) => {
            errors.add("contract_start", "is required");
            None
        }
        _ => None,
    };
    let owner = owner(conn, caller, input.owner_id.as_deref());
    // Every bad field at once: the owner's refusal joins the list unless it is a 403.
    let owner = match owner {
        Ok(owner) => Some(owner),
        Err(e) if e.code == ErrorCode::ValidationFailed => {
            errors.0.extend(e.errors);
            None
        }
        Err(e) => return Err(e),
    };

    let signed = now();
    let at = signed.naive_utc();
    let tz = crate::org::timezone(conn)?;
    let mut account = AccountRow {
        id: new_id(),
        company_name: String::new(),
        contact_name: None,
        phone: None,
        wechat_id: None,
        business_license_no: None,
        market: None,
        district: None,
        stall_no: None,
        location_lat: None,
        location_lng: None,
        lead_id: None,
        owner_id: String::new(),
        team_id: None,
        membership_tier: String::new(),
        status: status.as_str().to_owned(),
        contract_start: input.contract_start.unwrap_or_default(),
        contract_end: end.unwrap_or_default(),
        contract_value: 0,
        contract_currency: String::new(),
        signed_at: at,
        signed_business_date: business_date(signed, tz).to_string(),
        churn_reason: None,
        notes: None,
        search_text: String::new(),
        created_at: at,
        updated_at: at,
        version: 1,
    };
    input.apply_facts(&mut account, &mut errors);
    errors.into_result(())?;
    let (Some(owner), Some((_, value))) = (owner, terms) else {
        return Err(ApiError::internal(Unreachable));
    };
    account.owner_id = owner.id;
    account.team_id = owner.team_id;
    account.contract_value = value.amount;
    account.contract_currency = value.currency;
    account.search_text = account.compute_search_text();

    refuse_duplicates(conn, caller, &account, false)?;
    seller_accounts::insert(conn, &account)?;
    audit_account(
        conn,
        caller,
        &account.id,
        "created",
        account_changes(None, &account),
        at,
    )?;
    let account = seller_accounts::find(conn, &account.id)?;
    crate::events::writes::account_signed(conn, caller, &account, at)?;
    let location = format!("/api/v1/seller-accounts/{}", account.id);
    let version = account.version;
    Ok(Reply::created(&SellerAccount::try_from(account)?, location).versioned(version))
}

/// The account's owner: the caller unless named; naming someone else needs `may_assign`.
fn owner(conn: &mut DbConnection, caller: &Caller, named: Option<&str>) -> ApiResult<UserRow> {
    match (named, &caller.principal) {
        (Some(owner_id), _) => {
            let owner = check_owner(conn, caller, owner_id)?;
            if owner.id != caller.id()
                && !policy::may_assign(&caller.principal, &caller.view, owner.team_id.as_deref())
            {
                return Err(ApiError::forbidden(
                    "you may create seller accounts only for yourself",
                ));
            }
            Ok(owner)
        }
        (None, Principal::User { .. }) => {
            Ok(ironfield_persistence::users::find(conn, caller.id())?)
        }
        (None, Principal::Service { .. }) => Err(ApiError::invalid_field(
            "owner_id",
            "a service account must name the owner",
        )),
    }
}

#[derive(Debug, thiserror::Error)]
#[error("validation passed without an owner or contract terms")]
struct Unreachable;
