//! Seller accounts: who may read and change one, what may not be duplicated, and how a change
//! is stored (one audit event, in the caller's transaction).

use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::Caller;
use crate::services::audit::row_changes;
use crate::services::leads::duplicate;
use crate::services::ownership::{check_may_write, owner_of_new};
use crate::services::record::{Change, Versioned};
use ironfield_auth::Scope;
use ironfield_domain::account::{contract_end, AccountStatus, MembershipTier};
use ironfield_domain::ids::{SellerAccountId, UserId};
use ironfield_domain::time::{business_date, now};
use ironfield_domain::ValidationErrors;
use ironfield_persistence::audit::ChangeSet;
use ironfield_persistence::leads::Identifiers;
use ironfield_persistence::seller_accounts::{self, AccountRow};
use ironfield_persistence::TeamScope;
use ironfield_persistence::{DbConnection, DbError, Timestamp};

pub mod input;
mod update;

pub use input::{contract_terms, AccountInput};
pub use update::update;

/// Loads an account the caller can read; any other is 404.
pub(crate) fn find_visible(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &SellerAccountId,
) -> ApiResult<AccountRow> {
    caller.require_scope(Scope::AccountsRead)?;
    match seller_accounts::find(conn, &caller.scope(), id) {
        Ok(account) => Ok(account),
        Err(DbError::NotFound) => Err(ApiError::not_found("seller account")),
        Err(other) => Err(other.into()),
    }
}

/// The fields that differ between `old` and `new` (every set field when there is no `old`).
pub(crate) fn account_changes(old: Option<&AccountRow>, new: &AccountRow) -> ChangeSet {
    row_changes!(old, new;
        company_name,
        contact_name,
        phone,
        wechat_id,
        business_license_no,
        market,
        district,
        stall_no,
        location_lat,
        location_lng,
        lead_id,
        owner_id,
        team_id,
        membership_tier,
        status,
        contract_start,
        contract_end,
        contract_value,
        contract_currency,
        churn_reason,
        notes
    )
}

/// Records one audit event about an account.
pub(crate) fn audit_account(
    conn: &mut DbConnection,
    caller: &Caller,
    account_id: &SellerAccountId,
    action: &str,
    changes: ChangeSet,
    at: Timestamp,
) -> ApiResult<()> {
    crate::services::audit::record(
        conn,
        caller,
        "seller_account",
        account_id.as_str(),
        action,
        changes,
        at,
    )
}
/// Loads an account the caller may change: 404 if they cannot see it, 403 if they only may
/// look (a rep and a teammate's account).
pub(crate) fn find_writable(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &SellerAccountId,
) -> ApiResult<AccountRow> {
    caller.require_scope(Scope::AccountsWrite)?;
    let account = find_visible(conn, caller, id)?;
    let held = (&account.owner_id, account.team_id.as_deref());
    check_may_write(
        caller,
        held,
        "only the account's owner or their team lead may change it",
    )?;
    Ok(account)
}

pub(crate) fn is_live(account: &AccountRow) -> bool {
    account.status.is_live()
}

fn identifiers(account: &AccountRow) -> Identifiers {
    // Market and stall are left out: a signed seller may take over a neighbour's stall.
    Identifiers {
        phone: account.phone.clone(),
        wechat_id: account.wechat_id.clone(),
        business_license_no: account.business_license_no.clone(),
        market: None,
        stall_no: None,
    }
}

/// Refuses with 409 `duplicate` when another live account shares a phone, WeChat id or
/// licence number with `account`; the existing id is named only when the caller may see it.
pub(crate) fn refuse_duplicates(
    conn: &mut DbConnection,
    caller: &Caller,
    account: &AccountRow,
    except_self: bool,
) -> ApiResult<()> {
    let except = except_self.then_some(&account.id);
    let found = seller_accounts::live_duplicates(conn, &identifiers(account), except)?;
    match found.into_iter().next() {
        Some((existing, matched)) => Err(duplicate(
            caller,
            "seller_account",
            existing.id.as_str(),
            existing.team_id.as_deref(),
            &matched,
        )),
        None => Ok(()),
    }
}

/// Stores a changed account: duplicate rules when it is live and an identifier changed or it
/// came back from churn, the version check, one audit event, and its business events (a
/// renewal, on business day `renewed_on`, is `seller_account.renewed`).
pub(crate) fn save(
    conn: &mut DbConnection,
    caller: &Caller,
    current: &AccountRow,
    account: AccountRow,
    action: &str,
    renewed_on: Option<chrono::NaiveDate>,
) -> ApiResult<AccountRow> {
    let Some(change) = Change::of(current, account) else {
        return Ok(current.clone());
    };
    let account = change.row();
    let ids_changed =
        format!("{:?}", identifiers(current)) != format!("{:?}", identifiers(account));
    if is_live(account) && (ids_changed || !is_live(current)) {
        refuse_duplicates(conn, caller, account, true)?;
    }
    let at = now().naive_utc();
    let stored = change.write(conn, caller, action, at)?;
    crate::events::writes::account_saved(conn, caller, current, &stored, renewed_on, at)?;
    Ok(stored)
}

impl Versioned for AccountRow {
    const ENTITY: &'static str = "seller_account";

    fn id_text(&self) -> &str {
        self.id.as_str()
    }

    fn changes(old: Option<&Self>, new: &Self) -> ChangeSet {
        account_changes(old, new)
    }

    fn set_updated_at(&mut self, at: Timestamp) {
        self.updated_at = at;
    }

    fn store(conn: &mut DbConnection, row: &Self) -> ApiResult<bool> {
        Ok(seller_accounts::save(conn, row)?)
    }

    fn reload(conn: &mut DbConnection, row: &Self) -> ApiResult<Self> {
        Ok(seller_accounts::find(
            conn,
            &TeamScope::everything(),
            &row.id,
        )?)
    }
}

/// Signs a seller directly: every field checked at once (the owner's refusal joins the list
/// unless it is a 403), the duplicate rule, the account and its `created` event. Runs in the
/// caller's write transaction.
pub fn create(
    conn: &mut DbConnection,
    caller: &Caller,
    mut input: AccountInput,
) -> ApiResult<AccountRow> {
    let mut errors = ValidationErrors::new();
    if input.facts.company_name.is_none() {
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
    let refusal = "you may create seller accounts only for yourself";
    let owner = owner_of_new(conn, caller, input.owner_id.as_deref(), refusal);
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
        id: SellerAccountId::new(),
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
        // Set below once the owner is known; without one, `errors` refuses the request
        // before this id is ever stored.
        owner_id: owner.as_ref().map_or_else(UserId::new, |o| o.id.clone()),
        team_id: None,
        // Absent only when refused above (`is required`).
        membership_tier: input.membership_tier.unwrap_or(MembershipTier::Standard),
        status,
        contract_start: input.contract_start.unwrap_or_default(),
        contract_end: end.unwrap_or_default(),
        contract_value: 0,
        contract_currency: String::new(),
        signed_at: at,
        signed_business_date: business_date(signed, tz),
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
    let account = seller_accounts::find(conn, &TeamScope::everything(), &account.id)?;
    crate::events::writes::account_signed(conn, caller, &account, at)?;
    Ok(account)
}

#[derive(Debug, thiserror::Error)]
#[error("validation passed without an owner or contract terms")]
struct Unreachable;
