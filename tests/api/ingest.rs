//! The ingest worker: S3 event → SQS → validated photo with renditions.

use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};
use proofsheet_policy::{GalleryId, PhotoId, ViewRendition};
use proofsheet_store::object_keys::RenditionSize;
use proofsheet_store::{StoreError, object_keys};
use proofsheet_tests::*;
use serde_json::{Value, json};

#[tokio::test]
async fn an_uploaded_jpeg_becomes_ready_with_its_dimensions() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let photo = t.ready_photo(&anna, &gallery).await;
    let list = t.list_photos(&anna, &gallery).await;
    let entry = &list.json["photos"][0];
    assert_eq!(entry["photo_id"], photo.as_str());
    assert_eq!(entry["status"], "ready");
    assert_eq!(entry["width"], 640);
}

#[tokio::test]
async fn a_large_jpeg_gets_renditions_of_the_right_size() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let photo = t
        .upload(&anna, &gallery, "big.jpg", jpeg(3000, 2000), "image/jpeg")
        .await;
    t.drain_ingest().await;
    assert_eq!(t.queue_depth().await, (0, 0), "every message was handled");

    let entry = photo_entry(&t, &anna, &gallery, &photo).await;
    assert_eq!(entry["status"], "ready", "{entry}");
    assert_eq!(
        (entry["width"].as_u64(), entry["height"].as_u64()),
        (Some(3000), Some(2000))
    );
    assert_eq!(entry["rejection_reason"], Value::Null);

    // Watermarked renditions (the default) and clean ones, as a client is given them.
    for watermark in [true, false] {
        t.set_general(&anna, &gallery, json!({ "watermark": watermark }))
            .await;
        let view = client_view(&t, &anna, &gallery).await;
        let shown = &view["photos"][0];
        assert_eq!(shown["photo_id"], photo.as_str());
        assert_eq!(
            (shown["width"].as_u64(), shown["height"].as_u64()),
            (Some(3000), Some(2000))
        );
        let thumb = fetch_image(&t, shown["thumbnail_url"].as_str().unwrap()).await;
        let preview = fetch_image(&t, shown["preview_url"].as_str().unwrap()).await;
        assert_eq!(thumb, (480, 320), "thumbnail, watermark {watermark}");
        assert_eq!(preview, (2048, 1365), "preview, watermark {watermark}");
        // The grid's sizes, WebP, in the look the link shows, each as wide as it says.
        let grid = shown["grid"].as_array().unwrap();
        let widths: Vec<u64> = grid.iter().map(|g| g["width"].as_u64().unwrap()).collect();
        assert_eq!(widths, [240, 360, 480, 720, 960, 1440], "{shown}");
        for size in grid {
            let url = size["url"].as_str().unwrap();
            assert!(
                url.contains(if watermark { "-wm.webp" } else { "0.webp" }),
                "{url}"
            );
            let width = size["width"].as_u64().unwrap() as u32;
            assert_eq!(fetch_webp(&t, url).await, (width, width * 2 / 3), "{url}");
        }
    }
    // The photographer's own list shows the clean thumbnail.
    let entry = photo_entry(&t, &anna, &gallery, &photo).await;
    let thumb = fetch_image(&t, entry["thumbnail_url"].as_str().expect("thumbnail url")).await;
    assert_eq!(thumb, (480, 320));
}

#[tokio::test]
async fn a_small_jpeg_is_never_upscaled() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let photo = t
        .upload(&anna, &gallery, "small.jpg", jpeg(300, 200), "image/jpeg")
        .await;
    t.drain_ingest().await;
    let entry = photo_entry(&t, &anna, &gallery, &photo).await;
    assert_eq!(entry["status"], "ready", "{entry}");
    let view = client_view(&t, &anna, &gallery).await;
    let shown = &view["photos"][0];
    assert_eq!(
        fetch_image(&t, shown["thumbnail_url"].as_str().unwrap()).await,
        (300, 200)
    );
    assert_eq!(
        fetch_image(&t, shown["preview_url"].as_str().unwrap()).await,
        (300, 200)
    );
    // Its grid sizes stop at its own width.
    let grid = shown["grid"].as_array().unwrap();
    let widths: Vec<u64> = grid.iter().map(|g| g["width"].as_u64().unwrap()).collect();
    assert_eq!(widths, [240, 300], "{shown}");
    assert_eq!(
        fetch_webp(&t, grid[1]["url"].as_str().unwrap()).await,
        (300, 200)
    );
}

