//! SQLite's own limit for logging visits, measured the way `load_visits` measures the server:
//! one visit row per transaction, one writer, for a fixed time.
//!
//! ```sh
//! cargo run --release --example sqlite_commit_loop -- [--path FILE] [--duration SECS]
//! ```
//!
//! It opens a fresh file (default: a new one in the temp directory, removed afterwards) with
//! the server's pragmas (busy_timeout, WAL, foreign_keys, synchronous=FULL), creates a table
//! shaped like `visits` (same columns, checks and indexes; no foreign keys), and commits one
//! INSERT per transaction from one thread. Prints a summary line and a JSON line
//! (`COMMIT_LOOP_RESULT {...}`). `SQLITE_LOOP_DURATION_SECS` and `SQLITE_LOOP_PATH` work too.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use std::time::{Duration, Instant};

type Error = Box<dyn std::error::Error + Send + Sync>;

/// The server's pragmas (crates/persistence/src/db.rs), in the same order.
const PRAGMAS: &str = "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                       PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;";

/// `visits` from migrations/sqlite/2026-11-25-000004_visits/up.sql, without the foreign keys.
const SCHEMA: &str = "
CREATE TABLE visits (
    id TEXT PRIMARY KEY NOT NULL,
    rep_id TEXT NOT NULL,
    team_id TEXT,
    lead_id TEXT,
    seller_account_id TEXT,
    visited_at TIMESTAMP NOT NULL,
    business_date TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    location_lat DOUBLE PRECISION,
    location_lng DOUBLE PRECISION,
    location_accuracy_m DOUBLE PRECISION,
    location_check TEXT NOT NULL CHECK (location_check IN ('verified', 'out_of_range', 'unverifiable')),
    market TEXT,
    district TEXT,
    stall_no TEXT,
    purpose TEXT NOT NULL CHECK (purpose IN ('prospecting', 'follow_up', 'signing', 'account_service')),
    outcome TEXT NOT NULL CHECK (outcome IN ('no_contact', 'not_interested', 'interested', 'follow_up_scheduled', 'signed', 'issue_resolved')),
    notes TEXT,
    next_follow_up_at TIMESTAMP,
    duration_minutes BIGINT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX visits_created_idx ON visits (created_at DESC, id DESC);
CREATE INDEX visits_team_date_idx ON visits (team_id, business_date);
CREATE INDEX visits_rep_date_idx ON visits (rep_id, business_date);
CREATE INDEX visits_team_created_idx ON visits (team_id, created_at DESC, id DESC);
CREATE INDEX visits_lead_idx ON visits (lead_id, visited_at);
CREATE INDEX visits_account_idx ON visits (seller_account_id, visited_at);
CREATE INDEX visits_updated_idx ON visits (updated_at);
";

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1000.0
}

fn main() -> Result<(), Error> {
    let mut duration = Duration::from_secs_f64(
        std::env::var("SQLITE_LOOP_DURATION_SECS").map_or(Ok(20.0), |v| v.parse())?,
    );
    let mut path = std::env::var("SQLITE_LOOP_PATH").ok();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--duration" | "-d" => duration = Duration::from_secs_f64(value()?.parse()?),
            "--path" => path = Some(value()?),
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let temporary = path.is_none();
    let path = path.unwrap_or_else(|| {
        std::env::temp_dir()
            .join(format!("ironfield-commit-loop-{}.db", uuid::Uuid::new_v4()))
            .to_string_lossy()
            .into_owned()
    });
    if std::path::Path::new(&path).exists() {
        return Err(format!("{path} exists; the loop needs a fresh file").into());
    }

    let result = run(&path, duration);
    if temporary {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{path}{suffix}"));
        }
    }
    result
}

fn run(path: &str, duration: Duration) -> Result<(), Error> {
    let mut conn = SqliteConnection::establish(path)?;
    conn.batch_execute(PRAGMAS)?;
    conn.batch_execute(SCHEMA)?;

    // One rep, team and lead, as in the server's load test; a fresh visit id per row.
    let rep = uuid::Uuid::now_v7();
    let team = uuid::Uuid::now_v7();
    let lead = uuid::Uuid::now_v7();
    let mut latencies = Vec::new();
    let started = Instant::now();
    let deadline = started + duration;
    while Instant::now() < deadline {
        let id = uuid::Uuid::now_v7();
        let now = chrono::Utc::now().naive_utc();
        let at = now.format("%Y-%m-%d %H:%M:%S%.f");
        let day = now.format("%Y-%m-%d");
        let insert = format!(
            "INSERT INTO visits (id, rep_id, team_id, lead_id, seller_account_id, visited_at, \
             business_date, received_at, location_lat, location_lng, location_accuracy_m, \
             location_check, market, district, stall_no, purpose, outcome, notes, \
             next_follow_up_at, duration_minutes, created_at, updated_at, version) VALUES \
             ('{id}', '{rep}', '{team}', '{lead}', NULL, '{at}', '{day}', '{at}', NULL, NULL, \
             NULL, 'unverifiable', NULL, NULL, NULL, 'follow_up', 'interested', NULL, NULL, \
             NULL, '{at}', '{at}', 1)"
        );
        let begun = Instant::now();
        conn.transaction(|c| c.batch_execute(&insert))?;
        latencies.push(begun.elapsed());
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let commits = latencies.len();
    let rate = commits as f64 / elapsed;
    let (p50, p99) = (percentile(&latencies, 50.0), percentile(&latencies, 99.0));
    let max = latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    println!(
        "sqlite commit loop: {commits} commits in {elapsed:.1} s = {rate:.0} commits/s; \
         latency ms p50 {p50:.3} p99 {p99:.3} max {max:.3}; errors 0"
    );
    println!(
        "COMMIT_LOOP_RESULT {}",
        serde_json::json!({
            "commits": commits, "elapsed_s": elapsed, "commits_per_s": rate,
            "p50_ms": p50, "p99_ms": p99, "max_ms": max, "errors": 0,
        })
    );
    Ok(())
}
