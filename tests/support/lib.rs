//! The integration-test harness: each test gets its own freshly provisioned tables, bucket and
//! queues on the moto server (unique name prefix), and talks to the app through
//! `App::dispatch`, the same path the local runner and the Lambda functions use (one
//! `TestApp` method per route, see `routes.rs`). Presigned URLs are used for real, over HTTP.
//! Run through `./scripts/test`, which starts moto.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};

pub mod browser;
pub mod iam_policy;
mod images;
mod routes;
pub use routes::form_body;
pub mod sdk_calls;

pub use images::*;

use aws_sdk_sqs::types::QueueAttributeName;
use futures::StreamExt;
use lambda_http::Body;
use proofsheet_app::{App, Clock, Config};
use proofsheet_http::from_source_ip;
use proofsheet_store::provision::{Provisioned, provision};
use proofsheet_workers::download::PrepareDownloads;
use proofsheet_workers::ingest::Ingest;
use proofsheet_workers::runner;
use serde_json::{Value, json};
use uuid::Uuid;

pub const BASE_URL: &str = "https://proofsheet.test";
pub const SENDER: &str = "studio@proofsheet.test";
/// The network address requests come from unless a test says otherwise (TEST-NET-1).
pub const CALLER_IP: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 10);
/// The user agent requests carry unless a test names another: a phone's browser.
pub const BROWSER: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) \
    AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
/// What Chromium asks for when it navigates to a page.
pub const BROWSER_ACCEPT: &str =
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";
/// The ingest worker's function (its binary's name).
pub const INGEST_FUNCTION: &str = "ingest-photo";
/// The scheduled sweep that sends download requests whose message never went out.
pub const RESEND_FUNCTION: &str = "resend-download-requests";
/// The scheduled sweep of what falls due before an expiry date (reminders, the notice).
pub const EXPIRY_FUNCTION: &str = "send-expiry-reminders";
/// The functions that serve no route.
pub const WORKER_FUNCTIONS: [&str; 4] = [
    INGEST_FUNCTION,
    RESEND_FUNCTION,
    DOWNLOAD_FUNCTION,
    EXPIRY_FUNCTION,
];
/// The download (ZIP) worker's function.
pub const DOWNLOAD_FUNCTION: &str = "prepare-downloads";

pub struct TestApp {
    /// Shared with the HTTP server of [`TestApp::serve_http`], when a test starts one.
    pub app: std::sync::Arc<App>,
    /// Every AWS call the app made inside a function (a route, the ingest worker).
    pub sdk_calls: sdk_calls::SdkCalls,
    /// The function running now, for calls made in the tasks it spawns.
    pub running: sdk_calls::Running,
    pub provisioned: Provisioned,
    pub endpoint: String,
    pub http: reqwest::Client,
}

#[derive(Clone)]
pub struct Photographer {
    pub id: String,
    pub api_key: String,
    pub name: String,
    /// Their login page's name (`/p/{slug}`).
    pub slug: String,
}

impl Photographer {
    /// The address they sign in to the studio with, as [`TestApp::photographer`] made it.
    pub fn email(&self) -> String {
        format!("{}@example.com", self.slug)
    }

    /// Their id, as the store takes it.
    pub fn photographer_id(&self) -> proofsheet_policy::PhotographerId {
        proofsheet_policy::PhotographerId::parse(&self.id).expect("a photographer's id")
    }
}

/// The cookie (`name=value`) an answer set: a studio session's, say.
pub fn session_cookie(reply: &Reply) -> String {
    let set = reply.header("set-cookie").expect("a session cookie");
    set.split(';').next().unwrap().to_owned()
}

/// The headers the studio's own script sends with a change (`x-proofsheet-studio`, and the
/// browser's word that the page was ours).
pub const FROM_THE_STUDIO: [(&str, &str); 3] = [
    ("x-proofsheet-studio", "1"),
    ("sec-fetch-site", "same-origin"),
    ("origin", BASE_URL),
];

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub json: Value,
}

impl Reply {
    pub fn error_code(&self) -> &str {
        self.json["error"].as_str().unwrap_or_default()
    }

