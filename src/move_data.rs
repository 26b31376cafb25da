//! `move-data --from URL --to URL`: every record of one Ironfield database copied into an
//! empty one of either kind (SQLite to PostgreSQL and back), ids, versions, audit history and
//! idempotency records included.
//!
//! Tables and columns are read from the databases themselves, so a new migration needs no
//! change here. Values travel as text in one canonical form per column kind (timestamps as
//! diesel writes them, doubles in their shortest exact form), in batches of multi-row INSERTs,
//! all inside one transaction on the target with foreign keys checked at commit. Before that
//! commit every table is read back and compared with the source by count and by an
//! order-independent checksum of its rows; any difference rolls the whole copy back.

use anyhow::{bail, ensure, Context};
use diesel::connection::SimpleConnection;
use diesel::{Connection, QueryableByName, RunQueryDsl};
use indicatif::{ProgressBar, ProgressStyle};
use ironfield_persistence::db::redact_url;
use ironfield_persistence::{Backend, Db, DbConnection, DbOptions};
use sha2::{Digest, Sha256};

const BATCH: i64 = 500;
/// Tables that belong to each database, not to its data: the migrations applied, and the
/// directory's version (a counter the target's own triggers move as the rows arrive).
const NOT_COPIED: [&str; 2] = ["__diesel_schema_migrations", "directory_version"];
/// What a first start leaves in a new database besides the schema: one admin, the generated
/// signing secret. `move-data` accepts a target holding only these, and replaces them.
const FIRST_START_SETTING: &str = "jwt_signing_secret";

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Text,
    Int,
    Double,
    Timestamp,
}

#[derive(Debug, Clone)]
struct Column {
    name: String,
    kind: Kind,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    kind: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct JsonRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    row: String,
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn quote_literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

fn load<T: QueryableByName<diesel::sqlite::Sqlite> + QueryableByName<diesel::pg::Pg> + 'static>(
    conn: &mut DbConnection,
    sql: &str,
) -> anyhow::Result<Vec<T>> {
    let rows = match conn {
        DbConnection::Sqlite(c) => diesel::sql_query(sql).load::<T>(c),
        DbConnection::Postgresql(c) => diesel::sql_query(sql).load::<T>(c),
    };
    rows.with_context(|| format!("running {sql}"))
}

/// The Ironfield tables, by name.
fn tables(conn: &mut DbConnection) -> anyhow::Result<Vec<String>> {
    let sql = match conn {
        DbConnection::Sqlite(_) => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        }
        DbConnection::Postgresql(_) => {
            "SELECT table_name::text AS name FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        }
    };
    let mut names: Vec<String> = load::<Name>(conn, sql)?
        .into_iter()
        .map(|n| n.name)
        .filter(|n| !NOT_COPIED.contains(&n.as_str()))
        .collect();
    names.sort();
    Ok(names)
}

fn columns(conn: &mut DbConnection, table: &str) -> anyhow::Result<Vec<Column>> {
    let sql = match conn {
        DbConnection::Sqlite(_) => format!(
            "SELECT name, type AS kind FROM pragma_table_info({}) ORDER BY cid",
            quote_literal(table)
        ),
        DbConnection::Postgresql(_) => format!(
            "SELECT column_name::text AS name, data_type::text AS kind \
             FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = {} ORDER BY ordinal_position",
            quote_literal(table)
        ),
    };
    let mut columns: Vec<Column> = load::<ColumnRow>(conn, &sql)?
        .into_iter()
        .map(|c| {
            let kind = c.kind.to_ascii_lowercase();
            let kind = if kind.contains("timestamp") {
                Kind::Timestamp
            } else if kind.contains("double") || kind.contains("real") || kind.contains("float") {
                Kind::Double
            } else if kind.contains("int") {
                Kind::Int
            } else {
                Kind::Text
            };
            Column { name: c.name, kind }
        })
        .collect();
    columns.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(columns)
}

