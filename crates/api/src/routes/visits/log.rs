//! A visit as the phone sent it, checked into what `services::visits` stores; and logging
//! one visit (single or replay) through it.

use super::input::VisitInput;
use super::VisitLocation;
use crate::error::ApiResult;
use crate::extract::Caller;
use crate::routes::leads::input::LeadCreate;
use crate::services::facts;
use crate::services::visits::{Logged, Prepared, Target};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use ironfield_auth::Scope;
use ironfield_domain::ids::{LeadId, SellerAccountId, VisitId};
use ironfield_domain::time::now;
use ironfield_domain::{GeoPoint, ValidationErrors};
use ironfield_persistence::visits::NewVisit;

/// How far ahead of the server's clock a phone's `visited_at` may be.
const FUTURE_SLACK: chrono::Duration = chrono::Duration::minutes(5);

/// Logs one visit for the calling rep. `require_id`: batches must carry client ids, or a
/// re-sent batch could not be recognised.
pub(crate) async fn log(
    state: &AppState,
    caller: &Caller,
    input: VisitInput,
    require_id: bool,
) -> ApiResult<Logged> {
    let prepared = prepare(caller, input, now(), require_id)?;
    // Stored together with the single visits that arrive meanwhile (`visit_group_commit`).
    state
        .visit_groups
        .store(&state.db, caller.clone(), prepared)
        .await
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
