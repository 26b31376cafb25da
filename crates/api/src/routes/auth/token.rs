use crate::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::json::{self, RawBody};
use crate::reply::Reply;
use crate::state::AppState;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{post, web, HttpRequest};
use ironfield_auth::{opaque, PrincipalKind, Scopes};
use ironfield_domain::time::now;
use ironfield_persistence::service_accounts;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An OAuth2 client-credentials request (RFC 6749 §4.4), as a form or as JSON.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientCredentialsRequest {
    #[schema(example = "client_credentials")]
    pub grant_type: String,
    pub client_id: String,
    pub client_secret: String,
    /// Space-separated scopes to request; defaults to all the account holds.
    #[schema(example = "leads:read visits:write")]
    pub scope: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceTokenResponse {
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    #[schema(example = 900)]
    pub expires_in: i64,
    /// The scopes granted, space-separated.
    #[schema(example = "leads:read visits:write")]
    pub scope: String,
}

/// Service-account token
///
/// OAuth2 client credentials: trades a service account's `client_id` and `client_secret`
/// for an access token carrying the requested scopes (all of the account's by default).
/// Accepts `application/x-www-form-urlencoded` or JSON. Attempts are rate-limited per client.
#[utoipa::path(
    tag = "auth",
    security(()),
    request_body(
        content(
            (ClientCredentialsRequest = "application/x-www-form-urlencoded"),
            (ClientCredentialsRequest = "application/json"),
        )
    ),
    responses(
        (status = 200, description = "An access token for the service account", body = ServiceTokenResponse),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 413, response = crate::spec_types::PayloadTooLarge),
        (status = 422, response = crate::spec_types::ValidationFailed),
        (status = 429, response = crate::spec_types::RateLimited),
    )
)]
#[post("/auth/token")]
pub async fn token(
    state: web::Data<AppState>,
    req: HttpRequest,
    RawBody(body): RawBody,
) -> ApiResult<Reply> {
    let is_form = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let request: ClientCredentialsRequest = if is_form {
        json::parse_form(&body)?
    } else {
        json::parse(&body)?
    };
    if request.grant_type != "client_credentials" {
        return Err(ApiError::invalid_field(
            "grant_type",
            "only `client_credentials` is supported here; people sign in at /auth/login",
        ));
    }
    let requested = request
        .scope
        .as_deref()
        .map(Scopes::parse)
        .transpose()
        .map_err(|e| ApiError::invalid_field("scope", e.to_string()))?;
    let address = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    let limit_key = format!("client:{}", request.client_id);
    state
        .login_limiter
        .check(&state, &limit_key, &address)
        .await?;

    let client_id = request.client_id.clone();
    let account = blocking::read(&state, move |conn| {
        Ok(service_accounts::find_live_by_client_id(conn, &client_id)?)
    })
    .await?;
    let secret_hash = opaque::digest(&request.client_secret);
    let Some(account) = account.filter(|a| constant_time_eq(&a.secret_hash, &secret_hash)) else {
        state
            .login_limiter
            .record_failure(&state, &limit_key, &address)
            .await?;
        return Err(ApiError::unauthorized("the client id or secret is wrong"));
    };
    let granted = account.scopes;
    let scopes = match requested {
        Some(requested) if !requested.is_subset(&granted) => {
            return Err(ApiError::invalid_field(
                "scope",
                format!("this account holds only: {granted}"),
            ))
        }
        Some(requested) => requested,
        None => granted,
    };
    let access_token = state
        .tokens
        .issue(
            account.id.as_str(),
            PrincipalKind::Service,
            None,
            Some(scopes.to_string()),
            now(),
        )
        .map_err(ApiError::internal)?;
    Ok(Reply::ok(&ServiceTokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: state.tokens.ttl.num_seconds(),
        scope: scopes.to_string(),
    }))
}

/// Compares two digests without stopping at the first difference.
fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
