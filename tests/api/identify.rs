//! Email capture on the general link (`POST /g/{token}/identify`): a new email gets its own
//! private link whose settings copy the general ones of that moment (and a session when the
//! general link has a password); a known email, in any spelling, only gets its existing link by
//! email, at most 3 emails an address a window (so typing someone's address takes nothing over),
//! also under concurrent calls; a revoked email gets nothing; the photographer sharing with a
//! visitor's email replaces the visitor's link; invalid emails, private links, locked links and
//! per-address rate limiting.

use std::net::{IpAddr, Ipv4Addr};

use futures::future::join_all;
use proofsheet_app::Clock;
use proofsheet_tests::*;
use serde_json::{Value, json};

/// Another network address than [`CALLER_IP`] (TEST-NET-2).
const OTHER_IP: IpAddr = IpAddr::V4(Ipv4Addr::new(198, 51, 100, 7));

/// A gallery with one ready photo; returns (gallery id, general link path).
async fn gallery_with_photo(t: &TestApp, who: &Photographer) -> (String, String) {
    let gallery = t.create_gallery(who, "Smith wedding").await;
    t.ready_photo(who, &gallery).await;
    let path = t.general_path(who, &gallery).await;
    (gallery, path)
}

/// The gallery's private grants as the photographer lists them.
async fn grants(t: &TestApp, who: &Photographer, gallery: &str) -> Vec<Value> {
    let reply = t.list_private_access(who, gallery).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.json["grants"].as_array().expect("grants").clone()
}

/// The general link's settings, as the photographer sees them (without the link).
async fn general_settings(t: &TestApp, who: &Photographer, gallery: &str) -> Value {
    let mut reply = t.get_general_access(who, gallery).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.json.as_object_mut().expect("object").remove("link");
    reply.json
}

/// A 202 that sends the caller to their inbox and hands out nothing: no link, no token, no
/// grant, no session.
fn assert_check_email(reply: &Reply, tokens: &[&str]) {
    assert_eq!(reply.status, 202, "{reply:?}");
    assert_eq!(reply.json["status"], "check_email", "{reply:?}");
    for key in ["link", "grant_id", "session"] {
        assert!(reply.json.get(key).is_none(), "{key} in {reply:?}");
    }
    let text = format!("{reply:?}");
    assert!(!text.contains("/g/"), "a link in {text}");
    for token in tokens {
        assert!(!text.contains(token), "a token in {text}");
    }
}

/// Every email to `to` carries `link`; returns how many there are.
async fn emails_with_link(t: &TestApp, to: &str, link: &str) -> usize {
    let mails = t.emails_to(to).await;
    for mail in &mails {
        let body = mail["body"].as_str().unwrap_or_default();
        assert!(
            body.contains(link),
            "an email to {to} without {link}: {mail}"
        );
    }
    mails.len()
}

fn token(link: &str) -> &str {
    link.rsplit('/').next().expect("token")
}

// ---------------------------------------------------------------------------------------------
// A new email
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_new_email_gets_its_own_link_with_a_copy_of_the_general_settings() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let (gallery, general) = gallery_with_photo(&t, &anna).await;
    t.set_general(
        &anna,
        &gallery,
        json!({ "watermark": false, "downloads_enabled": true, "download_limit": 7,
                "download_resolutions": ["web", "high"], "downloads_watermarked": false }),
    )
    .await;
    let settings_then = general_settings(&t, &anna, &gallery).await;
    let email = unique_email("visitor");

    let reply = t
        .identify(&general, None, &format!("  {}  ", email.to_uppercase()))
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    let link = reply.json["link"].as_str().expect("link").to_owned();
    let grant_id = reply.json["grant_id"]
        .as_str()
        .expect("grant_id")
        .to_owned();
    assert!(
        reply.json.get("session").is_none(),
        "no password, no session: {reply:?}"
    );
    let path = client_path(&link);
    assert_ne!(path, general);

    // The photographer sees it: a visitor's grant, with the general settings of that moment.
    let listed = grants(&t, &anna, &gallery).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["grant_id"], grant_id.as_str());
    assert_eq!(
        listed[0]["email"],
        email.as_str(),
        "trimmed and lower-cased"
    );
    assert_eq!(listed[0]["origin"], "visitor");
    assert_eq!(listed[0]["link"], link.as_str());
    assert_eq!(listed[0]["settings"], settings_then);

    // The link works as a private one, and went to the address.
    let view = t.view_gallery(&path, None).await;
    assert_eq!(view.status, 200, "{view:?}");
    assert_eq!(view.json["settings"]["watermark"], false);
    assert_eq!(view.json["settings"]["download_limit"], 7);
    let favourites = t.list_favourites(&path, None).await;
    assert_eq!(favourites.status, 200, "{favourites:?}");
    let downloads = t.get_downloads(&path, None).await;
    assert_eq!(downloads.json["limit"], 7, "{downloads:?}");
    assert_eq!(emails_with_link(&t, &email, &link).await, 1);

    // Later changes to the general link don't reach the copy.
    t.set_general(
        &anna,
        &gallery,
        json!({ "watermark": true, "download_limit": 2, "downloads_enabled": false,
                "password": "letmein1" }),
    )
    .await;
    assert_ne!(general_settings(&t, &anna, &gallery).await, settings_then);
    let listed = grants(&t, &anna, &gallery).await;
    assert_eq!(listed[0]["settings"], settings_then);
    let still = t.view_gallery(&path, None).await;
    assert_eq!(still.status, 200, "no password on the copy: {still:?}");
    assert_eq!(still.json["settings"]["watermark"], false);
}

