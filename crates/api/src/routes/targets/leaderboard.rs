use super::period;
use super::scope::{self, Figures};
use crate::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::reply::Reply;
use crate::state::AppState;
use actix_web::{get, web};
use chrono::NaiveDate;
use ironfield_auth::Scope;
use ironfield_domain::ids::TeamId;
use ironfield_domain::pacing::{progress_towards, Metric, PaceStatus};
use ironfield_domain::Role;
use ironfield_persistence::targets;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LeaderboardQuery {
    /// `YYYY-MM`.
    #[param(pattern = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$", example = "2026-11")]
    pub period: String,
    pub metric: Metric,
    /// One team; default the caller's view (a manager's whole branch).
    #[param(value_type = Option<String>, format = Uuid)]
    #[serde(default, deserialize_with = "crate::routes::query_id")]
    pub team_id: Option<TeamId>,
    pub as_of: Option<NaiveDate>,
    /// Items per page, 1 to 200 (default 50); more is 422.
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<i64>,
    /// `true`: rank team leads beside their reps. Default: reps only.
    #[param(default = false)]
    pub include_team_leads: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LeaderboardEntry {
    /// 1 for the best; equal actuals share a rank.
    pub rank: i64,
    #[schema(format = Uuid)]
    pub user_id: String,
    pub name: String,
    #[schema(format = Uuid)]
    pub team_id: Option<String>,
    pub actual: i64,
    /// 0 when none is set (status `no_target`).
    pub target: i64,
    pub attainment_pct: Option<f64>,
    pub status: PaceStatus,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Leaderboard {
    #[schema(pattern = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$", example = "2026-11")]
    pub period: String,
    pub metric: Metric,
    pub items: Vec<LeaderboardEntry>,
    /// Always `null`: the board is one page of the top `limit` reps.
    pub next_cursor: Option<String>,
}

/// Leaderboard
///
/// The reps of a team, or of the caller's view (a branch for a manager), ranked by their
/// actual on one metric this month, best first (ties share a rank, then by name). Team leads
/// are ranked too only with `include_team_leads=true`. A rep with no target for the metric
/// has status `no_target`, never `achieved`.
#[utoipa::path(
    tag = "targets",
    params(LeaderboardQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The ranked reps", body = Leaderboard),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 404, response = crate::spec_types::NotFound),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[get("/leaderboard")]
pub async fn leaderboard(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<LeaderboardQuery>,
) -> ApiResult<Reply> {
    caller.require_scope(Scope::TargetsRead)?;
    let query = query.into_inner();
    let period = period("period", &query.period)?;
    let limit = query.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::invalid_field(
            "limit",
            "must be between 1 and 200",
        ));
    }
    let metric = query.metric;
    let board = blocking::heavy_read(&state, move |conn| {
        let as_of = scope::as_of(conn, query.as_of)?;
        let days = crate::org::calendar(conn)?.working_days(period, as_of);
        let scope = scope::load(conn, &caller, query.team_id.as_ref(), period)?;
        let with_leads = query.include_team_leads.unwrap_or(false);
        let ranked: Vec<_> = scope
            .reps
            .iter()
            .filter(|u| u.role == Role::Rep || (with_leads && u.role == Role::TeamLead))
            .collect();
        let user_ids: Vec<String> = ranked.iter().map(|r| r.id.to_string()).collect();
        let targets: HashMap<String, i64> = targets::for_subjects(conn, period, &user_ids, &[])?
            .into_iter()
            .filter(|t| t.metric == metric)
            .map(|t| (t.subject_id, t.value))
            .collect();
        let mut entries: Vec<LeaderboardEntry> = ranked
            .iter()
            .map(|rep| {
                let actual = Figures::of(&scope.rep_figures, rep.id.as_str()).get(metric);
                let pace = progress_towards(targets.get(rep.id.as_str()).copied(), actual, days);
                LeaderboardEntry {
                    rank: 0,
                    user_id: rep.id.to_string(),
                    name: rep.name.clone(),
                    team_id: rep.team_id.clone().map(String::from),
                    actual,
                    target: pace.target,
                    attainment_pct: pace.attainment_pct,
                    status: pace.status,
                }
            })
            .collect();
        entries.sort_by(|a, b| b.actual.cmp(&a.actual).then(a.name.cmp(&b.name)));
        let mut rank = 0;
        let mut previous = None;
        for (i, entry) in entries.iter_mut().enumerate() {
            if previous != Some(entry.actual) {
                rank = i64::try_from(i).unwrap_or(i64::MAX) + 1;
                previous = Some(entry.actual);
            }
            entry.rank = rank;
        }
        entries.truncate(usize::try_from(limit).unwrap_or(50));
        Ok(Leaderboard {
            period: period.to_string(),
            metric,
            items: entries,
            next_cursor: None,
        })
    })
    .await?;
    Ok(Reply::ok(&board))
}
