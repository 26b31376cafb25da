//! The events outbox and the change feed's reads.
//!
//! Every business change appends its events in the change's own transaction
//! ([`append`]), so an event exists exactly when its change was committed. Readers (the
//! `GET /events` feed, the webhook deliverer) page through them with [`read_after`] in commit
//! order and keep an [`EventCursor`].
//!
//! Commit order: on SQLite writers are serialised, so the autoincrement `seq` is commit
//! order. On PostgreSQL `seq` is allocated at insert, and a slow transaction can commit a
//! low `seq` after a reader has passed it. There each row also stores its transaction id
//! (`txid`, xid8 as bigint); the feed orders by `(txid, seq)` and serves only rows whose
//! transaction id is below the oldest transaction still running in this database (see
//! [`end`]): such a transaction has finished, and any transaction that commits later has an id
//! at or above that horizon, so it sorts after every position already served. The price: a
//! long-running transaction in the database holds the feed back until it ends (it never
//! loses or repeats an event).

use crate::error::DbError;
use crate::schema::events;
use crate::scope::{in_scope, TeamScope};
use crate::stored::{Stored, StoredOption};
use crate::{DbConnection, Timestamp};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use ironfield_domain::ids::{EventId, TeamId};
use ironfield_domain::webhook::CreatorType;

/// How long events are kept at least (the contract says 30 days).
pub const RETENTION: chrono::Duration = chrono::Duration::days(30);

/// One stored event.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = events)]
pub struct EventRow {
    pub seq: i64,
    pub txid: i64,
    #[diesel(deserialize_as = Stored)]
    pub event_id: EventId,
    pub event_type: String,
    pub occurred_at: Timestamp,
    /// Who made the change: a user or a service account (stored `user` /
    /// `service_account`, the same two kinds as a webhook's creator).
    #[diesel(deserialize_as = Stored)]
    pub actor_type: CreatorType,
    pub actor_id: String,
    pub record_type: String,
    pub record_id: String,
    #[diesel(deserialize_as = StoredOption)]
    pub team_id: Option<TeamId>,
    /// The record as the API returns it after the change (JSON).
    pub data: String,
    /// `{field: {from, to}}` (JSON), for the events that carry it.
    pub changes: Option<String>,
}

impl EventRow {
    /// The feed position just after this event.
    pub fn position(&self) -> EventCursor {
        EventCursor {
            txid: self.txid,
            seq: self.seq,
        }
    }
}

/// An event to append. `seq` and `txid` are the database's (column defaults).
pub struct NewEvent<'a> {
    pub event_id: &'a EventId,
    pub event_type: &'a str,
    pub occurred_at: Timestamp,
    pub actor_type: CreatorType,
    pub actor_id: &'a str,
    pub record_type: &'a str,
    pub record_id: &'a str,
    pub team_id: Option<&'a TeamId>,
    pub data: &'a serde_json::Value,
    pub changes: Option<&'a serde_json::Value>,
}

/// Appends one event in the caller's transaction: it commits or rolls back with the change.
pub fn append(conn: &mut DbConnection, event: &NewEvent<'_>) -> Result<(), DbError> {
    append_many(conn, std::slice::from_ref(event))
}

/// Columns an append writes, for sizing multi-row INSERTs.
const EVENT_COLUMNS: usize = 10;

/// Appends many events in the caller's transaction with multi-row INSERTs, in the order
/// given (so their `seq` follows it).
pub fn append_many(conn: &mut DbConnection, events: &[NewEvent<'_>]) -> Result<(), DbError> {
    let rows: Vec<_> = events
        .iter()
        .map(|event| {
            (
                events::event_id.eq(event.event_id.as_str()),
                events::event_type.eq(event.event_type),
                events::occurred_at.eq(event.occurred_at),
                events::actor_type.eq(Stored::from(event.actor_type)),
                events::actor_id.eq(event.actor_id),
                events::record_type.eq(event.record_type),
                events::record_id.eq(event.record_id),
                events::team_id.eq(event.team_id.map(TeamId::as_str)),
                events::data.eq(event.data.to_string()),
                events::changes.eq(event.changes.map(|c| c.to_string())),
            )
        })
        .collect();
    for chunk in rows.chunks(crate::BULK_BIND_PARAMETERS / EVENT_COLUMNS) {
        // Per backend: diesel's multi-connection has no multi-row INSERT of its own.
        let insert = diesel::insert_into(events::table).values(chunk.to_vec());
        match conn {
            DbConnection::Postgresql(conn) => insert.execute(conn)?,
            DbConnection::Sqlite(conn) => insert.execute(conn)?,
        };
    }
    Ok(())
}

/// A position in the feed: every event at or before it has been served. Opaque to clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct EventCursor {
    pub txid: i64,
    pub seq: i64,
}

