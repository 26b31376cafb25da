//! The one visibility model: which teams' records a caller may see.
//!
//! - `admin`: every team.
//! - `manager`: their team and all its descendants (their branch).
//! - `team_lead` and `rep`: their own team (a rep's *writes* are narrowed further, to their own
//!   records, by each resource's rules).
//! - service accounts: every team, gated per resource by scope.
//!
//! The api's `Caller::scope` turns a [`TeamView`] into the `TeamScope` every persistence read
//! takes (a `team_id IN (...)` filter); a record outside it is reported as not found.

use crate::principal::Principal;
use ironfield_domain::ids::TeamId;
use ironfield_domain::Role;
use ironfield_domain::TeamTree;
use std::collections::BTreeSet;

/// The set of teams whose records a caller may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TeamView {
    All,
    Teams(BTreeSet<TeamId>),
}

impl TeamView {
    pub fn contains(&self, team_id: Option<&TeamId>) -> bool {
        match self {
            TeamView::All => true,
            TeamView::Teams(teams) => team_id.is_some_and(|id| teams.contains(id)),
        }
    }
}

/// What `principal` may see, given the team hierarchy.
pub fn team_view(principal: &Principal, tree: &TeamTree) -> TeamView {
    match principal {
        Principal::Service { .. } => TeamView::All,
        Principal::User { role, team_id, .. } => match (role, team_id) {
            (Role::Admin, _) => TeamView::All,
            (Role::Manager, Some(team)) => TeamView::Teams(tree.subtree(team)),
            (_, Some(team)) => TeamView::Teams(BTreeSet::from([team.clone()])),
            (_, None) => TeamView::Teams(BTreeSet::new()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ironfield_domain::ids::UserId;

    /// branch -> east -> east-1 ; branch -> west
    struct Teams {
        branch: TeamId,
        east: TeamId,
        east_1: TeamId,
        west: TeamId,
    }

    fn teams() -> (Teams, TeamTree) {
        let teams = Teams {
            branch: TeamId::new(),
            east: TeamId::new(),
            east_1: TeamId::new(),
            west: TeamId::new(),
        };
        let tree = TeamTree::new([
            (teams.branch.clone(), None),
            (teams.east.clone(), Some(teams.branch.clone())),
            (teams.east_1.clone(), Some(teams.east.clone())),
            (teams.west.clone(), Some(teams.branch.clone())),
        ]);
        (teams, tree)
    }

    fn user(role: Role, team: &TeamId) -> Principal {
        Principal::User {
            id: UserId::new(),
            role,
            team_id: Some(team.clone()),
        }
    }

    #[test]
    fn a_manager_sees_their_subtree_and_a_lead_their_team() {
        let (teams, tree) = teams();
        let manager = team_view(&user(Role::Manager, &teams.east), &tree);
        assert!(manager.contains(Some(&teams.east)));
        assert!(manager.contains(Some(&teams.east_1)));
        assert!(!manager.contains(Some(&teams.west)));
        assert!(!manager.contains(Some(&teams.branch)));

        let lead = team_view(&user(Role::TeamLead, &teams.east), &tree);
        assert!(lead.contains(Some(&teams.east)));
        assert!(!lead.contains(Some(&teams.east_1)));

        assert_eq!(
            team_view(&user(Role::Admin, &teams.west), &tree),
            TeamView::All
        );
    }

    #[test]
    fn a_user_without_a_team_sees_no_team() {
        let (teams, tree) = teams();
        let loner = Principal::User {
            id: UserId::new(),
            role: Role::Rep,
            team_id: None,
        };
        assert!(!team_view(&loner, &tree).contains(Some(&teams.east)));
        assert!(!team_view(&loner, &tree).contains(None));
    }
}
