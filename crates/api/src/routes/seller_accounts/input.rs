//! What a client may send to create or change a seller account, and how the seller's facts
//! are checked and applied. Owner, status and contract are each endpoint's to apply, because
//! who may set them differs.

use super::{AccountStatus, MembershipTier};
use crate::routes::{double_option, facts};
use chrono::NaiveDate;
use ironfield_domain::validation;
use ironfield_domain::{GeoPoint, Money, ValidationErrors};
use ironfield_persistence::seller_accounts::AccountRow;
use serde::Deserialize;
use utoipa::ToSchema;

/// A seller account as a client writes it. Create: `company_name`, `membership_tier`,
/// `contract_start`, `contract_months` and `contract_value` are required. PATCH: any of the
/// seller's facts, `membership_tier`, `status`, `churn_reason`, `owner_id` and `notes`; an
/// absent field is left alone and `null` clears it. The contract changes only by renewal.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "company_name": "义乌市星辰饰品厂", "contact_name": "陈海燕", "phone": "138 0013 8000",
    "market": "国际商贸城一区", "stall_no": "A-1023", "membership_tier": "gold",
    "contract_start": "2026-11-01", "contract_months": 12,
    "contract_value": {"amount": 1980000, "currency": "CNY"}
}))]
pub struct AccountInput {
    pub company_name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub contact_name: Option<Option<String>>,
    /// Any common way of writing it; stored as E.164 (default region CN).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, example = "138 0013 8000")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub wechat_id: Option<Option<String>>,
    /// The 18-character Unified Social Credit Code (统一社会信用代码), check character verified.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub business_license_no: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub market: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub district: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub stall_no: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<GeoPoint>)]
    pub location: Option<Option<GeoPoint>>,
    /// Create: default the caller. PATCH: reassigns (team leads and above); the team follows
    /// the new owner.
    #[schema(format = Uuid)]
    pub owner_id: Option<String>,
    pub membership_tier: Option<MembershipTier>,
    /// Create: default `onboarding` (never `churned`). PATCH: `churned` needs `churn_reason`.
    pub status: Option<AccountStatus>,
    /// PATCH only: why the seller left; only a churned account has one.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub churn_reason: Option<Option<String>>,
    /// Create only.
    pub contract_start: Option<NaiveDate>,
    /// Create only: 1 to 60.
    pub contract_months: Option<u32>,
    /// Create only.
    pub contract_value: Option<Money>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
}

impl AccountInput {
    /// Applies the seller's facts that are present (contact, identifiers, stall, tier, notes)
    /// to `account`, collecting every invalid one.
    pub fn apply_facts(&mut self, account: &mut AccountRow, errors: &mut ValidationErrors) {
        if let Some(name) = &self.company_name {
            if let Some(name) = errors.check("company_name", validation::required_text(name, 200)) {
                account.company_name = name;
            }
        }
        if let Some(v) = &self.contact_name {
            account.contact_name = facts::text(errors, "contact_name", v, 100);
        }
        if let Some(v) = self.phone.take() {
            account.phone = facts::phone(errors, v);
        }
        if let Some(v) = self.wechat_id.take() {
            account.wechat_id = facts::wechat_id(errors, v);
        }
        if let Some(v) = self.business_license_no.take() {
            account.business_license_no = facts::business_license_no(errors, v);
        }
        if let Some(v) = &self.market {
            account.market = facts::text(errors, "market", v, 100);
        }
        if let Some(v) = &self.district {
            account.district = facts::text(errors, "district", v, 100);
        }
        if let Some(v) = &self.stall_no {
            account.stall_no = facts::stall_no(errors, v);
        }
        if let Some(v) = self.location.take() {
            (account.location_lat, account.location_lng) = facts::location(errors, v);
        }
        if let Some(tier) = self.membership_tier {
            account.membership_tier = tier.as_str().to_owned();
        }
        if let Some(v) = &self.notes {
            account.notes = facts::text(errors, "notes", v, 4000);
        }
    }
}

/// Checks a contract's length (1 to 60 months) and value, as a create and a renewal take them.
pub(crate) fn contract_terms(
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