#[tokio::test]
async fn an_exif_rotated_jpeg_is_recorded_and_rendered_upright() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    // Stored 640 × 480 with red on top and blue below; orientation 6 turns it 90° clockwise,
    // so it is shown 480 × 640 with red on the right and blue on the left.
    let stored = image::RgbImage::from_fn(640, 480, |_, y| {
        if y < 240 {
            image::Rgb([220, 20, 20])
        } else {
            image::Rgb([20, 20, 220])
        }
    });
    let bytes = with_exif_orientation(&encode_jpeg(&stored), 6);
    // The image crate itself must see the tag, or the test proves nothing.
    {
        use image::ImageDecoder;
        let mut decoder =
            image::codecs::jpeg::JpegDecoder::new(std::io::Cursor::new(&bytes)).expect("decoder");
        assert_eq!(
            decoder.orientation().expect("orientation"),
            image::metadata::Orientation::Rotate90
        );
    }
    let photo = t
        .upload(&anna, &gallery, "portrait.jpg", bytes, "image/jpeg")
        .await;
    t.drain_ingest().await;

    let entry = photo_entry(&t, &anna, &gallery, &photo).await;
    assert_eq!(entry["status"], "ready", "{entry}");
    assert_eq!(
        (entry["width"].as_u64(), entry["height"].as_u64()),
        (Some(480), Some(640))
    );

    t.set_general(&anna, &gallery, json!({ "watermark": false }))
        .await;
    let view = client_view(&t, &anna, &gallery).await;
    let shown = &view["photos"][0];
    assert_eq!(
        (shown["width"].as_u64(), shown["height"].as_u64()),
        (Some(480), Some(640))
    );
    let (status, thumb) = t.fetch(shown["thumbnail_url"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    let thumb = image::load_from_memory(&thumb).unwrap().to_rgb8();
    assert_eq!(thumb.dimensions(), (360, 480));
    let left = thumb.get_pixel(90, 240).0;
    let right = thumb.get_pixel(270, 240).0;
    assert!(
        left[2] > 150 && left[0] < 100,
        "left should be blue: {left:?}"
    );
    assert!(
        right[0] > 150 && right[2] < 100,
        "right should be red: {right:?}"
    );
    let preview = fetch_image(&t, shown["preview_url"].as_str().unwrap()).await;
    assert_eq!(preview, (480, 640));
}

#[tokio::test]
async fn an_uploaded_png_becomes_ready() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let photo = t
        .upload(&anna, &gallery, "scan.png", png(800, 600), "image/png")
        .await;
    t.drain_ingest().await;
    let entry = photo_entry(&t, &anna, &gallery, &photo).await;
    assert_eq!(entry["status"], "ready", "{entry}");
    assert_eq!(entry["content_type"], "image/png");
    assert_eq!(
        (entry["width"].as_u64(), entry["height"].as_u64()),
        (Some(800), Some(600))
    );
    let view = client_view(&t, &anna, &gallery).await;
    let shown = &view["photos"][0];
    assert_eq!(shown["photo_id"], photo.as_str());
    assert_eq!(
        fetch_image(&t, shown["thumbnail_url"].as_str().unwrap()).await,
        (480, 360)
    );
    assert_eq!(
        fetch_image(&t, shown["preview_url"].as_str().unwrap()).await,
        (800, 600)
    );
}

