//! Logging one visit: the one path every create (single, batch, replay) goes through.
//!
//! One short write transaction: the target's look-up, the insert, and the lead's follow-up
//! effects. A visit id that is already stored (the phone sent it again, or two connections
//! raced with the same batch) fails the insert on the primary key, rolls back and answers
//! with the stored visit; no read before the insert is needed to find it. A batch runs the
//! same steps for each item inside one transaction, a savepoint per item (`store_batch`).

use super::input::VisitInput;
use super::VisitLocation;
use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::routes::leads::input::LeadCreate;
use crate::services::facts;
use crate::services::leads::{Created, LeadInput};
use crate::state::AppState;
use actix_web::web;
use chrono::{DateTime, Utc};
use diesel::Connection;
use ironfield_auth::{policy, Scope};
use ironfield_domain::ids::{LeadId, SellerAccountId, VisitId};
use ironfield_domain::time::{business_date, now};
use ironfield_domain::visit::check_location;
use ironfield_domain::{GeoPoint, Stage, ValidationErrors};
use ironfield_persistence::audit::ChangeSet;
use ironfield_persistence::visits::{self, NewVisit, VisitRow};
use ironfield_persistence::TeamScope;
use ironfield_persistence::{leads as lead_store, DbConnection, DbError};

/// How far ahead of the server's clock a phone's `visited_at` may be.
const FUTURE_SLACK: chrono::Duration = chrono::Duration::minutes(5);

pub(crate) enum Logged {
    Created(VisitRow),
    /// The id was stored already: the stored visit.
    Existing(VisitRow),
}

enum Target {
    Lead(LeadId),
    Account(SellerAccountId),
    NewLead(Box<LeadInput>),
}

impl Target {
    /// The record a stored visit writes besides itself, for ordering a batch's writes: leads
    /// first, then accounts, each by id; new stalls last (they lock nothing that exists).
    fn lock_key(&self) -> (u8, &str) {
        match self {
            Target::Lead(id) => (0, id.as_str()),
            Target::Account(id) => (1, id.as_str()),
            Target::NewLead(_) => (2, ""),
        }
    }
}

/// A visit that passed the checks that need no database.
pub(crate) struct Prepared {
    row: NewVisit,
    target: Target,
}

enum Failure {
    Api(ApiError),
    /// The visit id is already stored.
    Replayed,
}

impl From<ApiError> for Failure {
    fn from(error: ApiError) -> Self {
        Failure::Api(error)
    }
}

impl From<DbError> for Failure {
    fn from(error: DbError) -> Self {
        Failure::Api(error.into())
    }
}

impl From<diesel::result::Error> for Failure {
    fn from(error: diesel::result::Error) -> Self {
        Failure::Api(error.into())
    }
}

/// Logs one visit for the calling rep. `require_id`: batches must carry client ids, or a
/// re-sent batch could not be recognised.
pub(crate) async fn log(
    state: &AppState,
    caller: &Caller,
    input: VisitInput,
    require_id: bool,
) -> ApiResult<Logged> {
    let prepared = prepare(caller, input, now(), require_id)?;
    let id = prepared.row.id.clone();
    let db = state.db.clone();
    let who = caller.clone();
    let outcome = web::block(move || db.write(|conn| store(conn, &who, prepared))).await?;
    match outcome {
        Ok(logged) => Ok(logged),
        Err(Failure::Api(error)) => Err(error),
        Err(Failure::Replayed) => {
            let who = caller.clone();
            crate::blocking::read(state, move |conn| {
                match visits::find(conn, &TeamScope::everything(), &id) {
                    Ok(visit) if crate::services::visits::can_read(&who, &visit) => {
                        Ok(Logged::Existing(visit))
                    }
                    Ok(_) => Err(ApiError::conflict("a visit with this id already exists")),
                    Err(other) => Err(other.into()),
                }
            })
            .await
        }
    }
}

