//! The whole system on one machine: provisions the emulator, seeds a demo photographer and
//! gallery, serves every route on one port through the same `App` each Lambda runs, works the
//! ingest and download queues like the event source mappings would, and prints every email SES
//! accepted.
//!
//! Started by `scripts/dev`, which installs and starts the moto server and sets
//! `AWS_ENDPOINT_URL`. Honours `PORT` (default 3000) and `DEV_API_KEY`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use lambda_http::Body;
use proofsheet_app::{App, Config};
use proofsheet_store::provision::provision;
use proofsheet_workers::download::PrepareDownloads;
use proofsheet_workers::ingest::Ingest;
use proofsheet_workers::runner;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    proofsheet_app::telemetry::init_tracing();
    let endpoint = std::env::var("AWS_ENDPOINT_URL")
        .map_err(|_| "AWS_ENDPOINT_URL must point at the local emulator (scripts/dev sets it)")?;
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3000);
    let base_url = format!("http://127.0.0.1:{port}");

    let sdk_config = proofsheet_store::load_sdk_config().await;
    let sender = "studio@proofsheet.local";
    let provisioned = provision(&sdk_config, "proofsheet-dev", sender).await?;
    let resources = &provisioned.resources;
    let secret =
        std::env::var("SECRET_KEY").unwrap_or_else(|_| proofsheet_app::secrets::new_secret_key());
    let vars = HashMap::from([
        ("TABLE_NAME", resources.table.clone()),
        ("BUCKET_NAME", resources.bucket.clone()),
        ("SENDER_EMAIL", sender.to_owned()),
        ("PUBLIC_BASE_URL", base_url.clone()),
        ("SECRET_KEY", secret),
        ("INGEST_QUEUE_URL", provisioned.ingest_queue_url.clone()),
        ("DOWNLOAD_QUEUE_URL", provisioned.download_queue_url.clone()),
    ]);
    let config =
        Config::from_lookup(|name| std::env::var(name).ok().or_else(|| vars.get(name).cloned()))?;
    let app = Arc::new(App::new(&sdk_config, config));

    let demo = seed_demo(&app, &base_url).await?;
    let api_key = &demo.api_key;

    tokio::spawn(work_queue::<Ingest>(
        app.clone(),
        provisioned.ingest_queue_url.clone(),
    ));
    tokio::spawn(work_queue::<PrepareDownloads>(
        app.clone(),
        provisioned.download_queue_url.clone(),
    ));
    tokio::spawn(resend_unsent_downloads(app.clone()));
    tokio::spawn(sweep_expiry(app.clone()));
    tokio::spawn(print_sent_emails(endpoint.clone()));

    let router = proofsheet_http::local_server::router(app.clone());
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
    println!(
        "\nProofsheet is running on {base_url} (emulator at {endpoint})\n\
         \n  export API=\"{base_url}\" KEY=\"{api_key}\"\
         \n  curl -s -H \"Authorization: Bearer $KEY\" $API/galleries\
         \n  curl -s -H \"Authorization: Bearer $KEY\" -H 'content-type: application/json' \\\
         \n       -d '{{\"title\":\"Smith wedding\"}}' $API/galleries\
         \n\nThe README's walk-through continues from there. Emails SES accepts are printed below.\
         \n\nOpen the client's side in a browser (photos appear as ingest finishes):\
         \n  a client's own link (favourites, downloads up to 10):\
         \n    {private}\
         \n  the gallery's general link:\
         \n    {general}\
         \n  the client login page (access code {DEMO_ACCESS_CODE}):\
         \n    {login}\
         \n\nThe photographer's studio: {base_url}/studio (sign in as {DEMO_EMAIL}; the\
         \nsign-in link's email is printed here)\n",
        private = demo.private_link,
        general = demo.general_link,
        login = demo.login_page,
    );
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await?;
    Ok(())
}

/// The demo client login's access code: chosen codes must be hard to guess, even here.
const DEMO_ACCESS_CODE: &str = "HAZEL-COMET-RAFT";
/// The demo photographer's address, which signs in to the studio.
const DEMO_EMAIL: &str = "demo@proofsheet.local";
/// Photos in the demo gallery: enough for a grid.
const DEMO_PHOTOS: usize = 12;

