use super::Team;
use crate::blocking;
use crate::error::ApiResult;
use crate::extract::{ApiJson, Caller, IfMatch};
use crate::reply::Reply;
use crate::routes::{double_option, path_id};
use crate::services::teams::{self as teams_service, TeamUpdate};
use crate::state::AppState;
use actix_web::{patch, web};
use ironfield_domain::ids::{RecordId, TeamId};
use ironfield_domain::{validation, ValidationErrors};
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"lead_id": "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b"}))]
pub struct UpdateTeam {
    #[schema(pattern = r"\S", max_length = 100)]
    pub name: Option<String>,
    /// Moves the team under another; `null` makes it a root (admins only).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(format = Uuid, value_type = Option<String>)]
    pub parent_id: Option<Option<String>>,
    /// An active member of the team; `null` clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(format = Uuid, value_type = Option<String>)]
    pub lead_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(max_length = 200, value_type = Option<String>)]
    pub market: Option<Option<String>>,
}

/// Update a team
///
/// An admin updates any team; a manager the teams of their branch, but cannot move their own
/// team (that would change their branch). A move that would make a team its own ancestor is
/// 422. `If-Match` is honoured (412).
#[utoipa::path(
    tag = "teams",
    params(
        ("id" = String, Path, format = Uuid, description = "Team id"),
        ("If-Match" = Option<String>, Header, min_length = 1, description = "The `ETag` last read, e.g. `\"3\"` (or `*`): a write to a record whose version has moved on is 412 and changes nothing; an empty value is 422"),
    ),
    request_body = UpdateTeam,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The team as changed", body = Team, headers(("ETag" = String))),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 404, response = crate::spec_types::NotFound),
        (status = 412, response = crate::spec_types::PreconditionFailed),
        (status = 413, response = crate::spec_types::PayloadTooLarge),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[patch("/teams/{id}")]
pub async fn update_team(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: ApiJson<UpdateTeam>,
) -> ApiResult<Reply> {
    caller.require_user()?;
    let id: TeamId = path_id(&id, "team")?;
    let input = body.into_inner();
    let mut errors = ValidationErrors::new();
    let name = input
        .name
        .as_deref()
        .and_then(|n| errors.check("name", validation::required_text(n, 100)));
    let market = match &input.market {
        Some(Some(m)) => errors
            .check("market", validation::optional_text(m, 200))
            .map(|m| Some(m).filter(|m| !m.is_empty())),
        Some(None) => Some(None),
        None => None,
    };
    let parent_id: Option<Option<TeamId>> = reference("parent_id", &input.parent_id, &mut errors);
    let lead_id: Option<Option<String>> = reference("lead_id", &input.lead_id, &mut errors);
    errors.into_result(())?;

    let change = TeamUpdate {
        name,
        market,
        parent_id,
        lead_id,
    };
    let team = blocking::write(&state, move |conn| {
        teams_service::update(conn, &caller, &id, change, &if_match)
    })
    .await?;
    let version = team.version;
    Ok(Reply::ok(&Team::from(team)).versioned(version))
}

/// A nullable id field of the body: absent, `null`, or an id of the kind `I` (else the field
/// is named in `errors`).
fn reference<I: RecordId>(
    field: &str,
    value: &Option<Option<String>>,
    errors: &mut ValidationErrors,
) -> Option<Option<I>> {
    match value {
        Some(Some(raw)) => errors
            .check(field, I::parse_text(raw).ok_or("must be an id"))
            .map(Some),
        Some(None) => Some(None),
        None => None,
    }
}
