//! Logs: JSON lines on stdout, which Lambda sends to CloudWatch as they are.

/// JSON logs, level from `RUST_LOG` (default `info`). Safe to call more than once.
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(true)
        .with_target(false)
        .try_init();
}
