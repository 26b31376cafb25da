//! A seller account's writable fields as every account write takes them, and how the
//! seller's facts and a contract's terms are checked. Owner, status and contract are each
//! write's to apply, because who may set them differs.

use crate::services::facts::{self, StallColumns, StallFacts};
use chrono::NaiveDate;
use ironfield_domain::account::{AccountStatus, MembershipTier};
use ironfield_domain::{Money, ValidationErrors};
use ironfield_persistence::seller_accounts::AccountRow;

/// A seller account's writable fields as the create and update paths apply them. Clients
/// send `AccountCreate` or `AccountUpdate` (`routes::seller_accounts::input`), each with its
/// own schema; both convert into this.
#[derive(Debug, Default)]
pub struct AccountInput {
    /// Who the seller is and where, as their lead held it (an account keeps no e-mail).
    pub facts: StallFacts,
    pub owner_id: Option<String>,
    pub membership_tier: Option<MembershipTier>,
    pub status: Option<AccountStatus>,
    pub churn_reason: Option<Option<String>>,
    pub contract_start: Option<NaiveDate>,
    pub contract_months: Option<u32>,
    pub contract_value: Option<Money>,
    pub notes: Option<Option<String>>,
}

impl<'a> From<&'a mut AccountRow> for StallColumns<'a> {
    fn from(account: &'a mut AccountRow) -> Self {
        StallColumns {
            company_name: &mut account.company_name,
            contact_name: &mut account.contact_name,
            phone: &mut account.phone,
            wechat_id: &mut account.wechat_id,
            email: None,
            business_license_no: &mut account.business_license_no,
            market: &mut account.market,
            district: &mut account.district,
            stall_no: &mut account.stall_no,
            location_lat: &mut account.location_lat,
            location_lng: &mut account.location_lng,
        }
    }
}

impl AccountInput {
    /// Applies the seller's facts that are present (contact, identifiers, stall, tier, notes)
    /// to `account`, collecting every invalid one.
    pub fn apply_facts(&mut self, account: &mut AccountRow, errors: &mut ValidationErrors) {
        std::mem::take(&mut self.facts).apply(StallColumns::from(&mut *account), errors);
        if let Some(tier) = self.membership_tier {
            account.membership_tier = tier;
        }
        if let Some(v) = &self.notes {
            account.notes = facts::notes(errors, v);
        }
    }
}

/// Checks a contract's length (1 to 60 months) and value, as a create and a renewal take them.
pub fn contract_terms(
    errors: &mut ValidationErrors,
    months: Option<u32>,
    value: Option<&Money>,
) -> Option<(u32, Money)> {
    let months = match months {
        Some(m) if (1..=60).contains(&m) => Some(m),
        Some(_) => {
            errors.add("contract_months", "must be between 1 and 60");
            None
        }
        None => {
            errors.add("contract_months", "is required");
            None
        }
    };
    let value = match value {
        Some(v) => errors.check("contract_value", Money::new(v.amount, &v.currency)),
        None => {
            errors.add("contract_value", "is required");
            None
        }
    };
    months.zip(value)
}