    /// A header's value, if it came and is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A client's private link, as an invitation made it.
#[derive(Debug, Clone)]
pub struct PrivateLink {
    pub grant_id: String,
    /// The link's path, `/g/{token}`.
    pub path: String,
    /// The whole link, as emailed.
    pub link: String,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// Like `spawn`, with extra configuration variables.
    pub async fn spawn_with(extra: &[(&str, &str)]) -> Self {
        Self::spawn_with_clock(extra, Clock::system()).await
    }

    /// Like `spawn_with`, the app reading the time from `clock`: with `Clock::fixed`, a test of
    /// an expiry or a window moves it on (`t.app.clock().advance(secs)`) instead of sleeping.
    /// Presigned S3 URLs still expire by the system's clock.
    pub async fn spawn_with_clock(extra: &[(&str, &str)], clock: Clock) -> Self {
        let endpoint = std::env::var("AWS_ENDPOINT_URL")
            .expect("integration tests need the moto server: run them with ./scripts/test");
        let sdk = proofsheet_store::load_sdk_config().await;
        let prefix = format!("t{}", &Uuid::new_v4().simple().to_string()[..12]);
        let provisioned = provision(&sdk, &prefix, SENDER)
            .await
            .expect("provisioning failed");
        let mut vars: HashMap<String, String> = HashMap::from([
            ("TABLE_NAME".into(), provisioned.resources.table.clone()),
            ("BUCKET_NAME".into(), provisioned.resources.bucket.clone()),
            ("SENDER_EMAIL".into(), SENDER.into()),
            ("PUBLIC_BASE_URL".into(), BASE_URL.into()),
            (
                "SECRET_KEY".into(),
                proofsheet_app::secrets::new_secret_key(),
            ),
            (
                "INGEST_QUEUE_URL".into(),
                provisioned.ingest_queue_url.clone(),
            ),
            (
                "DOWNLOAD_QUEUE_URL".into(),
                provisioned.download_queue_url.clone(),
            ),
        ]);
        for (k, v) in extra {
            vars.insert((*k).into(), (*v).into());
        }
        let config = Config::from_lookup(|k| vars.get(k).cloned()).expect("test config");
        let sdk_calls = sdk_calls::SdkCalls::default();
        let running = sdk_calls::Running::default();
        let recorder = sdk_calls::Recorder {
            calls: sdk_calls.clone(),
            running: running.clone(),
            sender: SENDER.into(),
            // The configured URLs too: a test that points a queue elsewhere (one that does not
            // exist, say) still has the template's queue behind the variable.
            queues: vec![
                (provisioned.ingest_queue_url.clone(), "IngestQueue"),
                (provisioned.download_queue_url.clone(), "DownloadQueue"),
                (vars["INGEST_QUEUE_URL"].clone(), "IngestQueue"),
                (vars["DOWNLOAD_QUEUE_URL"].clone(), "DownloadQueue"),
            ],
        };
        let store = proofsheet_store::Store::with_interceptors(
            &sdk,
            config.resources(),
            &[proofsheet_store::SharedInterceptor::new(recorder)],
        );
        Self {
            app: std::sync::Arc::new(App::with_store(store, config).with_clock(clock)),
            sdk_calls,
            running,
            provisioned,
            endpoint,
            http: reqwest::Client::new(),
        }
    }

    /// A new photographer with a unique slug.
    pub async fn photographer(&self, name: &str) -> Photographer {
        let slug = format!("p-{}", &Uuid::new_v4().simple().to_string()[..10]);
        let (record, api_key) = proofsheet_app::admin::create_photographer(
            &self.app,
            name,
            &format!("{slug}@example.com"),
            &slug,
            None,
        )
        .await
        .expect("photographer");
        Photographer {
            id: record.id.to_string(),
            api_key,
            name: name.into(),
            slug,
        }
    }

    /// Sends a request with an optional bearer token and JSON body.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        bearer: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        self.call_raw(method, path, bearer, body.map(|b| b.to_string()))
            .await
    }

    /// Like `call`, from another network address than the usual [`CALLER_IP`].
    pub async fn call_from(
        &self,
        source: IpAddr,
        method: &str,
        path: &str,
        bearer: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let authorization = bearer.map(|token| format!("Bearer {token}"));
        self.send(
            source,
            method,
            path,
            authorization,
            body.map(|b| b.to_string()),
        )
        .await
    }

    /// Sends a request with a raw body (for malformed-JSON tests).
    pub async fn call_raw(
        &self,
        method: &str,
        path: &str,
        bearer: Option<&str>,
        body: Option<String>,
    ) -> Reply {
        let authorization = bearer.map(|token| format!("Bearer {token}"));
        self.send(CALLER_IP.into(), method, path, authorization, body)
            .await
    }

