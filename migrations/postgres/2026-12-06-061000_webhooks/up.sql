-- Webhook subscriptions, one delivery row per event and subscription, and the cursors of
-- background jobs that read the event outbox.

CREATE TABLE webhooks (
    id TEXT PRIMARY KEY NOT NULL,
    url TEXT NOT NULL,
    -- A JSON array of event types; empty means every type.
    event_types TEXT NOT NULL,
    active BIGINT NOT NULL CHECK (active IN (0, 1)),
    description TEXT,
    secret TEXT NOT NULL,
    created_by TEXT NOT NULL,
    creator_kind TEXT NOT NULL CHECK (creator_kind IN ('user', 'service_account')),
    -- Consecutive failed attempts; a success resets it, so does re-enabling.
    failure_streak BIGINT NOT NULL DEFAULT 0,
    disabled_reason TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX webhooks_created_idx ON webhooks (created_at DESC, id DESC);
CREATE INDEX webhooks_creator_idx ON webhooks (created_by);

CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY NOT NULL,
    webhook_id TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    -- The exact JSON body sent on every attempt.
    payload TEXT NOT NULL,
    attempt BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    response_status BIGINT,
    duration_ms BIGINT,
    error TEXT,
    next_attempt_at TIMESTAMP,
    -- While a process is sending, nobody else may claim the row until this passes.
    claimed_until TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_list_idx ON webhook_deliveries (webhook_id, created_at DESC, id DESC);

CREATE TABLE job_cursors (
    name TEXT PRIMARY KEY NOT NULL,
    position TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
