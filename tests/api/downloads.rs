//! The download manager on a client's private link: selecting photos, download requests and
//! what they charge against the link's limit (a photo counts once, a request past the limit is
//! refused whole, under any timing), the cap on requests waiting at once, `Idempotency-Key`
//! retries, the queue message each accepted request sends, the photographer raising a limit, a
//! 1,000-photo request, and the links that may not use the manager (general link, revoked grant,
//! password-protected link without a session).

use std::time::Instant;

use futures::future::join_all;
use proofsheet_http::ROUTES;
use proofsheet_policy::MAX_PENDING_REQUESTS;
use proofsheet_tests::*;
use serde_json::{Value, json};

/// A client's private link.
type Client = PrivateLink;

/// Downloads on, at most `limit` photos (`None`: unlimited), web and high resolutions.
fn downloads(limit: Option<u32>) -> Value {
    json!({
        "downloads_enabled": true,
        "download_limit": limit,
        "download_resolutions": ["web", "high"],
    })
}

/// Invites a fresh client with these settings.
async fn invite(t: &TestApp, who: &Photographer, gallery: &str, settings: Value) -> Client {
    let mut body = json!({ "email": unique_email("client") });
    if let (Some(target), Value::Object(extra)) = (body.as_object_mut(), settings) {
        target.extend(extra);
    }
    t.invite(who, gallery, body).await
}

/// `POST …/downloads/requests` for these photos at web resolution, no idempotency key.
async fn request(t: &TestApp, client: &Client, photos: &[String]) -> Reply {
    t.create_download_request(
        &client.path,
        None,
        None,
        json!({ "resolution": "web", "photo_ids": photos }),
    )
    .await
}

/// The download manager, insisting on 200.
async fn manager(t: &TestApp, client: &Client) -> Value {
    let reply = t.get_downloads(&client.path, None).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.json
}

/// `usage.downloads_used` of the grant as the photographer sees it.
async fn used_per_photographer(t: &TestApp, who: &Photographer, gallery: &str, grant: &str) -> u64 {
    let reply = t.list_private_access(who, gallery).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let grant = reply.json["grants"]
        .as_array()
        .expect("grants")
        .iter()
        .find(|g| g["grant_id"] == grant)
        .unwrap_or_else(|| panic!("grant {grant} not listed: {reply:?}"));
    grant["usage"]["downloads_used"]
        .as_u64()
        .expect("downloads_used")
}

/// `used` as the manager and the photographer both show it (they must agree).
async fn used(t: &TestApp, who: &Photographer, gallery: &str, client: &Client) -> u64 {
    let in_manager = manager(t, client).await["used"].as_u64().expect("used");
    let for_photographer = used_per_photographer(t, who, gallery, &client.grant_id).await;
    assert_eq!(
        in_manager, for_photographer,
        "manager and private-access disagree"
    );
    in_manager
}

