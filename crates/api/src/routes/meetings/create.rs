use super::Meeting;
use crate::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Caller, IdempotencyKey};
use crate::idempotency;
use crate::reply::Reply;
use crate::services::meetings::{self as meetings_service, MeetingDraft};
use crate::state::AppState;
use actix_web::{post, web};
use chrono::{DateTime, FixedOffset, NaiveDate};
use ironfield_auth::Scope;
use ironfield_domain::ids::TeamId;
use ironfield_domain::validation::optional_text;
use ironfield_domain::ValidationErrors;
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"team_id": "0193a1b2-0000-7000-8000-000000000001", "date": "2026-11-03",
    "held_at": "2026-11-03T08:30:00+08:00", "location": "一区 3 号门", "agenda": "月底冲刺"}))]
pub struct CreateMeeting {
    #[schema(format = Uuid)]
    pub team_id: String,
    /// The day, in the organisation's time zone.
    pub date: NaiveDate,
    #[schema(value_type = Option<DateTime<chrono::Utc>>)]
    pub held_at: Option<DateTime<FixedOffset>>,
    #[schema(max_length = 200)]
    pub location: Option<String>,
    #[schema(max_length = 2000)]
    pub agenda: Option<String>,
    #[schema(max_length = 4000)]
    pub notes: Option<String>,
}

pub(crate) struct MeetingText {
    pub location: Option<String>,
    pub agenda: Option<String>,
    pub notes: Option<String>,
}

pub(crate) fn check_text(
    errors: &mut ValidationErrors,
    location: &Option<String>,
    agenda: &Option<String>,
    notes: &Option<String>,
) -> MeetingText {
    let mut text = |field: &str, value: &Option<String>, max: usize| {
        value
            .as_deref()
            .and_then(|v| errors.check(field, optional_text(v, max)))
            .filter(|v| !v.is_empty())
    };
    MeetingText {
        location: text("location", location, 200),
        agenda: text("agenda", agenda, 2000),
        notes: text("notes", notes, 4000),
    }
}

/// Open the day's meeting
///
/// Creates the team's meeting for a day; there is one per team per day (a second is 409).
/// The team lead, a manager of the branch, or an admin opens it.
#[utoipa::path(
    tag = "meetings",
    request_body = CreateMeeting,
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, pattern = r"^[!-~]{1,255}$", description = "Makes a retry safe: the same key and body from the same caller replay the first response (with `Idempotent-Replayed: true`) and create nothing; 1 to 255 visible ASCII characters, kept at least 24 hours")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created: the new meeting", body = Meeting, headers(("ETag" = String), ("Location" = String))),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 409, response = crate::spec_types::Conflict),
        (status = 413, response = crate::spec_types::PayloadTooLarge),
        (status = 422, response = crate::spec_types::IdempotencyKeyReused),
    )
)]
#[post("/meetings")]
pub async fn create_meeting(
    state: web::Data<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    body: ApiJson<CreateMeeting>,
) -> ApiResult<Reply> {
    caller.require_scope(Scope::MeetingsWrite)?;
    idempotency::create_once(
        state,
        caller,
        key,
        body,
        |state, caller, input| async move {
            let mut errors = ValidationErrors::new();
            let team_id = errors.check(
                "team_id",
                TeamId::parse(&input.team_id).ok_or("must be a team id"),
            );
            let text = check_text(&mut errors, &input.location, &input.agenda, &input.notes);
            let team_id = errors.into_result(team_id)?.ok_or_else(|| {
                ApiError::internal(std::io::Error::other("a checked team id without a value"))
            })?;
            let draft = MeetingDraft {
                team_id,
                date: input.date,
                held_at: input.held_at.map(|t| t.naive_utc()),
                location: text.location,
                agenda: text.agenda,
                notes: text.notes,
            };
            let meeting = blocking::write(&state, move |conn| {
                meetings_service::open(conn, &caller, draft)
            })
            .await?;
            let location = format!("/api/v1/meetings/{}", meeting.id);
            let version = meeting.version;
            Ok(Reply::created(&Meeting::from(meeting), location).versioned(version))
        },
    )
    .await
}
