use super::{Performance, PerformanceInput};
use crate::blocking;
use crate::error::ApiResult;
use crate::extract::{ApiJson, Caller};
use crate::reply::Reply;
use crate::routes::path_id;
use crate::services::seller_performance::{self, require_writer, Figures};
use crate::state::AppState;
use actix_web::{put, web};
use ironfield_domain::ids::SellerAccountId;

/// Report a seller's month
///
/// Stores the portal's figures of one seller account for one month (`YYYY-MM`, in the
/// organisation's time zone, not after the current month), replacing any sent before: sending
/// the same month again is safe and the latest values win. For the portal's service account
/// (`accounts:write`) and admins; other people get 403. An account that does not exist is 404.
/// Counts are 0 to 10,000,000 (listings to 1,000,000), `gmv` is non-negative money with an
/// ISO 4217 currency, `buyer_response_rate` is 0 to 1.
#[utoipa::path(
    tag = "seller-performance",
    params(
        ("id" = String, Path, format = Uuid, description = "Seller account id"),
        ("period" = String, Path, description = "The month, `YYYY-MM`",
            pattern = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"),
    ),
    request_body = PerformanceInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The stored figures of that month", body = Performance),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 404, response = crate::spec_types::NotFound),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[put("/seller-accounts/{id}/performance/{period}")]
pub async fn put_performance(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: ApiJson<PerformanceInput>,
) -> ApiResult<Reply> {
    require_writer(&caller)?;
    let (id, month) = path.into_inner();
    let id: SellerAccountId = path_id(&id, "seller account")?;
    let figures = Figures::from(body.into_inner());
    let stored = blocking::write(&state, move |conn| {
        seller_performance::put(conn, &caller, &id, &month, figures)
    })
    .await?;
    Ok(Reply::ok(&Performance::from(stored)))
}
