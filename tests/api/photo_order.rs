//! The order a client's view follows (issue 11): capture time read from EXIF at ingest (upload
//! time without one), natural file-name order, the photographer's own arrangement
//! (`PUT /galleries/{id}/order`), pages that stay put while the order does and start over when it
//! changes, and the cover on a client login's overview.

use aws_sdk_dynamodb::types::AttributeValue;
use proofsheet_app::Clock;
use proofsheet_policy::{GalleryId, PhotoId};
use proofsheet_tests::*;

use super::pagination::{Pages, all_pages, ids};
use serde_json::json;

/// When the tests' uploads happen: 2024-06-02 03:46:40 UTC.
const NOW: u64 = 1_717_300_000;

/// A small JPEG carrying an EXIF block (little-endian TIFF: IFD0 → Exif IFD) with
/// DateTimeOriginal `taken` and, if given, OffsetTimeOriginal.
fn taken_at(taken: &str, offset: Option<&str>) -> Vec<u8> {
    let ascii = |s: &str| {
        let mut v = s.as_bytes().to_vec();
        v.push(0);
        v
    };
    let mut entries = vec![(0x9003u16, ascii(taken))];
    if let Some(offset) = offset {
        entries.push((0x9011, ascii(offset)));
    }
    let exif_ifd: u32 = 8 + 2 + 12 + 4;
    let mut tiff = b"II*\0".to_vec();
    tiff.extend_from_slice(&8u32.to_le_bytes());
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&0x8769u16.to_le_bytes()); // the Exif IFD's offset (LONG)
    tiff.extend_from_slice(&4u16.to_le_bytes());
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&exif_ifd.to_le_bytes());
    tiff.extend_from_slice(&0u32.to_le_bytes());
    let mut data_at = exif_ifd as usize + 2 + 12 * entries.len() + 4;
    let mut data = Vec::new();
    tiff.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for (tag, value) in &entries {
        tiff.extend_from_slice(&tag.to_le_bytes());
        tiff.extend_from_slice(&2u16.to_le_bytes()); // ASCII
        tiff.extend_from_slice(&(value.len() as u32).to_le_bytes());
        tiff.extend_from_slice(&(data_at as u32).to_le_bytes());
        data.extend_from_slice(value);
        data_at += value.len();
    }
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.extend_from_slice(&data);

    let plain = jpeg(64, 48);
    let mut segment = vec![0xFF, 0xE1];
    segment.extend_from_slice(&u16::try_from(6 + tiff.len() + 2).unwrap().to_be_bytes());
    segment.extend_from_slice(b"Exif\0\0");
    segment.extend_from_slice(&tiff);
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&segment);
    out.extend_from_slice(&plain[2..]);
    out
}

/// Uploads `bytes` as `name` (not yet ingested); the photo id.
async fn upload(
    t: &TestApp,
    who: &Photographer,
    gallery: &str,
    name: &str,
    bytes: Vec<u8>,
) -> String {
    t.upload(who, gallery, name, bytes, "image/jpeg").await
}

/// Every photo of the link, in order, paged by `limit`.
async fn in_order(t: &TestApp, link: &str, limit: usize) -> Vec<String> {
    all_pages(t, Pages::Client(link), limit).await.concat()
}

/// One page (`query`) of the link: its photo ids and its `next_cursor`.
async fn page(t: &TestApp, link: &str, query: &str) -> (Vec<String>, Option<String>) {
    let reply = t.view_gallery(&format!("{link}?{query}"), None).await;
    assert_eq!(reply.status, 200, "{query}: {reply:?}");
    let next = reply.json["next_cursor"].as_str().map(str::to_owned);
    (ids(&reply.json), next)
}

async fn set_order(t: &TestApp, who: &Photographer, gallery: &str, order: &str) {
    let reply = t
        .update_gallery(who, gallery, json!({ "photo_order": order }))
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.json["photo_order"], order);
}

async fn captured_at(t: &TestApp, gallery: &str, photo: &str) -> Option<u64> {
    let gallery = GalleryId::parse(gallery).unwrap();
    let photo = PhotoId::parse(photo).unwrap();
    let stored = t.app.store().photo(gallery, photo).await.unwrap();
    stored.expect("photo").captured_at
}

