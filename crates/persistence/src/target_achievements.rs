//! Targets reached: one row per subject, period and metric the first time its actual met the
//! target, so `target.achieved` fires once however often the figures move afterwards.

use crate::error::DbError;
use crate::stored::Stored;
use crate::{DbConnection, Timestamp};
use diesel::sql_types::{Text, Timestamp as SqlTimestamp};
use diesel::RunQueryDsl;
use ironfield_domain::calendar::Period;
use ironfield_domain::pacing::{Metric, SubjectType};

/// Notes that the target was reached; `true` only the first time (the caller then emits the
/// event). Concurrent callers race on the primary key: exactly one of them gets `true`.
pub fn record_first(
    conn: &mut DbConnection,
    subject_type: SubjectType,
    subject_id: &str,
    period: Period,
    metric: Metric,
    at: Timestamp,
) -> Result<bool, DbError> {
    let (subject_type, period, metric) = (
        Stored::from(subject_type),
        Stored::from(period),
        Stored::from(metric),
    );
    // `ON CONFLICT DO NOTHING` means the same on both backends; only the placeholders differ.
    let inserted = match conn {
        DbConnection::Postgresql(pg) => diesel::sql_query(
            "INSERT INTO target_achievements (subject_type, subject_id, period, metric, achieved_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind::<Text, _>(subject_type)
        .bind::<Text, _>(subject_id)
        .bind::<Text, _>(period)
        .bind::<Text, _>(metric)
        .bind::<SqlTimestamp, _>(at)
        .execute(pg)?,
        DbConnection::Sqlite(sqlite) => diesel::sql_query(
            "INSERT INTO target_achievements (subject_type, subject_id, period, metric, achieved_at) \
             VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        )
        .bind::<Text, _>(subject_type)
        .bind::<Text, _>(subject_id)
        .bind::<Text, _>(period)
        .bind::<Text, _>(metric)
        .bind::<SqlTimestamp, _>(at)
        .execute(sqlite)?,
    };
    Ok(inserted == 1)
}
