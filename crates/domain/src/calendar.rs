//! Months and working days: the calendar that month-end pacing counts in.
//!
//! Targets are set per calendar month (a [`Period`]) and paced by *working* days, because a
//! rep cannot visit a stall on a day the market is shut. Which weekdays are worked and which
//! dates are holidays belongs to the organisation ([`WorkCalendar`]); the default is the one
//! Yiwu's market keeps: Monday to Saturday, no holidays configured.
//!
//! Nothing here reads a clock: "today" is always passed in as a business date
//! (see [`crate::time::business_date`]).

use chrono::{Datelike, NaiveDate, Weekday, WeekdaySet};
use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

/// A calendar month, written `YYYY-MM` (`2026-11`). Ordered chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    year: i32,
    month: u32,
}

impl Period {
    /// Reads `YYYY-MM` strictly: a four-digit year from 2000 to 2100, a dash, a two-digit month.
    ///
    /// Nothing is forgiven (`2026-1`, `26-11`, a full date, spaces): a period arrives in URLs
    /// and settings, where a near miss is more likely a bug than a typo worth guessing at. The
    /// year range only catches nonsense; it says nothing about which months have data.
    pub fn parse(text: &str) -> Result<Period, String> {
        const SHAPE: &str = "must be a month written YYYY-MM, such as 2026-11";
        let bytes = text.as_bytes();
        let shaped = bytes.len() == 7
            && bytes[4] == b'-'
            && bytes[..4].iter().chain(&bytes[5..]).all(u8::is_ascii_digit);
        if !shaped {
            return Err(SHAPE.into());
        }
        let year: i32 = text[..4].parse().map_err(|_| SHAPE)?;
        let month: u32 = text[5..].parse().map_err(|_| SHAPE)?;
        if !(2000..=2100).contains(&year) {
            return Err("the year must be between 2000 and 2100".into());
        }
        if !(1..=12).contains(&month) {
            return Err("the month must be between 01 and 12".into());
        }
        Ok(Period { year, month })
    }

    /// The month `date` falls in.
    pub fn of(date: NaiveDate) -> Period {
        Period {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    /// 1 (January) to 12 (December).
    pub fn month(self) -> u32 {
        self.month
    }

    /// The 1st of the month.
    #[expect(
        clippy::expect_used,
        reason = "a period's month is 1 to 12 by construction"
    )]
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("a period's month is 1 to 12")
    }

    /// The last day of the month: the 28th, 29th, 30th or 31st.
    #[expect(
        clippy::expect_used,
        reason = "every 1st of a month has a day before it"
    )]
    pub fn last_day(self) -> NaiveDate {
        self.next_first_day()
            .pred_opt()
            .expect("the day before a 1st of the month exists")
    }

    /// The 1st of the following month: the exclusive end of the half-open range
    /// `[first_day, next_first_day)`, which is how a database query should select the month
    /// (`date < next_first_day` holds for every instant of the last day, `<= last_day` does not).
    ///
    /// # Panics
    ///
    /// For December of chrono's last representable year (262143), whose following month has no
    /// date; [`Period::parse`] never makes such a period, and no business date is in it.
    #[expect(
        clippy::expect_used,
        reason = "see Panics: parse never makes that period"
    )]
    pub fn next_first_day(self) -> NaiveDate {
        let (year, month) = if self.month == 12 {
            (self.year + 1, 1)
        } else {
            (self.year, self.month + 1)
        };
        NaiveDate::from_ymd_opt(year, month, 1).expect("the following month is representable")
    }

    /// Whether `date` falls in this month.
    pub fn contains(self, date: NaiveDate) -> bool {
        Period::of(date) == self
    }

    /// Every day of the month, in order.
    pub fn days(self) -> impl Iterator<Item = NaiveDate> {
        let end = self.next_first_day();
        self.first_day()
            .iter_days()
            .take_while(move |day| *day < end)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Period {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Period::parse(s)
    }
}

