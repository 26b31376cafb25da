//! What a client may send to create or change a seller account: the wire types with their
//! schemas, each converted into the service's [`AccountInput`], which checks and applies them.

use super::{AccountStatus, MembershipTier};
use crate::routes::double_option;
use crate::services::facts::StallFacts;
use crate::services::seller_accounts::input::AccountInput;
use chrono::NaiveDate;
use ironfield_domain::{GeoPoint, Money};
use serde::Deserialize;
use utoipa::ToSchema;

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
            facts: StallFacts {
                company_name: c.company_name,
                contact_name: c.contact_name.map(Some),
                phone: c.phone.map(Some),
                wechat_id: c.wechat_id.map(Some),
                email: None,
                business_license_no: c.business_license_no.map(Some),
                market: c.market.map(Some),
                district: c.district.map(Some),
                stall_no: c.stall_no.map(Some),
                location: c.location.map(Some),
            },
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
            facts: StallFacts {
                company_name: u.company_name,
                contact_name: u.contact_name,
                phone: u.phone,
                wechat_id: u.wechat_id,
                email: None,
                business_license_no: u.business_license_no,
                market: u.market,
                district: u.district,
                stall_no: u.stall_no,
                location: u.location,
            },
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
