//! Refresh tokens, stored only as hashes, rotated on every use. All tokens descended from one
//! login share a `family_id`: presenting a spent token revokes the whole family, since either
//! the user or a thief holds a newer one.

use crate::error::DbError;
use crate::schema::refresh_tokens;
use crate::stored::Stored;
use crate::{DbConnection, Timestamp};
use diesel::prelude::*;
use ironfield_domain::ids::{RefreshTokenId, TokenFamilyId, UserId};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshTokenRow {
    #[diesel(deserialize_as = Stored)]
    pub id: RefreshTokenId,
    #[diesel(deserialize_as = Stored)]
    pub user_id: UserId,
    #[diesel(deserialize_as = Stored)]
    pub family_id: TokenFamilyId,
    pub token_hash: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = refresh_tokens)]
pub struct NewRefreshToken<'a> {
    #[diesel(serialize_as = Stored)]
    pub id: RefreshTokenId,
    #[diesel(serialize_as = Stored)]
    pub user_id: UserId,
    #[diesel(serialize_as = Stored)]
    pub family_id: TokenFamilyId,
    pub token_hash: &'a str,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

pub fn insert(conn: &mut DbConnection, token: &NewRefreshToken<'_>) -> Result<(), DbError> {
    // By value: typed fields (`Stored`) make diesel's insert owned-only.
    diesel::insert_into(refresh_tokens::table)
        .values(token.clone())
        .execute(conn)?;
    Ok(())
}

pub fn find_by_hash(
    conn: &mut DbConnection,
    token_hash: &str,
) -> Result<Option<RefreshTokenRow>, DbError> {
    Ok(refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .select(RefreshTokenRow::as_select())
        .first(conn)
        .optional()?)
}

/// Marks the token spent if nobody spent it first; `false` means it was already used (by a
/// concurrent refresh, or a replay).
pub fn mark_used(
    conn: &mut DbConnection,
    id: &RefreshTokenId,
    now: Timestamp,
) -> Result<bool, DbError> {
    let updated = diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::id.eq(id.as_str()))
            .filter(refresh_tokens::used_at.is_null()),
    )
    .set(refresh_tokens::used_at.eq(now))
    .execute(conn)?;
    Ok(updated == 1)
}

pub fn revoke_family(
    conn: &mut DbConnection,
    family_id: &TokenFamilyId,
    now: Timestamp,
) -> Result<(), DbError> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family_id.as_str()))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now))
    .execute(conn)?;
    Ok(())
}

pub fn revoke_all_for_user(
    conn: &mut DbConnection,
    user_id: &UserId,
    now: Timestamp,
) -> Result<(), DbError> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user_id.as_str()))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now))
    .execute(conn)?;
    Ok(())
}
