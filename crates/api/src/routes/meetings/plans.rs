use crate::blocking;
use crate::error::ApiResult;
use crate::extract::{ApiJson, Caller};
use crate::reply::Reply;
use crate::routes::path_id;
use crate::services::meetings::{self, PlanDraft};
use crate::state::AppState;
use actix_web::{put, web};
use chrono::{DateTime, Utc};
use ironfield_auth::Scope;
use ironfield_domain::ids::{MeetingId, UserId};
use ironfield_domain::validation::optional_text;
use ironfield_domain::ValidationErrors;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a member plans to do that day.
#[derive(Debug, Serialize, ToSchema)]
pub struct Plan {
    #[schema(format = Uuid)]
    pub user_id: String,
    pub planned_visits: i64,
    pub planned_signings: i64,
    pub focus_market: Option<String>,
    pub notes: Option<String>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"planned_visits": 12, "planned_signings": 1, "focus_market": "国际商贸城二区", "notes": "回访金鹰玩具"}))]
pub struct PlanInput {
    /// 0 to 200.
    #[schema(minimum = 0, maximum = 200)]
    pub planned_visits: i64,
    /// 0 to 50.
    #[schema(minimum = 0, maximum = 50)]
    pub planned_signings: i64,
    #[schema(max_length = 100)]
    pub focus_market: Option<String>,
    #[schema(max_length = 2000)]
    pub notes: Option<String>,
}

/// Set a member's plan
///
/// A rep writes their own plan for the day; the team lead (or a manager) anyone's in the
/// team. The member must belong to the meeting's team. Replaces the plan they had.
#[utoipa::path(
    tag = "meetings",
    params(("id" = String, Path, format = Uuid, description = "Meeting id"), ("user_id" = String, Path, format = Uuid, description = "The member")),
    request_body = PlanInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The member's plan as stored", body = Plan),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 404, response = crate::spec_types::NotFound),
        (status = 413, response = crate::spec_types::PayloadTooLarge),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[put("/meetings/{id}/plans/{user_id}")]
pub async fn put_plan(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: ApiJson<PlanInput>,
) -> ApiResult<Reply> {
    caller.require_scope(Scope::MeetingsWrite)?;
    let (id, user_id) = path.into_inner();
    let id: MeetingId = path_id(&id, "meeting")?;
    let user_id: UserId = path_id(&user_id, "member")?;
    let input = body.into_inner();
    let mut errors = ValidationErrors::new();
    if !(0..=200).contains(&input.planned_visits) {
        errors.add("planned_visits", "must be between 0 and 200");
    }
    if !(0..=50).contains(&input.planned_signings) {
        errors.add("planned_signings", "must be between 0 and 50");
    }
    let focus_market = input
        .focus_market
        .as_deref()
        .and_then(|m| errors.check("focus_market", optional_text(m, 100)))
        .filter(|m| !m.is_empty());
    let notes = input
        .notes
        .as_deref()
        .and_then(|n| errors.check("notes", optional_text(n, 2000)))
        .filter(|n| !n.is_empty());
    errors.into_result(())?;
    let draft = PlanDraft {
        planned_visits: input.planned_visits,
        planned_signings: input.planned_signings,
        focus_market,
        notes,
    };
    let plan = blocking::write(&state, move |conn| {
        meetings::put_plan(conn, &caller, &id, user_id, draft)
    })
    .await?;
    Ok(Reply::ok(&Plan::from(plan)))
}
