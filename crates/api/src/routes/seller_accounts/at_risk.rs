use super::SellerAccount;
use crate::account_health;
use crate::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::reply::Reply;
use crate::state::AppState;
use actix_web::{get, web};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ironfield_auth::Scope;
use ironfield_domain::health::{Assessment, Health, Reason};
use ironfield_persistence::account_health::RankFilter;
use ironfield_persistence::pagination::{DEFAULT_LIMIT, MAX_LIMIT};
use ironfield_persistence::seller_accounts::AccountRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AtRiskQuery {
    pub team_id: Option<String>,
    pub owner_id: Option<String>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// An account that needs attention, and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct AtRiskAccount {
    pub account: SellerAccount,
    pub health: Health,
    /// 0 to 100, higher is healthier.
    #[schema(minimum = 0, maximum = 100)]
    pub score: i64,
    pub reasons: Vec<Reason>,
}

impl AtRiskAccount {
    pub(crate) fn new(row: AccountRow, assessment: Assessment) -> ApiResult<Self> {
        Ok(AtRiskAccount {
            account: SellerAccount::from(row).with_health(Some(&assessment)),
            health: assessment.health,
            score: assessment.score,
            reasons: assessment.reasons,
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AtRiskPage {
    pub items: Vec<AtRiskAccount>,
    pub next_cursor: Option<String>,
}

/// Where a page of the ranking ends: the last item's score and id.
#[derive(Debug, Serialize, Deserialize)]
struct RankCursor {
    s: i64,
    i: String,
}

impl RankCursor {
    fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    fn decode(text: &str) -> ApiResult<Self> {
        URL_SAFE_NO_PAD
            .decode(text)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or_else(|| {
                ApiError::invalid_field("cursor", "the cursor is not one this server issued")
            })
    }
}

/// Seller accounts that need a visit
///
/// The live (not churned) accounts in the caller's view, as the seller-account list shows
/// them (optionally one team's or one owner's), whose health is not `healthy`, worst first:
/// lowest `score`, then id. Health is computed when read from the portal's monthly figures,
/// the contract and the visits, with the thresholds of `/settings` (`account_health`).
/// Reasons: `gmv_falling` (GMV of the latest month with figures, among the last two closed
/// months, at least 30% below the average of the three months before it); `few_listings`
/// (active listings below 0.5 × the median of live accounts of the same tier in the same
/// market); `seller_inactive` (no seller login for 14 days, or none reported);
/// `renewal_due_unvisited` (contract ends within 30 days, or has ended, and no visit in the
/// last 14); `no_data` (no figures for the last two closed months, for an account whose
/// contract started before this month; it replaces the three rules that read figures).
/// `score = max(0, 100 − Σ weight)` with weights `few_listings` 20, `renewal_due_unvisited`
/// 25, `seller_inactive` 30, `gmv_falling` 35, `no_data` 65; health: 100 `healthy`, 70–99
/// `slipping`, 40–69 `at_risk`, 0–39 `dormant`. Pages of `limit` (1–200, default 50); the
/// cursor is a position `(score, id)` in the ranking, so an account whose health changes
/// between two pages may move past it. The ranking is computed over every live account in
/// the caller's view on each request.
#[utoipa::path(
    tag = "seller-accounts",
    params(AtRiskQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Accounts that need a visit, lowest score first", body = AtRiskPage),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[get("/seller-accounts/at-risk")]
pub async fn at_risk_accounts(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<AtRiskQuery>,
) -> ApiResult<Reply> {
    caller.require_scope(Scope::AccountsRead)?;
    let query = query.into_inner();
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::invalid_field(
            "limit",
            format!("must be between 1 and {MAX_LIMIT}"),
        ));
    }
    let after = query
        .cursor
        .as_deref()
        .filter(|c| !c.is_empty())
        .map(RankCursor::decode)
        .transpose()?;
    let filter = RankFilter {
        team_id: query.team_id,
        owner_id: query.owner_id,
    };
    let scope = caller.scope();
    let ranked = blocking::read(&state, move |conn| {
        account_health::ranked(conn, &scope, &filter)
    })
    .await?;
    let limit = usize::try_from(limit).unwrap_or(0);
    let mut page: Vec<(AccountRow, Assessment)> = ranked
        .into_iter()
        .filter(|(row, a)| {
            after
                .as_ref()
                .is_none_or(|c| (a.score, row.id.as_str()) > (c.s, c.i.as_str()))
        })
        .take(limit + 1)
        .collect();
    let next_cursor = if page.len() > limit {
        page.truncate(limit);
        page.last().map(|(row, a)| {
            RankCursor {
                s: a.score,
                i: row.id.to_string(),
            }
            .encode()
        })
    } else {
        None
    };
    Ok(Reply::ok(&AtRiskPage {
        items: page
            .into_iter()
            .map(|(row, a)| AtRiskAccount::new(row, a))
            .collect::<ApiResult<_>>()?,
        next_cursor,
    }))
}
