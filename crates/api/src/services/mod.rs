//! The service layer: the business rules of each resource, one home for them.
//!
//! A handler extracts the request, calls one function here inside the transaction it opens
//! (`blocking::write`), and renders the result. A function here takes the connection, the
//! caller and typed input, checks visibility and permissions, writes the rows and the audit
//! record, and returns rows or an `ApiError`. A route module never imports another route
//! module: what two resources share lives here.

pub mod audit;
pub mod facts;
pub mod leads;
pub mod meetings;
pub mod ownership;
pub mod record;
pub mod renewals;
pub mod seller_accounts;
pub mod seller_performance;
pub mod service_accounts;
pub mod sessions;
pub mod settings;
pub mod targets;
pub mod teams;
pub mod users;
pub mod visits;
pub mod webhooks;
