//! The `ironfield` binary: a thin shell over the crates.

mod allocator;
mod cli;
mod move_data;
mod ops;
mod seed;
mod telemetry;

/// mimalloc instead of glibc's malloc: glibc gives every thread that allocates its own arena
/// and rarely returns their memory, so the server's RSS grew with its blocking threads.
/// Built with `no_thp` (see Cargo.toml): transparent huge pages tripled its peak RSS; run
/// with its purge delay at zero (`allocator`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use anyhow::Context;
use clap::Parser;
use cli::{Cli, Command, Settings};
use ironfield_api::{bootstrap, ApiSettings, AppState};
use ironfield_auth::TokenKeys;
use ironfield_persistence::{Db, DbOptions};
use secrecy::ExposeSecret;
use std::io::Read;
use std::net::TcpListener;

fn main() -> std::process::ExitCode {
    allocator::purge_freed_memory_at_once();
    if let Err(error) = cli::load_config_file() {
        eprintln!("error: {error}");
        return std::process::ExitCode::FAILURE;
    }
    let cli = Cli::parse();
    telemetry::init(cli.settings.log_format);
    match run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(&cli.settings),
        Command::CreateAdmin {
            email,
            password_stdin,
        } => {
            anyhow::ensure!(
                password_stdin,
                "pass --password-stdin and the password on standard input"
            );
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .context("reading the password from stdin")?;
            let password = password.trim_end_matches(['\r', '\n']);
            let db = open_db(&cli.settings)?;
            bootstrap::create_admin(&db, &email, password)?;
            println!("admin {email} created");
            Ok(())
        }
        Command::SeedDemo {
            leads,
            reps,
            visits,
            visit_days,
        } => {
            // Two connections, not the server's pool: the seeder writes from one thread, and
            // SQLite's page-cache budget is shared by the pool, so eight connections left the
            // writer 8 MiB and the leads' dozen indexes spilled (22 s instead of 14 s for
            // 100,000 leads).
            let db = open_db_sized(&cli.settings, 2)?;
            let started = std::time::Instant::now();
            let summary = seed::run(
                &db,
                seed::Options {
                    leads,
                    reps,
                    visits,
                    visit_days,
                    admin_email: cli.settings.admin_email.clone(),
                    admin_password: cli
                        .settings
                        .admin_password
                        .as_ref()
                        .map(|s| s.expose_secret().to_owned()),
                },
                true,
            )?;
            println!(
                "seeded {} teams, {} users, {} leads, {} seller accounts, {} visits, {} targets and {} meetings in {:.1?}\n\
                 sign in as {} (manager) or {} (rep); every demo user's password: {}",
                summary.teams,
                summary.users,
                summary.leads,
                summary.accounts,
                summary.visits,
                summary.targets,
                summary.meetings,
                started.elapsed(),
                summary.manager_email,
                summary.rep_email,
                seed::DEMO_PASSWORD
            );
            Ok(())
        }
        Command::Check => ops::check(&cli.settings),
        Command::MoveData { from, to } => {
            let started = std::time::Instant::now();
            let moved = move_data::run(&from, &to)?;
            for (table, rows) in &moved.tables {
                println!("{table:24} {rows:>9} rows  count and checksum match");
            }
            let total: u64 = moved.tables.iter().map(|(_, n)| n).sum();
            println!(
                "moved {total} rows in {} tables in {:.1?}; verified",
                moved.tables.len(),
                started.elapsed()
            );
            Ok(())
        }
        Command::Backup { to } => ops::backup(&cli.settings, &to),
        Command::Openapi => {
            print!("{}", ironfield_api::openapi::spec_json());
            Ok(())
        }
    }
}

fn open_db(settings: &Settings) -> anyhow::Result<Db> {
    open_db_sized(settings, settings.db_pool_size)
}

fn open_db_sized(settings: &Settings, pool_size: u32) -> anyhow::Result<Db> {
    let options = DbOptions {
        sqlite_max_page_count: settings.sqlite_max_pages,
        sqlite_busy_timeout_ms: settings.sqlite_busy_timeout_ms,
        ..DbOptions::new(pool_size)
    };
    Db::connect_with(&settings.database_url, options).with_context(|| {
        format!(
            "opening DATABASE_URL ({})",
            redact_url(&settings.database_url)
        )
    })
}

/// The URL without its password, for messages.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[actix_web::main]
async fn serve(settings: &Settings) -> anyhow::Result<()> {
    let db = open_db(settings)?;
    tracing::info!(
        backend = db.backend().name(),
        "database ready, migrations applied"
    );

    let configured_secret = settings
        .jwt_secret
        .as_ref()
        .map(|s| s.expose_secret().to_owned());
    let (secret, from_db) = bootstrap::jwt_secret(&db, configured_secret.as_deref())?;
    if from_db {
        tracing::warn!(
            "IRONFIELD_JWT_SECRET is not set: using a signing secret generated once and kept in the \
             database; set IRONFIELD_JWT_SECRET in production"
        );
    }
    let admin_password = settings
        .admin_password
        .as_ref()
        .map(|s| s.expose_secret().to_owned());
    if let Some(admin) = bootstrap::ensure_first_admin(
        &db,
        settings.admin_email.as_deref(),
        admin_password.as_deref(),
    )? {
        // Printed once, to the console only: it is not logged.
        println!(
            "\nFirst start: created admin {}\n  password: {}\n  (shown once; change it with PATCH /api/v1/users/{{id}})\n",
            admin.email, admin.password
        );
    }

    let tokens = TokenKeys::new(
        &secret,
        chrono::Duration::seconds(settings.access_token_ttl_secs),
    );
    let api_settings = ApiSettings {
        refresh_ttl: chrono::Duration::days(settings.refresh_token_ttl_days),
        webhook_retry_base: std::time::Duration::from_millis(settings.webhook_retry_base_ms),
        ..ApiSettings::default()
    };
    let listener = TcpListener::bind(&settings.addr)
        .with_context(|| format!("binding IRONFIELD_ADDR {}", settings.addr))?;
    tracing::info!(addr = %listener.local_addr()?, "Ironfield listening; docs at /docs");
    let mut state = AppState::new(db, tokens, api_settings);
    if let Some(url) = &settings.database_read_url {
        let replica = Db::connect_replica(url, settings.db_pool_size)
            .with_context(|| format!("opening DATABASE_READ_URL ({})", redact_url(url)))?;
        state = state.with_replica(replica);
    }
    let state = actix_web::web::Data::new(state);
    actix_web::rt::spawn(ironfield_api::server::run_maintenance(state.clone()));
    let server = ironfield_api::start(listener, state, settings.workers)?;
    server.await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(
            redact_url("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact_url("sqlite://ironfield.db"), "sqlite://ironfield.db");
    }
}