/// Checks a visit as the phone sent it, every bad field at once and before anything is read:
/// the client id, the one target, the time, the phone's location, the duration and the
/// stall it names. What needs the database (the target, the day) is `store`'s.
pub(crate) fn prepare(
    caller: &Caller,
    input: VisitInput,
    received: DateTime<Utc>,
    require_id: bool,
) -> ApiResult<Prepared> {
    caller.require_scope(Scope::VisitsWrite)?;
    let (_, team_id) = caller.require_user()?;
    let rep_id = caller.require_user_id()?.clone();
    let mut errors = ValidationErrors::new();
    let id = client_id(&mut errors, input.id.as_deref(), require_id);
    let target = target(
        &mut errors,
        input.lead_id,
        input.seller_account_id,
        input.new_lead,
    );
    let visited_at = input.visited_at.with_timezone(&Utc);
    check_visited_at(&mut errors, visited_at, received);
    check_reported_location(&mut errors, input.location);
    if input
        .duration_minutes
        .is_some_and(|d| !(0..=1440).contains(&d))
    {
        errors.add("duration_minutes", "must be between 0 and 1440");
    }
    let market = facts::text(&mut errors, "market", &input.market, 100);
    let district = facts::text(&mut errors, "district", &input.district, 100);
    let stall_no = facts::stall_no(&mut errors, &input.stall_no);
    let notes = facts::notes(&mut errors, &input.notes);
    // Each id or target missing has put its error in `errors`.
    let (id, target) = match (id, target) {
        (Some(id), Some(target)) if errors.is_empty() => (id, target),
        _ => return Err(errors.into()),
    };

    Ok(Prepared {
        row: NewVisit {
            id,
            rep_id,
            team_id: team_id.map(str::to_owned),
            lead_id: None,
            seller_account_id: None,
            visited_at: visited_at.naive_utc(),
            received_at: received.naive_utc(),
            location_lat: input.location.map(|l| l.lat),
            location_lng: input.location.map(|l| l.lng),
            location_accuracy_m: input.location.and_then(|l| l.accuracy_m),
            market,
            district,
            stall_no,
            purpose: input.purpose,
            outcome: input.outcome,
            notes,
            next_follow_up_at: input.next_follow_up_at.map(|t| t.naive_utc()),
            duration_minutes: input.duration_minutes,
        },
        target,
    })
}

/// The visit's id: the client's UUID, or a new one where the client may leave it out.
fn client_id(errors: &mut ValidationErrors, sent: Option<&str>, required: bool) -> Option<VisitId> {
    match sent {
        Some(raw) => errors.check("id", VisitId::parse(raw).ok_or("must be a UUID")),
        None if required => {
            errors.add("id", "each visit in a batch needs its client-made UUID");
            None
        }
        None => Some(VisitId::new()),
    }
}

/// What was visited: exactly one of a lead, a seller account or a new stall.
fn target(
    errors: &mut ValidationErrors,
    lead_id: Option<String>,
    seller_account_id: Option<String>,
    new_lead: Option<LeadCreate>,
) -> Option<Target> {
    match (lead_id, seller_account_id, new_lead) {
        (Some(lead), None, None) => errors
            .check("lead_id", LeadId::parse(&lead).ok_or("must be a lead id"))
            .map(Target::Lead),
        (None, Some(account), None) => errors
            .check(
                "seller_account_id",
                SellerAccountId::parse(&account).ok_or("must be a seller account id"),
            )
            .map(Target::Account),
        (None, None, Some(lead)) => Some(Target::NewLead(Box::new(lead.into()))),
        _ => {
            errors.add(
                "lead_id",
                "give exactly one of lead_id, seller_account_id and new_lead",
            );
            None
        }
    }
}

/// A visit may not be in the future, give or take the phone's clock.
fn check_visited_at(
    errors: &mut ValidationErrors,
    visited_at: DateTime<Utc>,
    received: DateTime<Utc>,
) {
    if visited_at > received + FUTURE_SLACK {
        errors.add(
            "visited_at",
            "is more than 5 minutes in the future; check the phone's clock",
        );
    }
}

/// Where the phone says it was: a valid point, and an accuracy radius that is a distance.
fn check_reported_location(errors: &mut ValidationErrors, location: Option<VisitLocation>) {
    let Some(location) = location else {
        return;
    };
    let point = GeoPoint {
        lat: location.lat,
        lng: location.lng,
    };
    errors.check("location", point.validate());
    if location
        .accuracy_m
        .is_some_and(|a| !a.is_finite() || !(0.0..=100_000.0).contains(&a))
    {
        errors.add("location.accuracy_m", "must be between 0 and 100000 metres");
    }
}

