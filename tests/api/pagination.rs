//! Photo lists come in pages: `?limit=` (default 100, at most 500) and an opaque `?cursor=`
//! from the previous page's `next_cursor` (null on the last page).

use proofsheet_tests::*;
use serde_json::Value;

/// A list that comes in pages: a gallery's photos as its photographer lists them, or a link's
/// as its client sees them.
pub(super) enum Pages<'a> {
    Photographer(&'a Photographer, &'a str),
    Client(&'a str),
}

/// Follows `next_cursor` from the first page to the last; returns the photo ids of each page.
pub(super) async fn all_pages(t: &TestApp, list: Pages<'_>, limit: usize) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let query = match &cursor {
            None => format!("limit={limit}"),
            Some(c) => format!("limit={limit}&cursor={c}"),
        };
        let reply = match list {
            Pages::Photographer(who, gallery) => t.list_photos_page(who, gallery, &query).await,
            Pages::Client(link) => t.view_gallery(&format!("{link}?{query}"), None).await,
        };
        assert_eq!(reply.status, 200, "{query}: {reply:?}");
        pages.push(ids(&reply.json));
        match &reply.json["next_cursor"] {
            Value::Null => return pages,
            Value::String(next) => cursor = Some(next.clone()),
            other => panic!("next_cursor is neither null nor a string: {other}"),
        }
        assert!(pages.len() < 50, "pagination does not end: {pages:?}");
    }
}

pub(super) fn ids(page: &Value) -> Vec<String> {
    page["photos"]
        .as_array()
        .expect("photos")
        .iter()
        .map(|p| p["photo_id"].as_str().expect("photo id").to_owned())
        .collect()
}

/// Asks for an upload without sending the file: the photo stays `uploading`, which a
/// photographer sees and a client doesn't.
async fn uploading_photo(t: &TestApp, who: &Photographer, gallery: &str) -> String {
    let reply = t
        .create_photo_upload(
            who,
            gallery,
            serde_json::json!({ "filename": "later.jpg", "content_type": "image/jpeg", "size": 1000 }),
        )
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    reply.json["photo_id"]
        .as_str()
        .expect("photo id")
        .to_owned()
}

#[tokio::test]
async fn the_photographer_pages_through_every_photo_once_in_upload_order() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let mut uploaded = Vec::new();
    for _ in 0..5 {
        uploaded.push(uploading_photo(&t, &anna, &gallery).await);
    }

    let pages = all_pages(&t, Pages::Photographer(&anna, &gallery), 2).await;
    let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
    assert_eq!(sizes, [2, 2, 1]);
    assert_eq!(pages.concat(), uploaded);

    // Exactly a page's worth: the last full page says there is nothing after it.
    let exact = all_pages(&t, Pages::Photographer(&anna, &gallery), 5).await;
    assert_eq!(exact, [uploaded.clone()]);
}

#[tokio::test]
async fn a_client_pages_through_ready_photos_only() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    // Invisible photos between and around the ready ones: pages must still fill up.
    let mut ready = Vec::new();
    uploading_photo(&t, &anna, &gallery).await;
    for _ in 0..5 {
        ready.push(t.ready_photo(&anna, &gallery).await);
        uploading_photo(&t, &anna, &gallery).await;
        uploading_photo(&t, &anna, &gallery).await;
    }
    let link = t.general_path(&anna, &gallery).await;

    let pages = all_pages(&t, Pages::Client(&link), 2).await;
    let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
    assert_eq!(sizes, [2, 2, 1]);
    assert_eq!(pages.concat(), ready);

    let first = t.view_gallery(&link, None).await;
    assert_eq!(
        first.json["title"], "Smith wedding",
        "every page carries the gallery"
    );
}

#[tokio::test]
async fn without_a_limit_a_page_holds_up_to_a_hundred_photos() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Big day").await;
    let mut uploaded = Vec::new();
    for _ in 0..101 {
        uploaded.push(uploading_photo(&t, &anna, &gallery).await);
    }
    let first = t.list_photos(&anna, &gallery).await;
    assert_eq!(first.status, 200, "{first:?}");
    assert_eq!(ids(&first.json), uploaded[..100]);
    let cursor = first.json["next_cursor"].as_str().expect("a next page");
    let second = t
        .list_photos_page(&anna, &gallery, &format!("cursor={cursor}"))
        .await;
    assert_eq!(ids(&second.json), uploaded[100..]);
    assert_eq!(second.json["next_cursor"], Value::Null);
}

#[tokio::test]
async fn bad_limits_and_cursors_are_refused_naming_the_parameter() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    t.ready_photo(&anna, &gallery).await;
    let link = t.general_path(&anna, &gallery).await;
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=abc", "limit"),
        ("cursor=not-a-cursor", "cursor"),
        ("cursor=", "cursor"),
        ("cursor=AAAAAAAAAAAAAAAAAAAAAA%3D%3D", "cursor"),
    ] {
        let mine = t.list_photos_page(&anna, &gallery, query).await;
        assert_invalid(&mine, field);
        let clients = t.view_gallery(&format!("{link}?{query}"), None).await;
        assert_invalid(&clients, field);
    }
}
