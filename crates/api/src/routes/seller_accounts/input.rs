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

/// A seller account's writable fields as the create and update paths apply them. Clients
/// send [`AccountCreate`] or [`AccountUpdate`], each with its own schema; both convert into
/// this.
#[derive(Debug, Default)]
pub struct AccountInput {
    pub company_name: Option<String>,
    pub contact_name: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub wechat_id: Option<Option<String>>,
    pub business_license_no: Option<Option<String>>,
    pub market: Option<Option<String>>,
    pub district: Option<Option<String>>,
    pub stall_no: Option<Option<String>>,
    pub location: Option<Option<GeoPoint>>,
    pub owner_id: Option<String>,
    pub membership_tier: Option<MembershipTier>,
    pub status: Option<AccountStatus>,
    pub churn_reason: Option<Option<String>>,
    pub contract_start: Option<NaiveDate>,
    pub contract_months: Option<u32>,
    pub contract_value: Option<Money>,
    pub notes: Option<Option<String>>,
}

/// The statuses a seller account may be created with: any but `churned`.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[expect(
    dead_code,
    reason = "documents `AccountCreate.status`; the value is read as an `AccountStatus`"
)]
pub enum NewAccountStatus {
    Onboarding,
    Active,
    Suspended,
}

/// A seller signed directly. `company_name`, `membership_tier`, `contract_start`,
/// `contract_months` and `contract_value` are required; `status` defaults to `onboarding` and
/// `owner_id` to the caller.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "company_name": "义乌市星辰饰品厂", "contact_name": "陈海燕", "phone": "138 0013 8000",
    "market": "国际商贸城一区", "stall_no": "A-1023", "membership_tier": "gold",
    "contract_start": "2026-11-01", "contract_months": 12,
    "contract_value": {"amount": 1980000, "currency": "CNY"}
}))]
pub struct AccountCreate {
    #[schema(required = true, value_type = String, pattern = r"\S", max_length = 200)]
    pub company_name: Option<String>,
    #[schema(max_length = 100)]
    pub contact_name: Option<String>,
    /// Any common way of writing it; stored as E.164 (default region CN).
    #[schema(example = "138 0013 8000", max_length = 64)]
    pub phone: Option<String>,
    #[schema(pattern = r"^\s*[A-Za-z][A-Za-z0-9_-]{5,19}\s*$")]
    pub wechat_id: Option<String>,
    /// The 18-character Unified Social Credit Code (统一社会信用代码), check character verified.
    #[schema(pattern = r"^\s*[0-9A-HJ-NP-RTUW-Ya-hj-np-rtuw-y]{18}\s*$")]
    pub business_license_no: Option<String>,
    #[schema(max_length = 100)]
    pub market: Option<String>,
    #[schema(max_length = 100)]
    pub district: Option<String>,
    #[schema(max_length = 50)]
    pub stall_no: Option<String>,
    pub location: Option<GeoPoint>,
    /// Default the caller; naming another owner needs a team lead or above.
    #[schema(format = Uuid)]
    pub owner_id: Option<String>,
    #[schema(required = true, value_type = MembershipTier)]
    pub membership_tier: Option<MembershipTier>,
    /// Default `onboarding`; never `churned`.
    #[schema(value_type = Option<NewAccountStatus>)]
    pub status: Option<AccountStatus>,
    #[schema(required = true, value_type = NaiveDate)]
    pub contract_start: Option<NaiveDate>,
    /// 1 to 60. A whole number: `12.0` is refused.
    #[schema(required = true, value_type = u32, minimum = 1, maximum = 60)]
    pub contract_months: Option<u32>,
    #[schema(required = true, value_type = Money)]
    pub contract_value: Option<Money>,
    #[schema(max_length = 4000)]
    pub notes: Option<String>,
}

impl From<AccountCreate> for AccountInput {
    fn from(c: AccountCreate) -> Self {
        AccountInput {
            company_name: c.company_name,
            contact_name: c.contact_name.map(Some),
            phone: c.phone.map(Some),
            wechat_id: c.wechat_id.map(Some),
            business_license_no: c.business_license_no.map(Some),
            market: c.market.map(Some),
            district: c.district.map(Some),
            stall_no: c.stall_no.map(Some),
            location: c.location.map(Some),
            owner_id: c.owner_id,
            membership_tier: c.membership_tier,
            status: c.status,
            churn_reason: None,
            contract_start: c.contract_start,
            contract_months: c.contract_months,
            contract_value: c.contract_value,
            notes: c.notes.map(Some),
        }
    }
}

/// A change to a seller account: every field optional; an absent field is left alone and
/// `null` clears it. The contract is not here: it changes only by
/// `POST /seller-accounts/{id}/renew` (a contract field sent here is 422).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"membership_tier": "premium", "notes": "升级为高级会员"}))]
pub struct AccountUpdate {
    #[schema(pattern = r"\S", max_length = 200)]
    pub company_name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub contact_name: Option<Option<String>>,
    /// Any common way of writing it; stored as E.164 (default region CN).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, example = "138 0013 8000", max_length = 64)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, pattern = r"^\s*[A-Za-z][A-Za-z0-9_-]{5,19}\s*$")]
    pub wechat_id: Option<Option<String>>,
    /// The 18-character Unified Social Credit Code (统一社会信用代码), check character verified.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, pattern = r"^\s*[0-9A-HJ-NP-RTUW-Ya-hj-np-rtuw-y]{18}\s*$")]
    pub business_license_no: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub market: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub district: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 50)]
    pub stall_no: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<GeoPoint>)]
    pub location: Option<Option<GeoPoint>>,
    /// Reassigns (team leads and above); the team follows the new owner.
    #[schema(format = Uuid)]
    pub owner_id: Option<String>,
    pub membership_tier: Option<MembershipTier>,
    /// `churned` needs a `churn_reason`; leaving `churned` clears it.
    pub status: Option<AccountStatus>,
    /// Why the seller left; only a churned account has one.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, pattern = r"\S", max_length = 500)]
    pub churn_reason: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 4000)]
    pub notes: Option<Option<String>>,
}

impl From<AccountUpdate> for AccountInput {
    fn from(u: AccountUpdate) -> Self {
        AccountInput {
            company_name: u.company_name,
            contact_name: u.contact_name,
            phone: u.phone,
            wechat_id: u.wechat_id,
            business_license_no: u.business_license_no,
            market: u.market,
            district: u.district,
            stall_no: u.stall_no,
            location: u.location,
            owner_id: u.owner_id,
            membership_tier: u.membership_tier,
            status: u.status,
            churn_reason: u.churn_reason,
            contract_start: None,
            contract_months: None,
            contract_value: None,
            notes: u.notes,
        }
    }
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
            account.membership_tier = tier;
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
