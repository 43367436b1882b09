//! The client's side: opening links, passwords, watermarks, revocation.

use aws_sdk_dynamodb::types::AttributeValue;
use proofsheet_app::Clock;
use proofsheet_http::{ROUTES, Route, RouteSpec};
use proofsheet_policy::{GrantId, Guesser, LinkToken, SessionClaims, UnlockThrottle};
use proofsheet_store::{ReservedTry, UnlockReservation};
use proofsheet_tests::*;
use serde_json::{Value, json};
use uuid::Uuid;

#[tokio::test]
async fn a_general_link_shows_ready_photos_watermarked_by_default() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let photo = t.ready_photo(&anna, &gallery).await;

    let general = t.get_general_access(&anna, &gallery).await;
    assert_eq!(general.status, 200);
    let link = general.json["link"].as_str().unwrap();
    let view = t.view_gallery(&client_path(link), None).await;
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
    let path = t.general_path(&anna, &gallery).await;
    // Flip the last character of the verifier.
    let mut forged = path.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'B' } else { 'A' });
    for bad in [
        forged.as_str(),
        "/g/short",
        "/g/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ] {
        let reply = t.view_gallery(bad, None).await;
        assert_eq!(reply.status, 404, "{bad}");
        assert_eq!(reply.error_code(), "not_found");
    }
}

// ---------------------------------------------------------------------------------------------
// Passwords on the general link
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_password_on_the_general_link_is_asked_for_and_opens_a_session() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let photo = t.ready_photo(&anna, &gallery).await;
    let set = t
        .set_general(&anna, &gallery, json!({ "password": "letmein1" }))
        .await;
    assert_eq!(set.json["password_set"], true);
    assert!(
        !set.json.to_string().contains("letmein1"),
        "the password must never be echoed: {set:?}"
    );
    let path = t.general_path(&anna, &gallery).await;

    let locked = t.view_gallery(&path, None).await;
    assert_eq!(locked.status, 401, "{locked:?}");
    assert_eq!(locked.error_code(), "password_required");
    assert_no_photo_data(&locked, "GET without a session");

    let wrong = t.unlock_gallery(&path, "letmein2").await;
    assert_eq!(wrong.status, 401, "{wrong:?}");
    assert_eq!(wrong.error_code(), "wrong_password");
    assert!(wrong.json.get("session").is_none(), "{wrong:?}");

    let right = t.unlock_gallery(&path, "letmein1").await;
    assert_eq!(right.status, 200, "{right:?}");
    let session = right.json["session"].as_str().expect("session").to_owned();
    assert!(!session.is_empty());
    let expires_at = right.json["expires_at"].as_str().expect("expires_at");
    assert!(
        expires_at.len() >= 20 && expires_at.ends_with('Z'),
        "RFC 3339 UTC: {expires_at}"
    );

    let open = t.view_gallery(&path, Some(&session)).await;
    assert_eq!(open.status, 200, "{open:?}");
    assert_eq!(open.json["settings"]["password_protected"], true);
    let photos = open.json["photos"].as_array().expect("photos");
    assert_eq!(photos.len(), 1);
    assert_eq!(photos[0]["photo_id"], photo.as_str());
    let (status, _) = t.fetch(photos[0]["thumbnail_url"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    assert!(
        !open.json.to_string().contains("argon2"),
        "no password material in the client view"
    );
}

/// Every client route (present and future) must refuse to serve a password-protected link
/// without a live session of that very link.
#[tokio::test]
async fn every_client_route_is_closed_without_a_session_of_its_own_link() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery_a = t.create_gallery(&anna, "A").await;
    let gallery_b = t.create_gallery(&anna, "B").await;
    let photo = t.ready_photo(&anna, &gallery_a).await;
    t.ready_photo(&anna, &gallery_b).await;
    t.set_general(&anna, &gallery_a, json!({ "password": "letmein1" }))
        .await;
    t.set_general(&anna, &gallery_b, json!({ "password": "letmein1" }))
        .await;
    let path_a = t.general_path(&anna, &gallery_a).await;
    let path_b = t.general_path(&anna, &gallery_b).await;
    let session_a = session_for(&t, &path_a, "letmein1").await;
    let session_b = session_for(&t, &path_b, "letmein1").await;
    let token_a = path_a.strip_prefix("/g/").unwrap().to_owned();

    // B's MAC over claims rewritten to name A's grant.
    let (mut claims_b, mac_b) = SessionClaims::parse(&session_b).expect("session format");
    claims_b.grant_id = LinkToken::parse(&token_a).unwrap().grant_id;
    let b_claims_for_a = claims_b.encode(&mac_b);
    // A's own claims with a made-up MAC.
    let (claims_a, _) = SessionClaims::parse(&session_a).unwrap();
    let a_claims_bad_mac = claims_a.encode(&[0x5a; 32]);

    let routes = client_routes();
    assert!(
        routes
            .iter()
            .any(|r| r.route == Route::ViewGallery && r.method == "GET"),
        "the route table must list GET /g/{{token}}"
    );
    for spec in routes {
        let path = fill_path(spec.path, &token_a, &photo);
        let what = format!("{} {}", spec.method, spec.path);

        // The positive control: A's session gets past the password check.
        let with_session = call_route(&t, spec, &path, Some(&session_a)).await;
        assert_ne!(
            with_session.status, 401,
            "{what} with A's session: {with_session:?}"
        );

        for (label, bearer) in [
            ("no session", None),
            ("a garbage session", Some("garbage")),
            ("an empty-looking session", Some("AAAA")),
            ("the session of gallery B's link", Some(session_b.as_str())),
            (
                "B's MAC over claims naming A",
                Some(b_claims_for_a.as_str()),
            ),
            (
                "A's claims with a forged MAC",
                Some(a_claims_bad_mac.as_str()),
            ),
            ("the API key of the owner", Some(anna.api_key.as_str())),
        ] {
            let reply = call_route(&t, spec, &path, bearer).await;
            assert_eq!(reply.status, 401, "{what} with {label}: {reply:?}");
            assert_eq!(
                reply.error_code(),
                "password_required",
                "{what} with {label}: {reply:?}"
            );
            assert_no_photo_data(&reply, &format!("{what} with {label}"));
        }
    }
}