/// Which days a team works: the weekdays it works on, minus the dates it has off.
///
/// There is no way to mark a usually-free day as worked (the Sunday some Chinese holidays are
/// "made up" on): with the default Monday–Saturday week the make-up days that fall on a Saturday
/// are already working days, and a make-up Sunday is left uncounted, which errs towards asking
/// slightly more per day rather than less.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkCalendar {
    /// The weekdays worked. chrono's `WeekdaySet` rather than a `BTreeSet<Weekday>`: `Weekday`
    /// is deliberately not `Ord` (weeks start on different days in different places), and the
    /// set iterates in a stated order (`working_days.iter(Weekday::Mon)`).
    pub working_days: WeekdaySet,
    /// Days off that would otherwise be working days, such as National Day (1–7 October).
    pub holidays: BTreeSet<NaiveDate>,
}

impl Default for WorkCalendar {
    /// Monday to Saturday, no holidays: Yiwu market reps work six days a week.
    fn default() -> Self {
        WorkCalendar {
            working_days: WeekdaySet::from_array([
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
                Weekday::Sat,
            ]),
            holidays: BTreeSet::new(),
        }
    }
}

/// A month's working days split around a business date.
///
/// `elapsed + left == total` always (when made by [`WorkCalendar::working_days`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkingDays {
    /// Working days in the whole month.
    pub total: u32,
    /// Working days strictly before the business date: days already over.
    pub elapsed: u32,
    /// Working days from the business date (inclusive) to the end of the month.
    pub left: u32,
}

impl WorkCalendar {
    /// Whether `date` is worked: its weekday is a working day and it is not a holiday.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.working_days.contains(date.weekday()) && !self.holidays.contains(&date)
    }

    /// How many working days `period` has.
    pub fn working_days_in(&self, period: Period) -> u32 {
        self.working_days(period, period.first_day()).total
    }

    /// `period`'s working days, split at `as_of` (the business date, "today").
    ///
    /// - `elapsed` counts working days strictly **before** `as_of`: days that are over.
    /// - `left` counts working days from `as_of` **inclusive** to the month's end: today is still
    ///   a day to work, so on the last working day `left` is 1, not 0.
    ///
    /// So `total == elapsed + left`. A period wholly in the past (`as_of` after its last day) has
    /// `left == 0`; one wholly in the future has `elapsed == 0`. A non-working `as_of` (a Sunday,
    /// a holiday) splits the month the same way as the next working day would.
    pub fn working_days(&self, period: Period, as_of: NaiveDate) -> WorkingDays {
        let (mut elapsed, mut left) = (0, 0);
        for day in period.days().filter(|day| self.is_working_day(*day)) {
            if day < as_of {
                elapsed += 1;
            } else {
                left += 1;
            }
        }
        WorkingDays {
            total: elapsed + left,
            elapsed,
            left,
        }
    }
}

/// Reads a weekday as settings write it: `mon`..`sun` or `monday`..`sunday`, in any case,
/// surrounding spaces ignored (so a comma-separated list can be split and read as is).
pub fn parse_weekday(text: &str) -> Result<Weekday, String> {
    let weekday = match text.trim().to_ascii_lowercase().as_str() {
        "mon" | "monday" => Weekday::Mon,
        "tue" | "tuesday" => Weekday::Tue,
        "wed" | "wednesday" => Weekday::Wed,
        "thu" | "thursday" => Weekday::Thu,
        "fri" | "friday" => Weekday::Fri,
        "sat" | "saturday" => Weekday::Sat,
        "sun" | "sunday" => Weekday::Sun,
        _ => {
            return Err(format!(
                "unknown weekday `{text}`; expected mon, tue, wed, thu, fri, sat or sun"
            ))
        }
    };
    Ok(weekday)
}

