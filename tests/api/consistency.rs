//! Records stay whole under races and partial failures: a half-deleted gallery, concurrent
//! changes, parents and galleries deleted while something is created under them, deletes that
//! fail midway.

use proofsheet_policy::{GalleryId, GrantId, PhotoId, PhotographerId};
use proofsheet_store::{
    Conflict, GalleryRecord, GrantRecord, ParentAsRead, PhotoRecord, StoreError,
};
use proofsheet_tests::*;
use serde_json::json;
use uuid::Uuid;

/// The test's own DynamoDB client, to play a crash or a concurrent writer behind the API's back.
async fn dynamodb() -> aws_sdk_dynamodb::Client {
    let sdk = proofsheet_store::load_sdk_config().await;
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

#[tokio::test]
async fn a_gallery_whose_meta_item_is_gone_is_not_found_by_its_link() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    t.ready_photo(&anna, &gallery).await;
    let link = t.general_path(&anna, &gallery).await;
    assert_eq!(t.view_gallery(&link, None).await.status, 200);

    // A delete that stopped after the META item: the link and the photo are still there.
    delete_item(&t, format!("GALLERY#{gallery}"), "META").await;

    let reply = t.view_gallery(&link, None).await;
    assert_error(&reply, 404, "not_found");
}

#[tokio::test]
async fn concurrent_patches_of_different_fields_all_land() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
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
            .map(|body| t.update_gallery(&anna, &gallery, body.clone())),
    )
    .await;
    for reply in &replies {
        assert_eq!(reply.status, 200, "{reply:?}");
    }

    let stored = t.get_gallery(&anna, &gallery).await;
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
    let id = GalleryId::parse(&gallery).expect("gallery id");
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
            Err(StoreError::Conflict(Conflict::ConcurrentUpdate))
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

/// What the gallery handler writes for a new sub-gallery of `parent` (fresh ids, same shape),
/// and the parent as read to make it.
async fn child_of(t: &TestApp, parent: &str) -> (GalleryRecord, GrantRecord, ParentAsRead) {
    let store = t.app.store();
    let read = store
        .parent_as_read(GalleryId::parse(parent).unwrap())
        .await
        .unwrap();
    let child = GalleryRecord {
        id: GalleryId::from_uuid(Uuid::now_v7()),
        parent_id: Some(read.gallery.id),
        depth: read.gallery.depth + 1,
        general_grant_id: GrantId::from_uuid(Uuid::now_v7()),
        revision: 0,
        ..read.gallery.clone()
    };
    let general = GrantRecord {
        id: child.general_grant_id,
        gallery_id: child.id,
        ..read.general.clone()
    };
    (child, general, read)
}

/// The handler reads the parent, then writes the child: here the parent goes in between.
#[tokio::test]
async fn a_sub_gallery_is_not_created_under_a_parent_deleted_meanwhile() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let store = t.app.store();
    let parent = t.create_gallery(&anna, "Smith wedding").await;
    let (child, general, read) = child_of(&t, &parent).await;
    let deleted = t.delete_gallery(&anna, &parent).await;
    assert_eq!(deleted.status, 204, "{deleted:?}");

    assert!(matches!(
        store.create_gallery(&child, &general, Some(&read)).await,
        Err(StoreError::NotFound)
    ));
    assert!(store.gallery(child.id).await.unwrap().is_none());
    assert!(store.grant(general.id).await.unwrap().is_none());
}

/// The handler reads the parent, then writes the child: here the parent's general link gets a
/// password in between. The child is not written from the stale read (it would start open); made
/// again from a fresh one, it starts protected.
#[tokio::test]
async fn a_sub_gallery_is_made_again_when_its_parent_changed_meanwhile() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let store = t.app.store();
    let parent = t.create_gallery(&anna, "Smith wedding").await;
    let (child, general, read) = child_of(&t, &parent).await;
    t.set_general(&anna, &parent, json!({ "password": "letmein1" }))
        .await;

    assert!(matches!(
        store.create_gallery(&child, &general, Some(&read)).await,
        Err(StoreError::Conflict(Conflict::ConcurrentUpdate))
    ));
    assert!(store.gallery(child.id).await.unwrap().is_none());

    let made_from = std::sync::Mutex::new(Vec::new());
    let (made, made_general) = store
        .create_subgallery(read, |parent| {
            made_from
                .lock()
                .unwrap()
                .push(parent.general.settings.password.is_some());
            let general = GrantRecord {
                settings: parent.general.settings.clone(),
                ..general.clone()
            };
            Ok::<_, StoreError>((child.clone(), general))
        })
        .await
        .expect("made again from a fresh read");
    assert_eq!(*made_from.lock().unwrap(), [false, true]);
    assert_eq!(made.id, child.id);
    let stored = store.grant(made_general.id).await.unwrap().unwrap();
    assert!(stored.settings.password.is_some(), "starts protected");
}