/// Every answer of every route carries the headers that keep capability links out of Referer and
/// caches, its content from being sniffed, and browsers on HTTPS: successes, errors and empty 204
/// bodies alike, and the router's own 404.
#[tokio::test]
async fn every_answer_of_every_route_carries_the_security_headers() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "A").await;
    let photo = t.ready_photo(&anna, &gallery).await;
    t.set_general(&anna, &gallery, json!({ "password": "letmein1" }))
        .await;
    let path = t.general_path(&anna, &gallery).await;
    let session = session_for(&t, &path, "letmein1").await;
    let grant = create_private(&t, &anna, &gallery, json!({})).await;
    let grant_id = grant.json["grant_id"]
        .as_str()
        .expect("grant id")
        .to_owned();
    let token = path.strip_prefix("/g/").unwrap().to_owned();
    let fill = |template: &str| {
        template
            .replace("{gallery_id}", &gallery)
            .replace("{photo_id}", &photo)
            .replace("{grant_id}", &grant_id)
            .replace("{token}", &token)
    };
    let assert_headers = |reply: &Reply, what: &str| {
        assert_eq!(
            reply
                .headers
                .get("referrer-policy")
                .map(|v| v.to_str().unwrap()),
            Some("no-referrer"),
            "{what}: {reply:?}"
        );
        assert_eq!(
            reply
                .headers
                .get("cache-control")
                .map(|v| v.to_str().unwrap()),
            Some("no-store"),
            "{what}: {reply:?}"
        );
        // Found by the second probe, fixed: JSON answers were sent without these.
        assert_eq!(
            reply
                .headers
                .get("x-content-type-options")
                .map(|v| v.to_str().unwrap()),
            Some("nosniff"),
            "{what}: {reply:?}"
        );
        let hsts = reply
            .headers
            .get("strict-transport-security")
            .map(|v| v.to_str().unwrap());
        assert!(
            hsts.is_some_and(|v| v.starts_with("max-age=") && !v.contains("includeSubDomains")),
            "{what}: {reply:?}"
        );
    };

    let mut statuses = std::collections::BTreeSet::new();
    // Deletes last (the gallery's at the very end), so every other route finds what it names.
    let mut routes: Vec<&RouteSpec> = ROUTES.iter().collect();
    routes.sort_by_key(|r| (r.method == "DELETE", r.route == Route::DeleteGallery));
    for spec in routes {
        let what = format!("{} {}", spec.method, spec.path);
        let path = fill(spec.path);
        let credential = if spec.path.starts_with("/g/") {
            session.as_str()
        } else {
            anna.api_key.as_str()
        };
        let body = match spec.route {
            Route::UnlockGallery => Some(json!({ "password": "letmein1" })),
            Route::CreateGallery => Some(json!({ "title": "B" })),
            _ if spec.method == "GET" || spec.method == "DELETE" => None,
            _ => Some(json!({})),
        };
        let refused = t.call(spec.method, &path, None, body.clone()).await;
        assert_headers(&refused, &format!("{what} without credentials"));
        let answered = t.call(spec.method, &path, Some(credential), body).await;
        assert_headers(&answered, &what);
        statuses.insert(refused.status);
        statuses.insert(answered.status);
    }
    let no_route = t.call("GET", "/nowhere", None, None).await;
    assert_eq!(no_route.status, 404);
    assert_headers(&no_route, "no route");
    // The controls: empty bodies, successes and refusals were all among the answers checked.
    for status in [200, 201, 204, 401, 422] {
        assert!(statuses.contains(&status), "no {status} among {statuses:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Sessions
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_session_opens_only_the_link_it_was_issued_for() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery_a = t.create_gallery(&anna, "A").await;
    let gallery_b = t.create_gallery(&anna, "B").await;
    t.ready_photo(&anna, &gallery_a).await;
    t.ready_photo(&anna, &gallery_b).await;
    t.set_general(&anna, &gallery_a, json!({ "password": "letmein1" }))
        .await;
    t.set_general(&anna, &gallery_b, json!({ "password": "letmein1" }))
        .await;
    let path_a = t.general_path(&anna, &gallery_a).await;
    let path_b = t.general_path(&anna, &gallery_b).await;

    // A private link of gallery A with the same password (inherited from the general link).
    let private = create_private(&t, &anna, &gallery_a, json!({})).await;
    assert_eq!(
        private.json["settings"]["password_set"], true,
        "{private:?}"
    );
    let private_path = client_path(private.json["link"].as_str().unwrap());

    let session_a = session_for(&t, &path_a, "letmein1").await;
    let session_b = session_for(&t, &path_b, "letmein1").await;
    let session_private = session_for(&t, &private_path, "letmein1").await;

    for (path, own, others) in [
        (&path_a, &session_a, [&session_b, &session_private]),
        (&path_b, &session_b, [&session_a, &session_private]),
        (&private_path, &session_private, [&session_a, &session_b]),
    ] {
        let open = t.view_gallery(path, Some(own)).await;
        assert_eq!(open.status, 200, "own session on {path}: {open:?}");
        assert!(open.json["photos"].is_array());
        for other in others {
            let reply = t.view_gallery(path, Some(other)).await;
            assert_eq!(reply.status, 401, "foreign session on {path}: {reply:?}");
            assert_eq!(reply.error_code(), "password_required");
            assert_no_photo_data(&reply, "foreign session");
        }
    }
}

#[tokio::test]
async fn changing_or_removing_the_password_ends_sessions() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    t.ready_photo(&anna, &gallery).await;
    t.set_general(&anna, &gallery, json!({ "password": "letmein1" }))
        .await;
    let path = t.general_path(&anna, &gallery).await;

    let first = session_for(&t, &path, "letmein1").await;
    assert_eq!(t.view_gallery(&path, Some(&first)).await.status, 200);

    // A change that doesn't touch the password keeps sessions alive.
    t.set_general(&anna, &gallery, json!({ "watermark": false }))
        .await;
    let still = t.view_gallery(&path, Some(&first)).await;
    assert_eq!(
        still.status, 200,
        "a watermark change ended a session: {still:?}"
    );

    // A new password ends the old session; the old password no longer unlocks.
    t.set_general(&anna, &gallery, json!({ "password": "newpass22" }))
        .await;
    let ended = t.view_gallery(&path, Some(&first)).await;
    assert_eq!(ended.status, 401, "{ended:?}");
    assert_eq!(ended.error_code(), "password_required");
    assert_no_photo_data(&ended, "old session after a password change");
    let old_password = t.unlock_gallery(&path, "letmein1").await;
    assert_eq!(old_password.status, 401);
    assert_eq!(old_password.error_code(), "wrong_password");
    let second = session_for(&t, &path, "newpass22").await;
    assert_eq!(t.view_gallery(&path, Some(&second)).await.status, 200);

    // Setting the very same password again still starts over.
    t.set_general(&anna, &gallery, json!({ "password": "newpass22" }))
        .await;
    let same_again = t.view_gallery(&path, Some(&second)).await;
    assert_eq!(same_again.status, 401, "{same_again:?}");
    let third = session_for(&t, &path, "newpass22").await;

    // Removing the password opens the link to anyone with it.
    let removed = t
        .set_general(&anna, &gallery, json!({ "password": null }))
        .await;
    assert_eq!(removed.json["password_set"], false);
    let open = t.view_gallery(&path, None).await;
    assert_eq!(open.status, 200, "{open:?}");
    assert_eq!(open.json["settings"]["password_protected"], false);
    assert_eq!(open.json["photos"].as_array().map(Vec::len), Some(1));
    let no_password = t.unlock_gallery(&path, "newpass22").await;
    assert_eq!(no_password.status, 409);
    assert_eq!(no_password.error_code(), "password_not_set");

    // A password set afterwards does not revive sessions from before the removal.
    t.set_general(&anna, &gallery, json!({ "password": "newpass22" }))
        .await;
    let revived = t.view_gallery(&path, Some(&third)).await;
    assert_eq!(revived.status, 401, "{revived:?}");
}

