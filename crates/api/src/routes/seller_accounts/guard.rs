//! Who may change an account, what may not be duplicated, and how a change is stored.

use super::{account_changes, audit_account, find_visible, AccountStatus};
use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::routes::leads::duplicate;
use ironfield_auth::{policy, Scope};
use ironfield_domain::time::now;
use ironfield_persistence::leads::Identifiers;
use ironfield_persistence::seller_accounts::{self, AccountRow};
use ironfield_persistence::DbConnection;

/// Loads an account the caller may change: 404 if they cannot see it, 403 if they only may
/// look (a rep and a teammate's account).
pub(crate) fn find_writable(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> ApiResult<AccountRow> {
    caller.require_scope(Scope::AccountsWrite)?;
    let account = find_visible(conn, caller, id)?;
    if !policy::may_write_record(
        &caller.principal,
        &caller.view,
        &account.owner_id,
        account.team_id.as_deref(),
    ) {
        return Err(ApiError::forbidden(
            "only the account's owner or their team lead may change it",
        ));
    }
    Ok(account)
}

pub(crate) fn is_live(account: &AccountRow) -> bool {
    account.status != AccountStatus::Churned.as_str()
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
    let except = except_self.then_some(account.id.as_str());
    let found = seller_accounts::live_duplicates(conn, &identifiers(account), except)?;
    match found.into_iter().next() {
        Some((existing, matched)) => Err(duplicate(
            caller,
            "seller_account",
            &existing.id,
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
    mut account: AccountRow,
    action: &str,
    renewed_on: Option<&str>,
) -> ApiResult<AccountRow> {
    let changes = account_changes(Some(current), &account);
    if changes.is_empty() {
        return Ok(current.clone());
    }
    let ids_changed =
        format!("{:?}", identifiers(current)) != format!("{:?}", identifiers(&account));
    if is_live(&account) && (ids_changed || !is_live(current)) {
        refuse_duplicates(conn, caller, &account, true)?;
    }
    let at = now().naive_utc();
    account.updated_at = at;
    if !seller_accounts::save(conn, &account)? {
        return Err(ApiError::precondition_failed());
    }
    audit_account(conn, caller, &account.id, action, changes, at)?;
    let stored = seller_accounts::find(conn, &account.id)?;
    crate::events::writes::account_saved(conn, caller, current, &stored, renewed_on, at)?;
    Ok(stored)
}
