//! Targets: who may set whose monthly target, and setting them all or none.

use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use ironfield_auth::{policy, Principal};
use ironfield_domain::calendar::Period;
use ironfield_domain::ids::{parse_id, TargetId, TeamId, UserId};
use ironfield_domain::pacing::{Metric, SubjectType};
use ironfield_domain::time::now;
use ironfield_domain::{Role, ValidationErrors};
use ironfield_persistence::targets::{self, TargetRow};
use ironfield_persistence::{teams, users, DbConnection, DbError, Timestamp};

/// One target as asked for; the subject is checked against the database here.
#[derive(Debug)]
pub struct TargetSetting {
    pub subject_type: SubjectType,
    pub subject_id: String,
    pub metric: Metric,
    pub value: i64,
}

/// Sets (or replaces) `period`'s targets, all or none: every item is checked first (a
/// problem per item is a 422 naming `[i].field`; a subject the caller may not set is 403),
/// then each is upserted with its `target.set` event. Runs in the caller's write
/// transaction (`blocking::write`).
pub fn set(
    conn: &mut DbConnection,
    caller: &Caller,
    period: Period,
    settings: Vec<TargetSetting>,
) -> ApiResult<Vec<TargetRow>> {
    let mut errors = ValidationErrors::new();
    let mut rows = Vec::with_capacity(settings.len());
    let at = now().naive_utc();
    for (i, setting) in settings.into_iter().enumerate() {
        if setting.value < 0 {
            errors.add(format!("[{i}].value"), "must not be negative");
        }
        let Some(subject_id) = parse_id(&setting.subject_id) else {
            errors.add(format!("[{i}].subject_id"), "no such subject");
            continue;
        };
        let Some((team_id, allowed)) = placement(
            conn,
            caller,
            setting.subject_type,
            &subject_id,
            i,
            &mut errors,
        )?
        else {
            continue;
        };
        if !allowed {
            return Err(ApiError::forbidden(format!(
                "target [{i}]: a team lead sets their members' targets, a manager their teams'"
            )));
        }
        rows.push(row(caller, period, setting, subject_id, team_id, at));
    }
    errors.into_result(())?;
    let mut stored = Vec::with_capacity(rows.len());
    for row in &rows {
        let row = targets::upsert(conn, row)?;
        crate::events::targets::target_set(conn, caller, &row, at)?;
        stored.push(row);
    }
    Ok(stored)
}

/// The team a target belongs to, and whether the caller may set it; `None` (with the
/// problem added to `errors`) when the subject is not one the caller can see.
fn placement(
    conn: &mut DbConnection,
    caller: &Caller,
    subject_type: SubjectType,
    subject_id: &str,
    i: usize,
    errors: &mut ValidationErrors,
) -> ApiResult<Option<(TeamId, bool)>> {
    match subject_type {
        SubjectType::User => match UserId::parse(subject_id).map_or(Err(DbError::NotFound), |id| {
            users::find(conn, &caller.scope(), &id)
        }) {
            Ok(users::UserRow {
                team_id: Some(team),
                ..
            }) => {
                let allowed = policy::may_lead_team(&caller.principal, &caller.view, &team);
                Ok(Some((team, allowed)))
            }
            Ok(_) | Err(DbError::NotFound) => {
                errors.add(format!("[{i}].subject_id"), "no such member in your teams");
                Ok(None)
            }
            Err(other) => Err(other.into()),
        },
        SubjectType::Team => match TeamId::parse(subject_id).map_or(Err(DbError::NotFound), |id| {
            teams::find(conn, &caller.scope(), &id)
        }) {
            Ok(team) => {
                // A team's target is set from above: its manager or an admin.
                let above = matches!(caller.principal, Principal::Service { .. })
                    || caller.principal.is_admin()
                    || caller.principal.role() == Some(Role::Manager);
                Ok(Some((team.id, above)))
            }
            Err(DbError::NotFound) => {
                errors.add(format!("[{i}].subject_id"), "no such team in your view");
                Ok(None)
            }
            Err(other) => Err(other.into()),
        },
    }
}

fn row(
    caller: &Caller,
    period: Period,
    setting: TargetSetting,
    subject_id: String,
    team_id: TeamId,
    at: Timestamp,
) -> TargetRow {
    TargetRow {
        id: TargetId::new(),
        period,
        subject_type: setting.subject_type,
        subject_id,
        metric: setting.metric,
        value: setting.value,
        team_id: Some(team_id),
        set_by: caller.id().to_owned(),
        created_at: at,
        updated_at: at,
        version: 1,
    }
}