#[tokio::test]
async fn photos_follow_when_they_were_taken_else_when_they_were_uploaded() {
    let t = TestApp::spawn_with_clock(&[], Clock::fixed(NOW)).await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    // Uploaded a, b, c, d, e; taken c, a, then d and e (no usable date: uploaded at NOW), b.
    let a = upload(
        &t,
        &anna,
        &gallery,
        "a.jpg",
        taken_at("2024:06:01 12:00:00", None),
    )
    .await;
    let b = upload(
        &t,
        &anna,
        &gallery,
        "b.jpg",
        taken_at("2024:06:03 10:00:00", Some("+02:00")),
    )
    .await;
    let c = upload(
        &t,
        &anna,
        &gallery,
        "c.jpg",
        taken_at("2024:05:31 23:00:00", Some("-03:00")),
    )
    .await;
    let d = upload(&t, &anna, &gallery, "d.jpg", jpeg(64, 48)).await;
    let e = upload(
        &t,
        &anna,
        &gallery,
        "e.jpg",
        taken_at("0000:00:00 00:00:00", None),
    )
    .await;
    // Neither a rejected photo nor one still uploading is in the order.
    upload(&t, &anna, &gallery, "junk.jpg", b"not a photo".to_vec()).await;
    let waiting = t
        .create_photo_upload(
            &anna,
            &gallery,
            json!({ "filename": "0.jpg", "content_type": "image/jpeg", "size": 100 }),
        )
        .await;
    assert_eq!(waiting.status, 201, "{waiting:?}");
    t.drain_ingest().await;

    assert_eq!(captured_at(&t, &gallery, &a).await, Some(1_717_243_200));
    assert_eq!(captured_at(&t, &gallery, &b).await, Some(1_717_401_600));
    assert_eq!(captured_at(&t, &gallery, &c).await, Some(1_717_207_200));
    assert_eq!(captured_at(&t, &gallery, &d).await, None);
    assert_eq!(
        captured_at(&t, &gallery, &e).await,
        None,
        "an unusable date"
    );

    let link = t.general_path(&anna, &gallery).await;
    let expected = [&c, &a, &d, &e, &b].map(|s| s.to_string());
    assert_eq!(
        all_pages(&t, Pages::Client(&link), 2).await,
        [&expected[..2], &expected[2..4], &expected[4..]]
    );
    assert_eq!(in_order(&t, &link, 5).await, expected, "exactly one page");
    assert_eq!(in_order(&t, &link, 100).await, expected);
    // The photographer's own list stays in upload order.
    let listed: Vec<String> = t
        .photos(&anna, &gallery)
        .await
        .iter()
        .map(|p| p["photo_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(listed[..5], [&a, &b, &c, &d, &e].map(|s| s.to_string()));
}

#[tokio::test]
async fn file_names_sort_as_people_read_them_and_a_changed_order_starts_over() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let mut uploaded = Vec::new();
    for name in [
        "IMG_10.jpg",
        "IMG_2.jpg",
        "img_1.jpg",
        "IMG_02.jpg",
        "DSC 5.jpg",
        "IMG_2.jpg",
    ] {
        uploaded.push(upload(&t, &anna, &gallery, name, jpeg(64, 48)).await);
    }
    t.drain_ingest().await;
    let link = t.general_path(&anna, &gallery).await;
    // In capture order (upload time here), a first page and its cursor.
    let (first, capture_cursor) = page(&t, &link, "limit=2").await;
    assert_eq!(first, uploaded[..2]);
    let capture_cursor = capture_cursor.expect("more pages");

    set_order(&t, &anna, &gallery, "filename").await;
    let by_name = [4, 2, 1, 5, 3, 0].map(|i| uploaded[i].clone());
    assert_eq!(
        all_pages(&t, Pages::Client(&link), 2).await,
        [&by_name[..2], &by_name[2..4], &by_name[4..]],
        "DSC 5, img_1, IMG_2 (twice: upload order), IMG_02, IMG_10"
    );
    // The capture-order cursor is not read as a place among the names: the first page again.
    let (again, next) = page(&t, &link, &format!("limit=2&cursor={capture_cursor}")).await;
    assert_eq!(again, by_name[..2]);
    let (second, _) = page(&t, &link, &format!("limit=2&cursor={}", next.unwrap())).await;
    assert_eq!(second, by_name[2..4]);

    // A photo deleted between two pages neither repeats nor hides the ones after it.
    let (_, cursor) = page(&t, &link, "limit=3").await;
    let deleted = t.delete_photo(&anna, &gallery, &by_name[2]).await;
    assert_eq!(deleted.status, 204, "{deleted:?}");
    let (rest, _) = page(&t, &link, &format!("limit=3&cursor={}", cursor.unwrap())).await;
    assert_eq!(rest, by_name[3..]);
}

#[tokio::test]
async fn the_photographers_own_order_shows_new_photos_last_and_deleted_ones_not_at_all() {
    let t = TestApp::spawn_with_clock(&[], Clock::fixed(NOW)).await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let mut p = Vec::new();
    for name in ["1.jpg", "2.jpg", "3.jpg", "4.jpg"] {
        p.push(upload(&t, &anna, &gallery, name, jpeg(64, 48)).await);
    }
    t.drain_ingest().await;
    let link = t.general_path(&anna, &gallery).await;

    let arranged = t
        .arrange_photos(&anna, &gallery, json!({ "photo_ids": [p[2], p[0]] }))
        .await;
    assert_eq!(arranged.status, 200, "{arranged:?}");
    assert_eq!(arranged.json["photo_order"], "manual");
    // Those named, then the rest in capture order.
    let order = [&p[2], &p[0], &p[1], &p[3]].map(|s| s.to_string());
    assert_eq!(arranged.json["photo_ids"], json!(order));
    assert_eq!(
        t.get_gallery(&anna, &gallery).await.json["photo_order"],
        "manual"
    );
    assert_eq!(
        all_pages(&t, Pages::Client(&link), 3).await,
        [&order[..3], &order[3..]]
    );
    let (_, old_cursor) = page(&t, &link, "limit=2").await;
    let old_cursor = old_cursor.expect("more pages");

    // A new photo comes last; a deleted one is left out; paging stays put meanwhile.
    let (first, cursor) = page(&t, &link, "limit=2").await;
    assert_eq!(first, order[..2]);
    let late = upload(&t, &anna, &gallery, "5.jpg", jpeg(64, 48)).await;
    t.drain_ingest().await;
    let deleted = t.delete_photo(&anna, &gallery, &p[1]).await;
    assert_eq!(deleted.status, 204, "{deleted:?}");
    let (rest, end) = page(&t, &link, &format!("limit=5&cursor={}", cursor.unwrap())).await;
    assert_eq!(rest, [p[3].clone(), late.clone()]);
    assert_eq!(end, None);
    assert_eq!(
        in_order(&t, &link, 2).await,
        [&p[2], &p[0], &p[3], &late].map(|s| s.to_string())
    );
    // Appending is once per photo, however often ingest is told.
    let gallery_id = GalleryId::parse(&gallery).unwrap();
    let late_id = PhotoId::parse(&late).unwrap();
    assert!(
        !t.app
            .store()
            .append_to_manual_order(gallery_id, late_id)
            .await
            .unwrap()
    );

    // Arranged again: a cursor of the earlier arrangement starts over.
    let again = t
        .arrange_photos(&anna, &gallery, json!({ "photo_ids": [late] }))
        .await;
    assert_eq!(again.status, 200, "{again:?}");
    let order = [&late, &p[0], &p[2], &p[3]].map(|s| s.to_string());
    assert_eq!(again.json["photo_ids"], json!(order));
    let (restarted, _) = page(&t, &link, &format!("limit=2&cursor={old_cursor}")).await;
    assert_eq!(restarted, order[..2]);
    assert_eq!(
        all_pages(&t, Pages::Client(&link), 2).await,
        [&order[..2], &order[2..]]
    );

    // Another order and back: the arrangement is kept.
    set_order(&t, &anna, &gallery, "capture_time").await;
    assert_eq!(
        in_order(&t, &link, 10).await,
        [&p[0], &p[2], &p[3], &late].map(|s| s.to_string())
    );
    set_order(&t, &anna, &gallery, "manual").await;
    assert_eq!(in_order(&t, &link, 10).await, order);
}

#[tokio::test]
async fn an_arrangement_names_only_the_galleries_ready_photos_once_each() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let ben = t.photographer("Ben Ray").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let other = t.create_gallery(&anna, "Other").await;
    let bens = t.create_gallery(&ben, "Ben's").await;
    let photo = t.ready_photo(&anna, &gallery).await;
    let elsewhere = t.ready_photo(&anna, &other).await;
    let foreign = t.ready_photo(&ben, &bens).await;
    let waiting = t
        .create_photo_upload(
            &anna,
            &gallery,
            json!({ "filename": "later.jpg", "content_type": "image/jpeg", "size": 100 }),
        )
        .await;
    let waiting = waiting.json["photo_id"].as_str().unwrap().to_owned();

    for ids in [
        json!([photo, elsewhere]),
        json!([foreign]),
        json!([photo, photo]),
        json!([waiting]),
        json!(["not-an-id"]),
        json!([uuid::Uuid::now_v7().to_string()]),
    ] {
        let reply = t
            .arrange_photos(&anna, &gallery, json!({ "photo_ids": ids }))
            .await;
        assert_eq!(
            (reply.status, reply.json["field"].as_str()),
            (422, Some("photo_ids")),
            "{ids}: {reply:?}"
        );
    }
    for body in [
        json!({}),
        json!({ "photo_ids": "x" }),
        json!({ "photo_ids": [], "x": 1 }),
    ] {
        let reply = t.arrange_photos(&anna, &gallery, body.clone()).await;
        assert_eq!(reply.status, 400, "{body}: {reply:?}");
    }
    // Nothing was arranged, and the order is still the default.
    assert_eq!(
        t.get_gallery(&anna, &gallery).await.json["photo_order"],
        "capture_time"
    );
    // An empty list is every ready photo in capture order.
    let all = t
        .arrange_photos(&anna, &gallery, json!({ "photo_ids": [] }))
        .await;
    assert_eq!(all.status, 200, "{all:?}");
    assert_eq!(all.json["photo_ids"], json!([photo]));
    // Another photographer's gallery is not found.
    let reply = t
        .arrange_photos(&ben, &gallery, json!({ "photo_ids": [] }))
        .await;
    assert_eq!(reply.status, 404, "{reply:?}");
}

