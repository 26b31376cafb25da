use super::{AccountStatus, MembershipTier, SellerAccount, SellerAccountPage};
use crate::account_health::{self, Judge};
use crate::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::{page_request, parse_time, Caller};
use crate::reply::Reply;
use crate::state::AppState;
use actix_web::{get, web};
use chrono::NaiveDate;
use ironfield_auth::Scope;
use ironfield_domain::ids::{TeamId, UserId};
use ironfield_persistence::seller_accounts::{self, AccountFilter};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListAccountsQuery {
    pub status: Option<AccountStatus>,
    pub membership_tier: Option<MembershipTier>,
    #[param(value_type = Option<String>, format = Uuid)]
    #[serde(default, deserialize_with = "crate::routes::query_id")]
    pub owner_id: Option<UserId>,
    #[param(value_type = Option<String>, format = Uuid)]
    #[serde(default, deserialize_with = "crate::routes::query_id")]
    pub team_id: Option<TeamId>,
    pub market: Option<String>,
    /// Searches company, contact, phone and stall number.
    pub q: Option<String>,
    /// Accounts whose contract ends before this day (`YYYY-MM-DD`) and that have not churned:
    /// the renewals to chase.
    #[param(value_type = Option<String>, format = Date)]
    pub renewal_due_before: Option<String>,
    /// Accounts changed at or after this time (RFC 3339), for phones that sync.
    #[param(format = DateTime)]
    pub updated_since: Option<String>,
    /// Items per page, 1 to 200 (default 50); more is 422.
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page; absent for the first.
    pub cursor: Option<String>,
}

impl ListAccountsQuery {
    fn filter(self) -> ApiResult<AccountFilter> {
        Ok(AccountFilter {
            status: self.status,
            membership_tier: self.membership_tier,
            owner_id: self.owner_id,
            team_id: self.team_id,
            market: self.market,
            q: self
                .q
                .filter(|q| !q.trim().is_empty())
                .map(|q| q.trim().to_owned()),
            renewal_due_before: self
                .renewal_due_before
                .as_deref()
                .map(|d| {
                    NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
                        ApiError::invalid_field(
                            "renewal_due_before",
                            "must be a date, e.g. 2026-12-31",
                        )
                    })
                })
                .transpose()?,
            updated_since: self
                .updated_since
                .as_deref()
                .map(|t| parse_time("updated_since", t))
                .transpose()?,
        })
    }
}

/// List seller accounts
///
/// The accounts of the teams the caller can see, newest first, filtered as asked.
/// `renewal_due_before` lists the live accounts whose contract ends before that day. Each
/// account carries its current `health`.
#[utoipa::path(
    tag = "seller-accounts",
    params(ListAccountsQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of seller accounts", body = SellerAccountPage),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[get("/seller-accounts")]
pub async fn list_accounts(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ListAccountsQuery>,
) -> ApiResult<Reply> {
    caller.require_scope(Scope::AccountsRead)?;
    let query = query.into_inner();
    let page = page_request(query.limit, query.cursor.as_deref())?;
    let filter = query.filter()?;
    let scope = caller.scope();
    let (page, health) = blocking::heavy_read(&state, move |conn| {
        let page = seller_accounts::list(conn, &scope, &filter, &page)?;
        let judge = Judge::load(conn)?;
        let health = account_health::assess(conn, &judge, &page.items)?;
        Ok((page, health))
    })
    .await?;
    Ok(Reply::ok(&SellerAccountPage {
        items: page
            .items
            .into_iter()
            .map(|row| {
                let assessment = health.get(&row.id);
                Ok(SellerAccount::from(row).with_health(assessment))
            })
            .collect::<ApiResult<_>>()?,
        next_cursor: page.next_cursor,
    }))
}
