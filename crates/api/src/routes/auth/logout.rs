use crate::blocking;
use crate::error::ApiResult;
use crate::extract::json::{self, RawBody};
use crate::extract::Caller;
use crate::reply::Reply;
use crate::services::sessions;
use crate::state::AppState;
use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LogoutRequest {
    /// The refresh token of this session; its whole chain is revoked.
    pub refresh_token: Option<String>,
    /// Sign out of every session: all refresh tokens are revoked and every access token
    /// issued so far stops working. Implied when no `refresh_token` is sent.
    #[serde(default)]
    pub everywhere: bool,
}

/// Sign out
///
/// With a `refresh_token`, ends that session (the refresh token and its chain are revoked;
/// the short-lived access token expires on its own). With none, or `everywhere: true`, ends
/// every session of the caller at once, access tokens included. The body may be absent,
/// empty or `null`.
/// A browser session (refresh token in the `ironfield_refresh` cookie) is ended by sending
/// no `refresh_token`: the cookie's token is revoked, and the cookie is cleared
/// (`Set-Cookie` with `Max-Age=0`).
#[utoipa::path(
    tag = "auth",
    request_body(content = Option<LogoutRequest>),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out", headers(
            ("Set-Cookie" = String, description = "Clears the `ironfield_refresh` cookie")
        )),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 413, response = crate::spec_types::PayloadTooLarge),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    RawBody(body): RawBody,
) -> ApiResult<HttpResponse> {
    let user_id = caller.require_user_id()?.clone();
    // No body, an empty one or JSON `null` (the schema allows it): sign out everywhere.
    let mut request: LogoutRequest = if body.trim_ascii().is_empty() {
        LogoutRequest::default()
    } else {
        json::parse::<Option<LogoutRequest>>(&body)?.unwrap_or_default()
    };
    if request.refresh_token.is_none() {
        request.refresh_token = super::cookie::read(&req);
    }
    blocking::write(&state, move |conn| {
        let token = request.refresh_token.as_deref();
        sessions::sign_out(conn, &user_id, token, request.everywhere)
    })
    .await?;
    let mut response = actix_web::Responder::respond_to(Reply::no_content(), &req);
    if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&super::cookie::clear(&req)) {
        response
            .headers_mut()
            .append(actix_web::http::header::SET_COOKIE, value);
    }
    Ok(response)
}