#[tokio::test]
async fn a_manual_order_not_arranged_yet_reads_in_capture_order() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let mut p = Vec::new();
    for name in ["b.jpg", "a.jpg", "c.jpg"] {
        p.push(upload(&t, &anna, &gallery, name, jpeg(64, 48)).await);
    }
    t.drain_ingest().await;
    set_order(&t, &anna, &gallery, "manual").await;
    let link = t.general_path(&anna, &gallery).await;
    assert_eq!(
        all_pages(&t, Pages::Client(&link), 2).await,
        [&p[..2], &p[2..]]
    );
}

#[tokio::test]
async fn the_overview_shows_the_chosen_cover_else_the_first_in_order() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let later = upload(
        &t,
        &anna,
        &gallery,
        "a.jpg",
        taken_at("2024:06:01 12:00:00", None),
    )
    .await;
    let earlier = upload(
        &t,
        &anna,
        &gallery,
        "b.jpg",
        taken_at("2024:05:01 12:00:00", None),
    )
    .await;
    t.drain_ingest().await;
    let (login, code) = t.new_client_login(&anna, "Carol", None).await;
    let released = t.release_gallery(&anna, &login, &gallery, None).await;
    assert_eq!(released.status, 201, "{released:?}");
    let me = t.login_session(&anna.slug, &code).await;
    let cover = || async {
        let reply = t.my_galleries(Some(&me)).await;
        assert_eq!(reply.status, 200, "{reply:?}");
        let card = &reply.json["galleries"][0];
        assert_eq!(card["gallery_id"], gallery.as_str());
        card["cover"]["photo_id"].as_str().map(str::to_owned)
    };

    // The first in capture order, not in upload order.
    assert_eq!(cover().await.as_deref(), Some(earlier.as_str()));
    // The one the photographer chose.
    let chosen = t
        .update_gallery(&anna, &gallery, json!({ "cover_photo_id": later }))
        .await;
    assert_eq!(chosen.status, 200, "{chosen:?}");
    assert_eq!(cover().await.as_deref(), Some(later.as_str()));
    // By file name, the chosen one still wins.
    set_order(&t, &anna, &gallery, "filename").await;
    assert_eq!(cover().await.as_deref(), Some(later.as_str()));
    // Gone: the first in the gallery's order again (by file name: a.jpg is gone, b.jpg).
    let deleted = t.delete_photo(&anna, &gallery, &later).await;
    assert_eq!(deleted.status, 204, "{deleted:?}");
    assert_eq!(cover().await.as_deref(), Some(earlier.as_str()));
    // Arranged by hand: the first of the arrangement.
    let newest = t.ready_photo(&anna, &gallery).await;
    let arranged = t
        .arrange_photos(&anna, &gallery, json!({ "photo_ids": [newest] }))
        .await;
    assert_eq!(arranged.status, 200, "{arranged:?}");
    assert_eq!(cover().await.as_deref(), Some(newest.as_str()));
}

