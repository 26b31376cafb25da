//! Bulk loads (the demo seeder): a table's secondary indexes dropped before the rows go in
//! and built again after, inside the load's own transaction.
//!
//! Building an index once over the loaded rows (a sort) is much cheaper than updating a dozen
//! B-trees at random places for every row: `leads` has twelve secondary indexes. Both
//! backends' DDL is transactional, so a load that fails rolls back with its indexes intact;
//! each index is made again from its own stored definition (`sqlite_master.sql`,
//! `pg_get_indexdef`), exactly as the migrations made it. Indexes that back a constraint
//! (primary keys, unique constraints, which foreign keys use) stay.

use crate::{DbConnection, DbError};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;

#[derive(QueryableByName)]
struct IndexDefinition {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    definition: String,
}

/// Runs `load` with the secondary indexes of `tables` dropped, then builds them again; call it
/// inside a write transaction. Uniqueness the dropped indexes enforced is checked when they
/// are built again (the load fails then, and rolls back).
pub fn without_indexes<T, E>(
    conn: &mut DbConnection,
    tables: &[&str],
    load: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<DbError>,
{
    let mut dropped = Vec::new();
    for table in tables {
        dropped.extend(secondary_indexes(conn, table)?);
    }
    for index in &dropped {
        let name = match conn {
            // PostgreSQL's names come quoted where they need it (`regclass::text`).
            DbConnection::Postgresql(_) => index.name.clone(),
            DbConnection::Sqlite(_) => format!("\"{}\"", index.name.replace('"', "\"\"")),
        };
        conn.batch_execute(&format!("DROP INDEX {name}"))
            .map_err(DbError::from)?;
    }
    let loaded = load(conn)?;
    for index in &dropped {
        conn.batch_execute(&index.definition)
            .map_err(DbError::from)?;
    }
    Ok(loaded)
}

/// The indexes of `table` that no constraint needs, with the statements that make them.
fn secondary_indexes(
    conn: &mut DbConnection,
    table: &str,
) -> Result<Vec<IndexDefinition>, DbError> {
    Ok(match conn {
        DbConnection::Postgresql(pg) => diesel::sql_query(
            "SELECT i.indexrelid::regclass::text AS name, \
                    pg_get_indexdef(i.indexrelid) AS definition \
             FROM pg_index i \
             WHERE i.indrelid = $1::regclass \
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        )
        .bind::<Text, _>(table)
        .load(pg)?,
        // Indexes SQLite made for a constraint have no statement (`sql` is NULL).
        DbConnection::Sqlite(sqlite) => diesel::sql_query(
            "SELECT name, sql AS definition FROM sqlite_master \
             WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
        )
        .bind::<Text, _>(table)
        .load(sqlite)?,
    })
}
