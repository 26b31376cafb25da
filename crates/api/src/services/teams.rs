//! Teams: the visible team, and who may lead it.

use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use ironfield_persistence::teams::TeamRow;
use ironfield_persistence::TeamScope;
use ironfield_persistence::{users, DbConnection, DbError};

/// Loads a team the caller can see; any other is "not found".
pub(crate) fn find_visible(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> ApiResult<TeamRow> {
    match ironfield_persistence::teams::find(conn, &caller.scope(), id) {
        Ok(team) => Ok(team),
        Err(DbError::NotFound) => Err(ApiError::not_found("team")),
        Err(other) => Err(other.into()),
    }
}

/// A team's lead must be an active member of that team.
pub(crate) fn check_lead(conn: &mut DbConnection, team_id: &str, lead_id: &str) -> ApiResult<()> {
    // Any user: whether they belong to the team is the check itself.
    match users::find(conn, &TeamScope::everything(), lead_id) {
        Ok(user) if user.team_id.as_deref() == Some(team_id) && user.is_active() => Ok(()),
        Ok(_) | Err(DbError::NotFound) => Err(ApiError::invalid_field(
            "lead_id",
            "must be an active member of the team",
        )),
        Err(other) => Err(other.into()),
    }
}
