//! Many clients writing at once, against the emulator as both `./scripts/dev` and
//! `./scripts/test` run it (`scripts/moto_server.py`): download requests over several private
//! links with overlapping photos, and favourites lists created past the cap, all in flight
//! together. Every limit holds, every accepted photo is charged once, and no accepted write is
//! lost. A threaded moto fails this: its TransactWriteItems rolls back by putting back a copy of
//! the whole table, undoing other requests' writes.

use std::collections::{BTreeMap, BTreeSet};

use futures::future::join_all;
use proofsheet_policy::favourites::MAX_LISTS;
use proofsheet_tests::*;
use serde_json::{Value, json};

/// The download limit of each private link.
const LIMITS: [u64; 6] = [2, 3, 4, 5, 6, 7];
/// Download requests sent at once on each link (fewer than may wait at once).
const REQUESTS_PER_LINK: usize = 16;
/// Photos in the gallery. Beyond those the requests name, they make the table big enough that a
/// threaded moto's copy of it (taken by every transaction) leaves a wide window: caught every time.
const GALLERY_PHOTOS: usize = 50;
/// Photos the requests name: far fewer than the requests, so their photo sets overlap.
const PHOTOS: usize = 8;
/// Links whose client creates lists, and how many each tries at once.
const LIST_LINKS: usize = 3;
const LISTS_TRIED: usize = MAX_LISTS + 10;

/// A private link with downloads on up to `limit` photos: (grant id, `/g/{token}` path).
async fn invite(t: &TestApp, who: &Photographer, gallery: &str, limit: u64) -> (String, String) {
    let body = json!({
        "email": unique_email("client"),
        "downloads_enabled": true,
        "download_limit": limit,
        "download_resolutions": ["web"],
    });
    let link = t.invite(who, gallery, body).await;
    (link.grant_id, link.path)
}

/// The photos request `i` names: one to three, starting anywhere, so that requests share photos
/// within a link and across links.
fn photo_set(photos: &[String], i: usize) -> Vec<String> {
    let first = (i * 3) % photos.len();
    (0..1 + i % 3)
        .map(|k| photos[(first + k) % photos.len()].clone())
        .collect()
}

/// A JSON array of strings, as a set.
fn string_set(array: &Value) -> BTreeSet<String> {
    field_set(array, None)
}

