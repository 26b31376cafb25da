//! Start-up on a database the server cannot use fails at once, with the reason and the place.

use super::harness::*;
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, SqliteConnection};
use std::time::Duration;

const FAST: Duration = Duration::from_secs(3);

#[test]
fn a_corrupt_sqlite_file_stops_the_start_at_once_naming_it() {
    let dir = TempDir::new("corrupt");
    let path = dir.join("corrupt.db");
    std::fs::write(&path, vec![0x5a_u8; 16 * 1024]).unwrap();
    let (output, took) = run(command(&sqlite_url(&path)));
    let message = stderr(&output);
    assert!(!output.status.success(), "{message}");
    assert!(message.contains("file is not a database"), "{message}");
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(took < FAST, "took {took:?}: {message}");
}

#[test]
fn a_read_only_sqlite_file_stops_the_start_at_once_naming_it() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("readonly");
    let path = dir.join("readonly.db");
    create_database(&sqlite_url(&path));
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let mut serve = command(&sqlite_url(&path));
    if running_as_root() {
        // root writes any file: run as an unprivileged user, who may write the directory
        // (for the -wal and -shm files) but not the database.
        std::fs::set_permissions(&dir.0, std::fs::Permissions::from_mode(0o777)).unwrap();
        // The build may live where `nobody` cannot reach it (CI keeps it under /root).
        let copy = dir.join("ironfield");
        std::fs::copy(binary(), &copy).unwrap();
        std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755)).unwrap();
        let mut as_nobody = std::process::Command::new("runuser");
        as_nobody
            .args(["-u", "nobody", "--"])
            .arg(&copy)
            .envs(serve.get_envs().filter_map(|(k, v)| Some((k, v?))));
        serve = as_nobody;
    }
    let (output, took) = run(serve);
    let message = stderr(&output);
    assert!(!output.status.success(), "{message}");
    assert!(message.contains("readonly database"), "{message}");
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(took < FAST, "took {took:?}: {message}");
}

/// A migration a newer Ironfield applied, as it would look in the database.
const NEWER_MIGRATION: &str =
    "INSERT INTO __diesel_schema_migrations (version) VALUES ('20991231000001')";

fn assert_refused_as_newer(url: &str) {
    let (output, took) = run(command(url));
    let message = stderr(&output);
    assert!(!output.status.success(), "{message}");
    assert!(
        message.contains("migrations this version of Ironfield does not know"),
        "{message}"
    );
    assert!(message.contains("20991231000001"), "{message}");
    assert!(took < FAST, "took {took:?}: {message}");
}

#[test]
fn a_sqlite_database_from_a_newer_ironfield_is_refused() {
    let dir = TempDir::new("newer");
    let path = dir.join("newer.db");
    create_database(&sqlite_url(&path));
    let mut conn = SqliteConnection::establish(&path.display().to_string()).unwrap();
    conn.batch_execute(NEWER_MIGRATION).unwrap();
    drop(conn);
    assert_refused_as_newer(&sqlite_url(&path));
}

#[test]
fn a_postgres_database_from_a_newer_ironfield_is_refused() {
    let Some(db) = PgDatabase::create() else {
        eprintln!("skipped: TEST_DATABASE_URL is not set");
        return;
    };
    create_database(&db.url);
    let mut conn = PgConnection::establish(&db.url).unwrap();
    conn.batch_execute(NEWER_MIGRATION).unwrap();
    drop(conn);
    assert_refused_as_newer(&db.url);
}

#[test]
fn an_unreachable_postgres_stops_the_start_at_once() {
    let port = free_port();
    let url = format!("postgres://postgres@127.0.0.1:{port}/nothing");
    let (output, took) = run(command(&url));
    let message = stderr(&output);
    assert!(!output.status.success(), "{message}");
    assert!(message.contains(&format!("127.0.0.1:{port}")), "{message}");
    assert!(
        message.to_lowercase().contains("connection refused"),
        "{message}"
    );
    assert!(took < FAST, "took {took:?}: {message}");
}