#[tokio::test]
async fn a_tampered_session_is_refused() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    t.ready_photo(&anna, &gallery).await;
    t.set_general(&anna, &gallery, json!({ "password": "letmein1" }))
        .await;
    let path = t.general_path(&anna, &gallery).await;
    let session = session_for(&t, &path, "letmein1").await;
    assert_eq!(t.view_gallery(&path, Some(&session)).await.status, 200);

    // Flip one character in the grant id, the expiry, the password version and the MAC.
    let len = session.len();
    for at in [0, 10, 25, 30, 36, 50, len - 2, len - 1] {
        let tampered = flip_char(&session, at);
        assert_ne!(tampered, session);
        let reply = t.view_gallery(&path, Some(&tampered)).await;
        assert_eq!(reply.status, 401, "flipped at {at}: {reply:?}");
        assert_eq!(reply.error_code(), "password_required");
        assert_no_photo_data(&reply, "tampered session");
    }
    // Truncated and extended sessions too.
    for bad in [&session[..len - 4], &format!("{session}AAAA")] {
        let reply = t.view_gallery(&path, Some(bad)).await;
        assert_eq!(reply.status, 401, "{reply:?}");
    }
    // A session whose expiry was pushed out, re-signed with a made-up MAC.
    let (mut claims, _) = SessionClaims::parse(&session).unwrap();
    claims.expires_at += 86_400;
    let forged = claims.encode(&[0u8; 32]);
    let reply = t.view_gallery(&path, Some(&forged)).await;
    assert_eq!(reply.status, 401, "{reply:?}");
}

#[tokio::test]
async fn sessions_expire() {
    // The app's clock stands still until moved: the fresh session must work, so the test tells
    // "expired" from "never worked", and the TTL (whole seconds) passes without a sleep.
    let t = TestApp::spawn_with_clock(
        &[("CLIENT_SESSION_TTL_SECONDS", "2")],
        Clock::fixed(Clock::system().now()),
    )
    .await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    t.ready_photo(&anna, &gallery).await;
    t.set_general(&anna, &gallery, json!({ "password": "letmein1" }))
        .await;
    let path = t.general_path(&anna, &gallery).await;
    let session = session_for(&t, &path, "letmein1").await;
    let fresh = t.view_gallery(&path, Some(&session)).await;
    assert_eq!(fresh.status, 200, "{fresh:?}");

    t.app.clock().advance(2);
    let expired = t.view_gallery(&path, Some(&session)).await;
    assert_eq!(expired.status, 401, "{expired:?}");
    assert_eq!(expired.error_code(), "password_required");
    assert_no_photo_data(&expired, "expired session");
    // A new unlock works again.
    let renewed = session_for(&t, &path, "letmein1").await;
    assert_eq!(t.view_gallery(&path, Some(&renewed)).await.status, 200);
}

#[tokio::test]
async fn a_one_second_session_is_dead_after_two_seconds() {
    let t = TestApp::spawn_with_clock(
        &[("CLIENT_SESSION_TTL_SECONDS", "1")],
        Clock::fixed(Clock::system().now()),
    )
    .await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    t.set_general(&anna, &gallery, json!({ "password": "letmein1" }))
        .await;
    let path = t.general_path(&anna, &gallery).await;
    let session = session_for(&t, &path, "letmein1").await;
    t.app.clock().advance(2);
    let expired = t.view_gallery(&path, Some(&session)).await;
    assert_eq!(expired.status, 401, "{expired:?}");
    assert_eq!(expired.error_code(), "password_required");
}

// ---------------------------------------------------------------------------------------------
// Guessing
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn password_guessing_is_throttled_per_link() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery_a = t.create_gallery(&anna, "A").await;
    let gallery_b = t.create_gallery(&anna, "B").await;
    t.set_general(&anna, &gallery_a, json!({ "password": "letmein1" }))
        .await;
    t.set_general(&anna, &gallery_b, json!({ "password": "letmein1" }))
        .await;
    let path_a = t.general_path(&anna, &gallery_a).await;
    let path_b = t.general_path(&anna, &gallery_b).await;
    // A private link on the same gallery is a link of its own.
    let private = create_private(&t, &anna, &gallery_a, json!({})).await;
    let private_path = client_path(private.json["link"].as_str().unwrap());

    for i in 0..10 {
        let reply = t.unlock_gallery(&path_a, &format!("guess-{i}")).await;
        assert_eq!(reply.status, 401, "try {i}: {reply:?}");
        assert_eq!(reply.error_code(), "wrong_password", "try {i}");
    }
    let blocked = t.unlock_gallery(&path_a, "letmein1").await;
    assert_eq!(blocked.status, 429, "the 11th try, even right: {blocked:?}");
    assert_eq!(blocked.error_code(), "too_many_attempts");
    assert!(blocked.json.get("session").is_none(), "{blocked:?}");
    assert_retry_after(&blocked);

    // Other links are unaffected.
    assert_eq!(t.unlock_gallery(&path_b, "letmein1").await.status, 200);
    assert_eq!(
        t.unlock_gallery(&private_path, "letmein1").await.status,
        200
    );
    // And the throttled link stays throttled.
    let again = t.unlock_gallery(&path_a, "letmein1").await;
    assert_eq!(again.status, 429, "{again:?}");
}