/// The manager's photos as (photo_id, state), sorted.
fn states(manager: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = manager["photos"]
        .as_array()
        .expect("photos")
        .iter()
        .map(|p| {
            (
                p["photo_id"].as_str().expect("photo_id").to_owned(),
                p["state"].as_str().expect("state").to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

/// The photo ids of an accepted request, sorted.
fn request_photos(reply: &Reply) -> Vec<String> {
    let mut out: Vec<String> = reply.json["photos"]
        .as_array()
        .unwrap_or_else(|| panic!("no photos in {reply:?}"))
        .iter()
        .map(|p| p.as_str().expect("photo id").to_owned())
        .collect();
    out.sort();
    out
}

fn sorted(ids: &[String]) -> Vec<String> {
    let mut out = ids.to_vec();
    out.sort();
    out
}

/// An accepted request: 202, queued, with what it charged.
fn assert_accepted(reply: &Reply, charged: u64) {
    assert_eq!(reply.status, 202, "{reply:?}");
    assert_eq!(reply.json["status"], "queued", "{reply:?}");
    assert_eq!(reply.json["charged"], charged, "{reply:?}");
}

fn request_id(reply: &Reply) -> String {
    reply.json["request_id"]
        .as_str()
        .unwrap_or_else(|| panic!("no request_id in {reply:?}"))
        .to_owned()
}

/// The request ids of `prepare_download` messages for this grant.
fn queued_requests(messages: &[Value], client: &Client) -> Vec<String> {
    messages
        .iter()
        .inspect(|m| assert_eq!(m["job"], "prepare_download", "{m}"))
        .filter(|m| m["grant_id"] == client.grant_id.as_str())
        .map(|m| m["request_id"].as_str().expect("request_id").to_owned())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The manager and the selection
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_manager_shows_the_links_settings_usage_and_selection() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let photos = t.ready_photos(&anna, &gallery, 2).await;
    let mut clean = downloads(Some(5));
    clean["downloads_watermarked"] = json!(false);
    let limited = invite(&t, &anna, &gallery, clean).await;
    // Downloads watermarked: the gallery's default.
    let unlimited = invite(
        &t,
        &anna,
        &gallery,
        json!({ "downloads_enabled": true, "download_limit": null,
                "download_resolutions": ["original"] }),
    )
    .await;

    let fresh = manager(&t, &limited).await;
    assert_eq!(fresh["downloads_enabled"], true, "{fresh}");
    assert_eq!(fresh["resolutions"], json!(["web", "high"]), "{fresh}");
    assert_eq!(fresh["watermarked"], false, "{fresh}");
    assert_eq!(
        (&fresh["limit"], &fresh["used"], &fresh["remaining"]),
        (&json!(5), &json!(0), &json!(5)),
        "{fresh}"
    );
    assert_eq!(fresh["photos"], json!([]), "{fresh}");

    let open = manager(&t, &unlimited).await;
    assert_eq!(open["resolutions"], json!(["original"]), "{open}");
    assert_eq!(open["watermarked"], true, "{open}");
    assert_eq!(open["limit"], Value::Null, "{open}");
    assert_eq!(open["remaining"], Value::Null, "unlimited: {open}");

    for photo in &photos {
        let selected = t.select_download(&limited.path, None, photo).await;
        assert_eq!(selected.status, 204, "{selected:?}");
    }
    // Selecting again changes nothing.
    let again = t.select_download(&limited.path, None, &photos[0]).await;
    assert_eq!(again.status, 204, "{again:?}");
    let want: Vec<(String, String)> = sorted(&photos)
        .into_iter()
        .map(|p| (p, "selected".to_owned()))
        .collect();
    let after = manager(&t, &limited).await;
    assert_eq!(states(&after), want, "{after}");
    assert_eq!(after["used"], 0, "selecting charges nothing: {after}");

    // Unselecting (twice: idempotent) takes it out; the other client's manager never had it.
    for _ in 0..2 {
        let unselected = t.unselect_download(&limited.path, None, &photos[0]).await;
        assert_eq!(unselected.status, 204, "{unselected:?}");
    }
    let after = manager(&t, &limited).await;
    assert_eq!(
        states(&after),
        vec![(photos[1].clone(), "selected".to_owned())],
        "{after}"
    );
    assert_eq!(manager(&t, &unlimited).await["photos"], json!([]));
}

#[tokio::test]
async fn only_ready_photos_of_the_gallery_can_be_selected_and_only_with_downloads_on() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let other_gallery = t.create_gallery(&anna, "Other").await;
    let photo = t.ready_photos(&anna, &gallery, 1).await.remove(0);
    let foreign = t.ready_photos(&anna, &other_gallery, 1).await.remove(0);
    // Uploaded, not ingested yet: still uploading.
    let pending = t
        .upload(&anna, &gallery, "later.jpg", jpeg(16, 16), "image/jpeg")
        .await;
    let client = invite(&t, &anna, &gallery, downloads(None)).await;
    let off = invite(&t, &anna, &gallery, json!({ "downloads_enabled": false })).await;

    for (what, id) in [
        ("another gallery's photo", foreign.as_str()),
        ("a photo still uploading", pending.as_str()),
        ("an unknown photo", "0190a8d2-8e5c-7c3e-9d55-222222222222"),
        ("a malformed id", "not-a-photo"),
    ] {
        let reply = t.select_download(&client.path, None, id).await;
        assert_eq!(
            (reply.status, reply.error_code()),
            (404, "not_found"),
            "{what}: {reply:?}"
        );
    }
    assert_eq!(manager(&t, &client).await["photos"], json!([]));

    let refused = t.select_download(&off.path, None, &photo).await;
    assert_error(&refused, 403, "downloads_disabled");
    let off_manager = manager(&t, &off).await;
    assert_eq!(off_manager["downloads_enabled"], false, "{off_manager}");
    assert_eq!(off_manager["resolutions"], json!([]), "{off_manager}");
    assert_eq!(off_manager["photos"], json!([]), "{off_manager}");

    let selected = t.select_download(&client.path, None, &photo).await;
    assert_eq!(selected.status, 204, "{selected:?}");
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_request_without_photos_takes_the_selection_which_then_shows_as_downloaded() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let photos = t.ready_photos(&anna, &gallery, 3).await;
    let mut clean = downloads(Some(10));
    clean["downloads_watermarked"] = json!(false);
    let client = invite(&t, &anna, &gallery, clean).await;
    for photo in &photos[..2] {
        assert_eq!(
            t.select_download(&client.path, None, photo).await.status,
            204
        );
    }

    let reply = t
        .create_download_request(&client.path, None, None, json!({ "resolution": "high" }))
        .await;
    assert_accepted(&reply, 2);
    assert_eq!(request_photos(&reply), sorted(&photos[..2]), "{reply:?}");
    assert_eq!(reply.json["resolution"], "high", "{reply:?}");
    assert_eq!(reply.json["watermarked"], false, "{reply:?}");
    assert_eq!(
        reply.json["progress"],
        json!({ "done": 0, "total": 2 }),
        "{reply:?}"
    );
    assert_eq!(reply.json["link"], Value::Null, "{reply:?}");
    let created_at = reply.json["created_at"].as_str().expect("created_at");
    assert!(created_at.ends_with('Z'), "RFC 3339 UTC: {created_at}");

    let after = manager(&t, &client).await;
    let want: Vec<(String, String)> = sorted(&photos[..2])
        .into_iter()
        .map(|p| (p, "downloaded".to_owned()))
        .collect();
    assert_eq!(
        states(&after),
        want,
        "the selection left for downloaded: {after}"
    );
    assert_eq!(
        (&after["used"], &after["remaining"]),
        (&json!(2), &json!(8))
    );
    assert_eq!(used(&t, &anna, &gallery, &client).await, 2);

    // The selection is empty now: a second request has nothing to take.
    let nothing = t
        .create_download_request(&client.path, None, None, json!({ "resolution": "web" }))
        .await;
    assert_invalid(&nothing, "photo_ids");

    // The accepted request's message is on the download queue, and only it.
    let messages = t.download_messages().await;
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(
        messages[0],
        json!({ "job": "prepare_download", "grant_id": client.grant_id, "request_id": request_id(&reply) })
    );
}

#[tokio::test]
async fn a_downloaded_photo_cannot_be_unselected() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let photos = t.ready_photos(&anna, &gallery, 2).await;
    let client = invite(&t, &anna, &gallery, downloads(Some(10))).await;
    assert_accepted(&request(&t, &client, &photos[..1]).await, 1);

    // Named in a request without being selected first: downloaded all the same.
    let refused = t.unselect_download(&client.path, None, &photos[0]).await;
    assert_error(&refused, 409, "already_downloaded");
    // Selecting it again doesn't make it removable either.
    assert_eq!(
        t.select_download(&client.path, None, &photos[0])
            .await
            .status,
        204
    );
    let refused = t.unselect_download(&client.path, None, &photos[0]).await;
    assert_error(&refused, 409, "already_downloaded");
    let after = manager(&t, &client).await;
    assert_eq!(
        states(&after),
        vec![(photos[0].clone(), "downloaded".to_owned())],
        "{after}"
    );

    // A photo only selected comes out as before.
    assert_eq!(
        t.select_download(&client.path, None, &photos[1])
            .await
            .status,
        204
    );
    assert_eq!(
        t.unselect_download(&client.path, None, &photos[1])
            .await
            .status,
        204
    );
    assert_eq!(states(&manager(&t, &client).await).len(), 1);
}

#[tokio::test]
async fn refused_requests_charge_nothing_and_queue_nothing() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let other_gallery = t.create_gallery(&anna, "Other").await;
    let photos = t.ready_photos(&anna, &gallery, 2).await;
    let foreign = t.ready_photos(&anna, &other_gallery, 1).await.remove(0);
    let pending = t
        .upload(&anna, &gallery, "later.jpg", jpeg(16, 16), "image/jpeg")
        .await;
    let client = invite(&t, &anna, &gallery, downloads(Some(10))).await;
    let off = invite(&t, &anna, &gallery, json!({ "downloads_enabled": false })).await;

    let disabled = request(&t, &off, &photos).await;
    assert_error(&disabled, 403, "downloads_disabled");
    let disabled_all = t
        .create_download_request(
            &off.path,
            None,
            None,
            json!({ "resolution": "web", "all": true }),
        )
        .await;
    assert_error(&disabled_all, 403, "downloads_disabled");

    let original = t
        .create_download_request(
            &client.path,
            None,
            None,
            json!({ "resolution": "original", "photo_ids": photos }),
        )
        .await;
    assert_invalid(&original, "resolution");

    for (what, body, field) in [
        (
            "nothing selected",
            json!({ "resolution": "web" }),
            "photo_ids",
        ),
        (
            "no photo named",
            json!({ "resolution": "web", "photo_ids": [] }),
            "photo_ids",
        ),
        (
            "an unknown photo",
            json!({ "resolution": "web", "photo_ids": [photos[0], "0190a8d2-8e5c-7c3e-9d55-222222222222"] }),
            "photo_ids",
        ),
        (
            "another gallery's photo",
            json!({ "resolution": "web", "photo_ids": [photos[0], foreign] }),
            "photo_ids",
        ),
        (
            "a photo still uploading",
            json!({ "resolution": "web", "photo_ids": [photos[0], pending] }),
            "photo_ids",
        ),
        (
            "a malformed id",
            json!({ "resolution": "web", "photo_ids": [photos[0], "nope"] }),
            "photo_ids",
        ),
        (
            "both all and photo_ids",
            json!({ "resolution": "web", "all": true, "photo_ids": [photos[0]] }),
            "all",
        ),
    ] {
        let reply = t
            .create_download_request(&client.path, None, None, body)
            .await;
        assert_eq!(
            (reply.status, reply.json["field"].as_str()),
            (422, Some(field)),
            "{what}: {reply:?}"
        );
        assert_eq!(reply.error_code(), "invalid_request", "{what}: {reply:?}");
    }

    assert_eq!(used(&t, &anna, &gallery, &client).await, 0);
    assert_eq!(used(&t, &anna, &gallery, &off).await, 0);
    assert_eq!(manager(&t, &client).await["photos"], json!([]));
    let listed = t.list_download_requests(&client.path, None).await;
    assert_eq!(listed.json, json!({ "requests": [] }), "{listed:?}");
    assert!(t.download_messages().await.is_empty());

    // The control: the same client and photos, asked for properly, are accepted.
    assert_accepted(&request(&t, &client, &photos).await, 2);
}

#[tokio::test]
async fn a_photo_counts_once_whatever_the_resolution() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let photos = t.ready_photos(&anna, &gallery, 3).await;
    let client = invite(&t, &anna, &gallery, downloads(Some(3))).await;
    let (a, b, c) = (&photos[0], &photos[1], &photos[2]);

    let web = request(&t, &client, &[a.clone(), b.clone()]).await;
    assert_accepted(&web, 2);
    let high = t
        .create_download_request(
            &client.path,
            None,
            None,
            json!({ "resolution": "high", "photo_ids": [a, b] }),
        )
        .await;
    assert_accepted(&high, 0);
    assert_ne!(request_id(&web), request_id(&high));
    assert_eq!(used(&t, &anna, &gallery, &client).await, 2);

    // A photo named twice is one photo.
    let twice = request(&t, &client, &[a.clone(), a.clone()]).await;
    assert_accepted(&twice, 0);
    assert_eq!(request_photos(&twice), vec![a.clone()]);

    // One new photo and one downloaded: only the new one costs, and it just fits.
    let mixed = request(&t, &client, &[a.clone(), c.clone()]).await;
    assert_accepted(&mixed, 1);
    assert_eq!(request_photos(&mixed), sorted(&[a.clone(), c.clone()]));
    assert_eq!(used(&t, &anna, &gallery, &client).await, 3);

    // At the limit, everything downloaded is still free to download again, in any resolution.
    let all_again = t
        .create_download_request(
            &client.path,
            None,
            None,
            json!({ "resolution": "high", "all": true }),
        )
        .await;
    assert_accepted(&all_again, 0);
    assert_eq!(request_photos(&all_again), sorted(&photos));
    assert_eq!(used(&t, &anna, &gallery, &client).await, 3);
    assert_eq!(
        t.download_messages().await.len(),
        5,
        "one message per accepted request"
    );
}

