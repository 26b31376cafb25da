use super::{store_refresh_token, token_response, TokenResponse};
use crate::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::reply::Reply;
use crate::state::AppState;
use actix_web::{post, web};
use ironfield_auth::opaque;
use ironfield_domain::time::now;
use ironfield_persistence::{refresh_tokens, users};
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

enum Outcome {
    Rotated {
        user_id: String,
        epoch: i64,
        token: String,
    },
    Refused,
}

/// Refresh tokens
///
/// Trades a refresh token for a new access token and a new refresh token; the old refresh
/// token is spent. Presenting a spent refresh token again revokes every token descended from
/// the same sign-in (someone else may hold the newer one) and answers 401.
#[utoipa::path(
    tag = "auth",
    security(()),
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new access token and the next refresh token", body = TokenResponse),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    body: ApiJson<RefreshRequest>,
) -> ApiResult<Reply> {
    let token_hash = opaque::digest(&body.into_inner().refresh_token);
    let outcome = blocking::write(&state, {
        let state = state.clone();
        move |conn| {
            let at = now().naive_utc();
            let Some(token) = refresh_tokens::find_by_hash(conn, &token_hash)? else {
                return Ok(Outcome::Refused);
            };
            if token.revoked_at.is_some() || token.expires_at <= at {
                return Ok(Outcome::Refused);
            }
            // Spent already (a replay), or spent by a concurrent refresh: revoke the family.
            // This commits: the revocation must stick even though the caller gets a 401.
            if token.used_at.is_some() || !refresh_tokens::mark_used(conn, &token.id, at)? {
                tracing::warn!(family = %token.family_id, "refresh token re-used; family revoked");
                refresh_tokens::revoke_family(conn, &token.family_id, at)?;
                return Ok(Outcome::Refused);
            }
            let user = users::find(conn, &token.user_id)?;
            if !user.is_active() {
                return Ok(Outcome::Refused);
            }
            let new_token = store_refresh_token(conn, &state, &user.id, &token.family_id)?;
            Ok(Outcome::Rotated {
                user_id: user.id,
                epoch: user.session_epoch,
                token: new_token,
            })
        }
    })
    .await?;
    match outcome {
        Outcome::Rotated {
            user_id,
            epoch,
            token,
        } => Ok(Reply::ok(&token_response(&state, &user_id, epoch, token)?)),
        Outcome::Refused => Err(ApiError::unauthorized(
            "the refresh token is invalid, expired, revoked or already used",
        )),
    }
}