/// One string field of each object in a JSON array (`None`: the elements themselves), as a set.
fn field_set(array: &Value, field: Option<&str>) -> BTreeSet<String> {
    array
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {array}"))
        .iter()
        .map(|element| {
            let value = field.map_or(element, |f| &element[f]);
            value
                .as_str()
                .unwrap_or_else(|| panic!("no string: {element}"))
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn racing_requests_over_several_links_keep_every_limit_and_lose_no_write() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    // Seeded ready, without files: requests are charged and queued; no worker runs here.
    let mut photos = t.seed_ready_photos(&anna, &gallery, GALLERY_PHOTOS).await;
    photos.truncate(PHOTOS);
    let mut links = Vec::new();
    for limit in LIMITS {
        links.push((limit, invite(&t, &anna, &gallery, limit).await));
    }
    let listers = &links[..LIST_LINKS];

    // Every download request and every list creation in flight at once.
    let (t, photos) = (&t, &photos);
    let requests = links.iter().flat_map(|(_, (_, path))| {
        (0..REQUESTS_PER_LINK).map(move |i| async move {
            let wanted = photo_set(photos, i);
            let body = json!({ "resolution": "web", "photo_ids": wanted });
            let reply = t.create_download_request(path, None, None, body).await;
            (path.clone(), wanted, reply)
        })
    });
    let lists = listers.iter().flat_map(|(_, (_, path))| {
        (0..LISTS_TRIED).map(move |i| {
            let photo = &photos[i % PHOTOS];
            async move {
                let name = format!("List {i:02}");
                let reply = t.add_favourite(path, None, photo, Some(&name)).await;
                (path.clone(), name, reply)
            }
        })
    });
    let (requests, lists) = futures::join!(join_all(requests), join_all(lists));

    // The request ids queued per grant, a request queued twice listed twice.
    let mut messages: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for message in t.download_messages().await {
        let grant = message["grant_id"].as_str().expect("grant_id").to_owned();
        let request = message["request_id"]
            .as_str()
            .expect("request_id")
            .to_owned();
        messages.entry(grant).or_default().push(request);
    }
    for (limit, (grant, path)) in &links {
        let mut accepted = BTreeSet::new();
        let mut accepted_photos = BTreeSet::new();
        let mut charged = 0;
        for (_, wanted, reply) in requests.iter().filter(|(p, _, _)| p == path) {
            if reply.status == 403 {
                assert_error(reply, 403, "download_limit_reached");
                continue;
            }
            assert_eq!(reply.status, 202, "{reply:?}");
            assert_eq!(
                string_set(&reply.json["photos"]),
                wanted.iter().cloned().collect()
            );
            accepted.insert(reply.json["request_id"].as_str().expect("id").to_owned());
            accepted_photos.extend(wanted.iter().cloned());
            charged += reply.json["charged"].as_u64().expect("charged");
        }
        let manager = t.get_downloads(path, None).await;
        assert_eq!(manager.status, 200, "{manager:?}");
        let used = manager.json["used"].as_u64().expect("used");
        let downloaded: Vec<String> = manager.json["photos"]
            .as_array()
            .expect("photos")
            .iter()
            .filter(|p| p["state"] == "downloaded")
            .map(|p| p["photo_id"].as_str().expect("photo_id").to_owned())
            .collect();
        let downloaded_once: BTreeSet<String> = downloaded.iter().cloned().collect();
        let listed = t.list_download_requests(path, None).await;
        assert_eq!(listed.status, 200, "{listed:?}");
        let summary = format!(
            "limit {limit}: {} accepted charging {charged}, used {used}, {} downloaded, {} listed",
            accepted.len(),
            downloaded.len(),
            listed.json["requests"].as_array().map_or(0, Vec::len)
        );
        assert!(used <= *limit, "over the limit: {summary}");
        assert!(!accepted.is_empty(), "someone got through: {summary}");
        assert_eq!(charged, used, "each photo charged once: {summary}");
        assert_eq!(
            downloaded_once, accepted_photos,
            "the downloaded photos are those accepted: {summary}"
        );
        assert_eq!(
            (downloaded.len(), downloaded_once.len()),
            (used as usize, used as usize),
            "used counts the downloaded photos, each once: {summary}"
        );
        assert_eq!(
            field_set(&listed.json["requests"], Some("request_id")),
            accepted,
            "every accepted request stored: {summary}"
        );
        let mut queued = messages.remove(grant.as_str()).unwrap_or_default();
        queued.sort();
        assert_eq!(
            queued,
            Vec::from_iter(accepted),
            "every accepted request queued once: {summary}"
        );
        let usage = t.list_private_access(&anna, &gallery).await;
        let seen_by_photographer = usage.json["grants"]
            .as_array()
            .expect("grants")
            .iter()
            .find(|g| g["grant_id"] == grant.as_str())
            .map(|g| g["usage"]["downloads_used"].clone());
        assert_eq!(seen_by_photographer, Some(json!(used)), "{summary}");
    }
    assert!(messages.is_empty(), "messages for no link: {messages:?}");

    for (_, (_, path)) in listers {
        let mut created = BTreeSet::new();
        for (_, name, reply) in lists.iter().filter(|(p, _, _)| p == path) {
            if reply.status == 204 {
                created.insert(name.clone());
            } else {
                assert_invalid(reply, "list");
            }
        }
        let stored = t.list_favourites(path, None).await;
        assert_eq!(stored.status, 200, "{stored:?}");
        let stored = field_set(&stored.json["lists"], Some("name"));
        assert_eq!(
            (created.len(), stored.len()),
            (MAX_LISTS, MAX_LISTS),
            "{LISTS_TRIED} tried on a cap of {MAX_LISTS}: {created:?} created, {stored:?} stored"
        );
        assert_eq!(stored, created, "every list created is stored");
    }
}
