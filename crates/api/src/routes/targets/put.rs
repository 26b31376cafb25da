use super::{period, SubjectType, Target};
use crate::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Caller};
use crate::reply::Reply;
use crate::state::AppState;
use actix_web::{put, web};
use ironfield_auth::{policy, Principal, Scope};
use ironfield_domain::ids::{new_id, parse_id};
use ironfield_domain::pacing::Metric;
use ironfield_domain::time::now;
use ironfield_domain::{Role, ValidationErrors};
use ironfield_persistence::targets::{self, TargetRow};
use ironfield_persistence::{teams, users, DbError};
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
#[allow(dead_code)] // Documents the body; the handler reads `Vec<TargetInput>`.
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
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 422, response = crate::openapi::ValidationFailed),
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
    let period = period("period", &path.into_inner())?.to_string();
    let items = body.into_inner();
    if items.is_empty() || items.len() > MAX_TARGETS {
        return Err(ApiError::invalid_field(
            "body",
            format!("send 1 to {MAX_TARGETS} targets"),
        ));
    }
    let stored = blocking::write(&state, move |conn| {
        let mut errors = ValidationErrors::new();
        let mut rows = Vec::new();
        let at = now().naive_utc();
        for (i, item) in items.into_iter().enumerate() {
            if item.value < 0 {
                errors.add(format!("[{i}].value"), "must not be negative");
            }
            let Some(subject_id) = parse_id(&item.subject_id) else {
                errors.add(format!("[{i}].subject_id"), "no such subject");
                continue;
            };
            // The team the target belongs to, and whether the caller may set it.
            let (team_id, allowed) = match item.subject_type {
                SubjectType::User => match users::find(conn, &caller.scope(), &subject_id) {
                    Ok(user) if user.team_id.is_some() => {
                        let team = user.team_id.clone().unwrap_or_default();
                        (
                            Some(team.clone()),
                            policy::may_lead_team(&caller.principal, &caller.view, &team),
                        )
                    }
                    Ok(_) | Err(DbError::NotFound) => {
                        errors.add(format!("[{i}].subject_id"), "no such member in your teams");
                        continue;
                    }
                    Err(other) => return Err(other.into()),
                },
                SubjectType::Team => match teams::find(conn, &caller.scope(), &subject_id) {
                    Ok(team) => {
                        // A team's target is set from above: its manager or an admin.
                        let above = matches!(caller.principal, Principal::Service { .. })
                            || caller.principal.is_admin()
                            || (caller.principal.role() == Some(Role::Manager)
                                && caller.can_see_team(Some(&team.id)));
                        (Some(team.id), above)
                    }
                    Err(DbError::NotFound) => {
                        errors.add(format!("[{i}].subject_id"), "no such team in your view");
                        continue;
                    }
                    Err(other) => return Err(other.into()),
                },
            };
            if !allowed {
                return Err(ApiError::forbidden(format!(
                    "target [{i}]: a team lead sets their members' targets, a manager their teams'"
                )));
            }
            rows.push(TargetRow {
                id: new_id(),
                period: period.clone(),
                subject_type: item.subject_type.as_str().to_owned(),
                subject_id,
                metric: item.metric.as_str().to_owned(),
                value: item.value,
                team_id,
                set_by: caller.id().to_owned(),
                created_at: at,
                updated_at: at,
                version: 1,
            });
        }
        errors.into_result(())?;
        let mut stored = Vec::with_capacity(rows.len());
        for row in &rows {
            let row = targets::upsert(conn, row)?;
            crate::events::targets::target_set(conn, &caller, &row, at)?;
            stored.push(row);
        }
        Ok(stored)
    })
    .await?;
    let stored: Vec<Target> = stored
        .into_iter()
        .map(Target::try_from)
        .collect::<ApiResult<_>>()?;
    Ok(Reply::ok(&stored))
}
