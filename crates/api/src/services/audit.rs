//! The audit trail: every business write records one event in its own transaction.

/// Records one audit event by the caller, in the caller's transaction.
pub(crate) fn record(
    conn: &mut ironfield_persistence::DbConnection,
    caller: &crate::extract::Caller,
    entity_type: &str,
    entity_id: &str,
    action: &str,
    changes: ironfield_persistence::audit::ChangeSet,
    at: ironfield_persistence::Timestamp,
) -> crate::error::ApiResult<()> {
    Ok(ironfield_persistence::audit::record(
        conn,
        ironfield_persistence::audit::NewEvent {
            entity_type,
            entity_id,
            action,
            actor_id: caller.id(),
            changes: changes.into_value(),
            at,
        },
    )?)
}
