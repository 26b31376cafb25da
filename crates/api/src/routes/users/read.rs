use super::{find_visible, User};
use crate::blocking;
use crate::error::ApiResult;
use crate::extract::Caller;
use crate::reply::Reply;
use crate::routes::path_id;
use crate::state::AppState;
use actix_web::{get, web};
use ironfield_domain::ids::UserId;
use ironfield_persistence::users;
use ironfield_persistence::TeamScope;

/// The signed-in user
///
/// The caller's own profile. Service accounts have none (403).
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = User, headers(("ETag" = String, description = "The record's version"))),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
    )
)]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, caller: Caller) -> ApiResult<Reply> {
    let id = caller.require_user_id()?.clone();
    let user = blocking::read(&state, move |conn| {
        Ok(users::find(conn, &TeamScope::everything(), &id)?)
    })
    .await?;
    let version = user.version;
    Ok(Reply::ok(&User::from(user)).versioned(version))
}

/// Get a user
///
/// A user the caller can see (themselves, or anyone in a team in their view); anyone else is
/// 404.
#[utoipa::path(
    tag = "users",
    params(("id" = String, Path, format = Uuid, description = "User id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The user", body = User, headers(("ETag" = String, description = "The record's version"))),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 404, response = crate::spec_types::NotFound),
    )
)]
#[get("/users/{id}")]
pub async fn get_user(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<Reply> {
    caller.require_user()?;
    let id: UserId = path_id(&id, "user")?;
    let user = blocking::read(&state, move |conn| find_visible(conn, &caller, &id)).await?;
    let version = user.version;
    Ok(Reply::ok(&User::from(user)).versioned(version))
}
