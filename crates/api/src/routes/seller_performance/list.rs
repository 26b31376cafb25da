use super::Performance;
use crate::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::reply::Reply;
use crate::routes::path_id;
use crate::services::seller_accounts::find_visible;
use crate::state::AppState;
use actix_web::{get, web};
use ironfield_domain::ids::SellerAccountId;
use ironfield_domain::Period;
use ironfield_persistence::seller_performance;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PerformanceQuery {
    /// The first month, `YYYY-MM` (default: the oldest).
    #[param(pattern = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$")]
    pub from: Option<String>,
    /// The last month, `YYYY-MM` (default: the newest).
    #[param(pattern = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$")]
    pub to: Option<String>,
}

/// An account's months, oldest first. At most one per month from 2000 to 2100, so the list is
/// whole: `next_cursor` is always `null`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PerformancePage {
    pub items: Vec<Performance>,
    pub next_cursor: Option<String>,
}

/// A seller's monthly figures
///
/// The portal's figures of one account for the months `from` to `to` (both included, either
/// left out for no bound), oldest first. Whoever may read the account may read its figures
/// (service accounts need `accounts:read`); an account outside the caller's view is 404.
#[utoipa::path(
    tag = "seller-performance",
    params(("id" = String, Path, format = Uuid, description = "Seller account id"), PerformanceQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The monthly figures, oldest first", body = PerformancePage),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 404, response = crate::spec_types::NotFound),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[get("/seller-accounts/{id}/performance")]
pub async fn list_performance(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    query: web::Query<PerformanceQuery>,
) -> ApiResult<Reply> {
    let id: SellerAccountId = path_id(&id, "seller account")?;
    let query = query.into_inner();
    let month = |field: &str, text: Option<String>| {
        text.map(|t| Period::parse(&t).map_err(|m| ApiError::invalid_field(field, m)))
            .transpose()
    };
    let from = month("from", query.from)?;
    let to = month("to", query.to)?;
    if let (Some(from), Some(to)) = (from, to) {
        if from > to {
            return Err(ApiError::invalid_field("to", "must not be before `from`"));
        }
    }
    let rows = blocking::read(&state, move |conn| {
        find_visible(conn, &caller, &id)?;
        Ok(seller_performance::of_account(conn, &id, from, to)?)
    })
    .await?;
    Ok(Reply::ok(&PerformancePage {
        items: rows.into_iter().map(Performance::from).collect(),
        next_cursor: None,
    }))
}