/// A weekday's short name, as [`parse_weekday`] reads it back: `mon`, `tue`, ... `sun`.
pub fn weekday_name(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Mon => "mon",
        Weekday::Tue => "tue",
        Weekday::Wed => "wed",
        Weekday::Thu => "thu",
        Weekday::Fri => "fri",
        Weekday::Sat => "sat",
        Weekday::Sun => "sun",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn period(text: &str) -> Period {
        Period::parse(text).unwrap()
    }

    fn days(total: u32, elapsed: u32, left: u32) -> WorkingDays {
        WorkingDays {
            total,
            elapsed,
            left,
        }
    }

    /// China's National Day holidays in 2026: Thursday 1 to Wednesday 7 October.
    fn national_day_2026() -> WorkCalendar {
        WorkCalendar {
            holidays: (1..=7)
                .map(|day| NaiveDate::from_ymd_opt(2026, 10, day).unwrap())
                .collect(),
            ..WorkCalendar::default()
        }
    }

    #[test]
    fn periods_parse_and_display_as_year_dash_month() {
        let november = period("2026-11");
        assert_eq!((november.year(), november.month()), (2026, 11));
        assert_eq!(november.to_string(), "2026-11");
        assert_eq!(period("2000-01").to_string(), "2000-01");
        assert_eq!(period("2100-12").to_string(), "2100-12");
        assert_eq!("2026-03".parse::<Period>().unwrap().to_string(), "2026-03");
        assert!(period("2026-09") < period("2026-10"));
        assert!(period("2026-12") < period("2027-01"));
    }

    #[test]
    fn malformed_periods_are_refused() {
        for bad in [
            "2026-13",
            "2026-00",
            "2026-1",
            "26-11",
            "2026-11-01",
            "1999-12",
            "2101-01",
            "2026/11",
            "202611",
            " 2026-11",
            "2026-11 ",
            "2026-+1",
            "+026-11",
            "2026-1a",
            "",
            "２０２６-11",
        ] {
            assert!(Period::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert_eq!(
            Period::parse("2026-1").unwrap_err(),
            "must be a month written YYYY-MM, such as 2026-11"
        );
        assert_eq!(
            Period::parse("2026-13").unwrap_err(),
            "the month must be between 01 and 12"
        );
        assert_eq!(
            Period::parse("1999-12").unwrap_err(),
            "the year must be between 2000 and 2100"
        );
    }

    #[test]
    fn a_period_knows_its_first_last_and_next_first_day() {
        // (period, first day, last day, first day of the next month), written out by hand.
        for (text, first, last, next) in [
            ("2026-11", "2026-11-01", "2026-11-30", "2026-12-01"),
            ("2026-10", "2026-10-01", "2026-10-31", "2026-11-01"),
            ("2026-12", "2026-12-01", "2026-12-31", "2027-01-01"),
            ("2026-02", "2026-02-01", "2026-02-28", "2026-03-01"),
            ("2028-02", "2028-02-01", "2028-02-29", "2028-03-01"),
            ("2000-02", "2000-02-01", "2000-02-29", "2000-03-01"),
            ("2100-02", "2100-02-01", "2100-02-28", "2100-03-01"),
            ("2100-12", "2100-12-01", "2100-12-31", "2101-01-01"),
        ] {
            let p = period(text);
            assert_eq!(p.first_day(), date(first), "{text}");
            assert_eq!(p.last_day(), date(last), "{text}");
            assert_eq!(p.next_first_day(), date(next), "{text}");
        }
        assert_eq!(period("2026-11").days().count(), 30);
        assert_eq!(period("2028-02").days().count(), 29);
    }

    #[test]
    fn a_period_contains_exactly_its_own_days() {
        let november = period("2026-11");
        assert!(november.contains(date("2026-11-01")));
        assert!(november.contains(date("2026-11-30")));
        assert!(!november.contains(date("2026-10-31")));
        assert!(!november.contains(date("2026-12-01")));
        assert!(!november.contains(date("2025-11-15")));
        assert_eq!(Period::of(date("2026-11-30")), november);
        assert_eq!(Period::of(date("2026-12-01")), period("2026-12"));
    }

    #[test]
    fn the_default_calendar_works_monday_to_saturday() {
        let calendar = WorkCalendar::default();
        assert!(calendar.holidays.is_empty());
        assert_eq!(calendar.working_days.len(), 6);
        assert!(!calendar.working_days.contains(Weekday::Sun));
        // 2026-11-01 is a Sunday; 2-7 November run Monday to Saturday.
        assert!(!calendar.is_working_day(date("2026-11-01")));
        for day in 2..=7 {
            let day = NaiveDate::from_ymd_opt(2026, 11, day).unwrap();
            assert!(calendar.is_working_day(day), "{day}");
        }
        assert!(!calendar.is_working_day(date("2026-11-08")));
    }

    // November 2026, Monday to Saturday: the 1st is a Sunday, and so are the 8th, 15th, 22nd
    // and 29th. 30 days - 5 Sundays = 25 working days.

    #[test]
    fn november_2026_has_25_working_days() {
        let calendar = WorkCalendar::default();
        assert_eq!(calendar.working_days_in(period("2026-11")), 25);
    }

    #[test]
    fn on_the_first_working_day_nothing_has_elapsed() {
        // Monday 2 November: only Sunday 1 November is before it, and it is not worked.
        let calendar = WorkCalendar::default();
        assert_eq!(
            calendar.working_days(period("2026-11"), date("2026-11-02")),
            days(25, 0, 25)
        );
        // The 1st itself, a Sunday, splits the month the same way.
        assert_eq!(
            calendar.working_days(period("2026-11"), date("2026-11-01")),
            days(25, 0, 25)
        );
    }

    #[test]
    fn on_the_last_working_day_one_day_is_left() {
        // Monday 30 November: 24 working days are over and today is still to work.
        let calendar = WorkCalendar::default();
        assert_eq!(
            calendar.working_days(period("2026-11"), date("2026-11-30")),
            days(25, 24, 1)
        );
        // Saturday 28 November: 1-27 November hold 27 days, 4 of them Sundays (1, 8, 15, 22);
        // left are the 28th and the 30th.
        assert_eq!(
            calendar.working_days(period("2026-11"), date("2026-11-28")),
            days(25, 23, 2)
        );
    }

    #[test]
    fn a_sunday_as_of_counts_like_the_monday_after_it() {
        // Sunday 15 November: 1-14 November are 14 days with 2 Sundays (1, 8): 12 elapsed.
        // 15-30 November are 16 days with 3 Sundays (15, 22, 29): 13 left.
        let calendar = WorkCalendar::default();
        let november = period("2026-11");
        assert_eq!(
            calendar.working_days(november, date("2026-11-15")),
            days(25, 12, 13)
        );
        assert_eq!(
            calendar.working_days(november, date("2026-11-16")),
            days(25, 12, 13)
        );
        // Sunday 29 November: only Monday the 30th is left.
        assert_eq!(
            calendar.working_days(november, date("2026-11-29")),
            days(25, 24, 1)
        );
    }

    #[test]
    fn holidays_are_not_working_days() {
        // October 2026: the 1st is a Thursday; Sundays are the 4th, 11th, 18th and 25th, so
        // Monday to Saturday gives 31 - 4 = 27 days. National Day (1-7 October) takes 6 of them
        // (Sunday the 4th was off anyway): 21 working days.
        let calendar = national_day_2026();
        let october = period("2026-10");
        assert!(!calendar.is_working_day(date("2026-10-05")));
        assert!(calendar.is_working_day(date("2026-10-08")));
        assert_eq!(WorkCalendar::default().working_days_in(october), 27);
        assert_eq!(calendar.working_days_in(october), 21);
        // During the holiday nothing is elapsed; Thursday the 8th is the first working day.
        assert_eq!(
            calendar.working_days(october, date("2026-10-03")),
            days(21, 0, 21)
        );
        assert_eq!(
            calendar.working_days(october, date("2026-10-08")),
            days(21, 0, 21)
        );
        // Thursday the 15th: 8-14 October are Thu Fri Sat Sun Mon Tue Wed, 6 worked;
        // 15-31 October are 17 days with 2 Sundays (18, 25): 15 left.
        assert_eq!(
            calendar.working_days(october, date("2026-10-15")),
            days(21, 6, 15)
        );
        // The holidays belong to October only: November is untouched.
        assert_eq!(calendar.working_days_in(period("2026-11")), 25);
    }

    #[test]
    fn a_past_period_has_nothing_left_and_a_future_one_nothing_elapsed() {
        let calendar = national_day_2026();
        assert_eq!(
            calendar.working_days(period("2026-10"), date("2026-11-15")),
            days(21, 21, 0)
        );
        // The day after the last day is already past the period.
        assert_eq!(
            calendar.working_days(period("2026-11"), date("2026-12-01")),
            days(25, 25, 0)
        );
        assert_eq!(
            calendar.working_days(period("2026-11"), date("2026-10-20")),
            days(25, 0, 25)
        );
        assert_eq!(
            calendar.working_days(period("2026-11"), date("2030-01-01")),
            days(25, 25, 0)
        );
    }

    #[test]
    fn other_weeks_are_counted_by_their_own_working_days() {
        // February 2026 starts on a Sunday and is exactly four weeks long.
        let weekdays_only = WorkCalendar {
            working_days: [
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
            ]
            .into_iter()
            .collect(),
            holidays: BTreeSet::new(),
        };
        assert_eq!(weekdays_only.working_days_in(period("2026-02")), 20);
        assert_eq!(
            WorkCalendar::default().working_days_in(period("2026-02")),
            24
        );
        // Wednesday 11 February 2026: Mon 2 - Tue 10 are over (5 + 2 = 7 weekdays).
        assert_eq!(
            weekdays_only.working_days(period("2026-02"), date("2026-02-11")),
            days(20, 7, 13)
        );
        // A calendar with no working days at all has none to count.
        let closed = WorkCalendar {
            working_days: WeekdaySet::EMPTY,
            holidays: BTreeSet::new(),
        };
        assert_eq!(
            closed.working_days(period("2026-11"), date("2026-11-15")),
            days(0, 0, 0)
        );
    }

    #[test]
    fn weekdays_read_short_and_long_names_in_any_case() {
        for (text, weekday) in [
            ("mon", Weekday::Mon),
            ("Tuesday", Weekday::Tue),
            ("WED", Weekday::Wed),
            ("thursday", Weekday::Thu),
            (" fri ", Weekday::Fri),
            ("SaTuRdAy", Weekday::Sat),
            ("sun", Weekday::Sun),
        ] {
            assert_eq!(parse_weekday(text), Ok(weekday), "{text:?}");
        }
        for bad in ["", "mo", "tues", "thurs", "montag", "周一", "7"] {
            assert!(parse_weekday(bad).is_err(), "{bad:?} should be refused");
        }
        assert_eq!(
            parse_weekday("tues").unwrap_err(),
            "unknown weekday `tues`; expected mon, tue, wed, thu, fri, sat or sun"
        );
    }

    #[test]
    fn weekday_names_read_back() {
        let names: Vec<&str> = [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ]
        .into_iter()
        .map(weekday_name)
        .collect();
        assert_eq!(names, ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]);
        for name in &names {
            assert_eq!(weekday_name(parse_weekday(name).unwrap()), *name);
        }
        // A settings list reads into a set and writes back in Monday-first order.
        let set: WeekdaySet = "sat, Mon,TUESDAY"
            .split(',')
            .map(|day| parse_weekday(day).unwrap())
            .collect();
        let written: Vec<&str> = set.iter(Weekday::Mon).map(weekday_name).collect();
        assert_eq!(written, ["mon", "tue", "sat"]);
    }
}
