//! A client's update of a seller account's fields.

use super::{find_writable, save, AccountInput};
use crate::error::ApiResult;
use crate::extract::{Caller, IfMatch};
use crate::services::ownership::{check_id_field, reassign};
use ironfield_domain::ids::SellerAccountId;
use ironfield_domain::{validation, ValidationErrors};
use ironfield_persistence::seller_accounts::AccountRow;
use ironfield_persistence::DbConnection;

/// Updates a seller account with the fields sent: the seller's facts, tier, notes, status
/// (a churned account needs a churn reason, a live one has none) and a new owner (a team
/// lead or above, 403 otherwise). Every bad field is 422 before If-Match (412); the owner is
/// checked after it. One audit event names the most telling change. Runs in the caller's
/// write transaction.
pub fn update(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &SellerAccountId,
    mut input: AccountInput,
    if_match: &IfMatch,
) -> ApiResult<AccountRow> {
    let current = find_writable(conn, caller, id)?;
    let mut errors = ValidationErrors::new();
    let mut account = current.clone();
    input.apply_facts(&mut account, &mut errors);
    if let Some(status) = input.status {
        account.status = status;
    }
    apply_churn_reason(&mut account, input.churn_reason.as_ref(), &mut errors);
    check_id_field(&mut errors, "owner_id", input.owner_id.as_deref());
    errors.into_result(())?;
    // A bad body is 422 whatever the version: only a valid change can be stale.
    if_match.check(current.version)?;

    let owned = (&current.owner_id, current.team_id.as_deref());
    let refusal = "only a team lead or above may reassign a seller account";
    if let Some(owner) = reassign(conn, caller, owned, input.owner_id.as_deref(), refusal)? {
        account.owner_id = owner.id;
        account.team_id = owner.team_id;
    }

    let action = if current.status != account.status {
        "status_changed"
    } else if current.owner_id != account.owner_id {
        "assigned"
    } else {
        "updated"
    };
    save(conn, caller, &current, account, action, None)
}

/// Sets the churn reason `account` keeps at its (new) status given the one `sent` (`Some(None)`:
/// cleared): a churned account needs one, a live account has none.
fn apply_churn_reason(
    account: &mut AccountRow,
    sent: Option<&Option<String>>,
    errors: &mut ValidationErrors,
) {
    let churned = !account.status.is_live();
    match (churned, sent) {
        (true, Some(Some(reason))) => {
            account.churn_reason =
                errors.check("churn_reason", validation::required_text(reason, 500));
        }
        (true, Some(None)) => errors.add("churn_reason", "a churned account needs a reason"),
        (true, None) if account.churn_reason.is_none() => {
            errors.add("churn_reason", "say why the seller churned");
        }
        (true, None) => {}
        (false, Some(Some(_))) => {
            errors.add("churn_reason", "only a churned account has a churn reason");
        }
        (false, _) => account.churn_reason = None,
    }
}
