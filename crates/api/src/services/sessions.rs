//! Sign-in sessions as refresh tokens: a sign-in starts a family of tokens, each spent once
//! for the next; a spent token presented again revokes its whole family.

use crate::error::{ApiError, ApiResult};
use chrono::Duration;
use ironfield_auth::opaque;
use ironfield_domain::ids::{RefreshTokenId, TokenFamilyId, UserId};
use ironfield_domain::time::now;
use ironfield_persistence::refresh_tokens::{self, NewRefreshToken};
use ironfield_persistence::{users, DbConnection, TeamScope};

/// Stores a new refresh token of `user_id` in `family_id` (a new family for a new sign-in),
/// good for `ttl`, and returns it; only its digest is kept.
pub fn issue(
    conn: &mut DbConnection,
    user_id: &UserId,
    family_id: &TokenFamilyId,
    ttl: Duration,
) -> ApiResult<String> {
    let token = opaque::generate("rt_");
    let created_at = now();
    refresh_tokens::insert(
        conn,
        &NewRefreshToken {
            id: RefreshTokenId::new(),
            user_id: user_id.clone(),
            family_id: family_id.clone(),
            token_hash: &opaque::digest(&token),
            created_at: created_at.naive_utc(),
            expires_at: (created_at + ttl).naive_utc(),
        },
    )?;
    Ok(token)
}

/// A refresh token spent for its successor.
#[derive(Debug)]
pub struct Rotated {
    pub user_id: UserId,
    pub session_epoch: i64,
    pub refresh_token: String,
}

/// Spends the refresh token whose digest is `token_hash` for a new one of the same family
/// (good for `ttl`). `None` when it is unknown, expired, revoked or its user inactive, or
/// when it was spent already (a replay, or a concurrent refresh): then its family is revoked,
/// and that revocation must commit although the caller is refused.
pub fn rotate(
    conn: &mut DbConnection,
    token_hash: &str,
    ttl: Duration,
) -> ApiResult<Option<Rotated>> {
    let at = now().naive_utc();
    let Some(token) = refresh_tokens::find_by_hash(conn, token_hash)? else {
        return Ok(None);
    };
    if token.revoked_at.is_some() || token.expires_at <= at {
        return Ok(None);
    }
    if token.used_at.is_some() || !refresh_tokens::mark_used(conn, &token.id, at)? {
        tracing::warn!(family = %token.family_id, "refresh token re-used; family revoked");
        refresh_tokens::revoke_family(conn, &token.family_id, at)?;
        return Ok(None);
    }
    // Every team: the token names its user, whoever they are.
    let user = users::find(conn, &TeamScope::everything(), &token.user_id)?;
    if !user.is_active() {
        return Ok(None);
    }
    let refresh_token = issue(conn, &user.id, &token.family_id, ttl)?;
    Ok(Some(Rotated {
        user_id: user.id,
        session_epoch: user.session_epoch,
        refresh_token,
    }))
}

/// Signs `user_id` out: of the session whose refresh token is `token` (its family revoked;
/// 422 when it is not theirs), or, with no token or `everywhere`, of every session (every
/// token issued to them stops working).
pub fn sign_out(
    conn: &mut DbConnection,
    user_id: &UserId,
    token: Option<&str>,
    everywhere: bool,
) -> ApiResult<()> {
    let at = now().naive_utc();
    match token {
        Some(token) if !everywhere => {
            match refresh_tokens::find_by_hash(conn, &opaque::digest(token))? {
                Some(row) if row.user_id == *user_id => {
                    refresh_tokens::revoke_family(conn, &row.family_id, at)?;
                }
                _ => {
                    return Err(ApiError::invalid_field(
                        "refresh_token",
                        "is not a refresh token of yours",
                    ))
                }
            }
        }
        _ => users::end_all_sessions(conn, user_id, at)?,
    }
    Ok(())
}
