-- Visit logs from the phone. `business_date` is the organisation-time-zone day of
-- `visited_at`, stored so days and months group portably and by index.
CREATE TABLE visits (
    id TEXT PRIMARY KEY NOT NULL,
    rep_id TEXT NOT NULL REFERENCES users (id),
    team_id TEXT REFERENCES teams (id),
    lead_id TEXT REFERENCES leads (id),
    seller_account_id TEXT REFERENCES seller_accounts (id),
    visited_at TIMESTAMP NOT NULL,
    business_date TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    location_lat DOUBLE PRECISION,
    location_lng DOUBLE PRECISION,
    location_accuracy_m DOUBLE PRECISION,
    location_check TEXT NOT NULL CHECK (location_check IN ('verified', 'out_of_range', 'unverifiable')),
    market TEXT,
    district TEXT,
    stall_no TEXT,
    purpose TEXT NOT NULL CHECK (purpose IN ('prospecting', 'follow_up', 'signing', 'account_service')),
    outcome TEXT NOT NULL CHECK (outcome IN ('no_contact', 'not_interested', 'interested', 'follow_up_scheduled', 'signed', 'issue_resolved')),
    notes TEXT,
    next_follow_up_at TIMESTAMP,
    duration_minutes BIGINT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX visits_created_idx ON visits (created_at DESC, id DESC);
CREATE INDEX visits_team_date_idx ON visits (team_id, business_date);
CREATE INDEX visits_rep_date_idx ON visits (rep_id, business_date);
CREATE INDEX visits_team_created_idx ON visits (team_id, created_at DESC, id DESC);
CREATE INDEX visits_lead_idx ON visits (lead_id, visited_at);
CREATE INDEX visits_account_idx ON visits (seller_account_id, visited_at);
CREATE INDEX visits_updated_idx ON visits (updated_at);