/// Stores a batch's visits in the caller's one write transaction, each inside its own
/// savepoint: an item refused (a bad target, a stall already taken) rolls back to its
/// savepoint and leaves the others; an item whose id is stored already answers with the
/// stored visit. Each stored visit emits its `visit.logged` (and any target reached) in the
/// same transaction, as a single visit does. A server failure is returned as `Err` and the
/// whole transaction rolls back (a resend then stores the batch). One commit (one fsync on
/// SQLite) for the batch instead of one per item; concurrent replays of the batch still meet
/// each id's primary key and store each visit once. Callers queue first
/// (`AppState::write_queue`): the transaction holds its connection for the whole batch.
pub(crate) fn store_batch(
    conn: &mut DbConnection,
    caller: &Caller,
    items: Vec<Prepared>,
) -> ApiResult<Vec<ApiResult<Logged>>> {
    // Lock order: the items are stored lead by lead (and account by account) in id order, so
    // two batches that share records wait for each other instead of deadlocking on
    // PostgreSQL; visits of one record keep the order they were sent in (a stable sort).
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| items[a].target.lock_key().cmp(&items[b].target.lock_key()));
    let mut pending: Vec<Option<Prepared>> = items.into_iter().map(Some).collect();
    let mut outcomes: Vec<Option<ApiResult<Logged>>> = pending.iter().map(|_| None).collect();
    for place in order {
        let Some(prepared) = pending[place].take() else {
            continue;
        };
        let id = prepared.row.id.clone();
        // Nested in the write transaction, diesel makes this a savepoint.
        let stored = conn.transaction(|conn| store(conn, caller, prepared));
        outcomes[place] = Some(match stored {
            Ok(logged) => Ok(logged),
            Err(Failure::Api(error)) if error.code.status().is_client_error() => Err(error),
            Err(Failure::Api(error)) => return Err(error),
            Err(Failure::Replayed) => match visits::find(conn, &TeamScope::everything(), &id) {
                Ok(visit) if crate::services::visits::can_read(caller, &visit) => {
                    Ok(Logged::Existing(visit))
                }
                Ok(_) => Err(ApiError::conflict("a visit with this id already exists")),
                Err(other) => return Err(other.into()),
            },
        });
    }
    // Every place was stored above, once: this keeps them all, in the order sent.
    Ok(outcomes.into_iter().flatten().collect())
}

fn store(conn: &mut DbConnection, caller: &Caller, prepared: Prepared) -> Result<Logged, Failure> {
    let Prepared { mut row, target } = prepared;
    // A replayed id is found by the insert itself (the primary key), without a read first.
    // Only a new stall looks first: its replay would meet its own lead as a duplicate.
    if matches!(target, Target::NewLead(_)) && visits::find_optional(conn, &row.id)?.is_some() {
        return Err(Failure::Replayed);
    }
    // A replay whose target has since gone out of reach still answers with the stored visit.
    let known = match resolve(conn, caller, &mut row, target) {
        Err(Failure::Api(error)) => return Err(replayed_or(conn, &row.id, error)),
        other => other?,
    };
    let tz = match crate::org::timezone(conn) {
        Ok(tz) => tz,
        Err(error) => return Err(replayed_or(conn, &row.id, error)),
    };
    let reported = point(row.location_lat, row.location_lng);
    let location_check = check_location(reported, row.location_accuracy_m, known.point);
    if row.market.is_none() && row.stall_no.is_none() {
        // Where the visit was, when the phone did not say: the lead's or account's stall.
        (row.market, row.district, row.stall_no) = known.place.clone();
    }
    let day = business_date(row.visited_at.and_utc(), tz);
    let row = row.into_row(day, location_check);
    if !visits::insert_new(conn, &row)? {
        return Err(Failure::Replayed);
    }
    if let Some(lead_id) = &row.lead_id {
        lead_store::apply_visit(
            conn,
            lead_id,
            row.visited_at,
            row.next_follow_up_at,
            row.received_at,
        )?;
        // As read in this transaction; a concurrent reopen could make this audit note stale,
        // never the lead itself (the statement decides on the row as it is).
        let moved_to = known
            .stage
            .map(Stage::after_visit)
            .filter(|s| known.stage != Some(*s));
        let mut changes = ChangeSet::new();
        changes.set("visit_id", &row.id);
        if let Some(stage) = moved_to {
            changes.set("stage", &stage);
        }
        crate::services::audit::record(
            conn,
            caller,
            "lead",
            lead_id.as_str(),
            "visit_logged",
            changes,
            row.received_at,
        )?;
    }
    crate::events::writes::visit_logged(conn, caller, &row, row.received_at)?;
    Ok(Logged::Created(row))
}

