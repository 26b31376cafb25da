use super::{Lead, LeadPage};
use crate::blocking;
use crate::error::ApiResult;
use crate::extract::{page_request, parse_time, Caller};
use crate::reply::Reply;
use crate::state::AppState;
use actix_web::{get, web};
use ironfield_auth::Scope;
use ironfield_domain::ids::{TeamId, UserId};
use ironfield_domain::Stage;
use ironfield_persistence::leads::{self, LeadFilter};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListLeadsQuery {
    pub stage: Option<Stage>,
    #[param(value_type = Option<String>, format = Uuid)]
    #[serde(default, deserialize_with = "crate::routes::query_id")]
    pub owner_id: Option<UserId>,
    #[param(value_type = Option<String>, format = Uuid)]
    #[serde(default, deserialize_with = "crate::routes::query_id")]
    pub team_id: Option<TeamId>,
    pub market: Option<String>,
    pub district: Option<String>,
    pub source: Option<String>,
    /// Searches company, contact, phone and stall number.
    pub q: Option<String>,
    /// Leads whose next follow-up is before this time (RFC 3339).
    #[param(format = DateTime)]
    pub follow_up_before: Option<String>,
    /// Leads changed at or after this time (RFC 3339), for phones that sync.
    #[param(format = DateTime)]
    pub updated_since: Option<String>,
    /// `true`: archived leads instead of live ones.
    pub archived: Option<bool>,
    /// Items per page, 1 to 200 (default 50); more is 422.
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page; absent for the first.
    pub cursor: Option<String>,
}

impl ListLeadsQuery {
    pub(crate) fn filter(self) -> ApiResult<LeadFilter> {
        Ok(LeadFilter {
            archived: self.archived.unwrap_or(false),
            stage: self.stage,
            owner_id: self.owner_id,
            team_id: self.team_id,
            market: self.market,
            district: self.district,
            source: self.source,
            q: self
                .q
                .filter(|q| !q.trim().is_empty())
                .map(|q| q.trim().to_owned()),
            follow_up_before: self
                .follow_up_before
                .as_deref()
                .map(|t| parse_time("follow_up_before", t))
                .transpose()?,
            updated_since: self
                .updated_since
                .as_deref()
                .map(|t| parse_time("updated_since", t))
                .transpose()?,
        })
    }
}

/// List leads
///
/// The leads of the teams the caller can see (a rep sees their whole team's, so two reps do
/// not walk into the same stall), newest first, filtered as asked. Archived leads are left
/// out unless `archived=true`.
#[utoipa::path(
    tag = "leads",
    params(ListLeadsQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of leads", body = LeadPage),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[get("/leads")]
pub async fn list_leads(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ListLeadsQuery>,
) -> ApiResult<Reply> {
    caller.require_scope(Scope::LeadsRead)?;
    let query = query.into_inner();
    let page = page_request(query.limit, query.cursor.as_deref())?;
    let filter = query.filter()?;
    let scope = caller.scope();
    let page = blocking::heavy_read(&state, move |conn| {
        Ok(leads::list(conn, &scope, &filter, &page)?)
    })
    .await?;
    Ok(Reply::ok(&LeadPage {
        items: page
            .items
            .into_iter()
            .map(Lead::try_from)
            .collect::<ApiResult<_>>()?,
        next_cursor: page.next_cursor,
    }))
}
