use super::input::{LeadCreate, LeadInput};
use super::{
    audit, blank_lead, check_owner, lead_changes, refuse_duplicates, unique_to_duplicate, Lead,
};
use crate::blocking;
use crate::error::{ApiError, ApiResult};
use crate::events::{emit, EventType, Subject};
use crate::extract::{ApiJson, Caller, IdempotencyKey};
use crate::idempotency;
use crate::reply::Reply;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{post, web};
use ironfield_auth::{policy, Principal, Scope};
use ironfield_domain::ids::{new_id, parse_id};
use ironfield_domain::time::now;
use ironfield_domain::{Stage, ValidationErrors};
use ironfield_persistence::leads::{self, LeadRow};
use ironfield_persistence::{DbConnection, DbError};

/// Create a lead
///
/// Captures a prospective seller. The phone is normalised to E.164 (default region CN);
/// a second open lead or a seller account with the same phone, WeChat id or licence number,
/// or an open lead on the same market stall, is 409 `duplicate` naming the existing record
/// (its id only if the caller may see it). A client-supplied `id` that already exists
/// returns the stored lead with 200. The lead belongs to its owner's team.
#[utoipa::path(
    tag = "leads",
    request_body = LeadCreate,
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, pattern = r"^[!-~]{1,255}$", description = "Makes a retry safe: the same key and body from the same caller replay the first response (with `Idempotent-Replayed: true`) and create nothing; 1 to 255 visible ASCII characters, kept at least 24 hours")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created: the new lead", body = Lead, headers(("ETag" = String), ("Location" = String))),
        (status = 200, description = "The `id` was already stored: the stored lead", body = Lead),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 409, response = crate::openapi::Conflict),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 422, response = crate::openapi::IdempotencyKeyReused),
    )
)]
#[post("/leads")]
pub async fn create_lead(
    state: web::Data<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    body: ApiJson<LeadCreate>,
) -> ApiResult<Reply> {
    caller.require_scope(Scope::LeadsWrite)?;
    let fingerprint = body.fingerprint().to_owned();
    let who = caller.clone();
    idempotency::run_once(&state.clone(), &who, key, &fingerprint, || async move {
        let input = LeadInput::from(body.into_inner());
        blocking::write(&state, move |conn| create(conn, &caller, input)).await
    })
    .await
}

/// Creates a lead and answers with it (201), or with the stored one (200) for a repeated id.
pub(crate) fn create(
    conn: &mut DbConnection,
    caller: &Caller,
    input: LeadInput,
) -> ApiResult<Reply> {
    match create_row(conn, caller, input)? {
        Created::New(lead) => {
            let location = format!("/api/v1/leads/{}", lead.id);
            let version = lead.version;
            Ok(Reply::created(&Lead::try_from(lead)?, location).versioned(version))
        }
        Created::Existing(lead) => {
            let version = lead.version;
            Ok(Reply::json(StatusCode::OK, &Lead::try_from(lead)?).versioned(version))
        }
    }
}

/// A lead created, or found already stored under the client's id.
pub(crate) enum Created {
    New(LeadRow),
    Existing(LeadRow),
}

/// Creates a lead (shared with visit logging, which may capture a new stall inline, and with
/// CSV import): validation, the owner rules, duplicate refusal, the insert and its audit.
pub(crate) fn create_row(
    conn: &mut DbConnection,
    caller: &Caller,
    mut input: LeadInput,
) -> ApiResult<Created> {
    let mut errors = ValidationErrors::new();
    let id = match input.id.as_deref() {
        Some(raw) => errors.check("id", parse_id(raw).ok_or("must be a UUID")),
        None => Some(new_id()),
    };
    if input.team_id.is_some() {
        errors.add(
            "team_id",
            "a lead belongs to its owner's team; choose the owner",
        );
    }
    if input.lost_reason.is_some() {
        errors.add("lost_reason", "a new lead cannot be lost");
    }
    let stage = input.stage.unwrap_or(Stage::New);
    if !stage.is_open() {
        errors.add(
            "stage",
            "a new lead starts at an open stage (new, contacted, visited or negotiating)",
        );
    }
    if input.company_name.is_none() {
        errors.add("company_name", "is required");
    }
    let id = id.unwrap_or_default();
    if !errors.is_empty() {
        return Err(errors.into());
    }

    // A phone that synced late sends the same lead again: answer with what is stored.
    match leads::find(conn, &id) {
        Ok(existing) if caller.can_see_team(existing.team_id.as_deref()) => {
            return Ok(Created::Existing(existing));
        }
        Ok(_) => return Err(ApiError::conflict("a lead with this id already exists")),
        Err(DbError::NotFound) => {}
        Err(other) => return Err(other.into()),
    }

    let owner = match (&input.owner_id, &caller.principal) {
        (Some(owner_id), _) => {
            let owner = check_owner(conn, caller, owner_id)?;
            if owner.id != caller.id()
                && !policy::may_assign(&caller.principal, &caller.view, owner.team_id.as_deref())
            {
                return Err(ApiError::forbidden(
                    "you may create leads only for yourself",
                ));
            }
            owner
        }
        (None, Principal::User { .. }) => ironfield_persistence::users::find(conn, caller.id())?,
        (None, Principal::Service { .. }) => {
            return Err(ApiError::invalid_field(
                "owner_id",
                "a service account must name the owner",
            ))
        }
    };

    let at = now().naive_utc();
    let mut lead: LeadRow = blank_lead(id, owner.id, owner.team_id, at);
    lead.stage = stage.as_str().to_owned();
    input.apply_facts(&mut lead, &mut errors);
    errors.into_result(())?;
    lead.search_text = lead.compute_search_text();
    refuse_duplicates(conn, caller, &lead)?;
    leads::insert(conn, &lead).map_err(unique_to_duplicate)?;
    audit(
        conn,
        caller,
        &lead.id,
        "created",
        lead_changes(None, &lead),
        at,
    )?;
    let subject = Subject {
        id: &lead.id,
        team_id: lead.team_id.as_deref(),
    };
    emit(
        conn,
        caller,
        EventType::LeadCreated,
        subject,
        &Lead::try_from(lead.clone())?,
        None,
        at,
    )?;
    Ok(Created::New(lead))
}
