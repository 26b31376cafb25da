//! Who owns a lead or a seller account, and who may change one: a named owner is checked
//! the same way for both, only a team lead or above hands a record to someone else, and a
//! record is changed by its owner or their team lead.

use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use ironfield_auth::{policy, Principal};
use ironfield_domain::ids::{parse_id, UserId};
use ironfield_domain::ValidationErrors;
use ironfield_persistence::users::{self, UserRow};
use ironfield_persistence::{DbConnection, DbError, TeamScope};

/// An owner named in a request: an active user whose team the caller can see.
pub(crate) fn check_owner(
    conn: &mut DbConnection,
    caller: &Caller,
    owner_id: &str,
) -> ApiResult<UserRow> {
    let bad =
        || ApiError::invalid_field("owner_id", "must be an active user in a team you can see");
    let id = UserId::parse(owner_id).ok_or_else(bad)?;
    match users::find(conn, &caller.scope(), &id) {
        Ok(user) if user.is_active() && user.team_id.is_some() => Ok(user),
        Ok(_) | Err(DbError::NotFound) => Err(bad()),
        Err(other) => Err(other.into()),
    }
}

/// Names `field` in `errors` when a record id sent in it is not a UUID.
pub(crate) fn check_id_field(errors: &mut ValidationErrors, field: &str, id: Option<&str>) {
    if id.is_some_and(|id| parse_id(id).is_none()) {
        errors.add(field, "must be a UUID");
    }
}

/// The new owner an update names, when it names one other than the record's `owner` (of
/// team `team`): only a team lead or above of that team may hand the record over (403 with
/// `refusal`), to an active user in a team the caller can see (422). The record then moves
/// to the new owner's team.
pub(crate) fn reassign(
    conn: &mut DbConnection,
    caller: &Caller,
    (owner, team): (&UserId, Option<&str>),
    named: Option<&str>,
    refusal: &str,
) -> ApiResult<Option<UserRow>> {
    let Some(owner_id) = named.filter(|o| *o != owner.as_str()) else {
        return Ok(None);
    };
    if !policy::may_assign(&caller.principal, &caller.view, team) {
        return Err(ApiError::forbidden(refusal));
    }
    check_owner(conn, caller, owner_id).map(Some)
}

/// Refuses with 403 (`refusal`) unless the caller may change a record that `owner` holds in
/// `team`: its owner, or a team lead or above of its team.
pub(crate) fn check_may_write(
    caller: &Caller,
    (owner, team): (&UserId, Option<&str>),
    refusal: &str,
) -> ApiResult<()> {
    if policy::may_write_record(&caller.principal, &caller.view, owner, team) {
        Ok(())
    } else {
        Err(ApiError::forbidden(refusal))
    }
}

/// The owner of a record the caller creates: the caller unless the request names someone
/// (422 when the named one is not an active user in view); naming someone else needs a team
/// lead or above of their team (403 with `refusal`). A service account must name one.
pub(crate) fn owner_of_new(
    conn: &mut DbConnection,
    caller: &Caller,
    named: Option<&str>,
    refusal: &str,
) -> ApiResult<UserRow> {
    match (named, &caller.principal) {
        (Some(owner_id), _) => {
            let owner = check_owner(conn, caller, owner_id)?;
            if caller.user_id() != Some(&owner.id)
                && !policy::may_assign(&caller.principal, &caller.view, owner.team_id.as_deref())
            {
                return Err(ApiError::forbidden(refusal));
            }
            Ok(owner)
        }
        // Every team: the caller themselves.
        (None, Principal::User { id, .. }) => Ok(users::find(conn, &TeamScope::everything(), id)?),
        (None, Principal::Service { .. }) => Err(ApiError::invalid_field(
            "owner_id",
            "a service account must name the owner",
        )),
    }
}
