//! `/settings`: the organisation's time zone, working week, holidays and currency (admins).

use crate::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Caller, IfMatch};
use crate::org;
use crate::org::{
    HEALTH_GMV_DROP_PCT_KEY, HEALTH_INACTIVE_DAYS_KEY, HEALTH_LISTINGS_RATIO_KEY,
    HEALTH_RENEWAL_WINDOW_KEY, HEALTH_VISIT_RECENCY_KEY,
};
use crate::reply::Reply;
use crate::services;
use crate::services::settings::SettingsChange;
use crate::state::AppState;
use crate::webhooks;
use actix_web::{get, patch, web};
use chrono::{NaiveDate, Weekday};
use ironfield_domain::calendar::weekday_name;
use ironfield_domain::health::Thresholds;
use ironfield_domain::ValidationErrors;
use ironfield_persistence::DbConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_settings).service(update_settings);
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"timezone": "Asia/Shanghai", "working_days": ["mon", "tue", "wed", "thu", "fri", "sat"],
    "holidays": ["2026-10-01", "2026-10-02"], "default_currency": "CNY",
    "account_health": {"gmv_drop_pct": 30, "listings_median_ratio": 0.5, "seller_inactive_days": 14,
        "renewal_window_days": 30, "visit_recency_days": 14}, "webhook_allow_http": false,
    "webhook_allow_private": false, "version": 3}))]
pub struct Settings {
    /// IANA time zone: calendar days, months and business dates are counted in it.
    pub timezone: String,
    /// The weekdays worked (`mon` … `sun`), for working-day pacing of targets.
    #[schema(value_type = Vec<crate::spec_types::WeekdayName>, min_items = 1)]
    pub working_days: Vec<String>,
    /// Days off that would otherwise be working days.
    pub holidays: Vec<NaiveDate>,
    /// ISO 4217, for money sent without a currency and for targets' contract value.
    pub default_currency: String,
    /// The thresholds of the account-health rules (`GET /seller-accounts/at-risk`).
    pub account_health: HealthThresholds,
    /// Webhook URLs may be plain `http` (default off: `https` only).
    pub webhook_allow_http: bool,
    /// Webhook URLs may reach loopback, private, link-local and other non-public addresses
    /// (default off; the SSRF guard refuses them).
    pub webhook_allow_private: bool,
    pub version: i64,
}

/// The account-health thresholds: when a seller account counts as slipping.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthThresholds {
    /// `gmv_falling`: GMV at least this many percent below the 3-month average (default 30).
    #[schema(minimum = 1, maximum = 100)]
    pub gmv_drop_pct: i64,
    /// `few_listings`: active listings below this share of the peers' median (default 0.5).
    #[schema(minimum = 0, maximum = 1)]
    pub listings_median_ratio: f64,
    /// `seller_inactive`: days without a seller login (default 14).
    #[schema(minimum = 1, maximum = 365)]
    pub seller_inactive_days: i64,
    /// `renewal_due_unvisited`: days before the contract ends (default 30).
    #[schema(minimum = 1, maximum = 365)]
    pub renewal_window_days: i64,
    /// `renewal_due_unvisited`: days without a visit (default 14).
    #[schema(minimum = 1, maximum = 365)]
    pub visit_recency_days: i64,
}

impl From<Thresholds> for HealthThresholds {
    fn from(t: Thresholds) -> Self {
        HealthThresholds {
            gmv_drop_pct: t.gmv_drop_pct,
            listings_median_ratio: t.listings_median_ratio,
            seller_inactive_days: t.seller_inactive_days,
            renewal_window_days: t.renewal_window_days,
            visit_recency_days: t.visit_recency_days,
        }
    }
}

/// Account-health thresholds to change; those left out keep their value.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateHealthThresholds {
    #[schema(minimum = 1, maximum = 100)]
    pub gmv_drop_pct: Option<i64>,
    #[schema(minimum = 0, maximum = 1)]
    pub listings_median_ratio: Option<f64>,
    #[schema(minimum = 1, maximum = 365)]
    pub seller_inactive_days: Option<i64>,
    #[schema(minimum = 1, maximum = 365)]
    pub renewal_window_days: Option<i64>,
    #[schema(minimum = 1, maximum = 365)]
    pub visit_recency_days: Option<i64>,
}

