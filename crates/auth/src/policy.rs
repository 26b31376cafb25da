//! Who may manage whom. Seeing a record is [`crate::visibility`]'s question; these rules
//! decide, for a record the caller can see, whether they may change it (else 403).

use crate::principal::Principal;
use crate::visibility::TeamView;
use ironfield_domain::ids::{TeamId, UserId};
use ironfield_domain::Role;

/// Admins manage every user; a manager manages the non-admin users of their branch; team
/// leads and reps manage nobody.
pub fn may_manage_user(
    actor: &Principal,
    view: &TeamView,
    target_role: Role,
    target_team: Option<&TeamId>,
) -> bool {
    match actor.role() {
        Some(Role::Admin) => true,
        Some(Role::Manager) => target_role != Role::Admin && view.contains(target_team),
        _ => false,
    }
}

/// Whether `actor` may give a user `role` in `team` (on create, or by changing either).
pub fn may_place_user(
    actor: &Principal,
    view: &TeamView,
    role: Role,
    team: Option<&TeamId>,
) -> bool {
    match actor.role() {
        Some(Role::Admin) => true,
        // A manager staffs their branch; they cannot mint admins or people outside it.
        Some(Role::Manager) => role != Role::Admin && team.is_some() && view.contains(team),
        _ => false,
    }
}

/// Admins manage every team; a manager the teams of their branch.
pub fn may_manage_team(actor: &Principal, view: &TeamView, team: &TeamId) -> bool {
    match actor.role() {
        Some(Role::Admin) => true,
        Some(Role::Manager) => view.contains(Some(team)),
        _ => false,
    }
}

/// Whether `actor` may change a pipeline record (lead, seller account, visit) owned by
/// `owner_id` in `team`: admins anything; managers and team leads anything in their view; a
/// rep only their own; a service account anything (its scope is checked by the endpoint).
pub fn may_write_record(
    actor: &Principal,
    view: &TeamView,
    owner_id: &UserId,
    team: Option<&TeamId>,
) -> bool {
    match actor {
        Principal::Service { .. } => true,
        Principal::User { id, role, .. } => match role {
            Role::Admin => true,
            Role::Manager | Role::TeamLead => view.contains(team),
            Role::Rep => id == owner_id,
        },
    }
}

/// Whether `actor` may hand records of `team` to another owner: not a rep.
pub fn may_assign(actor: &Principal, view: &TeamView, team: Option<&TeamId>) -> bool {
    match actor.role() {
        Some(Role::Rep) => false,
        Some(_) => actor.is_admin() || view.contains(team),
        None => true,
    }
}

/// Whether `actor` may move records to another team: admins, and managers within their view.
pub fn may_move_team(actor: &Principal, view: &TeamView, to_team: Option<&TeamId>) -> bool {
    match actor.role() {
        Some(Role::Admin) | None => true,
        Some(Role::Manager) => view.contains(to_team),
        _ => false,
    }
}

/// Whether `actor` runs `team`'s day (its meetings, attendance, everyone's plans): its team
/// lead, a manager of the branch, an admin, or a service account.
pub fn may_lead_team(actor: &Principal, view: &TeamView, team: &TeamId) -> bool {
    match actor.role() {
        None | Some(Role::Admin) => true,
        Some(Role::Manager) | Some(Role::TeamLead) => view.contains(Some(team)),
        Some(Role::Rep) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// The id every test's caller has.
    fn me() -> UserId {
        UserId::parse("00000000-0000-7000-8000-000000000001").unwrap()
    }

    fn caller(role: Role) -> Principal {
        Principal::User {
            id: me(),
            role,
            team_id: Some(east()),
        }
    }

    fn east() -> TeamId {
        TeamId::parse("00000000-0000-7000-8000-0000000000e1").unwrap()
    }

    fn east_1() -> TeamId {
        TeamId::parse("00000000-0000-7000-8000-0000000000e2").unwrap()
    }

    fn west() -> TeamId {
        TeamId::parse("00000000-0000-7000-8000-0000000000f1").unwrap()
    }

    fn east_branch() -> TeamView {
        TeamView::Teams(BTreeSet::from([east(), east_1()]))
    }

    #[test]
    fn managers_manage_their_branch_but_never_admins() {
        let view = east_branch();
        let manager = caller(Role::Manager);
        assert!(may_manage_user(&manager, &view, Role::Rep, Some(&east_1())));
        assert!(!may_manage_user(&manager, &view, Role::Rep, Some(&west())));
        assert!(!may_manage_user(
            &manager,
            &view,
            Role::Admin,
            Some(&east())
        ));
        assert!(may_place_user(
            &manager,
            &view,
            Role::TeamLead,
            Some(&east_1())
        ));
        assert!(!may_place_user(
            &manager,
            &view,
            Role::Admin,
            Some(&east_1())
        ));
        assert!(!may_place_user(&manager, &view, Role::Rep, None));
    }

    #[test]
    fn leads_and_reps_manage_nobody() {
        let view = east_branch();
        for role in [Role::TeamLead, Role::Rep] {
            assert!(!may_manage_user(
                &caller(role),
                &view,
                Role::Rep,
                Some(&east())
            ));
            assert!(!may_place_user(
                &caller(role),
                &view,
                Role::Rep,
                Some(&east())
            ));
            assert!(!may_manage_team(&caller(role), &view, &east()));
        }
        let service = Principal::Service {
            id: ironfield_domain::ids::ServiceAccountId::new(),
            scopes: Default::default(),
        };
        assert!(!may_manage_user(
            &service,
            &TeamView::All,
            Role::Rep,
            Some(&east())
        ));
    }

    #[test]
    fn reps_write_their_own_records_only() {
        let view = east_branch();
        let rep = caller(Role::Rep);
        let someone_else = UserId::new();
        assert!(may_write_record(&rep, &view, &me(), Some(&east())));
        assert!(!may_write_record(&rep, &view, &someone_else, Some(&east())));
        assert!(!may_assign(&rep, &view, Some(&east())));
        let lead = caller(Role::TeamLead);
        assert!(may_write_record(&lead, &view, &someone_else, Some(&east())));
        assert!(!may_write_record(
            &lead,
            &view,
            &someone_else,
            Some(&west())
        ));
        assert!(may_assign(&lead, &view, Some(&east())));
        assert!(!may_move_team(&lead, &view, Some(&east_1())));
        assert!(may_move_team(
            &caller(Role::Manager),
            &view,
            Some(&east_1())
        ));
    }

    #[test]
    fn admins_manage_everyone() {
        let admin = caller(Role::Admin);
        assert!(may_manage_user(&admin, &TeamView::All, Role::Admin, None));
        assert!(may_place_user(&admin, &TeamView::All, Role::Admin, None));
        assert!(may_manage_team(&admin, &TeamView::All, &west()));
    }
}
