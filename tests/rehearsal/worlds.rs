//! The two runs of the day: through the Lambda binaries (the stack as deployed, on resources
//! of its own) and through the local server (`./scripts/dev`'s router and its workers, on
//! others). Each step goes to both; the Lambda run's answer is what the day goes on with.

use std::collections::BTreeMap;
use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use aws_lambda_events::sqs::SqsEvent;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use proofsheet_app::{App, Config};
use proofsheet_store::provision::{Provisioned, provision};
use serde_json::{Value, json};

use crate::compare::Aliases;
use crate::lambda;
use crate::template::{Function, Template, Trigger};

const REGION: &str = "us-east-1";
const ACCOUNT: &str = "123456789012";
const API_ID: &str = "r3h3ars4l";
/// The HTTP API's own URL, which links are made of when no `PublicBaseUrl` is given.
pub const API_ENDPOINT: &str = "https://r3h3ars4l.execute-api.us-east-1.amazonaws.com";
pub const API_KEY: &str = "ps_dev_rehearsal_key_0000000000000000000000000000";
pub const SLUG: &str = "rehearsal-studio";
/// Where requests come from, as API Gateway's `sourceIp` says.
const SOURCE_IP: &str = "198.51.100.23";

/// A request as a browser or a script sends it, in the Lambda run's words.
#[derive(Clone, Debug, Default)]
pub struct Request {
    pub method: String,
    /// Path and query string.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub cookies: Vec<String>,
    pub body: Option<Vec<u8>>,
}

/// An answer, however it travelled: API Gateway's response payload or an HTTP response.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: BTreeMap<String, Vec<String>>,
    pub cookies: Vec<String>,
    /// As sent (still gzipped when `content-encoding` says so).
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.first().map(String::as_str)
    }

    /// The body, un-gzipped when it was.
    pub fn content(&self) -> Vec<u8> {
        if self.header("content-encoding") == Some("gzip") {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&self.body[..])
                .read_to_end(&mut out)
                .expect("a gzip body");
            out
        } else {
            self.body.clone()
        }
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.content()).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.content()).unwrap_or(Value::Null)
    }
}

/// One function's part in the day.
#[derive(Default)]
pub struct Outcome {
    pub event: String,
    pub statuses: Vec<String>,
    pub invocations: usize,
    pub differences: Vec<String>,
}

struct World {
    provisioned: Provisioned,
    sender: String,
    app: Arc<App>,
}

pub struct Rehearsal {
    template: Template,
    emulator: String,
    http: reqwest::Client,
    sqs: aws_sdk_sqs::Client,
    lambda: World,
    local: World,
    local_url: String,
    pub aliases: Aliases,
    /// What an invocation of a function that could not start was told.
    start_failure: String,
    /// The local server's answer to the last request (uploads and downloads go on with it).
    pub last_local: Option<Answer>,
    /// By binary.
    pub outcomes: BTreeMap<String, Outcome>,
    started: BTreeMap<String, lambda::Started>,
    mail_cursor: u64,
    failures: Vec<String>,
    memory: BTreeMap<String, u64>,
}