#[tokio::test]
async fn on_a_password_protected_general_link_identify_needs_a_session_and_returns_one() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let (gallery, general) = gallery_with_photo(&t, &anna).await;
    t.set_general(&anna, &gallery, json!({ "password": "letmein1" }))
        .await;
    let email = unique_email("visitor");

    for bearer in [None, Some("garbage")] {
        let locked = t.identify(&general, bearer, &email).await;
        assert_error(&locked, 401, "password_required");
        assert!(locked.json.get("link").is_none(), "{locked:?}");
    }
    assert!(
        grants(&t, &anna, &gallery).await.is_empty(),
        "nothing created"
    );
    assert!(t.emails_to(&email).await.is_empty(), "nothing sent");

    let unlocked = t.unlock_gallery(&general, "letmein1").await;
    let session = unlocked.json["session"]
        .as_str()
        .expect("session")
        .to_owned();
    let reply = t.identify(&general, Some(&session), &email).await;
    assert_eq!(reply.status, 201, "{reply:?}");
    let path = client_path(reply.json["link"].as_str().expect("link"));
    let new_session = reply.json["session"]
        .as_str()
        .expect("a session for the new link");

    // The copy keeps the password: the new link is locked, and the new session opens it.
    let listed = grants(&t, &anna, &gallery).await;
    assert_eq!(listed[0]["settings"]["password_set"], true, "{listed:?}");
    assert_error(&t.view_gallery(&path, None).await, 401, "password_required");
    assert_error(
        &t.view_gallery(&path, Some(&session)).await,
        401,
        "password_required",
    );
    let open = t.view_gallery(&path, Some(new_session)).await;
    assert_eq!(open.status, 200, "{open:?}");
    let favourites = t.list_favourites(&path, Some(new_session)).await;
    assert_eq!(favourites.status, 200, "{favourites:?}");
    // And the password still opens it.
    assert_eq!(t.unlock_gallery(&path, "letmein1").await.status, 200);
}

// ---------------------------------------------------------------------------------------------
// A known email
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_same_email_again_gets_its_link_by_email_only() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let (gallery, general) = gallery_with_photo(&t, &anna).await;
    let email = unique_email("visitor");
    let first = t.identify(&general, None, &email).await;
    assert_eq!(first.status, 201, "{first:?}");
    let link = first.json["link"].as_str().expect("link").to_owned();

    let variants = [email.to_uppercase(), format!(" {email}\t")];
    for variant in &variants {
        let again = t.identify(&general, None, variant).await;
        assert_check_email(&again, &[token(&link)]);
    }
    let listed = grants(&t, &anna, &gallery).await;
    assert_eq!(listed.len(), 1, "still one grant: {listed:?}");
    assert_eq!(listed[0]["link"], link.as_str(), "the same link");
    assert_eq!(
        emails_with_link(&t, &email, &link).await,
        3,
        "the same link, emailed each time"
    );

    // An address is sent at most 3 capture emails a window: the answer doesn't change.
    let fourth = t.identify(&general, None, &email).await;
    assert_check_email(&fourth, &[token(&link)]);
    assert_eq!(emails_with_link(&t, &email, &link).await, 3);
}

