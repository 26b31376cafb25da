use super::User;
use crate::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Caller, IfMatch};
use crate::password_work;
use crate::reply::Reply;
use crate::routes::{double_option, path_id};
use crate::services::users::{self as users_service, UserUpdate};
use crate::state::AppState;
use actix_web::{patch, web};
use ironfield_auth::password;
use ironfield_domain::ids::{TeamId, UserId};
use ironfield_domain::{validation, Email, Role, ValidationErrors};
use ironfield_persistence::users;
use ironfield_persistence::TeamScope;
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "王芳", "phone": "+8613800138000"}))]
pub struct UpdateUser {
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
    #[schema(pattern = r"\S", max_length = 100)]
    pub name: Option<String>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(max_length = 32, value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    /// Only an admin, or a manager within their branch, may change it.
    pub role: Option<Role>,
    /// Only an admin, or a manager within their branch, may change it. `null` clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(format = Uuid, value_type = Option<String>)]
    pub team_id: Option<Option<String>>,
    /// Your current password: required to change your own password, so a borrowed
    /// access token cannot take the account over.
    #[schema(format = Password)]
    pub current_password: Option<String>,
    /// A new password (at least 10 characters). Ends every session of the user.
    #[schema(min_length = 10, max_length = 1024, format = Password)]
    pub password: Option<String>,
}

/// Update a user
///
/// Anyone may change their own name, phone, e-mail and password. An admin, or a manager for
/// the users of their branch, may change anything, including role and team. Anything else is
/// 403 and changes nothing. Send `If-Match: "<version>"` to refuse the write (412) if the
/// user changed since it was read.
#[utoipa::path(
    tag = "users",
    params(
        ("id" = String, Path, format = Uuid, description = "User id"),
        ("If-Match" = Option<String>, Header, min_length = 1, description = "The `ETag` last read, e.g. `\"3\"` (or `*`): a write to a record whose version has moved on is 412 and changes nothing; an empty value is 422"),
    ),
    request_body = UpdateUser,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The user as changed", body = User, headers(("ETag" = String))),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 404, response = crate::spec_types::NotFound),
        (status = 409, response = crate::spec_types::Conflict),
        (status = 412, response = crate::spec_types::PreconditionFailed),
        (status = 413, response = crate::spec_types::PayloadTooLarge),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[patch("/users/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: ApiJson<UpdateUser>,
) -> ApiResult<Reply> {
    caller.require_user()?;
    let id: UserId = path_id(&id, "user")?;
    let input = body.into_inner();

    let mut change = checked(&input)?;
    if let Some(new_password) = input.password {
        if caller.user_id() == Some(&id) {
            confirm_own_password(&state, &caller, input.current_password).await?;
        }
        let hash = password_work::run(move || password::hash(&new_password)).await?;
        change.password_hash = Some(hash.map_err(ApiError::internal)?);
    }
    let user = blocking::write(&state, move |conn| {
        users_service::update(conn, &caller, &id, change, &if_match)
    })
    .await?;
    let version = user.version;
    Ok(Reply::ok(&User::from(user)).versioned(version))
}

/// The body's fields checked, every problem at once (422); the password is hashed later.
fn checked(input: &UpdateUser) -> ApiResult<UserUpdate> {
    let mut errors = ValidationErrors::new();
    let email = input
        .email
        .as_deref()
        .and_then(|e| errors.check("email", Email::parse(e)));
    let name = input
        .name
        .as_deref()
        .and_then(|n| errors.check("name", validation::required_text(n, 100)));
    let phone = match &input.phone {
        Some(Some(p)) => errors
            .check("phone", validation::optional_text(p, 32))
            .map(|p| Some(p).filter(|p| !p.is_empty())),
        Some(None) => Some(None),
        None => None,
    };
    let team_id = match &input.team_id {
        Some(Some(raw)) => errors
            .check("team_id", TeamId::parse(raw).ok_or("must be a team id"))
            .map(Some),
        Some(None) => Some(None),
        None => None,
    };
    if let Some(pw) = &input.password {
        errors.check("password", validation::password(pw));
    }
    Ok(errors.into_result(UserUpdate {
        email,
        name,
        phone,
        role: input.role,
        team_id,
        password_hash: None,
    })?)
}

/// Changing one's own password needs the current one, so a borrowed access token cannot
/// take the account over.
async fn confirm_own_password(
    state: &AppState,
    caller: &Caller,
    given: Option<String>,
) -> ApiResult<()> {
    let Some(given) = given else {
        return Err(ApiError::invalid_field(
            "current_password",
            "is required to change your own password",
        ));
    };
    let me = caller.require_user_id()?.clone();
    let stored = blocking::read(state, move |conn| {
        Ok(users::find(conn, &TeamScope::everything(), &me)?.password_hash)
    })
    .await?;
    if !password_work::run(move || password::verify(&given, &stored)).await? {
        return Err(ApiError::invalid_field(
            "current_password",
            "is not your current password",
        ));
    }
    Ok(())
}
