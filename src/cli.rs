//! Command line and environment settings. `ironfield --help` lists every one.

use clap::{Parser, Subcommand, ValueEnum};
use secrecy::SecretString;

#[derive(Debug, Parser)]
#[command(
    name = "ironfield",
    version,
    about = "Ironfield: a B2B sales CRM for field seller-recruitment teams"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub settings: Settings,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the API server (the default).
    Serve,
    /// Create an admin user; the password is read from standard input.
    CreateAdmin {
        #[arg(long)]
        email: String,
        /// Read the password from standard input (required: passwords never go in arguments).
        #[arg(long)]
        password_stdin: bool,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Check the configuration, the database (reachable, migrations applied/pending/unknown,
    /// SQLite integrity), the signing secret and the clock; exits non-zero on a problem.
    Check,
    /// Copy the SQLite database to FILE while the server runs (a consistent online copy,
    /// verified with `PRAGMA integrity_check`). For PostgreSQL it prints the pg_dump command.
    Backup {
        /// Where to write the copy (must not exist).
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// Copy every record from one Ironfield database into an empty one (SQLite to
    /// PostgreSQL or back), verified by counts and per-table checksums.
    MoveData {
        /// The database to copy from (sqlite://PATH or postgres://...).
        #[arg(long)]
        from: String,
        /// The empty database to copy into.
        #[arg(long)]
        to: String,
    },
    /// Fill an empty database with a realistic demo organisation (reproducible: fixed seed).
    SeedDemo {
        /// How many leads to write.
        #[arg(long, default_value_t = 3000)]
        leads: u32,
        /// How many reps, spread over the three teams.
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(3..=3000))]
        reps: u32,
        /// How many visits over the last `--visit-days` days (default: about twelve a working
        /// day per rep).
        #[arg(long)]
        visits: Option<u32>,
        /// Over how many days back the visits are spread (benchmarks hold this month's visits
        /// fixed while the table grows by spreading more visits over more days).
        #[arg(long, default_value_t = 120, value_parser = clap::value_parser!(u32).range(1..=36500))]
        visit_days: u32,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct Settings {
    /// An optional TOML settings file: keys are the setting names below in snake_case
    /// (`database_url = "sqlite://crm.db"`, `addr`, `jwt_secret`, `log_format`, ...).
    /// Environment variables and flags override the file.
    #[arg(long, env = "IRONFIELD_CONFIG", global = true)]
    pub config: Option<std::path::PathBuf>,

    /// Database: sqlite://PATH (embedded, the default) or postgres://USER@HOST/DB.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://ironfield.db",
        global = true,
        hide_env_values = true
    )]
    pub database_url: String,

    /// Optional read replica of a PostgreSQL primary: heavy reads (progress, leaderboard,
    /// lists, exports) go there; writes and reads of one's own writes stay on the primary.
    #[arg(long, env = "DATABASE_READ_URL", global = true, hide_env_values = true)]
    pub database_read_url: Option<String>,

    /// Address to listen on.
    #[arg(
        long,
        env = "IRONFIELD_ADDR",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub addr: String,

    /// Secret for signing access tokens (at least 32 bytes). Unset: one is generated once and
    /// kept in the database.
    #[arg(long, env = "IRONFIELD_JWT_SECRET", global = true, hide_env_values = true, value_parser = parse_secret)]
    pub jwt_secret: Option<SecretString>,

    /// Log format.
    #[arg(
        long,
        env = "IRONFIELD_LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    pub log_format: LogFormat,

    /// E-mail of the admin created on first start with an empty database.
    #[arg(long, env = "IRONFIELD_ADMIN_EMAIL", global = true)]
    pub admin_email: Option<String>,

    /// Password of that admin; unset: one is generated and printed once.
    #[arg(long, env = "IRONFIELD_ADMIN_PASSWORD", global = true, hide_env_values = true, value_parser = parse_secret)]
    pub admin_password: Option<SecretString>,

    /// Lifetime of access tokens, in seconds.
    #[arg(long, env = "IRONFIELD_ACCESS_TOKEN_TTL_SECS", default_value_t = 900, global = true,
          value_parser = clap::value_parser!(i64).range(30..=86_400))]
    pub access_token_ttl_secs: i64,

    /// Lifetime of unused refresh tokens, in days.
    #[arg(long, env = "IRONFIELD_REFRESH_TOKEN_TTL_DAYS", default_value_t = 30, global = true,
          value_parser = clap::value_parser!(i64).range(1..=365))]
    pub refresh_token_ttl_days: i64,

    /// Largest number of database connections.
    #[arg(long, env = "IRONFIELD_DB_POOL_SIZE", default_value_t = 8, global = true,
          value_parser = clap::value_parser!(u32).range(1..=200))]
    pub db_pool_size: u32,

    /// SQLite only: how long a write waits for another process's lock (a backup, an sqlite3
    /// shell) before it is answered 503 `unavailable`, in milliseconds.
    #[arg(
        long,
        env = "IRONFIELD_SQLITE_BUSY_TIMEOUT_MS",
        default_value_t = 10_000,
        global = true
    )]
    pub sqlite_busy_timeout_ms: u32,

    /// SQLite only: the largest size of the database file, in pages of 4 KiB (SQLite's
    /// `max_page_count`); writes beyond it are answered 507. Unset: no limit but the disk's.
    #[arg(long, env = "IRONFIELD_SQLITE_MAX_PAGES", global = true)]
    pub sqlite_max_pages: Option<u64>,

    /// The back-off base of webhook retries, in milliseconds: the first retry waits half to
    /// all of it, each next one twice as long (capped at 360 times the base). Keep the
    /// default (10 s) in production; tests shorten it.
    #[arg(long, env = "IRONFIELD_WEBHOOK_RETRY_BASE_MS", default_value_t = 10_000, global = true,
          value_parser = clap::value_parser!(u64).range(1..=600_000))]
    pub webhook_retry_base_ms: u64,

    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "IRONFIELD_WORKERS", global = true)]
    pub workers: Option<usize>,
}

