//! Ironfield's HTTP API: actix-web handlers, request/response types, the error table and the
//! OpenAPI document generated from the handlers.

pub mod account_health;
pub mod blocking;
pub mod bootstrap;
pub mod directory;
pub mod error;
pub mod events;
pub mod extract;
pub mod idempotency;
pub mod login_limit;
pub mod method_table;
pub mod metrics;
pub mod openapi;
pub mod org;
pub mod password_work;
pub mod query_guard;
pub mod reply;
pub mod request_id;
pub mod routes;
pub mod server;
pub mod services;
pub mod spec_types;
pub mod state;
pub mod visit_group_commit;
pub mod web_app;
pub mod webhooks;
pub mod write_queue;

pub use server::start;
pub use state::{ApiSettings, AppState};
