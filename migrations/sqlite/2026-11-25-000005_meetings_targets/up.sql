-- The 8:30 morning meeting, and monthly targets.

CREATE TABLE meetings (
    id TEXT PRIMARY KEY NOT NULL,
    team_id TEXT NOT NULL REFERENCES teams (id),
    date TEXT NOT NULL,
    held_at TIMESTAMP,
    location TEXT,
    agenda TEXT,
    notes TEXT,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX meetings_team_date_uq ON meetings (team_id, date);
CREATE INDEX meetings_created_idx ON meetings (created_at DESC, id DESC);

CREATE TABLE meeting_attendance (
    meeting_id TEXT NOT NULL REFERENCES meetings (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL CHECK (status IN ('present', 'late', 'absent', 'excused')),
    note TEXT,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (meeting_id, user_id)
);

CREATE TABLE meeting_plans (
    meeting_id TEXT NOT NULL REFERENCES meetings (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    planned_visits BIGINT NOT NULL,
    planned_signings BIGINT NOT NULL,
    focus_market TEXT,
    notes TEXT,
    updated_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (meeting_id, user_id)
);

CREATE TABLE targets (
    id TEXT PRIMARY KEY NOT NULL,
    period TEXT NOT NULL,
    subject_type TEXT NOT NULL CHECK (subject_type IN ('user', 'team')),
    subject_id TEXT NOT NULL,
    metric TEXT NOT NULL CHECK (metric IN ('visits', 'new_sellers', 'contract_value', 'renewals')),
    value BIGINT NOT NULL,
    -- The team the target belongs to, for visibility: the user's team, or the team itself.
    team_id TEXT REFERENCES teams (id),
    set_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX targets_subject_uq ON targets (period, subject_type, subject_id, metric);
CREATE INDEX targets_team_period_idx ON targets (team_id, period);
-- Signed-seller and renewal figures by owner and month (progress, leaderboard).
CREATE INDEX seller_accounts_signed_owner_idx ON seller_accounts (signed_business_date, owner_id);