#[tokio::test]
async fn concurrent_guesses_share_one_budget() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "A").await;
    let other = t.create_gallery(&anna, "B").await;
    t.set_general(&anna, &gallery, json!({ "password": "letmein1" }))
        .await;
    t.set_general(&anna, &other, json!({ "password": "letmein1" }))
        .await;
    let path = t.general_path(&anna, &gallery).await;
    let other_path = t.general_path(&anna, &other).await;

    // All 25 are in flight at once on this task (`join_all` polls them all on this task). scripts/test runs moto one
    // request at a time, so each conditional write is atomic as in DynamoDB, while our requests
    // still interleave: a check-then-write in our code would let more than 10 through.
    let replies = futures::future::join_all((0..25).map(|i| {
        let (t, path) = (&t, &path);
        async move { t.unlock_gallery(path, &format!("guess-{i}")).await }
    }))
    .await;
    let wrong = replies
        .iter()
        .filter(|r| r.status == 401 && r.error_code() == "wrong_password")
        .count();
    let throttled: Vec<&Reply> = replies
        .iter()
        .filter(|r| r.status == 429 && r.error_code() == "too_many_attempts")
        .collect();
    let statuses: Vec<(u16, &str)> = replies.iter().map(|r| (r.status, r.error_code())).collect();
    assert!(
        (1..=10).contains(&wrong),
        "{wrong} of 25 concurrent guesses got past the throttle: {statuses:?}"
    );
    assert_eq!(
        wrong + throttled.len(),
        25,
        "every guess is either checked or throttled: {statuses:?}"
    );
    for reply in throttled {
        assert_retry_after(reply);
    }
    assert_eq!(t.unlock_gallery(&path, "letmein1").await.status, 429);
    assert_eq!(t.unlock_gallery(&other_path, "letmein1").await.status, 200);
}

async fn unlock_from(t: &TestApp, source: &str, path: &str, password: &str) -> Reply {
    t.unlock_gallery_from(source.parse().unwrap(), path, None, password)
        .await
}

/// A guesser makes 10 wrong tries from the addresses `guesser` gives; then `locked` (the
/// guesser's source) is refused even the right password, while `elsewhere` unlocks.
async fn guess_then_unlock(guesser: impl Fn(usize) -> String, locked: &str, elsewhere: &str) {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "A").await;
    t.set_general(&anna, &gallery, json!({ "password": "letmein1" }))
        .await;
    let path = t.general_path(&anna, &gallery).await;

    for i in 0..10 {
        let reply = unlock_from(&t, &guesser(i), &path, &format!("guess-{i}")).await;
        assert_eq!(reply.error_code(), "wrong_password", "try {i}");
    }
    let refused = unlock_from(&t, locked, &path, "letmein1").await;
    assert_eq!(refused.status, 429, "{locked}: {refused:?}");
    let client = unlock_from(&t, elsewhere, &path, "letmein1").await;
    assert_eq!(client.status, 200, "{elsewhere}: {client:?}");
}

#[tokio::test]
async fn a_guesser_locked_out_does_not_lock_out_the_client_elsewhere() {
    guess_then_unlock(|_| "203.0.113.66".into(), "203.0.113.66", "198.51.100.7").await;
}

#[tokio::test]
async fn addresses_of_one_ipv6_network_share_one_budget() {
    // A guesser cycling through the addresses of their /64.
    guess_then_unlock(
        |i| format!("2001:db8:5:6::{i:x}"),
        "2001:db8:5:6:ffff::1",
        "2001:db8:5:7::1",
    )
    .await;
}

fn grant_of(path: &str) -> GrantId {
    LinkToken::parse(path.rsplit('/').next().unwrap())
        .unwrap()
        .grant_id
}

fn reserved(outcome: UnlockReservation) -> ReservedTry {
    match outcome {
        UnlockReservation::Reserved(reserved) => reserved,
        refused => panic!("expected a reserved try, got {refused:?}"),
    }
}

fn assert_throttled(outcome: &UnlockReservation) {
    assert!(
        matches!(outcome, UnlockReservation::Throttled { retry_after_secs } if *retry_after_secs <= UnlockThrottle::WINDOW_SECS),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn a_link_caps_the_tries_of_all_sources_together() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "A").await;
    let other = t.create_gallery(&anna, "B").await;
    let link = grant_of(&t.general_path(&anna, &gallery).await);
    let other_link = grant_of(&t.general_path(&anna, &other).await);
    let store = t.app.store();
    let start = 1_900_000_000;
    let try_at = |source: String, at: u64, known_device: bool| async move {
        let guesser = Guesser {
            source: &source,
            known_device: known_device.then_some("returning-device"),
        };
        store
            .reserve_unlock_attempt(link, &guesser, at)
            .await
            .unwrap()
    };

    // Straight to the store: one wrong try from each of many sources, without slow hash checks.
    for source in 0..UnlockThrottle::PER_LINK.max_attempts {
        reserved(try_at(format!("source-{source}"), start, false).await);
    }
    assert_throttled(&try_at("late".into(), start + 800, false).await);
    // A device that unlocked the link before is spared the link's ceiling (not its own budgets).
    reserved(try_at("returning-client".into(), start + 800, true).await);
    // Another link has its own ceiling.
    reserved(
        store
            .reserve_unlock_attempt(other_link, &Guesser::new_device("late"), start + 800)
            .await
            .unwrap(),
    );

    // The link refused "late" more often than its own budget allows; those tries were given
    // back, so once the link's window is over, "late" still has its whole budget.
    for _ in 0..UnlockThrottle::PER_SOURCE.max_attempts {
        assert_throttled(&try_at("late".into(), start + 850, false).await);
    }
    let next_window = start + UnlockThrottle::WINDOW_SECS;
    for i in 0..UnlockThrottle::PER_SOURCE.max_attempts {
        reserved(try_at("late".into(), next_window + u64::from(i), false).await);
    }
    assert_throttled(&try_at("late".into(), next_window + 60, false).await);
}

#[tokio::test]
async fn a_refunded_try_is_given_back_within_its_window() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "A").await;
    let link = grant_of(&t.general_path(&anna, &gallery).await);
    let store = t.app.store();
    let now = 1_900_000_000;

    let max = UnlockThrottle::PER_SOURCE.max_attempts;
    for _ in 0..max {
        let reservation = store
            .reserve_unlock_attempt(link, &Guesser::new_device("venue"), now)
            .await
            .unwrap();
        store
            .refund_unlock_attempt(reserved(reservation))
            .await
            .unwrap();
    }
    // Ten given back: ten more may still be tried, and not one more.
    for _ in 0..max {
        reserved(
            store
                .reserve_unlock_attempt(link, &Guesser::new_device("venue"), now)
                .await
                .unwrap(),
        );
    }
    assert_throttled(
        &store
            .reserve_unlock_attempt(link, &Guesser::new_device("venue"), now)
            .await
            .unwrap(),
    );
}

#[tokio::test]
async fn right_passwords_use_up_no_tries() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "A").await;
    t.set_general(&anna, &gallery, json!({ "password": "letmein1" }))
        .await;
    let path = t.general_path(&anna, &gallery).await;

    // A wedding's guests, all behind the venue's one address.
    for guest in 0..UnlockThrottle::PER_SOURCE.max_attempts + 5 {
        let reply = unlock_from(&t, "203.0.113.80", &path, "letmein1").await;
        assert_eq!(reply.status, 200, "guest {guest}: {reply:?}");
    }
    let typo = unlock_from(&t, "203.0.113.80", &path, "letmein").await;
    assert_eq!(typo.error_code(), "wrong_password");
}