#[tokio::test]
async fn photos_made_ready_before_the_order_indexes_are_indexed_once_asked() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let photo = t.ready_photo(&anna, &gallery).await;
    // As stored before issue 11: ready, without the index keys.
    let sdk = proofsheet_store::load_sdk_config().await;
    aws_sdk_dynamodb::Client::new(&sdk)
        .update_item()
        .table_name(&t.provisioned.resources.table)
        .key("PK", AttributeValue::S(format!("GALLERY#{gallery}")))
        .key("SK", AttributeValue::S(format!("PHOTO#{photo}")))
        .update_expression("REMOVE GSI1PK, GSI1SK, GSI2PK, GSI2SK")
        .send()
        .await
        .unwrap();
    let link = t.general_path(&anna, &gallery).await;
    assert_eq!(in_order(&t, &link, 10).await, Vec::<String>::new());

    let owner = proofsheet_policy::PhotographerId::parse(&anna.id).unwrap();
    assert_eq!(t.app.store().index_photo_orders(owner).await.unwrap(), 1);
    assert_eq!(t.app.store().index_photo_orders(owner).await.unwrap(), 0);
    assert_eq!(in_order(&t, &link, 10).await, std::slice::from_ref(&photo));
    set_order(&t, &anna, &gallery, "filename").await;
    assert_eq!(in_order(&t, &link, 10).await, [photo]);
}

