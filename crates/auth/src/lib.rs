//! Who the caller is and what they may see: password hashing, access tokens, opaque secrets,
//! service-account scopes and the one visibility model every endpoint uses.

pub mod jwt;
pub mod opaque;
pub mod password;
pub mod policy;
pub mod principal;
/// Scopes are domain values (a service account's row holds them); re-exported here, where
/// tokens and callers use them.
pub use ironfield_domain::scope;
pub mod visibility;

pub use jwt::{AccessClaims, PrincipalKind, TokenError, TokenKeys};
pub use principal::Principal;
pub use scope::{Scope, Scopes};
pub use visibility::TeamView;
