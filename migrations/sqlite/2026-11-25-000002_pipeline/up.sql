-- The recruitment pipeline: leads, seller accounts, renewals, and the audit trail.

CREATE TABLE leads (
    id TEXT PRIMARY KEY NOT NULL,
    company_name TEXT NOT NULL,
    contact_name TEXT,
    phone TEXT,
    wechat_id TEXT,
    email TEXT,
    business_license_no TEXT,
    market TEXT,
    district TEXT,
    stall_no TEXT,
    location_lat DOUBLE PRECISION,
    location_lng DOUBLE PRECISION,
    product_categories TEXT NOT NULL DEFAULT '[]',
    source TEXT,
    stage TEXT NOT NULL CHECK (stage IN ('new', 'contacted', 'visited', 'negotiating', 'won', 'lost')),
    lost_reason TEXT,
    owner_id TEXT NOT NULL REFERENCES users (id),
    team_id TEXT REFERENCES teams (id),
    estimated_value BIGINT,
    estimated_currency TEXT,
    notes TEXT,
    last_visit_at TIMESTAMP,
    next_follow_up_at TIMESTAMP,
    account_id TEXT,
    merged_into_id TEXT,
    archived_at TIMESTAMP,
    -- Lower-cased company, contact, phone and stall, for `q`.
    search_text TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
-- Lists: newest first, within the caller's teams, by owner or stage.
CREATE INDEX leads_live_created_idx ON leads (created_at DESC, id DESC) WHERE archived_at IS NULL;
CREATE INDEX leads_team_created_idx ON leads (team_id, created_at DESC, id DESC) WHERE archived_at IS NULL;
CREATE INDEX leads_owner_created_idx ON leads (owner_id, created_at DESC, id DESC) WHERE archived_at IS NULL;
CREATE INDEX leads_team_stage_created_idx ON leads (team_id, stage, created_at DESC, id DESC) WHERE archived_at IS NULL;
CREATE INDEX leads_follow_up_idx ON leads (team_id, next_follow_up_at) WHERE archived_at IS NULL;
CREATE INDEX leads_updated_idx ON leads (updated_at);
CREATE INDEX leads_archived_created_idx ON leads (created_at DESC, id DESC);
-- Duplicate detection: at most one open lead per identifier; the indexes also serve look-ups.
CREATE UNIQUE INDEX leads_open_phone_uq ON leads (phone)
    WHERE archived_at IS NULL AND stage NOT IN ('won', 'lost') AND phone IS NOT NULL;
CREATE UNIQUE INDEX leads_open_wechat_uq ON leads (wechat_id)
    WHERE archived_at IS NULL AND stage NOT IN ('won', 'lost') AND wechat_id IS NOT NULL;
CREATE UNIQUE INDEX leads_open_license_uq ON leads (business_license_no)
    WHERE archived_at IS NULL AND stage NOT IN ('won', 'lost') AND business_license_no IS NOT NULL;
CREATE UNIQUE INDEX leads_open_stall_uq ON leads (market, stall_no)
    WHERE archived_at IS NULL AND stage NOT IN ('won', 'lost') AND market IS NOT NULL AND stall_no IS NOT NULL;

CREATE TABLE seller_accounts (
    id TEXT PRIMARY KEY NOT NULL,
    company_name TEXT NOT NULL,
    contact_name TEXT,
    phone TEXT,
    wechat_id TEXT,
    business_license_no TEXT,
    market TEXT,
    district TEXT,
    stall_no TEXT,
    location_lat DOUBLE PRECISION,
    location_lng DOUBLE PRECISION,
    lead_id TEXT REFERENCES leads (id),
    owner_id TEXT NOT NULL REFERENCES users (id),
    team_id TEXT REFERENCES teams (id),
    membership_tier TEXT NOT NULL CHECK (membership_tier IN ('standard', 'gold', 'premium')),
    status TEXT NOT NULL CHECK (status IN ('onboarding', 'active', 'suspended', 'churned')),
    contract_start DATE NOT NULL,
    contract_end DATE NOT NULL,
    contract_value BIGINT NOT NULL,
    contract_currency TEXT NOT NULL,
    signed_at TIMESTAMP NOT NULL,
    -- The organisation-time-zone day of signing: targets count new sellers by it.
    signed_business_date TEXT NOT NULL,
    churn_reason TEXT,
    notes TEXT,
    search_text TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX seller_accounts_created_idx ON seller_accounts (created_at DESC, id DESC);
CREATE INDEX seller_accounts_team_created_idx ON seller_accounts (team_id, created_at DESC, id DESC);
CREATE INDEX seller_accounts_owner_created_idx ON seller_accounts (owner_id, created_at DESC, id DESC);
CREATE INDEX seller_accounts_team_end_idx ON seller_accounts (team_id, contract_end);
CREATE INDEX seller_accounts_signed_idx ON seller_accounts (team_id, signed_business_date);
CREATE INDEX seller_accounts_owner_signed_idx ON seller_accounts (owner_id, signed_business_date);
CREATE INDEX seller_accounts_updated_idx ON seller_accounts (updated_at);
CREATE INDEX seller_accounts_phone_idx ON seller_accounts (phone);
CREATE INDEX seller_accounts_wechat_idx ON seller_accounts (wechat_id);
CREATE INDEX seller_accounts_license_idx ON seller_accounts (business_license_no);
CREATE UNIQUE INDEX seller_accounts_lead_uq ON seller_accounts (lead_id) WHERE lead_id IS NOT NULL;

CREATE TABLE renewals (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES seller_accounts (id),
    owner_id TEXT NOT NULL REFERENCES users (id),
    team_id TEXT REFERENCES teams (id),
    actor_id TEXT NOT NULL,
    contract_months BIGINT NOT NULL,
    contract_value BIGINT NOT NULL,
    contract_currency TEXT NOT NULL,
    previous_end DATE NOT NULL,
    new_end DATE NOT NULL,
    renewed_at TIMESTAMP NOT NULL,
    business_date TEXT NOT NULL
);
CREATE INDEX renewals_account_idx ON renewals (account_id, renewed_at);
CREATE INDEX renewals_team_date_idx ON renewals (team_id, business_date);
CREATE INDEX renewals_owner_date_idx ON renewals (owner_id, business_date);

-- Every change of every record: who, when, what, and each field's old and new value.
CREATE TABLE audit_events (
    id TEXT PRIMARY KEY NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    action TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    changes TEXT NOT NULL DEFAULT '{}',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX audit_events_entity_idx ON audit_events (entity_type, entity_id, created_at DESC, id DESC);
