//! Who owns a record, as the updates of leads and seller accounts change it: a named owner
//! is checked the same way for both, and only a team lead or above hands a record over.

use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::services::leads::check_owner;
use ironfield_auth::policy;
use ironfield_domain::ids::{parse_id, UserId};
use ironfield_domain::ValidationErrors;
use ironfield_persistence::users::UserRow;
use ironfield_persistence::DbConnection;

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