/// The demo photographer (API key from `DEV_API_KEY` or generated) and a gallery with photos
/// uploaded through the real presigned-PUT → S3 event → ingest path.
async fn seed_demo(app: &App, base_url: &str) -> Result<Demo, Box<dyn std::error::Error>> {
    let requested = std::env::var("DEV_API_KEY").ok().filter(|k| !k.is_empty());
    let (_, key) = proofsheet_app::admin::create_photographer(
        app,
        "Demo Studio",
        DEMO_EMAIL,
        "demo-studio",
        requested,
    )
    .await?;
    let call = |method: &str, path: &str, body: serde_json::Value| {
        let req = http::Request::builder()
            .method(method)
            .uri(format!("{base_url}{path}"))
            .header("authorization", format!("Bearer {key}"))
            .header("content-type", "application/json")
            .body(Body::Text(body.to_string()));
        async move {
            let response = proofsheet_http::dispatch(app, req?).await;
            let text = match response.body() {
                Body::Text(t) => t.clone(),
                _ => String::new(),
            };
            Ok::<serde_json::Value, Box<dyn std::error::Error>>(serde_json::from_str(&text)?)
        }
    };
    let gallery = call(
        "POST",
        "/galleries",
        serde_json::json!({ "title": "Demo wedding" }),
    )
    .await?;
    let gallery_id = gallery["id"]
        .as_str()
        .ok_or("demo gallery not created")?
        .to_owned();
    let client = reqwest::Client::new();
    for i in 1..=DEMO_PHOTOS {
        let hue = (i * 37 % 256) as u8;
        let jpeg = demo_photo(hue)?;
        let upload = call(
            "POST",
            &format!("/galleries/{gallery_id}/photos"),
            serde_json::json!({ "filename": format!("demo-{i}.jpg"), "content_type": "image/jpeg", "size": jpeg.len() }),
        )
        .await?;
        let url = upload["upload_url"].as_str().ok_or("no upload url")?;
        let mut put = client.put(url).body(jpeg);
        // Every header the URL was signed with (the length comes from the body).
        for (name, value) in upload["upload_headers"]
            .as_object()
            .ok_or("no upload headers")?
        {
            if name != "content-length" {
                put = put.header(name, value.as_str().unwrap_or_default());
            }
        }
        put.send().await?.error_for_status()?;
    }
    let general = call(
        "GET",
        &format!("/galleries/{gallery_id}/general-access"),
        serde_json::Value::Null,
    )
    .await?;
    // A client the photographer shared the gallery with: favourites, and downloads up to a limit.
    let shared = call(
        "POST",
        &format!("/galleries/{gallery_id}/private-access"),
        serde_json::json!({
            "email": "client@proofsheet.local", "name": "Demo Client",
            "downloads_enabled": true, "download_limit": 10,
            "download_resolutions": ["web", "high"],
        }),
    )
    .await?;
    // A client login with the demo gallery released to it (a fixed code: this is a local demo).
    let login = call(
        "POST",
        "/client-logins",
        serde_json::json!({ "name": "Demo Client", "access_code": DEMO_ACCESS_CODE }),
    )
    .await?;
    let login_id = login["login_id"].as_str().ok_or("demo login not created")?;
    call(
        "PUT",
        &format!("/client-logins/{login_id}/galleries/{gallery_id}"),
        serde_json::json!({}),
    )
    .await?;
    Ok(Demo {
        api_key: key,
        private_link: shared["link"].as_str().unwrap_or("?").to_owned(),
        general_link: general["link"].as_str().unwrap_or("?").to_owned(),
        login_page: format!("{base_url}/p/demo-studio"),
    })
}

/// What the demo data gives to try.
struct Demo {
    api_key: String,
    /// The demo client's own link.
    private_link: String,
    general_link: String,
    login_page: String,
}

/// A 1600×1067 gradient JPEG standing in for a photo.
fn demo_photo(hue: u8) -> Result<Vec<u8>, image::ImageError> {
    let img = image::RgbImage::from_fn(1600, 1067, |x, y| {
        image::Rgb([hue.wrapping_add((x / 8) as u8), (y / 5) as u8, 255 - hue])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg)?;
    Ok(out.into_inner())
}

/// Works a queue with its worker, as the event source mapping does in AWS.
async fn work_queue<W: runner::Worker>(app: Arc<App>, queue_url: String) {
    loop {
        if let Err(e) = runner::poll_queue_once::<W>(&app, &queue_url, 2).await {
            tracing::error!(error = %e, worker = W::NAME, "polling the queue failed");
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
    }
}

/// The scheduled resend sweep of AWS (every few minutes there), every 30 s here.
async fn resend_unsent_downloads(app: Arc<App>) {
    loop {
        tokio::time::sleep(Duration::from_secs(30)).await;
        if let Err(e) = proofsheet_workers::resend::resend_unsent_downloads(&app).await {
            tracing::error!(error = %e, "the resend sweep failed");
        }
    }
}

/// The scheduled expiry sweep of AWS (hourly there), every 30 s here: reminders and the
/// photographer's notice show among the printed emails soon after they fall due.
async fn sweep_expiry(app: Arc<App>) {
    loop {
        tokio::time::sleep(Duration::from_secs(30)).await;
        if let Err(e) = proofsheet_workers::expiry::sweep(&app).await {
            tracing::error!(error = %e, "the expiry sweep failed");
        }
    }
}

/// Prints each email the emulator's SES accepted, once (read from the route
/// `scripts/moto_server.py` adds, from where the last read ended: what the emulator holds grows
/// with every email sent, and each read costs only what is new).
async fn print_sent_emails(endpoint: String) {
    let client = reqwest::Client::new();
    let mut next = 0;
    loop {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let Ok(response) = client
            .get(format!("{endpoint}/_local/ses/messages?from={next}"))
            .send()
            .await
        else {
            continue;
        };
        let Ok(mut data) = response.json::<serde_json::Value>().await else {
            continue;
        };
        let serde_json::Value::Array(messages) = data["messages"].take() else {
            continue;
        };
        next = data["next"].as_u64().unwrap_or(next);
        for message in messages {
            println!(
                "\n──── email sent ────\nTo: {}\nSubject: {}\n\n{}\n────────────────────\n",
                message["destinations"]["ToAddresses"],
                message["subject"].as_str().unwrap_or_default(),
                readable_body(message["body"].as_str().unwrap_or_default())
            );
        }
    }
}

/// The emulator keeps only the HTML part of an email that has both; printed whole it buries the
/// links, so print them first.
fn readable_body(body: &str) -> String {
    if !body.starts_with("<!doctype html>") {
        return body.to_owned();
    }
    let mut links: Vec<&str> = body
        .split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    links.dedup();
    format!("Links: {}\n\n(HTML part)\n{body}", links.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_html_email_is_printed_with_its_links_first() {
        let html = r#"<!doctype html><p><a href="https://x.test/g/1">Open</a> <a href="https://x.test/g/1">again</a></p>"#;
        let printed = readable_body(html);
        assert!(
            printed.starts_with("Links: https://x.test/g/1\n"),
            "{printed}"
        );
        assert!(printed.ends_with(html));
        assert_eq!(readable_body("plain text"), "plain text");
    }
}
