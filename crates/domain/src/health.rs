//! Account health: which signed sellers are slipping, why, and what a rep can say about it.
//!
//! Pure rules over facts gathered elsewhere (the portal's monthly figures, the contract, the
//! latest visit, the peers' median listings); nothing here reads a database or a clock.
//!
//! # Months
//!
//! "Closed" months are the months before the current one in the organisation's time zone.
//! With the current month `M`, the rules read `M-1` and `M-2` (the last two closed months)
//! and, for the GMV baseline, the three months before the latest of those with figures
//! (so `M-5` at most). Logins are read from every month loaded, the current one included (the
//! portal re-sends the month under way as it goes, so it carries the freshest login):
//! [`window`] names the months to load.
//!
//! # Reasons (thresholds are [`Thresholds`], organisation settings)
//!
//! | code | fires when |
//! |---|---|
//! | `gmv_falling` | the GMV of the latest month with figures among `M-1`, `M-2` is at least `gmv_drop_pct`% (30) below the average GMV of the three months before it (months without figures, or in another currency, are left out of the average; no baseline, no reason) |
//! | `few_listings` | that month's active listings are below `listings_median_ratio` (0.5) × the median of the live accounts of the same tier in the same market, for the same months (a market with median 0 flags nobody) |
//! | `seller_inactive` | the latest `last_seller_login_at` reported is `seller_inactive_days` (14) days old or more, or no login was ever reported |
//! | `renewal_due_unvisited` | the contract of a live account ends within `renewal_window_days` (30), or has ended, and nobody has visited it for `visit_recency_days` (14) |
//! | `no_data` | no figures for `M-1` nor `M-2`, for an account whose contract started before `M`; it replaces the three rules that read figures |
//!
//! # Score and health
//!
//! `score = max(0, 100 − Σ weight)` over the reasons found, with the weights
//! `few_listings` 20, `renewal_due_unvisited` 25, `seller_inactive` 30, `gmv_falling` 35,
//! `no_data` 65. Higher is healthier. `health` follows from the score: 100 (no reason)
//! `healthy`; 70–99 `slipping`; 40–69 `at_risk`; 0–39 `dormant`. So one minor reason is
//! `slipping`, falling GMV alone is `at_risk`, and no data, or an inactive seller whose GMV is
//! falling, is `dormant`.

use crate::Period;
use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::Serialize;

/// The organisation's thresholds for the health rules.
#[derive(Debug, Clone, PartialEq)]
pub struct Thresholds {
    /// `gmv_falling`: the drop against the 3-month average, in percent (1..=100).
    pub gmv_drop_pct: i64,
    /// `few_listings`: the share of the peers' median below which listings are few (0..=1).
    pub listings_median_ratio: f64,
    /// `seller_inactive`: days without a seller login.
    pub seller_inactive_days: i64,
    /// `renewal_due_unvisited`: days before the contract's end.
    pub renewal_window_days: i64,
    /// `renewal_due_unvisited`: days without a visit.
    pub visit_recency_days: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            gmv_drop_pct: 30,
            listings_median_ratio: 0.5,
            seller_inactive_days: 14,
            renewal_window_days: 30,
            visit_recency_days: 14,
        }
    }
}

/// One month of a seller's figures, as far as the rules need them.
#[derive(Debug, Clone, PartialEq)]
pub struct Month {
    pub period: Period,
    pub gmv: i64,
    pub currency: String,
    pub active_listings: i64,
    pub last_seller_login_at: Option<DateTime<Utc>>,
}

/// What is known about one account when it is assessed.
#[derive(Debug, Clone, PartialEq)]
pub struct Facts<'a> {
    /// Its figures, in any order; months outside [`window`] are ignored.
    pub figures: &'a [Month],
    pub contract_start: NaiveDate,
    pub contract_end: NaiveDate,
    /// A churned account has no renewal to chase.
    pub churned: bool,
    pub last_visit_at: Option<DateTime<Utc>>,
    /// The median active listings of its market and tier ([`peer_median`]); `None` when
    /// there are no peers' figures.
    pub peer_median_listings: Option<f64>,
}

/// When the assessment is made: the instant, and the day it is in the organisation's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Health {
    Healthy,
    Slipping,
    AtRisk,
    Dormant,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    GmvFalling,
    FewListings,
    SellerInactive,
    RenewalDueUnvisited,
    NoData,
}