#[tokio::test]
async fn a_request_that_would_pass_the_limit_is_refused_whole() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let photos = t.ready_photos(&anna, &gallery, 5).await;
    let client = invite(&t, &anna, &gallery, downloads(Some(3))).await;

    let too_many = request(&t, &client, &photos[..4]).await;
    assert_error(&too_many, 403, "download_limit_reached");
    assert_eq!(too_many.json["remaining"], 3, "{too_many:?}");
    let all = t
        .create_download_request(
            &client.path,
            None,
            None,
            json!({ "resolution": "web", "all": true }),
        )
        .await;
    assert_error(&all, 403, "download_limit_reached");
    assert_eq!(
        used(&t, &anna, &gallery, &client).await,
        0,
        "nothing charged"
    );
    assert_eq!(
        manager(&t, &client).await["photos"],
        json!([]),
        "nothing marked"
    );

    assert_accepted(&request(&t, &client, &photos[..2]).await, 2);
    let past = request(&t, &client, &photos[2..4]).await;
    assert_error(&past, 403, "download_limit_reached");
    assert_eq!(past.json["remaining"], 1, "{past:?}");
    assert_accepted(&request(&t, &client, &photos[2..3]).await, 1);
    let at_limit = request(&t, &client, &photos[4..5]).await;
    assert_error(&at_limit, 403, "download_limit_reached");
    assert_eq!(at_limit.json["remaining"], 0, "{at_limit:?}");

    let after = manager(&t, &client).await;
    assert_eq!(
        (&after["used"], &after["remaining"]),
        (&json!(3), &json!(0))
    );
    assert_eq!(used(&t, &anna, &gallery, &client).await, 3);
    assert_eq!(
        t.download_messages().await.len(),
        2,
        "refused requests queue nothing"
    );
}