fn count(conn: &mut DbConnection, table: &str) -> anyhow::Result<i64> {
    let sql = format!("SELECT COUNT(*) AS n FROM {}", quote_ident(table));
    Ok(load::<Count>(conn, &sql)?[0].n)
}

/// One batch of rows, each value in its canonical text form (`None`: NULL).
fn read_batch(
    conn: &mut DbConnection,
    table: &str,
    columns: &[Column],
    offset: i64,
) -> anyhow::Result<Vec<Vec<Option<String>>>> {
    let sqlite = matches!(conn, DbConnection::Sqlite(_));
    let values: Vec<String> = columns
        .iter()
        .map(|c| {
            let col = quote_ident(&c.name);
            match (sqlite, c.kind) {
                (true, Kind::Double) => {
                    format!("CASE WHEN {col} IS NULL THEN NULL ELSE printf('%!.17g', {col}) END")
                }
                (true, _) => format!("CAST({col} AS TEXT)"),
                (false, Kind::Timestamp) => format!("to_char({col}, 'YYYY-MM-DD HH24:MI:SS.US')"),
                (false, _) => format!("{col}::text"),
            }
        })
        .collect();
    // Every column, in order: a total order, so the pages neither overlap nor skip rows.
    let order: Vec<String> = columns.iter().map(|c| quote_ident(&c.name)).collect();
    let array = if sqlite {
        "json_array"
    } else {
        "json_build_array"
    };
    let sql = format!(
        "SELECT {array}({}) AS row FROM (SELECT * FROM {} ORDER BY {} LIMIT {BATCH} OFFSET {offset}) AS page",
        values.join(", "),
        quote_ident(table),
        order.join(", ")
    );
    let rows = load::<JsonRow>(conn, &sql)?;
    rows.into_iter()
        .map(|r| {
            let values: Vec<Option<String>> =
                serde_json::from_str(&r.row).with_context(|| format!("a row of {table}"))?;
            values
                .into_iter()
                .zip(columns)
                .map(|(v, c)| v.map(|v| canonical(c, &v)).transpose())
                .collect()
        })
        .collect()
}

/// The one text form of a value of `column`'s kind, whichever database it came from.
fn canonical(column: &Column, value: &str) -> anyhow::Result<String> {
    Ok(match column.kind {
        Kind::Text => value.to_owned(),
        Kind::Int => value
            .parse::<i64>()
            .with_context(|| format!("{}: {value:?} is not an integer", column.name))?
            .to_string(),
        Kind::Double => value
            .parse::<f64>()
            .with_context(|| format!("{}: {value:?} is not a number", column.name))?
            .to_string(),
        Kind::Timestamp => {
            let parsed = chrono::NaiveDateTime::parse_from_str(value, "%Y-%m-%d %H:%M:%S%.f")
                .or_else(|_| chrono::NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S%.f"))
                .with_context(|| format!("{}: {value:?} is not a timestamp", column.name))?;
            // PostgreSQL keeps microseconds; SQLite rows written by Rust may hold nanoseconds.
            use chrono::Timelike;
            let micros = parsed
                .with_nanosecond(parsed.nanosecond() / 1000 * 1000)
                .unwrap_or(parsed);
            micros.format("%Y-%m-%d %H:%M:%S%.f").to_string()
        }
    })
}

fn insert_batch(
    conn: &mut DbConnection,
    table: &str,
    columns: &[Column],
    rows: &[Vec<Option<String>>],
) -> anyhow::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = columns.iter().map(|c| quote_ident(&c.name)).collect();
    let values: Vec<String> = rows
        .iter()
        .map(|row| {
            let literals: Vec<String> = row
                .iter()
                .map(|v| {
                    v.as_deref()
                        .map_or_else(|| "NULL".to_owned(), quote_literal)
                })
                .collect();
            format!("({})", literals.join(", "))
        })
        .collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES {}",
        quote_ident(table),
        names.join(", "),
        values.join(", ")
    );
    conn.batch_execute(&sql)
        .with_context(|| format!("inserting into {table}"))
}

