//! The browser tests' harness: the app served over HTTP on a loopback port (as `./scripts/dev`
//! serves it), and Debian's Chromium driven through chromedriver (WebDriver), which
//! `./scripts/test` installs and starts (`WEBDRIVER_URL`). One fresh browser session per
//! scenario: its own cookies and storage, closed even when the scenario fails, after a
//! screenshot and the page's source are kept under `target/e2e/failures/`.

use std::future::Future;
use std::net::SocketAddr;
use std::panic::{AssertUnwindSafe, resume_unwind};
use std::path::PathBuf;
use std::time::Duration;

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use futures::FutureExt;
use serde_json::{Value, json};

use crate::{TestApp, sdk_calls};

/// A scenario that takes longer has hung (a browser that never answers, a wait that never ends).
const SCENARIO_TIMEOUT: Duration = Duration::from_secs(120);
/// How long a wait for an element or a state lasts before the scenario fails.
pub const WAIT: Duration = Duration::from_secs(15);

/// A [`TestApp`] whose routes are also served over HTTP, at `base`: links and emails point there.
pub struct Served {
    pub t: TestApp,
    pub base: String,
}

impl Served {
    pub async fn spawn() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let base = format!("http://{}", listener.local_addr().expect("its address"));
        let t = TestApp::spawn_with(&[("PUBLIC_BASE_URL", &base)]).await;
        let router = proofsheet_http::local_server::router(t.app.clone())
            .layer(axum::middleware::from_fn(as_its_function));
        tokio::spawn(async move {
            let service = router.into_make_service_with_connect_info::<SocketAddr>();
            axum::serve(listener, service)
                .await
                .expect("the test server");
        });
        Self { t, base }
    }

    /// The first link to this server under `/{kind}/` in the last email sent to `to`.
    pub async fn emailed_link(&self, to: &str, kind: &str) -> String {
        let mails = self.t.emails_to(to).await;
        let body = mails.last().expect("an email")["body"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let start = body
            .find(&format!("{}/{kind}/", self.base))
            .unwrap_or_else(|| panic!("no /{kind}/ link in {body}"));
        body[start..]
            .split(|c: char| c == '"' || c == '<' || c.is_whitespace())
            .next()
            .unwrap()
            .to_owned()
    }

    /// A link's path on this server (`/g/{token}`).
    pub fn path_of(&self, link: &str) -> String {
        link.strip_prefix(&self.base)
            .expect("a link to this server")
            .to_owned()
    }
}

/// Serves a request as its route's function: the SDK calls it makes are put down to that
/// function, and checked against its IAM statements like those of [`TestApp::call`].
async fn as_its_function(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    match proofsheet_http::route_spec(req.method(), req.uri().path()) {
        Some(spec) => {
            sdk_calls::FUNCTION
                .scope(spec.function, next.run(req))
                .await
        }
        None => next.run(req).await,
    }
}

/// The screen a scenario runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Device {
    /// A laptop's window: 1280 × 800, a mouse that hovers.
    Desktop,
    /// A phone: 390 × 844 at three device pixels to the CSS pixel (an iPhone 14), a touch
    /// screen without hover.
    Phone,
    /// The narrowest phone the pages are made for: 360 × 740.
    Narrow,
}

fn capabilities(device: Device) -> serde_json::Map<String, Value> {
    let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    // The background-networking flags keep Chromium from calling home, which this sandbox's
    // closed network refuses noisily.
    let mut args = vec![
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--lang=en-US",
    ];
    let mut options = json!({ "binary": binary });
    match device {
        Device::Desktop => args.push("--window-size=1280,800"),
        Device::Phone | Device::Narrow => {
            let (width, height, density) = match device {
                Device::Narrow => (360, 740, 2),
                _ => (390, 844, 3),
            };
            options["mobileEmulation"] = json!({
                "deviceMetrics": { "width": width, "height": height, "pixelRatio": density, "touch": true },
                "userAgent": crate::BROWSER,
            });
        }
    }
    options["args"] = json!(args);
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), "chrome".into());
    caps.insert("goog:chromeOptions".into(), options);
    caps.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL" }));
    caps
}

/// Runs `scenario` in a new browser session on `device`, then closes the session whatever
/// happened.
pub async fn in_browser<F, Fut>(name: &str, device: Device, scenario: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = ()>,
{
    let driver = std::env::var("WEBDRIVER_URL")
        .expect("browser tests need chromedriver: run them with ./scripts/test");
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities(device))
        .connect(&driver)
        .await
        .expect("a browser session");
    let outcome = AssertUnwindSafe(tokio::time::timeout(
        SCENARIO_TIMEOUT,
        scenario(client.clone()),
    ))
    .catch_unwind()
    .await;
    if !matches!(outcome, Ok(Ok(()))) {
        keep_failure(&client, name).await;
    }
    let _ = client.close().await;
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(_)) => panic!("{name}: no end after {SCENARIO_TIMEOUT:?}"),
        Err(panic) => resume_unwind(panic),
    }
}

fn e2e_dir(sub: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../target/e2e")
        .join(sub);
    std::fs::create_dir_all(&dir).expect("target/e2e");
    dir
}

