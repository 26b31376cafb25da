//! People who sign in.

use crate::error::DbError;
use crate::pagination::{Page, PageRequest};
use crate::schema::users;
use crate::scope::{in_scope, TeamScope};
use crate::stored::{Stored, StoredOption};
use crate::{paginate, DbConnection, Timestamp};
use diesel::prelude::*;
use ironfield_domain::ids::{TeamId, UserId};
use ironfield_domain::Role;

// No `Identifiable` (see `LeadRow`).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub phone: Option<String>,
    #[diesel(deserialize_as = Stored)]
    pub role: Role,
    #[diesel(deserialize_as = StoredOption)]
    pub team_id: Option<TeamId>,
    pub password_hash: String,
    pub session_epoch: i64,
    pub deactivated_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

impl UserRow {
    pub fn is_active(&self) -> bool {
        self.deactivated_at.is_none()
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    #[diesel(serialize_as = Stored)]
    pub id: UserId,
    pub email: &'a str,
    pub name: &'a str,
    pub phone: Option<&'a str>,
    #[diesel(serialize_as = Stored)]
    pub role: Role,
    #[diesel(serialize_as = StoredOption)]
    pub team_id: Option<TeamId>,
    pub password_hash: &'a str,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// The fields a PATCH may change; `None` leaves a field alone.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub email: Option<String>,
    pub name: Option<String>,
    pub phone: Option<Option<String>>,
    #[diesel(serialize_as = Stored)]
    pub role: Option<Role>,
    #[diesel(serialize_as = StoredOption)]
    pub team_id: Option<Option<TeamId>>,
    pub password_hash: Option<String>,
    pub session_epoch: Option<i64>,
    pub deactivated_at: Option<Option<Timestamp>>,
    pub updated_at: Option<Timestamp>,
}

/// List filters, each optional; the teams come from the list's `TeamScope`.
#[derive(Debug, Default)]
pub struct UserFilter {
    pub team_id: Option<TeamId>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    pub updated_since: Option<Timestamp>,
}

pub fn insert(conn: &mut DbConnection, user: &NewUser<'_>) -> Result<UserRow, DbError> {
    // By value: typed fields (`Stored`) make diesel's insert owned-only.
    diesel::insert_into(users::table)
        .values(user.clone())
        .execute(conn)?;
    // Just written by the caller, who may create outside their own view (an admin).
    find(conn, &TeamScope::everything(), &user.id)
}

/// The user `id` if their team is inside `scope` (else `NotFound`).
pub fn find(conn: &mut DbConnection, scope: &TeamScope, id: &UserId) -> Result<UserRow, DbError> {
    Ok(in_scope!(
        users::table.find(id.as_str()).into_boxed(),
        scope,
        users::team_id
    )
    .select(UserRow::as_select())
    .first(conn)?)
}

pub fn find_by_email(conn: &mut DbConnection, email: &str) -> Result<Option<UserRow>, DbError> {
    Ok(users::table
        .filter(users::email.eq(email))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn count(conn: &mut DbConnection) -> Result<i64, DbError> {
    Ok(users::table.count().get_result(conn)?)
}

/// Applies `changes` if the row is still at `version`, bumping the version. Returns whether a
/// row was updated: `false` means another write got there first.
pub fn update(
    conn: &mut DbConnection,
    id: &UserId,
    version: i64,
    changes: &UserChanges,
) -> Result<bool, DbError> {
    let updated = diesel::update(
        users::table
            .filter(users::id.eq(id.as_str()))
            .filter(users::version.eq(version)),
    )
    .set((changes.clone(), users::version.eq(users::version + 1)))
    .execute(conn)?;
    Ok(updated == 1)
}

pub fn list(
    conn: &mut DbConnection,
    scope: &TeamScope,
    filter: &UserFilter,
    page: &PageRequest,
) -> Result<Page<UserRow>, DbError> {
    let query = users::table.select(UserRow::as_select()).into_boxed();
    let mut query = in_scope!(query, scope, users::team_id);
    if let Some(team) = &filter.team_id {
        query = query.filter(users::team_id.eq(team.as_str().to_owned()));
    }
    if let Some(role) = filter.role {
        query = query.filter(users::role.eq(Stored::from(role)));
    }
    match filter.active {
        Some(true) => query = query.filter(users::deactivated_at.is_null()),
        Some(false) => query = query.filter(users::deactivated_at.is_not_null()),
        None => {}
    }
    if let Some(since) = filter.updated_since {
        query = query.filter(users::updated_at.ge(since));
    }
    let rows = paginate!(query, users, page).load(conn)?;
    Ok(Page::from_rows(rows, page.limit, |u: &UserRow| {
        (u.created_at, u.id.to_string())
    }))
}

/// Ends every session of a user: access tokens issued so far stop working (their session
/// epoch is stale) and every refresh token is revoked. The profile's `version` is untouched.
pub fn end_all_sessions(
    conn: &mut DbConnection,
    id: &UserId,
    now: Timestamp,
) -> Result<(), DbError> {
    diesel::update(users::table.find(id.as_str()))
        .set(users::session_epoch.eq(users::session_epoch + 1))
        .execute(conn)?;
    crate::refresh_tokens::revoke_all_for_user(conn, id, now)
}