#[tokio::test]
async fn bad_files_are_rejected_and_the_worker_keeps_going() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let text = t
        .upload(
            &anna,
            &gallery,
            "notes.jpg",
            b"Dear Anna, here are my notes for the shoot.".to_vec(),
            "image/jpeg",
        )
        .await;
    let bomb_bytes = bomb_png(60_000, 60_000);
    // The bomb is a valid PNG header-wise: the image crate reads the declared size.
    assert_eq!(
        image::ImageReader::new(std::io::Cursor::new(&bomb_bytes))
            .with_guessed_format()
            .unwrap()
            .into_dimensions()
            .expect("header with a valid CRC"),
        (60_000, 60_000)
    );
    let bomb = t
        .upload(&anna, &gallery, "bomb.png", bomb_bytes, "image/png")
        .await;
    let good = t
        .upload(&anna, &gallery, "good.jpg", jpeg(640, 480), "image/jpeg")
        .await;
    t.drain_ingest().await;
    assert_eq!(
        t.queue_depth().await,
        (0, 0),
        "rejections are not failures: nothing left for a retry"
    );

    let text_entry = photo_entry(&t, &anna, &gallery, &text).await;
    assert_eq!(text_entry["status"], "rejected", "{text_entry}");
    let reason = text_entry["rejection_reason"].as_str().unwrap_or_default();
    assert!(!reason.trim().is_empty(), "{text_entry}");
    assert_eq!(text_entry["thumbnail_url"], Value::Null);
    assert_eq!(text_entry["width"], Value::Null);

    let bomb_entry = photo_entry(&t, &anna, &gallery, &bomb).await;
    assert_eq!(bomb_entry["status"], "rejected", "{bomb_entry}");
    let reason = bomb_entry["rejection_reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("60000") || reason.contains("60,000") || reason.contains("60 000"),
        "the reason should name the size: {reason}"
    );

    let good_entry = photo_entry(&t, &anna, &gallery, &good).await;
    assert_eq!(good_entry["status"], "ready", "{good_entry}");

    // Rejected uploads get no original and no renditions.
    for id in [&text, &bomb] {
        assert!(
            object_missing(&t, &original_key(&gallery, id)).await,
            "original of {id}"
        );
        for (size, look) in object_keys::RENDITIONS {
            assert!(
                object_missing(&t, &rendition_key(&gallery, id, size, look)).await,
                "{size:?} {look:?} of {id}"
            );
        }
    }

    // Clients see only the good one.
    let view = client_view(&t, &anna, &gallery).await;
    let ids: Vec<&str> = view["photos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["photo_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [good.as_str()]);
}

#[tokio::test]
async fn redelivered_events_do_no_harm() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let photo = t.ready_photo(&anna, &gallery).await;
    let rejected = t
        .upload(
            &anna,
            &gallery,
            "x.jpg",
            b"not an image".to_vec(),
            "image/jpeg",
        )
        .await;
    t.drain_ingest().await;
    let before = photo_entry(&t, &anna, &gallery, &photo).await;
    let rejected_before = photo_entry(&t, &anna, &gallery, &rejected).await;
    assert_eq!(before["status"], "ready");
    assert_eq!(rejected_before["status"], "rejected");
    let thumb_before = clean_thumbnail(&t, &gallery, &photo).await;

    // Through the real queue, as S3 would redeliver.
    for id in [&photo, &rejected] {
        send_to_queue(&t, &s3_event_body(&t, &upload_key(&gallery, id))).await;
    }
    assert_eq!(t.queue_depth().await.0, 2, "the redeliveries are queued");
    t.drain_ingest().await;
    assert_eq!(
        t.queue_depth().await,
        (0, 0),
        "redeliveries are acknowledged"
    );

    // And straight through the handler, which must report no failure.
    let mut event = sample_event();
    event.records = [&photo, &rejected]
        .iter()
        .enumerate()
        .map(|(i, id)| {
            message(
                &format!("redelivery-{i}"),
                &s3_event_body(&t, &upload_key(&gallery, id)),
            )
        })
        .collect();
    let response = proofsheet_workers::runner::handle_batch::<proofsheet_workers::ingest::Ingest>(
        &t.app, event,
    )
    .await;
    assert!(
        response.batch_item_failures.is_empty(),
        "{:?}",
        response.batch_item_failures
    );

    let after = photo_entry(&t, &anna, &gallery, &photo).await;
    assert_eq!(after["status"], "ready");
    assert_eq!(
        (&after["width"], &after["height"]),
        (&before["width"], &before["height"])
    );
    let rejected_after = photo_entry(&t, &anna, &gallery, &rejected).await;
    assert_eq!(rejected_after["status"], "rejected");
    assert_eq!(
        rejected_after["rejection_reason"],
        rejected_before["rejection_reason"]
    );
    let thumb_after = clean_thumbnail(&t, &gallery, &photo).await;
    assert_eq!(thumb_before, thumb_after);
    let photos = t.photos(&anna, &gallery).await;
    assert_eq!(photos.len(), 2, "nothing duplicated: {photos:?}");
}

