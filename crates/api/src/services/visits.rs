//! Visits: who may read one (a rep their own, others the visits of their view).

use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use ironfield_auth::Scope;
use ironfield_domain::Role;
use ironfield_persistence::visits::{self, VisitRow};
use ironfield_persistence::{DbConnection, DbError};

/// Whether `caller` may read `visit`: a rep their own; others the visits of their view.
pub(crate) fn can_read(caller: &Caller, visit: &VisitRow) -> bool {
    match caller.principal.role() {
        Some(Role::Rep) => visit.rep_id == caller.id(),
        _ => visit.rep_id == caller.id() || caller.can_see_team(visit.team_id.as_deref()),
    }
}

/// Loads a visit the caller can read; any other is 404.
pub(crate) fn find_visible(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> ApiResult<VisitRow> {
    caller.require_scope(Scope::VisitsRead)?;
    match visits::find(conn, id) {
        Ok(visit) if can_read(caller, &visit) => Ok(visit),
        Ok(_) | Err(DbError::NotFound) => Err(ApiError::not_found("visit")),
        Err(other) => Err(other.into()),
    }
}
