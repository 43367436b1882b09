//! A gallery's watermark reaches photos already in it: changing it re-renders them.

use proofsheet_tests::*;
use serde_json::json;

/// The bytes of a ready photo's watermarked and clean previews, as a client link serves them.
async fn previews(t: &TestApp, link_path: &str) -> (Vec<u8>, Vec<u8>) {
    let view = t.call("GET", link_path, None, None).await;
    let url = view.json["photos"][0]["preview_url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(url.contains("preview-wm.jpg"), "{url}");
    let (_, watermarked) = t.fetch(&url).await;
    let (_, clean) = t.fetch(&url.replace("preview-wm.jpg", "preview.jpg")).await;
    (watermarked, clean)
}

#[tokio::test]
async fn changing_the_watermark_re_renders_existing_photos() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    t.ready_photo(&anna, &gallery).await;
    let general = t
        .call(
            "GET",
            &format!("/galleries/{gallery}/general-access"),
            Some(&anna.api_key),
            None,
        )
        .await;
    let link = client_path(general.json["link"].as_str().unwrap());
    let (watermarked_before, clean_before) = previews(&t, &link).await;

    let patch = t
        .call(
            "PATCH",
            &format!("/galleries/{gallery}"),
            Some(&anna.api_key),
            Some(
                json!({ "watermark": { "text": "PROOF", "position": "top_left", "opacity": 0.9 } }),
            ),
        )
        .await;
    assert_eq!(patch.status, 200, "{patch:?}");
    t.drain_ingest().await;

    let (watermarked_after, clean_after) = previews(&t, &link).await;
    assert_ne!(
        watermarked_after, watermarked_before,
        "the watermarked preview was not re-rendered"
    );
    assert_eq!(
        clean_after, clean_before,
        "the clean preview must not change"
    );
    let photos = t
        .call(
            "GET",
            &format!("/galleries/{gallery}/photos"),
            Some(&anna.api_key),
            None,
        )
        .await;
    assert_eq!(photos.json["photos"][0]["status"], "ready");
}

#[tokio::test]
async fn a_title_change_re_renders_nothing() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    t.ready_photo(&anna, &gallery).await;
    let patch = t
        .call(
            "PATCH",
            &format!("/galleries/{gallery}"),
            Some(&anna.api_key),
            Some(json!({ "title": "Smiths" })),
        )
        .await;
    assert_eq!(patch.status, 200);
    let queued =
        proofsheet_api::ingest::poll_queue_once(&t.app, &t.provisioned.ingest_queue_url, 0)
            .await
            .unwrap();
    assert_eq!(queued, 0, "a title change must not queue work");
}
