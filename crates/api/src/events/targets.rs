//! `target.set` and `target.achieved`: a target reached is announced once per subject, period
//! and metric, the first time its actual meets it (a note in `target_achievements` makes the
//! second time a no-op, also between concurrent writers).

use super::{emit, EventType, Subject};
use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::routes::targets::Target;
use chrono::NaiveDate;
use ironfield_domain::ids::TeamId;
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
        team_id: row.team_id.as_ref(),
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
    team_id: Option<&TeamId>,
    business_date: NaiveDate,
    at: Timestamp,
) -> ApiResult<()> {
    let change = Counted {
        caller,
        rep_id,
        team_id,
        business_date,
        at,
    };
    check_achieved_many(conn, &[change])
}

/// A change that counts towards targets, by `caller` (see [`check_achieved`]).
pub struct Counted<'a> {
    pub caller: &'a Caller,
    pub rep_id: &'a str,
    pub team_id: Option<&'a TeamId>,
    pub business_date: NaiveDate,
    pub at: Timestamp,
}

/// [`check_achieved`] for many changes at once (visits stored together), with one read of
/// the targets per month whatever the number of reps and teams. A target met is announced as
/// by the first change (in the order given) that counts towards it; every change is stored
/// already, so the actual is the same as when each change is checked in turn.
pub fn check_achieved_many(conn: &mut DbConnection, changes: &[Counted<'_>]) -> ApiResult<()> {
    let mut months: Vec<Period> = changes
        .iter()
        .map(|c| Period::of(c.business_date))
        .collect();
    months.sort();
    months.dedup();
    for period in months {
        // Each subject's first change of the month: who announces its target, and when.
        let mut reps: HashMap<&str, usize> = HashMap::new();
        let mut teams: HashMap<TeamId, usize> = HashMap::new();
        for (place, change) in changes.iter().enumerate() {
            if Period::of(change.business_date) != period {
                continue;
            }
            reps.entry(change.rep_id).or_insert(place);
            if let Some(team) = change.team_id {
                // The record's team and every team above it: a team's figures include its
                // sub-teams' (as on the progress page).
                for above in change.caller.directory.team_tree(conn)?.ancestors(team) {
                    teams.entry(above).or_insert(place);
                }
            }
        }
        let rep_ids: Vec<String> = reps.keys().map(|rep| (*rep).to_owned()).collect();
        let team_ids: Vec<TeamId> = teams.keys().cloned().collect();
        let mut rows: Vec<(usize, TargetRow)> = Vec::new();
        for row in targets::for_subjects(conn, period, &rep_ids, &team_ids)? {
            let first = match row.subject_type {
                SubjectType::User => reps.get(row.subject_id.as_str()).copied(),
                SubjectType::Team => TeamId::from_canonical(&row.subject_id)
                    .ok()
                    .and_then(|team| teams.get(&team).copied()),
            };
            if let Some(first) = first {
                rows.push((first, row));
            }
        }
        // In the order of the changes (then by subject), as checking each in turn would.
        rows.sort_by(|(a, x), (b, y)| (a, &x.subject_id).cmp(&(b, &y.subject_id)));
        for (first, row) in rows {
            let change = &changes[first];
            check_target(conn, change.caller, &row, change.at)?;
        }
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
        team_id: row.team_id.as_ref(),
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
        // A team's target names it by its canonical id (`services::targets::set` stores
        // nothing else); any other text is corrupt, like an unreadable typed column.
        let team = TeamId::from_canonical(&row.subject_id).map_err(ApiError::internal)?;
        let tree = caller.directory.team_tree(conn)?;
        let members: Vec<TeamId> = tree.subtree(&team).into_iter().collect();
        let tally = stats::by_team(conn, &members, from, to)?;
        Ok(members
            .iter()
            .map(|m| figure(&tally, m.as_str(), metric))
            .sum())
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