#[derive(Debug, thiserror::Error)]
#[error("the cursor is not one this server issued")]
pub struct BadEventCursor;

/// Marks the encoding, so a list cursor passed here (or a future format) is refused.
const CURSOR_PREFIX: &str = "ev1";

impl EventCursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{CURSOR_PREFIX}.{}.{}", self.txid, self.seq))
    }

    pub fn decode(text: &str) -> Result<Self, BadEventCursor> {
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| BadEventCursor)?;
        let text = String::from_utf8(bytes).map_err(|_| BadEventCursor)?;
        let mut parts = text.split('.');
        let (Some(CURSOR_PREFIX), Some(txid), Some(seq), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(BadEventCursor);
        };
        let txid: i64 = txid.parse().map_err(|_| BadEventCursor)?;
        let seq: i64 = seq.parse().map_err(|_| BadEventCursor)?;
        if txid < 0 || seq < 0 {
            return Err(BadEventCursor);
        }
        Ok(EventCursor { txid, seq })
    }
}

/// Which events a reader wants besides its `TeamScope`. `None` is no restriction.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Event types (`lead.created`, ...).
    pub types: Option<Vec<String>>,
    /// Record types (`lead`, `visit`, ...): a service account's scopes.
    pub record_types: Option<Vec<String>>,
}

/// The last position a reader may be served now: everything at or before it has committed
/// and nothing can commit at or before it any more.
pub fn end(conn: &mut DbConnection) -> Result<EventCursor, DbError> {
    match conn {
        DbConnection::Postgresql(pg) => {
            // The first transaction that may still commit is the horizon itself; the end is
            // the last event below it. (Not the horizon: it moves with every transaction in
            // the database, and a reader's cursor should move only when events do.)
            let horizon = pg_horizon(pg)?;
            let last: Option<(i64, i64)> = events::table
                .filter(events::txid.lt(horizon))
                .select((events::txid, events::seq))
                .order((events::txid.desc(), events::seq.desc()))
                .first(pg)
                .optional()?;
            let (txid, seq) = last.unwrap_or((0, 0));
            Ok(EventCursor { txid, seq })
        }
        DbConnection::Sqlite(_) => {
            let last: Option<i64> = events::table
                .select(diesel::dsl::max(events::seq))
                .first(conn)?;
            Ok(EventCursor {
                txid: 0,
                seq: last.unwrap_or(0),
            })
        }
    }
}

#[derive(QueryableByName)]
struct Xid {
    #[diesel(sql_type = BigInt)]
    xid: i64,
}

/// The lowest transaction id that may still commit an event: the oldest transaction running
/// in this database, or one past the latest completed id (the snapshot's `xmax`) when that
/// is lower.
///
/// Not simply `pg_snapshot_xmin(pg_current_snapshot())`: transaction ids are cluster-wide, so
/// a long transaction in another database of the same server would hold the feed back.
/// Order matters: `xmax` is read first; a transaction that gets its id later is above it, and
/// one that ends after the list below was read has committed before the caller's next
/// statement takes its snapshot.
fn pg_horizon(pg: &mut diesel::PgConnection) -> Result<i64, DbError> {
    let next: Xid =
        diesel::sql_query("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xid")
            .get_result(pg)?;
    // Activity statistics are cached per transaction; a reader inside one must see them now.
    diesel::sql_query("SELECT pg_stat_clear_snapshot()").execute(pg)?;
    let running: Vec<Xid> = diesel::sql_query(
        "SELECT backend_xid::text::bigint AS xid FROM pg_stat_activity \
         WHERE datname = current_database() AND backend_xid IS NOT NULL \
         UNION ALL SELECT transaction::text::bigint AS xid FROM pg_prepared_xacts \
         WHERE database = current_database()",
    )
    .load(pg)?;
    Ok(running
        .iter()
        .map(|r| widen_xid(r.xid, next.xid))
        .fold(next.xid, i64::min))
}

/// A 32-bit transaction id as its 64-bit (epoch-qualified) form, given a recent 64-bit id:
/// the one nearest to `recent`. Running ids lie on both sides of the snapshot's `xmax`: it is
/// one past the latest *completed* id, so a transaction that took its id after that one and
/// is still running is at or above it. (Widening those into the previous epoch, as this once
/// did, put the horizon four billion ids back: the feed then served nothing while any newer
/// transaction ran, which under steady writes is nearly always.) PostgreSQL keeps every
/// live id within 2^31 of the next one, so the nearest candidate is the right one.
fn widen_xid(xid32: i64, recent: i64) -> i64 {
    const EPOCH: i64 = 1 << 32;
    const HALF: i64 = 1 << 31;
    let candidate = (recent & !0xFFFF_FFFF) | (xid32 & 0xFFFF_FFFF);
    if candidate > recent + HALF {
        candidate - EPOCH
    } else if candidate < recent - HALF {
        candidate + EPOCH
    } else {
        candidate
    }
}

