//! The team hierarchy (a branch and the teams under it), as pure data: who is below whom, and
//! whether a move would make a team its own ancestor. Visibility (`ironfield_auth`) and the
//! team writes both build on it; persistence only loads the edges.

use std::collections::{BTreeSet, HashMap};

/// The team hierarchy, as `(id, parent_id)` pairs.
#[derive(Debug, Clone, Default)]
pub struct TeamTree {
    children: HashMap<String, Vec<String>>,
    parents: HashMap<String, Option<String>>,
}

impl TeamTree {
    pub fn new(edges: impl IntoIterator<Item = (String, Option<String>)>) -> Self {
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

    pub fn exists(&self, team_id: &str) -> bool {
        self.parents.contains_key(team_id)
    }

    /// `root` and every team below it. Tolerates a cycle in stored data by visiting each
    /// team once.
    pub fn subtree(&self, root: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![root.to_owned()];
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
    pub fn ancestors(&self, team: &str) -> Vec<String> {
        let mut chain: Vec<String> = Vec::new();
        let mut next = Some(team.to_owned());
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
    pub fn would_cycle(&self, team: &str, new_parent: &str) -> bool {
        self.subtree(team).contains(new_parent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> TeamTree {
        // branch -> east -> east-1 ; branch -> west
        TeamTree::new([
            ("branch".to_owned(), None),
            ("east".to_owned(), Some("branch".to_owned())),
            ("east-1".to_owned(), Some("east".to_owned())),
            ("west".to_owned(), Some("branch".to_owned())),
        ])
    }

    #[test]
    fn ancestors_run_from_the_team_up_to_the_top() {
        let tree = tree();
        assert_eq!(tree.ancestors("east-1"), ["east-1", "east", "branch"]);
        assert_eq!(tree.ancestors("branch"), ["branch"]);
        let cycle = TeamTree::new([
            ("a".to_owned(), Some("b".to_owned())),
            ("b".to_owned(), Some("a".to_owned())),
        ]);
        assert_eq!(cycle.ancestors("a"), ["a", "b"]);
    }

    #[test]
    fn a_subtree_holds_the_root_and_everything_below() {
        let tree = tree();
        assert_eq!(
            tree.subtree("east"),
            BTreeSet::from(["east".to_owned(), "east-1".to_owned()])
        );
        assert!(tree.exists("west"));
        assert!(!tree.exists("north"));
    }

    #[test]
    fn cycles_are_detected() {
        let tree = tree();
        assert!(tree.would_cycle("east", "east-1"));
        assert!(tree.would_cycle("east", "east"));
        assert!(!tree.would_cycle("east-1", "west"));
    }
}
