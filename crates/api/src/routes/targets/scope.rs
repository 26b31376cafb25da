//! Which reps and teams a progress or leaderboard request covers, and their figures, in a
//! fixed number of queries however large the teams are.

use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use chrono::NaiveDate;
use ironfield_auth::TeamView;
use ironfield_domain::calendar::Period;
use ironfield_domain::ids::TeamId;
use ironfield_domain::pacing::Metric;
use ironfield_domain::{Role, TeamTree};
use ironfield_persistence::stats::{self, Tally};
use ironfield_persistence::teams::TeamRow;
use ironfield_persistence::users::{UserFilter, UserRow};
use ironfield_persistence::TeamScope;
use ironfield_persistence::{teams, users, DbConnection, PageRequest};
use std::collections::{BTreeSet, HashMap};

pub(crate) struct Scope {
    pub teams: Vec<TeamRow>,
    pub reps: Vec<UserRow>,
    pub rep_figures: Tally,
    /// Per team in scope: its own and its descendants' stamped records.
    pub team_figures: HashMap<TeamId, Figures>,
}

#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Figures {
    pub visits: i64,
    pub new_sellers: i64,
    pub contract_value: i64,
    pub renewals: i64,
}

impl Figures {
    pub fn get(&self, metric: Metric) -> i64 {
        match metric {
            Metric::Visits => self.visits,
            Metric::NewSellers => self.new_sellers,
            Metric::ContractValue => self.contract_value,
            Metric::Renewals => self.renewals,
        }
    }

    pub fn of(tally: &Tally, key: &str) -> Figures {
        let get = |map: &HashMap<String, i64>| map.get(key).copied().unwrap_or(0);
        Figures {
            visits: get(&tally.visits),
            new_sellers: get(&tally.new_sellers),
            contract_value: get(&tally.contract_value),
            renewals: get(&tally.renewals),
        }
    }
}

/// The teams of `team_id` (which must be visible) or of the caller's whole view, their
/// active members, and everyone's figures for `period`.
pub(crate) fn load(
    conn: &mut DbConnection,
    caller: &Caller,
    team_id: Option<&TeamId>,
    period: Period,
) -> ApiResult<Scope> {
    let tree: TeamTree = teams::tree(conn)?;
    let all = PageRequest {
        limit: 1000,
        after: None,
    };
    let scope_ids: Vec<TeamId> = match team_id {
        Some(id) => {
            if !caller.can_see_team(Some(id)) || !tree.exists(id) {
                return Err(ApiError::not_found("team"));
            }
            vec![id.clone()]
        }
        None => match &caller.view {
            TeamView::Teams(ids) => ids.iter().cloned().collect(),
            TeamView::All => teams::list(conn, &TeamScope::everything(), None, &all)?
                .items
                .into_iter()
                .map(|t| t.id)
                .collect(),
        },
    };
    let in_scope = TeamScope::teams(scope_ids.iter().cloned());
    let team_rows = teams::list(conn, &in_scope, None, &all)?.items;
    let member_filter = UserFilter {
        active: Some(true),
        ..Default::default()
    };
    let mut reps = users::list(conn, &in_scope, &member_filter, &all)?.items;
    reps.retain(|u| matches!(u.role, Role::Rep | Role::TeamLead));
    reps.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));

    let (from, to) = (period.first_day(), period.next_first_day());
    let rep_ids: Vec<String> = reps.iter().map(|r| r.id.to_string()).collect();
    let rep_figures = stats::by_rep(conn, &rep_ids, from, to)?;

    // A team's figures include its sub-teams': count every team in the subtrees once, then
    // add each up into the teams in scope above it.
    let subtrees: HashMap<TeamId, BTreeSet<TeamId>> = scope_ids
        .iter()
        .map(|id| (id.clone(), tree.subtree(id)))
        .collect();
    let every: Vec<TeamId> = subtrees
        .values()
        .flatten()
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let stamped = stats::by_team(conn, &every, from, to)?;
    let team_figures = subtrees
        .into_iter()
        .map(|(team, members)| {
            let mut sum = Figures::default();
            for member in members {
                let f = Figures::of(&stamped, member.as_str());
                sum.visits += f.visits;
                sum.new_sellers += f.new_sellers;
                sum.contract_value = sum.contract_value.saturating_add(f.contract_value);
                sum.renewals += f.renewals;
            }
            (team, sum)
        })
        .collect();
    Ok(Scope {
        teams: team_rows,
        reps,
        rep_figures,
        team_figures,
    })
}

/// The business date progress is measured at: the one asked for, or today in the
/// organisation's time zone.
pub(crate) fn as_of(conn: &mut DbConnection, requested: Option<NaiveDate>) -> ApiResult<NaiveDate> {
    match requested {
        Some(date) => Ok(date),
        None => Ok(ironfield_domain::time::business_date(
            ironfield_domain::time::now(),
            crate::org::timezone(conn)?,
        )),
    }
}