#[tokio::test]
async fn requests_can_be_read_back_by_their_own_client_only() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let photos = t.ready_photos(&anna, &gallery, 2).await;
    let client = invite(&t, &anna, &gallery, downloads(None)).await;
    let other = invite(&t, &anna, &gallery, downloads(None)).await;

    let first = request(&t, &client, &photos[..1]).await;
    assert_accepted(&first, 1);
    let second = request(&t, &client, &photos).await;
    assert_accepted(&second, 1);
    let others = request(&t, &other, &photos[..1]).await;
    assert_accepted(&others, 1);

    for accepted in [&first, &second] {
        let id = request_id(accepted);
        let read = t.get_download_request(&client.path, None, &id).await;
        assert_eq!(read.status, 200, "{read:?}");
        assert_eq!(read.json, accepted.json, "read back as accepted");
    }
    let listed = t.list_download_requests(&client.path, None).await;
    assert_eq!(listed.status, 200, "{listed:?}");
    let ids: Vec<&str> = listed.json["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .map(|r| r["request_id"].as_str().expect("request_id"))
        .collect();
    assert_eq!(
        ids,
        [request_id(&second), request_id(&first)],
        "newest first"
    );

    for id in [
        request_id(&others).as_str(),
        "0190a8d2-8e5c-7c3e-9d55-333333333333",
        "not-a-request",
    ] {
        let reply = t.get_download_request(&client.path, None, id).await;
        assert_error(&reply, 404, "not_found");
    }
    // And the other client sees only its own.
    let theirs = t.list_download_requests(&other.path, None).await;
    assert_eq!(theirs.json["requests"].as_array().map(Vec::len), Some(1));
    let mine = t
        .get_download_request(&other.path, None, &request_id(&first))
        .await;
    assert_error(&mine, 404, "not_found");
}

#[tokio::test]
async fn a_limit_raised_by_the_photographer_shows_at_once() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let photos = t.ready_photos(&anna, &gallery, 4).await;
    let client = invite(&t, &anna, &gallery, downloads(Some(2))).await;
    assert_accepted(&request(&t, &client, &photos[..2]).await, 2);
    let refused = request(&t, &client, &photos[2..]).await;
    assert_error(&refused, 403, "download_limit_reached");

    let patched = t
        .update_private_access(
            &anna,
            &gallery,
            &client.grant_id,
            json!({ "download_limit": 4 }),
        )
        .await;
    assert_eq!(patched.status, 200, "{patched:?}");
    assert_eq!(patched.json["usage"]["downloads_used"], 2, "{patched:?}");
    assert_eq!(patched.json["usage"]["download_limit"], 4, "{patched:?}");
    let now = manager(&t, &client).await;
    assert_eq!(
        (&now["limit"], &now["used"], &now["remaining"]),
        (&json!(4), &json!(2), &json!(2)),
        "{now}"
    );

    assert_accepted(&request(&t, &client, &photos[2..]).await, 2);
    assert_eq!(used(&t, &anna, &gallery, &client).await, 4);

    // Lowered below what was used: nothing remains, nothing goes negative.
    t.update_private_access(
        &anna,
        &gallery,
        &client.grant_id,
        json!({ "download_limit": 1 }),
    )
    .await;
    let lowered = manager(&t, &client).await;
    assert_eq!(
        (&lowered["used"], &lowered["remaining"]),
        (&json!(4), &json!(0))
    );
    // Made unlimited: remaining is null.
    t.update_private_access(
        &anna,
        &gallery,
        &client.grant_id,
        json!({ "download_limit": null }),
    )
    .await;
    let open = manager(&t, &client).await;
    assert_eq!(
        (&open["limit"], &open["remaining"]),
        (&Value::Null, &Value::Null)
    );
}

// ---------------------------------------------------------------------------------------------
// Concurrency
// ---------------------------------------------------------------------------------------------

/// Spends all but one of the grant's `limit` in one accepted request.
async fn spend_all_but_one(t: &TestApp, client: &Client, photos: &[String], limit: u32) {
    let spent = &photos[..limit as usize - 1];
    let reply = request(t, client, spent).await;
    assert_accepted(&reply, spent.len() as u64);
    let manager = manager(t, client).await;
    assert_eq!(manager["remaining"], 1, "{manager}");
}

/// One-photo requests for each of `photos` (all different), all at once.
async fn race(t: &TestApp, client: &Client, photos: &[String]) -> Vec<Reply> {
    join_all(
        photos
            .iter()
            .map(|p| request(t, client, std::slice::from_ref(p))),
    )
    .await
}

/// Exactly one of `replies` was accepted (charging one) and every other refused for the limit
/// with nothing remaining; returns the accepted one's request id.
fn assert_one_winner(replies: &[Reply]) -> String {
    let accepted: Vec<&Reply> = replies.iter().filter(|r| r.status == 202).collect();
    assert_eq!(accepted.len(), 1, "exactly one accepted: {replies:#?}");
    assert_eq!(accepted[0].json["charged"], 1, "{:?}", accepted[0]);
    for reply in replies.iter().filter(|r| r.status != 202) {
        assert_error(reply, 403, "download_limit_reached");
        assert_eq!(reply.json["remaining"], 0, "{reply:?}");
    }
    request_id(accepted[0])
}

