//! Logging one visit: the one path every create (single, batch, replay) goes through.
//!
//! One short write transaction: the target's look-up, the insert, and the lead's follow-up
//! effects. A visit id that is already stored (the phone sent it again, or two connections
//! raced with the same batch) fails the insert on the primary key, rolls back and answers
//! with the stored visit; no read before the insert is needed to find it. A batch takes the
//! same steps for all its items at once, in one transaction (`batch_store`), with the pieces
//! shared here (`complete`, `lead_to_log`, `lead_audit_changes`).

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
use chrono_tz::Tz;
use ironfield_auth::{policy, Scope};
use ironfield_domain::ids::{LeadId, SellerAccountId, VisitId};
use ironfield_domain::time::{business_date, now};
use ironfield_domain::visit::check_location;
use ironfield_domain::{GeoPoint, Stage, ValidationErrors};
use ironfield_persistence::audit::ChangeSet;
use ironfield_persistence::seller_accounts::AccountRow;
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

pub(super) enum Target {
    Lead(LeadId),
    Account(SellerAccountId),
    NewLead(Box<LeadInput>),
}

impl Target {
    /// The record a stored visit writes besides itself, for ordering a batch's writes: leads
    /// first, then accounts, each by id; new stalls last (they lock nothing that exists).
    pub(super) fn lock_key(&self) -> (u8, &str) {
        match self {
            Target::Lead(id) => (0, id.as_str()),
            Target::Account(id) => (1, id.as_str()),
            Target::NewLead(_) => (2, ""),
        }
    }
}

/// A visit that passed the checks that need no database.
pub(crate) struct Prepared {
    pub(super) row: NewVisit,
    pub(super) target: Target,
}

pub(super) enum Failure {
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
            team_id: team_id.cloned(),
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

pub(super) fn store(
    conn: &mut DbConnection,
    caller: &Caller,
    prepared: Prepared,
) -> Result<Logged, Failure> {
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
    let row = complete(row, &known, tz);
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
        let moved_to = known.stage.and_then(moved_by_visit);
        crate::services::audit::record(
            conn,
            caller,
            "lead",
            lead_id.as_str(),
            VISIT_LOGGED,
            lead_audit_changes(row.id.as_str(), moved_to),
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
            let lead = crate::services::leads::find_visible(conn, caller, &id)
                .map_err(|e| e.not_found_as_invalid("lead_id", "no such lead"))?;
            let lead = lead_to_log(caller, lead, |survivor| {
                lead_store::find(conn, &caller.scope(), survivor)
            })?;
            row.lead_id = Some(lead.id.clone());
            Known::from_lead(&lead)
        }
        Target::Account(id) => {
            let account = crate::services::seller_accounts::find_visible(conn, caller, &id)
                .map_err(|e| {
                    e.not_found_as_invalid("seller_account_id", "no such seller account")
                })?;
            row.seller_account_id = Some(account.id.clone());
            Known::from_account(&account)
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

/// The audit action of a visit on its lead.
pub(super) const VISIT_LOGGED: &str = "visit_logged";

/// The lead a visit to `lead` (found in the caller's view) counts for: a lead merged away
/// counts for the lead it was merged into (following a short chain of merges, each looked
/// up by `find_survivor` in the caller's view), and only if the caller may write it.
pub(super) fn lead_to_log(
    caller: &Caller,
    mut lead: lead_store::LeadRow,
    mut find_survivor: impl FnMut(&LeadId) -> Result<lead_store::LeadRow, DbError>,
) -> Result<lead_store::LeadRow, ApiError> {
    for _ in 0..5 {
        let Some(survivor) = lead.merged_into_id.clone() else {
            break;
        };
        lead = match find_survivor(&survivor) {
            Ok(lead) => lead,
            Err(DbError::NotFound) => {
                return Err(ApiError::invalid_field("lead_id", "no such lead"))
            }
            Err(other) => return Err(other.into()),
        };
    }
    // The visit changes the lead (follow-up, stage): a rep logs visits on their own leads
    // only; a teammate's lead is theirs to work (or their team lead's to assign).
    if !policy::may_write_record(
        &caller.principal,
        &caller.view,
        &lead.owner_id,
        lead.team_id.as_ref(),
    ) {
        return Err(ApiError::forbidden(
            "log visits on your own leads; ask your team lead to assign this one to you",
        ));
    }
    Ok(lead)
}

/// The stage a visit moves a lead at `stage` to, if it moves it.
pub(super) fn moved_by_visit(stage: Stage) -> Option<Stage> {
    Some(stage.after_visit()).filter(|after| *after != stage)
}

/// The lead's audit record of a visit: the visit, and the stage it moved the lead to.
pub(super) fn lead_audit_changes(visit_id: &str, moved_to: Option<Stage>) -> ChangeSet {
    let mut changes = ChangeSet::new();
    changes.set("visit_id", &visit_id);
    if let Some(stage) = moved_to {
        changes.set("stage", &stage);
    }
    changes
}

/// The row to store: the visit completed with what the database knows (the place visited,
/// the organisation's time zone).
pub(super) fn complete(mut row: NewVisit, known: &Known, tz: Tz) -> VisitRow {
    let reported = point(row.location_lat, row.location_lng);
    let location_check = check_location(reported, row.location_accuracy_m, known.point);
    if row.market.is_none() && row.stall_no.is_none() {
        // Where the visit was, when the phone did not say: the lead's or account's stall.
        (row.market, row.district, row.stall_no) = known.place.clone();
    }
    let day = business_date(row.visited_at.and_utc(), tz);
    row.into_row(day, location_check)
}

/// What is known of the place visited.
pub(super) struct Known {
    point: Option<GeoPoint>,
    place: (Option<String>, Option<String>, Option<String>),
    /// The lead's stage before the visit (none for a seller account).
    pub(super) stage: Option<Stage>,
}

impl Known {
    pub(super) fn from_account(account: &AccountRow) -> Self {
        Known {
            point: point(account.location_lat, account.location_lng),
            place: (
                account.market.clone(),
                account.district.clone(),
                account.stall_no.clone(),
            ),
            stage: None,
        }
    }

    pub(super) fn from_lead(lead: &lead_store::LeadRow) -> Self {
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
