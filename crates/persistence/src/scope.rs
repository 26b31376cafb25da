//! Which teams' records a read may return: a required argument of every query that returns
//! records of more than one team, so a read that forgets the caller's view does not compile.
//!
//! There is no `Default`: "every team" is said out loud with [`TeamScope::everything`] (an
//! admin's or a service account's view, the seeder, `move-data`, an internal re-read after a
//! write that already passed its checks). A caller's view becomes a scope in one place,
//! `Caller::scope` in the api crate.

use ironfield_domain::ids::TeamId;

/// The teams whose records a read may return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamScope(Teams);

/// Private, so a scope is only made through the named constructors.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Teams {
    Everything,
    Only(Vec<TeamId>),
}

impl TeamScope {
    /// Every team, and records without one.
    pub fn everything() -> Self {
        TeamScope(Teams::Everything)
    }

    /// Only records of these teams (none at all when `ids` is empty; a record without a team
    /// is outside).
    pub fn teams(ids: impl IntoIterator<Item = TeamId>) -> Self {
        TeamScope(Teams::Only(ids.into_iter().collect()))
    }

    /// The team ids to filter a query by, or `None` when the scope is every team.
    pub fn team_ids(&self) -> Option<&[TeamId]> {
        match &self.0 {
            Teams::Everything => None,
            Teams::Only(ids) => Some(ids),
        }
    }

    /// Whether a record of `team_id` is inside the scope.
    pub fn contains(&self, team_id: Option<&TeamId>) -> bool {
        match &self.0 {
            Teams::Everything => true,
            Teams::Only(ids) => team_id.is_some_and(|id| ids.contains(id)),
        }
    }
}

/// The ids' text, as a team column is compared with (owned, so a boxed query does not borrow
/// the scope).
pub(crate) fn texts(ids: &[TeamId]) -> Vec<String> {
    ids.iter().map(|id| id.as_str().to_owned()).collect()
}

/// Narrows a boxed query to the scope's teams by its `team_id`-like column.
macro_rules! in_scope {
    ($query:expr, $scope:expr, $column:expr) => {
        match $scope.team_ids() {
            Some(ids) => $query.filter($column.eq_any($crate::scope::texts(ids))),
            None => $query,
        }
    };
}
pub(crate) use in_scope;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_team_scope_holds_only_its_teams() {
        let (east, west) = (TeamId::new(), TeamId::new());
        let scope = TeamScope::teams([east.clone()]);
        assert!(scope.contains(Some(&east)));
        assert!(!scope.contains(Some(&west)));
        assert!(!scope.contains(None));
        let east_only = std::slice::from_ref(&east);
        assert_eq!(scope.team_ids(), Some(east_only));
        assert_eq!(texts(east_only), vec![east.as_str().to_owned()]);
        assert!(!TeamScope::teams([]).contains(Some(&east)));
    }

    #[test]
    fn everything_holds_every_record() {
        assert!(TeamScope::everything().contains(None));
        assert!(TeamScope::everything().contains(Some(&TeamId::new())));
        assert_eq!(TeamScope::everything().team_ids(), None);
    }
}
