//! Visits: who may read one (a rep their own, others the visits of their view), and the
//! business writes on a visit.

use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, IfMatch};
use crate::services::audit;
use ironfield_auth::{policy, Scope};
use ironfield_domain::ids::VisitId;
use ironfield_domain::time::now;
use ironfield_domain::visit::{Outcome, Purpose};
use ironfield_domain::Role;
use ironfield_persistence::audit::ChangeSet;
use ironfield_persistence::visits::{self, VisitRow};
use ironfield_persistence::TeamScope;
use ironfield_persistence::Timestamp;
use ironfield_persistence::{DbConnection, DbError};

mod batch;
mod log;

pub(crate) use batch::{store_batch, store_known_together, Sent};
pub(crate) use log::{replayed, store, Failure, Logged, Prepared, Target};

/// Whether `caller` may read `visit`: a rep their own; others the visits of their view.
pub(crate) fn can_read(caller: &Caller, visit: &VisitRow) -> bool {
    match caller.principal.role() {
        Some(Role::Rep) => caller.user_id() == Some(&visit.rep_id),
        _ => caller.user_id() == Some(&visit.rep_id) || caller.can_see_team(visit.team_id.as_ref()),
    }
}

/// Loads a visit the caller can read; any other is 404.
pub(crate) fn find_visible(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &VisitId,
) -> ApiResult<VisitRow> {
    caller.require_scope(Scope::VisitsRead)?;
    // Every team first: a person's own visit is theirs to read whatever its team, so the
    // team scope alone cannot decide; `can_read` does.
    match visits::find(conn, &TeamScope::everything(), id) {
        Ok(visit) if can_read(caller, &visit) => Ok(visit),
        Ok(_) | Err(DbError::NotFound) => Err(ApiError::not_found("visit")),
        Err(other) => Err(other.into()),
    }
}

/// How long a rep may correct their own visit after it reached the server.
const REP_EDIT_WINDOW: chrono::Duration = chrono::Duration::hours(24);

/// A correction of a visit whose fields passed their checks (`None`: leave as it is).
#[derive(Debug)]
pub struct VisitCorrection {
    pub purpose: Option<Purpose>,
    pub outcome: Option<Outcome>,
    pub notes: Option<Option<String>>,
    pub next_follow_up_at: Option<Option<Timestamp>>,
    pub duration_minutes: Option<Option<i64>>,
}

/// Corrects a visit: its rep within 24 hours of its arrival, a team lead (or above) any visit
/// of their view; then the If-Match check, the write and one `updated` audit event. Runs in
/// the caller's write transaction (`blocking::write`); an unchanged visit is not written.
pub fn correct(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &VisitId,
    correction: VisitCorrection,
    if_match: &IfMatch,
) -> ApiResult<VisitRow> {
    caller.require_scope(Scope::VisitsWrite)?;
    let current = find_visible(conn, caller, id)?;
    let at = now().naive_utc();
    let own = caller.user_id() == Some(&current.rep_id);
    let in_window = at - current.received_at <= REP_EDIT_WINDOW;
    let leads_team = caller.principal.role().is_some_and(|r| r != Role::Rep)
        && policy::may_write_record(
            &caller.principal,
            &caller.view,
            &current.rep_id,
            current.team_id.as_ref(),
        );
    if !(leads_team || (own && in_window)) {
        return Err(ApiError::forbidden(if own {
            "a visit can be corrected by its rep for 24 hours; ask your team lead"
        } else {
            "only the rep or their team lead may correct a visit"
        }));
    }
    if_match.check(current.version)?;
    let mut visit = current.clone();
    if let Some(purpose) = correction.purpose {
        visit.purpose = purpose;
    }
    if let Some(outcome) = correction.outcome {
        visit.outcome = outcome;
    }
    if let Some(notes) = correction.notes {
        visit.notes = notes;
    }
    if let Some(next) = correction.next_follow_up_at {
        visit.next_follow_up_at = next;
    }
    if let Some(duration) = correction.duration_minutes {
        visit.duration_minutes = duration;
    }
    let mut changes = ChangeSet::new();
    changes
        .field("purpose", &current.purpose, &visit.purpose)
        .field("outcome", &current.outcome, &visit.outcome)
        .field("notes", &current.notes, &visit.notes)
        .field(
            "next_follow_up_at",
            &current.next_follow_up_at,
            &visit.next_follow_up_at,
        )
        .field(
            "duration_minutes",
            &current.duration_minutes,
            &visit.duration_minutes,
        );
    if changes.is_empty() {
        return Ok(current);
    }
    visit.updated_at = at;
    if !visits::save(conn, &visit)? {
        return Err(ApiError::precondition_failed());
    }
    audit::record(
        conn,
        caller,
        "visit",
        visit.id.as_str(),
        "updated",
        changes,
        at,
    )?;
    let stored = visits::find(conn, &TeamScope::everything(), &visit.id)?;
    crate::events::writes::visit_saved(conn, caller, &current, &stored, stored.updated_at)?;
    Ok(stored)
}