/// The settings a TOML file may hold, and the environment variable each stands for.
const FILE_KEYS: &[(&str, &str)] = &[
    ("database_url", "DATABASE_URL"),
    ("addr", "IRONFIELD_ADDR"),
    ("jwt_secret", "IRONFIELD_JWT_SECRET"),
    ("log_format", "IRONFIELD_LOG_FORMAT"),
    ("admin_email", "IRONFIELD_ADMIN_EMAIL"),
    ("admin_password", "IRONFIELD_ADMIN_PASSWORD"),
    ("access_token_ttl_secs", "IRONFIELD_ACCESS_TOKEN_TTL_SECS"),
    ("refresh_token_ttl_days", "IRONFIELD_REFRESH_TOKEN_TTL_DAYS"),
    ("db_pool_size", "IRONFIELD_DB_POOL_SIZE"),
    ("sqlite_busy_timeout_ms", "IRONFIELD_SQLITE_BUSY_TIMEOUT_MS"),
    ("sqlite_max_pages", "IRONFIELD_SQLITE_MAX_PAGES"),
    ("workers", "IRONFIELD_WORKERS"),
    ("webhook_retry_base_ms", "IRONFIELD_WEBHOOK_RETRY_BASE_MS"),
];

/// The `--config FILE` (or `IRONFIELD_CONFIG`) named on the command line, read before clap
/// parses: each key of the file becomes its environment variable unless that is already
/// set, so the environment (and then flags) override the file.
pub fn load_config_file() -> Result<(), String> {
    let mut path = std::env::var_os("IRONFIELD_CONFIG").map(std::path::PathBuf::from);
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        let arg = arg.to_string_lossy().into_owned();
        if arg == "--config" {
            path = args.next().map(std::path::PathBuf::from);
        } else if let Some(value) = arg.strip_prefix("--config=") {
            path = Some(value.into());
        }
    }
    let Some(path) = path else {
        return Ok(());
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("reading --config {}: {e}", path.display()))?;
    for (name, value) in
        parse_config(&text).map_err(|e| format!("--config {}: {e}", path.display()))?
    {
        if std::env::var_os(name).is_none() {
            std::env::set_var(name, value);
        }
    }
    Ok(())
}

/// The file's settings as (environment variable, value) pairs.
fn parse_config(text: &str) -> Result<Vec<(&'static str, String)>, String> {
    let table: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for (key, value) in table {
        let Some((_, env)) = FILE_KEYS.iter().find(|(k, _)| *k == key) else {
            let known: Vec<&str> = FILE_KEYS.iter().map(|(k, _)| *k).collect();
            return Err(format!(
                "unknown setting `{key}` (known: {})",
                known.join(", ")
            ));
        };
        let value = match value {
            toml::Value::String(s) => s,
            toml::Value::Integer(i) => i.to_string(),
            other => {
                return Err(format!(
                    "`{key}` must be a string or an integer, not {}",
                    other.type_str()
                ))
            }
        };
        out.push((*env, value));
    }
    Ok(out)
}

fn parse_secret(value: &str) -> Result<SecretString, String> {
    Ok(SecretString::from(value.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::parse_config;

    #[test]
    fn a_settings_file_maps_to_environment_variables_and_refuses_unknown_keys() {
        let parsed =
            parse_config("database_url = \"sqlite://crm.db\"\ndb_pool_size = 4\n").unwrap();
        assert!(parsed.contains(&("DATABASE_URL", "sqlite://crm.db".into())));
        assert!(parsed.contains(&("IRONFIELD_DB_POOL_SIZE", "4".into())));
        let error = parse_config("databse_url = \"x\"").unwrap_err();
        assert!(error.contains("databse_url"), "{error}");
    }
}
