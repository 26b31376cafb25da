//! Users: who can see whom, and the references a request may make to teams.

use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use ironfield_persistence::users::UserRow;
use ironfield_persistence::TeamScope;
use ironfield_persistence::{teams, DbConnection};

/// Loads a user the caller can see (themselves, or anyone in a team in their view); anyone
/// else is "not found".
pub(crate) fn find_visible(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> ApiResult<UserRow> {
    // Everyone sees themselves, whatever their team (or none).
    let scope = if id == caller.id() {
        TeamScope::everything()
    } else {
        caller.scope()
    };
    match ironfield_persistence::users::find(conn, &scope, id) {
        Ok(user) => Ok(user),
        Err(ironfield_persistence::DbError::NotFound) => Err(ApiError::not_found("user")),
        Err(other) => Err(other.into()),
    }
}

/// A `team_id` given in a request must name a team the caller can see.
pub(crate) fn check_team_reference(
    conn: &mut DbConnection,
    caller: &Caller,
    team_id: &str,
) -> ApiResult<()> {
    match teams::find(conn, &caller.scope(), team_id) {
        Ok(_) => Ok(()),
        Err(ironfield_persistence::DbError::NotFound) => {
            Err(ApiError::invalid_field("team_id", "no such team"))
        }
        Err(other) => Err(other.into()),
    }
}

/// Maps the unique e-mail constraint to a 409 that says what happened.
pub(crate) fn email_taken(error: ironfield_persistence::DbError) -> ApiError {
    if error.is_unique_on("users", &["email"]) {
        ApiError::conflict("a user with this e-mail already exists")
    } else {
        error.into()
    }
}
