-- The events outbox: one row per business change, written in the change's transaction.
-- SQLite has one writer at a time, so the autoincrement `seq` is commit order; `txid` is
-- always 0 here and exists so both backends order the feed by the same (txid, seq).
CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    txid BIGINT NOT NULL DEFAULT 0,
    event_id TEXT NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    actor_type TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    team_id TEXT,
    data TEXT NOT NULL,
    changes TEXT
);
CREATE INDEX events_feed_idx ON events (txid, seq);
-- The purge of old events.
CREATE INDEX events_occurred_at_idx ON events (occurred_at);

-- A target reached once per subject and period: target.achieved fires only for the first.
CREATE TABLE target_achievements (
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    period TEXT NOT NULL,
    metric TEXT NOT NULL,
    achieved_at TIMESTAMP NOT NULL,
    PRIMARY KEY (subject_type, subject_id, period, metric)
);
