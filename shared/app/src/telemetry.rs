//! Logs: JSON lines on stdout, which Lambda sends to CloudWatch as they are.

use tracing::{Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;

/// JSON logs, filtered by `RUST_LOG` (default `info`). Safe to call more than once.
pub fn init_tracing() {
    let _ = tracing_subscriber::registry()
        .with(json_lines(std::io::stdout))
        .with(log_filter(std::env::var("RUST_LOG").ok().as_deref()))
        .try_init();
}

/// The one log format: a JSON object a line, with the current span. Tests write it elsewhere
/// to read what a function would log.
pub(crate) fn json_lines<S, W>(writer: W) -> impl Layer<S>
where
    S: Subscriber + for<'span> LookupSpan<'span>,
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt::layer()
        .json()
        .with_current_span(true)
        .with_target(false)
        .with_writer(writer)
}

/// `RUST_LOG` as levels per target (`info`, `warn,proofsheet_store=debug`). `Targets` reads that
/// syntax without the regex engine `EnvFilter` would put in every function; a value it can't
/// read means the default, not silence.
///
/// The SDK's runtime is held at DEBUG at most, whatever `RUST_LOG` says: at TRACE it logs
/// whole requests and responses, which carry clients' emails and password hashes. (At most:
/// below that it follows `RUST_LOG`, or every function would log each call's DEBUG lines.)
pub(crate) fn log_filter(rust_log: Option<&str>) -> Targets {
    let targets = rust_log
        .and_then(|value| value.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::INFO));
    if targets.would_enable("aws_smithy_runtime", &Level::TRACE) {
        targets.with_target("aws_smithy_runtime", LevelFilter::DEBUG)
    } else {
        targets
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_log_sets_levels_per_target_and_defaults_to_info() {
        let default = log_filter(None);
        assert!(default.would_enable("proofsheet_store", &Level::INFO));
        assert!(!default.would_enable("proofsheet_store", &Level::DEBUG));

        let tuned = log_filter(Some("warn,proofsheet_store=debug"));
        assert!(tuned.would_enable("proofsheet_store::grants", &Level::DEBUG));
        assert!(!tuned.would_enable("proofsheet_http", &Level::INFO));
        assert!(tuned.would_enable("proofsheet_http", &Level::WARN));

        let unreadable = log_filter(Some("proofsheet_store=loud"));
        assert!(unreadable.would_enable("proofsheet_http", &Level::INFO));
    }

    #[test]
    fn the_sdk_never_logs_whole_requests_and_responses() {
        let orchestrator = "aws_smithy_runtime::client::orchestrator";
        for rust_log in [
            "trace",
            "aws_smithy_runtime=trace",
            "info,aws_smithy_runtime=trace",
        ] {
            let filter = log_filter(Some(rust_log));
            assert!(
                !filter.would_enable(orchestrator, &Level::TRACE),
                "{rust_log}"
            );
            assert!(
                filter.would_enable(orchestrator, &Level::DEBUG),
                "{rust_log}"
            );
        }
        // Below the cap, RUST_LOG rules: the default and `warn` leave the SDK's DEBUG out.
        for rust_log in [None, Some("warn"), Some("info")] {
            let filter = log_filter(rust_log);
            assert!(
                !filter.would_enable(orchestrator, &Level::DEBUG),
                "{rust_log:?}"
            );
        }
    }
}
