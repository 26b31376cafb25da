//! Renewing a seller account: the contract moves on and the renewal is counted.

use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{Caller, IfMatch};
use crate::services::seller_accounts::{find_writable, is_live, save};
use chrono::{Months, NaiveDate};
use ironfield_domain::ids::{RenewalId, SellerAccountId};
use ironfield_domain::time::{business_date, now};
use ironfield_domain::Money;
use ironfield_persistence::seller_accounts::{self, AccountRow, RenewalRow};
use ironfield_persistence::DbConnection;

/// Renews a live account the caller may write for `months` at `value`: the contract end
/// moves on from the later of its current end and today, a renewal row is stamped with the
/// owner, team and business day (targets count it there), and the account is saved with its
/// `renewed` audit record and events. An end past the calendar is a 422 naming
/// `contract_months`, checked before If-Match like every other problem with the request.
/// Runs in the caller's write transaction (`blocking::write`).
pub fn renew(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &SellerAccountId,
    months: u32,
    value: Money,
    if_match: &IfMatch,
) -> ApiResult<AccountRow> {
    let current = find_writable(conn, caller, id)?;
    let renewed = now();
    let today = business_date(renewed, crate::org::timezone(conn)?);
    let new_end = renewed_end(current.contract_end, today, months)
        .ok_or_else(|| ApiError::invalid_field("contract_months", "is out of range"))?;
    if_match.check(current.version)?;
    if !is_live(&current) {
        return Err(ApiError::new(
            ErrorCode::InvalidTransition,
            "a churned seller account cannot be renewed",
        ));
    }
    let mut account = current.clone();
    account.contract_end = new_end;
    account.contract_value = value.amount;
    account.contract_currency = value.currency.clone();
    seller_accounts::insert_renewal(
        conn,
        &RenewalRow {
            id: RenewalId::new(),
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
    save(conn, caller, &current, account, "renewed", Some(today))
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
        // Past the calendar: no end, which the caller reports as a 422.
        assert_eq!(renewed_end(NaiveDate::MAX, d("2027-03-15"), 1), None);
    }
}