#[tokio::test]
async fn the_s3_test_event_is_acknowledged_and_poison_is_reported() {
    let t = TestApp::spawn().await;
    let sample = sample_event();
    let test_message = sample.records[0].clone();
    let test_id = test_message.message_id.clone().expect("sample id");

    // The test event on its own: nothing to retry.
    let response = proofsheet_workers::runner::handle_batch::<proofsheet_workers::ingest::Ingest>(
        &t.app,
        sample_event(),
    )
    .await;
    assert!(
        response.batch_item_failures.is_empty(),
        "{:?}",
        response.batch_item_failures
    );

    // A batch mixing it with unreadable bodies and harmless events: only the unreadable ones fail.
    let mut event = sample_event();
    event.records = vec![
        test_message.clone(),
        message("poison-not-json", "not json"),
        message("poison-wrong-shape", r#"{"hello":"world"}"#),
        message(
            "unknown-photo",
            &s3_event_body(
                &t,
                "uploads/0190f6a0-0000-7000-8000-000000000001/0190f6a0-0000-7000-8000-000000000002",
            ),
        ),
        message("not-an-original", &s3_event_body(&t, "logos/someone.png")),
    ];
    let response = proofsheet_workers::runner::handle_batch::<proofsheet_workers::ingest::Ingest>(
        &t.app, event,
    )
    .await;
    let mut failed: Vec<&str> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect();
    failed.sort_unstable();
    assert_eq!(failed, ["poison-not-json", "poison-wrong-shape"]);
    assert!(!failed.contains(&test_id.as_str()));

    // Through the real queue: the test event is deleted, the poison message stays for a retry.
    send_to_queue(&t, test_message.body.as_deref().unwrap()).await;
    t.drain_ingest().await;
    assert_eq!(t.queue_depth().await, (0, 0), "test event acknowledged");
    send_to_queue(&t, "not json").await;
    t.drain_ingest().await;
    assert_eq!(
        t.queue_depth().await,
        (0, 1),
        "the poison message is left in flight for the queue's retries"
    );
}

#[tokio::test]
async fn a_photo_deleted_before_ingest_is_not_recreated() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let photo = t
        .upload(&anna, &gallery, "gone.jpg", jpeg(640, 480), "image/jpeg")
        .await;
    assert_eq!(t.photos(&anna, &gallery).await.len(), 1);
    let deleted = t.delete_photo(&anna, &gallery, &photo).await;
    assert_eq!(deleted.status, 204, "{deleted:?}");
    // The upload's event is waiting (next to the s3:TestEvent sent when the bucket's
    // notification was set up).
    assert!(
        t.queue_depth().await.0 >= 1,
        "the upload's event is waiting"
    );
    t.drain_ingest().await;
    assert_eq!(
        t.queue_depth().await,
        (0, 0),
        "the event was handled without error"
    );

    assert_eq!(t.photos(&anna, &gallery).await, Vec::<Value>::new());
    assert!(object_missing(&t, &original_key(&gallery, &photo)).await);
    assert!(object_missing(&t, &upload_key(&gallery, &photo)).await);
    for (size, look) in object_keys::RENDITIONS {
        assert!(
            object_missing(&t, &rendition_key(&gallery, &photo, size, look)).await,
            "{size:?} {look:?} was created for a deleted photo"
        );
    }
    assert_eq!(client_view(&t, &anna, &gallery).await["photos"], json!([]));
}