/// Count and an order-independent checksum of a table's rows.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Tally {
    rows: u64,
    sum: u128,
}

impl Tally {
    fn add(&mut self, row: &[Option<String>]) {
        let mut hash = Sha256::new();
        for value in row {
            match value {
                Some(v) => {
                    hash.update([1]);
                    hash.update((v.len() as u64).to_le_bytes());
                    hash.update(v.as_bytes());
                }
                None => hash.update([0]),
            }
        }
        let digest = hash.finalize();
        let mut first = [0u8; 16];
        first.copy_from_slice(&digest[..16]);
        self.rows += 1;
        self.sum = self.sum.wrapping_add(u128::from_le_bytes(first));
    }
}

fn tally(conn: &mut DbConnection, table: &str, columns: &[Column]) -> anyhow::Result<Tally> {
    let mut tally = Tally::default();
    let mut offset = 0;
    loop {
        let rows = read_batch(conn, table, columns, offset)?;
        for row in &rows {
            tally.add(row);
        }
        if (rows.len() as i64) < BATCH {
            return Ok(tally);
        }
        offset += BATCH;
    }
}

/// Refuses a target holding anything but what a first start leaves; returns that to delete.
fn check_target_empty(conn: &mut DbConnection, tables: &[String]) -> anyhow::Result<()> {
    for table in tables {
        let n = count(conn, table)?;
        let allowed = match table.as_str() {
            "users" => {
                let admins = count_where(conn, "users", "role = 'admin'")?;
                n <= 1 && admins == n
            }
            "settings" => {
                count_where(
                    conn,
                    "settings",
                    &format!("key = {}", quote_literal(FIRST_START_SETTING)),
                )? == n
            }
            _ => n == 0,
        };
        ensure!(
            allowed,
            "the target is not empty: {table} holds {n} row(s); move-data copies into a new database \
             (one with no Ironfield tables, or only the migrations and the first-start admin)"
        );
    }
    Ok(())
}

fn count_where(conn: &mut DbConnection, table: &str, condition: &str) -> anyhow::Result<i64> {
    let sql = format!(
        "SELECT COUNT(*) AS n FROM {} WHERE {condition}",
        quote_ident(table)
    );
    Ok(load::<Count>(conn, &sql)?[0].n)
}

/// PostgreSQL: foreign keys checked at commit (users and teams point at each other).
fn defer_foreign_keys(conn: &mut DbConnection) -> anyhow::Result<Vec<(String, String)>> {
    match conn {
        DbConnection::Sqlite(c) => {
            c.batch_execute("PRAGMA defer_foreign_keys = ON")?;
            Ok(Vec::new())
        }
        DbConnection::Postgresql(_) => {
            #[derive(QueryableByName)]
            struct Fk {
                #[diesel(sql_type = diesel::sql_types::Text)]
                tbl: String,
                #[diesel(sql_type = diesel::sql_types::Text)]
                name: String,
            }
            let fks = load::<Fk>(
                conn,
                "SELECT c.relname::text AS tbl, k.conname::text AS name FROM pg_constraint k \
                 JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE k.contype = 'f' AND NOT k.condeferrable AND n.nspname = current_schema()",
            )?;
            let mut sql = String::new();
            for fk in &fks {
                sql.push_str(&format!(
                    "ALTER TABLE {} ALTER CONSTRAINT {} DEFERRABLE INITIALLY DEFERRED; ",
                    quote_ident(&fk.tbl),
                    quote_ident(&fk.name)
                ));
            }
            sql.push_str("SET CONSTRAINTS ALL DEFERRED;");
            conn.batch_execute(&sql)?;
            Ok(fks.into_iter().map(|f| (f.tbl, f.name)).collect())
        }
    }
}

