//! Signed webhooks: the SSRF guard, signing, retry timing, the delivery worker, and the step
//! from an event to its deliveries.

pub mod client;
pub mod enqueue;
pub mod fanout;
pub mod retry;
pub mod settings;
pub mod signature;
pub mod ssrf;
pub mod worker;

pub use enqueue::{enqueue_event, EventEnvelope};
