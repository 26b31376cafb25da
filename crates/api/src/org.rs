//! Organisation-wide settings that other endpoints depend on, read from one place.

use crate::error::{ApiError, ApiResult};
use chrono::{NaiveDate, Weekday, WeekdaySet};
use chrono_tz::Tz;
use ironfield_domain::calendar::{parse_weekday, WorkCalendar};
use ironfield_domain::health::Thresholds;
use ironfield_domain::time::DEFAULT_TIMEZONE;
use ironfield_persistence::{settings, DbConnection};

pub const TIMEZONE_KEY: &str = "timezone";
pub const WORKING_DAYS_KEY: &str = "working_days";
pub const HOLIDAYS_KEY: &str = "holidays";
pub const CURRENCY_KEY: &str = "default_currency";
pub const VERSION_KEY: &str = "settings_version";
pub const DEFAULT_CURRENCY: &str = "CNY";

/// The organisation's time zone (default Asia/Shanghai): calendar days and months are
/// counted in it.
pub fn timezone(conn: &mut DbConnection) -> ApiResult<Tz> {
    match settings::get(conn, TIMEZONE_KEY)? {
        Some(name) => name
            .parse()
            .map_err(|_| ApiError::internal(BadStoredSetting(TIMEZONE_KEY))),
        None => Ok(DEFAULT_TIMEZONE),
    }
}

/// The working week and holidays (default Monday to Saturday, no holidays).
pub fn calendar(conn: &mut DbConnection) -> ApiResult<WorkCalendar> {
    let mut calendar = WorkCalendar::default();
    if let Some(json) = settings::get(conn, WORKING_DAYS_KEY)? {
        let names: Vec<String> = serde_json::from_str(&json)
            .map_err(|_| ApiError::internal(BadStoredSetting(WORKING_DAYS_KEY)))?;
        calendar.working_days = weekday_set(&names)
            .map_err(|_| ApiError::internal(BadStoredSetting(WORKING_DAYS_KEY)))?;
    }
    if let Some(json) = settings::get(conn, HOLIDAYS_KEY)? {
        let days: Vec<NaiveDate> = serde_json::from_str(&json)
            .map_err(|_| ApiError::internal(BadStoredSetting(HOLIDAYS_KEY)))?;
        calendar.holidays = days.into_iter().collect();
    }
    Ok(calendar)
}

pub fn default_currency(conn: &mut DbConnection) -> ApiResult<String> {
    Ok(settings::get(conn, CURRENCY_KEY)?.unwrap_or_else(|| DEFAULT_CURRENCY.to_owned()))
}

pub fn version(conn: &mut DbConnection) -> ApiResult<i64> {
    Ok(settings::get(conn, VERSION_KEY)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(1))
}

/// Parses weekday names into a set, refusing unknown names.
pub fn weekday_set(names: &[String]) -> Result<WeekdaySet, String> {
    let days: Vec<Weekday> = names
        .iter()
        .map(|n| parse_weekday(n))
        .collect::<Result<_, _>>()?;
    let mut set = WeekdaySet::EMPTY;
    for day in days {
        set.insert(day);
    }
    Ok(set)
}

#[derive(Debug, thiserror::Error)]
#[error("the stored setting `{0}` cannot be read")]
struct BadStoredSetting(&'static str);

/// Where each account-health threshold is kept.
pub const HEALTH_GMV_DROP_PCT_KEY: &str = "health_gmv_drop_pct";
pub const HEALTH_LISTINGS_RATIO_KEY: &str = "health_listings_median_ratio";
pub const HEALTH_INACTIVE_DAYS_KEY: &str = "health_seller_inactive_days";
pub const HEALTH_RENEWAL_WINDOW_KEY: &str = "health_renewal_window_days";
pub const HEALTH_VISIT_RECENCY_KEY: &str = "health_visit_recency_days";

/// The account-health thresholds (defaults: 30%, 0.5 of the median, 14, 30 and 14 days).
pub fn health_thresholds(conn: &mut DbConnection) -> ApiResult<Thresholds> {
    let defaults = Thresholds::default();
    Ok(Thresholds {
        gmv_drop_pct: stored_number(conn, HEALTH_GMV_DROP_PCT_KEY)?
            .unwrap_or(defaults.gmv_drop_pct),
        listings_median_ratio: stored_number(conn, HEALTH_LISTINGS_RATIO_KEY)?
            .unwrap_or(defaults.listings_median_ratio),
        seller_inactive_days: stored_number(conn, HEALTH_INACTIVE_DAYS_KEY)?
            .unwrap_or(defaults.seller_inactive_days),
        renewal_window_days: stored_number(conn, HEALTH_RENEWAL_WINDOW_KEY)?
            .unwrap_or(defaults.renewal_window_days),
        visit_recency_days: stored_number(conn, HEALTH_VISIT_RECENCY_KEY)?
            .unwrap_or(defaults.visit_recency_days),
    })
}

fn stored_number<T: std::str::FromStr>(
    conn: &mut DbConnection,
    key: &'static str,
) -> ApiResult<Option<T>> {
    settings::get(conn, key)?
        .map(|text| {
            text.parse()
                .map_err(|_| ApiError::internal(BadStoredSetting(key)))
        })
        .transpose()
}