impl UpdateHealthThresholds {
    /// Checks the ranges, and answers `(key, stored text)` for each value to write.
    fn validate(&self, errors: &mut ValidationErrors) -> Vec<(&'static str, String)> {
        let mut writes = Vec::new();
        let mut int = |field: &str, key: &'static str, value: Option<i64>, max: i64| {
            if let Some(v) = value {
                if (1..=max).contains(&v) {
                    writes.push((key, v.to_string()));
                } else {
                    errors.add(
                        format!("account_health.{field}"),
                        format!("must be between 1 and {max}"),
                    );
                }
            }
        };
        int(
            "gmv_drop_pct",
            HEALTH_GMV_DROP_PCT_KEY,
            self.gmv_drop_pct,
            100,
        );
        int(
            "seller_inactive_days",
            HEALTH_INACTIVE_DAYS_KEY,
            self.seller_inactive_days,
            365,
        );
        int(
            "renewal_window_days",
            HEALTH_RENEWAL_WINDOW_KEY,
            self.renewal_window_days,
            365,
        );
        int(
            "visit_recency_days",
            HEALTH_VISIT_RECENCY_KEY,
            self.visit_recency_days,
            365,
        );
        if let Some(ratio) = self.listings_median_ratio {
            if (0.0..=1.0).contains(&ratio) {
                writes.push((HEALTH_LISTINGS_RATIO_KEY, ratio.to_string()));
            } else {
                errors.add(
                    "account_health.listings_median_ratio",
                    "must be between 0 and 1",
                );
            }
        }
        writes
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSettings {
    pub timezone: Option<String>,
    #[schema(value_type = Option<Vec<crate::spec_types::WeekdayName>>, min_items = 1)]
    pub working_days: Option<Vec<String>>,
    #[schema(max_items = 400)]
    pub holidays: Option<Vec<NaiveDate>>,
    #[schema(pattern = r"^\s*[A-Za-z]{3}\s*$")]
    pub default_currency: Option<String>,
    pub account_health: Option<UpdateHealthThresholds>,
    pub webhook_allow_http: Option<bool>,
    pub webhook_allow_private: Option<bool>,
}

impl TryFrom<UpdateSettings> for SettingsChange {
    type Error = ApiError;

    /// Every bad field at once, before anything is read.
    fn try_from(input: UpdateSettings) -> ApiResult<Self> {
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
        let default_currency = input
            .default_currency
            .as_deref()
            .and_then(|c| errors.check("default_currency", ironfield_domain::money::currency(c)));
        let account_health = input
            .account_health
            .as_ref()
            .map(|h| h.validate(&mut errors))
            .unwrap_or_default();
        errors.into_result(())?;
        Ok(SettingsChange {
            timezone: input.timezone,
            working_days,
            holidays: input.holidays,
            default_currency,
            account_health,
            webhook_allow_http: input.webhook_allow_http,
            webhook_allow_private: input.webhook_allow_private,
        })
    }
}

fn load(conn: &mut DbConnection) -> ApiResult<Settings> {
    let calendar = org::calendar(conn)?;
    let webhook_policy = webhooks::settings::policy(conn)?;
    Ok(Settings {
        timezone: org::timezone(conn)?.name().to_owned(),
        working_days: calendar
            .working_days
            .iter(Weekday::Mon)
            .map(|d| weekday_name(d).to_owned())
            .collect(),
        holidays: calendar.holidays.into_iter().collect(),
        default_currency: org::default_currency(conn)?,
        account_health: org::health_thresholds(conn)?.into(),
        webhook_allow_http: webhook_policy.allow_http,
        webhook_allow_private: webhook_policy.allow_private,
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
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
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
/// weekday names; holidays are dates (at most 400); the currency is ISO 4217; the
/// account-health thresholds are whole percent 1–100, a ratio 0–1 and days 1–365 (those left
/// out of `account_health` keep their value). `webhook_allow_http` and `webhook_allow_private`
/// loosen the webhook URL guard; they hold at once in every server process, for new and
/// changed subscriptions and for every delivery sent from then on. Changing the
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
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 412, response = crate::spec_types::PreconditionFailed),
        (status = 413, response = crate::spec_types::PayloadTooLarge),
        (status = 422, response = crate::spec_types::ValidationFailed),
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
    let change = SettingsChange::try_from(body.into_inner())?;
    let settings = blocking::write(&state, move |conn| {
        services::settings::update(conn, &caller, change, &if_match)?;
        load(conn)
    })
    .await?;
    let version = settings.version;
    Ok(Reply::ok(&settings).versioned(version))
}