fn restore_foreign_keys(
    conn: &mut DbConnection,
    deferred: &[(String, String)],
) -> anyhow::Result<()> {
    if let DbConnection::Postgresql(_) = conn {
        let mut sql = String::from("SET CONSTRAINTS ALL IMMEDIATE; ");
        for (table, name) in deferred {
            sql.push_str(&format!(
                "ALTER TABLE {} ALTER CONSTRAINT {} NOT DEFERRABLE; ",
                quote_ident(table),
                quote_ident(name)
            ));
        }
        conn.batch_execute(&sql).context("checking foreign keys")?;
    }
    Ok(())
}

pub struct Moved {
    pub tables: Vec<(String, u64)>,
}

pub fn run(from: &str, to: &str) -> anyhow::Result<Moved> {
    let source = Db::open_with(from, DbOptions::new(2))
        .with_context(|| format!("opening --from {}", redact_url(from)))?;
    let state = source.migration_state()?;
    ensure!(
        state.pending.is_empty() && state.unknown.is_empty(),
        "the source is not at this version's schema (pending: {:?}, unknown: {:?}); start this \
         version of Ironfield on it once first",
        state.pending,
        state.unknown
    );
    let target = Db::connect(to, 2).with_context(|| format!("opening --to {}", redact_url(to)))?;
    ensure!(
        !(source.backend() == target.backend() && from == to),
        "--from and --to are the same database"
    );
    let mut src = source.conn()?;
    let mut dst = target.conn()?;
    let names = tables(&mut src)?;
    ensure!(
        names == tables(&mut dst)?,
        "the two databases have different tables; are they the same version of Ironfield?"
    );
    let mut plan = Vec::new();
    let mut total = 0u64;
    for table in &names {
        let cols = columns(&mut src, table)?;
        let target_cols = columns(&mut dst, table)?;
        let same = cols.len() == target_cols.len()
            && cols
                .iter()
                .zip(&target_cols)
                .all(|(a, b)| a.name == b.name && a.kind == b.kind);
        ensure!(same, "table {table} differs between the two databases");
        let n = count(&mut src, table)? as u64;
        total += n;
        plan.push((table.clone(), cols, n));
    }

    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{msg:20} {bar:40} {pos}/{len} rows ({per_sec}, {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let dst: &mut DbConnection = &mut dst;
    let moved = dst.transaction(|dst| -> anyhow::Result<Vec<(String, u64)>> {
        check_target_empty(dst, &names)?;
        let deferred = defer_foreign_keys(dst)?;
        dst.batch_execute(&format!(
            "DELETE FROM users; DELETE FROM settings WHERE key = {}",
            quote_literal(FIRST_START_SETTING)
        ))?;
        let mut moved = Vec::new();
        for (table, cols, n) in &plan {
            bar.set_message(table.clone());
            let mut expected = Tally::default();
            let mut offset = 0;
            loop {
                let rows = read_batch(&mut src, table, cols, offset)?;
                for row in &rows {
                    expected.add(row);
                }
                insert_batch(dst, table, cols, &rows)?;
                bar.inc(rows.len() as u64);
                if (rows.len() as i64) < BATCH {
                    break;
                }
                offset += BATCH;
            }
            let copied = tally(dst, table, cols)?;
            if copied != expected || expected.rows != *n {
                bail!(
                    "verification failed for {table}: source {} rows (checksum {:032x}), \
                     target {} rows (checksum {:032x}); nothing was written",
                    expected.rows,
                    expected.sum,
                    copied.rows,
                    copied.sum
                );
            }
            moved.push((table.clone(), copied.rows));
        }
        restore_foreign_keys(dst, &deferred)?;
        ironfield_persistence::events::adopt_moved(dst)?;
        Ok(moved)
    })?;
    bar.finish_and_clear();
    if target.backend() == Backend::Postgres || target.backend() == Backend::Sqlite {
        target
            .analyze()
            .context("refreshing the target's planner statistics")?;
    }
    Ok(Moved { tables: moved })
}