#[tokio::test]
async fn an_upload_landing_after_its_photo_was_deleted_leaves_no_file() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let bytes = jpeg(640, 480);
    let asked = t
        .create_photo_upload(
            &anna,
            &gallery,
            json!({ "filename": "late.jpg", "content_type": "image/jpeg", "size": bytes.len() }),
        )
        .await;
    let photo = asked.json["photo_id"].as_str().unwrap().to_owned();
    let deleted = t.delete_photo(&anna, &gallery, &photo).await;
    assert_eq!(deleted.status, 204, "{deleted:?}");

    // The upload URL is still valid for a while: the file lands after the delete.
    let put = t.put_upload(&asked.json, bytes).await;
    assert!(put.status().is_success());
    assert!(!object_missing(&t, &upload_key(&gallery, &photo)).await);
    t.drain_ingest().await;

    assert!(
        object_missing(&t, &upload_key(&gallery, &photo)).await,
        "the worker drops a file whose photo is gone"
    );
    assert!(object_missing(&t, &original_key(&gallery, &photo)).await);
    assert_eq!(t.photos(&anna, &gallery).await, Vec::<Value>::new());
}

// ---------------------------------------------------------------------------------------------
// Upload URLs used again, and files that are not what was announced
// ---------------------------------------------------------------------------------------------

/// Asks for an upload URL for `announced` bytes of `content_type`; returns the answer.
async fn ask_upload(
    t: &TestApp,
    who: &Photographer,
    gallery: &str,
    size: usize,
    content_type: &str,
) -> Value {
    let asked = t
        .create_photo_upload(
            who,
            gallery,
            json!({ "filename": "IMG_1.jpg", "content_type": content_type, "size": size }),
        )
        .await;
    assert_eq!(asked.status, 201, "{asked:?}");
    asked.json
}

/// Asks for an upload URL for `bytes` and PUTs them through it: the answer and the photo id.
async fn upload_through_url(
    t: &TestApp,
    who: &Photographer,
    gallery: &str,
    bytes: &[u8],
) -> (Value, String) {
    let asked = ask_upload(t, who, gallery, bytes.len(), "image/jpeg").await;
    let photo = asked["photo_id"].as_str().unwrap().to_owned();
    let put = t.put_upload(&asked, bytes.to_vec()).await;
    assert!(put.status().is_success(), "{}", put.status());
    (asked, photo)
}

async fn stored(t: &TestApp, key: &str) -> Vec<u8> {
    t.app
        .store()
        .object_bytes(key, 100 << 20)
        .await
        .unwrap_or_else(|e| panic!("reading {key}: {e}"))
}

#[tokio::test]
async fn a_validated_original_cannot_be_replaced_through_its_upload_url() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let photo_bytes = jpeg(640, 480);
    let (asked, photo) = upload_through_url(&t, &anna, &gallery, &photo_bytes).await;
    t.drain_ingest().await;
    assert_eq!(
        photo_entry(&t, &anna, &gallery, &photo).await["status"],
        "ready"
    );
    let thumbnail = clean_thumbnail(&t, &gallery, &photo).await;

    // The URL is still valid: junk of the same size, sent as signed, is refused by S3 (the
    // upload stays in place, so If-None-Match fails); sent without the If-None-Match header
    // (which S3 would refuse as a signature mismatch; moto checks none), it lands.
    let junk = vec![0xAB; photo_bytes.len()];
    let replay = t.put_upload(&asked, junk.clone()).await;
    assert_eq!(replay.status(), 412);
    let bare = t
        .http
        .put(asked["upload_url"].as_str().unwrap())
        .header("content-type", "image/jpeg")
        .body(junk)
        .send()
        .await
        .unwrap();
    assert!(bare.status().is_success(), "{}", bare.status());
    t.drain_ingest().await;

    let entry = photo_entry(&t, &anna, &gallery, &photo).await;
    assert_eq!(entry["status"], "ready", "{entry}");
    assert_eq!(
        stored(&t, &original_key(&gallery, &photo)).await,
        photo_bytes,
        "the original is still the file that was validated"
    );
    assert_eq!(clean_thumbnail(&t, &gallery, &photo).await, thumbnail);
}

