//! Seller performance: the monthly figures the portal pushes per seller account, and reads of
//! them. The account-health rules (`crate::account_health`) judge these figures.

mod list;
mod put_bulk;
mod put_one;

use crate::services::seller_performance::Figures;
use chrono::{DateTime, FixedOffset, Utc};
use ironfield_domain::Money;
use ironfield_persistence::seller_performance::PerformanceRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

/// Registered before `/seller-accounts/{id}` reads, beside the seller-account routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(put_one::put_performance)
        .service(put_bulk::put_performance_bulk)
        .service(list::list_performance);
}

/// The `YYYY-MM` pattern of a period, as the spec states it.
pub const PERIOD_PATTERN: &str = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$";

/// One month's figures of a seller on the portal.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"inquiries": 120, "orders": 31, "gmv": {"amount": 4250000, "currency": "CNY"},
    "active_listings": 86, "buyer_response_rate": 0.92, "last_seller_login_at": "2026-10-30T21:14:00+08:00"}))]
pub struct PerformanceInput {
    /// Buyer inquiries received in the month.
    #[schema(minimum = 0, maximum = 10_000_000)]
    pub inquiries: i64,
    /// Orders received in the month.
    #[schema(minimum = 0, maximum = 10_000_000)]
    pub orders: i64,
    /// Gross merchandise value of the month's orders, in minor units.
    pub gmv: Money,
    /// Listings live on the portal at the month's end.
    #[schema(minimum = 0, maximum = 1_000_000)]
    pub active_listings: i64,
    /// Share of buyer inquiries the seller answered, 0 to 1.
    #[schema(minimum = 0, maximum = 1)]
    pub buyer_response_rate: f64,
    /// The seller's latest sign-in to the portal (RFC 3339, any offset; at most 5 minutes in
    /// the future); `null` or absent when they have never signed in.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_seller_login_at: Option<DateTime<FixedOffset>>,
}

/// The stored figures of one account and month.
#[derive(Debug, Serialize, ToSchema)]
pub struct Performance {
    pub seller_account_id: String,
    /// `YYYY-MM`.
    #[schema(pattern = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$")]
    pub period: String,
    #[schema(minimum = 0, maximum = 10_000_000)]
    pub inquiries: i64,
    #[schema(minimum = 0, maximum = 10_000_000)]
    pub orders: i64,
    pub gmv: Money,
    #[schema(minimum = 0, maximum = 1_000_000)]
    pub active_listings: i64,
    #[schema(minimum = 0, maximum = 1)]
    pub buyer_response_rate: f64,
    pub last_seller_login_at: Option<DateTime<Utc>>,
    /// When these figures were last written.
    pub updated_at: DateTime<Utc>,
}

impl From<PerformanceRow> for Performance {
    fn from(row: PerformanceRow) -> Self {
        Performance {
            seller_account_id: row.seller_account_id.into(),
            period: row.period.to_string(),
            inquiries: row.inquiries,
            orders: row.orders,
            gmv: Money {
                amount: row.gmv,
                currency: row.gmv_currency,
            },
            active_listings: row.active_listings,
            buyer_response_rate: row.buyer_response_rate,
            last_seller_login_at: row.last_seller_login_at.map(|t| t.and_utc()),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

impl From<PerformanceInput> for Figures {
    fn from(input: PerformanceInput) -> Self {
        Figures {
            inquiries: input.inquiries,
            orders: input.orders,
            gmv: input.gmv,
            active_listings: input.active_listings,
            buyer_response_rate: input.buyer_response_rate,
            last_seller_login_at: input.last_seller_login_at,
        }
    }
}
