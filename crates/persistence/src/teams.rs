//! Teams, which form a tree (a branch and the teams under it).

use crate::error::DbError;
use crate::pagination::{Page, PageRequest};
use crate::schema::teams;
use crate::scope::{in_scope, TeamScope};
use crate::stored::{Stored, StoredOption};
use crate::{paginate, DbConnection, Timestamp};
use diesel::prelude::*;
use ironfield_domain::ids::{TeamId, UserId};
use ironfield_domain::TeamTree;

// No `Identifiable` (see `LeadRow`).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = teams)]
pub struct TeamRow {
    #[diesel(deserialize_as = Stored)]
    pub id: TeamId,
    pub name: String,
    #[diesel(deserialize_as = StoredOption)]
    pub parent_id: Option<TeamId>,
    /// The team's lead: a user, not a lead of the pipeline.
    #[diesel(deserialize_as = StoredOption)]
    pub lead_id: Option<UserId>,
    pub market: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = teams)]
pub struct NewTeam<'a> {
    #[diesel(serialize_as = Stored)]
    pub id: TeamId,
    pub name: &'a str,
    #[diesel(serialize_as = StoredOption)]
    pub parent_id: Option<TeamId>,
    pub lead_id: Option<&'a str>,
    pub market: Option<&'a str>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = teams)]
pub struct TeamChanges {
    pub name: Option<String>,
    #[diesel(serialize_as = StoredOption)]
    pub parent_id: Option<Option<TeamId>>,
    pub lead_id: Option<Option<String>>,
    pub market: Option<Option<String>>,
    pub updated_at: Option<Timestamp>,
}

pub fn insert(conn: &mut DbConnection, team: &NewTeam<'_>) -> Result<TeamRow, DbError> {
    // By value: typed fields (`Stored`) make diesel's insert owned-only.
    diesel::insert_into(teams::table)
        .values(team.clone())
        .execute(conn)?;
    // Just written by the caller, who may create outside their own view (an admin).
    find(conn, &TeamScope::everything(), &team.id)
}

/// The team `id` if it is inside `scope` (else `NotFound`).
pub fn find(conn: &mut DbConnection, scope: &TeamScope, id: &TeamId) -> Result<TeamRow, DbError> {
    Ok(in_scope!(
        teams::table.find(id.as_str()).into_boxed(),
        scope,
        teams::id
    )
    .select(TeamRow::as_select())
    .first(conn)?)
}

/// The whole hierarchy. Teams number in the hundreds at most, so this is one small query.
pub fn tree(conn: &mut DbConnection) -> Result<TeamTree, DbError> {
    let edges: Vec<(Stored, StoredOption)> = teams::table
        .select((teams::id, teams::parent_id))
        .load(conn)?;
    let edges = edges
        .into_iter()
        .map(|(id, parent)| Ok((TeamId::try_from(id)?, Option::<TeamId>::try_from(parent)?)))
        .collect::<Result<Vec<_>, crate::stored::Unreadable>>()?;
    Ok(TeamTree::new(edges))
}

pub fn update(
    conn: &mut DbConnection,
    id: &TeamId,
    version: i64,
    changes: &TeamChanges,
) -> Result<bool, DbError> {
    let updated = diesel::update(
        teams::table
            .filter(teams::id.eq(id.as_str()))
            .filter(teams::version.eq(version)),
    )
    // By value: typed fields (`Stored`) make diesel's changesets owned-only.
    .set((changes.clone(), teams::version.eq(teams::version + 1)))
    .execute(conn)?;
    Ok(updated == 1)
}

pub fn list(
    conn: &mut DbConnection,
    scope: &TeamScope,
    parent_id: Option<&TeamId>,
    page: &PageRequest,
) -> Result<Page<TeamRow>, DbError> {
    let query = teams::table.select(TeamRow::as_select()).into_boxed();
    let mut query = in_scope!(query, scope, teams::id);
    if let Some(parent) = parent_id {
        query = query.filter(teams::parent_id.eq(parent.as_str().to_owned()));
    }
    let rows = paginate!(query, teams, page).load(conn)?;
    Ok(Page::from_rows(rows, page.limit, |t: &TeamRow| {
        (t.created_at, t.id.to_string())
    }))
}
