//! The audit trail: every business write records one event in its own transaction.

/// The change set between two versions of a row, over the named fields: each field that
/// differs as `{"old", "new"}`, or every field as `{"new"}` when `old` is `None` (a create).
/// One builder for every resource; each lists only the fields its audit trail shows.
macro_rules! row_changes {
    ($old:expr, $new:expr; $($field:ident),+ $(,)?) => {{
        let (old, new) = ($old, $new);
        let mut changes = ironfield_persistence::audit::ChangeSet::new();
        $(changes.diff(stringify!($field), old.map(|o| &o.$field), &new.$field);)+
        changes
    }};
}
pub(crate) use row_changes;

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
