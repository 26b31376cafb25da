//! `target.set` and `target.achieved`: a target reached is announced once per subject, period
//! and metric, the first time its actual meets it (a note in `target_achievements` makes the
//! second time a no-op, also between concurrent writers).

use super::{emit, EventType, Subject};
use crate::error::ApiResult;
use crate::extract::Caller;
use crate::routes::targets::Target;
use chrono::NaiveDate;
use ironfield_domain::pacing::{Metric, SubjectType};
use ironfield_domain::Period;
use ironfield_persistence::stats::{self, Tally};
use ironfield_persistence::targets::{self, TargetRow};
use ironfield_persistence::{target_achievements, DbConnection, Timestamp};
use std::collections::HashMap;

/// Emits `target.set` for a stored target, then `target.achieved` if it is already met.
pub fn target_set(
    conn: &mut DbConnection,
    caller: &Caller,
    row: &TargetRow,
    at: Timestamp,
) -> ApiResult<()> {
    let subject = Subject {
        id: row.id.as_str(),
        team_id: row.team_id.as_deref(),
    };
    let data = Target::from(row.clone());
    emit(conn, caller, EventType::TargetSet, subject, &data, None, at)?;
    check_target(conn, caller, row, at)
}

/// After a change that counts towards targets (a visit, a signing, a renewal) by `rep_id`
/// in `team_id` on `business_date`: announces every target of the rep, or of
/// the team and the teams above it, in that month that is now met for the first time.
pub fn check_achieved(
    conn: &mut DbConnection,
    caller: &Caller,
    rep_id: &str,
    team_id: Option<&str>,
    business_date: NaiveDate,
    at: Timestamp,
) -> ApiResult<()> {
    let period = Period::of(business_date);
    // The record's team and every team above it: a team's figures include its sub-teams'
    // (as on the progress page).
    let candidate_teams = match team_id {
        Some(id) => caller.directory.team_tree(conn)?.ancestors(id),
        None => Vec::new(),
    };
    let rows = targets::for_subjects(conn, period, &[rep_id.to_owned()], &candidate_teams)?;
    for row in rows {
        check_target(conn, caller, &row, at)?;
    }
    Ok(())
}

/// Announces `row` as achieved if its subject's actual meets it and it was not before.
fn check_target(
    conn: &mut DbConnection,
    caller: &Caller,
    row: &TargetRow,
    at: Timestamp,
) -> ApiResult<()> {
    // A target of nothing is no achievement.
    if row.value <= 0 || actual(conn, caller, row)? < row.value {
        return Ok(());
    }
    if !target_achievements::record_first(
        conn,
        row.subject_type,
        &row.subject_id,
        row.period,
        row.metric,
        at,
    )? {
        return Ok(());
    }
    let subject = Subject {
        id: row.id.as_str(),
        team_id: row.team_id.as_deref(),
    };
    let data = Target::from(row.clone());
    emit(
        conn,
        caller,
        EventType::TargetAchieved,
        subject,
        &data,
        None,
        at,
    )
}

/// The subject's figure for the target's metric and month, counted like the progress page.
fn actual(conn: &mut DbConnection, caller: &Caller, row: &TargetRow) -> ApiResult<i64> {
    let metric = row.metric;
    let (from, to) = (row.period.first_day(), row.period.next_first_day());
    let subject = [row.subject_id.clone()];
    if row.subject_type == SubjectType::Team {
        let tree = caller.directory.team_tree(conn)?;
        let members: Vec<String> = tree.subtree(&row.subject_id).into_iter().collect();
        let tally = stats::by_team(conn, &members, from, to)?;
        Ok(members.iter().map(|m| figure(&tally, m, metric)).sum())
    } else {
        let tally = stats::by_rep(conn, &subject, from, to)?;
        Ok(figure(&tally, &row.subject_id, metric))
    }
}

fn figure(tally: &Tally, key: &str, metric: Metric) -> i64 {
    let get = |map: &HashMap<String, i64>| map.get(key).copied().unwrap_or(0);
    match metric {
        Metric::Visits => get(&tally.visits),
        Metric::NewSellers => get(&tally.new_sellers),
        Metric::ContractValue => get(&tally.contract_value),
        Metric::Renewals => get(&tally.renewals),
    }
}
