use super::{Visit, VisitPage};
use crate::blocking;
use crate::error::ApiResult;
use crate::extract::{page_request, parse_time, Caller};
use crate::reply::Reply;
use crate::state::AppState;
use actix_web::{get, web};
use chrono::NaiveDate;
use ironfield_auth::{Principal, Scope};
use ironfield_domain::ids::{LeadId, SellerAccountId, TeamId, UserId};
use ironfield_domain::visit::{Outcome, Purpose};
use ironfield_domain::Role;
use ironfield_persistence::visits::{self, VisitFilter};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListVisitsQuery {
    #[param(value_type = Option<String>, format = Uuid)]
    #[serde(default, deserialize_with = "crate::routes::query_id")]
    pub rep_id: Option<UserId>,
    #[param(value_type = Option<String>, format = Uuid)]
    #[serde(default, deserialize_with = "crate::routes::query_id")]
    pub team_id: Option<TeamId>,
    #[param(value_type = Option<String>, format = Uuid)]
    #[serde(default, deserialize_with = "crate::routes::query_id")]
    pub lead_id: Option<LeadId>,
    #[param(value_type = Option<String>, format = Uuid)]
    #[serde(default, deserialize_with = "crate::routes::query_id")]
    pub seller_account_id: Option<SellerAccountId>,
    /// Visits at or after this time (RFC 3339).
    #[param(format = DateTime)]
    pub from: Option<String>,
    /// Visits before this time (RFC 3339).
    #[param(format = DateTime)]
    pub to: Option<String>,
    /// One day in the organisation's time zone, `YYYY-MM-DD`.
    pub business_date: Option<NaiveDate>,
    pub outcome: Option<Outcome>,
    pub purpose: Option<Purpose>,
    /// Visits changed at or after this time, for phones that sync.
    #[param(format = DateTime)]
    pub updated_since: Option<String>,
    /// Items per page, 1 to 200 (default 50); more is 422.
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page; absent for the first.
    pub cursor: Option<String>,
}

/// List visits
///
/// Newest first. A rep sees their own visits; a team lead their team's; a manager their
/// branch's; an admin (or a service account with `visits:read`) everyone's.
#[utoipa::path(
    tag = "visits",
    params(ListVisitsQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of visits", body = VisitPage),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[get("/visits")]
pub async fn list_visits(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ListVisitsQuery>,
) -> ApiResult<Reply> {
    caller.require_scope(Scope::VisitsRead)?;
    let query = query.into_inner();
    let page = page_request(query.limit, query.cursor.as_deref())?;
    // A rep's view of visits is their own: a teammate's day is their team lead's business.
    let own_only = matches!(
        caller.principal,
        Principal::User {
            role: Role::Rep,
            ..
        }
    );
    let filter = VisitFilter {
        rep_id: if own_only {
            caller.user_id().cloned()
        } else {
            query.rep_id
        },
        team_id: query.team_id,
        lead_id: query.lead_id,
        seller_account_id: query.seller_account_id,
        from: query
            .from
            .as_deref()
            .map(|t| parse_time("from", t))
            .transpose()?,
        to: query
            .to
            .as_deref()
            .map(|t| parse_time("to", t))
            .transpose()?,
        business_date: query.business_date,
        outcome: query.outcome,
        purpose: query.purpose,
        updated_since: query
            .updated_since
            .as_deref()
            .map(|t| parse_time("updated_since", t))
            .transpose()?,
    };
    let scope = caller.scope();
    let page = blocking::heavy_read(&state, move |conn| {
        Ok(visits::list(conn, &scope, &filter, &page)?)
    })
    .await?;
    Ok(Reply::ok(&VisitPage {
        items: page.items.into_iter().map(Visit::from).collect(),
        next_cursor: page.next_cursor,
    }))
}
