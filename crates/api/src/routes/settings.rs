//! `/settings`: the organisation's time zone, working week, holidays and currency (admins).

use crate::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Caller, IfMatch};
use crate::org::{self, CURRENCY_KEY, HOLIDAYS_KEY, TIMEZONE_KEY, VERSION_KEY, WORKING_DAYS_KEY};
use crate::reply::Reply;
use crate::state::AppState;
use actix_web::{get, patch, web};
use chrono::{NaiveDate, Weekday};
use ironfield_domain::calendar::weekday_name;
use ironfield_domain::ValidationErrors;
use ironfield_persistence::{settings, DbConnection};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_settings).service(update_settings);
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"timezone": "Asia/Shanghai", "working_days": ["mon", "tue", "wed", "thu", "fri", "sat"],
    "holidays": ["2026-10-01", "2026-10-02"], "default_currency": "CNY", "version": 3}))]
pub struct Settings {
    /// IANA time zone: calendar days, months and business dates are counted in it.
    pub timezone: String,
    /// The weekdays worked (`mon` … `sun`), for working-day pacing of targets.
    #[schema(value_type = Vec<crate::openapi::WeekdayName>, min_items = 1)]
    pub working_days: Vec<String>,
    /// Days off that would otherwise be working days.
    pub holidays: Vec<NaiveDate>,
    /// ISO 4217, for money sent without a currency and for targets' contract value.
    pub default_currency: String,
    pub version: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSettings {
    pub timezone: Option<String>,
    #[schema(value_type = Option<Vec<crate::openapi::WeekdayName>>, min_items = 1)]
    pub working_days: Option<Vec<String>>,
    #[schema(max_items = 400)]
    pub holidays: Option<Vec<NaiveDate>>,
    #[schema(pattern = r"^\s*[A-Za-z]{3}\s*$")]
    pub default_currency: Option<String>,
}

fn load(conn: &mut DbConnection) -> ApiResult<Settings> {
    let calendar = org::calendar(conn)?;
    Ok(Settings {
        timezone: org::timezone(conn)?.name().to_owned(),
        working_days: calendar
            .working_days
            .iter(Weekday::Mon)
            .map(|d| weekday_name(d).to_owned())
            .collect(),
        holidays: calendar.holidays.into_iter().collect(),
        default_currency: org::default_currency(conn)?,
        version: org::version(conn)?,
    })
}

/// Organisation settings
///
/// Admins only.
#[utoipa::path(
    tag = "settings",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The settings", body = Settings, headers(("ETag" = String))),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
    )
)]
#[get("/settings")]
pub async fn get_settings(state: web::Data<AppState>, caller: Caller) -> ApiResult<Reply> {
    caller.require_admin()?;
    let settings = blocking::read(&state, load).await?;
    let version = settings.version;
    Ok(Reply::ok(&settings).versioned(version))
}

/// Change organisation settings
///
/// Admins only. The time zone must be an IANA name (e.g. `Asia/Shanghai`); working days are
/// weekday names; holidays are dates (at most 400); the currency is ISO 4217. Changing the
/// time zone changes how records made from then on are dated; stored records keep the
/// `business_date` they were given (a visit's day does not move under the team's feet).
/// Honours `If-Match` (412).
#[utoipa::path(
    tag = "settings",
    params(("If-Match" = Option<String>, Header, min_length = 1, description = "The `ETag` last read, e.g. `\"3\"` (or `*`): a write to a record whose version has moved on is 412 and changes nothing; an empty value is 422")),
    request_body = UpdateSettings,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The settings as changed", body = Settings, headers(("ETag" = String))),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 412, response = crate::openapi::PreconditionFailed),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[patch("/settings")]
pub async fn update_settings(
    state: web::Data<AppState>,
    caller: Caller,
    if_match: IfMatch,
    body: ApiJson<UpdateSettings>,
) -> ApiResult<Reply> {
    caller.require_admin()?;
    let input = body.into_inner();
    let mut errors = ValidationErrors::new();
    if let Some(tz) = &input.timezone {
        errors.check(
            "timezone",
            tz.parse::<chrono_tz::Tz>()
                .map_err(|_| "must be an IANA time zone name, e.g. Asia/Shanghai"),
        );
    }
    let working_days = input.working_days.as_ref().and_then(|days| {
        let set = errors.check("working_days", org::weekday_set(days))?;
        if set.is_empty() {
            errors.add("working_days", "name at least one working day");
        }
        Some(set.iter(Weekday::Mon).map(weekday_name).collect::<Vec<_>>())
    });
    if input.holidays.as_ref().is_some_and(|h| h.len() > 400) {
        errors.add("holidays", "at most 400 days");
    }
    let currency = input
        .default_currency
        .as_deref()
        .and_then(|c| errors.check("default_currency", ironfield_domain::money::currency(c)));
    errors.into_result(())?;

    let settings = blocking::write(&state, move |conn| {
        let current = org::version(conn)?;
        if_match.check(current)?;
        if let Some(tz) = &input.timezone {
            settings::put(conn, TIMEZONE_KEY, tz)?;
        }
        if let Some(days) = working_days {
            settings::put(
                conn,
                WORKING_DAYS_KEY,
                &serde_json::to_string(&days).map_err(ApiError::internal)?,
            )?;
        }
        if let Some(mut holidays) = input.holidays {
            holidays.sort();
            holidays.dedup();
            settings::put(
                conn,
                HOLIDAYS_KEY,
                &serde_json::to_string(&holidays).map_err(ApiError::internal)?,
            )?;
        }
        if let Some(currency) = currency {
            settings::put(conn, CURRENCY_KEY, &currency)?;
        }
        settings::put(conn, VERSION_KEY, &(current + 1).to_string())?;
        load(conn)
    })
    .await?;
    let version = settings.version;
    Ok(Reply::ok(&settings).versioned(version))
}
