//! Seller performance: the monthly figures the portal pushes per seller account, checked and
//! stored (the latest values of a month win).

use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use chrono::{DateTime, FixedOffset, NaiveDate};
use ironfield_auth::{Principal, Scope};
use ironfield_domain::ids::SellerAccountId;
use ironfield_domain::time::{business_date, now};
use ironfield_domain::{Money, Period, ValidationErrors};
use ironfield_persistence::seller_performance::{self, PerformanceRow};
use ironfield_persistence::{account_health, seller_accounts, DbConnection, DbError, Timestamp};
use std::collections::HashSet;

/// Most inquiries or orders a month may report: far above any stall, low enough to catch a
/// unit mix-up.
pub const MAX_COUNT: i64 = 10_000_000;
/// Most active listings a month may report.
pub const MAX_LISTINGS: i64 = 1_000_000;

/// One month's figures of a seller as sent, to be checked here.
#[derive(Debug)]
pub struct Figures {
    pub inquiries: i64,
    pub orders: i64,
    pub gmv: Money,
    pub active_listings: i64,
    pub buyer_response_rate: f64,
    pub last_seller_login_at: Option<DateTime<FixedOffset>>,
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

/// Stores one account's figures of `month` (`YYYY-MM`, begun in the organisation's time
/// zone), replacing any sent before. An account out of the caller's view is 404. Runs in the
/// caller's write transaction.
pub fn put(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &SellerAccountId,
    month: &str,
    figures: Figures,
) -> ApiResult<PerformanceRow> {
    require_writer(caller)?;
    match seller_accounts::find(conn, &caller.scope(), id) {
        Ok(_) => {}
        Err(DbError::NotFound) => return Err(ApiError::not_found("seller account")),
        Err(other) => return Err(other.into()),
    }
    let mut errors = ValidationErrors::new();
    let month = errors.check("period", period(month, today(conn)?));
    let row = row_of(
        figures,
        Some(id.clone()),
        month,
        "",
        &mut errors,
        caller,
        now().naive_utc(),
    );
    let row = errors.into_result(row)?.ok_or_else(|| {
        ApiError::internal(std::io::Error::other("validated figures without a row"))
    })?;
    Ok(seller_performance::upsert(conn, &row)?)
}

/// Stores many accounts' figures of one `month`, all or none: every bad item is named
/// (`items[n].field`), an account out of view or named twice included. Runs in the caller's
/// write transaction.
pub fn put_many(
    conn: &mut DbConnection,
    caller: &Caller,
    month: &str,
    items: Vec<(String, Figures)>,
) -> ApiResult<Vec<PerformanceRow>> {
    require_writer(caller)?;
    let mut errors = ValidationErrors::new();
    let month = errors.check("period", period(month, today(conn)?));
    let ids: Vec<SellerAccountId> = items
        .iter()
        .filter_map(|(id, _)| SellerAccountId::parse(id))
        .collect();
    // One read for every account named: which exist in the caller's view.
    let visible: HashSet<SellerAccountId> = account_health::existing(conn, &caller.scope(), &ids)?
        .into_iter()
        .collect();
    let at = now().naive_utc();
    let mut seen = HashSet::new();
    let mut rows = Vec::with_capacity(items.len());
    for (n, (raw_id, figures)) in items.into_iter().enumerate() {
        let field = format!("items[{n}].seller_account_id");
        let id = SellerAccountId::parse(&raw_id).filter(|id| visible.contains(id));
        let id = match id {
            Some(id) if !seen.insert(id.clone()) => {
                errors.add(field, "this account is already in the batch");
                None
            }
            Some(id) => Some(id),
            None => {
                errors.add(field, "no such seller account");
                None
            }
        };
        let row = row_of(
            figures,
            id.clone(),
            month,
            &format!("items[{n}]."),
            &mut errors,
            caller,
            at,
        );
        if id.is_some() {
            rows.extend(row);
        }
    }
    errors.into_result(())?;
    rows.iter()
        .map(|row| Ok(seller_performance::upsert(conn, row)?))
        .collect()
}

/// A month that has begun, in the organisation's time zone: figures of a future month are a
/// mistake.
fn period(text: &str, today: NaiveDate) -> Result<Period, String> {
    let period = Period::parse(text)?;
    if period > Period::of(today) {
        return Err("is a month that has not begun".into());
    }
    Ok(period)
}

/// Checks one month's figures; the errors are named `{prefix}field`. No row without an
/// account or a month (`None`: their errors are the caller's to add), but the figures are
/// checked still.
fn row_of(
    input: Figures,
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
fn today(conn: &mut DbConnection) -> ApiResult<NaiveDate> {
    Ok(business_date(now(), crate::org::timezone(conn)?))
}