#[tokio::test]
async fn a_returning_client_unlocks_while_the_link_is_under_attack() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "A").await;
    t.set_general(&anna, &gallery, json!({ "password": "letmein1" }))
        .await;
    let path = t.general_path(&anna, &gallery).await;
    let earlier_session = session_for(&t, &path, "letmein1").await;

    // Guessers spread over many addresses use up the link's ceiling.
    let store = t.app.store();
    for source in 0..UnlockThrottle::PER_LINK.max_attempts {
        let reservation = store
            .reserve_unlock_attempt(
                grant_of(&path),
                &Guesser::new_device(&format!("guesser-{source}")),
                t.app.now(),
            )
            .await
            .unwrap();
        reserved(reservation);
    }
    let newcomer = unlock_from(&t, "198.51.100.20", &path, "letmein1").await;
    assert_eq!(newcomer.status, 429, "{newcomer:?}");

    // The client's device shows its earlier session: only its own budget applies.
    let returning = t
        .unlock_gallery_from(
            "198.51.100.21".parse().unwrap(),
            &path,
            Some(&earlier_session),
            "letmein1",
        )
        .await;
    assert_eq!(returning.status, 200, "{returning:?}");
}

// Found by the second probe on login pages, and reviewed here as it asked: a known device (one
// showing a kept session of the link, under its current password) skipped the link's ceiling
// from any address, so whoever held such a session guessed at 10 tries per address per window
// with no bound overall. A known device now has a budget of its own, whatever its address (and
// still no share in the link's ceiling: see probe_second for why).
#[tokio::test]
async fn a_known_device_guesses_a_password_within_a_budget_of_its_own_from_any_address() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "A").await;
    t.set_general(&anna, &gallery, json!({ "password": "letmein1" }))
        .await;
    let path = t.general_path(&anna, &gallery).await;
    let kept = session_for(&t, &path, "letmein1").await;

    let mut answered = Vec::new();
    for address in 0..3 {
        for _ in 0..5 {
            let from = format!("198.51.100.{}", 60 + address).parse().unwrap();
            let reply = t
                .unlock_gallery_from(from, &path, Some(&kept), "guess-0001")
                .await;
            answered.push(reply.status);
        }
    }
    let wrong = answered.iter().filter(|s| **s == 401).count();
    let refused = answered.iter().filter(|s| **s == 429).count();
    assert_eq!(
        (wrong, refused),
        (UnlockThrottle::PER_DEVICE.max_attempts as usize, 5),
        "{answered:?}"
    );
    // A new device is not held up by it.
    let other = "198.51.100.70".parse().unwrap();
    let guest = t.unlock_gallery_from(other, &path, None, "letmein1").await;
    assert_eq!(guest.status, 200, "{guest:?}");
}

/// Uses up a link's ceiling straight through the store: one wrong try from each of many
/// sources, without slow hash checks.
async fn exhaust_link_ceiling(t: &TestApp, path: &str) {
    for source in 0..UnlockThrottle::PER_LINK.max_attempts {
        let reservation = t
            .app
            .store()
            .reserve_unlock_attempt(
                grant_of(path),
                &Guesser::new_device(&format!("guesser-{source}")),
                t.app.now(),
            )
            .await
            .unwrap();
        reserved(reservation);
    }
}

#[tokio::test]
async fn a_session_from_before_a_password_change_does_not_lift_the_link_ceiling() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "A").await;
    t.set_general(&anna, &gallery, json!({ "password": "letmein1" }))
        .await;
    let path = t.general_path(&anna, &gallery).await;
    // A former guest (or whoever got hold of their session) keeps it past a password change.
    let former_guest = session_for(&t, &path, "letmein1").await;
    t.set_general(&anna, &gallery, json!({ "password": "newpass22" }))
        .await;
    exhaust_link_ceiling(&t, &path).await;

    for (i, guess) in ["guess-0001", "newpass22"].into_iter().enumerate() {
        let reply = t
            .unlock_gallery_from(
                format!("198.51.100.{}", 30 + i).parse().unwrap(),
                &path,
                Some(&former_guest),
                guess,
            )
            .await;
        assert_eq!(reply.status, 429, "{guess}: {reply:?}");
        assert_retry_after(&reply);
    }
}

#[tokio::test]
async fn a_session_long_expired_does_not_lift_the_link_ceiling() {
    let key = proofsheet_app::secrets::new_secret_key();
    let t = TestApp::spawn_with(&[("SECRET_KEY", &key)]).await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "A").await;
    t.set_general(&anna, &gallery, json!({ "password": "letmein1" }))
        .await;
    let path = t.general_path(&anna, &gallery).await;
    let version = {
        let live = session_for(&t, &path, "letmein1").await;
        let secrets = proofsheet_app::secrets::Secrets::new(&decode_key(&key));
        secrets
            .open_session(&live)
            .expect("authentic")
            .password_version
    };
    exhaust_link_ceiling(&t, &path).await;

    // Authentic, for this link and its current password, but it ended long ago.
    let secrets = proofsheet_app::secrets::Secrets::new(&decode_key(&key));
    let ancient = |expired_ago: u64| {
        secrets.sign_session(&SessionClaims {
            grant_id: grant_of(&path),
            expires_at: t.app.now() - expired_ago,
            password_version: version,
        })
    };
    let too_old = ancient(SessionClaims::KNOWN_DEVICE_GRACE_SECS + 60);
    let recent = ancient(60 * 60);
    let try_with = |session: String, source: &'static str| {
        let t = &t;
        let path = &path;
        async move {
            t.unlock_gallery_from(source.parse().unwrap(), path, Some(&session), "letmein1")
                .await
        }
    };
    let refused = try_with(too_old, "198.51.100.40").await;
    assert_eq!(refused.status, 429, "{refused:?}");
    // Within the grace period the returning client still gets through.
    let returning = try_with(recent, "198.51.100.41").await;
    assert_eq!(returning.status, 200, "{returning:?}");
}

fn decode_key(key: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(key)
        .unwrap()
}

#[tokio::test]
async fn a_password_try_never_gives_the_link_an_expiry() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "A").await;
    t.set_general(&anna, &gallery, json!({ "password": "letmein1" }))
        .await;
    let path = t.general_path(&anna, &gallery).await;
    t.unlock_gallery(&path, "wrong-guess").await;
    t.unlock_gallery(&path, "letmein1").await;

    // The table's TTL attribute would make DynamoDB delete the grant itself.
    let sdk = proofsheet_store::load_sdk_config().await;
    let grant = aws_sdk_dynamodb::Client::new(&sdk)
        .get_item()
        .table_name(&t.provisioned.resources.table)
        .key(
            "PK",
            AttributeValue::S(format!("GRANT#{}", grant_of(&path))),
        )
        .key("SK", AttributeValue::S("GRANT".into()))
        .send()
        .await
        .unwrap();
    let item = grant.item().expect("the grant");
    assert!(
        item.contains_key("unlock_attempts"),
        "a try was counted on it: {item:?}"
    );
    assert!(!item.contains_key("expires_at"), "{item:?}");
}

