//! A download request whose message never reached the queue is still delivered: it is recorded
//! (and charged) first and marked unsent, then, once it is old enough that the accepting call is
//! done, sent by a retry with the same `Idempotency-Key`, by its status route, or by the
//! scheduled resend sweep. Each of those sends it once.

use proofsheet_app::{App, Clock};
use proofsheet_policy::downloads::UNSENT_GRACE_SECS as UNSENT_FOR_SECS;
use proofsheet_tests::*;
use proofsheet_workers::resend::resend_unsent_downloads;
use serde_json::{Value, json};

/// A test app whose download queue doesn't exist (SQS refuses every send), with a fixed clock.
async fn spawn_with_broken_queue() -> TestApp {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").expect("moto");
    let missing = format!("{endpoint}/123456789012/no-such-download-queue");
    TestApp::spawn_with_clock(
        &[("DOWNLOAD_QUEUE_URL", &missing)],
        Clock::fixed(1_800_000_000),
    )
    .await
}

/// The same app (tables, clock, keys) with the real download queue configured again.
fn with_queue_repaired(t: &TestApp) -> App {
    let mut config = t.app.config().clone();
    config.download_queue_url = Some(t.provisioned.download_queue_url.clone());
    App::with_store(t.app.store().clone(), config).with_clock(t.app.clock().clone())
}

/// A private link with unlimited downloads and one ready photo; returns (link path, photo id).
async fn client_with_a_photo(t: &TestApp) -> (String, String) {
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let photo = t.ready_photo(&anna, &gallery).await;
    let grant = t
        .create_private_access(
            &anna,
            &gallery,
            json!({ "email": unique_email("ann"), "downloads_enabled": true,
                    "download_resolutions": ["web"] }),
        )
        .await;
    assert_eq!(grant.status, 201, "{grant:?}");
    (client_path(grant.json["link"].as_str().unwrap()), photo)
}

fn request_ids(messages: &[Value]) -> Vec<&str> {
    messages
        .iter()
        .map(|m| {
            assert_eq!(m["job"], "prepare_download", "{m}");
            m["request_id"].as_str().expect("request id")
        })
        .collect()
}

#[tokio::test]
async fn a_request_whose_message_failed_is_sent_by_its_retry_once() {
    let t = spawn_with_broken_queue().await;
    let (path, photo) = client_with_a_photo(&t).await;
    let body = json!({ "resolution": "web", "photo_ids": [photo] });

    let first = t
        .create_download_request(&path, None, Some("try-1"), body.clone())
        .await;
    assert_eq!(first.status, 202, "{first:?}");
    assert!(t.download_messages().await.is_empty());

    // The client retries after the queue came back: same request, sent now, charged once.
    let repaired = TestApp {
        app: with_queue_repaired(&t).into(),
        ..t
    };
    repaired.app.clock().advance(31);
    let retry = repaired
        .create_download_request(&path, None, Some("try-1"), body)
        .await;
    assert_eq!(retry.status, 202, "{retry:?}");
    assert_eq!(retry.json["request_id"], first.json["request_id"]);
    let messages = repaired.download_messages().await;
    assert_eq!(
        request_ids(&messages),
        [first.json["request_id"].as_str().unwrap()]
    );
    assert_eq!(repaired.get_downloads(&path, None).await.json["used"], 1);

    // Sent is sent: a third try sends nothing more.
    let again = repaired
        .create_download_request(
            &path,
            None,
            Some("try-1"),
            json!({ "resolution": "web", "photo_ids": [photo] }),
        )
        .await;
    assert_eq!(again.status, 202, "{again:?}");
    assert!(repaired.download_messages().await.is_empty());
}

#[tokio::test]
async fn the_sweep_sends_requests_left_unsent_and_only_once_they_are_old_enough() {
    let t = spawn_with_broken_queue().await;
    let (path, photo) = client_with_a_photo(&t).await;
    let accepted = t
        .create_download_request(
            &path,
            None,
            None,
            json!({ "resolution": "web", "photo_ids": [photo] }),
        )
        .await;
    assert_eq!(accepted.status, 202, "{accepted:?}");
    let id = accepted.json["request_id"].as_str().unwrap().to_owned();

    let repaired = with_queue_repaired(&t);
    // Too fresh: the accepting function may still be sending it.
    assert_eq!(resend_unsent_downloads(&repaired).await.unwrap(), 0);
    assert!(t.download_messages().await.is_empty());

    t.app.clock().advance(UNSENT_FOR_SECS + 1);
    assert_eq!(resend_unsent_downloads(&repaired).await.unwrap(), 1);
    assert_eq!(request_ids(&t.download_messages().await), [id.as_str()]);
    // Marked sent: the next sweep leaves it alone.
    t.app.clock().advance(UNSENT_FOR_SECS + 1);
    assert_eq!(resend_unsent_downloads(&repaired).await.unwrap(), 0);
    assert!(t.download_messages().await.is_empty());
}

#[tokio::test]
async fn asking_for_an_old_unsent_request_sends_it() {
    let t = spawn_with_broken_queue().await;
    let (path, photo) = client_with_a_photo(&t).await;
    let accepted = t
        .create_download_request(
            &path,
            None,
            None,
            json!({ "resolution": "web", "photo_ids": [photo] }),
        )
        .await;
    let id = accepted.json["request_id"].as_str().unwrap().to_owned();
    let repaired = TestApp {
        app: with_queue_repaired(&t).into(),
        ..t
    };

    let fresh = repaired.get_download_request(&path, None, &id).await;
    assert_eq!(
        (fresh.status, fresh.json["status"].as_str()),
        (200, Some("queued"))
    );
    assert!(repaired.download_messages().await.is_empty());

    repaired.app.clock().advance(31);
    let old = repaired.get_download_request(&path, None, &id).await;
    assert_eq!(old.status, 200, "{old:?}");
    assert_eq!(
        request_ids(&repaired.download_messages().await),
        [id.as_str()]
    );
    repaired.app.clock().advance(31);
    repaired.get_download_request(&path, None, &id).await;
    assert!(repaired.download_messages().await.is_empty());
}
