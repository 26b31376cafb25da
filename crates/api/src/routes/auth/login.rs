use super::{store_refresh_token, token_response, TokenResponse};
use crate::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::reply::Reply;
use crate::state::AppState;
use actix_web::{post, web, HttpRequest};
use ironfield_auth::password;
use ironfield_domain::ids::new_id;
use ironfield_persistence::users;
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "lead@example.com")]
    pub email: String,
    #[schema(example = "correct horse battery staple", format = Password)]
    pub password: String,
}

/// Sign in
///
/// Trades an e-mail and password for a short-lived access token and a refresh token.
/// Attempts are rate-limited per account and per client address (429 with `Retry-After`);
/// a wrong password, an unknown e-mail and a deactivated account all answer the same 401.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 422, response = crate::openapi::ValidationFailed),
        (status = 429, response = crate::openapi::RateLimited),
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ApiJson<LoginRequest>,
) -> ApiResult<Reply> {
    let LoginRequest { email, password } = body.into_inner();
    let email = email.trim().to_lowercase();
    let address = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    state.login_limiter.check(&state, &email, &address).await?;

    let user = blocking::read(&state, {
        let email = email.clone();
        move |conn| Ok(users::find_by_email(conn, &email)?)
    })
    .await?;
    // Hashing is slow on purpose: keep it off the async workers, and equally slow whether
    // or not the account exists.
    let verified = web::block(move || match user {
        Some(user) if password::verify(&password, &user.password_hash) && user.is_active() => {
            Some(user)
        }
        Some(_) => None,
        None => {
            password::verify_against_nothing(&password);
            None
        }
    })
    .await?;
    let Some(user) = verified else {
        tracing::info!("failed login");
        state
            .login_limiter
            .record_failure(&state, &email, &address)
            .await?;
        return Err(ApiError::unauthorized("the e-mail or password is wrong"));
    };

    let refresh = blocking::write(&state, {
        let state = state.clone();
        let user_id = user.id.clone();
        move |conn| store_refresh_token(conn, &state, &user_id, &new_id())
    })
    .await?;
    tracing::info!(user_id = %user.id, "signed in");
    Ok(Reply::ok(&token_response(
        &state,
        &user.id,
        user.session_epoch,
        refresh,
    )?))
}
