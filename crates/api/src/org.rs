//! Organisation-wide settings that other endpoints depend on, read from one place.

use crate::error::{ApiError, ApiResult};
use chrono::{NaiveDate, Weekday, WeekdaySet};
use chrono_tz::Tz;
use ironfield_domain::calendar::{parse_weekday, WorkCalendar};
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
