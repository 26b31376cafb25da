use super::Visit;
use crate::account_health;
use crate::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::reply::Reply;
use crate::routes::leads::Lead;
use crate::routes::seller_accounts::AtRiskAccount;
use crate::state::AppState;
use actix_web::{get, web};
use chrono::{Days, NaiveDate};
use ironfield_domain::time::{business_date, now};
use ironfield_persistence::account_health::RankFilter;
use ironfield_persistence::{leads, meetings, visits};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DayQuery {
    /// `YYYY-MM-DD` in the organisation's time zone; default today.
    pub date: Option<NaiveDate>,
}

/// A rep's day.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyDay {
    pub date: NaiveDate,
    /// The organisation's time zone (IANA name): `date` is a day there, and apps show times
    /// in it. Reps cannot read `/settings`, so it is given here.
    #[schema(example = "Asia/Shanghai")]
    pub timezone: String,
    /// The visits logged that day, in the order they happened.
    pub visits: Vec<Visit>,
    /// The caller's open leads whose follow-up is due by the end of that day, soonest first.
    pub follow_ups_due: Vec<Lead>,
    /// The caller's plan from that day's team meeting; `null` without one.
    pub plan: Option<crate::routes::meetings::Plan>,
    /// The caller's own seller accounts whose health is not `healthy`, worst first (at most
    /// 50): today's service visits. Same items and rules as `GET /seller-accounts/at-risk`;
    /// health is as of now, whatever `date` is asked.
    pub accounts_to_service: Vec<AtRiskAccount>,
}

/// Most at-risk accounts a day lists.
const MAX_ACCOUNTS_TO_SERVICE: usize = 50;

/// My day
///
/// The caller's day: the visits they logged, the follow-ups due, their plan from the
/// morning meeting, their own accounts that need a service visit (worst first), and the
/// organisation's time zone to show them in.
#[utoipa::path(
    tag = "visits",
    params(DayQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's day", body = MyDay),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[get("/me/day")]
pub async fn my_day(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<DayQuery>,
) -> ApiResult<Reply> {
    let rep_id = caller.require_user_id()?.clone();
    let requested = query.into_inner().date;
    let scope = caller.scope();
    let (tz, date, day_visits, due, plan, to_service) = blocking::read(&state, move |conn| {
        let tz = crate::org::timezone(conn)?;
        let date = requested.unwrap_or_else(|| business_date(now(), tz));
        let end_of_day = date
            .checked_add_days(Days::new(1))
            .and_then(|next| next.and_hms_opt(0, 0, 0))
            .and_then(|midnight| midnight.and_local_timezone(tz).earliest())
            .ok_or_else(|| ApiError::invalid_field("date", "is out of range"))?
            .naive_utc();
        let day_visits = visits::of_rep_on(conn, &rep_id, date)?;
        // Leads left behind in a team the rep has moved out of are no longer theirs to see.
        let due = leads::follow_ups_due(conn, &scope, &rep_id, end_of_day, 200)?;
        let plan = meetings::plan_of(conn, &rep_id, date)?;
        let mut to_service = account_health::ranked(
            conn,
            &scope,
            &RankFilter {
                team_id: None,
                owner_id: Some(rep_id.to_string()),
            },
        )?;
        to_service.truncate(MAX_ACCOUNTS_TO_SERVICE);
        Ok((tz, date, day_visits, due, plan, to_service))
    })
    .await?;
    Ok(Reply::ok(&MyDay {
        date,
        timezone: tz.name().to_owned(),
        visits: day_visits.into_iter().map(Visit::from).collect(),
        follow_ups_due: due
            .into_iter()
            .map(Lead::try_from)
            .collect::<ApiResult<_>>()?,
        plan: plan.map(crate::routes::meetings::Plan::from),
        accounts_to_service: to_service
            .into_iter()
            .map(|(row, assessment)| AtRiskAccount::new(row, assessment))
            .collect::<ApiResult<_>>()?,
    }))
}
