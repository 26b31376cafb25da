//! Service accounts: other internal tools, managed by admins; each signs in with a client id
//! and a secret of which only the digest is kept.

use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use ironfield_auth::{opaque, Scopes};
use ironfield_domain::ids::{new_id, ServiceAccountId};
use ironfield_domain::time::now;
use ironfield_persistence::service_accounts::{self, NewServiceAccount, ServiceAccountRow};
use ironfield_persistence::DbConnection;

/// Creates a service account holding `scopes` (admins only) and returns it with its client
/// secret, which is shown this once. Runs in the caller's write transaction.
pub fn create(
    conn: &mut DbConnection,
    caller: &Caller,
    name: &str,
    scopes: &Scopes,
) -> ApiResult<(ServiceAccountRow, String)> {
    caller.require_admin()?;
    let secret = opaque::generate("cs_");
    let client_id = format!("svc_{}", new_id().replace('-', ""));
    let row = service_accounts::insert(
        conn,
        &NewServiceAccount {
            id: ServiceAccountId::new(),
            name,
            client_id: &client_id,
            secret_hash: &opaque::digest(&secret),
            scopes: scopes.clone(),
            created_by: caller.id(),
            created_at: now().naive_utc(),
        },
    )?;
    Ok((row, secret))
}

/// Deletes a service account (admins only; one already gone is 404); its tokens stop
/// working at once. Runs in the caller's write transaction.
pub fn delete(conn: &mut DbConnection, caller: &Caller, id: &ServiceAccountId) -> ApiResult<()> {
    caller.require_admin()?;
    if service_accounts::delete(conn, id, now().naive_utc())? {
        Ok(())
    } else {
        Err(ApiError::not_found("service account"))
    }
}
