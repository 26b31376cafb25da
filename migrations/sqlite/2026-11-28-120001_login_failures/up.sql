-- Failed sign-ins per key ("account:<email>" or "address:<ip>") in a fixed window, shared by
-- every server process on the database so the login limit holds across them.
CREATE TABLE login_failures (
    key TEXT PRIMARY KEY NOT NULL,
    failures BIGINT NOT NULL,
    window_start TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_window_idx ON login_failures (window_start);