    /// Sends a request, without a body, with this very `Authorization` header (for schemes
    /// other than Bearer).
    pub async fn call_with_authorization(
        &self,
        method: &str,
        path: &str,
        authorization: &str,
    ) -> Reply {
        self.send(
            CALLER_IP.into(),
            method,
            path,
            Some(authorization.to_owned()),
            None,
        )
        .await
    }

    async fn send(
        &self,
        source: IpAddr,
        method: &str,
        path: &str,
        authorization: Option<String>,
        body: Option<String>,
    ) -> Reply {
        self.send_with_headers(source, method, path, authorization, &[], body)
            .await
    }

    /// Like `call`, with extra request headers.
    pub async fn call_with_headers(
        &self,
        method: &str,
        path: &str,
        bearer: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> Reply {
        let authorization = bearer.map(|token| format!("Bearer {token}"));
        self.send_with_headers(
            CALLER_IP.into(),
            method,
            path,
            authorization,
            headers,
            body.map(|b| b.to_string()),
        )
        .await
    }

    /// A request from `source` with these headers and raw body (JSON unless a header says
    /// otherwise), through `dispatch`.
    pub async fn send_with_headers(
        &self,
        source: IpAddr,
        method: &str,
        path: &str,
        authorization: Option<String>,
        headers: &[(&str, &str)],
        body: Option<String>,
    ) -> Reply {
        let mut req = http::Request::builder()
            .method(method)
            .uri(format!("{BASE_URL}{path}"));
        if let Some(value) = authorization {
            req = req.header("authorization", value);
        }
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        // People come with a browser; a test of bots names its own agent.
        if !headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("user-agent"))
        {
            req = req.header("user-agent", BROWSER);
        }
        let typed = headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("content-type"));
        let body = match body {
            Some(text) => {
                if !typed {
                    req = req.header("content-type", "application/json");
                }
                Body::Text(text)
            }
            None => Body::Empty,
        };
        let req = from_source_ip(req.body(body).expect("request"), source);
        // The function API Gateway would invoke; a path no route matches reaches none.
        let function = proofsheet_http::route_spec(req.method(), req.uri().path())
            .map_or("no-route", |spec| spec.function);
        // Boxed: keeps the futures of test flows within the compiler's type-depth limit.
        let _running = self.running.enter(function);
        let response = sdk_calls::FUNCTION
            .scope(
                function,
                Box::pin(proofsheet_http::dispatch(&self.app, req)),
            )
            .await;
        iam_policy::assert_allowed(function, &self.sdk_calls.needs());
        let (parts, body) = response.into_parts();
        let json = match body {
            Body::Text(text) => serde_json::from_str(&text).unwrap_or(Value::String(text)),
            Body::Binary(bytes) => serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            _ => Value::Null,
        };
        Reply {
            status: parts.status.as_u16(),
            headers: parts.headers,
            json,
        }
    }

    /// The `/g/{token}` path of a gallery's general link.
    pub async fn general_path(&self, who: &Photographer, gallery: &str) -> String {
        let reply = self.get_general_access(who, gallery).await;
        assert_eq!(reply.status, 200, "{reply:?}");
        client_path(reply.json["link"].as_str().expect("link"))
    }

    /// Puts general-access settings, insisting on 200.
    pub async fn set_general(&self, who: &Photographer, gallery: &str, body: Value) -> Reply {
        let reply = self.put_general_access(who, gallery, body).await;
        assert_eq!(reply.status, 200, "{reply:?}");
        reply
    }

    /// A gallery's photos as its photographer lists them, insisting on 200.
    pub async fn photos(&self, who: &Photographer, gallery: &str) -> Vec<Value> {
        let reply = self.list_photos(who, gallery).await;
        assert_eq!(reply.status, 200, "{reply:?}");
        reply.json["photos"].as_array().expect("photos").clone()
    }

    /// The object keys stored under a prefix of this test's bucket.
    pub async fn stored_keys(&self, prefix: &str) -> Vec<String> {
        let sdk = proofsheet_store::load_sdk_config().await;
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&sdk)
                .force_path_style(true)
                .build(),
        );
        let out = s3
            .list_objects_v2()
            .bucket(&self.provisioned.resources.bucket)
            .prefix(prefix)
            .send()
            .await
            .expect("list objects");
        out.contents()
            .iter()
            .filter_map(|o| o.key().map(str::to_owned))
            .collect()
    }

    pub async fn create_gallery(&self, who: &Photographer, title: &str) -> String {
        let reply = self
            .create_gallery_raw(who, json!({ "title": title }))
            .await;
        assert_eq!(reply.status, 201, "{reply:?}");
        reply.json["id"].as_str().expect("gallery id").to_owned()
    }

    /// Asks for an upload, PUTs the bytes to the presigned URL; returns the photo id.
    pub async fn upload(
        &self,
        who: &Photographer,
        gallery: &str,
        filename: &str,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> String {
        let reply = self
            .create_photo_upload(
                who,
                gallery,
                json!({ "filename": filename, "content_type": content_type, "size": bytes.len() }),
            )
            .await;
        assert_eq!(reply.status, 201, "{reply:?}");
        let put = self.put_upload(&reply.json, bytes).await;
        assert!(put.status().is_success(), "upload failed: {}", put.status());
        reply.json["photo_id"]
            .as_str()
            .expect("photo id")
            .to_owned()
    }

    /// PUTs `bytes` to an upload answer's presigned URL with every header it was signed with,
    /// as a client must.
    pub async fn put_upload(&self, upload: &Value, bytes: Vec<u8>) -> reqwest::Response {
        let mut put = self
            .http
            .put(upload["upload_url"].as_str().expect("upload url"));
        for (name, value) in upload["upload_headers"]
            .as_object()
            .expect("upload headers")
        {
            // reqwest sets the length from the body itself.
            if name != "content-length" {
                put = put.header(name, value.as_str().expect("header value"));
            }
        }
        put.body(bytes).send().await.expect("PUT")
    }

    /// Uploads a generated JPEG and runs the ingest worker until the queue is empty.
    pub async fn ready_photo(&self, who: &Photographer, gallery: &str) -> String {
        let id = self
            .upload(who, gallery, "photo.jpg", jpeg(640, 480), "image/jpeg")
            .await;
        self.drain_ingest().await;
        id
    }

    /// `n` tiny JPEGs (`DSC_0000.jpg`, …) uploaded at once, not ingested yet; their ids in
    /// the order of their names (their upload order is whatever the emulator made of it).
    pub async fn upload_photos(&self, who: &Photographer, gallery: &str, n: usize) -> Vec<String> {
        futures::stream::iter(0..n)
            .map(|i| async move {
                let name = format!("DSC_{i:04}.jpg");
                self.upload(who, gallery, &name, jpeg(16, 16), "image/jpeg")
                    .await
            })
            .buffered(32)
            .collect()
            .await
    }

    /// [`TestApp::upload_photos`], then ingested: ready.
    pub async fn ready_photos(&self, who: &Photographer, gallery: &str, n: usize) -> Vec<String> {
        let ids = self.upload_photos(who, gallery, n).await;
        self.drain_ingest().await;
        ids
    }

    /// Shares `gallery` privately as `body` says (an email, settings), insisting on 201.
    pub async fn invite(&self, who: &Photographer, gallery: &str, body: Value) -> PrivateLink {
        let reply = self.create_private_access(who, gallery, body).await;
        assert_eq!(reply.status, 201, "{reply:?}");
        let link = reply.json["link"].as_str().expect("link").to_owned();
        PrivateLink {
            grant_id: reply.json["grant_id"]
                .as_str()
                .expect("grant_id")
                .to_owned(),
            path: client_path(&link),
            link,
        }
    }

    /// Runs the ingest worker over everything in the queue, as Lambda's event source would.
    pub async fn drain_ingest(&self) {
        let queue = &self.provisioned.ingest_queue_url;
        let mut empty_polls = 0;
        while empty_polls < 2 {
            let _running = self.running.enter(INGEST_FUNCTION);
            let handled = sdk_calls::FUNCTION
                .scope(
                    INGEST_FUNCTION,
                    runner::poll_queue_once::<Ingest>(&self.app, queue, 0),
                )
                .await
                .expect("poll");
            iam_policy::assert_allowed(INGEST_FUNCTION, &self.sdk_calls.needs());
            if handled == 0 {
                empty_polls += 1;
            }
        }
    }

    /// Runs the download worker over everything on the download queue, as Lambda's event
    /// source would; how many messages it handled.
    pub async fn drain_downloads(&self) -> usize {
        let queue = &self.provisioned.download_queue_url;
        let mut handled = 0;
        loop {
            let _running = self.running.enter(DOWNLOAD_FUNCTION);
            let batch = sdk_calls::FUNCTION
                .scope(
                    DOWNLOAD_FUNCTION,
                    runner::poll_queue_once::<PrepareDownloads>(&self.app, queue, 0),
                )
                .await
                .expect("poll");
            iam_policy::assert_allowed(DOWNLOAD_FUNCTION, &self.sdk_calls.needs());
            if batch == 0 {
                return handled;
            }
            handled += batch;
        }
    }

    /// (visible, in flight) messages on the ingest queue. A message the worker reported as failed
    /// stays in flight until its visibility timeout, far beyond a test's lifetime.
    pub async fn queue_depth(&self) -> (u64, u64) {
        self.depth_of(&self.provisioned.ingest_queue_url).await
    }

    /// The bodies of the messages waiting on the download queue (received, then left to come
    /// back: the queue's visibility timeout keeps them hidden for the rest of the test).
    pub async fn download_messages(&self) -> Vec<Value> {
        let sdk = proofsheet_store::load_sdk_config().await;
        let sqs = aws_sdk_sqs::Client::new(&sdk);
        let mut bodies = Vec::new();
        loop {
            let out = sqs
                .receive_message()
                .queue_url(&self.provisioned.download_queue_url)
                .max_number_of_messages(10)
                .send()
                .await
                .expect("receive_message");
            let messages = out.messages.unwrap_or_default();
            if messages.is_empty() {
                return bodies;
            }
            for m in messages {
                bodies.push(serde_json::from_str(m.body().unwrap_or("null")).expect("JSON body"));
            }
        }
    }

    /// (visible, in flight) messages on a queue.
    pub async fn depth_of(&self, queue_url: &str) -> (u64, u64) {
        let sdk = proofsheet_store::load_sdk_config().await;
        let out = aws_sdk_sqs::Client::new(&sdk)
            .get_queue_attributes()
            .queue_url(queue_url)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
            .send()
            .await
            .expect("get_queue_attributes");
        let attrs = out.attributes.unwrap_or_default();
        let read = |name: QueueAttributeName| -> u64 {
            attrs
                .get(&name)
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{name:?} missing: {attrs:?}"))
        };
        (
            read(QueueAttributeName::ApproximateNumberOfMessages),
            read(QueueAttributeName::ApproximateNumberOfMessagesNotVisible),
        )
    }

    /// Puts `n` ready photos straight into a gallery's partition, without files (25 to a
    /// BatchWriteItem): for tests of what happens to many photos after ingest, which would
    /// otherwise spend minutes uploading and ingesting them one by one. Returns their ids.
    pub async fn seed_ready_photos(
        &self,
        who: &Photographer,
        gallery: &str,
        n: usize,
    ) -> Vec<String> {
        self.seed_ready_photos_sized(who, gallery, &vec![(16, 16); n])
            .await
    }

    /// [`TestApp::seed_ready_photos`], one photo per `(width, height)`.
    pub async fn seed_ready_photos_sized(
        &self,
        who: &Photographer,
        gallery: &str,
        sizes: &[(u32, u32)],
    ) -> Vec<String> {
        use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
        let n = sizes.len();
        let sdk = proofsheet_store::load_sdk_config().await;
        let ddb = aws_sdk_dynamodb::Client::new(&sdk);
        let text = |v: String| AttributeValue::S(v);
        let number = |v: u64| AttributeValue::N(v.to_string());
        let ids: Vec<String> = (0..n).map(|_| Uuid::now_v7().to_string()).collect();
        for (batch, chunk) in ids.chunks(25).enumerate() {
            let writes = chunk
                .iter()
                .enumerate()
                .map(|(i, id)| {
                    let filename = format!("DSC_{:04}.jpg", batch * 25 + i);
                    let mut item = HashMap::from([
                        ("PK".to_owned(), text(format!("GALLERY#{gallery}"))),
                        ("SK".to_owned(), text(format!("PHOTO#{id}"))),
                        ("id".to_owned(), text(id.clone())),
                        ("gallery_id".to_owned(), text(gallery.to_owned())),
                        ("owner_id".to_owned(), text(who.id.clone())),
                        ("filename".to_owned(), text(filename.clone())),
                        ("content_type".to_owned(), text("image/jpeg".into())),
                        ("size".to_owned(), number(1_000)),
                        ("status".to_owned(), text("ready".into())),
                        ("width".to_owned(), number(sizes[batch * 25 + i].0.into())),
                        ("height".to_owned(), number(sizes[batch * 25 + i].1.into())),
                        ("created_at".to_owned(), number(1_800_000_000)),
                    ]);
                    item.extend(order_index(gallery, id, &filename, 1_800_000_000));
                    let put = PutRequest::builder()
                        .set_item(Some(item))
                        .build()
                        .expect("put");
                    WriteRequest::builder().put_request(put).build()
                })
                .collect();
            let out = ddb
                .batch_write_item()
                .request_items(&self.provisioned.resources.table, writes)
                .send()
                .await
                .expect("seed photos");
            assert!(
                out.unprocessed_items.unwrap_or_default().is_empty(),
                "the emulator left photos unwritten"
            );
        }
        ids
    }

    /// A ready photo whose original is `original` (stored as ingest would store it, with its
    /// places in the clients' orders, without
    /// ingest, so a test can also store bytes ingest would have refused). Returns its id.
    pub async fn seed_photo(
        &self,
        who: &Photographer,
        gallery: &str,
        filename: &str,
        original: Vec<u8>,
    ) -> String {
        use aws_sdk_dynamodb::types::AttributeValue;
        let id = Uuid::now_v7().to_string();
        let (width, height) = image::load_from_memory(&original)
            .map(|i| (i.width(), i.height()))
            .unwrap_or((1, 1));
        let sdk = proofsheet_store::load_sdk_config().await;
        let text = |v: &str| AttributeValue::S(v.to_owned());
        let number = |v: u64| AttributeValue::N(v.to_string());
        aws_sdk_dynamodb::Client::new(&sdk)
            .put_item()
            .table_name(&self.provisioned.resources.table)
            .set_item(Some(
                order_index(gallery, &id, filename, 1_800_000_000)
                    .into_iter()
                    .collect(),
            ))
            .item("PK", text(&format!("GALLERY#{gallery}")))
            .item("SK", text(&format!("PHOTO#{id}")))
            .item("id", text(&id))
            .item("gallery_id", text(gallery))
            .item("owner_id", text(&who.id))
            .item("filename", text(filename))
            .item("content_type", text("image/jpeg"))
            .item("size", number(original.len() as u64))
            .item("status", text("ready"))
            .item("width", number(width.into()))
            .item("height", number(height.into()))
            .item("created_at", number(1_800_000_000))
            .send()
            .await
            .expect("seed photo");
        self.app
            .store()
            .put_object(&format!("originals/{gallery}/{id}"), original, "image/jpeg")
            .await
            .expect("seed original");
        id
    }

    /// The object at `key` in the bucket; `None` when there is none.
    pub async fn object(&self, key: &str) -> Option<Vec<u8>> {
        match self.app.store().object_bytes(key, u64::MAX).await {
            Ok(bytes) => Some(bytes),
            Err(proofsheet_store::StoreError::NotFound) => None,
            Err(e) => panic!("reading {key}: {e}"),
        }
    }

    /// Follows a download link (`/d/{token}`, as emailed) to the ZIP: the route's answer, and
    /// the bytes behind its redirect.
    pub async fn fetch_zip(&self, link: &str) -> (Reply, Option<Vec<u8>>) {
        let reply = self.call("GET", &client_path(link), None, None).await;
        if reply.status != 302 {
            return (reply, None);
        }
        let location = reply.headers["location"]
            .to_str()
            .expect("location")
            .to_owned();
        let got = self.http.get(&location).send().await.expect("GET zip");
        assert!(got.status().is_success(), "{location}: {}", got.status());
        let bytes = got.bytes().await.expect("zip bytes").to_vec();
        (reply, Some(bytes))
    }

    /// The emails SES accepted for this recipient.
    pub async fn emails_to(&self, to: &str) -> Vec<Value> {
        self.sent_emails()
            .await
            .into_iter()
            .filter(|m| {
                m["destinations"]["ToAddresses"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|d| d == to))
            })
            .collect()
    }

    /// The path of the studio link (`/studio/sign-in/{secret}`) in the last email sent to
    /// `email`: a sign-in link, or one that confirms a new address.
    pub async fn emailed_studio_link(&self, email: &str) -> String {
        let mails = self.emails_to(email).await;
        let body = mails.last().expect("an email").to_string();
        let at = body.find("/studio/sign-in/").expect("a studio link");
        body[at..at + "/studio/sign-in/".len() + 43].to_owned()
    }

    /// A call with the studio's session cookie (`name=value`) and `headers`.
    pub async fn with_cookie(
        &self,
        method: &str,
        path: &str,
        cookie: &str,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> Reply {
        let mut all = vec![("cookie", cookie)];
        all.extend_from_slice(headers);
        self.call_with_headers(method, path, None, &all, body).await
    }

    /// Whether a studio session's cookie still opens the photographer's API.
    pub async fn session_lives(&self, cookie: &str) -> bool {
        self.with_cookie("GET", "/galleries", cookie, &[], None)
            .await
            .status
            == 200
    }

    /// The photographer whose sign-in address `email` is, as the store has it.
    pub async fn email_claimant(&self, email: &str) -> Option<proofsheet_policy::PhotographerId> {
        self.app
            .store()
            .photographer_for_email(&proofsheet_policy::Email::parse(email).unwrap())
            .await
            .unwrap()
    }

    /// Asks for a sign-in link to `email` and signs in with it, as a script would: the studio
    /// session's cookie, `name=value`.
    pub async fn studio_session(&self, email: &str) -> String {
        let asked = self
            .call(
                "POST",
                "/studio/sign-in",
                None,
                Some(serde_json::json!({ "email": email })),
            )
            .await;
        assert_eq!(asked.status, 202, "{asked:?}");
        let link = self.emailed_studio_link(email).await;
        let signed = self.call("POST", &link, None, None).await;
        assert_eq!(signed.status, 200, "{signed:?}");
        session_cookie(&signed)
    }

    /// GETs a presigned URL.
    pub async fn fetch(&self, url: &str) -> (u16, Vec<u8>) {
        let response = self.http.get(url).send().await.expect("GET");
        let status = response.status().as_u16();
        (status, response.bytes().await.expect("body").to_vec())
    }
}