/// A delete marks the gallery before it looks for sub-galleries: a sub-gallery made from a read
/// taken before the mark is not written (its parent changed), and made again it sees the mark.
/// A delete refused for its sub-galleries takes the mark back.
#[tokio::test]
async fn no_sub_gallery_is_created_under_a_gallery_being_deleted() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let store = t.app.store();
    let parent = t.create_gallery(&anna, "Smith wedding").await;
    let (child, general, read) = child_of(&t, &parent).await;
    // The delete's mark lands between the read and the write.
    let (_, marked) = store
        .change_gallery(read.gallery.clone(), |g| {
            Ok::<_, StoreError>(GalleryRecord {
                deleting: true,
                ..g.clone()
            })
        })
        .await
        .unwrap();
    assert!(matches!(
        store.create_gallery(&child, &general, Some(&read)).await,
        Err(StoreError::Conflict(Conflict::ConcurrentUpdate))
    ));
    let refused = t
        .create_gallery_raw(&anna, json!({ "title": "Ceremony", "parent_id": parent }))
        .await;
    assert_error(&refused, 422, "invalid_request");
    assert_eq!(refused.json["field"], "parent_id");
    assert!(store.gallery(child.id).await.unwrap().is_none());

    // A delete refused for a sub-gallery takes its mark back: the gallery takes new ones again.
    store
        .change_gallery(marked, |g| {
            Ok::<_, StoreError>(GalleryRecord {
                deleting: false,
                ..g.clone()
            })
        })
        .await
        .unwrap();
    let first = t
        .create_gallery_raw(&anna, json!({ "title": "Ceremony", "parent_id": parent }))
        .await;
    assert_eq!(first.status, 201, "{first:?}");
    assert_error(
        &t.delete_gallery(&anna, &parent).await,
        409,
        "gallery_has_subgalleries",
    );
    let gallery = store
        .gallery(GalleryId::parse(&parent).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(!gallery.deleting, "the refused delete took its mark back");
    let second = t
        .create_gallery_raw(&anna, json!({ "title": "Reception", "parent_id": parent }))
        .await;
    assert_eq!(second.status, 201, "{second:?}");
}

#[tokio::test]
async fn a_sub_gallery_is_created_only_under_its_own_photographers_parent() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let ben = t.photographer("Ben Ng").await;
    let store = t.app.store();
    let parent = t.create_gallery(&anna, "Smith wedding").await;

    let (child, general, read) = child_of(&t, &parent).await;
    let foreign = GalleryRecord {
        owner_id: PhotographerId::parse(&ben.id).unwrap(),
        ..child.clone()
    };
    assert!(matches!(
        store.create_gallery(&foreign, &general, Some(&read)).await,
        Err(StoreError::NotFound)
    ));
    assert!(store.gallery(child.id).await.unwrap().is_none());

    // The same child under its owner's live parent is created.
    store
        .create_gallery(&child, &general, Some(&read))
        .await
        .expect("child under a live parent");
    let listed = t.get_gallery(&anna, &parent).await;
    assert_eq!(listed.json["subgalleries"][0]["id"], child.id.to_string());
}

/// The upload handler reads the gallery, then writes the photo: here the gallery goes in between.
#[tokio::test]
async fn a_photo_is_not_created_in_a_gallery_deleted_meanwhile() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let store = t.app.store();
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let photo_id = t.ready_photo(&anna, &gallery).await;
    let gallery_id = GalleryId::parse(&gallery).unwrap();
    let existing = store
        .photo(gallery_id, PhotoId::parse(&photo_id).unwrap())
        .await
        .unwrap()
        .expect("photo");
    let deleted = t.delete_gallery(&anna, &gallery).await;
    assert_eq!(deleted.status, 204, "{deleted:?}");

    let late = PhotoRecord {
        id: PhotoId::from_uuid(Uuid::now_v7()),
        ..existing
    };
    assert!(matches!(
        store.create_photo(&late).await,
        Err(StoreError::NotFound)
    ));
    assert!(store.photo(gallery_id, late.id).await.unwrap().is_none());
    let upload = t
        .create_photo_upload(
            &anna,
            &gallery,
            json!({ "filename": "a.jpg", "content_type": "image/jpeg", "size": 1000 }),
        )
        .await;
    assert_error(&upload, 404, "not_found");
}

