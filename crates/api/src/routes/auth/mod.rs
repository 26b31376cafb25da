//! Signing in and out.

mod cookie;
mod login;
mod logout;
mod refresh;
mod token;

use crate::error::ApiResult;
use crate::state::AppState;
use ironfield_auth::PrincipalKind;
use ironfield_domain::ids::UserId;
use ironfield_domain::time::now;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(login::login)
        .service(refresh::refresh)
        .service(logout::logout)
        .service(token::token);
}

/// Tokens for a signed-in person.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// A signed JWT; send it as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: i64,
    /// Opaque; trade it at `POST /auth/refresh` for new tokens. Each works once. Absent
    /// when the session keeps its refresh token in the `ironfield_refresh` cookie instead
    /// (a sign-in with `refresh_cookie: true`, and every refresh of such a session).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

/// How a session's refresh token travels: in JSON bodies (native clients) or only in the
/// `HttpOnly` cookie (browser apps; see [`cookie`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delivery {
    Body,
    Cookie,
}

/// The token response, with the refresh token in the body or in a `Set-Cookie` header.
pub(crate) fn respond(
    req: &actix_web::HttpRequest,
    state: &AppState,
    mut tokens: TokenResponse,
    delivery: Delivery,
) -> actix_web::HttpResponse {
    use actix_web::Responder;
    let refresh = match delivery {
        Delivery::Body => None,
        Delivery::Cookie => tokens.refresh_token.take(),
    };
    let mut response = crate::reply::Reply::ok(&tokens).respond_to(req);
    if let Some(token) = refresh {
        let max_age = state.settings.refresh_ttl.num_seconds();
        if let Ok(value) =
            actix_web::http::header::HeaderValue::from_str(&cookie::set(req, &token, max_age))
        {
            response
                .headers_mut()
                .append(actix_web::http::header::SET_COOKIE, value);
        }
    }
    response
}

/// Signs an access token for a user at their current session epoch.
pub(crate) fn token_response(
    state: &AppState,
    user_id: &UserId,
    session_epoch: i64,
    refresh_token: String,
) -> ApiResult<TokenResponse> {
    let access_token = state
        .tokens
        .issue(
            user_id.as_str(),
            PrincipalKind::User,
            Some(session_epoch),
            None,
            now(),
        )
        .map_err(crate::error::ApiError::internal)?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: state.tokens.ttl.num_seconds(),
        refresh_token: Some(refresh_token),
    })
}
