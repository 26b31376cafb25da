use super::{find_visible, Visit};
use crate::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Caller, IfMatch};
use crate::reply::Reply;
use crate::routes::{double_option, path_id};
use crate::state::AppState;
use actix_web::{patch, web};
use chrono::{DateTime, FixedOffset};
use ironfield_auth::{policy, Scope};
use ironfield_domain::time::now;
use ironfield_domain::validation::optional_text;
use ironfield_domain::visit::{Outcome, Purpose};
use ironfield_domain::ValidationErrors;
use ironfield_persistence::audit::ChangeSet;
use ironfield_persistence::visits;
use serde::Deserialize;
use utoipa::ToSchema;

/// How long a rep may correct their own visit after it reached the server.
const REP_EDIT_WINDOW: chrono::Duration = chrono::Duration::hours(24);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"outcome": "follow_up_scheduled", "next_follow_up_at": "2026-11-05T10:00:00+08:00"}))]
pub struct UpdateVisit {
    pub purpose: Option<Purpose>,
    pub outcome: Option<Outcome>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(max_length = 4000, value_type = Option<String>)]
    pub notes: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<DateTime<chrono::Utc>>)]
    pub next_follow_up_at: Option<Option<DateTime<FixedOffset>>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(minimum = 0, maximum = 1440, value_type = Option<i64>)]
    pub duration_minutes: Option<Option<i64>>,
}

/// Correct a visit
///
/// A rep may correct their own visit for 24 hours after it reached the server; a team lead
/// (or above) any visit of their view. What a visit was about (its lead or account, and when
/// it happened) does not change. Every edit is kept in the visit's audit trail. Honours
/// `If-Match` (412).
#[utoipa::path(
    tag = "visits",
    params(
        ("id" = String, Path, format = Uuid, description = "Visit id"),
        ("If-Match" = Option<String>, Header, min_length = 1, description = "The `ETag` last read, e.g. `\"3\"` (or `*`): a write to a record whose version has moved on is 412 and changes nothing; an empty value is 422"),
    ),
    request_body = UpdateVisit,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The visit as corrected", body = Visit, headers(("ETag" = String))),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 412, response = crate::openapi::PreconditionFailed),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[patch("/visits/{id}")]
pub async fn update_visit(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: ApiJson<UpdateVisit>,
) -> ApiResult<Reply> {
    caller.require_scope(Scope::VisitsWrite)?;
    let id = path_id(&id, "visit")?;
    let input = body.into_inner();
    let mut errors = ValidationErrors::new();
    let notes = match &input.notes {
        Some(Some(n)) => errors
            .check("notes", optional_text(n, 4000))
            .map(|n| Some(n).filter(|n| !n.is_empty())),
        Some(None) => Some(None),
        None => None,
    };
    if let Some(Some(d)) = input.duration_minutes {
        if !(0..=1440).contains(&d) {
            errors.add("duration_minutes", "must be between 0 and 1440");
        }
    }
    errors.into_result(())?;

    let visit = blocking::write(&state, move |conn| {
        let current = find_visible(conn, &caller, &id)?;
        let at = now();
        let own = current.rep_id == caller.id();
        let in_window = at.naive_utc() - current.received_at <= REP_EDIT_WINDOW;
        let leads_team = caller
            .principal
            .role()
            .is_some_and(|r| r != ironfield_domain::Role::Rep)
            && policy::may_write_record(
                &caller.principal,
                &caller.view,
                &current.rep_id,
                current.team_id.as_deref(),
            );
        if !(leads_team || (own && in_window)) {
            return Err(ApiError::forbidden(if own {
                "a visit can be corrected by its rep for 24 hours; ask your team lead"
            } else {
                "only the rep or their team lead may correct a visit"
            }));
        }
        if_match.check(current.version)?;
        let mut visit = current.clone();
        if let Some(purpose) = input.purpose {
            visit.purpose = purpose.as_str().to_owned();
        }
        if let Some(outcome) = input.outcome {
            visit.outcome = outcome.as_str().to_owned();
        }
        if let Some(notes) = notes {
            visit.notes = notes;
        }
        if let Some(next) = input.next_follow_up_at {
            visit.next_follow_up_at = next.map(|t| t.naive_utc());
        }
        if let Some(duration) = input.duration_minutes {
            visit.duration_minutes = duration;
        }
        let mut changes = ChangeSet::new();
        changes
            .field("purpose", &current.purpose, &visit.purpose)
            .field("outcome", &current.outcome, &visit.outcome)
            .field("notes", &current.notes, &visit.notes)
            .field(
                "next_follow_up_at",
                &current.next_follow_up_at,
                &visit.next_follow_up_at,
            )
            .field(
                "duration_minutes",
                &current.duration_minutes,
                &visit.duration_minutes,
            );
        if changes.is_empty() {
            return Ok(current);
        }
        visit.updated_at = at.naive_utc();
        if !visits::save(conn, &visit)? {
            return Err(ApiError::precondition_failed());
        }
        crate::routes::audit::record(
            conn,
            &caller,
            "visit",
            &visit.id,
            "updated",
            changes,
            visit.updated_at,
        )?;
        let stored = visits::find(conn, &visit.id)?;
        crate::events::writes::visit_saved(conn, &caller, &current, &stored, stored.updated_at)?;
        Ok(stored)
    })
    .await?;
    let version = visit.version;
    Ok(Reply::ok(&Visit::try_from(visit)?).versioned(version))
}