/// Each reason's weight in the score and the talking point a rep can open with: one table.
const REASONS: [(ReasonCode, i64, &str); 5] = [
    (
        ReasonCode::GmvFalling,
        35,
        "Your sales on the portal dropped last month. Shall we look together at which products \
         buyers stopped ordering, and refresh their photos and prices?",
    ),
    (
        ReasonCode::FewListings,
        20,
        "Shops like yours in this market list about twice as many products. Let's put your \
         best sellers online today: more listings bring more buyer inquiries.",
    ),
    (
        ReasonCode::SellerInactive,
        30,
        "Nobody has signed in to your shop for a while, so buyer messages may be waiting. \
         Can I help you set up the app on your phone so you see inquiries as they come?",
    ),
    (
        ReasonCode::RenewalDueUnvisited,
        25,
        "Your membership is up for renewal soon. Let's review what it brought you this year \
         and what we can do better next year.",
    ),
    (
        ReasonCode::NoData,
        65,
        "We have no recent figures for your shop. Is it still open on the portal? Let's check \
         your listings together.",
    ),
];

impl ReasonCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ReasonCode::GmvFalling => "gmv_falling",
            ReasonCode::FewListings => "few_listings",
            ReasonCode::SellerInactive => "seller_inactive",
            ReasonCode::RenewalDueUnvisited => "renewal_due_unvisited",
            ReasonCode::NoData => "no_data",
        }
    }

    fn entry(self) -> (i64, &'static str) {
        REASONS
            .iter()
            .find(|(code, _, _)| *code == self)
            .map(|(_, weight, point)| (*weight, *point))
            .unwrap_or((0, ""))
    }

    /// How much this reason takes off the score.
    pub fn weight(self) -> i64 {
        self.entry().0
    }

    /// What a rep can say to the seller about it, in plain language.
    pub fn talking_point(self) -> &'static str {
        self.entry().1
    }
}

/// One reason an account is not healthy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reason {
    pub code: ReasonCode,
    /// What the rule saw, with the numbers.
    pub detail: String,
    /// What a rep can say to the seller about it.
    pub talking_point: String,
}

impl Reason {
    fn new(code: ReasonCode, detail: String) -> Reason {
        Reason {
            code,
            detail,
            talking_point: code.talking_point().to_owned(),
        }
    }
}

/// An account's health now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub health: Health,
    /// 0..=100, higher is healthier.
    pub score: i64,
    pub reasons: Vec<Reason>,
}

/// The health band of a score (see the module documentation).
pub fn health_of(score: i64) -> Health {
    match score {
        100.. => Health::Healthy,
        70..=99 => Health::Slipping,
        40..=69 => Health::AtRisk,
        _ => Health::Dormant,
    }
}

/// The month `n` months before `period`.
pub fn months_before(period: Period, n: u32) -> Period {
    Period::of(
        period
            .first_day()
            .checked_sub_months(Months::new(n))
            .unwrap_or(period.first_day()),
    )
}

/// The months the rules read, first and last: `M-5` to the current month `M`.
pub fn window(today: NaiveDate) -> (Period, Period) {
    let current = Period::of(today);
    (months_before(current, 5), current)
}

/// The month the rules judge: the latest with figures among the last two closed months.
pub fn latest_closed(figures: &[Month], today: NaiveDate) -> Option<&Month> {
    let current = Period::of(today);
    let (m1, m2) = (months_before(current, 1), months_before(current, 2));
    figures
        .iter()
        .filter(|m| m.period == m1 || m.period == m2)
        .max_by_key(|m| m.period)
}

/// The median of some counts; `None` for none.
pub fn peer_median(values: &mut [i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid] as f64
    } else {
        (values[mid - 1] as f64 + values[mid] as f64) / 2.0
    })
}

/// Applies the rules to one account.
pub fn assess(facts: &Facts<'_>, clock: Clock, thresholds: &Thresholds) -> Assessment {
    let mut reasons = Vec::new();
    let current = Period::of(clock.today);
    match latest_closed(facts.figures, clock.today) {
        None if facts.contract_start < current.first_day() => {
            reasons.push(Reason::new(
                ReasonCode::NoData,
                format!(
                    "no figures from the portal for {} nor {}",
                    months_before(current, 2),
                    months_before(current, 1)
                ),
            ));
        }
        None => {}
        Some(latest) => {
            if let Some(reason) = gmv_falling(facts.figures, latest, thresholds) {
                reasons.push(reason);
            }
            if let Some(reason) = few_listings(latest, facts.peer_median_listings, thresholds) {
                reasons.push(reason);
            }
            if let Some(reason) = seller_inactive(facts.figures, clock, thresholds) {
                reasons.push(reason);
            }
        }
    }
    if let Some(reason) = renewal_due_unvisited(facts, clock, thresholds) {
        reasons.push(reason);
    }
    let lost: i64 = reasons.iter().map(|r| r.code.weight()).sum();
    let score = (100 - lost).max(0);
    Assessment {
        health: health_of(score),
        score,
        reasons,
    }
}