#[tokio::test]
async fn the_photographers_list_follows_the_gallerys_order_when_asked() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let mut uploaded = Vec::new();
    for name in ["IMG_10.jpg", "IMG_2.jpg", "img_1.jpg"] {
        uploaded.push(upload(&t, &anna, &gallery, name, jpeg(64, 48)).await);
    }
    t.drain_ingest().await;
    // Sent, not processed yet: the photographer's upload order shows it, the gallery's doesn't.
    let waiting = upload(&t, &anna, &gallery, "IMG_0.jpg", jpeg(64, 48)).await;
    set_order(&t, &anna, &gallery, "filename").await;

    let everything = all_pages(&t, Pages::Photographer(&anna, &gallery), 10).await;
    assert_eq!(everything.concat(), [&uploaded[..], &[waiting]].concat());
    let by_name = [2, 1, 0].map(|i| uploaded[i].clone());
    let in_gallery_order = t
        .list_photos_page(&anna, &gallery, "order=gallery&limit=2")
        .await;
    assert_eq!(ids(&in_gallery_order.json), by_name[..2]);
    let cursor = in_gallery_order.json["next_cursor"].as_str().unwrap();
    let rest = t
        .list_photos_page(
            &anna,
            &gallery,
            &format!("order=gallery&limit=2&cursor={cursor}"),
        )
        .await;
    assert_eq!(ids(&rest.json), by_name[2..]);
    assert_eq!(rest.json["next_cursor"], serde_json::Value::Null);
    // What the gallery's clients see, in the same order.
    let link = t.general_path(&anna, &gallery).await;
    assert_eq!(in_order(&t, &link, 10).await, by_name);

    let sideways = t.list_photos_page(&anna, &gallery, "order=sideways").await;
    assert_invalid(&sideways, "order");
}
