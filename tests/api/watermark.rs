//! A gallery's watermark reaches photos already in it: changing it re-renders them.

use proofsheet_tests::*;
use serde_json::json;

/// The bytes of a ready photo's watermarked and clean previews, as a client link serves them.
async fn previews(t: &TestApp, link_path: &str) -> (Vec<u8>, Vec<u8>) {
    let view = t.view_gallery(link_path, None).await;
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
    let link = t.general_path(&anna, &gallery).await;
    let (watermarked_before, clean_before) = previews(&t, &link).await;

    let patch = t
        .update_gallery(
            &anna,
            &gallery,
            json!({ "watermark": { "text": "PROOF", "position": "top_left", "opacity": 0.9 } }),
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
    let photos = t.list_photos(&anna, &gallery).await;
    assert_eq!(photos.json["photos"][0]["status"], "ready");
}

#[tokio::test]
async fn a_title_change_re_renders_nothing() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    t.ready_photo(&anna, &gallery).await;
    let patch = t
        .update_gallery(&anna, &gallery, json!({ "title": "Smiths" }))
        .await;
    assert_eq!(patch.status, 200);
    let queued = proofsheet_workers::runner::poll_queue_once::<proofsheet_workers::ingest::Ingest>(
        &t.app,
        &t.provisioned.ingest_queue_url,
        0,
    )
    .await
    .unwrap();
    assert_eq!(queued, 0, "a title change must not queue work");
}

#[tokio::test]
async fn a_new_logo_re_renders_the_galleries_that_show_it() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let logo_gallery = t.create_gallery(&anna, "Logo").await;
    let text_gallery = t.create_gallery(&anna, "Text").await;
    t.ready_photo(&anna, &logo_gallery).await;
    t.ready_photo(&anna, &text_gallery).await;
    let patch = t
        .update_gallery(
            &anna,
            &logo_gallery,
            json!({ "watermark": { "mode": "logo", "opacity": 1.0 } }),
        )
        .await;
    assert_eq!(patch.status, 200, "{patch:?}");
    t.drain_ingest().await; // no logo yet: the text mark stands in
    let mut links = Vec::new();
    for gallery in [&logo_gallery, &text_gallery] {
        let general = t.get_general_access(&anna, gallery).await;
        links.push(client_path(general.json["link"].as_str().unwrap()));
    }
    let (logo_before, _) = previews(&t, &links[0]).await;
    let (text_before, _) = previews(&t, &links[1]).await;

    let png = logo_png();
    let upload = t
        .create_logo_upload(
            &anna,
            json!({ "content_type": "image/png", "size": png.len() }),
        )
        .await;
    assert_eq!(upload.status, 201, "{upload:?}");
    let put = t.put_upload(&upload.json, png).await;
    assert!(put.status().is_success());
    t.drain_ingest().await;

    let (logo_after, _) = previews(&t, &links[0]).await;
    let (text_after, _) = previews(&t, &links[1]).await;
    assert_ne!(
        logo_after, logo_before,
        "the logo gallery must show the new logo"
    );
    assert_eq!(text_after, text_before, "a text-mark gallery is left alone");
    // The logo (red) is really on the photo now.
    let preview = image::load_from_memory(&logo_after).unwrap().to_rgb8();
    let reddish = preview
        .pixels()
        .filter(|p| p[0] > 200 && p[1] < 80 && p[2] < 80)
        .count();
    assert!(
        reddish > 50,
        "no logo-red pixels in the watermarked preview ({reddish})"
    );
}

/// The watermarked preview of every photo a client link shows, by photo id.
async fn watermarked_previews(t: &TestApp, link_path: &str) -> Vec<(String, Vec<u8>)> {
    let view = t.view_gallery(link_path, None).await;
    let mut previews = Vec::new();
    for photo in view.json["photos"].as_array().expect("photos") {
        let url = photo["preview_url"].as_str().unwrap();
        assert!(url.contains("preview-wm.jpg"), "{url}");
        let id = photo["photo_id"].as_str().unwrap().to_owned();
        previews.push((id, t.fetch(url).await.1));
    }
    previews
}

#[tokio::test]
async fn a_watermark_change_queues_one_message_that_re_renders_every_photo() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    for _ in 0..3 {
        t.ready_photo(&anna, &gallery).await;
    }
    let link = t.general_path(&anna, &gallery).await;
    let before = watermarked_previews(&t, &link).await;
    assert_eq!(before.len(), 3);
    assert_eq!(t.queue_depth().await.0, 0);

    let patch = t
        .update_gallery(
            &anna,
            &gallery,
            json!({ "watermark": { "text": "PROOF", "position": "center" } }),
        )
        .await;
    assert_eq!(patch.status, 200, "{patch:?}");
    assert_eq!(
        t.queue_depth().await.0,
        1,
        "the request queues one message, not one per photo"
    );

    t.drain_ingest().await;
    let after = watermarked_previews(&t, &link).await;
    assert_eq!(after.len(), 3);
    for ((id, old), (same_id, new)) in before.iter().zip(&after) {
        assert_eq!(id, same_id);
        assert_ne!(old, new, "photo {id} was not re-rendered");
    }
}

#[tokio::test]
async fn a_re_render_of_a_gallery_deleted_meanwhile_does_nothing_and_succeeds() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    t.ready_photo(&anna, &gallery).await;
    let patch = t
        .update_gallery(&anna, &gallery, json!({ "watermark": { "text": "PROOF" } }))
        .await;
    assert_eq!(patch.status, 200, "{patch:?}");
    let deleted = t.delete_gallery(&anna, &gallery).await;
    assert_eq!(deleted.status, 204, "{deleted:?}");

    let queue = &t.provisioned.ingest_queue_url;
    let messages = t.app.store().receive_messages(queue, 10, 0).await.unwrap();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].body.contains("rerender_gallery"),
        "{messages:?}"
    );
    let mut event = aws_lambda_events::event::sqs::SqsEvent::default();
    event.records = messages
        .iter()
        .map(|m| {
            let mut message = aws_lambda_events::event::sqs::SqsMessage::default();
            message.message_id = Some(m.message_id.clone());
            message.body = Some(m.body.clone());
            message
        })
        .collect();
    // Handled twice, as a redelivery would: neither time fails or queues anything.
    for _ in 0..2 {
        let response =
            proofsheet_workers::runner::handle_batch::<proofsheet_workers::ingest::Ingest>(
                &t.app,
                event.clone(),
            )
            .await;
        assert!(response.batch_item_failures.is_empty());
    }
    t.app
        .store()
        .delete_message(queue, &messages[0].receipt_handle)
        .await
        .unwrap();
    assert_eq!(
        t.queue_depth().await.0,
        0,
        "nothing to re-render in a deleted gallery"
    );
}