impl TestApp {
    /// Every email the emulator's SES accepted: the route `scripts/moto_server.py` adds, which
    /// reads the mail alone (moto's whole-state dump grows slow as the suite fills the emulator).
    async fn sent_emails(&self) -> Vec<Value> {
        let url = format!("{}/_local/ses/messages", self.endpoint);
        let response = self.http.get(&url).send().await.expect("GET sent mail");
        assert!(
            response.status().is_success(),
            "{url}: {} (run the tests with ./scripts/test, whose emulator serves it)",
            response.status()
        );
        let mut data: Value = response.json().await.expect("sent mail JSON");
        match data["messages"].take() {
            Value::Array(messages) => messages,
            other => panic!("sent mail: {other}"),
        }
    }
}

/// The reply's status and error code are these.
pub fn assert_error(reply: &Reply, status: u16, code: &str) {
    assert_eq!(
        (reply.status, reply.error_code()),
        (status, code),
        "{reply:?}"
    );
}

/// A 422 naming the offending field.
pub fn assert_invalid(reply: &Reply, field: &str) {
    assert_error(reply, 422, "invalid_request");
    assert_eq!(reply.json["field"], field, "{reply:?}");
}

/// The `/g/{token}` path of a link.
pub fn client_path(link: &str) -> String {
    link.strip_prefix(BASE_URL)
        .expect("link on the public base URL")
        .to_owned()
}

