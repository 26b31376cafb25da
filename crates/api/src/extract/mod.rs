//! Request extractors: the body, the caller, and the conventional headers.

mod caller;
mod headers;
pub mod json;
mod page;
mod strict;

pub use caller::Caller;
pub use headers::{IdempotencyKey, IfMatch};
pub use json::ApiJson;
pub use page::{page_request, parse_time};
