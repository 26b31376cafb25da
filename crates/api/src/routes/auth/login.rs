use super::{respond, token_response, Delivery, TokenResponse};
use crate::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::password_work;
use crate::services::sessions;
use crate::state::AppState;
use actix_web::{post, web, HttpRequest, HttpResponse};
use ironfield_auth::password;
use ironfield_domain::ids::TokenFamilyId;
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
    /// Browser apps: keep the refresh token only in the `HttpOnly; SameSite=Strict`
    /// cookie `ironfield_refresh` (path `/api/v1/auth`) instead of the response body, so no
    /// script in the page can read it. Refreshes of this session then read and rotate the
    /// cookie. Default `false`: the token is in the body, as native clients expect.
    #[serde(default)]
    pub refresh_cookie: bool,
}

/// Sign in
///
/// Trades an e-mail and password for a short-lived access token and a refresh token.
/// Attempts are rate-limited per account and per client address (429 with `Retry-After`);
/// a wrong password, an unknown e-mail and a deactivated account all answer the same 401.
/// With `refresh_cookie: true` the refresh token is set as the `HttpOnly` cookie
/// `ironfield_refresh` (`Path=/api/v1/auth; SameSite=Strict`, `Secure` over https) and left
/// out of the body.
#[utoipa::path(
    tag = "auth",
    security(()),
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in: an access token, and a refresh token (in the body, or only in the cookie)", body = TokenResponse, headers(
            ("Set-Cookie" = String, description = "With `refresh_cookie: true`: `ironfield_refresh=<refresh token>; Path=/api/v1/auth; Max-Age=<secs>; HttpOnly; SameSite=Strict` (plus `Secure` over https)")
        )),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 413, response = crate::spec_types::PayloadTooLarge),
        (status = 422, response = crate::spec_types::ValidationFailed),
        (status = 429, response = crate::spec_types::RateLimited),
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ApiJson<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let LoginRequest {
        email,
        password,
        refresh_cookie,
    } = body.into_inner();
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
    let verified = password_work::run(move || match user {
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
        let user_id = user.id.clone();
        let ttl = state.settings.refresh_ttl;
        move |conn| sessions::issue(conn, &user_id, &TokenFamilyId::new(), ttl)
    })
    .await?;
    tracing::info!(user_id = %user.id, "signed in");
    let delivery = if refresh_cookie {
        Delivery::Cookie
    } else {
        Delivery::Body
    };
    let tokens = token_response(&state, &user.id, user.session_epoch, refresh)?;
    Ok(respond(&req, &state, tokens, delivery))
}