/// A unique email address, so tests sharing the emulator's SES never see each other's mail.
pub fn unique_email(who: &str) -> String {
    format!(
        "{who}-{}@example.com",
        &Uuid::new_v4().simple().to_string()[..8]
    )
}

/// Every secret a full flow hands out: API key, passwords, link tokens, a session, and the
/// address its password tries came from.
pub struct Secrets {
    pub values: Vec<String>,
}

impl TestApp {
    /// A full photographer-and-client flow; returns every secret it handed out.
    pub async fn full_flow_handing_out_secrets(&self) -> Secrets {
        let t = self;
        let anna = t.photographer("Anna Lee").await;
        let gallery = t.create_gallery(&anna, "Smith wedding").await;
        t.ready_photo(&anna, &gallery).await;
        let general = t
            .put_general_access(&anna, &gallery, json!({ "password": "general-pass-1" }))
            .await;
        let general_link = general.json["link"].as_str().unwrap().to_owned();
        let grant = t
            .create_private_access(
                &anna,
                &gallery,
                json!({ "email": unique_email("ann"), "password": "private-pass-2" }),
            )
            .await;
        assert_eq!(grant.status, 201, "{grant:?}");
        let private_link = grant.json["link"].as_str().unwrap().to_owned();
        let path = client_path(&general_link);
        t.unlock_gallery(&path, "wrong-guess-3").await;
        let unlocked = t.unlock_gallery(&path, "general-pass-1").await;
        let session = unlocked.json["session"].as_str().unwrap().to_owned();
        let view = t.view_gallery(&path, Some(&session)).await;
        assert_eq!(view.status, 200);
        // A client login: its code, a wrong one tried, and its session.
        let login = t
            .create_client_login(
                &anna,
                json!({ "name": "Carol", "access_code": "VIOLET-FJORD-3917" }),
            )
            .await;
        assert_eq!(login.status, 201, "{login:?}");
        t.log_in(&anna.slug, "WRONG-GUESS-88").await;
        let logged_in = t.log_in(&anna.slug, "violet-fjord-3917").await;
        let login_session = logged_in.json["session"].as_str().unwrap().to_owned();
        let token = |link: &str| link.rsplit('/').next().unwrap().to_owned();
        Secrets {
            values: vec![
                anna.api_key.clone(),
                "general-pass-1".into(),
                "private-pass-2".into(),
                "wrong-guess-3".into(),
                token(&general_link),
                token(&private_link),
                session,
                "VIOLET-FJORD-3917".into(),
                // Folded as stored: still a secret.
                "V101ETFJ0RD3917".into(),
                "WRONG-GUESS-88".into(),
                login_session,
                // The unlock tries' address: counted by a keyed hash, never stored or logged.
                CALLER_IP.to_string(),
            ],
        }
    }
}

