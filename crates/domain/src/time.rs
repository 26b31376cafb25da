//! Time as the database stores it.

use chrono::{DateTime, SubsecRound, Utc};

/// The current time, truncated to microseconds.
///
/// PostgreSQL keeps microseconds and SQLite keeps what it is given; truncating here means a
/// timestamp read back is equal to the one written, on both backends (cursors compare them).
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// The organisation's time zone when none is configured.
pub const DEFAULT_TIMEZONE: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

/// The calendar day of `at` in the organisation's time zone: what a visit, a signing or a
/// renewal counts towards. 23:30 UTC on 31 October is 1 November in Shanghai.
pub fn business_date(at: DateTime<Utc>, tz: chrono_tz::Tz) -> chrono::NaiveDate {
    at.with_timezone(&tz).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn business_dates_are_days_in_the_organisation_time_zone() {
        let late_utc = Utc.with_ymd_and_hms(2026, 10, 31, 23, 30, 0).unwrap();
        assert_eq!(
            business_date(late_utc, DEFAULT_TIMEZONE).to_string(),
            "2026-11-01"
        );
        let early_utc = Utc.with_ymd_and_hms(2026, 10, 31, 15, 59, 59).unwrap();
        assert_eq!(
            business_date(early_utc, DEFAULT_TIMEZONE).to_string(),
            "2026-10-31"
        );
    }
}
