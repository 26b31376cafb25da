//! The directory kept in memory: signed-in users, service accounts, the team tree and the
//! organisation's time zone, the records nearly every request reads and that rarely change.
//!
//! Each request reads one number first, the directory's version (`persistence::directory`;
//! database triggers move it in every transaction that changes those records, whoever writes
//! them). Records are kept per version: the same version means the same records, so a
//! request answered from memory sees exactly what a read would have shown. When the version
//! moved (a user deactivated, a team moved, a setting changed, here or through another
//! server process), the request starts a new, empty snapshot and reads the records again.
//! So a change takes effect on every process with the next request, never later.
//!
//! A snapshot is filled lazily and never changes what it holds, so a request keeps the one
//! it started with (`Caller::directory`) for all of its work.
//!
//! Fill it from the primary only: the version is the primary's, and a replica's connection
//! (`blocking::heavy_read`) may lag behind it. Heavy reads keep reading for themselves.

use crate::error::ApiResult;
use chrono_tz::Tz;
use ironfield_domain::ids::{ServiceAccountId, UserId};
use ironfield_domain::TeamTree;
use ironfield_persistence::service_accounts::{self, ServiceAccountRow};
use ironfield_persistence::users::{self, UserRow};
use ironfield_persistence::{directory, DbConnection, DbError, TeamScope};
use std::collections::HashMap;
use std::fmt;
use std::hash::Hash;
use std::sync::{Arc, Mutex, OnceLock};

/// How many users (and, apart, service accounts) one snapshot keeps; past that it forgets
/// them all and fills again, so memory stays bounded whatever the number of callers.
const MAX_KEPT: usize = 10_000;

/// The current snapshot of the directory, shared by the process's requests.
#[derive(Default)]
pub struct DirectoryCache {
    latest: Mutex<Option<Arc<Snapshot>>>,
}

impl DirectoryCache {
    /// The snapshot of the directory as it is now: one statement (its version), and the
    /// records this process already read at that version.
    pub fn current(&self, conn: &mut DbConnection) -> Result<Arc<Snapshot>, DbError> {
        let version = directory::version(conn)?;
        let mut latest = lock(&self.latest);
        match latest.as_ref() {
            Some(snapshot) if snapshot.version == version => Ok(snapshot.clone()),
            // A request that read an older version than another's gets a snapshot of its
            // own; the newer one stays for the requests to come.
            Some(snapshot) if snapshot.version > version => Ok(Arc::new(Snapshot::new(version))),
            _ => {
                let fresh = Arc::new(Snapshot::new(version));
                *latest = Some(fresh.clone());
                Ok(fresh)
            }
        }
    }
}

/// The directory's records at one version, read from the database the first time a request
/// asks for each.
pub struct Snapshot {
    version: i64,
    users: Mutex<HashMap<UserId, Arc<UserRow>>>,
    service_accounts: Mutex<HashMap<ServiceAccountId, Arc<ServiceAccountRow>>>,
    team_tree: OnceLock<Arc<TeamTree>>,
    timezone: OnceLock<Tz>,
}

impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snapshot")
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

impl Snapshot {
    fn new(version: i64) -> Snapshot {
        Snapshot {
            version,
            users: Mutex::default(),
            service_accounts: Mutex::default(),
            team_tree: OnceLock::new(),
            timezone: OnceLock::new(),
        }
    }

    /// The user `id`, whatever their team (the caller's own row, before there is a view).
    pub fn user(&self, conn: &mut DbConnection, id: &UserId) -> Result<Arc<UserRow>, DbError> {
        kept(&self.users, id, || {
            users::find(conn, &TeamScope::everything(), id)
        })
    }

    /// The service account `id`, unless deleted.
    pub fn service_account(
        &self,
        conn: &mut DbConnection,
        id: &ServiceAccountId,
    ) -> Result<Arc<ServiceAccountRow>, DbError> {
        kept(&self.service_accounts, id, || {
            service_accounts::find_live(conn, id)
        })
    }

    /// The whole team hierarchy.
    pub fn team_tree(&self, conn: &mut DbConnection) -> Result<Arc<TeamTree>, DbError> {
        if let Some(tree) = self.team_tree.get() {
            return Ok(tree.clone());
        }
        let tree = Arc::new(ironfield_persistence::teams::tree(conn)?);
        Ok(self.team_tree.get_or_init(|| tree).clone())
    }

    /// The organisation's time zone.
    pub fn timezone(&self, conn: &mut DbConnection) -> ApiResult<Tz> {
        if let Some(tz) = self.timezone.get() {
            return Ok(*tz);
        }
        let tz = crate::org::timezone(conn)?;
        Ok(*self.timezone.get_or_init(|| tz))
    }
}

/// `key`'s record from `map`, or read by `load` and kept. A record not found is not kept:
/// keeping misses would let any well-signed token with a made-up id fill the map.
fn kept<K, V>(
    map: &Mutex<HashMap<K, Arc<V>>>,
    key: &K,
    load: impl FnOnce() -> Result<V, DbError>,
) -> Result<Arc<V>, DbError>
where
    K: Eq + Hash + Clone,
{
    if let Some(found) = lock(map).get(key) {
        return Ok(found.clone());
    }
    // Read without the lock held: other requests go on meanwhile.
    let loaded = Arc::new(load()?);
    let mut map = lock(map);
    if map.len() >= MAX_KEPT {
        map.clear();
    }
    map.insert(key.clone(), loaded.clone());
    Ok(loaded)
}

/// A poisoned lock only means another request panicked while holding it; the map itself is
/// always whole (every change to it is one call).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
