//! Ironfield's domain: the types that can only hold valid values and the rules between them.
//!
//! Nothing here touches a database, a socket or a clock other than through [`time::now`].

pub mod email;
pub mod ids;
pub mod role;
pub mod time;
pub mod validation;

pub use email::Email;
pub use role::Role;
pub use validation::{FieldError, ValidationErrors};
