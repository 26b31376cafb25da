//! Logging: human-readable by default, JSON with `IRONFIELD_LOG_FORMAT=json`. `RUST_LOG`
//! filters (default `info`). Every line inside a request carries its `request_id`.

use crate::cli::LogFormat;
use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour codes only on a terminal: never in files, journald or a container's log.
        .with_ansi(std::io::stderr().is_terminal());
    let result = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
    if let Err(error) = result {
        eprintln!("logging not initialised: {error}");
    }
}
