use super::Visit;
use crate::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Caller, IfMatch};
use crate::reply::Reply;
use crate::routes::{double_option, path_id};
use crate::services::visits::{self, VisitCorrection};
use crate::state::AppState;
use actix_web::{patch, web};
use chrono::{DateTime, FixedOffset};
use ironfield_auth::Scope;
use ironfield_domain::ids::VisitId;
use ironfield_domain::validation::optional_text;
use ironfield_domain::visit::{Outcome, Purpose};
use ironfield_domain::ValidationErrors;
use serde::Deserialize;
use utoipa::ToSchema;

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
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 404, response = crate::spec_types::NotFound),
        (status = 412, response = crate::spec_types::PreconditionFailed),
        (status = 413, response = crate::spec_types::PayloadTooLarge),
        (status = 422, response = crate::spec_types::ValidationFailed),
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
    let id: VisitId = path_id(&id, "visit")?;
    let correction = VisitCorrection::try_from(body.into_inner())?;
    let visit = blocking::write(&state, move |conn| {
        visits::correct(conn, &caller, &id, correction, &if_match)
    })
    .await?;
    let version = visit.version;
    Ok(Reply::ok(&Visit::from(visit)).versioned(version))
}

impl TryFrom<UpdateVisit> for VisitCorrection {
    type Error = ApiError;

    /// The checks of the body alone, before anything is read.
    fn try_from(input: UpdateVisit) -> ApiResult<Self> {
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
        Ok(VisitCorrection {
            purpose: input.purpose,
            outcome: input.outcome,
            notes,
            next_follow_up_at: input
                .next_follow_up_at
                .map(|next| next.map(|t| t.naive_utc())),
            duration_minutes: input.duration_minutes,
        })
    }
}