async fn keep_failure(client: &Client, name: &str) {
    let dir = e2e_dir("failures");
    if let Ok(png) = client.screenshot().await {
        let _ = std::fs::write(dir.join(format!("{name}.png")), png);
    }
    if let Ok(source) = client.source().await {
        let _ = std::fs::write(dir.join(format!("{name}.html")), source);
    }
}

/// Saves what the browser shows as `target/e2e/screenshots/<name>.png`.
pub async fn screenshot(client: &Client, name: &str) {
    let png = client.screenshot().await.expect("a screenshot");
    std::fs::write(e2e_dir("screenshots").join(format!("{name}.png")), png)
        .expect("the screenshot saved");
}

/// The first element matching `css`, once there is one.
pub async fn element(client: &Client, css: &str) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
}

/// Waits until `script` (a JavaScript expression) is true on the page.
pub async fn until(client: &Client, what: &str, script: &str) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let value = client
            .execute(&format!("return Boolean({script});"), vec![])
            .await
            .unwrap_or(Value::Bool(false));
        if value == Value::Bool(true) {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The value of a JavaScript expression on the page.
pub async fn eval(client: &Client, script: &str) -> Value {
    client
        .execute(&format!("return {script};"), vec![])
        .await
        .unwrap_or_else(|e| panic!("{script}: {e}"))
}

/// A DevTools command through chromedriver (not W3C WebDriver: Chrome's own endpoint).
#[derive(Debug)]
struct DevTools {
    command: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for DevTools {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.command, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// Slows what the page sends to `bytes_per_second` (`None`: full speed again), as a slow
/// connection would: long enough uploads to act in the middle of one.
pub async fn throttle_uploads(client: &Client, bytes_per_second: Option<u32>) {
    let throughput = bytes_per_second.map_or(-1.0, f64::from);
    for (command, params) in [
        ("Network.enable", json!({})),
        (
            "Network.emulateNetworkConditions",
            json!({ "offline": false, "latency": 0, "downloadThroughput": -1,
                    "uploadThroughput": throughput }),
        ),
    ] {
        client
            .issue_cmd(DevTools { command, params })
            .await
            .unwrap_or_else(|e| panic!("{command}: {e}"));
    }
}

/// chromedriver's browser log since the last call (not W3C WebDriver: Chrome's own endpoint).
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({ "type": "browser" }).to_string()),
        )
    }
}

/// Asserts the page logged no error: no script error, no resource that failed to load, no
/// Content-Security-Policy violation (Chrome logs those as SEVERE). A link's or login page's
/// route answering with a refusal is logged too (a password page's 401, a limit's 403); the
/// scenarios assert those themselves, so they alone are left out here. A static file or an
/// image that fails is an error.
pub async fn assert_no_console_errors(client: &Client, page: &str) {
    let log = client.issue_cmd(BrowserLog).await.expect("the browser log");
    let severe: Vec<&Value> = log
        .as_array()
        .map(|entries| {
            entries
                .iter()
                .filter(|entry| entry["level"] == "SEVERE")
                .filter(|entry| {
                    let message = entry["message"].as_str().unwrap_or_default();
                    let route = message.contains("/g/") || message.contains("/p/");
                    !(entry["source"] == "network"
                        && route
                        && message.contains("the server responded with a status of 4"))
                })
                .collect()
        })
        .unwrap_or_default();
    assert!(severe.is_empty(), "{page}: the console says {severe:#?}");
}

/// Runs axe-core (`AXE_CORE_JS`, which `./scripts/test` fetches) on the page and asserts it
/// finds nothing serious or critical.
pub async fn assert_accessible(client: &Client, page: &str) {
    let path = std::env::var("AXE_CORE_JS")
        .expect("browser tests need axe-core: run them with ./scripts/test");
    let axe = std::fs::read_to_string(&path).expect("axe.min.js");
    // WebDriver's scripts are not the page's: its Content-Security-Policy does not apply.
    client
        .execute(&format!("{axe}\nreturn true;"), vec![])
        .await
        .expect("axe loaded");
    let violations = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] }).then(
               (r) => done(r.violations
                 .filter((v) => v.impact === 'serious' || v.impact === 'critical')
                 .map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                                nodes: v.nodes.map((n) => n.html).slice(0, 3) }))),
               (e) => done([{ id: 'axe failed', help: String(e) }]));",
            vec![],
        )
        .await
        .expect("axe ran");
    assert_eq!(violations, json!([]), "{page}: accessibility");
}

/// A one-finger swipe across the screen at height `y`, from `from_x` to `to_x`.
pub async fn swipe(client: &Client, from_x: f64, to_x: f64, y: f64) {
    use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, PointerAction, TouchActions};
    let finger = TouchActions::new("finger".into())
        .then(PointerAction::MoveTo {
            duration: None,
            x: from_x,
            y,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::MoveTo {
            duration: Some(Duration::from_millis(150)),
            x: to_x,
            y,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    client.perform_actions(finger).await.expect("a swipe");
}

/// Asserts nothing on the page is wider than the screen: no sideways scrolling.
pub async fn assert_fits_the_width(client: &Client, page: &str) {
    let (page_width, screen) = (
        eval(client, "document.documentElement.scrollWidth").await,
        eval(client, "window.innerWidth").await,
    );
    assert!(
        page_width.as_u64() <= screen.as_u64(),
        "{page}: {page_width} px wide on a {screen} px screen"
    );
}
