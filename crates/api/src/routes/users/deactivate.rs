use super::{find_visible, User};
use crate::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, IfMatch};
use crate::reply::Reply;
use crate::routes::path_id;
use crate::state::AppState;
use actix_web::{post, web};
use ironfield_auth::policy;
use ironfield_domain::ids::UserId;
use ironfield_domain::time::now;
use ironfield_persistence::users::{self, UserChanges};
use ironfield_persistence::TeamScope;

/// Deactivate a user
///
/// The user can no longer sign in, and every token issued to them stops working at once.
/// Their records stay. An admin deactivates anyone but themselves; a manager the non-admin
/// users of their branch. Deactivating an inactive user changes nothing.
#[utoipa::path(
    tag = "users",
    params(
        ("id" = String, Path, format = Uuid, description = "User id"),
        ("If-Match" = Option<String>, Header, min_length = 1, description = "The `ETag` last read, e.g. `\"3\"` (or `*`): a write to a record whose version has moved on is 412 and changes nothing; an empty value is 422"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The user, now inactive", body = User, headers(("ETag" = String))),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 404, response = crate::spec_types::NotFound),
        (status = 412, response = crate::spec_types::PreconditionFailed),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[post("/users/{id}/deactivate")]
pub async fn deactivate_user(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
) -> ApiResult<Reply> {
    caller.require_user()?;
    let id: UserId = path_id(&id, "user")?;
    let user = blocking::write(&state, move |conn| {
        let current = find_visible(conn, &caller, &id)?;
        if !policy::may_manage_user(
            &caller.principal,
            &caller.view,
            current.role,
            current.team_id.as_ref(),
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
    })
    .await?;
    let version = user.version;
    Ok(Reply::ok(&User::from(user)).versioned(version))
}