impl Rehearsal {
    pub async fn start(binaries: PathBuf, emulator: String) -> Self {
        let moto = std::env::var("AWS_ENDPOINT_URL").expect("AWS_ENDPOINT_URL: the moto server");
        let sdk = proofsheet_store::load_sdk_config().await;
        let template = Template::read(
            &std::fs::read_to_string(
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../infra/template.yaml"),
            )
            .expect("infra/template.yaml"),
        );
        let run = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
        let secret_key = proofsheet_app::secrets::new_secret_key();

        // The Lambda run: the stack's resources, the key in SSM as deployed.
        let lambda_sender = "studio@rehearsal.example";
        let lambda_provisioned = provision(&sdk, &format!("lam{run}"), lambda_sender)
            .await
            .expect("provision the Lambda run's resources");
        let parameter = format!("/rehearsal-{run}/secret-key");
        aws_sdk_ssm::Client::new(&sdk)
            .put_parameter()
            .name(&parameter)
            .value(&secret_key)
            .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
            .send()
            .await
            .expect("the secret key parameter");
        let api_endpoint = API_ENDPOINT.to_owned();

        // The local run: the local server and its workers, in this process.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let local_address = listener.local_addr().expect("an address");
        let local_url = format!("http://{local_address}");
        // The local run's links say https, as the stack's do: the same Secure cookies, the
        // same origins. Requests still go to it over plain HTTP.
        let local_public = format!("https://{local_address}");
        let local_sender = "studio@local.example";
        let local_provisioned = provision(&sdk, &format!("loc{run}"), local_sender)
            .await
            .expect("provision the local run's resources");
        let local_app = Arc::new(App::new(
            &sdk,
            config(&local_provisioned, local_sender, &local_public, &secret_key),
        ));
        let router = proofsheet_http::local_server::router(local_app.clone());
        tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
        });
        // Only for what no route does: making the photographer.
        let lambda_app = Arc::new(App::new(
            &sdk,
            config(
                &lambda_provisioned,
                lambda_sender,
                &api_endpoint,
                &secret_key,
            ),
        ));

        let mut aliases = Aliases::default();
        aliases.constant("base", &api_endpoint, &local_public);
        aliases.constant(
            "host",
            &format!("{API_ID}.execute-api.{REGION}.amazonaws.com"),
            &local_address.to_string(),
        );
        for (name, a, b) in [
            (
                "table",
                &lambda_provisioned.resources.table,
                &local_provisioned.resources.table,
            ),
            (
                "bucket",
                &lambda_provisioned.resources.bucket,
                &local_provisioned.resources.bucket,
            ),
            (
                "ingest",
                &lambda_provisioned.ingest_queue_url,
                &local_provisioned.ingest_queue_url,
            ),
            (
                "downloads",
                &lambda_provisioned.download_queue_url,
                &local_provisioned.download_queue_url,
            ),
        ] {
            aliases.constant(name, a, b);
        }
        aliases.constant("sender", lambda_sender, local_sender);

        let lambda_world = World {
            provisioned: lambda_provisioned,
            sender: lambda_sender.into(),
            app: lambda_app,
        };
        let resolve = |name: &str| -> Option<String> {
            let p = &lambda_world.provisioned;
            Some(match name {
                "Table" => p.resources.table.clone(),
                "PhotosBucket" => p.resources.bucket.clone(),
                "IngestQueue" => p.ingest_queue_url.clone(),
                "DownloadQueue" => p.download_queue_url.clone(),
                "SenderEmail" => lambda_sender.into(),
                "SecretKeyParameterName" => parameter.clone(),
                "HttpApi.ApiEndpoint" => api_endpoint.clone(),
                _ => return None,
            })
        };

        // A function that cannot start says why: log-out without its table, before it starts
        // properly below (an invocation of log-out already waits, as Lambda's first one does).
        let http = reqwest::Client::new();
        let mut failures = Vec::new();
        let log_out = template
            .functions
            .values()
            .find(|f| f.binary == "log-out")
            .expect("the log-out function");
        let mut environment = template.environment(log_out, &resolve);
        environment.retain(|(name, _)| name != "TABLE_NAME");
        environment.extend(lambda_environment(log_out, &moto));
        let start_failure = match lambda::failed_start(
            &http,
            &binaries,
            "log-out",
            "log-out",
            &emulator,
            &environment,
        )
        .await
        {
            Ok((answer, log)) => {
                let told = answer["errorType"] == "Config.MissingVariable"
                    && answer["errorMessage"]
                        .as_str()
                        .is_some_and(|m| m.contains("TABLE_NAME"));
                let logged = log.lines().any(|line| {
                    serde_json::from_str::<Value>(line)
                        .is_ok_and(|l| l["fields"]["variable"] == "TABLE_NAME")
                }) && log
                    .lines()
                    .all(|line| serde_json::from_str::<Value>(line).is_ok());
                if !(told && logged) {
                    failures.push(format!(
                        "log-out without TABLE_NAME: the invoker got {answer}, the log said {log}"
                    ));
                }
                answer.to_string()
            }
            Err(e) => {
                failures.push(e.clone());
                e
            }
        };
        // Every function, one after the other so each cold start has the machine to itself.
        let log_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/rehearsal/logs");
        std::fs::create_dir_all(&log_dir).expect("the log folder");
        let mut started = BTreeMap::new();
        let mut memory = BTreeMap::new();
        for function in template.functions.values() {
            let mut environment = template.environment(function, &resolve);
            environment.extend(lambda_environment(function, &moto));
            match lambda::start(
                &binaries,
                &function.binary,
                &function.binary,
                &emulator,
                &environment,
                &log_dir,
            )
            .await
            {
                Ok(s) => {
                    started.insert(function.binary.clone(), s);
                }
                Err(e) => failures.push(e),
            }
            memory.insert(function.binary.clone(), function.memory_mb);
        }
        let outcomes = template
            .functions
            .values()
            .map(|f| (f.binary.clone(), Outcome::default()))
            .collect();
        let mail_cursor = mail(&moto, 0).await.1;
        Self {
            template,
            emulator,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("an HTTP client"),
            sqs: aws_sdk_sqs::Client::new(&sdk),
            lambda: lambda_world,
            local: World {
                provisioned: local_provisioned,
                sender: local_sender.into(),
                app: local_app,
            },
            local_url,
            aliases,
            start_failure,
            last_local: None,
            outcomes,
            started,
            mail_cursor,
            failures,
            memory,
        }
    }

    /// Makes the photographer in both runs (an administrator's job, not a route's).
    pub async fn photographer(&self) {
        for app in [&self.lambda.app, &self.local.app] {
            proofsheet_app::admin::create_photographer(
                app,
                "Rehearsal Studio",
                "owner@rehearsal.example",
                SLUG,
                Some(API_KEY.into()),
            )
            .await
            .expect("the photographer");
        }
    }

    /// One request, to the function API Gateway routes it to and to the local server; the
    /// Lambda run's answer.
    pub async fn http(&mut self, request: Request) -> Answer {
        let path = request
            .target
            .split('?')
            .next()
            .unwrap_or_default()
            .to_owned();
        let Some((function, route_key, params)) = self.template.route(&request.method, &path)
        else {
            panic!("no route in the template for {} {path}", request.method);
        };
        let binary = function.binary.clone();
        let event = apigw_event(&route_key, &params, &request);
        let lambda_answer = match lambda::invoke(&self.http, &self.emulator, &binary, &event).await
        {
            Ok(answer) => from_apigw(&answer),
            Err(e) => {
                self.difference(&binary, &route_key, e);
                return Answer {
                    status: 0,
                    headers: BTreeMap::new(),
                    cookies: vec![],
                    body: vec![],
                };
            }
        };
        let local_answer = self.send_local(&request).await;
        let verdict = same(&mut self.aliases, &lambda_answer, &local_answer);
        self.last_local = Some(local_answer);
        let outcome = self.outcomes.entry(binary.clone()).or_default();
        outcome.event = format!("API Gateway v2: {route_key}");
        outcome.invocations += 1;
        let status = lambda_answer.status.to_string();
        if !outcome.statuses.contains(&status) {
            outcome.statuses.push(status);
        }
        if let Err(why) = verdict {
            self.difference(&binary, &route_key, why);
        }
        lambda_answer
    }

    fn difference(&mut self, binary: &str, what: &str, why: String) {
        let outcome = self.outcomes.entry(binary.to_owned()).or_default();
        outcome.differences.push(format!("{what}: {why}"));
    }

    async fn send_local(&self, request: &Request) -> Answer {
        let url = format!(
            "{}{}",
            self.local_url,
            self.aliases.to_local(&request.target)
        );
        let method = reqwest::Method::from_bytes(request.method.as_bytes()).expect("a method");
        let mut builder = self.http.request(method, url);
        for (name, value) in &request.headers {
            builder = builder.header(name, self.aliases.to_local(value));
        }
        if !request.cookies.is_empty() {
            let cookies: Vec<String> = request
                .cookies
                .iter()
                .map(|c| self.aliases.to_local(c))
                .collect();
            builder = builder.header("cookie", cookies.join("; "));
        }
        if let Some(body) = &request.body {
            let body = match std::str::from_utf8(body) {
                Ok(text) => self.aliases.to_local(text).into_bytes(),
                Err(_) => body.clone(),
            };
            builder = builder.body(body);
        }
        let response = builder.send().await.expect("the local server answers");
        let status = response.status().as_u16();
        let mut headers: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut cookies = Vec::new();
        for (name, value) in response.headers() {
            let value = value.to_str().unwrap_or_default().to_owned();
            if name == "set-cookie" {
                cookies.push(value);
            } else {
                headers
                    .entry(name.as_str().to_owned())
                    .or_default()
                    .push(value);
            }
        }
        let body = response.bytes().await.expect("a body").to_vec();
        Answer {
            status,
            headers,
            cookies,
            body,
        }
    }

    /// Lets the queue's function take what is on it, batch by batch as its event source
    /// mapping would, in both runs; then what the local runner's worker does with the same.
    pub async fn drain(&mut self, binary: &str) {
        let function = self.function(binary);
        let Some((queue, batch_size)) = function.triggers.iter().find_map(|t| match t {
            Trigger::Queue { queue, batch_size } => Some((queue.clone(), *batch_size)),
            _ => None,
        }) else {
            panic!("{binary} reads no queue");
        };
        let url_of = |world: &World| match queue.as_str() {
            "IngestQueue" => world.provisioned.ingest_queue_url.clone(),
            "DownloadQueue" => world.provisioned.download_queue_url.clone(),
            other => panic!("unknown queue {other}"),
        };
        let (lambda_url, local_url) = (url_of(&self.lambda), url_of(&self.local));
        loop {
            let lambda_batch = self.receive(&lambda_url, batch_size).await;
            let local_batch = self.receive(&local_url, batch_size).await;
            if lambda_batch.is_empty() && local_batch.is_empty() {
                break;
            }
            let what = format!("SQS: {queue}, {} record(s)", lambda_batch.len());
            if lambda_batch.len() != local_batch.len() {
                self.difference(
                    binary,
                    &what,
                    format!(
                        "{} records here, {} locally",
                        lambda_batch.len(),
                        local_batch.len()
                    ),
                );
            }
            let lambda_event = sqs_event(&queue, &lambda_batch);
            let local_event = sqs_event(&queue, &local_batch);
            let lambda_answer =
                lambda::invoke(&self.http, &self.emulator, binary, &lambda_event).await;
            let local_answer = local_worker(&self.local.app, binary, local_event).await;
            self.settle(&lambda_url, &lambda_batch, lambda_answer.as_ref().ok())
                .await;
            self.settle(&local_url, &local_batch, Some(&local_answer))
                .await;
            self.record(binary, &what, lambda_answer, &local_answer);
        }
    }

    /// Invokes a scheduled function with the scheduler's event, and the local runner's sweep.
    pub async fn schedule(&mut self, binary: &str) -> Value {
        let function = self.function(binary);
        let expression = function
            .triggers
            .iter()
            .find_map(|t| match t {
                Trigger::Schedule { expression } => Some(expression.clone()),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{binary} has no schedule"));
        let event = json!({
            "version": "0",
            "id": uuid::Uuid::new_v4().to_string(),
            "detail-type": "Scheduled Event",
            "source": "aws.scheduler",
            "account": ACCOUNT,
            "time": now_rfc3339(),
            "region": REGION,
            "resources": [format!("arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule/default/{binary}")],
            "detail": {}
        });
        let lambda_answer = lambda::invoke(&self.http, &self.emulator, binary, &event).await;
        let local_answer = match binary {
            "send-expiry-reminders" => json!(
                proofsheet_workers::expiry::sweep(&self.local.app)
                    .await
                    .expect("the local sweep")
            ),
            "resend-download-requests" => json!({
                "sent": proofsheet_workers::resend::resend_unsent_downloads(&self.local.app)
                    .await
                    .expect("the local sweep")
            }),
            other => panic!("no local sweep for {other}"),
        };
        let answer = lambda_answer.clone().unwrap_or_default();
        self.record(
            binary,
            &format!("EventBridge Scheduler: {expression}"),
            lambda_answer,
            &local_answer,
        );
        answer
    }

    fn record(
        &mut self,
        binary: &str,
        what: &str,
        lambda_answer: Result<Value, String>,
        local_answer: &Value,
    ) {
        let outcome = self.outcomes.entry(binary.to_owned()).or_default();
        outcome.invocations += 1;
        outcome.event = what.to_owned();
        match lambda_answer {
            Ok(answer) => {
                if !outcome.statuses.contains(&"ok".to_owned()) {
                    outcome.statuses.push("ok".into());
                }
                if let Some(why) = self
                    .aliases
                    .compare(&answer.to_string(), &local_answer.to_string())
                {
                    self.difference(binary, what, why);
                }
            }
            Err(e) => self.difference(binary, what, e),
        }
    }

    async fn receive(&self, queue_url: &str, max: usize) -> Vec<aws_sdk_sqs::types::Message> {
        let out = self
            .sqs
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(max as i32)
            .wait_time_seconds(1)
            .message_system_attribute_names(aws_sdk_sqs::types::MessageSystemAttributeName::All)
            .send()
            .await
            .expect("receive");
        out.messages.unwrap_or_default()
    }

    /// What the event source mapping does after an invocation: deletes what succeeded.
    async fn settle(
        &self,
        queue_url: &str,
        batch: &[aws_sdk_sqs::types::Message],
        answer: Option<&Value>,
    ) {
        let failed: Vec<&str> = answer
            .and_then(|a| a["batchItemFailures"].as_array())
            .map(|f| {
                f.iter()
                    .filter_map(|f| f["itemIdentifier"].as_str())
                    .collect()
            })
            .unwrap_or_default();
        for message in batch {
            let id = message.message_id().unwrap_or_default();
            if answer.is_some() && !failed.contains(&id) {
                self.sqs
                    .delete_message()
                    .queue_url(queue_url)
                    .receipt_handle(message.receipt_handle().unwrap_or_default())
                    .send()
                    .await
                    .expect("delete");
            }
        }
    }

    /// The mail SES accepted since the last look, in both runs, compared; the Lambda run's.
    pub async fn mail(&mut self) -> Vec<Value> {
        let moto = std::env::var("AWS_ENDPOINT_URL").expect("moto");
        let (messages, next) = mail(&moto, self.mail_cursor).await;
        self.mail_cursor = next;
        let from = |sender: &str| -> Vec<Value> {
            messages
                .iter()
                .filter(|m| m["source"].as_str().is_some_and(|s| s.contains(sender)))
                .cloned()
                .collect()
        };
        let (ours, theirs) = (from(&self.lambda.sender), from(&self.local.sender));
        if ours.len() != theirs.len() {
            self.failures.push(format!(
                "mail: {} messages from the Lambda run, {} from the local run",
                ours.len(),
                theirs.len()
            ));
        }
        for (a, b) in ours.iter().zip(&theirs) {
            let strip = |m: &Value| json!({ "subject": m["subject"], "body": m["body"], "to": m["destinations"] });
            if let Some(why) = self
                .aliases
                .compare(&strip(a).to_string(), &strip(b).to_string())
            {
                self.failures.push(format!("mail {}: {why}", a["subject"]));
            }
        }
        ours
    }

    /// Whether the day has invoked the function running `binary`.
    pub fn invoked(&self, binary: &str) -> bool {
        self.outcomes.get(binary).is_some_and(|o| o.invocations > 0)
    }

    pub fn fail(&mut self, why: String) {
        self.failures.push(why);
    }

    fn function(&self, binary: &str) -> Function {
        self.template
            .functions
            .values()
            .find(|f| f.binary == binary)
            .unwrap_or_else(|| panic!("no function runs {binary}"))
            .clone()
    }

    /// The table of functions, and whether the day passed.
    pub fn report(&mut self) -> (String, bool) {
        let mut passed = self.failures.is_empty();
        let mut out = String::from(
            "| function | event | status | same as local | cold start | bootstrap | memory |\n\
             |---|---|---|---|---:|---:|---:|\n",
        );
        for (binary, outcome) in &self.outcomes {
            let same = if outcome.invocations == 0 {
                passed = false;
                "✗ never invoked".to_owned()
            } else if outcome.differences.is_empty() {
                "✓".to_owned()
            } else {
                passed = false;
                format!("✗ {}", outcome.differences.len())
            };
            let (cold, size) = self
                .started
                .get(binary)
                .map_or(("—".into(), "—".into()), |s| {
                    (
                        format!("{:.1} ms", s.cold_start.as_secs_f64() * 1000.0),
                        format!("{:.2} MiB", s.bootstrap_bytes as f64 / (1024.0 * 1024.0)),
                    )
                });
            out.push_str(&format!(
                "| {binary} | {} | {} | {same} | {cold} | {size} | {} MB |\n",
                outcome.event,
                outcome.statuses.join(", "),
                self.memory.get(binary).copied().unwrap_or_default(),
            ));
        }
        let slowest = self
            .started
            .iter()
            .max_by_key(|(_, s)| s.cold_start)
            .map(|(b, s)| format!("{b}, {:.1} ms", s.cold_start.as_secs_f64() * 1000.0));
        out.push_str(&format!(
            "\n{} functions; slowest cold start: {}\n",
            self.outcomes.len(),
            slowest.unwrap_or_default()
        ));
        out.push_str(&format!(
            "A function that cannot start (log-out without TABLE_NAME): the invocation answers \
             `{}`\n",
            self.start_failure
        ));
        for (binary, outcome) in &self.outcomes {
            for d in &outcome.differences {
                out.push_str(&format!("\n- {binary}: {d}"));
            }
        }
        for f in &self.failures {
            out.push_str(&format!("\n- {f}"));
        }
        for (binary, started) in &mut self.started {
            if let Ok(Some(status)) = started.child.try_wait() {
                passed = false;
                out.push_str(&format!("\n- {binary} exited during the day: {status}"));
            }
        }
        out.push('\n');
        (out, passed)
    }
}

fn config(p: &Provisioned, sender: &str, base_url: &str, secret_key: &str) -> Config {
    let vars = BTreeMap::from([
        ("TABLE_NAME", p.resources.table.clone()),
        ("BUCKET_NAME", p.resources.bucket.clone()),
        ("SENDER_EMAIL", sender.to_owned()),
        ("PUBLIC_BASE_URL", base_url.to_owned()),
        ("SECRET_KEY", secret_key.to_owned()),
        ("INGEST_QUEUE_URL", p.ingest_queue_url.clone()),
        ("DOWNLOAD_QUEUE_URL", p.download_queue_url.clone()),
    ]);
    Config::from_lookup(|k| vars.get(k).cloned()).expect("a config")
}

/// What Lambda puts in every function's environment besides the template's variables; and
/// the emulator's address and credentials, where AWS has the real endpoints and a role.
fn lambda_environment(function: &Function, moto: &str) -> Vec<(String, String)> {
    [
        ("AWS_REGION", REGION.to_owned()),
        ("AWS_DEFAULT_REGION", REGION.to_owned()),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".to_owned()),
        (
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
            function.memory_mb.to_string(),
        ),
        ("AWS_LAMBDA_LOG_FORMAT", "JSON".to_owned()),
        (
            "AWS_LAMBDA_LOG_GROUP_NAME",
            format!("/aws/lambda/{}", function.logical_id),
        ),
        ("_HANDLER", "bootstrap".to_owned()),
        ("AWS_ENDPOINT_URL", moto.to_owned()),
        ("AWS_ACCESS_KEY_ID", "test".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "test".to_owned()),
        ("AWS_SESSION_TOKEN", "test".to_owned()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// The HTTP API's payload 2.0 for a request on a route.
fn apigw_event(route_key: &str, params: &BTreeMap<String, String>, request: &Request) -> Value {
    let (path, query) = request
        .target
        .split_once('?')
        .unwrap_or((&request.target, ""));
    let mut headers: BTreeMap<String, String> = BTreeMap::new();
    let mut set = |name: &str, value: &str| {
        headers
            .entry(name.to_ascii_lowercase())
            .and_modify(|v| {
                v.push(',');
                v.push_str(value);
            })
            .or_insert_with(|| value.to_owned());
    };
    set(
        "host",
        &format!("{API_ID}.execute-api.{REGION}.amazonaws.com"),
    );
    set("x-forwarded-for", SOURCE_IP);
    set("x-forwarded-proto", "https");
    set("x-forwarded-port", "443");
    for (name, value) in &request.headers {
        set(name, value);
    }
    if let Some(body) = &request.body {
        set("content-length", &body.len().to_string());
    }
    let mut query_parameters: BTreeMap<String, String> = BTreeMap::new();
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        query_parameters
            .entry(k.into_owned())
            .and_modify(|old| {
                old.push(',');
                old.push_str(&v);
            })
            .or_insert_with(|| v.into_owned());
    }
    let user_agent = headers.get("user-agent").cloned().unwrap_or_default();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970");
    let mut event = json!({
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": query,
        "headers": headers,
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": API_ID,
            "domainName": format!("{API_ID}.execute-api.{REGION}.amazonaws.com"),
            "domainPrefix": API_ID,
            "http": {
                "method": request.method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": SOURCE_IP,
                "userAgent": user_agent,
            },
            "requestId": uuid::Uuid::new_v4().to_string(),
            "routeKey": route_key,
            "stage": "$default",
            "time": "06/Dec/2026:19:00:00 +0000",
            "timeEpoch": now.as_millis() as u64,
        },
        "isBase64Encoded": false,
    });
    if !request.cookies.is_empty() {
        event["cookies"] = json!(request.cookies);
    }
    if !query_parameters.is_empty() {
        event["queryStringParameters"] = json!(query_parameters);
    }
    if !params.is_empty() {
        event["pathParameters"] = json!(params);
    }
    if let Some(body) = &request.body {
        // API Gateway passes JSON and text as they are, and everything else (a form's
        // urlencoded body included) in base64.
        let content_type = headers.get("content-type").map_or("", String::as_str);
        let textual =
            content_type.starts_with("application/json") || content_type.starts_with("text/");
        match std::str::from_utf8(body) {
            Ok(text) if textual => event["body"] = json!(text),
            _ => {
                event["body"] = json!(BASE64.encode(body));
                event["isBase64Encoded"] = json!(true);
            }
        }
    }
    event
}

/// API Gateway's reading of a function's answer.
fn from_apigw(answer: &Value) -> Answer {
    let mut headers: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, value) in answer["headers"].as_object().into_iter().flatten() {
        headers
            .entry(name.to_ascii_lowercase())
            .or_default()
            .push(value.as_str().unwrap_or_default().to_owned());
    }
    for (name, values) in answer["multiValueHeaders"]
        .as_object()
        .into_iter()
        .flatten()
    {
        let entry = headers.entry(name.to_ascii_lowercase()).or_default();
        for value in values.as_array().into_iter().flatten() {
            let value = value.as_str().unwrap_or_default().to_owned();
            if !entry.contains(&value) {
                entry.push(value);
            }
        }
    }
    let body = answer["body"].as_str().unwrap_or_default();
    let body = if answer["isBase64Encoded"].as_bool() == Some(true) {
        BASE64.decode(body).expect("base64 as flagged")
    } else {
        body.as_bytes().to_vec()
    };
    Answer {
        status: answer["statusCode"].as_u64().unwrap_or_default() as u16,
        headers,
        cookies: answer["cookies"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c.as_str().map(str::to_owned))
            .collect(),
        body,
    }
}

/// Headers a hop adds or a transport decides: not the function's to answer for.
const TRANSPORT_HEADERS: [&str; 5] = [
    "content-length",
    "date",
    "connection",
    "transfer-encoding",
    "keep-alive",
];

fn same(aliases: &mut Aliases, lambda: &Answer, local: &Answer) -> Result<(), String> {
    if lambda.status != local.status {
        return Err(format!(
            "status {} here, {} from the local server",
            lambda.status, local.status
        ));
    }
    let names = |a: &Answer| -> Vec<String> {
        a.headers
            .keys()
            .filter(|n| !TRANSPORT_HEADERS.contains(&n.as_str()))
            .cloned()
            .collect()
    };
    if names(lambda) != names(local) {
        return Err(format!(
            "headers {:?} here, {:?} from the local server",
            names(lambda),
            names(local)
        ));
    }
    for name in names(lambda) {
        let (a, b) = (
            lambda.headers[&name].join("\n"),
            local.headers[&name].join("\n"),
        );
        if let Some(why) = aliases.compare(&a, &b) {
            return Err(format!("header {name}: {why}"));
        }
    }
    if lambda.cookies.len() != local.cookies.len() {
        return Err(format!(
            "cookies {:?} here, {:?} from the local server",
            lambda.cookies, local.cookies
        ));
    }
    for (a, b) in lambda.cookies.iter().zip(&local.cookies) {
        if let Some(why) = aliases.compare(a, b) {
            return Err(format!("cookie: {why}"));
        }
    }
    let (a, b) = (lambda.content(), local.content());
    match (std::str::from_utf8(&a), std::str::from_utf8(&b)) {
        (Ok(a), Ok(b)) => aliases
            .compare(a, b)
            .map_or(Ok(()), |why| Err(format!("body: {why}"))),
        _ if a == b => Ok(()),
        _ => Err(format!(
            "binary bodies differ ({} and {} bytes)",
            a.len(),
            b.len()
        )),
    }
}

/// The event an SQS event source mapping makes of a batch.
fn sqs_event(queue: &str, batch: &[aws_sdk_sqs::types::Message]) -> Value {
    let records: Vec<Value> = batch
        .iter()
        .map(|m| {
            let attributes: BTreeMap<String, String> = m
                .attributes()
                .map(|a| {
                    a.iter()
                        .map(|(k, v)| (k.as_str().to_owned(), v.clone()))
                        .collect()
                })
                .unwrap_or_default();
            json!({
                "messageId": m.message_id(),
                "receiptHandle": m.receipt_handle(),
                "body": m.body(),
                "attributes": attributes,
                "messageAttributes": {},
                "md5OfBody": m.md5_of_body(),
                "eventSource": "aws:sqs",
                "eventSourceARN": format!("arn:aws:sqs:{REGION}:{ACCOUNT}:{queue}"),
                "awsRegion": REGION,
            })
        })
        .collect();
    json!({ "Records": records })
}

/// What the local runner's poller does with a batch: the same worker, in process.
async fn local_worker(app: &App, binary: &str, event: Value) -> Value {
    let event: SqsEvent = serde_json::from_value(event).expect("an SQS event");
    let response = match binary {
        "ingest-photo" => {
            proofsheet_workers::runner::handle_batch::<proofsheet_workers::ingest::Ingest>(
                app, event,
            )
            .await
        }
        "prepare-downloads" => proofsheet_workers::runner::handle_batch::<
            proofsheet_workers::download::PrepareDownloads,
        >(app, event)
        .await,
        other => panic!("no local worker for {other}"),
    };
    serde_json::to_value(response).expect("a batch response")
}

/// The mail moto's SES accepted from the `from`th on, and where the next read starts.
async fn mail(moto: &str, from: u64) -> (Vec<Value>, u64) {
    let url = format!("{moto}/_local/ses/messages?from={from}");
    let answer: Value = reqwest::get(&url)
        .await
        .expect("the sent mail")
        .json()
        .await
        .expect("JSON");
    let messages = answer["messages"].as_array().cloned().unwrap_or_default();
    (messages, answer["next"].as_u64().unwrap_or(from))
}

pub fn now_rfc3339() -> String {
    aws_smithy_types::DateTime::from(std::time::SystemTime::now())
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .expect("a date")
}

pub fn rfc3339_in(secs: u64) -> String {
    aws_smithy_types::DateTime::from(std::time::SystemTime::now() + Duration::from_secs(secs))
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .expect("a date")
}
