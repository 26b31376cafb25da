-- Monthly figures per seller account, pushed by the portal: one row per account and month.

CREATE TABLE seller_performance (
    seller_account_id TEXT NOT NULL REFERENCES seller_accounts (id),
    period TEXT NOT NULL,
    inquiries BIGINT NOT NULL CHECK (inquiries >= 0),
    orders BIGINT NOT NULL CHECK (orders >= 0),
    gmv BIGINT NOT NULL CHECK (gmv >= 0),
    gmv_currency TEXT NOT NULL,
    active_listings BIGINT NOT NULL CHECK (active_listings >= 0),
    buyer_response_rate DOUBLE PRECISION NOT NULL CHECK (buyer_response_rate >= 0 AND buyer_response_rate <= 1),
    last_seller_login_at TIMESTAMP,
    updated_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (seller_account_id, period)
);
-- Peer medians read one month of every account.
CREATE INDEX seller_performance_period_idx ON seller_performance (period);
