//! Service accounts: other internal tools, signing in with OAuth2 client credentials.

use crate::error::DbError;
use crate::pagination::{Page, PageRequest};
use crate::schema::service_accounts;
use crate::stored::Stored;
use crate::{paginate, DbConnection, Timestamp};
use diesel::prelude::*;
use ironfield_domain::ids::ServiceAccountId;
use ironfield_domain::scope::Scopes;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = service_accounts)]
pub struct ServiceAccountRow {
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub id: ServiceAccountId,
    pub name: String,
    pub client_id: String,
    pub secret_hash: String,
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub scopes: Scopes,
    pub created_by: String,
    pub created_at: Timestamp,
    pub deleted_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = service_accounts)]
pub struct NewServiceAccount<'a> {
    #[diesel(serialize_as = Stored)]
    pub id: ServiceAccountId,
    pub name: &'a str,
    pub client_id: &'a str,
    pub secret_hash: &'a str,
    #[diesel(serialize_as = Stored)]
    pub scopes: Scopes,
    pub created_by: &'a str,
    pub created_at: Timestamp,
}

pub fn insert(
    conn: &mut DbConnection,
    account: &NewServiceAccount<'_>,
) -> Result<ServiceAccountRow, DbError> {
    // By value: typed fields (`Stored`) make diesel's insert owned-only.
    diesel::insert_into(service_accounts::table)
        .values(account.clone())
        .execute(conn)?;
    find_live(conn, &account.id)
}

/// An account that has not been deleted.
pub fn find_live(
    conn: &mut DbConnection,
    id: &ServiceAccountId,
) -> Result<ServiceAccountRow, DbError> {
    Ok(service_accounts::table
        .find(id.as_str())
        .filter(service_accounts::deleted_at.is_null())
        .select(ServiceAccountRow::as_select())
        .first(conn)?)
}

pub fn find_live_by_client_id(
    conn: &mut DbConnection,
    client_id: &str,
) -> Result<Option<ServiceAccountRow>, DbError> {
    Ok(service_accounts::table
        .filter(service_accounts::client_id.eq(client_id))
        .filter(service_accounts::deleted_at.is_null())
        .select(ServiceAccountRow::as_select())
        .first(conn)
        .optional()?)
}

/// Deletes (keeps the row for the record, marked deleted); its tokens stop working at once.
pub fn delete(
    conn: &mut DbConnection,
    id: &ServiceAccountId,
    now: Timestamp,
) -> Result<bool, DbError> {
    let updated = diesel::update(
        service_accounts::table
            .find(id.as_str())
            .filter(service_accounts::deleted_at.is_null()),
    )
    .set(service_accounts::deleted_at.eq(now))
    .execute(conn)?;
    Ok(updated == 1)
}

pub fn list(
    conn: &mut DbConnection,
    page: &PageRequest,
) -> Result<Page<ServiceAccountRow>, DbError> {
    let query = service_accounts::table
        .filter(service_accounts::deleted_at.is_null())
        .select(ServiceAccountRow::as_select())
        .into_boxed();
    let rows = paginate!(query, service_accounts, page).load(conn)?;
    Ok(Page::from_rows(
        rows,
        page.limit,
        |a: &ServiceAccountRow| (a.created_at, a.id.to_string()),
    ))
}
