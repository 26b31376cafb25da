use super::User;
use crate::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Caller, IdempotencyKey};
use crate::idempotency;
use crate::password_work;
use crate::reply::Reply;
use crate::services::users::{self, check_placement, UserDraft};
use crate::state::AppState;
use actix_web::{post, web};
use ironfield_auth::password;
use ironfield_domain::{validation, Email, Role, ValidationErrors};
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "email": "wang.fang@example.com", "name": "王芳", "role": "rep",
    "team_id": "0193a1b2-0000-7000-8000-000000000001", "password": "a long passphrase"
}))]
pub struct CreateUser {
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    #[schema(pattern = r"\S", max_length = 100)]
    pub name: String,
    pub role: Role,
    #[schema(format = Uuid)]
    pub team_id: Option<String>,
    /// At least 10 characters.
    #[schema(min_length = 10, max_length = 1024, format = Password)]
    pub password: String,
    #[schema(max_length = 32)]
    pub phone: Option<String>,
}

/// A create request that passed validation.
struct ValidUser {
    email: Email,
    name: String,
    role: Role,
    team_id: Option<String>,
    password: String,
    phone: Option<String>,
}

impl TryFrom<CreateUser> for ValidUser {
    type Error = ValidationErrors;

    fn try_from(input: CreateUser) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let email = errors.check("email", Email::parse(&input.email));
        let name = errors.check("name", validation::required_text(&input.name, 100));
        errors.check("password", validation::password(&input.password));
        let phone = input
            .phone
            .as_deref()
            .and_then(|p| errors.check("phone", validation::optional_text(p, 32)))
            .filter(|p| !p.is_empty());
        let team_id = match input.team_id.as_deref() {
            Some(raw) => errors.check(
                "team_id",
                ironfield_domain::ids::parse_id(raw).ok_or("must be a team id"),
            ),
            None => None,
        };
        match (email, name) {
            (Some(email), Some(name)) if errors.is_empty() => Ok(ValidUser {
                email,
                name,
                role: input.role,
                team_id,
                password: input.password,
                phone,
            }),
            _ => Err(errors),
        }
    }
}

/// Create a user
///
/// An admin creates anyone; a manager creates non-admin users in the teams of their branch;
/// team leads and reps create no one (403). The password is stored only as an argon2id hash.
#[utoipa::path(
    tag = "users",
    request_body = CreateUser,
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, pattern = r"^[!-~]{1,255}$", description = "Makes a retry safe: the same key and body from the same caller replay the first response (with `Idempotent-Replayed: true`) and create nothing; 1 to 255 visible ASCII characters, kept at least 24 hours")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created: the new user", body = User, headers(("ETag" = String), ("Location" = String))),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 409, response = crate::spec_types::Conflict),
        (status = 413, response = crate::spec_types::PayloadTooLarge),
        (status = 422, response = crate::spec_types::IdempotencyKeyReused),
    )
)]
#[post("/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    body: ApiJson<CreateUser>,
) -> ApiResult<Reply> {
    caller.require_user()?;
    idempotency::create_once(state, caller, key, body, |state, caller, body| async move {
        let input = ValidUser::try_from(body)?;
        check_placement(&caller, input.role, input.team_id.as_deref())?;
        let password = input.password;
        let password_hash = password_work::run(move || password::hash(&password))
            .await?
            .map_err(ApiError::internal)?;
        let draft = UserDraft {
            email: input.email,
            name: input.name,
            phone: input.phone,
            role: input.role,
            team_id: input.team_id,
            password_hash,
        };
        let user = blocking::write(&state, move |conn| users::create(conn, &caller, draft)).await?;
        let location = format!("/api/v1/users/{}", user.id);
        let version = user.version;
        Ok(Reply::created(&User::from(user), location).versioned(version))
    })
    .await
}
