//! Users: who can see whom, and the references a request may make to teams.

use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use ironfield_persistence::users::UserRow;
use ironfield_persistence::{teams, DbConnection};

/// Whether `caller` can see `user`: themselves, or anyone in a team in their view.
pub(crate) fn can_see(caller: &Caller, user: &UserRow) -> bool {
    user.id == caller.id() || caller.can_see_team(user.team_id.as_deref())
}

/// Loads a user the caller can see; anyone else is "not found".
pub(crate) fn find_visible(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> ApiResult<UserRow> {
    match ironfield_persistence::users::find(conn, id) {
        Ok(user) if can_see(caller, &user) => Ok(user),
        Ok(_) | Err(ironfield_persistence::DbError::NotFound) => Err(ApiError::not_found("user")),
        Err(other) => Err(other.into()),
    }
}

/// A `team_id` given in a request must name a team the caller can see.
pub(crate) fn check_team_reference(
    conn: &mut DbConnection,
    caller: &Caller,
    team_id: &str,
) -> ApiResult<()> {
    match teams::find(conn, team_id) {
        Ok(team) if caller.can_see_team(Some(&team.id)) => Ok(()),
        Ok(_) | Err(ironfield_persistence::DbError::NotFound) => {
            Err(ApiError::invalid_field("team_id", "no such team"))
        }
        Err(other) => Err(other.into()),
    }
}

/// Maps the unique e-mail constraint to a 409 that says what happened.
pub(crate) fn email_taken(error: ironfield_persistence::DbError) -> ApiError {
    if error.is_unique_on("email") {
        ApiError::conflict("a user with this e-mail already exists")
    } else {
        error.into()
    }
}
