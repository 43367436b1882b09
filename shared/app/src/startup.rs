//! A function's cold start: logs first, then the [`App`] from the environment. Every Lambda
//! function, HTTP route or worker, starts through [`start`].
//!
//! A function that cannot start (a variable missing or invalid, the secret key's parameter
//! unreadable) says why twice: in its log, as a JSON line like every other, naming the variable
//! and parameter; and to Lambda's Runtime API (`/runtime/init/error`), which serves the reason
//! in answer to the invocation that started the function, instead of the bare
//! `Runtime.ExitError` of a process that just stopped. Then it exits, as the Runtime API asks
//! after an init error. Outside Lambda (no `AWS_LAMBDA_RUNTIME_API`) the log line is all there
//! is.

use std::io::Write;
use std::time::Duration;

use lambda_runtime::Diagnostic;
use lambda_runtime_api_client::body::Body;
use lambda_runtime_api_client::{BoxError, PooledClient, build_request};

use crate::telemetry::init_tracing;
use crate::{App, ConfigError, SecretKeyUse};

/// Where Lambda says its Runtime API listens: `host:port` in AWS, a URL under emulators.
const RUNTIME_API: &str = "AWS_LAMBDA_RUNTIME_API";
const INIT_ERROR_PATH: &str = "/2018-06-01/runtime/init/error";
const ERROR_TYPE_HEADER: &str = "Lambda-Runtime-Function-Error-Type";
/// How long the report may take. Lambda answers at once, but an emulator may hold the request
/// until an invocation arrives (cargo-lambda does), and a function that cannot start must still
/// exit: well inside Lambda's 10 s for the whole init.
const REPORT_TIMEOUT: Duration = Duration::from_secs(2);

/// Starts a function: JSON logs, then the app from the environment. A function that cannot
/// start logs why, tells Lambda, and exits with status 1; this returns only a working app.
pub async fn start(secret_key: SecretKeyUse) -> App {
    init_tracing();
    match start_with(secret_key, |name| std::env::var(name).ok()).await {
        Ok(app) => app,
        Err(_) => {
            // The reason is logged and reported: exit without `main` printing it again as a
            // Debug line. Log lines end in a newline, so this flush is only a safeguard.
            let _ = std::io::stdout().flush();
            std::process::exit(1)
        }
    }
}

/// [`start`]'s work over any source of variables, the Runtime API's address among them (tests
/// pass a map and a local listener): the app, or the error once it is logged and reported.
pub async fn start_with(
    secret_key: SecretKeyUse,
    get: impl Fn(&str) -> Option<String>,
) -> Result<App, ConfigError> {
    let error = match App::from_lookup(secret_key, &get).await {
        Ok(app) => return Ok(app),
        Err(error) => error,
    };
    let diagnostic = init_error(&error);
    tracing::error!(
        error_type = %diagnostic.error_type,
        variable = error.variable(),
        parameter = error.parameter(),
        %error,
        "the function cannot start"
    );
    if let Some(address) = get(RUNTIME_API).filter(|a| !a.is_empty())
        && let Err(why) = report_init_error(&address, &diagnostic, REPORT_TIMEOUT).await
    {
        tracing::error!(
            runtime_api = %address,
            error = %why,
            "Lambda could not be told why: it will show only that the function exited"
        );
    }
    Err(error)
}

/// What Lambda shows for a start that failed: the `errorType` and `errorMessage` of the
/// invocation's answer. Lambda takes any type and suggests `Category.Reason`;
/// ours are stable, one per kind of mistake, so an alarm or a log query can match them, and
/// never `Runtime.*`, the names Lambda gives its own failures.
pub fn init_error(error: &ConfigError) -> Diagnostic {
    let error_type = match error {
        ConfigError::Missing(_) => "Config.MissingVariable",
        ConfigError::Invalid(..) => "Config.InvalidVariable",
        ConfigError::SecretKeyParameter { .. } => "Config.UnreadableSecretKey",
    };
    Diagnostic {
        error_type: error_type.to_owned(),
        error_message: error.to_string(),
    }
}

/// Posts the error to the Runtime API at `address`, through the client the runtime itself uses,
/// giving up after `timeout`.
async fn report_init_error(
    address: &str,
    diagnostic: &Diagnostic,
    timeout: Duration,
) -> Result<(), BoxError> {
    let client = PooledClient::builder()
        .with_endpoint(runtime_api_endpoint(address)?)
        .build();
    let request = build_request()
        .method(http::Method::POST)
        .uri(INIT_ERROR_PATH)
        .header(ERROR_TYPE_HEADER, &diagnostic.error_type)
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Body::from(serde_json::to_vec(diagnostic)?))?;
    let response = tokio::time::timeout(timeout, client.call(request))
        .await
        .map_err(|_| format!("the Runtime API did not answer within {timeout:?}"))??;
    if !response.status().is_success() {
        return Err(format!("the Runtime API answered {}", response.status()).into());
    }
    Ok(())
}

