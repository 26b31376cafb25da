//! Users: who can see whom, the references a request may make to teams, and changes to a
//! user.

use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, IfMatch};
use ironfield_auth::policy;
use ironfield_domain::ids::UserId;
use ironfield_domain::time::now;
use ironfield_domain::{Email, Role};
use ironfield_persistence::users::{self, NewUser, UserChanges, UserRow};
use ironfield_persistence::TeamScope;
use ironfield_persistence::{teams, DbConnection};

/// Loads a user the caller can see (themselves, or anyone in a team in their view); anyone
/// else is "not found".
pub(crate) fn find_visible(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &UserId,
) -> ApiResult<UserRow> {
    // Everyone sees themselves, whatever their team (or none).
    let scope = if caller.user_id() == Some(id) {
        TeamScope::everything()
    } else {
        caller.scope()
    };
    match users::find(conn, &scope, id) {
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

/// A change to a user whose fields passed their checks (`None`: leave as it is); the new
/// password, if any, is already hashed (hashing is slow and runs outside the transaction).
#[derive(Debug, Default)]
pub struct UserUpdate {
    pub email: Option<Email>,
    pub name: Option<String>,
    pub phone: Option<Option<String>>,
    pub role: Option<Role>,
    pub team_id: Option<Option<String>>,
    pub password_hash: Option<String>,
}

/// Updates a user: anyone their own name, phone, e-mail and password; an admin, or a manager
/// within their branch, anything including role and team (never their own placement, except
/// an admin). Then the If-Match check and the write; a new password ends every session of
/// the user. Runs in the caller's write transaction (`blocking::write`).
pub fn update(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &UserId,
    change: UserUpdate,
    if_match: &IfMatch,
) -> ApiResult<UserRow> {
    let current = find_visible(conn, caller, id)?;
    let current_role = current.role;
    let is_self = caller.user_id() == Some(&current.id);
    let manages = policy::may_manage_user(
        &caller.principal,
        &caller.view,
        current_role,
        current.team_id.as_deref(),
    );
    let changes_placement = change.role.is_some_and(|r| r != current_role)
        || change
            .team_id
            .as_ref()
            .is_some_and(|t| *t != current.team_id);
    if changes_placement {
        let new_role = change.role.unwrap_or(current_role);
        let new_team = change.team_id.clone().unwrap_or(current.team_id.clone());
        let may = manages
            && !is_self
            && policy::may_place_user(
                &caller.principal,
                &caller.view,
                new_role,
                new_team.as_deref(),
            );
        // An admin may re-place themselves too (there is no one above to ask).
        if !(may || (is_self && caller.principal.is_admin())) {
            return Err(ApiError::forbidden(
                "you may not change this user's role or team",
            ));
        }
        if let Some(Some(team)) = &change.team_id {
            check_team_reference(conn, caller, team)?;
        }
    } else if !(is_self || manages) {
        return Err(ApiError::forbidden("you may not change this user"));
    }
    if_match.check(current.version)?;

    let at = now().naive_utc();
    let ends_sessions = change.password_hash.is_some();
    let changes = UserChanges {
        email: change.email.map(Email::into_string),
        name: change.name,
        phone: change.phone,
        role: change.role,
        team_id: change.team_id,
        password_hash: change.password_hash,
        updated_at: Some(at),
        ..Default::default()
    };
    if !users::update(conn, &current.id, current.version, &changes).map_err(email_taken)? {
        return Err(ApiError::precondition_failed());
    }
    if ends_sessions {
        users::end_all_sessions(conn, &current.id, at)?;
    }
    Ok(users::find(conn, &TeamScope::everything(), &current.id)?)
}

/// Deactivates a user: an admin anyone but themselves, a manager the non-admin users of
/// their branch (403 otherwise; yourself is 422), under If-Match (412). Their sessions end
/// at once. An inactive user is answered as it is. Runs in the caller's write transaction.
pub fn deactivate(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &UserId,
    if_match: &IfMatch,
) -> ApiResult<UserRow> {
    let current = find_visible(conn, caller, id)?;
    if !policy::may_manage_user(
        &caller.principal,
        &caller.view,
        current.role,
        current.team_id.as_deref(),
    ) {
        return Err(ApiError::forbidden("you may not deactivate this user"));
    }
    if caller.user_id() == Some(&current.id) {
        return Err(ApiError::invalid_field(
            "id",
            "you cannot deactivate yourself",
        ));
    }
    if_match.check(current.version)?;
    if !current.is_active() {
        return Ok(current);
    }
    let at = now().naive_utc();
    let changes = UserChanges {
        deactivated_at: Some(Some(at)),
        updated_at: Some(at),
        ..Default::default()
    };
    if !users::update(conn, &current.id, current.version, &changes)? {
        return Err(ApiError::precondition_failed());
    }
    users::end_all_sessions(conn, &current.id, at)?;
    Ok(users::find(conn, &TeamScope::everything(), &current.id)?)
}

/// A new user whose fields passed their checks; the password is already hashed (hashing is
/// slow and runs outside the transaction).
#[derive(Debug)]
pub struct UserDraft {
    pub email: Email,
    pub name: String,
    pub phone: Option<String>,
    pub role: Role,
    pub team_id: Option<String>,
    pub password_hash: String,
}

/// Refuses with 403 unless the caller may place a user with `role` in `team`: an admin
/// anywhere, a manager within their branch. Asked before a password is hashed, so a refused
/// request costs no hashing, and again by [`create`].
pub(crate) fn check_placement(caller: &Caller, role: Role, team: Option<&str>) -> ApiResult<()> {
    if policy::may_place_user(&caller.principal, &caller.view, role, team) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "you may not create a user with this role in this team",
        ))
    }
}

/// Creates a user where the caller may place them, in a team in view (422 `team_id`); an
/// e-mail already taken is 409. Runs in the caller's write transaction.
pub fn create(conn: &mut DbConnection, caller: &Caller, draft: UserDraft) -> ApiResult<UserRow> {
    check_placement(caller, draft.role, draft.team_id.as_deref())?;
    if let Some(team_id) = &draft.team_id {
        check_team_reference(conn, caller, team_id)?;
    }
    let at = now().naive_utc();
    users::insert(
        conn,
        &NewUser {
            id: UserId::new(),
            email: draft.email.as_str(),
            name: &draft.name,
            phone: draft.phone.as_deref(),
            role: draft.role,
            team_id: draft.team_id.as_deref(),
            password_hash: &draft.password_hash,
            created_at: at,
            updated_at: at,
        },
    )
    .map_err(email_taken)
}