#[tokio::test]
async fn concurrent_identifies_with_one_new_email_make_one_grant() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let (gallery, general) = gallery_with_photo(&t, &anna).await;
    let email = unique_email("visitor");
    let variants: Vec<String> = (0..8)
        .map(|i| match i % 3 {
            0 => email.clone(),
            1 => email.to_uppercase(),
            _ => format!("  {email} "),
        })
        .collect();

    let replies = join_all(variants.iter().map(|v| t.identify(&general, None, v))).await;
    let created: Vec<&Reply> = replies.iter().filter(|r| r.status == 201).collect();
    assert_eq!(created.len(), 1, "exactly one 201: {replies:#?}");
    let link = created[0].json["link"].as_str().expect("link").to_owned();
    for reply in replies.iter().filter(|r| r.status != 201) {
        assert_check_email(reply, &[token(&link)]);
    }
    let listed = grants(&t, &anna, &gallery).await;
    assert_eq!(listed.len(), 1, "one grant: {listed:?}");
    assert_eq!(listed[0]["link"], link.as_str());
    // The first three calls' emails; the address had its share of the window then.
    assert_eq!(emails_with_link(&t, &email, &link).await, 3);
}

#[tokio::test]
async fn typing_an_invited_clients_email_takes_nothing_over() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let (gallery, general) = gallery_with_photo(&t, &anna).await;
    let ann = unique_email("ann");
    let invited = t
        .create_private_access(
            &anna,
            &gallery,
            json!({ "email": ann, "name": "Ann", "watermark": false, "downloads_enabled": true,
                    "download_limit": null, "download_resolutions": ["web", "high", "original"],
                    "downloads_watermarked": false }),
        )
        .await;
    assert_eq!(invited.status, 201, "{invited:?}");
    let anns_link = invited.json["link"].as_str().expect("link").to_owned();
    let before = grants(&t, &anna, &gallery).await;

    let attempt = t
        .identify(&general, None, &format!(" {}", ann.to_uppercase()))
        .await;
    assert_check_email(&attempt, &[token(&anns_link)]);
    // Ann gets her invitation and now her link again; nothing else changed.
    assert_eq!(emails_with_link(&t, &ann, &anns_link).await, 2);
    let after = grants(&t, &anna, &gallery).await;
    assert_eq!(after, before, "the grant is untouched");
    assert_eq!(after[0]["origin"], "photographer");
}

#[tokio::test]
async fn an_email_whose_grant_was_revoked_gets_nothing_and_the_caller_cant_tell() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let (gallery, general) = gallery_with_photo(&t, &anna).await;
    let ann = unique_email("ann");
    let invited = t
        .create_private_access(&anna, &gallery, json!({ "email": ann }))
        .await;
    let grant_id = invited.json["grant_id"].as_str().expect("grant_id");
    let anns_link = invited.json["link"].as_str().expect("link").to_owned();
    let revoked = t.delete_private_access(&anna, &gallery, grant_id).await;
    assert_eq!(revoked.status, 204, "{revoked:?}");

    let attempt = t.identify(&general, None, &ann).await;
    assert_check_email(&attempt, &[token(&anns_link)]);
    assert!(
        grants(&t, &anna, &gallery).await.is_empty(),
        "no grant comes back"
    );
    assert_eq!(
        emails_with_link(&t, &ann, &anns_link).await,
        1,
        "only the invitation, from before the revocation"
    );
}

#[tokio::test]
async fn the_photographer_sharing_with_a_visitors_email_replaces_the_visitors_link() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let (gallery, general) = gallery_with_photo(&t, &anna).await;
    let photo = t.photos(&anna, &gallery).await[0]["photo_id"]
        .as_str()
        .expect("photo_id")
        .to_owned();
    let email = unique_email("visitor");
    let captured = t.identify(&general, None, &email).await;
    assert_eq!(captured.status, 201, "{captured:?}");
    let visitor_path = client_path(captured.json["link"].as_str().expect("link"));
    let added = t.add_favourite(&visitor_path, None, &photo, None).await;
    assert_eq!(added.status, 204, "{added:?}");

    let shared = t
        .create_private_access(
            &anna,
            &gallery,
            json!({ "email": email, "watermark": false }),
        )
        .await;
    assert_eq!(shared.status, 201, "{shared:?}");
    let path = client_path(shared.json["link"].as_str().expect("link"));
    assert_ne!(path, visitor_path);
    let listed = grants(&t, &anna, &gallery).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["origin"], "photographer");
    assert_error(&t.view_gallery(&visitor_path, None).await, 404, "not_found");
    // The favourites stay with the address.
    let favourites = t.list_favourites(&path, None).await;
    assert_eq!(
        favourites.json,
        json!({ "lists": [{ "name": "Favourites", "photo_ids": [photo] }] }),
        "{favourites:?}"
    );
    // A photographer's grant stays as it is: sharing again is refused.
    let again = t
        .create_private_access(&anna, &gallery, json!({ "email": email }))
        .await;
    assert_eq!(again.status, 409, "{again:?}");
}

