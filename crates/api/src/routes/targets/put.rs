use super::{period, Target};
use crate::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Caller};
use crate::reply::Reply;
use crate::services::targets::{self as targets_service, TargetSetting};
use crate::state::AppState;
use actix_web::{put, web};
use ironfield_auth::Scope;
use ironfield_domain::pacing::{Metric, SubjectType};
use ironfield_domain::Role;
use serde::Deserialize;
use utoipa::ToSchema;

/// Most targets one request may set.
const MAX_TARGETS: usize = 500;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"subject_type": "user", "subject_id": "0193a1b2-0000-7000-8000-0000000000a1", "metric": "visits", "value": 260}))]
pub struct TargetInput {
    pub subject_type: SubjectType,
    #[schema(format = Uuid)]
    pub subject_id: String,
    pub metric: Metric,
    /// 0 or more: a count, or minor units of the default currency for `contract_value`.
    #[schema(minimum = 0)]
    pub value: i64,
}

/// The targets a `PUT` sets: 1 to 500 (the body is this array).
#[derive(ToSchema)]
#[schema(min_items = 1, max_items = 500)]
#[expect(
    dead_code,
    reason = "documents the body; the handler reads `Vec<TargetInput>`"
)]
pub struct TargetBatch(Vec<TargetInput>);

/// Set a month's targets
///
/// Sets (or replaces) targets for the month, all or none: a team lead sets their members'
/// targets, a manager the teams' (and members') of their branch, an admin anyone's. A rep
/// sets none (403). At most 500 per request.
#[utoipa::path(
    tag = "targets",
    params(("period" = String, Path, pattern = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$", example = "2026-11", description = "`YYYY-MM`")),
    request_body = TargetBatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The targets as stored", body = Vec<Target>),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 413, response = crate::spec_types::PayloadTooLarge),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[put("/targets/{period}")]
pub async fn put_targets(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: ApiJson<Vec<TargetInput>>,
) -> ApiResult<Reply> {
    caller.require_scope(Scope::TargetsWrite)?;
    if caller.principal.role() == Some(Role::Rep) {
        return Err(ApiError::forbidden("reps do not set targets"));
    }
    let period = period("period", &path.into_inner())?;
    let items = body.into_inner();
    if items.is_empty() || items.len() > MAX_TARGETS {
        return Err(ApiError::invalid_field(
            "body",
            format!("send 1 to {MAX_TARGETS} targets"),
        ));
    }
    let settings = items
        .into_iter()
        .map(|item| TargetSetting {
            subject_type: item.subject_type,
            subject_id: item.subject_id,
            metric: item.metric,
            value: item.value,
        })
        .collect();
    let stored = blocking::write(&state, move |conn| {
        targets_service::set(conn, &caller, period, settings)
    })
    .await?;
    let stored: Vec<Target> = stored.into_iter().map(Target::from).collect();
    Ok(Reply::ok(&stored))
}
