use super::Performance;
use crate::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Caller};
use crate::reply::Reply;
use crate::services::seller_performance::{self, require_writer, Figures};
use crate::state::AppState;
use actix_web::{put, web};
use chrono::{DateTime, FixedOffset};
use ironfield_domain::Money;
use ironfield_persistence::seller_performance::MAX_BATCH;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One seller's figures in a bulk report.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkPerformanceItem {
    #[schema(format = Uuid)]
    pub seller_account_id: String,
    #[schema(minimum = 0, maximum = 10_000_000)]
    pub inquiries: i64,
    #[schema(minimum = 0, maximum = 10_000_000)]
    pub orders: i64,
    pub gmv: Money,
    #[schema(minimum = 0, maximum = 1_000_000)]
    pub active_listings: i64,
    #[schema(minimum = 0, maximum = 1)]
    pub buyer_response_rate: f64,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_seller_login_at: Option<DateTime<FixedOffset>>,
}

impl BulkPerformanceItem {
    fn split(self) -> (String, Figures) {
        (
            self.seller_account_id,
            Figures {
                inquiries: self.inquiries,
                orders: self.orders,
                gmv: self.gmv,
                active_listings: self.active_listings,
                buyer_response_rate: self.buyer_response_rate,
                last_seller_login_at: self.last_seller_login_at,
            },
        )
    }
}

/// A month's figures for many sellers.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkPerformance {
    #[schema(min_items = 1, max_items = 500)]
    pub items: Vec<BulkPerformanceItem>,
}

/// The stored figures, in the order sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkPerformanceResult {
    pub items: Vec<Performance>,
}

/// Report a month for many sellers
///
/// Stores one month's figures for 1 to 500 seller accounts, all or nothing: when any item is
/// invalid, nothing is stored and the 422 lists every bad field as `items[n].field` (an
/// account that does not exist, or that the caller cannot see, is `items[n].seller_account_id`;
/// so is an account sent twice). Each item replaces that account's figures for the month, so
/// re-sending the batch is safe. Same rules per item as the single-account report; for the
/// portal's service account (`accounts:write`) and admins.
#[utoipa::path(
    tag = "seller-performance",
    params(("period" = String, Path, description = "The month, `YYYY-MM`",
        pattern = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$")),
    request_body = BulkPerformance,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every item stored (all or nothing)", body = BulkPerformanceResult),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 413, response = crate::spec_types::PayloadTooLarge),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[put("/seller-performance/{period}")]
pub async fn put_performance_bulk(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: ApiJson<BulkPerformance>,
) -> ApiResult<Reply> {
    require_writer(&caller)?;
    let month = path.into_inner();
    let items = body.into_inner().items;
    if items.is_empty() || items.len() > MAX_BATCH {
        return Err(ApiError::invalid_field(
            "items",
            format!("send 1 to {MAX_BATCH} items"),
        ));
    }
    let items = items.into_iter().map(BulkPerformanceItem::split).collect();
    let stored = blocking::write(&state, move |conn| {
        seller_performance::put_many(conn, &caller, &month, items)
    })
    .await?;
    Ok(Reply::ok(&BulkPerformanceResult {
        items: stored.into_iter().map(Performance::from).collect(),
    }))
}
