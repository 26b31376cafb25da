use super::{lead_reply, Lead};
use crate::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Caller, IfMatch};
use crate::reply::Reply;
use crate::routes::path_id;
use crate::services::leads;
use crate::state::AppState;
use actix_web::{post, web};
use ironfield_domain::ids::LeadId;
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeLead {
    /// The lead to fold into this one; it is archived, marked `merged_into_id`.
    #[schema(format = Uuid)]
    pub duplicate_id: String,
}

/// Merge a duplicate into this lead
///
/// Folds `duplicate_id` into this lead (the survivor): the survivor keeps its own values and
/// takes the duplicate's where it has none; the duplicate is archived with `merged_into_id`,
/// and its history (and, once visits exist, its visits) appear under the survivor. The caller
/// must be allowed to change both. A won lead cannot be merged away.
#[utoipa::path(
    tag = "leads",
    params(
        ("id" = String, Path, format = Uuid, description = "The surviving lead's id"),
        ("If-Match" = Option<String>, Header, min_length = 1, description = "The `ETag` last read, e.g. `\"3\"` (or `*`): a write to a record whose version has moved on is 412 and changes nothing; an empty value is 422"),
    ),
    request_body = MergeLead,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The surviving lead", body = Lead, headers(("ETag" = String))),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 404, response = crate::spec_types::NotFound),
        (status = 409, response = crate::spec_types::Conflict),
        (status = 412, response = crate::spec_types::PreconditionFailed),
        (status = 413, response = crate::spec_types::PayloadTooLarge),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[post("/leads/{id}/merge")]
pub async fn merge_lead(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: ApiJson<MergeLead>,
) -> ApiResult<Reply> {
    let id: LeadId = path_id(&id, "lead")?;
    let duplicate_id = LeadId::parse(&body.into_inner().duplicate_id)
        .ok_or_else(|| ApiError::invalid_field("duplicate_id", "must be a lead id"))?;
    let lead = blocking::write(&state, move |conn| {
        leads::merge(conn, &caller, &id, &duplicate_id, &if_match)
    })
    .await?;
    lead_reply(lead)
}