#[tokio::test]
async fn parallel_requests_for_the_last_download_let_exactly_one_through() {
    const LIMIT: u32 = 5;
    const PARALLEL: usize = 20;
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let photos = t
        .ready_photos(&anna, &gallery, LIMIT as usize - 1 + PARALLEL)
        .await;
    let client = invite(&t, &anna, &gallery, downloads(Some(LIMIT))).await;
    spend_all_but_one(&t, &client, &photos, LIMIT).await;
    assert_eq!(t.download_messages().await.len(), 1);

    let replies = race(&t, &client, &photos[LIMIT as usize - 1..]).await;
    assert_eq!(replies.len(), PARALLEL);
    let winner = assert_one_winner(&replies);

    assert_eq!(used(&t, &anna, &gallery, &client).await, u64::from(LIMIT));
    let after = manager(&t, &client).await;
    assert_eq!(after["remaining"], 0, "{after}");
    assert_eq!(states(&after).len(), LIMIT as usize, "{after}");
    let listed = t.list_download_requests(&client.path, None).await;
    assert_eq!(listed.json["requests"].as_array().map(Vec::len), Some(2));
    let messages = t.download_messages().await;
    assert_eq!(
        queued_requests(&messages, &client),
        [winner],
        "exactly one more message"
    );
}

#[tokio::test]
async fn two_grants_racing_at_the_same_time_each_stop_at_their_own_limit() {
    const LIMIT: u32 = 5;
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let ben = t.photographer("Ben Ray").await;
    let annas = t.create_gallery(&anna, "Anna's").await;
    let bens = t.create_gallery(&ben, "Ben's").await;
    let n = LIMIT as usize - 1 + 20;
    let annas_photos = t.ready_photos(&anna, &annas, n).await;
    let bens_photos = t.ready_photos(&ben, &bens, n).await;
    let carol = invite(&t, &anna, &annas, downloads(Some(LIMIT))).await;
    let dave = invite(&t, &ben, &bens, downloads(Some(LIMIT))).await;
    spend_all_but_one(&t, &carol, &annas_photos, LIMIT).await;
    spend_all_but_one(&t, &dave, &bens_photos, LIMIT).await;
    assert_eq!(t.download_messages().await.len(), 2);

    // 40 requests in flight at once, 20 per grant.
    let (carols, daves) = futures::join!(
        race(&t, &carol, &annas_photos[LIMIT as usize - 1..]),
        race(&t, &dave, &bens_photos[LIMIT as usize - 1..]),
    );
    let carols_winner = assert_one_winner(&carols);
    let daves_winner = assert_one_winner(&daves);
    assert_eq!(used(&t, &anna, &annas, &carol).await, u64::from(LIMIT));
    assert_eq!(used(&t, &ben, &bens, &dave).await, u64::from(LIMIT));

    let messages = t.download_messages().await;
    assert_eq!(
        messages.len(),
        2,
        "one more message per grant: {messages:?}"
    );
    assert_eq!(queued_requests(&messages, &carol), [carols_winner]);
    assert_eq!(queued_requests(&messages, &dave), [daves_winner]);
}

#[tokio::test]
async fn a_photo_shared_by_parallel_requests_is_charged_once() {
    // As many as may wait at once.
    const PARALLEL: usize = MAX_PENDING_REQUESTS;
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let photos = t.ready_photos(&anna, &gallery, PARALLEL + 1).await;
    let (shared, own) = (&photos[0], &photos[1..]);
    // Room for exactly the shared photo once and each own photo: a double charge would refuse
    // one of them.
    let limit = u32::try_from(PARALLEL + 1).unwrap();
    let client = invite(&t, &anna, &gallery, downloads(Some(limit))).await;

    let (t_ref, client_ref) = (&t, &client);
    let replies = join_all(own.iter().map(|p| {
        let pair = [shared.clone(), p.clone()];
        async move { request(t_ref, client_ref, &pair).await }
    }))
    .await;
    for reply in &replies {
        assert_eq!(reply.status, 202, "{replies:#?}");
    }
    let charged: u64 = replies
        .iter()
        .map(|r| r.json["charged"].as_u64().expect("charged"))
        .sum();
    let used_now = used(&t, &anna, &gallery, &client).await;
    assert_eq!(used_now, 1 + PARALLEL as u64);
    assert_eq!(
        charged, used_now,
        "the charges add up to what was used: {replies:#?}"
    );
    let charged_two = replies.iter().filter(|r| r.json["charged"] == 2).count();
    assert_eq!(
        charged_two, 1,
        "one request paid for the shared photo: {replies:#?}"
    );
    assert_eq!(t.download_messages().await.len(), PARALLEL);
}

#[tokio::test]
async fn only_so_many_requests_wait_at_once_even_when_sent_together() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let photos = t
        .ready_photos(&anna, &gallery, MAX_PENDING_REQUESTS + 5)
        .await;

    // One after another: the request past the cap is refused, and charged nothing.
    let client = invite(&t, &anna, &gallery, downloads(None)).await;
    for photo in &photos[..MAX_PENDING_REQUESTS] {
        assert_accepted(&request(&t, &client, std::slice::from_ref(photo)).await, 1);
    }
    let sixth = request(&t, &client, &photos[MAX_PENDING_REQUESTS..]).await;
    assert_error(&sixth, 409, "too_many_pending");
    assert_eq!(
        used(&t, &anna, &gallery, &client).await,
        MAX_PENDING_REQUESTS as u64
    );

    // All at once: still the cap.
    let racer = invite(&t, &anna, &gallery, downloads(None)).await;
    let replies = race(&t, &racer, &photos).await;
    let accepted = replies.iter().filter(|r| r.status == 202).count();
    for refused in replies.iter().filter(|r| r.status != 202) {
        assert_error(refused, 409, "too_many_pending");
    }
    assert_eq!(accepted, MAX_PENDING_REQUESTS, "{replies:#?}");
    assert_eq!(
        used(&t, &anna, &gallery, &racer).await,
        MAX_PENDING_REQUESTS as u64
    );
    let messages = t.download_messages().await;
    assert_eq!(messages.len(), 2 * MAX_PENDING_REQUESTS, "{messages:?}");
}

