//! What every change to a versioned record does once its new row is decided, whatever the
//! resource: the diff for its history, nothing written when nothing changed, the write under
//! the version the change was decided on (412 when another write came first), one audit
//! event, and the row read back as stored. A resource's own rules (duplicates, its events)
//! run around this, in the same transaction.

use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::services::audit;
use ironfield_persistence::audit::ChangeSet;
use ironfield_persistence::{DbConnection, Timestamp};

/// A stored row that changes under a version check and keeps an audit trail.
pub(crate) trait Versioned: Sized {
    /// The record's kind in the audit trail (`lead`, `seller_account`).
    const ENTITY: &'static str;
    /// The record's id as the audit trail names it.
    fn id_text(&self) -> &str;
    /// The fields that differ between `old` and `new` (every set field when there is no
    /// `old`), as its history shows them.
    fn changes(old: Option<&Self>, new: &Self) -> ChangeSet;
    fn set_updated_at(&mut self, at: Timestamp);
    /// Writes the row over the stored one if that is still at the row's version; `false`
    /// when another write came first.
    fn store(conn: &mut DbConnection, row: &Self) -> ApiResult<bool>;
    /// The row as stored now (every team: the change's own checks found it in view).
    fn reload(conn: &mut DbConnection, row: &Self) -> ApiResult<Self>;
}

/// A decided change of a record: its new row and what differs from the current one.
pub(crate) struct Change<R> {
    row: R,
    changes: ChangeSet,
}

impl<R: Versioned> Change<R> {
    /// The change from `current` to `new`; `None` when no field of the history differs, so
    /// nothing is written and no event recorded.
    pub(crate) fn of(current: &R, new: R) -> Option<Self> {
        let changes = R::changes(Some(current), &new);
        (!changes.is_empty()).then_some(Change { row: new, changes })
    }

    /// The row as it will be written.
    pub(crate) fn row(&self) -> &R {
        &self.row
    }

    /// Writes the change at `at` under its version check (412 when another write came first)
    /// and records it in the audit trail as `action`; returns the row as stored.
    pub(crate) fn write(
        self,
        conn: &mut DbConnection,
        caller: &Caller,
        action: &str,
        at: Timestamp,
    ) -> ApiResult<R> {
        let Change { mut row, changes } = self;
        row.set_updated_at(at);
        if !R::store(conn, &row)? {
            return Err(ApiError::precondition_failed());
        }
        audit::record(conn, caller, R::ENTITY, row.id_text(), action, changes, at)?;
        R::reload(conn, &row)
    }
}
