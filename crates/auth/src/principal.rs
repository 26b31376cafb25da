//! The caller of a request, as loaded from the database after the token checked out.

use crate::scope::{Scope, Scopes};
use ironfield_domain::ids::{ServiceAccountId, TeamId, UserId};
use ironfield_domain::Role;

/// A signed-in caller.
#[derive(Debug, Clone)]
pub enum Principal {
    User {
        id: UserId,
        role: Role,
        team_id: Option<TeamId>,
    },
    Service {
        id: ServiceAccountId,
        scopes: Scopes,
    },
}

impl Principal {
    /// Who acts, as the text audit and event records keep (a user's or a service account's
    /// id).
    pub fn id(&self) -> &str {
        match self {
            Principal::User { id, .. } => id.as_str(),
            Principal::Service { id, .. } => id.as_str(),
        }
    }

    /// The person calling; `None` for a service account.
    pub fn user_id(&self) -> Option<&UserId> {
        match self {
            Principal::User { id, .. } => Some(id),
            Principal::Service { .. } => None,
        }
    }

    pub fn role(&self) -> Option<Role> {
        match self {
            Principal::User { role, .. } => Some(*role),
            Principal::Service { .. } => None,
        }
    }

    pub fn team_id(&self) -> Option<&TeamId> {
        match self {
            Principal::User { team_id, .. } => team_id.as_ref(),
            Principal::Service { .. } => None,
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role() == Some(Role::Admin)
    }

    /// Whether a service account holds `scope`; people are governed by role, not scope.
    pub fn has_scope(&self, scope: Scope) -> bool {
        match self {
            Principal::User { .. } => true,
            Principal::Service { scopes, .. } => scopes.contains(scope),
        }
    }
}