// ---------------------------------------------------------------------------------------------
// Refusals
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn invalid_emails_are_refused_and_create_nothing() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let (gallery, general) = gallery_with_photo(&t, &anna).await;
    for bad in [
        "",
        "   ",
        "not-an-email",
        "ann@localhost",
        "two words@example.com",
        "ann@@example.com",
        "<ann>@example.com",
        "ann@example.com, bob@example.com",
    ] {
        let reply = t.identify(&general, None, bad).await;
        assert_eq!(
            (
                reply.status,
                reply.error_code(),
                reply.json["field"].as_str()
            ),
            (422, "invalid_request", Some("email")),
            "{bad:?}: {reply:?}"
        );
    }
    for body in [json!({}), json!({ "email": 5 })] {
        let reply = t
            .call("POST", &format!("{general}/identify"), None, Some(body))
            .await;
        assert_error(&reply, 400, "invalid_json");
    }
    assert!(grants(&t, &anna, &gallery).await.is_empty());
    // The control: a valid one is accepted.
    let ok = t.identify(&general, None, &unique_email("v")).await;
    assert_eq!(ok.status, 201, "{ok:?}");
}

#[tokio::test]
async fn a_private_link_is_already_personal() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let (gallery, _) = gallery_with_photo(&t, &anna).await;
    let invited = t
        .create_private_access(&anna, &gallery, json!({ "email": unique_email("carol") }))
        .await;
    let path = client_path(invited.json["link"].as_str().expect("link"));
    let email = unique_email("visitor");

    let reply = t.identify(&path, None, &email).await;
    assert_error(&reply, 409, "already_personal");
    assert_eq!(grants(&t, &anna, &gallery).await.len(), 1);
    assert!(t.emails_to(&email).await.is_empty());
}

#[tokio::test]
async fn identify_is_rate_limited_per_source_address_and_link() {
    let t = TestApp::spawn_with_clock(&[], Clock::fixed(Clock::system().now())).await;
    let anna = t.photographer("Anna Lee").await;
    let (gallery, general) = gallery_with_photo(&t, &anna).await;
    let (_, elsewhere) = gallery_with_photo(&t, &anna).await;

    let repeat = unique_email("repeat");
    for i in 0..10 {
        // Known emails count as much as new ones: each sends an email.
        let email = if i % 2 == 0 {
            unique_email("v")
        } else {
            repeat.clone()
        };
        let reply = t.identify(&general, None, &email).await;
        assert!(
            reply.status == 201 || reply.status == 202,
            "try {i}: {reply:?}"
        );
    }
    let created = grants(&t, &anna, &gallery).await.len();
    let blocked = unique_email("blocked");
    let refused = t.identify(&general, None, &blocked).await;
    assert_error(&refused, 429, "too_many_attempts");
    let retry_after: u64 = refused
        .headers
        .get("retry-after")
        .unwrap_or_else(|| panic!("429 without retry-after: {refused:?}"))
        .to_str()
        .unwrap()
        .parse()
        .expect("seconds");
    assert!(
        (1..=900).contains(&retry_after),
        "retry-after {retry_after}"
    );
    assert_eq!(
        grants(&t, &anna, &gallery).await.len(),
        created,
        "nothing created"
    );
    assert!(t.emails_to(&blocked).await.is_empty(), "nothing sent");

    // Another address, and the same address on another gallery's link, are unaffected.
    let other = t.identify_from(OTHER_IP, &general, None, &blocked).await;
    assert_eq!(other.status, 201, "{other:?}");
    let other_link = t.identify(&elsewhere, None, &unique_email("v")).await;
    assert_eq!(other_link.status, 201, "{other_link:?}");

    // After the window, the address may try again.
    t.app.clock().advance(15 * 60 + 1);
    let later = t.identify(&general, None, &unique_email("later")).await;
    assert_eq!(later.status, 201, "{later:?}");
}
