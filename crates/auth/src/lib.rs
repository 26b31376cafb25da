//! Who the caller is and what they may see: password hashing, access tokens, opaque secrets,
//! service-account scopes and the one visibility model every endpoint uses.

pub mod jwt;
pub mod opaque;
pub mod password;
pub mod policy;
pub mod principal;
pub mod scope;
pub mod visibility;

pub use jwt::{AccessClaims, PrincipalKind, TokenError, TokenKeys};
pub use principal::Principal;
pub use scope::{Scope, Scopes};
pub use visibility::TeamView;
