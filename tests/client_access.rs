//! The client's side: opening links, passwords, watermarks, revocation.

use proofsheet_tests::*;

#[tokio::test]
async fn a_general_link_shows_ready_photos_watermarked_by_default() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let photo = t.ready_photo(&anna, &gallery).await;

    let general = t
        .call(
            "GET",
            &format!("/galleries/{gallery}/general-access"),
            Some(&anna.api_key),
            None,
        )
        .await;
    assert_eq!(general.status, 200);
    let link = general.json["link"].as_str().unwrap();
    let view = t.call("GET", &client_path(link), None, None).await;
    assert_eq!(view.status, 200, "{view:?}");
    assert_eq!(view.json["title"], "Smith wedding");
    assert_eq!(view.json["settings"]["watermark"], true);
    let photos = view.json["photos"].as_array().unwrap();
    assert_eq!(photos.len(), 1);
    assert_eq!(photos[0]["photo_id"], photo.as_str());
    assert_eq!(
        (photos[0]["width"].as_u64(), photos[0]["height"].as_u64()),
        (Some(640), Some(480))
    );
    for field in ["thumbnail_url", "preview_url"] {
        let url = photos[0][field].as_str().unwrap();
        assert!(
            url.contains("-wm.jpg?"),
            "{field} must be a watermarked rendition: {url}"
        );
        let (status, bytes) = t.fetch(url).await;
        assert_eq!(status, 200);
        assert!(image::load_from_memory(&bytes).is_ok());
    }
    assert_eq!(view.headers["referrer-policy"], "no-referrer");
}

#[tokio::test]
async fn unknown_forged_and_malformed_tokens_are_404() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let general = t
        .call(
            "GET",
            &format!("/galleries/{gallery}/general-access"),
            Some(&anna.api_key),
            None,
        )
        .await;
    let path = client_path(general.json["link"].as_str().unwrap());
    // Flip the last character of the verifier.
    let mut forged = path.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'B' } else { 'A' });
    for bad in [
        forged.as_str(),
        "/g/short",
        "/g/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ] {
        let reply = t.call("GET", bad, None, None).await;
        assert_eq!(reply.status, 404, "{bad}");
        assert_eq!(reply.error_code(), "not_found");
    }
}