#[tokio::test]
async fn unlocking_a_link_without_a_password_is_a_conflict() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let path = t.general_path(&anna, &gallery).await;
    let reply = t.unlock_gallery(&path, "whatever1").await;
    assert_eq!(reply.status, 409, "{reply:?}");
    assert_eq!(reply.error_code(), "password_not_set");
    assert!(reply.json.get("session").is_none());
    // And the link is open as it is.
    assert_eq!(t.view_gallery(&path, None).await.status, 200);
}

// ---------------------------------------------------------------------------------------------
// Watermarks and settings
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_watermark_setting_decides_every_rendition_a_client_gets() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let first = t.ready_photo(&anna, &gallery).await;
    let second = t.ready_photo(&anna, &gallery).await;
    let path = t.general_path(&anna, &gallery).await;

    let marked = t.view_gallery(&path, None).await;
    assert_eq!(marked.status, 200, "{marked:?}");
    assert_eq!(marked.json["settings"]["watermark"], true);
    assert_photo_ids(&marked, &[&first, &second]);
    assert_renditions(&marked, true);

    t.set_general(&anna, &gallery, json!({ "watermark": false }))
        .await;
    let clean = t.view_gallery(&path, None).await;
    assert_eq!(clean.status, 200, "{clean:?}");
    assert_eq!(clean.json["settings"]["watermark"], false);
    assert_photo_ids(&clean, &[&first, &second]);
    assert_renditions(&clean, false);

    // The watermarked rendition is really a different picture from the clean one.
    for field in ["thumbnail_url", "preview_url"] {
        let url_marked = photo_by_id(&marked, &first)[field].as_str().unwrap();
        let url_clean = photo_by_id(&clean, &first)[field].as_str().unwrap();
        let (s1, marked_bytes) = t.fetch(url_marked).await;
        let (s2, clean_bytes) = t.fetch(url_clean).await;
        assert_eq!((s1, s2), (200, 200));
        let a = image::load_from_memory(&marked_bytes).unwrap().to_rgb8();
        let b = image::load_from_memory(&clean_bytes).unwrap().to_rgb8();
        assert_eq!(a.dimensions(), b.dimensions(), "{field}");
        assert_ne!(a.as_raw(), b.as_raw(), "{field}: watermark left no mark");
    }

    // Back on: watermarked again.
    t.set_general(&anna, &gallery, json!({ "watermark": true }))
        .await;
    let again = t.view_gallery(&path, None).await;
    assert_renditions(&again, true);
}

#[tokio::test]
async fn the_client_view_shows_the_links_effective_settings() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let path = t.general_path(&anna, &gallery).await;

    let defaults = t.view_gallery(&path, None).await;
    assert_eq!(defaults.status, 200);
    assert_eq!(
        defaults.json["settings"],
        json!({
            "watermark": true,
            "password_protected": false,
            "downloads_enabled": false,
            "download_limit": null,
            "download_resolutions": [],
            "downloads_watermarked": true,
        })
    );
    assert_eq!(defaults.json["photos"], json!([]));

    // A limit stored while downloads are off is not shown to the client.
    let stored = t
        .set_general(
            &anna,
            &gallery,
            json!({ "downloads_enabled": false, "download_limit": 5, "download_resolutions": ["web", "high"] }),
        )
        .await;
    assert_eq!(stored.json["download_limit"], 5);
    let off = t.view_gallery(&path, None).await;
    assert_eq!(off.json["settings"]["downloads_enabled"], false);
    assert_eq!(off.json["settings"]["download_limit"], Value::Null);
    assert_eq!(off.json["settings"]["download_resolutions"], json!([]));

    t.set_general(
        &anna,
        &gallery,
        json!({ "downloads_enabled": true, "downloads_watermarked": false, "watermark": false }),
    )
    .await;
    let on = t.view_gallery(&path, None).await;
    let settings = &on.json["settings"];
    assert_eq!(settings["downloads_enabled"], true);
    assert_eq!(settings["download_limit"], 5);
    assert_eq!(
        sorted_strings(&settings["download_resolutions"]),
        ["high", "web"]
    );
    assert_eq!(settings["downloads_watermarked"], false);
    assert_eq!(settings["watermark"], false);
    assert_eq!(settings["password_protected"], false);
}

// ---------------------------------------------------------------------------------------------
// Private links
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_private_link_uses_its_grants_own_settings() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let photo = t.ready_photo(&anna, &gallery).await;
    let general = t.general_path(&anna, &gallery).await;

    let grant = create_private(
        &t,
        &anna,
        &gallery,
        json!({ "watermark": false, "downloads_enabled": true, "download_limit": 3 }),
    )
    .await;
    let private = client_path(grant.json["link"].as_str().unwrap());
    assert_ne!(private, general);

    let client = t.view_gallery(&private, None).await;
    assert_eq!(client.status, 200, "{client:?}");
    assert_eq!(client.json["title"], "Smith wedding");
    assert_eq!(client.json["settings"]["watermark"], false);
    assert_eq!(client.json["settings"]["downloads_enabled"], true);
    assert_eq!(client.json["settings"]["download_limit"], 3);
    assert_eq!(
        sorted_strings(&client.json["settings"]["download_resolutions"]),
        ["web"]
    );
    assert_photo_ids(&client, &[&photo]);
    assert_renditions(&client, false);

    let public = t.view_gallery(&general, None).await;
    assert_eq!(public.status, 200);
    assert_eq!(public.json["settings"]["watermark"], true);
    assert_eq!(public.json["settings"]["downloads_enabled"], false);
    assert_renditions(&public, true);

    // Changing the general link later doesn't reach the grant.
    t.set_general(&anna, &gallery, json!({ "password": "letmein1" }))
        .await;
    let still_open = t.view_gallery(&private, None).await;
    assert_eq!(still_open.status, 200, "{still_open:?}");
    assert_renditions(&still_open, false);
    assert_eq!(t.view_gallery(&general, None).await.status, 401);
}