#[tokio::test]
async fn free_re_downloads_sent_together_are_capped_too() {
    const PARALLEL: usize = MAX_PENDING_REQUESTS + 5;
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let photos = t.ready_photos(&anna, &gallery, 1).await;
    let client = invite(&t, &anna, &gallery, downloads(None)).await;
    assert_accepted(&request(&t, &client, &photos).await, 1);

    // The photo is downloaded: each of these charges nothing, but each is work for the worker.
    let replies = join_all((0..PARALLEL).map(|_| request(&t, &client, &photos))).await;
    let accepted = replies.iter().filter(|r| r.status == 202).count();
    for refused in replies.iter().filter(|r| r.status != 202) {
        assert_error(refused, 409, "too_many_pending");
    }
    let listed = t.list_download_requests(&client.path, None).await;
    let waiting = listed.json["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .filter(|r| r["status"] == "queued")
        .count();
    assert_eq!(
        (accepted, waiting),
        (MAX_PENDING_REQUESTS - 1, MAX_PENDING_REQUESTS),
        "{replies:#?}"
    );
    assert_eq!(used(&t, &anna, &gallery, &client).await, 1);
}

#[tokio::test]
async fn a_retry_with_the_same_idempotency_key_is_the_same_request() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let photos = t.ready_photos(&anna, &gallery, 3).await;
    let client = invite(&t, &anna, &gallery, downloads(Some(10))).await;
    let body = json!({ "resolution": "web", "photo_ids": photos[..2] });

    let first = t
        .create_download_request(&client.path, None, Some("retry-key-1"), body.clone())
        .await;
    assert_accepted(&first, 2);
    assert_eq!(t.download_messages().await.len(), 1);
    let retry = t
        .create_download_request(&client.path, None, Some("retry-key-1"), body.clone())
        .await;
    assert_eq!(retry.status, 202, "{retry:?}");
    assert_eq!(request_id(&retry), request_id(&first));
    assert_eq!(retry.json, first.json, "the first try's request, as it was");
    assert_eq!(used(&t, &anna, &gallery, &client).await, 2);
    assert!(t.download_messages().await.is_empty(), "no second message");

    // Another key is another request (charging nothing: the photos are downloaded).
    let other_key = t
        .create_download_request(&client.path, None, Some("retry-key-2"), body)
        .await;
    assert_accepted(&other_key, 0);
    assert_ne!(request_id(&other_key), request_id(&first));
    assert_eq!(t.download_messages().await.len(), 1);

    // The same key on another client's link is that client's own request.
    let other = invite(&t, &anna, &gallery, downloads(Some(10))).await;
    let theirs = t
        .create_download_request(
            &other.path,
            None,
            Some("retry-key-1"),
            json!({ "resolution": "web", "photo_ids": [photos[2]] }),
        )
        .await;
    assert_accepted(&theirs, 1);
    assert_ne!(request_id(&theirs), request_id(&first));
    assert_eq!(request_photos(&theirs), [photos[2].clone()]);
    assert_eq!(used(&t, &anna, &gallery, &client).await, 2);
}

// Found by the second probe, fixed: the same key with another body answered 202 with the first
// request, so a client that reused a key believed its second request accepted.
#[tokio::test]
async fn an_idempotency_key_reused_with_another_body_is_refused() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let photos = t.ready_photos(&anna, &gallery, 3).await;
    let client = invite(&t, &anna, &gallery, downloads(Some(10))).await;
    let first_body = json!({ "resolution": "web", "photo_ids": [photos[0]] });
    let first = t
        .create_download_request(&client.path, None, Some("key-1"), first_body.clone())
        .await;
    assert_accepted(&first, 1);
    assert_eq!(t.download_messages().await.len(), 1);

    for other_body in [
        json!({ "resolution": "high", "photo_ids": photos }),
        json!({ "resolution": "high", "photo_ids": [photos[0]] }),
        json!({ "resolution": "web", "photo_ids": photos[..2] }),
        json!({ "resolution": "web", "all": true }),
    ] {
        let reused = t
            .create_download_request(&client.path, None, Some("key-1"), other_body.clone())
            .await;
        assert_eq!(reused.status, 422, "{other_body}: {reused:?}");
        assert_eq!(reused.error_code(), "idempotency_key_reused");
        assert!(
            reused.json["message"]
                .as_str()
                .unwrap()
                .contains("Idempotency-Key")
        );
    }
    assert_eq!(
        used(&t, &anna, &gallery, &client).await,
        1,
        "nothing more charged"
    );
    assert!(
        t.download_messages().await.is_empty(),
        "nothing more queued"
    );
    let listed = t.list_download_requests(&client.path, None).await;
    assert_eq!(listed.json["requests"].as_array().map(Vec::len), Some(1));

    // The same body is still the retry it always was: the first answer, whatever the order of
    // its photos.
    let retry = t
        .create_download_request(&client.path, None, Some("key-1"), first_body)
        .await;
    assert_eq!(retry.status, 202, "{retry:?}");
    assert_eq!(request_id(&retry), request_id(&first));
    let two = json!({ "resolution": "web", "photo_ids": [photos[1], photos[2]] });
    let two_reordered = json!({ "resolution": "web", "photo_ids": [photos[2], photos[1]] });
    let second = t
        .create_download_request(&client.path, None, Some("key-2"), two)
        .await;
    assert_accepted(&second, 2);
    let again = t
        .create_download_request(&client.path, None, Some("key-2"), two_reordered)
        .await;
    assert_eq!(request_id(&again), request_id(&second), "{again:?}");
}

