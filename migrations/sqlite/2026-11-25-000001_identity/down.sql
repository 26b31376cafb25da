DROP TABLE idempotency_keys;
DROP TABLE service_accounts;
DROP TABLE refresh_tokens;
DROP TABLE users;
DROP TABLE teams;
DROP TABLE settings;