#[tokio::test]
async fn a_private_link_with_its_own_password_needs_that_password() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    t.ready_photo(&anna, &gallery).await;
    t.set_general(&anna, &gallery, json!({ "password": "general1" }))
        .await;
    let general = t.general_path(&anna, &gallery).await;
    let grant = create_private(&t, &anna, &gallery, json!({ "password": "client99" })).await;
    assert_eq!(grant.json["settings"]["password_set"], true);
    assert!(!grant.json.to_string().contains("client99"));
    let private = client_path(grant.json["link"].as_str().unwrap());

    let locked = t.view_gallery(&private, None).await;
    assert_eq!(locked.status, 401);
    assert_eq!(locked.error_code(), "password_required");
    assert_no_photo_data(&locked, "private link without session");

    let general_password = t.unlock_gallery(&private, "general1").await;
    assert_eq!(general_password.status, 401, "{general_password:?}");
    assert_eq!(general_password.error_code(), "wrong_password");
    let session = session_for(&t, &private, "client99").await;
    let open = t.view_gallery(&private, Some(&session)).await;
    assert_eq!(open.status, 200, "{open:?}");
    assert_eq!(open.json["photos"].as_array().map(Vec::len), Some(1));

    // The client's password doesn't open the general link, nor does its session.
    assert_eq!(
        t.unlock_gallery(&general, "client99").await.error_code(),
        "wrong_password"
    );
    assert_eq!(t.view_gallery(&general, Some(&session)).await.status, 401);
}