#[tokio::test]
async fn the_same_idempotency_key_sent_concurrently_is_one_request_charged_once_and_queued_once() {
    const PARALLEL: usize = 5;
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let photos = t.ready_photos(&anna, &gallery, 2).await;
    let client = invite(&t, &anna, &gallery, downloads(Some(10))).await;
    let body = json!({ "resolution": "web", "photo_ids": photos });

    let replies =
        join_all((0..PARALLEL).map(|_| {
            t.create_download_request(&client.path, None, Some("same-key"), body.clone())
        }))
        .await;
    for reply in &replies {
        assert_accepted(reply, 2);
    }
    let ids: Vec<String> = replies.iter().map(request_id).collect();
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "one request: {replies:#?}"
    );
    assert_eq!(used(&t, &anna, &gallery, &client).await, 2, "charged once");
    let listed = t.list_download_requests(&client.path, None).await;
    assert_eq!(
        listed.json["requests"].as_array().map(Vec::len),
        Some(1),
        "{listed:?}"
    );
    // One request, one message: the tries that lost the race must not send it again.
    let messages = t.download_messages().await;
    assert_eq!(
        queued_requests(&messages, &client),
        [ids[0].clone()],
        "{messages:?}"
    );
}

#[tokio::test]
async fn a_thousand_photo_gallery_downloads_whole_in_one_request() {
    const PHOTOS: usize = 1_000;
    let started = Instant::now();
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Big day").await;
    // Seeded ready, without files: this is about the request, not ingest (which would take two
    // minutes against the emulator, and swell its state for every other test).
    let photos = t.seed_ready_photos(&anna, &gallery, PHOTOS).await;
    let setup = started.elapsed();
    let client = invite(&t, &anna, &gallery, downloads(None)).await;

    let reply = t
        .create_download_request(
            &client.path,
            None,
            None,
            json!({ "resolution": "web", "all": true }),
        )
        .await;
    assert_accepted(&reply, PHOTOS as u64);
    assert_eq!(request_photos(&reply), sorted(&photos));
    assert_eq!(reply.json["progress"]["total"], PHOTOS);
    assert_eq!(used(&t, &anna, &gallery, &client).await, PHOTOS as u64);
    let read = t
        .get_download_request(&client.path, None, &request_id(&reply))
        .await;
    assert_eq!(read.json["photos"].as_array().map(Vec::len), Some(PHOTOS));
    assert_eq!(states(&manager(&t, &client).await).len(), PHOTOS);
    assert_eq!(t.download_messages().await.len(), 1);
    eprintln!(
        "1,000 photos: seeded after {setup:?}, whole test {:?}",
        started.elapsed()
    );
}

// ---------------------------------------------------------------------------------------------
// Links that may not use the manager
// ---------------------------------------------------------------------------------------------

/// Every download route, as (method, path template).
fn download_routes() -> Vec<(&'static str, &'static str)> {
    let routes: Vec<_> = ROUTES
        .iter()
        .filter(|r| r.path.starts_with("/g/{token}/downloads"))
        .map(|r| (r.method, r.path))
        .collect();
    assert_eq!(routes.len(), 6, "{routes:?}");
    routes
}

/// Calls a client route (`template` filled in with this link, photo and request), with a
/// body that would be accepted.
async fn call_client_route(
    t: &TestApp,
    (method, template): (&str, &str),
    path: &str,
    session: Option<&str>,
    photo: &str,
    request: &str,
) -> Reply {
    let token = path.strip_prefix("/g/").expect("client path");
    let url = template
        .replace("{token}", token)
        .replace("{photo_id}", photo)
        .replace("{request_id}", request);
    let body = match (method, template) {
        ("POST", p) if p.ends_with("/identify") => Some(json!({ "email": unique_email("v") })),
        ("POST", p) if p.ends_with("/unlock") => Some(json!({ "password": "client99" })),
        ("POST", _) => Some(json!({ "resolution": "web", "photo_ids": [photo] })),
        _ => None,
    };
    t.call(method, &url, session, body).await
}

#[tokio::test]
async fn the_general_link_needs_an_email_for_every_download_route() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let protected = t.create_gallery(&anna, "Protected").await;
    let photo = t.ready_photos(&anna, &gallery, 1).await.remove(0);
    let protected_photo = t.ready_photos(&anna, &protected, 1).await.remove(0);
    // Even a general link with downloads on keeps no downloads without an email.
    t.set_general(&anna, &gallery, downloads(None)).await;
    t.set_general(
        &anna,
        &protected,
        json!({ "password": "letmein1", "downloads_enabled": true }),
    )
    .await;
    let open = t.general_path(&anna, &gallery).await;
    let locked = t.general_path(&anna, &protected).await;
    let unlocked = t.unlock_gallery(&locked, "letmein1").await;
    let session = unlocked.json["session"]
        .as_str()
        .expect("session")
        .to_owned();
    let request = "0190a8d2-8e5c-7c3e-9d55-333333333333";

    for route in download_routes() {
        let what = format!("{} {}", route.0, route.1);
        let reply = call_client_route(&t, route, &open, None, &photo, request).await;
        assert_eq!(
            (reply.status, reply.error_code()),
            (403, "email_required"),
            "{what}: {reply:?}"
        );
        let reply = call_client_route(
            &t,
            route,
            &locked,
            Some(&session),
            &protected_photo,
            request,
        )
        .await;
        assert_eq!(
            (reply.status, reply.error_code()),
            (403, "email_required"),
            "{what} with a session: {reply:?}"
        );
    }
    assert!(t.download_messages().await.is_empty());
}

