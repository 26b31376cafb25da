//! Operations commands: `check` and `backup`.

use crate::cli::Settings;
use anyhow::{bail, Context};
use diesel::{Connection, QueryableByName, RunQueryDsl, SqliteConnection};
use ironfield_persistence::db::redact_url;
use ironfield_persistence::{Backend, Db, DbConnection, DbOptions};
use secrecy::ExposeSecret;
use std::path::Path;

/// The clock may differ from the database's by this much before `check` fails: tokens,
/// idempotency retention and business dates all read the server's clock.
const MAX_CLOCK_OFFSET_SECS: f64 = 5.0;

/// Prints one line per check; fails (non-zero exit) when any is a problem.
pub fn check(settings: &Settings) -> anyhow::Result<()> {
    let mut problems = 0;
    let mut report = |ok: bool, what: &str, detail: String| {
        println!(
            "{} {what}: {detail}",
            if ok { "ok     " } else { "PROBLEM" }
        );
        if !ok {
            problems += 1;
        }
    };

    report(true, "configuration", "settings parsed".into());
    match &settings.jwt_secret {
        Some(secret) if secret.expose_secret().len() < 32 => report(
            false,
            "signing secret",
            format!(
                "IRONFIELD_JWT_SECRET has {} bytes; it needs at least 32 (openssl rand -hex 32)",
                secret.expose_secret().len()
            ),
        ),
        Some(secret) if distinct_bytes(secret.expose_secret()) < 8 => report(
            false,
            "signing secret",
            "IRONFIELD_JWT_SECRET repeats a few characters; use a random one (openssl rand -hex 32)"
                .into(),
        ),
        Some(_) => report(true, "signing secret", "IRONFIELD_JWT_SECRET is set and long enough".into()),
        None => report(
            true,
            "signing secret",
            "IRONFIELD_JWT_SECRET is unset: a secret generated once is kept in the database \
             (set one in production, and the same one on every server)"
                .into(),
        ),
    }

    let options = DbOptions::new(2);
    let db = match Db::open_with(&settings.database_url, options) {
        Ok(db) => {
            report(
                true,
                "database",
                format!("{} answers", redact_url(&settings.database_url)),
            );
            db
        }
        Err(error) => {
            report(false, "database", error.to_string());
            bail!("{problems} problem(s) found");
        }
    };

    match db.migration_state() {
        Ok(state) => {
            report(
                state.unknown.is_empty(),
                "migrations",
                format!(
                    "{} applied, {} pending{}{}",
                    state.applied.len(),
                    state.pending.len(),
                    if state.pending.is_empty() {
                        String::new()
                    } else {
                        format!(" ({}; applied at the next start)", state.pending.join(", "))
                    },
                    if state.unknown.is_empty() {
                        String::new()
                    } else {
                        format!(
                            ", unknown to this version: {} (a newer Ironfield migrated this \
                             database; this one will refuse to start)",
                            state.unknown.join(", ")
                        )
                    }
                ),
            );
        }
        Err(error) => report(false, "migrations", error.to_string()),
    }

    if db.backend() == Backend::Sqlite {
        match db.read(|conn| match conn {
            DbConnection::Sqlite(c) => integrity_check(c),
            DbConnection::Postgresql(_) => Ok(Vec::new()),
        }) {
            Ok(lines) if lines == ["ok"] => {
                report(true, "integrity", "PRAGMA integrity_check: ok".into())
            }
            Ok(lines) => report(false, "integrity", lines.join("; ")),
            Err(error) => report(false, "integrity", format!("{error:#}")),
        }
    }

    match clock_offset(&db) {
        Ok(offset) => report(
            offset.abs() <= MAX_CLOCK_OFFSET_SECS,
            "clock",
            format!("this machine's clock is {offset:+.3} s from the database's"),
        ),
        Err(error) => report(false, "clock", format!("{error:#}")),
    }

    if problems > 0 {
        bail!("{problems} problem(s) found");
    }
    println!("all checks passed");
    Ok(())
}

fn distinct_bytes(secret: &str) -> usize {
    let mut seen = std::collections::BTreeSet::new();
    seen.extend(secret.bytes());
    seen.len()
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = diesel::sql_types::Text)]
    integrity_check: String,
}

fn integrity_check(conn: &mut SqliteConnection) -> anyhow::Result<Vec<String>> {
    let lines: Vec<Line> = diesel::sql_query("PRAGMA integrity_check")
        .load(conn)
        .context("PRAGMA integrity_check")?;
    Ok(lines.into_iter().map(|l| l.integrity_check).collect())
}

#[derive(QueryableByName)]
struct Epoch {
    #[diesel(sql_type = diesel::sql_types::Double)]
    epoch: f64,
}

/// This machine's clock minus the database's, in seconds.
fn clock_offset(db: &Db) -> anyhow::Result<f64> {
    let theirs = db.read(|conn| -> anyhow::Result<f64> {
        let epoch = match conn {
            DbConnection::Sqlite(c) => {
                diesel::sql_query("SELECT (julianday('now') - 2440587.5) * 86400.0 AS epoch")
                    .get_result::<Epoch>(c)
            }
            DbConnection::Postgresql(c) => diesel::sql_query(
                "SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) AS DOUBLE PRECISION) AS epoch",
            )
            .get_result::<Epoch>(c),
        }
        .context("reading the database's clock")?;
        Ok(epoch.epoch)
    })?;
    let ours = chrono::Utc::now().timestamp_micros() as f64 / 1e6;
    Ok(ours - theirs)
}

/// SQLite: `VACUUM INTO` a new file (a consistent snapshot taken inside one read transaction,
/// so the server keeps serving and writing), then `PRAGMA integrity_check` on the copy.
pub fn backup(settings: &Settings, to: &Path) -> anyhow::Result<()> {
    let db =
        Db::open_with(&settings.database_url, DbOptions::new(2)).context("opening DATABASE_URL")?;
    if db.backend() == Backend::Postgres {
        bail!(
            "backup copies SQLite databases only. For PostgreSQL use its own tools:\n  \
             pg_dump --format=custom --file={to} \"$DATABASE_URL\"\n\
             and to restore into an empty database:\n  \
             pg_restore --no-owner --dbname=\"$DATABASE_URL\" {to}",
            to = to.display()
        );
    }
    if to.exists() {
        bail!("{} exists; backup writes a new file only", to.display());
    }
    let target = to
        .to_str()
        .context("the backup path is not valid UTF-8")?
        .replace('\'', "''");
    let started = std::time::Instant::now();
    db.read(|conn| -> anyhow::Result<()> {
        use diesel::connection::SimpleConnection;
        conn.batch_execute(&format!("VACUUM INTO '{target}'"))
            .with_context(|| format!("VACUUM INTO {}", to.display()))
    })?;
    let mut copy = SqliteConnection::establish(&to.display().to_string())
        .with_context(|| format!("opening the copy {}", to.display()))?;
    let lines = integrity_check(&mut copy)?;
    if lines != ["ok"] {
        bail!(
            "the copy {} failed integrity_check: {}",
            to.display(),
            lines.join("; ")
        );
    }
    let bytes = std::fs::metadata(to).map(|m| m.len()).unwrap_or(0);
    println!(
        "backed up to {} ({:.1} MB) in {:.1?}; integrity_check: ok",
        to.display(),
        bytes as f64 / 1e6,
        started.elapsed()
    );
    Ok(())
}