/// Finds the lead or seller account visited (creating a new stall's lead), sets it on `row`.
fn resolve(
    conn: &mut DbConnection,
    caller: &Caller,
    row: &mut NewVisit,
    target: Target,
) -> Result<Known, Failure> {
    Ok(match target {
        Target::Lead(id) => {
            let no_such = || ApiError::invalid_field("lead_id", "no such lead");
            let mut lead = crate::services::leads::find_visible(conn, caller, &id)
                .map_err(|e| e.not_found_as_invalid("lead_id", "no such lead"))?;
            // A visit to a lead merged away counts for the lead it was merged into (following
            // a short chain of merges), if the caller can see that one too.
            for _ in 0..5 {
                let Some(survivor) = lead.merged_into_id.clone() else {
                    break;
                };
                lead = match lead_store::find(conn, &caller.scope(), &survivor) {
                    Ok(lead) => lead,
                    Err(DbError::NotFound) => return Err(no_such().into()),
                    Err(other) => return Err(other.into()),
                };
            }
            // The visit changes the lead (follow-up, stage): a rep logs visits on their own
            // leads only; a teammate's lead is theirs to work (or their team lead's to assign).
            if !policy::may_write_record(
                &caller.principal,
                &caller.view,
                &lead.owner_id,
                lead.team_id.as_deref(),
            ) {
                return Err(ApiError::forbidden(
                    "log visits on your own leads; ask your team lead to assign this one to you",
                )
                .into());
            }
            row.lead_id = Some(lead.id.clone());
            Known::from_lead(&lead)
        }
        Target::Account(id) => {
            let account = crate::services::seller_accounts::find_visible(conn, caller, &id)
                .map_err(|e| {
                    e.not_found_as_invalid("seller_account_id", "no such seller account")
                })?;
            row.seller_account_id = Some(account.id.clone());
            Known {
                point: point(account.location_lat, account.location_lng),
                place: (account.market, account.district, account.stall_no),
                stage: None,
            }
        }
        Target::NewLead(input) => {
            let lead = match crate::services::leads::create(conn, caller, *input)? {
                Created::New(lead) | Created::Existing(lead) => lead,
            };
            row.lead_id = Some(lead.id.clone());
            Known::from_lead(&lead)
        }
    })
}

/// `error`, unless the visit id is stored already: then the request is a replay.
fn replayed_or(conn: &mut DbConnection, id: &VisitId, error: ApiError) -> Failure {
    match visits::find_optional(conn, id) {
        Ok(Some(_)) => Failure::Replayed,
        _ => Failure::Api(error),
    }
}

/// What is known of the place visited.
struct Known {
    point: Option<GeoPoint>,
    place: (Option<String>, Option<String>, Option<String>),
    /// The lead's stage before the visit (none for a seller account).
    stage: Option<Stage>,
}

impl Known {
    fn from_lead(lead: &lead_store::LeadRow) -> Self {
        Known {
            point: point(lead.location_lat, lead.location_lng),
            place: (
                lead.market.clone(),
                lead.district.clone(),
                lead.stall_no.clone(),
            ),
            stage: Some(lead.stage),
        }
    }
}

fn point(lat: Option<f64>, lng: Option<f64>) -> Option<GeoPoint> {
    Some(GeoPoint {
        lat: lat?,
        lng: lng?,
    })
}