#[tokio::test]
async fn a_revoked_grant_is_not_found_on_every_client_route() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let photos = t.ready_photos(&anna, &gallery, 2).await;
    let client = invite(&t, &anna, &gallery, downloads(None)).await;
    // Things to find: a request, a selection and a favourite.
    let accepted = request(&t, &client, &photos[..1]).await;
    assert_accepted(&accepted, 1);
    let id = request_id(&accepted);
    assert_eq!(
        t.select_download(&client.path, None, &photos[1])
            .await
            .status,
        204
    );
    assert_eq!(
        t.add_favourite(&client.path, None, &photos[1], None)
            .await
            .status,
        204
    );
    let routes: Vec<(&str, &str)> = ROUTES
        .iter()
        .filter(|r| r.path.starts_with("/g/"))
        .map(|r| (r.method, r.path))
        .collect();
    // The control: before revocation, every client route but `unlock` and `identify` (which
    // answer 409 on a link like this one) succeeds.
    for &route in &routes {
        let reply = call_client_route(&t, route, &client.path, None, &photos[1], &id).await;
        assert!(
            reply.status < 300 || reply.status == 409,
            "{} {} before revocation: {reply:?}",
            route.0,
            route.1
        );
    }

    let revoked = t
        .delete_private_access(&anna, &gallery, &client.grant_id)
        .await;
    assert_eq!(revoked.status, 204, "{revoked:?}");
    for &route in &routes {
        for photo in &photos {
            let reply = call_client_route(&t, route, &client.path, None, photo, &id).await;
            assert_eq!(
                (reply.status, reply.error_code()),
                (404, "not_found"),
                "{} {} after revocation: {reply:?}",
                route.0,
                route.1
            );
        }
    }
}

#[tokio::test]
async fn a_protected_private_link_needs_its_session_on_every_favourites_and_download_route() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let photo = t.ready_photos(&anna, &gallery, 1).await.remove(0);
    let mut settings = downloads(None);
    settings["password"] = json!("client99");
    let client = invite(&t, &anna, &gallery, settings).await;
    let other = invite(&t, &anna, &gallery, json!({ "password": "client99" })).await;
    let session = t.unlock_gallery(&client.path, "client99").await.json["session"]
        .as_str()
        .expect("session")
        .to_owned();
    let others_session = t.unlock_gallery(&other.path, "client99").await.json["session"]
        .as_str()
        .expect("session")
        .to_owned();
    let request = "0190a8d2-8e5c-7c3e-9d55-333333333333";
    let routes: Vec<(&str, &str)> = ROUTES
        .iter()
        .filter(|r| {
            r.path.starts_with("/g/{token}/favourites")
                || r.path.starts_with("/g/{token}/downloads")
        })
        .map(|r| (r.method, r.path))
        .collect();
    assert_eq!(routes.len(), 9, "{routes:?}");

    for &route in &routes {
        let what = format!("{} {}", route.0, route.1);
        for (label, bearer) in [
            ("no session", None),
            ("another link's session", Some(others_session.as_str())),
            ("a garbage session", Some("garbage")),
        ] {
            let reply = call_client_route(&t, route, &client.path, bearer, &photo, request).await;
            assert_eq!(
                (reply.status, reply.error_code()),
                (401, "password_required"),
                "{what} with {label}: {reply:?}"
            );
        }
    }
    // Nothing was done without the session.
    let downloads_now = t.get_downloads(&client.path, Some(&session)).await;
    assert_eq!(downloads_now.status, 200, "{downloads_now:?}");
    assert_eq!(
        (&downloads_now.json["used"], &downloads_now.json["photos"]),
        (&json!(0), &json!([]))
    );
    let favourites_now = t.list_favourites(&client.path, Some(&session)).await;
    assert_eq!(
        favourites_now.json,
        json!({ "lists": [] }),
        "{favourites_now:?}"
    );
    assert!(t.download_messages().await.is_empty());

    // The control: with its session, every route answers (the request id is unknown: 404).
    for &route in &routes {
        let reply =
            call_client_route(&t, route, &client.path, Some(&session), &photo, request).await;
        let want = if route.1.ends_with("{request_id}") {
            404
        } else {
            204
        };
        let ok =
            reply.status == want || (want == 204 && (reply.status == 200 || reply.status == 202));
        assert!(ok, "{} {} with the session: {reply:?}", route.0, route.1);
    }
}

/// The photographer sees every client's download requests of a gallery, newest first, with the
/// client who asked and how far each got; to another photographer the gallery does not exist.
#[tokio::test]
async fn the_photographer_lists_every_download_request_of_a_gallery() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let photos = t.ready_photos(&anna, &gallery, 3).await;
    let carol = invite(&t, &anna, &gallery, downloads(None)).await;
    let dave = invite(&t, &anna, &gallery, downloads(Some(2))).await;
    let path = format!("/galleries/{gallery}/downloads");
    let empty = t.call("GET", &path, Some(&anna.api_key), None).await;
    assert_eq!((empty.status, &empty.json["requests"]), (200, &json!([])));

    let carols = request(&t, &carol, &photos[..2]).await;
    assert_eq!(carols.status, 202, "{carols:?}");
    assert_eq!(t.drain_downloads().await, 1);
    let daves = request(&t, &dave, &photos[1..]).await;
    assert_eq!(daves.status, 202, "{daves:?}");

    let listed = t.call("GET", &path, Some(&anna.api_key), None).await;
    assert_eq!(listed.status, 200, "{listed:?}");
    assert_eq!(listed.json["gallery_id"], gallery.as_str());
    let requests = listed.json["requests"].as_array().expect("requests");
    let seen: Vec<(&Value, &Value, &Value, &Value, &Value)> = requests
        .iter()
        .map(|r| {
            (
                &r["request_id"],
                &r["grant_id"],
                &r["status"],
                &r["photos"],
                &r["charged"],
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                &daves.json["request_id"],
                &json!(dave.grant_id),
                &json!("queued"),
                &json!(2),
                &json!(2)
            ),
            (
                &carols.json["request_id"],
                &json!(carol.grant_id),
                &json!("ready"),
                &json!(2),
                &json!(2)
            ),
        ],
        "{listed:?}"
    );
    assert!(
        requests[0]["email"]
            .as_str()
            .is_some_and(|e| e.contains('@'))
    );
    assert_eq!(requests[1]["progress"], json!({ "done": 2, "total": 2 }));
    // The client's ZIP links are theirs: none here.
    assert!(!listed.json.to_string().contains("/d/"), "{listed:?}");

    let ben = t.photographer("Ben Ray").await;
    let peek = t.call("GET", &path, Some(&ben.api_key), None).await;
    assert_eq!((peek.status, peek.error_code()), (404, "not_found"));
}
