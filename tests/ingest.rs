//! The ingest worker: S3 event → SQS → validated photo with renditions.

use proofsheet_tests::*;

#[tokio::test]
async fn an_uploaded_jpeg_becomes_ready_with_its_dimensions() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let photo = t.ready_photo(&anna, &gallery).await;
    let list = t
        .call(
            "GET",
            &format!("/galleries/{gallery}/photos"),
            Some(&anna.api_key),
            None,
        )
        .await;
    let entry = &list.json["photos"][0];
    assert_eq!(entry["photo_id"], photo.as_str());
    assert_eq!(entry["status"], "ready");
    assert_eq!(entry["width"], 640);
}
