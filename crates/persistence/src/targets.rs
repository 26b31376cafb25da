//! Monthly targets per rep and per team.

use crate::error::DbError;
use crate::pagination::{Page, PageRequest};
use crate::schema::targets;
use crate::scope::{in_scope, TeamScope};
use crate::stored::{Stored, StoredOption};
use crate::{paginate, DbConnection, Timestamp};
use diesel::prelude::*;
use ironfield_domain::calendar::Period;
use ironfield_domain::ids::{TargetId, TeamId};
use ironfield_domain::pacing::{Metric, SubjectType};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = targets)]
pub struct TargetRow {
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub id: TargetId,
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub period: Period,
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub subject_type: SubjectType,
    pub subject_id: String,
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub metric: Metric,
    pub value: i64,
    #[diesel(serialize_as = StoredOption, deserialize_as = StoredOption)]
    pub team_id: Option<TeamId>,
    pub set_by: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

/// Sets a target, replacing the value of the same period, subject and metric. Returns the
/// stored row.
pub fn upsert(conn: &mut DbConnection, target: &TargetRow) -> Result<TargetRow, DbError> {
    let key = targets::table
        .filter(targets::period.eq(Stored::from(target.period)))
        .filter(targets::subject_type.eq(Stored::from(target.subject_type)))
        .filter(targets::subject_id.eq(&target.subject_id))
        .filter(targets::metric.eq(Stored::from(target.metric)));
    let updated = diesel::update(key.clone())
        .set((
            targets::value.eq(target.value),
            targets::team_id.eq(target.team_id.as_ref().map(TeamId::as_str)),
            targets::set_by.eq(&target.set_by),
            targets::updated_at.eq(target.updated_at),
            targets::version.eq(targets::version + 1),
        ))
        .execute(conn)?;
    if updated == 0 {
        // By value: typed fields (`Stored`) make diesel's insert owned-only.
        diesel::insert_into(targets::table)
            .values(target.clone())
            .execute(conn)?;
    }
    Ok(key.select(TargetRow::as_select()).first(conn)?)
}

/// List filters besides the `TeamScope`: a period, and optionally one team or one rep's own
/// targets.
#[derive(Debug, Clone)]
pub struct TargetFilter {
    pub period: Period,
    pub team_id: Option<TeamId>,
    /// A rep sees their own targets and their team's, not their teammates'.
    pub only_user_or_team: Option<(String, Option<TeamId>)>,
}

pub fn list(
    conn: &mut DbConnection,
    scope: &TeamScope,
    filter: &TargetFilter,
    page: &PageRequest,
) -> Result<Page<TargetRow>, DbError> {
    let query = targets::table
        .filter(targets::period.eq(Stored::from(filter.period)))
        .select(TargetRow::as_select())
        .into_boxed();
    let mut query = in_scope!(query, scope, targets::team_id);
    if let Some(team) = &filter.team_id {
        query = query.filter(targets::team_id.eq(team.as_str().to_owned()));
    }
    if let Some((user, team)) = &filter.only_user_or_team {
        // A rep without a team matches no team's target (no team's id is empty).
        let team = team.as_ref().map(TeamId::to_string).unwrap_or_default();
        query = query.filter(
            targets::subject_type
                .eq(Stored::from(SubjectType::User))
                .and(targets::subject_id.eq(user.clone()))
                .or(targets::subject_type
                    .eq(Stored::from(SubjectType::Team))
                    .and(targets::subject_id.eq(team))),
        );
    }
    let rows = paginate!(query, targets, page).load(conn)?;
    Ok(Page::from_rows(rows, page.limit, |t: &TargetRow| {
        (t.created_at, t.id.to_string())
    }))
}

/// The targets of the named subjects in a period.
pub fn for_subjects(
    conn: &mut DbConnection,
    period: Period,
    user_ids: &[String],
    team_ids: &[TeamId],
) -> Result<Vec<TargetRow>, DbError> {
    Ok(targets::table
        .filter(targets::period.eq(Stored::from(period)))
        .filter(
            targets::subject_type
                .eq(Stored::from(SubjectType::User))
                .and(targets::subject_id.eq_any(user_ids.to_vec()))
                .or(targets::subject_type
                    .eq(Stored::from(SubjectType::Team))
                    .and(targets::subject_id.eq_any(crate::scope::texts(team_ids)))),
        )
        .select(TargetRow::as_select())
        .load(conn)?)
}
