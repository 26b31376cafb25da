//! End-to-end tests: each starts the real server on port 0 over a fresh database and talks
//! HTTP to it. Every test runs twice, on SQLite (a temporary file) and on PostgreSQL (a fresh
//! database on `TEST_DATABASE_URL`; skipped with a message when that is unset).
//!
//! One test binary, so the crate graph links once.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test stops at the first value it did not expect; the panic is its report"
)]

mod helpers;

mod auth;
mod authz_matrix;
mod contract;
mod conventions;
mod directory;
mod events;
mod events_emitted;
mod hostile_input;
mod leads;
mod leads_csv;
mod meetings;
mod multi_process;
mod openapi;
mod process;
mod refresh_cookie;
mod seller_accounts_api;
mod seller_health;
mod service_accounts;
mod targets;
mod teams;
mod unique_keys;
mod users;
mod visits;
mod web_app;
mod webhooks;
