-- Every try of a webhook delivery, so an admin can see the whole history of a delivery
-- (the delivery row keeps only the last try's answer).
CREATE TABLE webhook_delivery_attempts (
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt BIGINT NOT NULL,
    attempted_at TIMESTAMP NOT NULL,
    response_status BIGINT,
    duration_ms BIGINT NOT NULL,
    error TEXT
);
CREATE INDEX webhook_delivery_attempts_idx ON webhook_delivery_attempts (delivery_id, attempt);
