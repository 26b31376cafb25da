//! The grouped reads behind account health: a few queries for any number of accounts, never
//! one per account.

use crate::error::DbError;
use crate::schema::{seller_accounts, seller_performance, visits};
use crate::scope::{in_scope, TeamScope};
use crate::seller_performance::PerformanceRow;
use crate::stored::{Stored, StoredOption};
use crate::{DbConnection, Timestamp};
use diesel::prelude::*;
use ironfield_domain::account::{AccountStatus, MembershipTier};
use ironfield_domain::calendar::Period;
use ironfield_domain::ids::SellerAccountId;

/// Ids per `IN (...)` list: well under SQLite's and PostgreSQL's bind limits.
const CHUNK: usize = 1000;

/// The figures of `account_ids` for the months `from..=to`.
pub fn figures_of(
    conn: &mut DbConnection,
    account_ids: &[SellerAccountId],
    from: Period,
    to: Period,
) -> Result<Vec<PerformanceRow>, DbError> {
    let mut rows = Vec::new();
    for chunk in account_ids.chunks(CHUNK) {
        rows.extend(
            seller_performance::table
                .filter(seller_performance::seller_account_id.eq_any(texts(chunk)))
                .filter(seller_performance::period.ge(Stored::from(from)))
                .filter(seller_performance::period.le(Stored::from(to)))
                .select(PerformanceRow::as_select())
                .load(conn)?,
        );
    }
    Ok(rows)
}

/// One peer's active listings in one month.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct PeerListings {
    #[diesel(deserialize_as = Stored)]
    pub account_id: SellerAccountId,
    pub market: Option<String>,
    #[diesel(deserialize_as = Stored)]
    pub membership_tier: MembershipTier,
    #[diesel(deserialize_as = Stored)]
    pub period: Period,
    pub active_listings: i64,
}

/// The active listings of every live (not churned) account in the months `from..=to`, with
/// its market and tier: one read from which the peer medians of every market and tier are
/// computed. Peers are all accounts, whoever asks, so an account's health does not depend on
/// the caller's view.
///
/// `markets` narrows the read to the markets asked about (accounts without a market have no
/// peers).
pub fn peer_listings(
    conn: &mut DbConnection,
    markets: &[String],
    from: Period,
    to: Period,
) -> Result<Vec<PeerListings>, DbError> {
    let mut rows = Vec::new();
    for chunk in markets.chunks(CHUNK) {
        rows.extend(peer_listings_in(conn, chunk, from, to)?);
    }
    Ok(rows)
}

fn peer_listings_in(
    conn: &mut DbConnection,
    markets: &[String],
    from: Period,
    to: Period,
) -> Result<Vec<PeerListings>, DbError> {
    Ok(seller_performance::table
        .inner_join(seller_accounts::table)
        .filter(seller_performance::period.ge(Stored::from(from)))
        .filter(seller_performance::period.le(Stored::from(to)))
        .filter(seller_accounts::status.ne(Stored::from(AccountStatus::Churned)))
        .filter(seller_accounts::market.eq_any(markets))
        .select((
            seller_performance::seller_account_id,
            seller_accounts::market,
            seller_accounts::membership_tier,
            seller_performance::period,
            seller_performance::active_listings,
        ))
        .load(conn)?)
}

/// The latest visit to each of `account_ids` that has one.
pub fn last_visits(
    conn: &mut DbConnection,
    account_ids: &[SellerAccountId],
) -> Result<Vec<(SellerAccountId, Timestamp)>, DbError> {
    let mut out = Vec::new();
    for chunk in account_ids.chunks(CHUNK) {
        let rows: Vec<(StoredOption, Option<Timestamp>)> = visits::table
            .filter(visits::seller_account_id.eq_any(texts(chunk)))
            .group_by(visits::seller_account_id)
            .select((
                visits::seller_account_id,
                diesel::dsl::max(visits::visited_at),
            ))
            .load(conn)?;
        for (id, at) in rows {
            if let (Some(id), Some(at)) = (Option::<SellerAccountId>::try_from(id)?, at) {
                out.push((id, at));
            }
        }
    }
    Ok(out)
}

/// Which accounts to rank besides the `TeamScope`: the list's optional filters.
#[derive(Debug, Default, Clone)]
pub struct RankFilter {
    /// As the client sent it, like `owner_id`: any other text matches no team.
    pub team_id: Option<String>,
    /// As the client sent it (the at-risk list does not check it is an id: any other text
    /// matches no owner).
    pub owner_id: Option<String>,
}

/// Every live (not churned) account the filter selects: the accounts whose health is ranked.
pub fn live_accounts(
    conn: &mut DbConnection,
    scope: &TeamScope,
    filter: &RankFilter,
) -> Result<Vec<crate::seller_accounts::AccountRow>, DbError> {
    use crate::seller_accounts::AccountRow;
    let query = seller_accounts::table
        .filter(seller_accounts::status.ne(Stored::from(AccountStatus::Churned)))
        .select(AccountRow::as_select())
        .into_boxed();
    let mut query = in_scope!(query, scope, seller_accounts::team_id);
    if let Some(team) = &filter.team_id {
        query = query.filter(seller_accounts::team_id.eq(team.clone()));
    }
    if let Some(owner) = &filter.owner_id {
        query = query.filter(seller_accounts::owner_id.eq(owner.clone()));
    }
    Ok(query.load(conn)?)
}

/// Which of `account_ids` exist inside `scope` (churned ones included).
pub fn existing(
    conn: &mut DbConnection,
    scope: &TeamScope,
    account_ids: &[SellerAccountId],
) -> Result<Vec<SellerAccountId>, DbError> {
    let mut out = Vec::new();
    for chunk in account_ids.chunks(CHUNK) {
        let query = seller_accounts::table.into_boxed();
        let found = in_scope!(query, scope, seller_accounts::team_id)
            .filter(seller_accounts::id.eq_any(texts(chunk)))
            .select(seller_accounts::id)
            .load::<Stored>(conn)?;
        for id in found {
            out.push(SellerAccountId::try_from(id)?);
        }
    }
    Ok(out)
}

/// The ids' texts, for an `IN (...)` list.
fn texts(ids: &[SellerAccountId]) -> Vec<&str> {
    ids.iter().map(SellerAccountId::as_str).collect()
}