/// The Runtime API's base: Lambda gives `host:port`, emulators a URL that may carry a path
/// (cargo-lambda's `http://127.0.0.1:9000/.rt/<function>`). Without a host the client would
/// panic, so that is an error here.
fn runtime_api_endpoint(address: &str) -> Result<http::Uri, String> {
    let uri: http::Uri = address
        .parse()
        .map_err(|e| format!("{RUNTIME_API}={address} is no address: {e}"))?;
    if uri.authority().is_none() {
        return Err(format!("{RUNTIME_API}={address} names no host"));
    }
    Ok(uri)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};

    use axum::body::Bytes;
    use axum::extract::State;
    use http::{HeaderMap, Method, StatusCode, Uri};
    use serde_json::{Value, json};
    use tracing_subscriber::layer::SubscriberExt;

    use super::*;
    use crate::telemetry::{json_lines, log_filter};

    #[test]
    fn each_kind_of_start_failure_has_its_own_error_type_and_a_message_naming_what_to_fix() {
        for (error, error_type, message) in [
            (
                ConfigError::Missing("TABLE_NAME"),
                "Config.MissingVariable",
                "environment variable TABLE_NAME is not set",
            ),
            (
                ConfigError::Invalid("VIEW_URL_TTL_SECONDS", "must be from 1 to 604800".into()),
                "Config.InvalidVariable",
                "environment variable VIEW_URL_TTL_SECONDS is invalid: must be from 1 to 604800",
            ),
            (
                ConfigError::SecretKeyParameter {
                    parameter: "/proofsheet/secret-key".into(),
                    reason: "could not be read: ParameterNotFound".into(),
                },
                "Config.UnreadableSecretKey",
                "SSM parameter /proofsheet/secret-key (SECRET_KEY_PARAMETER) could not be read: \
                 ParameterNotFound",
            ),
        ] {
            let diagnostic = init_error(&error);
            assert_eq!(diagnostic.error_type, error_type);
            // The Runtime API's body: exactly these two fields, camelCase.
            assert_eq!(
                serde_json::to_value(&diagnostic).unwrap(),
                json!({ "errorType": error_type, "errorMessage": message })
            );
        }
    }

    #[test]
    fn the_runtime_api_is_found_as_lambda_and_emulators_give_it() {
        let lambda = runtime_api_endpoint("127.0.0.1:9001").unwrap();
        assert_eq!(lambda.authority().unwrap().as_str(), "127.0.0.1:9001");
        let emulator = runtime_api_endpoint("http://127.0.0.1:9000/.rt/log-out").unwrap();
        assert_eq!(emulator.path(), "/.rt/log-out");
        for unusable in ["/2018-06-01", "not an address"] {
            let error = runtime_api_endpoint(unusable).unwrap_err();
            assert!(error.contains(RUNTIME_API), "{error}");
        }
    }

    /// What the stand-in Runtime API received.
    #[derive(Debug)]
    struct Received {
        method: Method,
        path: String,
        headers: HeaderMap,
        body: Bytes,
    }

    type Inbox = Arc<Mutex<Vec<Received>>>;

    /// A listener on a free local port standing in for the Runtime API: it records every
    /// request and answers `status`.
    async fn runtime_api(status: StatusCode) -> (std::net::SocketAddr, Inbox) {
        let inbox = Inbox::default();
        let record = move |State(inbox): State<Inbox>,
                           method: Method,
                           uri: Uri,
                           headers: HeaderMap,
                           body: Bytes| async move {
            let path = uri.path().to_owned();
            inbox.lock().unwrap().push(Received {
                method,
                path,
                headers,
                body,
            });
            status
        };
        let router = axum::Router::new()
            .fallback(record)
            .with_state(inbox.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await });
        (address, inbox)
    }

    /// What a function logged.
    #[derive(Clone, Default)]
    struct Log(Arc<Mutex<Vec<u8>>>);

    impl Write for Log {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().write(buf)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Log {
        /// Logs as a function writes them (format and default level), here until the guard
        /// drops, on this thread.
        fn capture() -> (Self, tracing::subscriber::DefaultGuard) {
            let log = Self::default();
            let writer = log.clone();
            let subscriber = tracing_subscriber::registry()
                .with(json_lines(move || writer.clone()))
                .with(log_filter(None));
            (log, tracing::subscriber::set_default(subscriber))
        }

        fn lines(&self) -> Vec<Value> {
            let bytes = self.0.lock().unwrap();
            String::from_utf8_lossy(&bytes)
                .lines()
                .map(|line| serde_json::from_str(line).expect("every log line is JSON"))
                .collect()
        }
    }

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[tokio::test]
    async fn a_function_missing_a_variable_tells_the_runtime_api_and_logs_it_as_json() {
        let (address, inbox) = runtime_api(StatusCode::ACCEPTED).await;
        // As Lambda gives the address (host:port), and as cargo-lambda does (a URL with a path).
        // The path and header are spelled out: they are the Runtime API's, not ours to change.
        for (runtime_api, path) in [
            (address.to_string(), "/2018-06-01/runtime/init/error"),
            (
                format!("http://{address}/.rt/log-out"),
                "/.rt/log-out/2018-06-01/runtime/init/error",
            ),
        ] {
            let (log, _logging) = Log::capture();

            let started = start_with(
                SecretKeyUse::NotNeeded,
                vars(&[
                    ("BUCKET_NAME", "b"),
                    ("SENDER_EMAIL", "studio@example.com"),
                    (RUNTIME_API, &runtime_api),
                ]),
            )
            .await;

            assert!(
                matches!(started, Err(ConfigError::Missing("TABLE_NAME"))),
                "{:?}",
                started.err()
            );
            let received = inbox
                .lock()
                .unwrap()
                .pop()
                .expect("the Runtime API was told");
            assert_eq!(received.method, Method::POST);
            assert_eq!(received.path, path);
            assert_eq!(
                received.headers["lambda-runtime-function-error-type"], "Config.MissingVariable",
                "{runtime_api}"
            );
            assert_eq!(
                serde_json::from_slice::<Value>(&received.body).unwrap(),
                json!({
                    "errorType": "Config.MissingVariable",
                    "errorMessage": "environment variable TABLE_NAME is not set",
                })
            );

            let lines = log.lines();
            assert_eq!(lines.len(), 1, "{lines:?}");
            let line = &lines[0];
            assert_eq!(line["level"], "ERROR");
            assert_eq!(line["fields"]["variable"], "TABLE_NAME");
            assert_eq!(line["fields"]["error_type"], "Config.MissingVariable");
            assert_eq!(
                line["fields"]["error"],
                "environment variable TABLE_NAME is not set"
            );
        }
    }

    #[tokio::test]
    async fn a_runtime_api_that_refuses_the_report_is_logged_and_the_start_still_fails() {
        let (address, inbox) = runtime_api(StatusCode::INTERNAL_SERVER_ERROR).await;
        let (log, _logging) = Log::capture();

        let started = start_with(
            SecretKeyUse::Needed,
            vars(&[
                ("TABLE_NAME", "t"),
                ("BUCKET_NAME", "b"),
                ("SENDER_EMAIL", "studio@example.com"),
                ("SECRET_KEY", "c2hvcnQ"),
                (RUNTIME_API, &address.to_string()),
            ]),
        )
        .await;

        assert!(matches!(
            started,
            Err(ConfigError::Invalid("SECRET_KEY", _))
        ));
        assert_eq!(inbox.lock().unwrap().len(), 1);
        let lines = log.lines();
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(lines[0]["fields"]["variable"], "SECRET_KEY");
        assert_eq!(lines[0]["fields"]["error_type"], "Config.InvalidVariable");
        assert!(
            lines[1]["fields"]["error"]
                .as_str()
                .is_some_and(|e| e.contains("500")),
            "{:?}",
            lines[1]
        );
    }

    #[tokio::test]
    async fn a_runtime_api_that_never_answers_does_not_keep_the_function_from_exiting() {
        // Accepts the connection, reads nothing, answers nothing.
        let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = silent.local_addr().unwrap().to_string();
        let held = tokio::spawn(async move {
            let (_connection, _) = silent.accept().await.unwrap();
            std::future::pending::<()>().await
        });

        let diagnostic = init_error(&ConfigError::Missing("TABLE_NAME"));
        let reported = report_init_error(&address, &diagnostic, Duration::from_millis(50)).await;

        let error = reported.expect_err("no answer is no report").to_string();
        assert!(error.contains("did not answer"), "{error}");
        held.abort();
    }

    #[tokio::test]
    async fn outside_lambda_the_log_line_is_all_there_is() {
        let (log, _logging) = Log::capture();

        let started = start_with(
            SecretKeyUse::NotNeeded,
            vars(&[
                ("TABLE_NAME", "t"),
                ("BUCKET_NAME", "b"),
                ("SENDER_EMAIL", "studio@example.com"),
                ("DOWNLOAD_JPEG_QUALITY", "101"),
            ]),
        )
        .await;

        assert!(matches!(
            started,
            Err(ConfigError::Invalid("DOWNLOAD_JPEG_QUALITY", _))
        ));
        let lines = log.lines();
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert_eq!(lines[0]["fields"]["variable"], "DOWNLOAD_JPEG_QUALITY");
        assert_eq!(lines[0]["fields"]["error_type"], "Config.InvalidVariable");
    }
}
