-- The events outbox: one row per business change, written in the change's transaction.
-- `seq` is allocated at insert, not at commit, so a slow transaction can commit a low seq
-- after a reader has passed it. Each row therefore also keeps its transaction id (xid8 as
-- bigint); the feed orders by (txid, seq) and only serves rows whose transaction is older
-- than every transaction still running in this database, so nothing can commit behind a
-- position a reader has passed.
CREATE TABLE events (
    seq BIGSERIAL PRIMARY KEY,
    txid BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
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
