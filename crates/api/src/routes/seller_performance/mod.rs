//! Seller performance: the monthly figures the portal pushes per seller account, and reads of
//! them. The account-health rules (`crate::account_health`) judge these figures.

mod list;
mod put_bulk;
mod put_one;

use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use chrono::{DateTime, FixedOffset, Utc};
use ironfield_auth::{Principal, Scope};
use ironfield_domain::ids::SellerAccountId;
use ironfield_domain::time::business_date;
use ironfield_domain::{Money, Period, ValidationErrors};
use ironfield_persistence::seller_performance::PerformanceRow;
use ironfield_persistence::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

/// Registered before `/seller-accounts/{id}` reads, beside the seller-account routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(put_one::put_performance)
        .service(put_bulk::put_performance_bulk)
        .service(list::list_performance);
}

/// Most inquiries or orders a month may report: far above any stall, low enough to catch a
/// unit mix-up.
pub const MAX_COUNT: i64 = 10_000_000;
/// Most active listings a month may report.
pub const MAX_LISTINGS: i64 = 1_000_000;
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

/// Figures are pushed by the portal's service account (`accounts:write`) or by an admin.
pub(crate) fn require_writer(caller: &Caller) -> ApiResult<()> {
    match &caller.principal {
        Principal::Service { .. } => caller.require_scope(Scope::AccountsWrite),
        Principal::User { .. } => caller.require_admin().map_err(|_| {
            ApiError::forbidden(
                "performance figures come from the portal: a service account with \
                 `accounts:write`, or an admin",
            )
        }),
    }
}

/// A month that has begun, in the organisation's time zone: figures of a future month are a
/// mistake.
pub(crate) fn period(text: &str, today: chrono::NaiveDate) -> Result<Period, String> {
    let period = Period::parse(text)?;
    if period > Period::of(today) {
        return Err("is a month that has not begun".into());
    }
    Ok(period)
}

/// Checks one month's figures; the errors are named `{prefix}field`. No row without an
/// account or a month (`None`: their errors are the caller's to add), but the figures are
/// checked still.
pub(crate) fn row_of(
    input: PerformanceInput,
    account_id: Option<SellerAccountId>,
    period: Option<Period>,
    prefix: &str,
    errors: &mut ValidationErrors,
    caller: &Caller,
    at: Timestamp,
) -> Option<PerformanceRow> {
    let before = errors.0.len();
    let mut count = |field: &str, value: i64, max: i64| {
        if !(0..=max).contains(&value) {
            errors.add(
                format!("{prefix}{field}"),
                format!("must be between 0 and {max}"),
            );
        }
    };
    count("inquiries", input.inquiries, MAX_COUNT);
    count("orders", input.orders, MAX_COUNT);
    count("active_listings", input.active_listings, MAX_LISTINGS);
    let gmv = errors.check(
        &format!("{prefix}gmv"),
        Money::new(input.gmv.amount, &input.gmv.currency),
    );
    let rate = input.buyer_response_rate;
    if !(rate.is_finite() && (0.0..=1.0).contains(&rate)) {
        errors.add(
            format!("{prefix}buyer_response_rate"),
            "must be between 0 and 1",
        );
    }
    let login = input.last_seller_login_at.map(|t| t.naive_utc());
    if login.is_some_and(|t| t > at + chrono::Duration::minutes(5)) {
        errors.add(
            format!("{prefix}last_seller_login_at"),
            "must not be in the future",
        );
    }
    let gmv = gmv?;
    if errors.0.len() > before {
        return None;
    }
    Some(PerformanceRow {
        seller_account_id: account_id?,
        period: period?,
        inquiries: input.inquiries,
        orders: input.orders,
        gmv: gmv.amount,
        gmv_currency: gmv.currency,
        active_listings: input.active_listings,
        buyer_response_rate: rate,
        last_seller_login_at: login,
        updated_by: caller.id().to_owned(),
        created_at: at,
        updated_at: at,
    })
}

/// Today in the organisation's time zone.
pub(crate) fn today(
    conn: &mut ironfield_persistence::DbConnection,
) -> ApiResult<chrono::NaiveDate> {
    Ok(business_date(
        ironfield_domain::time::now(),
        crate::org::timezone(conn)?,
    ))
}