#[tokio::test]
async fn a_second_put_before_ingest_is_refused_by_s3() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let photo_bytes = jpeg(640, 480);
    let (asked, photo) = upload_through_url(&t, &anna, &gallery, &photo_bytes).await;

    let second = t.put_upload(&asked, vec![0xAB; photo_bytes.len()]).await;
    assert_eq!(
        second.status(),
        412,
        "If-None-Match: * is signed in and sent"
    );
    t.drain_ingest().await;
    assert_eq!(
        photo_entry(&t, &anna, &gallery, &photo).await["status"],
        "ready"
    );
    assert_eq!(
        stored(&t, &original_key(&gallery, &photo)).await,
        photo_bytes
    );
}

#[tokio::test]
async fn an_upload_url_used_again_after_a_rejection_changes_nothing() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let good = jpeg(640, 480);
    let asked = ask_upload(&t, &anna, &gallery, good.len(), "image/jpeg").await;
    let photo = asked["photo_id"].as_str().unwrap().to_owned();
    assert!(
        t.put_upload(&asked, vec![b'x'; good.len()])
            .await
            .status()
            .is_success()
    );
    t.drain_ingest().await;
    assert_eq!(
        photo_entry(&t, &anna, &gallery, &photo).await["status"],
        "rejected"
    );

    // A good file through the same URL afterwards is refused (uploading again means asking
    // for a new URL), and even a redelivered event changes nothing.
    assert_eq!(t.put_upload(&asked, good).await.status(), 412);
    send_to_queue(&t, &s3_event_body(&t, &upload_key(&gallery, &photo))).await;
    t.drain_ingest().await;
    assert_eq!(
        photo_entry(&t, &anna, &gallery, &photo).await["status"],
        "rejected"
    );
    assert!(object_missing(&t, &original_key(&gallery, &photo)).await);
}

/// A photo cut off in transfer must not become a preview with a grey band: the photographer is
/// told to upload it again.
#[tokio::test]
async fn a_truncated_jpeg_is_rejected_with_a_reason_to_upload_it_again() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let full = jpeg(1200, 800);
    let cut = full[..full.len() / 3].to_vec();
    let photo = t
        .upload(&anna, &gallery, "IMG_2.jpg", cut, "image/jpeg")
        .await;
    t.drain_ingest().await;

    let entry = photo_entry(&t, &anna, &gallery, &photo).await;
    assert_eq!(entry["status"], "rejected", "{entry}");
    assert_eq!(entry["rejection_code"], "truncated_image", "{entry}");
    let reason = entry["rejection_reason"].as_str().unwrap_or_default();
    assert!(reason.contains("upload it again"), "{reason}");
    assert!(object_missing(&t, &original_key(&gallery, &photo)).await);
    assert_eq!(client_view(&t, &anna, &gallery).await["photos"], json!([]));
}

