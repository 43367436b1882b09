//! What the IAM tour measures for `scripts/cost`, when `PROOFSHEET_CALLS_OUT=<path>` is set:
//! every AWS call each function makes, counted (the tour's `sdk_calls` keeps each permission
//! once, not how often it was needed), each function's invocations with their wall time in
//! this process (a route's `request` span, a worker's `message` span, from opening to close),
//! and the bytes of JSON log lines each function writes in the deployed format
//! (`proofsheet_app::telemetry`). Written as JSON when the tour ends; without the variable
//! nothing is installed and the test runs as it always has.
//!
//! Times are against the local emulator on this machine: the AWS round trips are moto's, not
//! AWS's, and the test machine is not a Lambda arm64 core. `scripts/cost` says so.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};
use proofsheet_app::App;
use proofsheet_http::ROUTES;
use proofsheet_tests::sdk_calls::{self, Recorder};
use proofsheet_tests::{DOWNLOAD_FUNCTION, INGEST_FUNCTION, SENDER, TestApp};
use serde_json::json;
use tracing::dispatcher::{DefaultGuard, Dispatch};
use tracing::span::{Attributes, Id};
use tracing::{Subscriber, field};
use tracing_subscriber::filter::{LevelFilter, Targets, filter_fn};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

/// The environment variable naming the file the measurements go to.
pub const OUT: &str = "PROOFSHEET_CALLS_OUT";

#[derive(Default)]
struct Measured {
    /// (function, service, operation) → (calls, wall ms spent in them)
    calls: BTreeMap<(&'static str, String, String), (u64, f64)>,
    /// function → each invocation's wall ms
    invocations: BTreeMap<String, Vec<f64>>,
    /// function → bytes of log lines
    log_bytes: BTreeMap<String, u64>,
}

type Shared = Arc<Mutex<Measured>>;

/// Installed for the length of the tour; [`Probe::write`] when it is over.
pub struct Probe {
    measured: Shared,
    path: String,
    _guard: DefaultGuard,
    _second: Dispatch,
}

impl Probe {
    /// With `PROOFSHEET_CALLS_OUT` set: gives `t` a store that also counts calls (keeping the
    /// tour's own recorder), and this thread a subscriber that times invocations and weighs
    /// logs. Otherwise `None`, and `t` is left as it was.
    pub async fn install(t: &mut TestApp) -> Option<Self> {
        let path = std::env::var(OUT).ok()?;
        let measured = Shared::default();
        let recorder = Recorder {
            calls: t.sdk_calls.clone(),
            running: t.running.clone(),
            sender: SENDER.into(),
            queues: vec![
                (t.provisioned.ingest_queue_url.clone(), "IngestQueue"),
                (t.provisioned.download_queue_url.clone(), "DownloadQueue"),
            ],
        };
        let sdk = proofsheet_store::load_sdk_config().await;
        let store = proofsheet_store::Store::with_interceptors(
            &sdk,
            t.app.config().resources(),
            &[
                proofsheet_store::SharedInterceptor::new(recorder),
                proofsheet_store::SharedInterceptor::new(CallCounter(measured.clone())),
            ],
        );
        let app = App::with_store(store, t.app.config().clone()).with_clock(t.app.clock().clone());
        t.app = Arc::new(app);

        // The deployed log format and level (`proofsheet_app::telemetry::init_tracing`).
        let weigh = measured.clone();
        let logs = tracing_subscriber::fmt::layer()
            .json()
            .with_current_span(true)
            .with_target(false)
            .with_writer(move || LogScale(weigh.clone()))
            .with_filter(Targets::new().with_default(LevelFilter::INFO));
        let timing = Timing(measured.clone()).with_filter(filter_fn(|meta| {
            meta.is_span() && matches!(meta.name(), "request" | "message")
        }));
        let subscriber = tracing_subscriber::registry().with(timing).with(logs);
        // As in `logs.rs`: a second dispatcher makes every callsite ask this thread's default,
        // and callsites cached as unheard before it existed are asked again.
        let second = Dispatch::new(tracing::subscriber::NoSubscriber::default());
        let guard = tracing::subscriber::set_default(subscriber);
        tracing::callsite::rebuild_interest_cache();
        Some(Self {
            measured,
            path,
            _guard: guard,
            _second: second,
        })
    }

