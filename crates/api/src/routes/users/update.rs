use super::{check_team_reference, email_taken, find_visible, User};
use crate::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Caller, IfMatch};
use crate::password_work;
use crate::reply::Reply;
use crate::routes::{double_option, path_id};
use crate::state::AppState;
use actix_web::{patch, web};
use ironfield_auth::{password, policy};
use ironfield_domain::time::now;
use ironfield_domain::{validation, Email, Role, ValidationErrors};
use ironfield_persistence::users::{self, UserChanges};
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
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 412, response = crate::openapi::PreconditionFailed),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 422, response = crate::openapi::ValidationFailed),
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
    let id = path_id(&id, "user")?;
    let input = body.into_inner();

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
            .check(
                "team_id",
                ironfield_domain::ids::parse_id(raw).ok_or("must be a team id"),
            )
            .map(Some),
        Some(None) => Some(None),
        None => None,
    };
    if let Some(pw) = &input.password {
        errors.check("password", validation::password(pw));
    }
    errors.into_result(())?;
    if input.password.is_some() && id == caller.id() {
        let Some(given) = input.current_password.clone() else {
            return Err(ApiError::invalid_field(
                "current_password",
                "is required to change your own password",
            ));
        };
        let me = caller.id().to_owned();
        let stored = blocking::read(&state, move |conn| {
            Ok(users::find(conn, &TeamScope::everything(), &me)?.password_hash)
        })
        .await?;
        if !password_work::run(move || password::verify(&given, &stored)).await? {
            return Err(ApiError::invalid_field(
                "current_password",
                "is not your current password",
            ));
        }
    }
    let password_hash = match input.password {
        Some(pw) => Some(
            password_work::run(move || password::hash(&pw))
                .await?
                .map_err(ApiError::internal)?,
        ),
        None => None,
    };

    let user = blocking::write(&state, move |conn| {
        let current = find_visible(conn, &caller, &id)?;
        let current_role: Role = current.role.parse().map_err(ApiError::internal)?;
        let is_self = current.id == caller.id();
        let manages = policy::may_manage_user(
            &caller.principal,
            &caller.view,
            current_role,
            current.team_id.as_deref(),
        );
        let changes_placement = input.role.is_some_and(|r| r != current_role)
            || team_id.as_ref().is_some_and(|t| *t != current.team_id);
        if changes_placement {
            let new_role = input.role.unwrap_or(current_role);
            let new_team = team_id.clone().unwrap_or(current.team_id.clone());
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
            if let Some(Some(team)) = &team_id {
                check_team_reference(conn, &caller, team)?;
            }
        } else if !(is_self || manages) {
            return Err(ApiError::forbidden("you may not change this user"));
        }
        if_match.check(current.version)?;

        let ends_sessions = password_hash.is_some();
        let changes = UserChanges {
            email: email.map(Email::into_string),
            name,
            phone,
            role: input.role.map(|r| r.as_str().to_owned()),
            team_id,
            password_hash,
            updated_at: Some(now().naive_utc()),
            ..Default::default()
        };
        if !users::update(conn, &current.id, current.version, &changes).map_err(email_taken)? {
            return Err(ApiError::precondition_failed());
        }
        if ends_sessions {
            users::end_all_sessions(conn, &current.id, now().naive_utc())?;
        }
        Ok(users::find(conn, &TeamScope::everything(), &current.id)?)
    })
    .await?;
    let version = user.version;
    Ok(Reply::ok(&User::try_from(user)?).versioned(version))
}