fn gmv_falling(figures: &[Month], latest: &Month, thresholds: &Thresholds) -> Option<Reason> {
    let baseline: Vec<&Month> = (1..=3)
        .map(|n| months_before(latest.period, n))
        .filter_map(|p| {
            figures
                .iter()
                .find(|m| m.period == p && m.currency == latest.currency)
        })
        .collect();
    if baseline.is_empty() {
        return None;
    }
    let sum: i128 = baseline.iter().map(|m| i128::from(m.gmv)).sum();
    let n = baseline.len() as i128;
    if sum == 0 {
        return None;
    }
    // latest <= average × (1 − pct/100), in integers: latest × 100 × n <= sum × (100 − pct).
    let pct = i128::from(thresholds.gmv_drop_pct.clamp(0, 100));
    if i128::from(latest.gmv) * 100 * n > sum * (100 - pct) {
        return None;
    }
    let average = sum / n;
    let drop = 100 - i128::from(latest.gmv) * 100 / average.max(1);
    Some(Reason::new(
        ReasonCode::GmvFalling,
        format!(
            "GMV in {} was {} {} (minor units), {drop}% below the {}-month average of {} {}",
            latest.period,
            latest.gmv,
            latest.currency,
            baseline.len(),
            average,
            latest.currency
        ),
    ))
}

fn few_listings(latest: &Month, median: Option<f64>, thresholds: &Thresholds) -> Option<Reason> {
    let median = median.filter(|m| *m > 0.0)?;
    if (latest.active_listings as f64) >= thresholds.listings_median_ratio * median {
        return None;
    }
    Some(Reason::new(
        ReasonCode::FewListings,
        format!(
            "{} active listings in {}; the median of sellers of the same tier in the same \
             market is {median}",
            latest.active_listings, latest.period
        ),
    ))
}

fn seller_inactive(figures: &[Month], clock: Clock, thresholds: &Thresholds) -> Option<Reason> {
    let last = figures.iter().filter_map(|m| m.last_seller_login_at).max();
    let detail = match last {
        None => "the portal reports no seller login".to_owned(),
        Some(at) => {
            let days = (clock.now - at).num_days();
            if days < thresholds.seller_inactive_days {
                return None;
            }
            format!(
                "last seller login {} ({days} days ago)",
                at.format("%Y-%m-%d")
            )
        }
    };
    Some(Reason::new(ReasonCode::SellerInactive, detail))
}