#[tokio::test]
async fn a_file_that_is_not_what_was_announced_is_rejected() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let bytes = jpeg(640, 480);

    // S3 enforces the signed size and type; the local emulator does not, so this is what a
    // deployment without that check would let through.
    let longer = ask_upload(&t, &anna, &gallery, bytes.len() - 100, "image/jpeg").await;
    let short_id = longer["photo_id"].as_str().unwrap().to_owned();
    assert!(
        t.put_upload(&longer, bytes.clone())
            .await
            .status()
            .is_success()
    );
    let retyped = ask_upload(&t, &anna, &gallery, bytes.len(), "image/jpeg").await;
    let retyped_id = retyped["photo_id"].as_str().unwrap().to_owned();
    let put = t
        .http
        .put(retyped["upload_url"].as_str().unwrap())
        .header("content-type", "text/html")
        .header("if-none-match", "*")
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success());
    t.drain_ingest().await;

    // A JPEG announced, and sent, as a PNG: S3 signs the header, not the bytes.
    let jpeg_bytes = jpeg(64, 48);
    let as_png = ask_upload(&t, &anna, &gallery, jpeg_bytes.len(), "image/png").await;
    let as_png_id = as_png["photo_id"].as_str().unwrap().to_owned();
    assert!(
        t.put_upload(&as_png, jpeg_bytes)
            .await
            .status()
            .is_success()
    );
    t.drain_ingest().await;

    for (id, code) in [
        (&short_id, "size_mismatch"),
        (&retyped_id, "type_mismatch"),
        (&as_png_id, "type_mismatch"),
    ] {
        let entry = photo_entry(&t, &anna, &gallery, id).await;
        assert_eq!(entry["status"], "rejected", "{entry}");
        assert_eq!(entry["rejection_code"], code, "{entry}");
        assert!(
            entry["rejection_reason"]
                .as_str()
                .unwrap()
                .contains("announced"),
            "{entry}"
        );
        assert!(object_missing(&t, &original_key(&gallery, id)).await);
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

async fn photo_entry(t: &TestApp, who: &Photographer, gallery: &str, photo: &str) -> Value {
    t.photos(who, gallery)
        .await
        .into_iter()
        .find(|p| p["photo_id"] == photo)
        .unwrap_or_else(|| panic!("photo {photo} not listed"))
}

/// The gallery as a client of its general link sees it.
async fn client_view(t: &TestApp, who: &Photographer, gallery: &str) -> Value {
    let path = t.general_path(who, gallery).await;
    let view = t.view_gallery(&path, None).await;
    assert_eq!(view.status, 200, "{view:?}");
    view.json
}

/// Fetches a presigned rendition URL and returns the decoded image's size.
async fn fetch_image(t: &TestApp, url: &str) -> (u32, u32) {
    let (status, bytes) = t.fetch(url).await;
    assert_eq!(status, 200, "{url}");
    let decoded = image::load_from_memory_with_format(&bytes, image::ImageFormat::Jpeg)
        .unwrap_or_else(|e| panic!("rendition is not a JPEG ({e}): {url}"));
    (decoded.width(), decoded.height())
}

/// Fetches a presigned grid size and returns the decoded WebP's size.
async fn fetch_webp(t: &TestApp, url: &str) -> (u32, u32) {
    let (status, bytes) = t.fetch(url).await;
    assert_eq!(status, 200, "{url}");
    let decoded = image::load_from_memory_with_format(&bytes, image::ImageFormat::WebP)
        .unwrap_or_else(|e| panic!("grid size is not a WebP ({e}): {url}"));
    (decoded.width(), decoded.height())
}

fn ids(gallery: &str, photo: &str) -> (GalleryId, PhotoId) {
    (
        GalleryId::parse(gallery).expect("gallery id"),
        PhotoId::parse(photo).expect("photo id"),
    )
}

fn upload_key(gallery: &str, photo: &str) -> String {
    let (g, p) = ids(gallery, photo);
    object_keys::upload(g, p)
}

fn original_key(gallery: &str, photo: &str) -> String {
    let (g, p) = ids(gallery, photo);
    object_keys::original(g, p)
}

fn rendition_key(gallery: &str, photo: &str, size: RenditionSize, look: ViewRendition) -> String {
    let (g, p) = ids(gallery, photo);
    object_keys::rendition(g, p, size, look)
}

async fn clean_thumbnail(t: &TestApp, gallery: &str, photo: &str) -> Vec<u8> {
    let key = rendition_key(
        gallery,
        photo,
        RenditionSize::Thumbnail,
        ViewRendition::Clean,
    );
    t.app
        .store()
        .object_bytes(&key, 10 << 20)
        .await
        .expect("the clean thumbnail is stored")
}

async fn object_missing(t: &TestApp, key: &str) -> bool {
    match t.app.store().object_bytes(key, 100 << 20).await {
        Err(StoreError::NotFound) => true,
        Ok(_) => false,
        Err(e) => panic!("reading {key}: {e}"),
    }
}

async fn sqs() -> aws_sdk_sqs::Client {
    let sdk = proofsheet_store::load_sdk_config().await;
    aws_sdk_sqs::Client::new(&sdk)
}

async fn send_to_queue(t: &TestApp, body: &str) {
    sqs()
        .await
        .send_message()
        .queue_url(&t.provisioned.ingest_queue_url)
        .message_body(body)
        .send()
        .await
        .expect("send_message");
}

/// An S3 `ObjectCreated:Put` notification for `key` in the test's bucket, shaped like S3's.
fn s3_event_body(t: &TestApp, key: &str) -> String {
    json!({
        "Records": [{
            "eventVersion": "2.1",
            "eventSource": "aws:s3",
            "awsRegion": "us-east-1",
            "eventName": "ObjectCreated:Put",
            "s3": {
                "s3SchemaVersion": "1.0",
                "bucket": { "name": t.provisioned.resources.bucket },
                "object": { "key": key, "size": 1 }
            }
        }]
    })
    .to_string()
}

fn sample_event() -> SqsEvent {
    serde_json::from_str(include_str!("../../events/sqs-s3-test-event.json")).expect("sample event")
}

/// An SQS record like the sample's, with another id and body.
fn message(id: &str, body: &str) -> SqsMessage {
    let mut message = sample_event().records.remove(0);
    message.message_id = Some(id.to_owned());
    message.body = Some(body.to_owned());
    message.md5_of_body = None;
    message
}

/// A photo ingested before the grid's sizes existed shows its thumbnail until its galleries are
/// rendered again (`proofsheet-admin render-again`), and then has every size it can fill.
#[tokio::test]
async fn a_photo_from_before_the_grid_sizes_gets_them_when_rendered_again() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let photo = t.ready_photo(&anna, &gallery).await;
    // As ingest left it before: no widths on the record, no files.
    let (g, p) = ids(&gallery, &photo);
    let sdk = proofsheet_store::load_sdk_config().await;
    aws_sdk_dynamodb::Client::new(&sdk)
        .update_item()
        .table_name(&t.provisioned.resources.table)
        .key(
            "PK",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("GALLERY#{gallery}")),
        )
        .key(
            "SK",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("PHOTO#{photo}")),
        )
        .update_expression("REMOVE grid_widths")
        .send()
        .await
        .unwrap();
    let grid_keys: Vec<String> = proofsheet_policy::GRID_WIDTHS
        .into_iter()
        .flat_map(|w| {
            [ViewRendition::Clean, ViewRendition::Watermarked]
                .map(|look| object_keys::grid_rendition(g, p, w, look))
        })
        .collect();
    t.app.store().delete_objects(&grid_keys).await.unwrap();
    let before = client_view(&t, &anna, &gallery).await;
    assert_eq!(before["photos"][0]["grid"], json!([]), "{before}");
    let page = t.browse(&t.general_path(&anna, &gallery).await, None).await;
    assert!(
        !page.json.as_str().unwrap().contains("image/webp"),
        "{page:?}"
    );

    let queued = proofsheet_app::admin::render_again(&t.app, anna.photographer_id())
        .await
        .unwrap();
    assert_eq!(queued, 1);
    t.drain_ingest().await;
    let after = client_view(&t, &anna, &gallery).await;
    let grid = after["photos"][0]["grid"].as_array().unwrap();
    let widths: Vec<u64> = grid.iter().map(|g| g["width"].as_u64().unwrap()).collect();
    assert_eq!(widths, [240, 360, 480, 640], "{after}");
    for size in grid {
        let width = size["width"].as_u64().unwrap() as u32;
        assert_eq!(
            fetch_webp(&t, size["url"].as_str().unwrap()).await,
            (width, width * 3 / 4)
        );
    }
}