/// The order index attributes ingest gives a ready photo uploaded at `created_at` (see
/// `proofsheet_store`'s `order` module), for photos seeded straight into the table.
fn order_index(
    gallery: &str,
    id: &str,
    filename: &str,
    created_at: u64,
) -> [(String, aws_sdk_dynamodb::types::AttributeValue); 4] {
    use proofsheet_policy::photo_order::{capture_order_key, filename_order_key};
    let photo = proofsheet_policy::PhotoId::parse(id).expect("photo id");
    let text = aws_sdk_dynamodb::types::AttributeValue::S;
    [
        ("GSI1PK".into(), text(format!("BYCAPTURE#{gallery}"))),
        ("GSI1SK".into(), text(capture_order_key(created_at, photo))),
        ("GSI2PK".into(), text(format!("BYNAME#{gallery}"))),
        ("GSI2SK".into(), text(filename_order_key(filename, photo))),
    ]
}

/// The photographer's read routes (GET) that a flow has not called, each with its path filled
/// from the flow's ids (by the route table's placeholder names, `gallery_id` and so on), or
/// `Err` naming a placeholder the flow has no id for. The IAM tour and the rehearsal's day call
/// these, so a new read route is visited by both without a line of its own.
pub fn unvisited_reads<'a>(
    visited: impl Fn(&str) -> bool + 'a,
    ids: &'a [(&str, &str)],
) -> impl Iterator<Item = (&'static proofsheet_http::RouteSpec, Result<String, String>)> + 'a {
    proofsheet_http::ROUTES
        .iter()
        .filter(|spec| {
            spec.method == "GET" && spec.audience == proofsheet_http::Audience::Photographer
        })
        .filter(move |spec| !visited(spec.function))
        .map(|spec| (spec, fill_path(spec.path, ids)))
}

/// A route's path with its `{placeholders}` replaced by the named ids.
pub fn fill_path(template: &str, ids: &[(&str, &str)]) -> Result<String, String> {
    let mut path = template.to_owned();
    for (name, id) in ids {
        path = path.replace(&format!("{{{name}}}"), id);
    }
    match path.find('{') {
        Some(at) => Err(path[at..].split('}').next().unwrap_or_default().to_owned() + "}"),
        None => Ok(path),
    }
}
