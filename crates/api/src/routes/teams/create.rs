use super::Team;
use crate::blocking;
use crate::error::ApiResult;
use crate::extract::{ApiJson, Caller, IdempotencyKey};
use crate::idempotency;
use crate::reply::Reply;
use crate::services::teams::{self, TeamDraft};
use crate::state::AppState;
use actix_web::{post, web};
use ironfield_domain::ids::parse_id;
use ironfield_domain::{validation, ValidationErrors};
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "District 1 — East", "parent_id": "0193a1b2-0000-7000-8000-000000000000", "market": "Yiwu International Trade City, District 1"}))]
pub struct CreateTeam {
    #[schema(pattern = r"\S", max_length = 100)]
    pub name: String,
    /// The team above this one; required for a manager (inside their branch).
    #[schema(format = Uuid)]
    pub parent_id: Option<String>,
    #[schema(max_length = 200)]
    pub market: Option<String>,
}

/// Create a team
///
/// An admin creates any team; a manager creates teams under a team of their branch. A team's
/// lead is set afterwards with PATCH, once they are a member.
#[utoipa::path(
    tag = "teams",
    request_body = CreateTeam,
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, pattern = r"^[!-~]{1,255}$", description = "Makes a retry safe: the same key and body from the same caller replay the first response (with `Idempotent-Replayed: true`) and create nothing; 1 to 255 visible ASCII characters, kept at least 24 hours")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created: the new team", body = Team, headers(("ETag" = String), ("Location" = String))),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 413, response = crate::spec_types::PayloadTooLarge),
        (status = 422, response = crate::spec_types::IdempotencyKeyReused),
    )
)]
#[post("/teams")]
pub async fn create_team(
    state: web::Data<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    body: ApiJson<CreateTeam>,
) -> ApiResult<Reply> {
    caller.require_user()?;
    idempotency::create_once(
        state,
        caller,
        key,
        body,
        |state, caller, input| async move {
            let mut errors = ValidationErrors::new();
            let name = errors.check("name", validation::required_text(&input.name, 100));
            let market = input
                .market
                .as_deref()
                .and_then(|m| errors.check("market", validation::optional_text(m, 200)))
                .filter(|m| !m.is_empty());
            let parent_id = input
                .parent_id
                .as_deref()
                .and_then(|p| errors.check("parent_id", parse_id(p).ok_or("must be a team id")));
            errors.into_result(())?;
            let draft = TeamDraft {
                name: name.unwrap_or_default(),
                parent_id,
                market,
            };
            let team =
                blocking::write(&state, move |conn| teams::create(conn, &caller, draft)).await?;
            let location = format!("/api/v1/teams/{}", team.id);
            let version = team.version;
            Ok(Reply::created(&Team::from(team), location).versioned(version))
        },
    )
    .await
}
