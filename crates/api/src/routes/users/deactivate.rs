use super::User;
use crate::blocking;
use crate::error::ApiResult;
use crate::extract::{Caller, IfMatch};
use crate::reply::Reply;
use crate::routes::path_id;
use crate::services::users;
use crate::state::AppState;
use actix_web::{post, web};
use ironfield_domain::ids::UserId;

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
        users::deactivate(conn, &caller, &id, &if_match)
    })
    .await?;
    let version = user.version;
    Ok(Reply::ok(&User::from(user)).versioned(version))
}
