use super::period;
use super::scope::{self, Figures};
use crate::blocking;
use crate::error::ApiResult;
use crate::extract::Caller;
use crate::reply::Reply;
use crate::state::AppState;
use actix_web::{get, web};
use chrono::NaiveDate;
use ironfield_auth::Scope;
use ironfield_domain::calendar::WorkingDays;
use ironfield_domain::ids::TeamId;
use ironfield_domain::pacing::{progress_towards, Metric, Progress};
use ironfield_persistence::targets;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgressQuery {
    /// One team (with its sub-teams' records in its totals); default the caller's view.
    #[param(value_type = Option<String>, format = Uuid)]
    #[serde(default, deserialize_with = "crate::routes::query_id")]
    pub team_id: Option<TeamId>,
    /// Measure as of this business date; default today in the organisation's time zone.
    pub as_of: Option<NaiveDate>,
}

/// Progress on each metric.
#[derive(Debug, Serialize, ToSchema)]
pub struct MetricsProgress {
    pub visits: Progress,
    pub new_sellers: Progress,
    /// Minor units of the default currency.
    pub contract_value: Progress,
    pub renewals: Progress,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RepProgress {
    #[schema(format = Uuid)]
    pub user_id: String,
    pub name: String,
    #[schema(format = Uuid)]
    pub team_id: Option<String>,
    pub metrics: MetricsProgress,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TeamProgress {
    #[schema(format = Uuid)]
    pub team_id: String,
    pub name: String,
    pub metrics: MetricsProgress,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressReport {
    #[schema(pattern = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$", example = "2026-11")]
    pub period: String,
    pub as_of: NaiveDate,
    pub working_days: WorkingDays,
    pub reps: Vec<RepProgress>,
    pub teams: Vec<TeamProgress>,
}

pub(crate) fn metrics(
    targets: &HashMap<(String, Metric), i64>,
    key: &str,
    figures: Figures,
    days: WorkingDays,
) -> MetricsProgress {
    let of = |metric: Metric| {
        let target = targets.get(&(key.to_owned(), metric)).copied();
        progress_towards(target, figures.get(metric), days)
    };
    MetricsProgress {
        visits: of(Metric::Visits),
        new_sellers: of(Metric::NewSellers),
        contract_value: of(Metric::ContractValue),
        renewals: of(Metric::Renewals),
    }
}

/// Month-end pacing
///
/// For each rep and team in view and each metric: `target`, `actual`, `attainment_pct`,
/// `expected_to_date` (pro rata by working days elapsed), `projected` (run rate to month
/// end), `needed_per_working_day` and `status` (`no_target` where none is set: `target` then
/// reads 0 and nothing is expected), with the month's working days (from the
/// settings) total, elapsed and left. A rep's actual follows the rep wherever they worked; a
/// team's sums the records stamped with it and its sub-teams when they were made. Computed
/// with a fixed number of queries, whatever the team's size.
#[utoipa::path(
    tag = "targets",
    params(("period" = String, Path, pattern = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$", example = "2026-11", description = "`YYYY-MM`"), ProgressQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Progress of each rep and team in view", body = ProgressReport),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 404, response = crate::spec_types::NotFound),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[get("/targets/{period}/progress")]
pub async fn target_progress(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    query: web::Query<ProgressQuery>,
) -> ApiResult<Reply> {
    caller.require_scope(Scope::TargetsRead)?;
    let period = period("period", &path.into_inner())?;
    let query = query.into_inner();
    let report = blocking::heavy_read(&state, move |conn| {
        let as_of = scope::as_of(conn, query.as_of)?;
        let days = crate::org::calendar(conn)?.working_days(period, as_of);
        let scope = scope::load(conn, &caller, query.team_id.as_ref(), period)?;
        let user_ids: Vec<String> = scope.reps.iter().map(|r| r.id.to_string()).collect();
        let team_ids: Vec<TeamId> = scope.teams.iter().map(|t| t.id.clone()).collect();
        let targets: HashMap<(String, Metric), i64> =
            targets::for_subjects(conn, period, &user_ids, &team_ids)?
                .into_iter()
                .map(|t| {
                    (
                        (
                            format!("{}:{}", t.subject_type.as_str(), t.subject_id),
                            t.metric,
                        ),
                        t.value,
                    )
                })
                .collect();
        let reps = scope
            .reps
            .iter()
            .map(|rep| RepProgress {
                user_id: rep.id.to_string(),
                name: rep.name.clone(),
                team_id: rep.team_id.clone().map(String::from),
                metrics: metrics(
                    &targets,
                    &format!("user:{}", rep.id),
                    Figures::of(&scope.rep_figures, rep.id.as_str()),
                    days,
                ),
            })
            .collect();
        let teams = scope
            .teams
            .iter()
            .map(|team| TeamProgress {
                team_id: team.id.to_string(),
                name: team.name.clone(),
                metrics: metrics(
                    &targets,
                    &format!("team:{}", team.id),
                    scope
                        .team_figures
                        .get(&team.id)
                        .copied()
                        .unwrap_or_default(),
                    days,
                ),
            })
            .collect();
        Ok(ProgressReport {
            period: period.to_string(),
            as_of,
            working_days: days,
            reps,
            teams,
        })
    })
    .await?;
    Ok(Reply::ok(&report))
}
