//! Account health for any set of seller accounts, computed when read: the organisation's
//! clock and thresholds, then three grouped reads (the accounts' figures, their peers'
//! listings, the latest visits of those whose renewal is near), then the pure rules of
//! `ironfield_domain::health`. Never a query per account.

use crate::error::ApiResult;
use ironfield_domain::account::MembershipTier;
use ironfield_domain::health::{self, Assessment, Clock, Facts, Month, Thresholds};
use ironfield_domain::ids::SellerAccountId;
use ironfield_domain::time::{business_date, now};
use ironfield_domain::Period;
use ironfield_persistence::account_health as reads;
use ironfield_persistence::seller_accounts::AccountRow;
use ironfield_persistence::{DbConnection, TeamScope};
use std::collections::HashMap;

/// When and by which thresholds accounts are judged.
#[derive(Debug, Clone)]
pub struct Judge {
    pub clock: Clock,
    pub thresholds: Thresholds,
}

impl Judge {
    pub fn load(conn: &mut DbConnection) -> ApiResult<Judge> {
        let tz = crate::org::timezone(conn)?;
        let at = now();
        Ok(Judge {
            clock: Clock {
                now: at,
                today: business_date(at, tz),
            },
            thresholds: crate::org::health_thresholds(conn)?,
        })
    }
}

/// The health of each of `accounts`, by id.
pub fn assess(
    conn: &mut DbConnection,
    judge: &Judge,
    accounts: &[AccountRow],
) -> ApiResult<HashMap<SellerAccountId, Assessment>> {
    if accounts.is_empty() {
        return Ok(HashMap::new());
    }
    let today = judge.clock.today;
    let (from, to) = health::window(today);
    let ids: Vec<SellerAccountId> = accounts.iter().map(|a| a.id.clone()).collect();
    let mut figures: HashMap<SellerAccountId, Vec<Month>> = HashMap::new();
    for row in reads::figures_of(conn, &ids, from, to)? {
        figures
            .entry(row.seller_account_id)
            .or_default()
            .push(Month {
                period: row.period,
                gmv: row.gmv,
                currency: row.gmv_currency,
                active_listings: row.active_listings,
                last_seller_login_at: row.last_seller_login_at.map(|t| t.and_utc()),
            });
    }
    let medians = peer_medians(conn, accounts, today)?;
    // Only an account whose renewal is near needs its latest visit.
    let horizon = today + chrono::Days::new(judge.thresholds.renewal_window_days.max(0) as u64);
    let due: Vec<SellerAccountId> = accounts
        .iter()
        .filter(|a| a.status.is_live() && a.contract_end <= horizon)
        .map(|a| a.id.clone())
        .collect();
    let last_visits: HashMap<SellerAccountId, _> =
        reads::last_visits(conn, &due)?.into_iter().collect();
    let none = Vec::new();
    Ok(accounts
        .iter()
        .map(|a| {
            let facts = Facts {
                figures: figures.get(&a.id).unwrap_or(&none),
                contract_start: a.contract_start,
                contract_end: a.contract_end,
                churned: !a.status.is_live(),
                last_visit_at: last_visits.get(&a.id).map(|t| t.and_utc()),
                peer_median_listings: a
                    .market
                    .as_ref()
                    .and_then(|m| medians.get(&(m.clone(), a.membership_tier)))
                    .copied(),
            };
            (
                a.id.clone(),
                health::assess(&facts, judge.clock, &judge.thresholds),
            )
        })
        .collect())
}

/// The median active listings per (market, tier) among the markets of `accounts`: each live
/// peer counts once, with its latest month among the last two closed ones (as the rules judge
/// the account itself).
fn peer_medians(
    conn: &mut DbConnection,
    accounts: &[AccountRow],
    today: chrono::NaiveDate,
) -> ApiResult<HashMap<(String, MembershipTier), f64>> {
    let mut markets: Vec<String> = accounts.iter().filter_map(|a| a.market.clone()).collect();
    markets.sort();
    markets.dedup();
    if markets.is_empty() {
        return Ok(HashMap::new());
    }
    let current = Period::of(today);
    let (m2, m1) = (
        health::months_before(current, 2),
        health::months_before(current, 1),
    );
    // Each peer's latest month: (period, listings) by account.
    let mut latest: HashMap<SellerAccountId, (Period, String, MembershipTier, i64)> =
        HashMap::new();
    for peer in reads::peer_listings(conn, &markets, m2, m1)? {
        let Some(market) = peer.market else { continue };
        let newer = latest
            .get(&peer.account_id)
            .is_none_or(|(period, ..)| *period < peer.period);
        if newer {
            latest.insert(
                peer.account_id,
                (
                    peer.period,
                    market,
                    peer.membership_tier,
                    peer.active_listings,
                ),
            );
        }
    }
    let mut groups: HashMap<(String, MembershipTier), Vec<i64>> = HashMap::new();
    for (_, market, tier, listings) in latest.into_values() {
        groups.entry((market, tier)).or_default().push(listings);
    }
    Ok(groups
        .into_iter()
        .filter_map(|(key, mut values)| Some((key, health::peer_median(&mut values)?)))
        .collect())
}

/// The live accounts the filter selects whose health is not `healthy`, worst first: lowest
/// score, then id (a total order, so a cursor over `(score, id)` pages it).
pub fn ranked(
    conn: &mut DbConnection,
    scope: &TeamScope,
    filter: &reads::RankFilter,
) -> ApiResult<Vec<(AccountRow, Assessment)>> {
    let accounts = reads::live_accounts(conn, scope, filter)?;
    let judge = Judge::load(conn)?;
    let mut assessed = assess(conn, &judge, &accounts)?;
    let mut ranked: Vec<(AccountRow, Assessment)> = accounts
        .into_iter()
        .filter_map(|a| {
            let assessment = assessed.remove(&a.id)?;
            (assessment.health != health::Health::Healthy).then_some((a, assessment))
        })
        .collect();
    ranked.sort_by(|(a, x), (b, y)| x.score.cmp(&y.score).then_with(|| a.id.cmp(&b.id)));
    Ok(ranked)
}
