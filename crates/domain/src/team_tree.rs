//! The team hierarchy (a branch and the teams under it), as pure data: who is below whom, and
//! whether a move would make a team its own ancestor. Visibility (`ironfield_auth`) and the
//! team writes both build on it; persistence only loads the edges.

use crate::ids::TeamId;
use std::collections::{BTreeSet, HashMap};

/// The team hierarchy, as `(id, parent_id)` pairs.
#[derive(Debug, Clone, Default)]
pub struct TeamTree {
    children: HashMap<TeamId, Vec<TeamId>>,
    parents: HashMap<TeamId, Option<TeamId>>,
}

impl TeamTree {
    pub fn new(edges: impl IntoIterator<Item = (TeamId, Option<TeamId>)>) -> Self {
        let mut tree = TeamTree::default();
        for (id, parent) in edges {
            if let Some(parent) = &parent {
                tree.children
                    .entry(parent.clone())
                    .or_default()
                    .push(id.clone());
            }
            tree.parents.insert(id, parent);
        }
        tree
    }

    pub fn exists(&self, team_id: &TeamId) -> bool {
        self.parents.contains_key(team_id)
    }

    /// `root` and every team below it. Tolerates a cycle in stored data by visiting each
    /// team once.
    pub fn subtree(&self, root: &TeamId) -> BTreeSet<TeamId> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![root.clone()];
        while let Some(id) = stack.pop() {
            if seen.insert(id.clone()) {
                if let Some(children) = self.children.get(&id) {
                    stack.extend(children.iter().cloned());
                }
            }
        }
        seen
    }

    /// `team` and every team above it, nearest first: the teams whose figures include
    /// `team`'s. Tolerates a cycle in stored data by listing each team once.
    pub fn ancestors(&self, team: &TeamId) -> Vec<TeamId> {
        let mut chain: Vec<TeamId> = Vec::new();
        let mut next = Some(team.clone());
        while let Some(id) = next.take() {
            if chain.contains(&id) {
                break;
            }
            next = self.parents.get(&id).cloned().flatten();
            chain.push(id);
        }
        chain
    }

    /// Whether making `new_parent` the parent of `team` would create a cycle.
    pub fn would_cycle(&self, team: &TeamId, new_parent: &TeamId) -> bool {
        self.subtree(team).contains(new_parent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn ancestors_run_from_the_team_up_to_the_top() {
        let (teams, tree) = teams();
        assert_eq!(
            tree.ancestors(&teams.east_1),
            [
                teams.east_1.clone(),
                teams.east.clone(),
                teams.branch.clone()
            ]
        );
        assert_eq!(tree.ancestors(&teams.branch), vec![teams.branch.clone()]);
        let (a, b) = (TeamId::new(), TeamId::new());
        let cycle = TeamTree::new([(a.clone(), Some(b.clone())), (b.clone(), Some(a.clone()))]);
        assert_eq!(cycle.ancestors(&a), [a, b]);
    }

    #[test]
    fn a_subtree_holds_the_root_and_everything_below() {
        let (teams, tree) = teams();
        assert_eq!(
            tree.subtree(&teams.east),
            BTreeSet::from([teams.east.clone(), teams.east_1.clone()])
        );
        assert!(tree.exists(&teams.west));
        assert!(!tree.exists(&TeamId::new()));
    }

    #[test]
    fn cycles_are_detected() {
        let (teams, tree) = teams();
        assert!(tree.would_cycle(&teams.east, &teams.east_1));
        assert!(tree.would_cycle(&teams.east, &teams.east));
        assert!(!tree.would_cycle(&teams.east_1, &teams.west));
    }
}