#[tokio::test]
async fn a_revoked_grant_stops_working_at_once() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    t.ready_photo(&anna, &gallery).await;
    let general = t.general_path(&anna, &gallery).await;
    let open_grant = create_private(&t, &anna, &gallery, json!({})).await;
    let locked_grant = create_private(&t, &anna, &gallery, json!({ "password": "client99" })).await;
    let open_path = client_path(open_grant.json["link"].as_str().unwrap());
    let locked_path = client_path(locked_grant.json["link"].as_str().unwrap());
    assert_eq!(t.view_gallery(&open_path, None).await.status, 200);
    let session = session_for(&t, &locked_path, "client99").await;
    assert_eq!(
        t.view_gallery(&locked_path, Some(&session)).await.status,
        200
    );

    for grant in [&open_grant, &locked_grant] {
        let id = grant.json["grant_id"].as_str().unwrap();
        let deleted = t.delete_private_access(&anna, &gallery, id).await;
        assert_eq!(deleted.status, 204, "{deleted:?}");
    }

    for (path, bearer) in [
        (&open_path, None),
        (&locked_path, None),
        (&locked_path, Some(session.as_str())),
    ] {
        let view = t.view_gallery(path, bearer).await;
        assert_eq!(view.status, 404, "{view:?}");
        assert_eq!(view.error_code(), "not_found");
        assert_no_photo_data(&view, "revoked link");
    }
    let unlock_revoked = t.unlock_gallery(&locked_path, "client99").await;
    assert_eq!(unlock_revoked.status, 404, "{unlock_revoked:?}");
    assert!(unlock_revoked.json.get("session").is_none());

    let still = t.view_gallery(&general, None).await;
    assert_eq!(still.status, 200, "{still:?}");
    assert_eq!(still.json["photos"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn photos_that_are_not_ready_are_not_shown_to_clients() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let ready = t.ready_photo(&anna, &gallery).await;
    let rejected = t
        .upload(
            &anna,
            &gallery,
            "notes.jpg",
            b"this is not a photo at all".to_vec(),
            "image/jpeg",
        )
        .await;
    t.drain_ingest().await;
    // Uploaded, but the worker hasn't run: still `uploading`.
    let pending = t
        .upload(&anna, &gallery, "later.jpg", jpeg(320, 240), "image/jpeg")
        .await;

    let list = t.list_photos(&anna, &gallery).await;
    let status_of = |id: &str| {
        list.json["photos"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["photo_id"] == id)
            .map(|p| p["status"].clone())
    };
    assert_eq!(status_of(&ready), Some(json!("ready")), "{list:?}");
    assert_eq!(status_of(&rejected), Some(json!("rejected")), "{list:?}");
    assert_eq!(status_of(&pending), Some(json!("uploading")), "{list:?}");

    let general = t.general_path(&anna, &gallery).await;
    let grant = create_private(&t, &anna, &gallery, json!({ "watermark": false })).await;
    let private = client_path(grant.json["link"].as_str().unwrap());
    for path in [&general, &private] {
        let view = t.view_gallery(path, None).await;
        assert_eq!(view.status, 200);
        assert_photo_ids(&view, &[&ready]);
        let text = view.json.to_string();
        assert!(
            !text.contains(&rejected) && !text.contains(&pending),
            "{text}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn well_formed_tokens_that_name_no_live_link_are_404() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let doomed = t.create_gallery(&anna, "Doomed").await;
    t.ready_photo(&anna, &doomed).await;
    t.set_general(&anna, &gallery, json!({ "password": "letmein1" }))
        .await;
    let path = t.general_path(&anna, &gallery).await;
    let doomed_path = t.general_path(&anna, &doomed).await;
    let doomed_grant = create_private(&t, &anna, &doomed, json!({})).await;
    let doomed_private = client_path(doomed_grant.json["link"].as_str().unwrap());
    assert_eq!(t.view_gallery(&doomed_path, None).await.status, 200);
    assert_eq!(t.view_gallery(&doomed_private, None).await.status, 200);

    let real = token_of(&path);
    let other = token_of(&doomed_path);
    let random_id = LinkToken {
        grant_id: GrantId::from_uuid(Uuid::new_v4()),
        verifier: random_verifier(),
    };
    // A real grant id with a verifier made up by the caller, or taken from another link.
    let made_up_verifier = LinkToken {
        grant_id: real.grant_id,
        verifier: random_verifier(),
    };
    let swapped_verifier = LinkToken {
        grant_id: real.grant_id,
        verifier: other.verifier,
    };
    let deleted_gallery = t.delete_gallery(&anna, &doomed).await;
    assert_eq!(deleted_gallery.status, 204, "{deleted_gallery:?}");

    let candidates = [
        format!("/g/{}", random_id.encode()),
        format!("/g/{}", made_up_verifier.encode()),
        format!("/g/{}", swapped_verifier.encode()),
        doomed_path.clone(),
        doomed_private.clone(),
        format!("{path}A"),
        format!("/g/{}", "~".repeat(64)),
        format!("/g/{}", &path[3..path.len() - 1]),
    ];
    for bad in &candidates {
        let view = t.view_gallery(bad, None).await;
        assert_eq!(view.status, 404, "GET {bad}: {view:?}");
        assert_eq!(view.error_code(), "not_found");
        assert_no_photo_data(&view, bad);
        let unlock_reply = t.unlock_gallery(bad, "letmein1").await;
        assert_eq!(unlock_reply.status, 404, "unlock {bad}: {unlock_reply:?}");
        assert_eq!(unlock_reply.error_code(), "not_found");
    }
    // Forged tokens naming the real grant never reach its guessing budget.
    let forged = format!("/g/{}", made_up_verifier.encode());
    for _ in 0..12 {
        assert_eq!(t.unlock_gallery(&forged, "letmein1").await.status, 404);
    }
    let session = session_for(&t, &path, "letmein1").await;
    assert_eq!(t.view_gallery(&path, Some(&session)).await.status, 200);
}

// ---------------------------------------------------------------------------------------------
// No secrets in URLs
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_session_is_only_accepted_from_the_authorization_header() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    t.ready_photo(&anna, &gallery).await;
    t.set_general(&anna, &gallery, json!({ "password": "letmein1" }))
        .await;
    let path = t.general_path(&anna, &gallery).await;
    let session = session_for(&t, &path, "letmein1").await;
    assert_eq!(t.view_gallery(&path, Some(&session)).await.status, 200);

    for query in ["session", "token", "access_token", "authorization"] {
        let url = format!("{path}?{query}={session}");
        let reply = t.view_gallery(&url, None).await;
        assert_eq!(reply.status, 401, "{url}: {reply:?}");
        assert_eq!(reply.error_code(), "password_required");
        assert_no_photo_data(&reply, &url);
    }
    // The session must come with the Bearer scheme.
    for value in [session.clone(), format!("Basic {session}")] {
        let reply = t.call_with_authorization("GET", &path, &value).await;
        assert_eq!(reply.status, 401, "authorization: {value}: {reply:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// A private grant for a fresh client email, with `settings` on top of the general ones.
async fn create_private(t: &TestApp, who: &Photographer, gallery: &str, settings: Value) -> Reply {
    let mut body = json!({ "email": unique_email("client"), "name": "Carol Client" });
    if let (Some(target), Value::Object(extra)) = (body.as_object_mut(), settings) {
        target.extend(extra);
    }
    let reply = t.create_private_access(who, gallery, body).await;
    assert_eq!(reply.status, 201, "{reply:?}");
    reply
}

async fn session_for(t: &TestApp, path: &str, password: &str) -> String {
    let reply = t.unlock_gallery(path, password).await;
    assert_eq!(reply.status, 200, "unlock {path}: {reply:?}");
    reply.json["session"].as_str().expect("session").to_owned()
}

/// The client routes whose answer depends on the link being open: all `/g/…` routes but unlock.
fn client_routes() -> Vec<&'static RouteSpec> {
    ROUTES
        .iter()
        .filter(|r| r.path.starts_with("/g/") && r.route != Route::UnlockGallery)
        .collect()
}

/// The route's path with `{token}` filled in, and any other parameter with the one other id a
/// client knows: a photo id.
fn fill_path(template: &str, token: &str, photo: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').expect("closed parameter") + start;
        out.push_str(if &rest[start..=end] == "{token}" {
            token
        } else {
            photo
        });
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

async fn call_route(t: &TestApp, spec: &RouteSpec, path: &str, bearer: Option<&str>) -> Reply {
    let body = (spec.method != "GET" && spec.method != "DELETE").then(|| json!({}));
    t.call(spec.method, path, bearer, body).await
}

/// A refusal must carry nothing a client could use to see photos.
fn assert_no_photo_data(reply: &Reply, what: &str) {
    assert!(
        !has_key(&reply.json, "photos"),
        "{what}: the body lists photos: {reply:?}"
    );
    let text = reply.json.to_string();
    let lower = text.to_ascii_lowercase();
    for needle in [
        "x-amz",
        "renditions/",
        "originals/",
        "-wm.jpg",
        "http://",
        "https://",
    ] {
        assert!(
            !lower.contains(needle),
            "{what}: the body holds {needle:?}: {text}"
        );
    }
    for header in ["location", "link"] {
        assert!(
            reply.headers.get(header).is_none(),
            "{what}: {header} header on a refusal: {reply:?}"
        );
    }
}

fn has_key(value: &Value, key: &str) -> bool {
    match value {
        Value::Object(map) => map.contains_key(key) || map.values().any(|v| has_key(v, key)),
        Value::Array(items) => items.iter().any(|v| has_key(v, key)),
        _ => false,
    }
}

fn assert_retry_after(reply: &Reply) {
    let value = reply
        .headers
        .get("retry-after")
        .unwrap_or_else(|| panic!("429 without retry-after: {reply:?}"))
        .to_str()
        .expect("ascii retry-after");
    let secs: u64 = value
        .parse()
        .unwrap_or_else(|_| panic!("retry-after is not a number of seconds: {value}"));
    assert!((1..=900).contains(&secs), "retry-after {secs}");
}

fn photo_by_id<'a>(view: &'a Reply, id: &str) -> &'a Value {
    view.json["photos"]
        .as_array()
        .expect("photos")
        .iter()
        .find(|p| p["photo_id"] == id)
        .unwrap_or_else(|| panic!("photo {id} not in {view:?}"))
}

fn assert_photo_ids(view: &Reply, expected: &[&str]) {
    let mut ids: Vec<String> = view.json["photos"]
        .as_array()
        .unwrap_or_else(|| panic!("no photos in {view:?}"))
        .iter()
        .map(|p| p["photo_id"].as_str().expect("photo_id").to_owned())
        .collect();
    ids.sort();
    let mut want: Vec<String> = expected.iter().map(|s| (*s).to_owned()).collect();
    want.sort();
    assert_eq!(ids, want, "{view:?}");
}

/// Every photo URL in a client view is watermarked (or clean) for both renditions.
fn assert_renditions(view: &Reply, watermarked: bool) {
    let photos = view.json["photos"].as_array().expect("photos");
    assert!(!photos.is_empty(), "nothing to check in {view:?}");
    for photo in photos {
        for (field, name) in [("thumbnail_url", "thumbnail"), ("preview_url", "preview")] {
            let url = photo[field].as_str().expect("url");
            let object = url.split('?').next().unwrap();
            let wanted = if watermarked {
                format!("/{name}-wm.jpg")
            } else {
                format!("/{name}.jpg")
            };
            assert!(
                object.ends_with(&wanted),
                "{field} should end in {wanted}: {url}"
            );
            assert!(
                url.contains("X-Amz-Signature="),
                "{field} must be presigned: {url}"
            );
        }
    }
}

fn sorted_strings(value: &Value) -> Vec<String> {
    let mut out: Vec<String> = value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|v| v.as_str().expect("string").to_owned())
        .collect();
    out.sort();
    out
}

fn token_of(path: &str) -> LinkToken {
    LinkToken::parse(path.strip_prefix("/g/").expect("client path")).expect("token")
}

fn random_verifier() -> [u8; 32] {
    let mut out = [0u8; 32];
    out[..16].copy_from_slice(Uuid::new_v4().as_bytes());
    out[16..].copy_from_slice(Uuid::new_v4().as_bytes());
    out
}

/// `s` with the character at `at` replaced by another base64url character.
fn flip_char(s: &str, at: usize) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    chars[at] = if chars[at] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}
