use super::{audit, find_writable, lead_reply, Lead};
use crate::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Caller, IfMatch};
use crate::reply::Reply;
use crate::routes::path_id;
use crate::services::leads::save;
use crate::state::AppState;
use actix_web::{post, web};
use ironfield_domain::ids::LeadId;
use ironfield_domain::time::now;
use ironfield_domain::Stage;
use ironfield_persistence::audit::ChangeSet;
use ironfield_persistence::leads;
use ironfield_persistence::TeamScope;
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
    if duplicate_id == id {
        return Err(ApiError::invalid_field(
            "duplicate_id",
            "a lead cannot be merged into itself",
        ));
    }
    let lead = blocking::write(&state, move |conn| {
        let survivor = find_writable(conn, &caller, &id)?;
        let duplicate = find_writable(conn, &caller, &duplicate_id)?;
        if duplicate.stage == Stage::Won {
            return Err(ApiError::invalid_field("duplicate_id", "a won lead has a seller account; merge the other way"));
        }
        // A bad `duplicate_id` is refused whatever the version: only a valid merge can be stale.
        if_match.check(survivor.version)?;
        let at = now().naive_utc();

        // Archive the duplicate first: its identifiers must leave the open set before the
        // survivor can take them over.
        let mut folded = duplicate.clone();
        folded.archived_at = Some(at);
        folded.merged_into_id = Some(survivor.id.clone());
        save(conn, &caller, &duplicate, folded)?;
        ironfield_persistence::visits::move_to_lead(conn, &duplicate.id, &survivor.id)?;

        let mut merged = survivor.clone();
        macro_rules! fill {
            ($($field:ident),+) => {$( if merged.$field.is_none() { merged.$field = duplicate.$field.clone(); } )+};
        }
        fill!(
            contact_name, phone, wechat_id, email, business_license_no, market, district, stall_no,
            location_lat, location_lng, source, estimated_value, estimated_currency, notes,
            last_visit_at, next_follow_up_at
        );
        if merged.estimated_value.is_some() != merged.estimated_currency.is_some() {
            merged.estimated_value = survivor.estimated_value;
            merged.estimated_currency = survivor.estimated_currency.clone();
        }
        let survivor = if super::lead_changes(Some(&survivor), &merged).is_empty() {
            survivor
        } else {
            save(conn, &caller, &survivor, merged)?
        };
        let mut changes = ChangeSet::new();
        changes.set("duplicate_id", &duplicate.id);
        audit(conn, &caller, &survivor.id, "merged", changes, at)?;
        Ok(leads::find(conn, &TeamScope::everything(), &survivor.id)?)
    })
    .await?;
    lead_reply(lead)
}
