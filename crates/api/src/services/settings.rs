//! The organisation's settings: one versioned set, changed by admins.

use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, IfMatch};
use crate::org::{self, CURRENCY_KEY, HOLIDAYS_KEY, TIMEZONE_KEY, VERSION_KEY, WORKING_DAYS_KEY};
use crate::webhooks;
use chrono::NaiveDate;
use ironfield_persistence::{settings, DbConnection};

/// A change of the settings whose values passed their checks (`None`: keep as it is).
#[derive(Debug, Default)]
pub struct SettingsChange {
    /// An IANA time zone name.
    pub timezone: Option<String>,
    /// The working weekdays by name, Monday first.
    pub working_days: Option<Vec<&'static str>>,
    pub holidays: Option<Vec<NaiveDate>>,
    /// An ISO 4217 code.
    pub default_currency: Option<String>,
    /// `(key, stored text)` of each account-health threshold to change.
    pub account_health: Vec<(&'static str, String)>,
    pub webhook_allow_http: Option<bool>,
    pub webhook_allow_private: Option<bool>,
}

/// Changes the settings (admins only) under If-Match on the settings' version (412), and
/// moves that version on. Holidays are stored sorted, each once. Runs in the caller's write
/// transaction.
pub fn update(
    conn: &mut DbConnection,
    caller: &Caller,
    change: SettingsChange,
    if_match: &IfMatch,
) -> ApiResult<()> {
    caller.require_admin()?;
    let current = org::version(conn)?;
    if_match.check(current)?;
    if let Some(tz) = &change.timezone {
        settings::put(conn, TIMEZONE_KEY, tz)?;
    }
    if let Some(days) = change.working_days {
        settings::put(conn, WORKING_DAYS_KEY, &as_json(&days)?)?;
    }
    if let Some(mut holidays) = change.holidays {
        holidays.sort();
        holidays.dedup();
        settings::put(conn, HOLIDAYS_KEY, &as_json(&holidays)?)?;
    }
    if let Some(currency) = change.default_currency {
        settings::put(conn, CURRENCY_KEY, &currency)?;
    }
    for (key, value) in &change.account_health {
        settings::put(conn, key, value)?;
    }
    if let Some(allow) = change.webhook_allow_http {
        webhooks::settings::put(conn, webhooks::settings::ALLOW_HTTP_KEY, allow)?;
    }
    if let Some(allow) = change.webhook_allow_private {
        webhooks::settings::put(conn, webhooks::settings::ALLOW_PRIVATE_KEY, allow)?;
    }
    settings::put(conn, VERSION_KEY, &(current + 1).to_string())?;
    Ok(())
}

fn as_json<T: serde::Serialize>(value: &T) -> ApiResult<String> {
    serde_json::to_string(value).map_err(ApiError::internal)
}
