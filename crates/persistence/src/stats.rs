//! The figures targets are measured against, counted over stored `business_date`s with a
//! fixed number of grouped, indexed queries, whatever the number of reps.
//!
//! Days are stored as `YYYY-MM-DD` text in the organisation's time zone; ranges are
//! half-open (`from <= date < to`), which text comparison orders correctly.

use crate::error::DbError;
use crate::schema::{renewals, seller_accounts, visits};
use crate::stored::Stored;
use crate::DbConnection;
use chrono::NaiveDate;
use diesel::dsl::count_star;
use diesel::prelude::*;
use ironfield_domain::ids::TeamId;
use std::collections::HashMap;

/// Counts and sums per key (a rep's or a team's id, as text: a target's subject names either).
#[derive(Debug, Default, Clone)]
pub struct Tally {
    pub visits: HashMap<String, i64>,
    pub new_sellers: HashMap<String, i64>,
    pub contract_value: HashMap<String, i64>,
    pub renewals: HashMap<String, i64>,
}

/// Per rep: visits they made, sellers they signed (owner), contract value, renewals.
pub fn by_rep(
    conn: &mut DbConnection,
    reps: &[String],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Tally, DbError> {
    let (from, to) = (Stored::from(from), Stored::from(to));
    let visits: Vec<(String, i64)> = visits::table
        .filter(visits::rep_id.eq_any(reps.to_vec()))
        .filter(visits::business_date.ge(&from))
        .filter(visits::business_date.lt(&to))
        .group_by(visits::rep_id)
        .select((visits::rep_id, count_star()))
        .load(conn)?;
    let signed: Vec<(String, i64)> = seller_accounts::table
        .filter(seller_accounts::owner_id.eq_any(reps.to_vec()))
        .filter(seller_accounts::signed_business_date.ge(&from))
        .filter(seller_accounts::signed_business_date.lt(&to))
        .select((seller_accounts::owner_id, seller_accounts::contract_value))
        .load(conn)?;
    let renewed: Vec<(String, i64)> = renewals::table
        .filter(renewals::owner_id.eq_any(reps.to_vec()))
        .filter(renewals::business_date.ge(&from))
        .filter(renewals::business_date.lt(&to))
        .group_by(renewals::owner_id)
        .select((renewals::owner_id, count_star()))
        .load(conn)?;
    Ok(tally(visits, signed, renewed))
}

/// Per team: the records stamped with the team when they were made.
pub fn by_team(
    conn: &mut DbConnection,
    teams: &[TeamId],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Tally, DbError> {
    let (from, to) = (Stored::from(from), Stored::from(to));
    let teams = crate::scope::texts(teams);
    let visits: Vec<(Option<String>, i64)> = visits::table
        .filter(visits::team_id.eq_any(teams.to_vec()))
        .filter(visits::business_date.ge(&from))
        .filter(visits::business_date.lt(&to))
        .group_by(visits::team_id)
        .select((visits::team_id, count_star()))
        .load(conn)?;
    let signed: Vec<(Option<String>, i64)> = seller_accounts::table
        .filter(seller_accounts::team_id.eq_any(teams.to_vec()))
        .filter(seller_accounts::signed_business_date.ge(&from))
        .filter(seller_accounts::signed_business_date.lt(&to))
        .select((seller_accounts::team_id, seller_accounts::contract_value))
        .load(conn)?;
    let renewed: Vec<(Option<String>, i64)> = renewals::table
        .filter(renewals::team_id.eq_any(teams.to_vec()))
        .filter(renewals::business_date.ge(&from))
        .filter(renewals::business_date.lt(&to))
        .group_by(renewals::team_id)
        .select((renewals::team_id, count_star()))
        .load(conn)?;
    let keyed = |rows: Vec<(Option<String>, i64)>| {
        rows.into_iter()
            .filter_map(|(k, v)| Some((k?, v)))
            .collect()
    };
    Ok(tally(keyed(visits), keyed(signed), keyed(renewed)))
}

fn tally(
    visits: Vec<(String, i64)>,
    signed: Vec<(String, i64)>,
    renewed: Vec<(String, i64)>,
) -> Tally {
    let mut tally = Tally {
        visits: visits.into_iter().collect(),
        renewals: renewed.into_iter().collect(),
        ..Default::default()
    };
    // Summed here, not in SQL: SUM(BIGINT) is NUMERIC on PostgreSQL, which the two-backend
    // connection cannot read, and a month's signings are few.
    for (key, value) in signed {
        *tally.new_sellers.entry(key.clone()).or_default() += 1;
        let sum = tally.contract_value.entry(key).or_default();
        *sum = sum.saturating_add(value);
    }
    tally
}
