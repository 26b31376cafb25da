use crate::blocking;
use crate::error::{ApiError, ApiResult};
use crate::events::{record_types_readable, Event, EventType};
use crate::extract::Caller;
use crate::reply::Reply;
use crate::state::AppState;
use actix_web::{get, web};
use ironfield_auth::Principal;
use ironfield_persistence::events::{self, EventCursor, EventFilter};
use ironfield_persistence::pagination::{DEFAULT_LIMIT, MAX_LIMIT};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// A `next_cursor` from an earlier page, or `latest` for an empty page whose cursor is the
    /// current end. Absent: the feed starts at the oldest event kept (at least 30 days).
    #[param(min_length = 1, max_length = 200)]
    pub after: Option<String>,
    /// Only these event types, comma-separated (e.g. `lead.created,lead.stage_changed`); an
    /// unknown type is 422.
    #[param(max_length = 1000)]
    pub types: Option<String>,
    /// Events per page, 1 to 200 (default 50); more is 422.
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<i64>,
}

/// One page of the change feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventPage {
    /// In commit order.
    pub items: Vec<Event>,
    /// Where the next page starts; returned even when `items` is empty. Keep it and ask again
    /// later: every event is seen once, none committed behind it.
    pub next_cursor: String,
}

/// What the caller wants and may see.
struct Request {
    after: Option<EventCursor>,
    latest: bool,
    filter: EventFilter,
    limit: i64,
}

fn parse(query: FeedQuery) -> ApiResult<Request> {
    let mut errors = ironfield_domain::ValidationErrors::new();
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        errors.add("limit", format!("must be between 1 and {MAX_LIMIT}"));
    }
    let (after, latest) = match query.after.as_deref() {
        None => (None, false),
        Some("latest") => (None, true),
        Some(raw) => match EventCursor::decode(raw) {
            Ok(cursor) => (Some(cursor), false),
            Err(error) => {
                errors.add("after", format!("{error}; pass a next_cursor or `latest`"));
                (None, false)
            }
        },
    };
    let types = match query.types.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(list) => {
            let mut types = Vec::new();
            for name in list.split(',').map(str::trim) {
                match EventType::parse(name) {
                    Some(t) => types.push(t.as_str().to_owned()),
                    None => errors.add("types", format!("`{name}` is not an event type")),
                }
            }
            Some(types)
        }
    };
    errors.into_result(())?;
    Ok(Request {
        after,
        latest,
        filter: EventFilter {
            types,
            ..EventFilter::default()
        },
        limit,
    })
}

/// Who may read the feed, and which record types they see: admins everything; a service
/// account the records its read scopes cover; nobody else.
fn view(caller: &Caller) -> ApiResult<Option<Vec<String>>> {
    match &caller.principal {
        Principal::User { .. } if caller.principal.is_admin() => Ok(None),
        Principal::User { .. } => Err(ApiError::forbidden(
            "only admins and service accounts may read the change feed",
        )),
        Principal::Service { .. } => {
            let records = record_types_readable(&caller.principal);
            if records.is_empty() {
                return Err(ApiError::forbidden(
                    "the change feed needs a `:read` scope (leads:read, accounts:read, ...)",
                ));
            }
            Ok(Some(records.into_iter().map(str::to_owned).collect()))
        }
    }
}

/// The change feed
///
/// Business events in commit order: `{items, next_cursor}`. Keep `next_cursor` and ask again
/// with `after=<it>`: every event is served once, and none that commits later appears behind a
/// position already passed (events of still-running transactions wait until they end).
/// `after=latest` answers an empty page whose cursor is the current end. Admins see every
/// event; a service account sees the events of the records its `:read` scopes cover
/// (`leads:read` lead events, `accounts:read` seller account events, `visits:read`,
/// `meetings:read`, `targets:read`); other users are refused. Events are kept at least
/// 30 days.
#[utoipa::path(
    tag = "events",
    params(FeedQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of events in commit order", body = EventPage),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[get("/events")]
pub async fn list_events(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<FeedQuery>,
) -> ApiResult<Reply> {
    let record_types = view(&caller)?;
    let mut request = parse(query.into_inner())?;
    request.filter.record_types = record_types;
    let scope = caller.scope();
    // The primary, never the replica: a replica's horizon could lag what was served.
    let page = blocking::read(&state, move |conn| {
        if request.latest {
            return Ok((Vec::new(), events::end(conn)?));
        }
        Ok(events::read_after(
            conn,
            &scope,
            request.after,
            &request.filter,
            request.limit,
        )?)
    })
    .await?;
    let (rows, next) = page;
    Ok(Reply::ok(&EventPage {
        items: rows.into_iter().map(Event::from).collect(),
        next_cursor: next.encode(),
    }))
}
