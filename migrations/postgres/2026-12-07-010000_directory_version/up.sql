-- One number that changes whenever a record every request depends on changes: a user (role,
-- team, deactivation, sessions), a service account, a team, an organisation setting. Each
-- server process keeps those records in memory and reads only this number per request: when
-- it moved, the process reads them again. Triggers keep it, so every writer counts (another
-- server process, a command, an operator's SQL), and it moves in the writing transaction, so
-- a reader never sees the new number with the old records.
--
-- The triggers are deferred to commit: the row of the number is then the last lock a writer
-- takes and holds only while it commits, so two writers of these tables never deadlock on it.
CREATE TABLE directory_version (
    id BIGINT PRIMARY KEY NOT NULL CHECK (id = 1),
    value BIGINT NOT NULL
);
INSERT INTO directory_version (id, value) VALUES (1, 1);

CREATE FUNCTION directory_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE directory_version SET value = value + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER users_directory_changed AFTER INSERT OR UPDATE OR DELETE ON users
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION directory_changed();
CREATE TRIGGER users_truncated_directory_changed AFTER TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION directory_changed();
CREATE CONSTRAINT TRIGGER service_accounts_directory_changed AFTER INSERT OR UPDATE OR DELETE ON service_accounts
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION directory_changed();
CREATE TRIGGER service_accounts_truncated_directory_changed AFTER TRUNCATE ON service_accounts
    FOR EACH STATEMENT EXECUTE FUNCTION directory_changed();
CREATE CONSTRAINT TRIGGER teams_directory_changed AFTER INSERT OR UPDATE OR DELETE ON teams
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION directory_changed();
CREATE TRIGGER teams_truncated_directory_changed AFTER TRUNCATE ON teams
    FOR EACH STATEMENT EXECUTE FUNCTION directory_changed();
CREATE CONSTRAINT TRIGGER settings_directory_changed AFTER INSERT OR UPDATE OR DELETE ON settings
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION directory_changed();
CREATE TRIGGER settings_truncated_directory_changed AFTER TRUNCATE ON settings
    FOR EACH STATEMENT EXECUTE FUNCTION directory_changed();
