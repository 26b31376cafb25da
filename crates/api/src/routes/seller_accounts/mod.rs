//! Seller accounts: signed sellers on the B2B portal.

mod at_risk;
mod create;

mod history;
pub(crate) mod input;
mod list;
mod read;
mod renew;
mod update;

use crate::error::ApiResult;
use crate::services::seller_accounts::find_visible;
use chrono::{DateTime, NaiveDate, Utc};
use ironfield_domain::health::{Assessment, Health};
use ironfield_domain::{GeoPoint, Money};
use ironfield_persistence::seller_accounts::AccountRow;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

pub use at_risk::AtRiskAccount;

pub fn configure(cfg: &mut ServiceConfig) {
    // `/seller-accounts/at-risk` before `/seller-accounts/{id}`, which would take it for an id.
    cfg.service(at_risk::at_risk_accounts)
        .service(list::list_accounts)
        .service(create::create_account)
        .service(read::get_account)
        .service(update::update_account)
        .service(renew::renew_account)
        .service(history::account_history);
}

pub use ironfield_domain::account::{AccountStatus, MembershipTier};

/// A signed seller.
#[derive(Debug, Serialize, ToSchema)]
pub struct SellerAccount {
    #[schema(format = Uuid)]
    pub id: String,
    pub company_name: String,
    pub contact_name: Option<String>,
    pub phone: Option<String>,
    pub wechat_id: Option<String>,
    pub business_license_no: Option<String>,
    pub market: Option<String>,
    pub district: Option<String>,
    pub stall_no: Option<String>,
    pub location: Option<GeoPoint>,
    /// The lead it was converted from.
    #[schema(format = Uuid)]
    pub lead_id: Option<String>,
    #[schema(format = Uuid)]
    pub owner_id: String,
    #[schema(format = Uuid)]
    pub team_id: Option<String>,
    pub membership_tier: MembershipTier,
    pub status: AccountStatus,
    pub contract_start: NaiveDate,
    pub contract_end: NaiveDate,
    pub contract_value: Money,
    pub signed_at: DateTime<Utc>,
    pub churn_reason: Option<String>,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
    /// The account's health now, from the portal's figures, its contract and its visits (see
    /// `GET /seller-accounts/at-risk` for the rules). Given by the account reads, the list and
    /// the at-risk list; `null` in the answers of writes (create, update, renew, convert).
    pub health: Option<Health>,
}

impl SellerAccount {
    /// Adds the health from an assessment made for this account.
    pub(crate) fn with_health(mut self, assessment: Option<&Assessment>) -> Self {
        self.health = assessment.map(|a| a.health);
        self
    }
}

impl From<AccountRow> for SellerAccount {
    fn from(row: AccountRow) -> Self {
        let location = match (row.location_lat, row.location_lng) {
            (Some(lat), Some(lng)) => Some(GeoPoint { lat, lng }),
            _ => None,
        };
        SellerAccount {
            membership_tier: row.membership_tier,
            status: row.status,
            contract_value: Money {
                amount: row.contract_value,
                currency: row.contract_currency,
            },
            location,
            id: row.id.into(),
            company_name: row.company_name,
            contact_name: row.contact_name,
            phone: row.phone,
            wechat_id: row.wechat_id,
            business_license_no: row.business_license_no,
            market: row.market,
            district: row.district,
            stall_no: row.stall_no,
            lead_id: row.lead_id.map(String::from),
            owner_id: row.owner_id.into(),
            team_id: row.team_id.map(String::from),
            contract_start: row.contract_start,
            contract_end: row.contract_end,
            signed_at: row.signed_at.and_utc(),
            churn_reason: row.churn_reason,
            notes: row.notes,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
            version: row.version,
            health: None,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SellerAccountPage {
    pub items: Vec<SellerAccount>,
    pub next_cursor: Option<String>,
}

/// The reply for one account, with its ETag.
pub(crate) fn account_reply(row: AccountRow) -> ApiResult<crate::reply::Reply> {
    let version = row.version;
    Ok(crate::reply::Reply::ok(&SellerAccount::from(row)).versioned(version))
}
