-- One number that changes whenever a record every request depends on changes: a user (role,
-- team, deactivation, sessions), a service account, a team, an organisation setting. The
-- server keeps those records in memory and reads only this number per request: when it
-- moved, it reads them again. Triggers keep it, so every writer counts (a command, an
-- operator's SQL), and it moves in the writing transaction.
CREATE TABLE directory_version (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    value BIGINT NOT NULL
);
INSERT INTO directory_version (id, value) VALUES (1, 1);

CREATE TRIGGER users_insert_directory_changed AFTER INSERT ON users
BEGIN
    UPDATE directory_version SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER users_update_directory_changed AFTER UPDATE ON users
BEGIN
    UPDATE directory_version SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER users_delete_directory_changed AFTER DELETE ON users
BEGIN
    UPDATE directory_version SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER service_accounts_insert_directory_changed AFTER INSERT ON service_accounts
BEGIN
    UPDATE directory_version SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER service_accounts_update_directory_changed AFTER UPDATE ON service_accounts
BEGIN
    UPDATE directory_version SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER service_accounts_delete_directory_changed AFTER DELETE ON service_accounts
BEGIN
    UPDATE directory_version SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER teams_insert_directory_changed AFTER INSERT ON teams
BEGIN
    UPDATE directory_version SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER teams_update_directory_changed AFTER UPDATE ON teams
BEGIN
    UPDATE directory_version SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER teams_delete_directory_changed AFTER DELETE ON teams
BEGIN
    UPDATE directory_version SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER settings_insert_directory_changed AFTER INSERT ON settings
BEGIN
    UPDATE directory_version SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER settings_update_directory_changed AFTER UPDATE ON settings
BEGIN
    UPDATE directory_version SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER settings_delete_directory_changed AFTER DELETE ON settings
BEGIN
    UPDATE directory_version SET value = value + 1 WHERE id = 1;
END;
