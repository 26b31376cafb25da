//! SQLite's own limit for logging a visit: the same transaction as the server's (INSERT the
//! visit, UPDATE the lead) committed one after another by one writer, with the server's
//! pragmas, on the server's own database file (stop the server first).
//!
//! ```sh
//! sqlite-commit-loop --path FILE [--duration SECS] [--leads 64]
//! ```
//!
//! Prints `LOAD_RESULT {"scenario": "sqlite_commit_loop", "per_s", "p50_ms", ...}`.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use std::time::{Duration, Instant};

type Error = Box<dyn std::error::Error + Send + Sync>;

/// The server's pragmas (crates/persistence/src/db.rs), in the same order.
const PRAGMAS: &str = "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                       PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; \
                       PRAGMA cache_size = -32768;";

#[derive(QueryableByName)]
struct Lead {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    owner_id: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    team_id: Option<String>,
}

fn main() -> Result<(), Error> {
    let (mut path, mut duration, mut leads) = (None, Duration::from_secs(20), 64_usize);
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--path" => path = Some(value()?),
            "--duration" | "-d" => duration = Duration::from_secs_f64(value()?.parse()?),
            "--leads" => leads = value()?.parse()?,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let path = path.ok_or("--path FILE (the server's SQLite database)")?;
    let mut conn = SqliteConnection::establish(&path)?;
    conn.batch_execute(PRAGMAS)?;
    let targets: Vec<Lead> = diesel::sql_query(format!(
        "SELECT id, owner_id, team_id FROM leads ORDER BY created_at DESC LIMIT {leads}"
    ))
    .load(&mut conn)?;
    if targets.is_empty() {
        return Err("no leads in the database".into());
    }
    let mut latencies = Vec::new();
    let started = Instant::now();
    let deadline = started + duration;
    let mut n = 0;
    while Instant::now() < deadline {
        let lead = &targets[n % targets.len()];
        n += 1;
        let id = uuid::Uuid::now_v7();
        let now = chrono::Utc::now().naive_utc();
        let at = now.format("%Y-%m-%d %H:%M:%S%.f");
        let day = now.format("%Y-%m-%d");
        let team = lead
            .team_id
            .as_deref()
            .map_or("NULL".to_owned(), |t| format!("'{t}'"));
        let sql = format!(
            "INSERT INTO visits (id, rep_id, team_id, lead_id, seller_account_id, visited_at, \
             business_date, received_at, location_lat, location_lng, location_accuracy_m, \
             location_check, market, district, stall_no, purpose, outcome, notes, \
             next_follow_up_at, duration_minutes, created_at, updated_at, version) VALUES \
             ('{id}', '{owner}', {team}, '{lead_id}', NULL, '{at}', '{day}', '{at}', NULL, NULL, \
             NULL, 'unverifiable', '一区', NULL, 'L-1', 'follow_up', 'interested', NULL, NULL, \
             NULL, '{at}', '{at}', 1); \
             UPDATE leads SET last_visit_at = CASE WHEN last_visit_at IS NULL OR last_visit_at < '{at}' \
             THEN '{at}' ELSE last_visit_at END, stage = CASE WHEN stage IN ('new', 'contacted') \
             THEN 'visited' ELSE stage END, updated_at = '{at}', version = version + 1 \
             WHERE id = '{lead_id}';",
            owner = lead.owner_id,
            lead_id = lead.id,
        );
        let begun = Instant::now();
        conn.transaction(|c| c.batch_execute(&sql))?;
        latencies.push(begun.elapsed());
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let pct = |p: f64| {
        let rank = ((p / 100.0) * latencies.len() as f64).ceil() as usize;
        latencies[rank.clamp(1, latencies.len()) - 1].as_secs_f64() * 1000.0
    };
    println!(
        "LOAD_RESULT {}",
        serde_json::json!({
            "scenario": "sqlite_commit_loop", "requests": latencies.len(),
            "per_s": latencies.len() as f64 / elapsed, "items_per_s": latencies.len() as f64 / elapsed,
            "p50_ms": pct(50.0), "p95_ms": pct(95.0), "p99_ms": pct(99.0), "max_ms": pct(100.0),
            "errors": 0,
        })
    );
    Ok(())
}