/// The app with the test's table but a bucket that doesn't exist: every S3 call fails.
async fn app_without_bucket(t: &TestApp) -> proofsheet_app::App {
    let sdk = proofsheet_store::load_sdk_config().await;
    let mut config = t.app.config().clone();
    config.bucket = format!("{}-missing", t.provisioned.resources.bucket);
    proofsheet_app::App::new(&sdk, config)
}

async fn dispatch(app: &proofsheet_app::App, method: &str, path: &str, key: &str) -> u16 {
    let req = http::Request::builder()
        .method(method)
        .uri(format!("{BASE_URL}{path}"))
        .header("authorization", format!("Bearer {key}"))
        .body(lambda_http::Body::Empty)
        .expect("request");
    proofsheet_http::dispatch(app, req).await.status().as_u16()
}

#[tokio::test]
async fn a_photo_whose_files_could_not_be_deleted_is_kept_and_can_be_deleted_again() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let photo = t.ready_photo(&anna, &gallery).await;
    let path = format!("/galleries/{gallery}/photos/{photo}");
    let files = format!("renditions/{gallery}/{photo}/");
    assert!(!t.stored_keys(&files).await.is_empty());

    let broken = app_without_bucket(&t).await;
    assert_eq!(dispatch(&broken, "DELETE", &path, &anna.api_key).await, 500);
    let listed = t.list_photos(&anna, &gallery).await;
    assert_eq!(
        listed.json["photos"][0]["photo_id"], photo,
        "the photo must stay listed while its files remain"
    );

    let again = t.delete_photo(&anna, &gallery, &photo).await;
    assert_eq!(again.status, 204, "{again:?}");
    assert_eq!(t.stored_keys(&files).await, Vec::<String>::new());
    assert_eq!(
        t.stored_keys(&format!("originals/{gallery}/{photo}")).await,
        Vec::<String>::new()
    );
    let gone = t.delete_photo(&anna, &gallery, &photo).await;
    assert_error(&gone, 404, "not_found");
}

#[tokio::test]
async fn a_gallery_whose_files_could_not_be_deleted_is_kept_and_can_be_deleted_again() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    t.ready_photo(&anna, &gallery).await;
    let path = format!("/galleries/{gallery}");

    let broken = app_without_bucket(&t).await;
    assert_eq!(dispatch(&broken, "DELETE", &path, &anna.api_key).await, 500);
    let kept = t.get_gallery(&anna, &gallery).await;
    assert_eq!(
        kept.status, 200,
        "the gallery must stay while its files remain"
    );

    let again = t.delete_gallery(&anna, &gallery).await;
    assert_eq!(again.status, 204, "{again:?}");
    assert_eq!(
        t.stored_keys(&format!("renditions/{gallery}/")).await,
        Vec::<String>::new()
    );
    assert_error(&t.get_gallery(&anna, &gallery).await, 404, "not_found");
}

#[tokio::test]
async fn a_gallery_delete_that_stopped_after_its_links_can_be_finished() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let photo = t.ready_photo(&anna, &gallery).await;
    let link = t.general_path(&anna, &gallery).await;
    let grant = t
        .app
        .store()
        .gallery(GalleryId::parse(&gallery).unwrap())
        .await
        .unwrap()
        .expect("gallery")
        .general_grant_id;
    // What a delete leaves when it fails after the files and links: the items of the partition.
    delete_item(&t, format!("GRANT#{grant}"), "GRANT").await;
    assert_error(&t.view_gallery(&link, None).await, 404, "not_found");
    assert_error(
        &t.get_general_access(&anna, &gallery).await,
        404,
        "not_found",
    );

    let again = t.delete_gallery(&anna, &gallery).await;
    assert_eq!(again.status, 204, "{again:?}");
    assert!(
        t.app
            .store()
            .photo(
                GalleryId::parse(&gallery).unwrap(),
                PhotoId::parse(&photo).unwrap()
            )
            .await
            .unwrap()
            .is_none()
    );
    assert_error(&t.get_gallery(&anna, &gallery).await, 404, "not_found");
}
