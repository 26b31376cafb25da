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
    /// Fill an empty database with a realistic demo organisation (reproducible: fixed seed).
    SeedDemo {
        /// How many leads to write.
        #[arg(long, default_value_t = 3000)]
        leads: u32,
        /// How many reps, spread over the three teams.
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(3..=3000))]
        reps: u32,
        /// How many visits over the last 120 days (default: about twelve a working day per rep).
        #[arg(long)]
        visits: Option<u32>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct Settings {
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

    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "IRONFIELD_WORKERS", global = true)]
    pub workers: Option<usize>,
}

fn parse_secret(value: &str) -> Result<SecretString, String> {
    Ok(SecretString::from(value.to_owned()))
}
