//! Teams: the visible team, who may lead it, and changes to a team.

use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, IfMatch};
use ironfield_auth::policy;
use ironfield_domain::ids::{new_id, UserId};
use ironfield_domain::time::now;
use ironfield_persistence::teams::{self, NewTeam, TeamChanges, TeamRow};
use ironfield_persistence::TeamScope;
use ironfield_persistence::{users, DbConnection, DbError};

/// Loads a team the caller can see; any other is "not found".
pub(crate) fn find_visible(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> ApiResult<TeamRow> {
    match teams::find(conn, &caller.scope(), id) {
        Ok(team) => Ok(team),
        Err(DbError::NotFound) => Err(ApiError::not_found("team")),
        Err(other) => Err(other.into()),
    }
}

/// A team's lead must be an active member of that team.
fn check_lead(conn: &mut DbConnection, team_id: &str, lead_id: &str) -> ApiResult<()> {
    // Any user: whether they belong to the team is the check itself.
    let found = match UserId::parse(lead_id) {
        Some(id) => users::find(conn, &TeamScope::everything(), &id),
        None => Err(DbError::NotFound),
    };
    match found {
        Ok(user) if user.team_id.as_deref() == Some(team_id) && user.is_active() => Ok(()),
        Ok(_) | Err(DbError::NotFound) => Err(ApiError::invalid_field(
            "lead_id",
            "must be an active member of the team",
        )),
        Err(other) => Err(other.into()),
    }
}

/// A change to a team whose fields passed their checks (`None`: leave as it is).
#[derive(Debug, Default)]
pub struct TeamUpdate {
    pub name: Option<String>,
    pub market: Option<Option<String>>,
    pub parent_id: Option<Option<String>>,
    pub lead_id: Option<Option<String>>,
}

/// Updates a team the caller manages. Moving it needs the right to manage the new parent
/// (never one's own team; to the top only an admin), and never under itself or its own
/// sub-team; a new lead must be an active member. Then the If-Match check and the write.
/// Runs in the caller's write transaction (`blocking::write`).
pub fn update(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    change: TeamUpdate,
    if_match: &IfMatch,
) -> ApiResult<TeamRow> {
    let current = find_visible(conn, caller, id)?;
    if !policy::may_manage_team(&caller.principal, &caller.view, &current.id) {
        return Err(ApiError::forbidden("you may not change this team"));
    }
    if let Some(new_parent) = &change.parent_id {
        if *new_parent != current.parent_id {
            check_move(conn, caller, &current, new_parent.as_deref())?;
        }
    }
    if let Some(Some(lead)) = &change.lead_id {
        check_lead(conn, &current.id, lead)?;
    }
    if_match.check(current.version)?;
    let changes = TeamChanges {
        name: change.name,
        parent_id: change.parent_id,
        lead_id: change.lead_id,
        market: change.market,
        updated_at: Some(now().naive_utc()),
    };
    if !teams::update(conn, &current.id, current.version, &changes)? {
        return Err(ApiError::precondition_failed());
    }
    Ok(teams::find(conn, &TeamScope::everything(), &current.id)?)
}

/// Whether the caller may move `team` under `new_parent` (`None`: to the top).
fn check_move(
    conn: &mut DbConnection,
    caller: &Caller,
    team: &TeamRow,
    new_parent: Option<&str>,
) -> ApiResult<()> {
    let own_team = caller.principal.team_id() == Some(team.id.as_str());
    let allowed = match new_parent {
        Some(parent) => {
            !own_team && policy::may_manage_team(&caller.principal, &caller.view, parent)
        }
        None => caller.principal.is_admin(),
    };
    if !allowed {
        return Err(ApiError::forbidden("you may not move this team there"));
    }
    if let Some(parent) = new_parent {
        find_visible(conn, caller, parent)
            .map_err(|e| e.not_found_as_invalid("parent_id", "no such team"))?;
        if teams::tree(conn)?.would_cycle(&team.id, parent) {
            return Err(ApiError::invalid_field(
                "parent_id",
                "a team cannot be placed under itself or its own sub-team",
            ));
        }
    }
    Ok(())
}

/// A team to create, its fields checked.
#[derive(Debug)]
pub struct TeamDraft {
    pub name: String,
    pub parent_id: Option<String>,
    pub market: Option<String>,
}

/// Creates a team: under a team the caller manages (a team of their branch, which must be in
/// view: 422 `parent_id` otherwise), or at the top for an admin; else 403. Runs in the
/// caller's write transaction.
pub fn create(conn: &mut DbConnection, caller: &Caller, draft: TeamDraft) -> ApiResult<TeamRow> {
    let allowed = match &draft.parent_id {
        Some(parent) => policy::may_manage_team(&caller.principal, &caller.view, parent),
        None => caller.principal.is_admin(),
    };
    if !allowed {
        return Err(ApiError::forbidden(
            "you may create teams only under a team of your branch",
        ));
    }
    if let Some(parent) = &draft.parent_id {
        find_visible(conn, caller, parent)
            .map_err(|e| e.not_found_as_invalid("parent_id", "no such team"))?;
    }
    let at = now().naive_utc();
    Ok(teams::insert(
        conn,
        &NewTeam {
            id: &new_id(),
            name: &draft.name,
            parent_id: draft.parent_id.as_deref(),
            lead_id: None,
            market: draft.market.as_deref(),
            created_at: at,
            updated_at: at,
        },
    )?)
}
