use super::create::check_text;
use super::Meeting;
use crate::blocking;
use crate::error::ApiResult;
use crate::extract::{ApiJson, Caller, IfMatch};
use crate::reply::Reply;
use crate::routes::{double_option, path_id};
use crate::services::meetings::{self, MeetingChange};
use crate::state::AppState;
use actix_web::{patch, web};
use chrono::{DateTime, FixedOffset};
use ironfield_domain::ids::MeetingId;
use ironfield_domain::ValidationErrors;
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMeeting {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<DateTime<chrono::Utc>>)]
    pub held_at: Option<Option<DateTime<FixedOffset>>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(max_length = 200, value_type = Option<String>)]
    pub location: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(max_length = 2000, value_type = Option<String>)]
    pub agenda: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(max_length = 4000, value_type = Option<String>)]
    pub notes: Option<Option<String>>,
}

/// Update a meeting
///
/// When and where it was held, its agenda and notes. The team and the day do not change.
/// Honours `If-Match` (412).
#[utoipa::path(
    tag = "meetings",
    params(
        ("id" = String, Path, format = Uuid, description = "Meeting id"),
        ("If-Match" = Option<String>, Header, min_length = 1, description = "The `ETag` last read, e.g. `\"3\"` (or `*`): a write to a record whose version has moved on is 412 and changes nothing; an empty value is 422"),
    ),
    request_body = UpdateMeeting,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The meeting as changed", body = Meeting, headers(("ETag" = String))),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 404, response = crate::spec_types::NotFound),
        (status = 412, response = crate::spec_types::PreconditionFailed),
        (status = 413, response = crate::spec_types::PayloadTooLarge),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[patch("/meetings/{id}")]
pub async fn update_meeting(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: ApiJson<UpdateMeeting>,
) -> ApiResult<Reply> {
    let id: MeetingId = path_id(&id, "meeting")?;
    let change = checked(body.into_inner())?;
    let meeting = blocking::write(&state, move |conn| {
        meetings::update(conn, &caller, &id, change, &if_match)
    })
    .await?;
    let version = meeting.version;
    Ok(Reply::ok(&Meeting::from(meeting)).versioned(version))
}

/// The change sent, every bad field at once; a field sent as `null` clears it.
fn checked(input: UpdateMeeting) -> ApiResult<MeetingChange> {
    let mut errors = ValidationErrors::new();
    let flat = |v: &Option<Option<String>>| v.clone().flatten();
    let text = check_text(
        &mut errors,
        &flat(&input.location),
        &flat(&input.agenda),
        &flat(&input.notes),
    );
    errors.into_result(())?;
    Ok(MeetingChange {
        held_at: input.held_at.map(|t| t.map(|t| t.naive_utc())),
        location: input.location.map(|_| text.location),
        agenda: input.agenda.map(|_| text.agenda),
        notes: input.notes.map(|_| text.notes),
    })
}
