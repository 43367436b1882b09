//! Records stay whole under races and partial failures: a half-deleted gallery, concurrent
//! changes, parents and galleries deleted while something is created under them, deletes that
//! fail midway.

use proofsheet_store::{GalleryRecord, StoreError};
use proofsheet_tests::*;
use serde_json::json;

/// The test's own DynamoDB client, to play a crash or a concurrent writer behind the API's back.
async fn dynamodb() -> aws_sdk_dynamodb::Client {
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    aws_sdk_dynamodb::Client::new(&sdk)
}

fn s(value: impl Into<String>) -> aws_sdk_dynamodb::types::AttributeValue {
    aws_sdk_dynamodb::types::AttributeValue::S(value.into())
}

/// Deletes one item of the test's table directly.
async fn delete_item(t: &TestApp, pk: String, sk: &str) {
    dynamodb()
        .await
        .delete_item()
        .table_name(&t.provisioned.resources.table)
        .key("PK", s(pk))
        .key("SK", s(sk))
        .send()
        .await
        .expect("delete item");
}

async fn general_link(t: &TestApp, who: &Photographer, gallery: &str) -> String {
    let reply = t
        .call(
            "GET",
            &format!("/galleries/{gallery}/general-access"),
            Some(&who.api_key),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    client_path(reply.json["link"].as_str().expect("link"))
}

fn assert_error(reply: &Reply, status: u16, code: &str) {
    assert_eq!(
        (reply.status, reply.error_code()),
        (status, code),
        "{reply:?}"
    );
}

#[tokio::test]
async fn a_gallery_whose_meta_item_is_gone_is_not_found_by_its_link() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    t.ready_photo(&anna, &gallery).await;
    let link = general_link(&t, &anna, &gallery).await;
    assert_eq!(t.call("GET", &link, None, None).await.status, 200);

    // A delete that stopped after the META item: the link and the photo are still there.
    delete_item(&t, format!("GALLERY#{gallery}"), "META").await;

    let reply = t.call("GET", &link, None, None).await;
    assert_error(&reply, 404, "not_found");
}

#[tokio::test]
async fn concurrent_patches_of_different_fields_all_land() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let path = format!("/galleries/{gallery}");
    // Each changes one field away from its default; a lost update would show the default again.
    let changes = [
        json!({ "title": "Smiths" }),
        json!({ "navigation_to_subgalleries": false }),
        json!({ "watermark": { "mode": "logo" } }),
        json!({ "watermark": { "text": "PROOF" } }),
        json!({ "watermark": { "position": "top_left" } }),
        json!({ "watermark": { "opacity": 0.9 } }),
        json!({ "watermark": { "scale": 0.3 } }),
    ];
    let replies = futures::future::join_all(
        changes
            .iter()
            .map(|body| t.call("PATCH", &path, Some(&anna.api_key), Some(body.clone()))),
    )
    .await;
    for reply in &replies {
        assert_eq!(reply.status, 200, "{reply:?}");
    }

    let stored = t.call("GET", &path, Some(&anna.api_key), None).await;
    assert_eq!(stored.status, 200, "{stored:?}");
    let expected = json!({
        "title": "Smiths",
        "navigation_to_subgalleries": false,
        "watermark": {
            "mode": "logo", "text": "PROOF", "position": "top_left", "opacity": 0.9, "scale": 0.3
        },
    });
    for field in ["title", "navigation_to_subgalleries", "watermark"] {
        assert_eq!(stored.json[field], expected[field], "{field}: {stored:?}");
    }
}

/// The store tells a gallery changed since it was read from one deleted since.
#[tokio::test]
async fn a_stale_gallery_update_is_a_conflict_and_a_deleted_one_not_found() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let id = proofsheet_policy::GalleryId::parse(&gallery).expect("gallery id");
    let store = t.app.store();
    let read = store.gallery(id).await.unwrap().expect("gallery");
    assert_eq!(read.revision, 0);

    let first = GalleryRecord {
        title: "First".into(),
        ..read.clone()
    };
    let stored = store.update_gallery(&first).await.expect("first update");
    assert_eq!(stored.revision, 1);
    let stale = GalleryRecord {
        title: "Second".into(),
        ..read.clone()
    };
    assert!(
        matches!(
            store.update_gallery(&stale).await,
            Err(StoreError::Conflict("concurrent_update"))
        ),
        "a write based on revision 0 must not overwrite revision 1"
    );
    let now = store.gallery(id).await.unwrap().expect("gallery");
    assert_eq!((now.title.as_str(), now.revision), ("First", 1));

    delete_item(&t, format!("GALLERY#{gallery}"), "META").await;
    assert!(matches!(
        store.update_gallery(&now).await,
        Err(StoreError::NotFound)
    ));
    assert!(
        store.gallery(id).await.unwrap().is_none(),
        "a late update must not bring a deleted gallery back"
    );
}