/// Up to `limit` events after `after` (from the oldest kept when `None`) that `filter`
/// lets through, in commit order, and the cursor to continue from. The cursor moves past
/// events the filter skipped too, and is returned even when the page is empty.
pub fn read_after(
    conn: &mut DbConnection,
    scope: &TeamScope,
    after: Option<EventCursor>,
    filter: &EventFilter,
    limit: i64,
) -> Result<(Vec<EventRow>, EventCursor), DbError> {
    // The end first: the page below then sees every event at or before it (PostgreSQL's
    // READ COMMITTED takes a new snapshot per statement; SQLite writes land in seq order).
    let end = end(conn)?;
    let start = after.unwrap_or(EventCursor { txid: 0, seq: 0 });
    if start >= end {
        return Ok((Vec::new(), start));
    }
    let mut query = events::table
        .filter(
            events::txid
                .gt(start.txid)
                .or(events::txid.eq(start.txid).and(events::seq.gt(start.seq))),
        )
        .filter(
            events::txid
                .lt(end.txid)
                .or(events::txid.eq(end.txid).and(events::seq.le(end.seq))),
        )
        .select(EventRow::as_select())
        .order((events::txid.asc(), events::seq.asc()))
        .limit(limit)
        .into_boxed();
    if let Some(types) = &filter.types {
        query = query.filter(events::event_type.eq_any(types.clone()));
    }
    if let Some(record_types) = &filter.record_types {
        query = query.filter(events::record_type.eq_any(record_types.clone()));
    }
    // An event without a team is outside every scope but `everything`.
    query = in_scope!(query, scope, events::team_id);
    let rows: Vec<EventRow> = query.load(conn)?;
    let next = match rows.last() {
        // A full page: more may follow right after its last event.
        Some(last) if rows.len() as i64 >= limit => last.position(),
        // Everything up to the end was looked at.
        _ => end,
    };
    Ok((rows, next))
}

/// After `move-data` copied events into this database: their transaction ids are another
/// database's, so they all become 0 (before every transaction here, in `seq` order), and on
/// PostgreSQL the `seq` sequence moves past the copied rows.
pub fn adopt_moved(conn: &mut DbConnection) -> Result<(), DbError> {
    diesel::update(events::table)
        .set(events::txid.eq(0))
        .execute(conn)?;
    if let DbConnection::Postgresql(pg) = conn {
        diesel::sql_query(
            "SELECT setval(pg_get_serial_sequence('events', 'seq'), \
             COALESCE((SELECT MAX(seq) FROM events), 0) + 1, false)",
        )
        .execute(pg)?;
    }
    Ok(())
}

/// Deletes events that occurred before `cutoff` (older than the retention); how many.
pub fn purge_before(conn: &mut DbConnection, cutoff: Timestamp) -> Result<usize, DbError> {
    Ok(diesel::delete(events::table.filter(events::occurred_at.lt(cutoff))).execute(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transaction_ids_widen_into_the_right_epoch() {
        let recent = (3_i64 << 32) | 100;
        assert_eq!(widen_xid(90, recent), (3 << 32) | 90);
        assert_eq!(widen_xid(100, recent), recent);
        // Just before the epoch turned.
        assert_eq!(widen_xid(0xFFFF_FFF0, recent), (2 << 32) | 0xFFFF_FFF0);
        // Running, and newer than the latest completed id (the snapshot's xmax).
        assert_eq!(widen_xid(105, recent), (3 << 32) | 105);
        // Taken just after the epoch turned, while `recent` is still before it.
        let before_turn = (3_i64 << 32) | 0xFFFF_FFF0;
        assert_eq!(widen_xid(5, before_turn), (4 << 32) | 5);
    }

    #[test]
    fn a_cursor_survives_its_encoding() {
        let cursor = EventCursor {
            txid: 7_654_321,
            seq: 42,
        };
        assert_eq!(EventCursor::decode(&cursor.encode()).unwrap(), cursor);
    }

    #[test]
    fn foreign_or_broken_cursors_are_refused() {
        for bad in [
            "",
            "not base64!",
            "eyJ0IjoxfQ",
            &URL_SAFE_NO_PAD.encode("ev1.1"),
        ] {
            assert!(EventCursor::decode(bad).is_err(), "{bad}");
        }
        assert!(EventCursor::decode(&URL_SAFE_NO_PAD.encode("ev1.-1.3")).is_err());
        assert!(EventCursor::decode(&URL_SAFE_NO_PAD.encode("ev1.1.2.3")).is_err());
    }
}