fn renewal_due_unvisited(
    facts: &Facts<'_>,
    clock: Clock,
    thresholds: &Thresholds,
) -> Option<Reason> {
    if facts.churned {
        return None;
    }
    let days_left = (facts.contract_end - clock.today).num_days();
    if days_left > thresholds.renewal_window_days {
        return None;
    }
    let visited_recently = facts
        .last_visit_at
        .is_some_and(|at| (clock.now - at).num_days() < thresholds.visit_recency_days);
    if visited_recently {
        return None;
    }
    let when = if days_left >= 0 {
        format!("ends on {} (in {days_left} days)", facts.contract_end)
    } else {
        format!("ended on {}", facts.contract_end)
    };
    let visit = match facts.last_visit_at {
        Some(at) => format!("last visit {}", at.format("%Y-%m-%d")),
        None => "never visited".to_owned(),
    };
    Some(Reason::new(
        ReasonCode::RenewalDueUnvisited,
        format!("the contract {when}; {visit}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn p(text: &str) -> Period {
        Period::parse(text).unwrap()
    }

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn t(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    /// 15 November 2026, noon UTC: M-1 is October, M-2 September.
    fn clock() -> Clock {
        Clock {
            now: Utc.with_ymd_and_hms(2026, 11, 15, 12, 0, 0).unwrap(),
            today: d("2026-11-15"),
        }
    }

    /// A month with the given GMV and listings, the seller signed in on the 10th of November.
    fn month(period: &str, gmv: i64, listings: i64) -> Month {
        Month {
            period: p(period),
            gmv,
            currency: "CNY".into(),
            active_listings: listings,
            last_seller_login_at: Some(t("2026-11-10T09:00:00Z")),
        }
    }

    fn steady(gmv_last: i64) -> Vec<Month> {
        vec![
            month("2026-06", 100_000, 50),
            month("2026-07", 100_000, 50),
            month("2026-08", 100_000, 50),
            month("2026-09", 100_000, 50),
            month("2026-10", gmv_last, 50),
        ]
    }

    fn facts(figures: &[Month]) -> Facts<'_> {
        Facts {
            figures,
            contract_start: d("2026-01-01"),
            contract_end: d("2027-06-30"),
            churned: false,
            last_visit_at: None,
            peer_median_listings: Some(50.0),
        }
    }

    fn codes(a: &Assessment) -> Vec<&'static str> {
        a.reasons.iter().map(|r| r.code.as_str()).collect()
    }

    #[test]
    fn the_rules_against_hand_built_accounts() {
        let thresholds = Thresholds::default();
        let healthy = steady(100_000);
        let fell_40 = steady(60_000);
        let fell_30 = steady(70_000);
        let fell_29 = steady(71_000);
        let mut october_missing = steady(100_000);
        october_missing.pop();
        october_missing[3].gmv = 50_000; // September, judged against June–August
        let few = {
            let mut f = steady(100_000);
            f[4].active_listings = 24;
            f
        };
        let just_enough = {
            let mut f = steady(100_000);
            f[4].active_listings = 25;
            f
        };
        let inactive = {
            let mut f = steady(100_000);
            for m in &mut f {
                m.last_seller_login_at = Some(t("2026-11-01T11:59:59Z"));
            }
            f
        };
        let never_logged_in = {
            let mut f = steady(100_000);
            for m in &mut f {
                m.last_seller_login_at = None;
            }
            f
        };
        let inactive_falling = {
            let mut f = inactive.clone();
            f[4].gmv = 10_000;
            f
        };
        let fresh_this_month = {
            let mut f = inactive.clone();
            f.push(month("2026-11", 1, 1));
            f
        };
        let only_old = vec![month("2026-07", 100_000, 50)];
        let no_baseline = vec![month("2026-10", 10, 50)];
        let other_currency = {
            let mut f = steady(60_000);
            f[4].currency = "USD".into();
            f
        };
        let cases: Vec<(&str, Facts<'_>, Vec<&str>, i64, Health)> = vec![
            ("steady", facts(&healthy), vec![], 100, Health::Healthy),
            (
                "GMV down 40%",
                facts(&fell_40),
                vec!["gmv_falling"],
                65,
                Health::AtRisk,
            ),
            (
                "GMV down exactly 30%",
                facts(&fell_30),
                vec!["gmv_falling"],
                65,
                Health::AtRisk,
            ),
            (
                "GMV down 29%",
                facts(&fell_29),
                vec![],
                100,
                Health::Healthy,
            ),
            (
                "October missing: September judged",
                facts(&october_missing),
                vec!["gmv_falling"],
                65,
                Health::AtRisk,
            ),
            (
                "24 listings, median 50",
                facts(&few),
                vec!["few_listings"],
                80,
                Health::Slipping,
            ),
            (
                "25 listings, median 50",
                facts(&just_enough),
                vec![],
                100,
                Health::Healthy,
            ),
            (
                "no login for 14 days",
                facts(&inactive),
                vec!["seller_inactive"],
                70,
                Health::Slipping,
            ),
            (
                "a login this month (the month under way) clears it",
                facts(&fresh_this_month),
                vec![],
                100,
                Health::Healthy,
            ),
            (
                "never signed in",
                facts(&never_logged_in),
                vec!["seller_inactive"],
                70,
                Health::Slipping,
            ),
            (
                "figures only from July",
                facts(&only_old),
                vec!["no_data"],
                35,
                Health::Dormant,
            ),
            (
                "no figures at all",
                facts(&[]),
                vec!["no_data"],
                35,
                Health::Dormant,
            ),
            (
                "signed this month: nothing to judge yet",
                Facts {
                    contract_start: d("2026-11-03"),
                    ..facts(&[])
                },
                vec![],
                100,
                Health::Healthy,
            ),
            (
                "no baseline months",
                facts(&no_baseline),
                vec![],
                100,
                Health::Healthy,
            ),
            (
                "baseline in another currency",
                facts(&other_currency),
                vec![],
                100,
                Health::Healthy,
            ),
            (
                "no peers: listings not judged",
                Facts {
                    peer_median_listings: None,
                    ..facts(&few)
                },
                vec![],
                100,
                Health::Healthy,
            ),
            (
                "renewal in 30 days, never visited",
                Facts {
                    contract_end: d("2026-12-15"),
                    ..facts(&healthy)
                },
                vec!["renewal_due_unvisited"],
                75,
                Health::Slipping,
            ),
            (
                "renewal in 31 days",
                Facts {
                    contract_end: d("2026-12-16"),
                    ..facts(&healthy)
                },
                vec![],
                100,
                Health::Healthy,
            ),
            (
                "renewal due, visited 13 days ago",
                Facts {
                    contract_end: d("2026-12-01"),
                    last_visit_at: Some(t("2026-11-02T12:00:01Z")),
                    ..facts(&healthy)
                },
                vec![],
                100,
                Health::Healthy,
            ),
            (
                "renewal due, visited 14 days ago",
                Facts {
                    contract_end: d("2026-12-01"),
                    last_visit_at: Some(t("2026-11-01T12:00:00Z")),
                    ..facts(&healthy)
                },
                vec!["renewal_due_unvisited"],
                75,
                Health::Slipping,
            ),
            (
                "contract lapsed, not visited",
                Facts {
                    contract_end: d("2026-10-31"),
                    ..facts(&healthy)
                },
                vec!["renewal_due_unvisited"],
                75,
                Health::Slipping,
            ),
            (
                "churned: no renewal to chase",
                Facts {
                    contract_end: d("2026-10-31"),
                    churned: true,
                    ..facts(&healthy)
                },
                vec![],
                100,
                Health::Healthy,
            ),
            (
                "inactive and falling: dormant",
                facts(&inactive_falling),
                vec!["gmv_falling", "seller_inactive"],
                35,
                Health::Dormant,
            ),
            (
                "no data and renewal due",
                Facts {
                    contract_end: d("2026-11-20"),
                    ..facts(&[])
                },
                vec!["no_data", "renewal_due_unvisited"],
                10,
                Health::Dormant,
            ),
        ];
        for (name, facts, expected, score, health) in cases {
            let got = assess(&facts, clock(), &thresholds);
            assert_eq!(codes(&got), expected, "{name}");
            assert_eq!(got.score, score, "{name}");
            assert_eq!(got.health, health, "{name}");
            for reason in &got.reasons {
                assert!(!reason.detail.is_empty() && !reason.talking_point.is_empty());
            }
        }
    }

    #[test]
    fn thresholds_are_settings() {
        let fell_20 = steady(80_000);
        let strict = Thresholds {
            gmv_drop_pct: 20,
            ..Thresholds::default()
        };
        assert_eq!(
            codes(&assess(&facts(&fell_20), clock(), &strict)),
            vec!["gmv_falling"]
        );
        assert!(assess(&facts(&fell_20), clock(), &Thresholds::default())
            .reasons
            .is_empty());
        let patient = Thresholds {
            renewal_window_days: 10,
            ..Thresholds::default()
        };
        let due = steady(100_000);
        let soon = Facts {
            contract_end: d("2026-12-01"),
            ..facts(&due)
        };
        assert!(assess(&soon, clock(), &patient).reasons.is_empty());
    }

    #[test]
    fn medians_and_windows() {
        assert_eq!(peer_median(&mut []), None);
        assert_eq!(peer_median(&mut [7]), Some(7.0));
        assert_eq!(peer_median(&mut [9, 1, 4]), Some(4.0));
        assert_eq!(peer_median(&mut [10, 1, 4, 3]), Some(3.5));
        assert_eq!(window(d("2026-02-10")), (p("2025-09"), p("2026-02")));
        assert_eq!(months_before(p("2026-01"), 1), p("2025-12"));
    }

    #[test]
    fn score_bands() {
        for (score, health) in [
            (100, Health::Healthy),
            (99, Health::Slipping),
            (70, Health::Slipping),
            (69, Health::AtRisk),
            (40, Health::AtRisk),
            (39, Health::Dormant),
            (0, Health::Dormant),
        ] {
            assert_eq!(health_of(score), health);
        }
    }
}
