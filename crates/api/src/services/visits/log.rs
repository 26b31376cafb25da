//! Logging one visit: the one path every create (single, batch, replay) goes through.
//!
//! One short write transaction: the target's look-up, the insert, and the lead's follow-up
//! effects. A visit id that is already stored (the phone sent it again, or two connections
//! raced with the same batch) fails the insert on the primary key, rolls back and answers
//! with the stored visit; no read before the insert is needed to find it. A batch takes the
//! same steps for all its items at once, in one transaction (`batch`), with the pieces
//! shared here (`complete`, `lead_to_log`, `lead_audit_changes`). The checks that need no
//! database are `routes::visits`' (`prepare`), before anything is read.

use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::services::leads::{Created, LeadInput};
use chrono_tz::Tz;
use ironfield_auth::policy;
use ironfield_domain::ids::{LeadId, SellerAccountId, VisitId};
use ironfield_domain::time::business_date;
use ironfield_domain::visit::check_location;
use ironfield_domain::{GeoPoint, Stage};
use ironfield_persistence::audit::ChangeSet;
use ironfield_persistence::seller_accounts::AccountRow;
use ironfield_persistence::visits::{self, NewVisit, VisitRow};
use ironfield_persistence::TeamScope;
use ironfield_persistence::{leads as lead_store, DbConnection, DbError};

pub(crate) enum Logged {
    Created(VisitRow),
    /// The id was stored already: the stored visit.
    Existing(VisitRow),
}

#[derive(Clone)]
pub(crate) enum Target {
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

/// A visit that passed the checks that need no database (`routes::visits` makes it from
/// what the phone sent).
#[derive(Clone)]
pub(crate) struct Prepared {
    pub(crate) row: NewVisit,
    pub(crate) target: Target,
}

pub(crate) enum Failure {
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

/// Stores one prepared visit in the caller's write transaction: its target found (or a new
/// stall's lead created), the visit completed and inserted, the lead's follow-up, its audit
/// record and the `visit.logged` event. `Failure::Replayed` when the visit id is stored
/// already, whatever else would have refused it.
pub(crate) fn store(
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
    let tz = match caller.directory.timezone(conn) {
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

/// The stored visit `id` answering a replay, if the caller may read it (a visit id taken by
/// someone else's visit is 409).
pub(crate) fn replayed(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &VisitId,
) -> ApiResult<Logged> {
    match visits::find(conn, &TeamScope::everything(), id) {
        Ok(visit) if super::can_read(caller, &visit) => Ok(Logged::Existing(visit)),
        Ok(_) => Err(ApiError::conflict("a visit with this id already exists")),
        Err(other) => Err(other.into()),
    }
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