    /// Writes what was measured as JSON (see `scripts/cost`).
    pub fn write(self) {
        let measured = self.measured.lock().expect("measured");
        let mut functions: BTreeMap<String, serde_json::Value> = BTreeMap::new();
        fn entry<'a>(
            functions: &'a mut BTreeMap<String, serde_json::Value>,
            function: &str,
        ) -> &'a mut serde_json::Value {
            functions.entry(function.to_owned()).or_insert_with(
                || json!({ "invocations": 0, "durations_ms": [], "log_bytes": 0, "calls": [] }),
            )
        }
        for (function, durations) in &measured.invocations {
            let e = entry(&mut functions, function);
            e["invocations"] = json!(durations.len());
            e["durations_ms"] = json!(durations);
        }
        for (function, bytes) in &measured.log_bytes {
            entry(&mut functions, function)["log_bytes"] = json!(bytes);
        }
        for ((function, service, operation), (count, ms)) in &measured.calls {
            let calls = entry(&mut functions, function)["calls"]
                .as_array_mut()
                .expect("calls");
            calls.push(json!({
                "service": service,
                "operation": operation,
                "count": count,
                "wall_ms": (ms * 10.0).round() / 10.0,
            }));
        }
        let routes: Vec<_> = ROUTES
            .iter()
            .map(|r| {
                let invocations = measured.invocations.get(r.function).map_or(0, Vec::len);
                let calls: u64 = measured
                    .calls
                    .iter()
                    .filter(|((f, _, _), _)| *f == r.function)
                    .map(|(_, (count, _))| count)
                    .sum();
                json!({
                    "method": r.method,
                    "path": r.path,
                    "function": r.function,
                    "invocations": invocations,
                    "aws_calls": calls,
                })
            })
            .collect();
        let out = json!({
            "what": "the IAM tour (tests/api/iam.rs) against the local emulator, in process",
            "machine": format!(
                "{} cores, {}",
                std::thread::available_parallelism().map_or(0, usize::from),
                std::env::consts::ARCH
            ),
            "functions": functions,
            "routes": routes,
        });
        let text = serde_json::to_string_pretty(&out).expect("JSON");
        std::fs::write(&self.path, text + "\n")
            .unwrap_or_else(|e| panic!("{OUT}={}: {e}", self.path));
    }
}

/// Counts each call by function, service and operation, with its wall time.
#[derive(Debug)]
struct CallCounter(Shared);

impl std::fmt::Debug for Measured {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Measured").finish_non_exhaustive()
    }
}

/// A call under way: who made it, what it is, since when.
#[derive(Debug, Clone)]
struct CallStarted {
    function: &'static str,
    service: String,
    operation: String,
    at: Instant,
}

impl Storable for CallStarted {
    type Storer = StoreReplace<Self>;
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "CostCallCounter"
    }

    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Ok(function) = sdk_calls::FUNCTION.try_with(|f| *f) else {
            return Ok(());
        };
        let Some(metadata) = cfg.load::<Metadata>().cloned() else {
            return Ok(());
        };
        cfg.interceptor_state().store_put(CallStarted {
            function,
            service: metadata.service().to_owned(),
            operation: metadata.name().to_owned(),
            at: Instant::now(),
        });
        Ok(())
    }

    fn read_after_execution(
        &self,
        _context: &FinalizerInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(call) = cfg.load::<CallStarted>() {
            let ms = call.at.elapsed().as_secs_f64() * 1e3;
            let mut measured = self.0.lock().expect("measured");
            let slot = measured
                .calls
                .entry((call.function, call.service.clone(), call.operation.clone()))
                .or_default();
            slot.0 += 1;
            slot.1 += ms;
        }
        Ok(())
    }
}

/// Times each `request` span (a route's function) and `message` span (a worker's).
struct Timing(Shared);

/// The function a timed span belongs to, and when it opened.
struct Opened(String, Instant);

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Timing {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut named = Named::default();
        attrs.record(&mut named);
        let function = match (attrs.metadata().name(), named.0.as_deref()) {
            ("request", Some(route)) => ROUTES
                .iter()
                .find(|r| format!("{:?}", r.route) == route)
                .map(|r| r.function.to_owned()),
            ("message", Some("ingest")) => Some(INGEST_FUNCTION.to_owned()),
            ("message", Some("download")) => Some(DOWNLOAD_FUNCTION.to_owned()),
            _ => None,
        };
        if let (Some(function), Some(span)) = (function, ctx.span(id)) {
            span.extensions_mut()
                .insert(Opened(function, Instant::now()));
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else { return };
        if let Some(Opened(function, at)) = span.extensions_mut().remove::<Opened>() {
            let ms = at.elapsed().as_secs_f64() * 1e3;
            let mut measured = self.0.lock().expect("measured");
            measured.invocations.entry(function).or_default().push(ms);
        }
    }
}

/// A span's `route` or `worker` field.
#[derive(Default)]
struct Named(Option<String>);

impl field::Visit for Named {
    fn record_str(&mut self, field: &field::Field, value: &str) {
        if matches!(field.name(), "route" | "worker") {
            self.0 = Some(value.to_owned());
        }
    }

    fn record_debug(&mut self, field: &field::Field, value: &dyn std::fmt::Debug) {
        if matches!(field.name(), "route" | "worker") {
            self.0 = Some(format!("{value:?}"));
        }
    }
}

/// Adds the bytes of each log line to the function whose code wrote it (the tour's task-local
/// function; "outside" for test set-up and the password-hashing threads).
struct LogScale(Shared);

impl Write for LogScale {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let function = sdk_calls::FUNCTION.try_with(|f| *f).unwrap_or("outside");
        let mut measured = self.0.lock().expect("measured");
        *measured.log_bytes.entry(function.to_owned()).or_default() += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
