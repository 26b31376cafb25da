use super::{cookie, respond, token_response, Delivery, TokenResponse};
use crate::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::json::{self, RawBody};
use crate::services::sessions;
use crate::state::AppState;
use actix_web::{post, web, HttpRequest, HttpResponse};
use ironfield_auth::opaque;
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token. Leave it out (or send no body) when the session keeps it in the
    /// `ironfield_refresh` cookie; the cookie is read then.
    pub refresh_token: Option<String>,
}

/// Refresh tokens
///
/// Trades a refresh token for a new access token and a new refresh token; the old refresh
/// token is spent. Presenting a spent refresh token again revokes every token descended from
/// the same sign-in (someone else may hold the newer one) and answers 401.
///
/// The refresh token comes from the body, or, when the body has none, from the `HttpOnly`
/// cookie `ironfield_refresh` that a sign-in with `refresh_cookie: true` set. It goes back
/// the way it came: a body token is answered in the body; a cookie token is rotated in the
/// cookie (`Set-Cookie`) and left out of the body, so page scripts never see it. With
/// neither, 401.
#[utoipa::path(
    tag = "auth",
    security(()),
    request_body(content = Option<RefreshRequest>),
    params(
        ("ironfield_refresh" = Option<String>, Cookie, description = "The refresh token of a browser session (set by sign-in with `refresh_cookie: true`); used when the body has no `refresh_token`.")
    ),
    responses(
        (status = 200, description = "A new access token and the next refresh token", body = TokenResponse, headers(
            ("Set-Cookie" = String, description = "When the cookie was used: the rotated `ironfield_refresh` cookie (`Path=/api/v1/auth; HttpOnly; SameSite=Strict`, `Secure` over https)")
        )),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 413, response = crate::spec_types::PayloadTooLarge),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    req: HttpRequest,
    RawBody(body): RawBody,
) -> ApiResult<HttpResponse> {
    // No body, an empty one or `null` (the schema allows it): the cookie's token, if any.
    let request: RefreshRequest = if body.trim_ascii().is_empty() {
        RefreshRequest::default()
    } else {
        json::parse::<Option<RefreshRequest>>(&body)?.unwrap_or_default()
    };
    let (presented, delivery) = match request.refresh_token {
        Some(token) => (token, Delivery::Body),
        None => match cookie::read(&req) {
            Some(token) => (token, Delivery::Cookie),
            None => {
                return Err(ApiError::unauthorized(
                    "no refresh token: send `refresh_token`, or sign in again",
                ))
            }
        },
    };
    let token_hash = opaque::digest(&presented);
    let ttl = state.settings.refresh_ttl;
    let rotated =
        blocking::write(&state, move |conn| sessions::rotate(conn, &token_hash, ttl)).await?;
    match rotated {
        Some(rotated) => {
            let tokens = token_response(
                &state,
                &rotated.user_id,
                rotated.session_epoch,
                rotated.refresh_token,
            )?;
            Ok(respond(&req, &state, tokens, delivery))
        }
        None => {
            let problem = ApiError::unauthorized(
                "the refresh token is invalid, expired, revoked or already used",
            );
            if delivery == Delivery::Body {
                return Err(problem);
            }
            // A dead cookie is removed, so the browser stops sending it.
            let mut response = actix_web::ResponseError::error_response(&problem);
            if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&cookie::clear(&req))
            {
                response
                    .headers_mut()
                    .append(actix_web::http::header::SET_COOKIE, value);
            }
            Ok(response)
        }
    }
}
