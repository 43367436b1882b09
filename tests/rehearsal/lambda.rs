//! The real binaries under cargo-lambda's emulator of the Lambda Runtime API: each started as
//! Lambda starts it (its environment from the template and nothing else), its cold start timed
//! from the process's start to its first request for an event, and invoked through the
//! emulator's Invoke API.

use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::net::{TcpListener, TcpStream};
use tokio::process::{Child, Command};

/// A started function.
pub struct Started {
    pub child: Child,
    pub cold_start: Duration,
    pub bootstrap_bytes: u64,
}

/// Starts `binary` as the function `name`, and waits until it asks for its first event.
///
/// The binary talks to the emulator through a relay on a port of its own, which notes when the
/// first bytes arrive: the runtime's first `GET …/invocation/next`.
pub async fn start(
    binaries: &Path,
    binary: &str,
    name: &str,
    emulator: &str,
    environment: &[(String, String)],
    log_dir: &Path,
) -> Result<Started, String> {
    let path = binaries.join(binary);
    let bootstrap_bytes = std::fs::metadata(&path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .len();
    let first_bytes: Arc<Mutex<Option<Instant>>> = Arc::default();
    let relay = relay(emulator, first_bytes.clone()).await?;
    let log =
        std::fs::File::create(log_dir.join(format!("{name}.log"))).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let child = Command::new(&path)
        .env_clear()
        .envs(environment.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .env("AWS_LAMBDA_FUNCTION_NAME", name)
        .env(
            "AWS_LAMBDA_RUNTIME_API",
            format!("http://{relay}/.rt/{name}"),
        )
        .stdin(Stdio::null())
        .stdout(log.try_clone().map_err(|e| e.to_string())?)
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let mut child = child;
    loop {
        if let Some(at) = *first_bytes.lock().expect("not poisoned") {
            return Ok(Started {
                child,
                cold_start: at - started,
                bootstrap_bytes,
            });
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!(
                "{name} exited before asking for an event: {status}"
            ));
        }
        if started.elapsed() > Duration::from_secs(30) {
            return Err(format!("{name} did not ask for an event within 30 s"));
        }
        tokio::time::sleep(Duration::from_micros(200)).await;
    }
}

/// A TCP relay to the emulator on a fresh loopback port, noting when bytes first arrive.
async fn relay(
    emulator: &str,
    first_bytes: Arc<Mutex<Option<Instant>>>,
) -> Result<std::net::SocketAddr, String> {
    let upstream = emulator
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            let first_bytes = first_bytes.clone();
            let upstream = upstream.clone();
            tokio::spawn(async move {
                let mut peek = [0u8; 1];
                if inbound.peek(&mut peek).await.is_ok() {
                    first_bytes
                        .lock()
                        .expect("not poisoned")
                        .get_or_insert_with(Instant::now);
                }
                if let Ok(mut outbound) = TcpStream::connect(&upstream).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
    Ok(address)
}

/// Invokes a function through the emulator's Invoke API, as API Gateway, SQS or the scheduler
/// would: the event in, the function's answer out.
pub async fn invoke(
    http: &reqwest::Client,
    emulator: &str,
    name: &str,
    event: &Value,
) -> Result<Value, String> {
    let url = format!("{emulator}/2015-03-31/functions/{name}/invocations");
    let response = http
        .post(&url)
        .json(event)
        .timeout(Duration::from_secs(120))
        .send()
        .await
        .map_err(|e| format!("invoking {name}: {e}"))?;
    let status = response.status();
    let text = response.text().await.map_err(|e| e.to_string())?;
    let answer: Value = serde_json::from_str(&text)
        .map_err(|_| format!("{name} answered {status} with no JSON: {text}"))?;
    if !status.is_success() || answer.get("errorType").is_some() {
        return Err(format!("{name} failed ({status}): {answer}"));
    }
    Ok(answer)
}

/// Starts `binary` as the function `name` while an invocation already waits for it (the order
/// in which Lambda starts a function), for a start that must fail: what the invoker was told,
/// and what the function logged.
pub async fn failed_start(
    http: &reqwest::Client,
    binaries: &Path,
    binary: &str,
    name: &str,
    emulator: &str,
    environment: &[(String, String)],
) -> Result<(Value, String), String> {
    let url = format!("{emulator}/2015-03-31/functions/{name}/invocations");
    let waiting = tokio::spawn(
        http.post(url)
            .json(&serde_json::json!({}))
            .timeout(Duration::from_secs(30))
            .send(),
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let output = Command::new(binaries.join(binary))
        .env_clear()
        .envs(environment.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .env("AWS_LAMBDA_FUNCTION_NAME", name)
        .env("AWS_LAMBDA_RUNTIME_API", format!("{emulator}/.rt/{name}"))
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(20), output)
        .await
        .map_err(|_| format!("{name} neither started nor exited within 20 s"))?
        .map_err(|e| e.to_string())?;
    if output.status.success() {
        return Err(format!(
            "{name} exited successfully without its configuration"
        ));
    }
    let answer = waiting
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("the waiting invocation of {name}: {e}"))?;
    let answer: Value = answer.json().await.map_err(|e| e.to_string())?;
    let log = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    Ok((answer, log))
}
