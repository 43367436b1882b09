//! Client logins (`/client-logins`, `/p/{slug}/login`, `/me/galleries`): a login's life from
//! creation to deletion, its code typed any way a person types it, the overview following
//! releases and withdrawals, each released gallery opening like a private link with the login's
//! own settings for it (sub-galleries with their own, never the parent's), one email per release
//! also under concurrent releases, guessing throttled with one uniform refusal, and tenants
//! kept apart.

use std::net::{IpAddr, Ipv4Addr};

use futures::future::join_all;
use proofsheet_tests::*;
use serde_json::{Value, json};

/// Another network address than [`CALLER_IP`] (TEST-NET-2).
const OTHER_IP: IpAddr = IpAddr::V4(Ipv4Addr::new(198, 51, 100, 9));

/// The overview's galleries.
async fn overview(t: &TestApp, session: &str) -> Vec<Value> {
    let reply = t.my_galleries(Some(session)).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.json["galleries"].as_array().unwrap().clone()
}

/// The overview's card for `gallery`.
fn card<'a>(cards: &'a [Value], gallery: &str) -> Option<&'a Value> {
    cards.iter().find(|c| c["gallery_id"] == gallery)
}

/// Anna and her client login for Carol, with its code.
async fn carols_login() -> (TestApp, Photographer, String, String) {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let email = unique_email("carol");
    let (login, code) = t.new_client_login(&anna, "Carol Smith", Some(&email)).await;
    (t, anna, login, code)
}

#[tokio::test]
async fn a_new_logins_code_is_unambiguous_and_shown_only_once() {
    let (t, anna, login, code) = carols_login().await;
    // A generated code: 12 characters without look-alikes, in groups of four.
    assert_eq!(code.len(), 14, "{code}");
    assert!(
        code.replace('-', "")
            .chars()
            .all(|c| "23456789ABCDEFGHJKMNPQRSTUVWXYZ".contains(c)),
        "{code}"
    );
    // Shown once: never read back.
    let got = t.get_client_login(&anna, &login).await;
    assert_eq!(got.status, 200, "{got:?}");
    assert_eq!(got.json["name"], "Carol Smith");
    assert!(got.json.get("access_code").is_none(), "{got:?}");
    let listed = t.list_client_logins(&anna).await;
    assert_eq!(listed.json["logins"].as_array().unwrap().len(), 1);
    assert!(!format!("{listed:?}").contains(&code));

    // The account names the login page.
    let account = t.get_account(&anna).await;
    assert_eq!(account.status, 200, "{account:?}");
    assert_eq!(account.json["slug"], anna.slug.as_str());
    assert_eq!(
        account.json["login_page"],
        format!("{BASE_URL}/p/{}", anna.slug)
    );
}

#[tokio::test]
async fn a_new_code_ends_the_old_one_and_its_sessions() {
    let (t, anna, login, code) = carols_login().await;
    // Typed the way people type: lower case, spaces for dashes.
    let typed = code.to_lowercase().replace('-', " ");
    let first = t.login_session(&anna.slug, &typed).await;
    assert!(overview(&t, &first).await.is_empty());

    // A new code: the old one and its sessions stop, the new one works.
    let changed = t
        .update_client_login(&anna, &login, json!({ "new_access_code": true }))
        .await;
    assert_eq!(changed.status, 200, "{changed:?}");
    let new_code = changed.json["access_code"].as_str().unwrap().to_owned();
    assert_ne!(new_code, code);
    assert_error(&t.log_in(&anna.slug, &code).await, 401, "wrong_access_code");
    assert_error(&t.my_galleries(Some(&first)).await, 401, "login_required");
    let second = t.login_session(&anna.slug, &new_code).await;
    assert!(overview(&t, &second).await.is_empty());
}

#[tokio::test]
async fn editing_a_login_keeps_its_code_and_its_sessions() {
    let (t, anna, login, code) = carols_login().await;
    let session = t.login_session(&anna.slug, &code).await;
    // Other fields change without touching the code; `null` clears.
    let renamed = t
        .update_client_login(
            &anna,
            &login,
            json!({ "name": "Carol Jones", "email": null }),
        )
        .await;
    assert_eq!(renamed.status, 200, "{renamed:?}");
    assert_eq!(renamed.json["name"], "Carol Jones");
    assert_eq!(renamed.json["email"], Value::Null);
    assert!(renamed.json.get("access_code").is_none(), "{renamed:?}");
    assert_eq!(t.my_galleries(Some(&session)).await.status, 200);
    assert_eq!(
        t.my_galleries(Some(&t.login_session(&anna.slug, &code).await))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn deleting_a_login_stops_its_code_its_sessions_and_its_links_at_once() {
    let (t, anna, login, code) = carols_login().await;
    let session = t.login_session(&anna.slug, &code).await;
    // Deleted: the code, the session and the galleries' links all stop at once.
    let gallery = t.create_gallery(&anna, "Portraits").await;
    let released = t.release_gallery(&anna, &login, &gallery, None).await;
    assert_eq!(released.status, 201, "{released:?}");
    let path = client_path(released.json["link"].as_str().unwrap());
    assert_eq!(t.view_gallery(&path, None).await.status, 200);
    assert_eq!(t.delete_client_login(&anna, &login).await.status, 204);
    assert_error(&t.log_in(&anna.slug, &code).await, 401, "wrong_access_code");
    assert_error(&t.my_galleries(Some(&session)).await, 401, "login_required");
    assert_error(&t.view_gallery(&path, None).await, 404, "not_found");
    assert_error(&t.get_client_login(&anna, &login).await, 404, "not_found");
    assert!(
        t.list_client_logins(&anna).await.json["logins"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Deleting again finds nothing left to do.
    assert_eq!(t.delete_client_login(&anna, &login).await.status, 404);
}

/// Anna's "Smith wedding" (one photo; its general link locked and watermarked) released to
/// Carol's login with its own settings: downloads on, a limit of 3, no watermark.
struct ReleasedWedding {
    t: TestApp,
    anna: Photographer,
    wedding: String,
    photo: String,
    login: String,
    code: String,
    email: String,
    /// Carol's session.
    me: String,
    released: Reply,
}

async fn released_wedding() -> ReleasedWedding {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let wedding = t.create_gallery(&anna, "Smith wedding").await;
    let photo = t.ready_photo(&anna, &wedding).await;
    // The general link is locked and watermarked; the login proved its code instead.
    let general = t
        .set_general(
            &anna,
            &wedding,
            json!({ "password": "venue-2026", "watermark": true }),
        )
        .await;
    assert_eq!(general.status, 200, "{general:?}");
    let email = unique_email("carol");
    let (login, code) = t.new_client_login(&anna, "Carol", Some(&email)).await;
    let me = t.login_session(&anna.slug, &code).await;
    let released = t
        .release_gallery(
            &anna,
            &login,
            &wedding,
            Some(json!({ "downloads_enabled": true, "download_limit": 3, "watermark": false })),
        )
        .await;
    assert_eq!(released.status, 201, "{released:?}");
    ReleasedWedding {
        t,
        anna,
        wedding,
        photo,
        login,
        code,
        email,
        me,
        released,
    }
}

#[tokio::test]
async fn a_released_gallery_opens_from_the_overview_with_the_logins_settings() {
    let ReleasedWedding {
        t,
        anna,
        wedding,
        photo,
        login,
        me,
        released,
        ..
    } = released_wedding().await;
    assert_eq!(released.json["email_sent"], true, "{released:?}");
    assert_eq!(released.json["settings"]["password_set"], false);
    assert_eq!(released.json["settings"]["download_limit"], 3);

    // The overview shows it, with what the cover needs, and no new link was needed.
    let cards = overview(&t, &me).await;
    let wedding_card = card(&cards, &wedding).expect("released gallery listed");
    assert_eq!(wedding_card["title"], "Smith wedding");
    assert_eq!(wedding_card["photo_count"], 1);
    assert_eq!(wedding_card["cover"]["photo_id"], photo.as_str());
    let (status, bytes) = t
        .fetch(wedding_card["cover"]["thumbnail_url"].as_str().unwrap())
        .await;
    assert_eq!(status, 200);
    assert!(bytes.starts_with(&[0xFF, 0xD8]), "a JPEG thumbnail");
    assert_eq!(wedding_card["link"], released.json["link"]);

    // Its link behaves as a private link with the login's settings: no password asked, clean
    // previews, downloads with the login's own limit, favourites kept for this login.
    let path = client_path(wedding_card["link"].as_str().unwrap());
    let view = t.view_gallery(&path, None).await;
    assert_eq!(view.status, 200, "{view:?}");
    assert_eq!(view.json["settings"]["watermark"], false);
    assert_eq!(view.json["settings"]["download_limit"], 3);
    let manager = t.get_downloads(&path, None).await;
    assert_eq!(manager.json["limit"], 3, "{manager:?}");
    assert_eq!(t.add_favourite(&path, None, &photo, None).await.status, 204);
    let favourites = t.list_gallery_favourites(&anna, &wedding, None).await;
    assert!(
        format!("{favourites:?}").contains("Carol"),
        "the photographer sees whose favourites: {favourites:?}"
    );
    // The photographer sees the link among the gallery's private ones, as the login's; it is
    // withdrawn from the login, not revoked on its own.
    let grants = t.list_private_access(&anna, &wedding).await;
    let grant = grants.json["grants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["origin"] == "login")
        .expect("the login's link listed")
        .clone();
    assert_eq!(grant["login_id"], login.as_str());
    assert_error(
        &t.delete_private_access(&anna, &wedding, grant["grant_id"].as_str().unwrap())
            .await,
        409,
        "released_to_login",
    );
}

#[tokio::test]
async fn releasing_again_applies_the_new_settings_without_a_second_email() {
    let ReleasedWedding {
        t,
        anna,
        wedding,
        login,
        code,
        email,
        released,
        ..
    } = released_wedding().await;
    let again = t
        .release_gallery(
            &anna,
            &login,
            &wedding,
            Some(json!({ "download_limit": 10 })),
        )
        .await;
    assert_eq!(again.status, 200, "{again:?}");
    assert_eq!(again.json["link"], released.json["link"]);
    assert_eq!(again.json["settings"]["download_limit"], 10);
    assert_eq!(again.json["email_sent"], false);
    let mails = t.emails_to(&email).await;
    assert_eq!(mails.len(), 1, "one email per release: {mails:?}");
    let body = mails[0].to_string();
    assert!(body.contains("Smith wedding"), "{body}");
    assert!(
        body.contains(&format!("/p/{}", anna.slug)),
        "points at the login page: {body}"
    );
    assert!(!body.contains(&code), "never the code: {body}");
}

#[tokio::test]
async fn the_overview_lists_releases_newest_first_and_drops_a_withdrawn_one() {
    let ReleasedWedding {
        t,
        anna,
        wedding,
        login,
        me,
        released,
        ..
    } = released_wedding().await;
    // A second gallery appears in the same session; the list of releases names both.
    let portraits = t.create_gallery(&anna, "Portraits").await;
    assert_eq!(
        t.release_gallery(&anna, &login, &portraits, None)
            .await
            .status,
        201
    );
    let cards = overview(&t, &me).await;
    assert_eq!(cards.len(), 2);
    assert_eq!(cards[0]["gallery_id"], portraits.as_str(), "newest first");
    // A gallery without photos yet has no cover.
    assert_eq!(cards[0]["photo_count"], 0);
    assert_eq!(cards[0]["cover"], Value::Null);
    let releases = t.list_releases(&anna, &login).await;
    assert_eq!(releases.json["galleries"].as_array().unwrap().len(), 2);

    // Withdrawn: gone from the overview, its link dead, the other untouched.
    assert_eq!(
        t.withdraw_gallery(&anna, &login, &wedding).await.status,
        204
    );
    let cards = overview(&t, &me).await;
    assert!(card(&cards, &wedding).is_none(), "{cards:?}");
    assert!(card(&cards, &portraits).is_some());
    let path = client_path(released.json["link"].as_str().unwrap());
    assert_error(&t.view_gallery(&path, None).await, 404, "not_found");
    assert_eq!(
        t.withdraw_gallery(&anna, &login, &wedding).await.status,
        404
    );
}

#[tokio::test]
async fn chosen_codes_are_long_enough_unique_per_photographer_and_forgiving_when_typed() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let ben = t.photographer("Ben Ode").await;
    for bad in ["short1", "no.dots.allowed", "ÄÖÜ-1234-5678"] {
        let refused = t
            .create_client_login(&anna, json!({ "name": "Carol", "access_code": bad }))
            .await;
        assert_invalid(&refused, "access_code");
    }
    let created = t
        .create_client_login(
            &anna,
            json!({ "name": "Carol", "access_code": "Lilac-Orbit 7391" }),
        )
        .await;
    assert_eq!(created.status, 201, "{created:?}");
    assert_eq!(created.json["access_code"], "Lilac-Orbit 7391");
    // The same code for another of Anna's clients, even spelled with look-alikes, is taken.
    let taken = t
        .create_client_login(
            &anna,
            json!({ "name": "Dan", "access_code": "1ILAC 0RBIT-739I" }),
        )
        .await;
    assert_invalid(&taken, "access_code");
    // Another photographer's page is another namespace.
    let elsewhere = t
        .create_client_login(
            &ben,
            json!({ "name": "Eve", "access_code": "LILACORBIT7391" }),
        )
        .await;
    assert_eq!(elsewhere.status, 201, "{elsewhere:?}");

    // Look-alikes, case, spaces and dashes don't matter on the page; each page finds its own.
    let on_anna = t.log_in(&anna.slug, "lilac 0rbit 739l").await;
    assert_eq!(on_anna.status, 200, "{on_anna:?}");
    assert_eq!(on_anna.json["name"], "Carol");
    let on_ben = t.log_in(&ben.slug, "LILAC-ORBIT-7391").await;
    assert_eq!(on_ben.json["name"], "Eve");

    // A new chosen code that another login has is refused, and the old one keeps working.
    let dan = t
        .create_client_login(
            &anna,
            json!({ "name": "Dan", "access_code": "KIWI-LOTUS-5820" }),
        )
        .await;
    let dan_id = dan.json["login_id"].as_str().unwrap();
    let clash = t
        .update_client_login(&anna, dan_id, json!({ "access_code": "lilacorbit7391" }))
        .await;
    assert_invalid(&clash, "access_code");
    assert_eq!(t.log_in(&anna.slug, "KIWI-LOTUS-5820").await.status, 200);
    let both = t
        .update_client_login(
            &anna,
            dan_id,
            json!({ "access_code": "DAN-9999-9999", "new_access_code": true }),
        )
        .await;
    assert_invalid(&both, "access_code");
}

/// Regression (issue 20, item 3): `AAAAAAAA` was accepted as a chosen code. A chosen code that
/// is easy to guess is refused on `access_code`, saying why in words a photographer reads; a
/// generated code and a code hard to guess still go through.
#[tokio::test]
async fn guessable_chosen_codes_are_refused_saying_why() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let refusal = |reply: &Reply| -> String {
        assert_invalid(reply, "access_code");
        reply.json["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    for (code, why) in [
        ("AAAAAAAA", "repeats characters"),
        ("abcd-efgh", "runs in order"),
        ("1234 5678", "commonly used password"),
        ("sdfghjkl", "follows the keyboard"),
        ("iloveyou", "commonly used password"),
        ("2024-06-14", "a date or a year"),
        ("Okonkwo 2024", "the client's own name or email"),
    ] {
        let refused = t
            .create_client_login(
                &anna,
                json!({ "name": "Carol Okonkwo", "access_code": code }),
            )
            .await;
        let message = refusal(&refused);
        assert!(
            message.starts_with("access_code: is too easy to guess: ") && message.contains(why),
            "{code}: {message}"
        );
    }

    // A new code for a login meets the same bar, with the login's own name and address.
    let email = unique_email("carol.okonkwo");
    let (login, _) = t
        .new_client_login(&anna, "Carol Okonkwo", Some(&email))
        .await;
    for code in ["QQQQ-QQQQ", "okonkwo-2024", "carolokonkwo7"] {
        let refused = t
            .update_client_login(&anna, &login, json!({ "access_code": code }))
            .await;
        assert!(refusal(&refused).contains("too easy to guess"), "{code}");
    }
    let changed = t
        .update_client_login(&anna, &login, json!({ "access_code": "Tango Harbour 77" }))
        .await;
    assert_eq!(changed.status, 200, "{changed:?}");
    assert_eq!(t.log_in(&anna.slug, "tango harbour 77").await.status, 200);
    let generated = t
        .update_client_login(&anna, &login, json!({ "new_access_code": true }))
        .await;
    assert_eq!(generated.status, 200, "{generated:?}");
}

#[tokio::test]
async fn guessing_is_throttled_and_every_refusal_looks_the_same() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let (login, code) = t
        .new_client_login(&anna, "Carol", Some(&unique_email("carol")))
        .await;
    let (revoked, revoked_code) = t
        .new_client_login(&anna, "Dan", Some(&unique_email("dan")))
        .await;
    assert_eq!(t.delete_client_login(&anna, &revoked).await.status, 204);

    // A wrong code, an unknown page, a revoked login, a malformed page and a code no login can
    // have: one answer, word for word.
    let refusals = [
        t.log_in(&anna.slug, "ZZZZ-ZZZZ-ZZZZ").await,
        t.log_in("no-such-photographer", &code).await,
        t.log_in(&anna.slug, &revoked_code).await,
        t.log_in("Not_A_Slug", &code).await,
        t.log_in(&anna.slug, "?!").await,
    ];
    for refused in &refusals {
        assert_error(refused, 401, "wrong_access_code");
        assert_eq!(refused.json, refusals[0].json, "{refused:?}");
    }

    // Ten wrong codes from one address use its budget (three are counted above); then even the
    // right code waits, from that address only.
    for _ in 0..7 {
        let wrong = t.log_in(&anna.slug, "ZZZZ-ZZZZ-ZZZZ").await;
        assert_error(&wrong, 401, "wrong_access_code");
    }
    let throttled = t.log_in(&anna.slug, &code).await;
    assert_error(&throttled, 429, "too_many_attempts");
    let wait: u64 = throttled.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&wait), "{wait}");
    let elsewhere = t.log_in_from(OTHER_IP, &anna.slug, &code).await;
    assert_eq!(elsewhere.status, 200, "{elsewhere:?}");
    // Right codes give their try back: logging in again and again from one address never
    // locks it.
    for _ in 0..12 {
        assert_eq!(t.log_in_from(OTHER_IP, &anna.slug, &code).await.status, 200);
    }
    assert!(t.get_client_login(&anna, &login).await.status == 200);
}

#[tokio::test]
async fn sub_galleries_are_released_with_their_own_settings_never_the_parents() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let wedding = t.create_gallery(&anna, "Smith wedding").await;
    let ceremony = t
        .create_gallery_raw(&anna, json!({ "title": "Ceremony", "parent_id": wedding }))
        .await;
    let ceremony = ceremony.json["id"].as_str().unwrap().to_owned();
    // The sub-gallery's own general settings: clean, downloads on, unlimited.
    let own = t
        .set_general(
            &anna,
            &ceremony,
            json!({ "watermark": false, "downloads_enabled": true, "download_limit": null }),
        )
        .await;
    assert_eq!(own.status, 200, "{own:?}");
    let email = unique_email("carol");
    let (login, code) = t.new_client_login(&anna, "Carol", Some(&email)).await;

    let released = t
        .release_gallery(
            &anna,
            &login,
            &wedding,
            Some(json!({ "include_subgalleries": true, "download_limit": 2, "watermark": true })),
        )
        .await;
    assert_eq!(released.status, 201, "{released:?}");
    let subs = released.json["subgalleries"]
        .as_array()
        .expect("subgalleries");
    assert_eq!(subs.len(), 1, "{released:?}");
    assert_eq!(subs[0]["gallery_id"], ceremony.as_str());
    assert_eq!(subs[0]["settings"]["watermark"], false);
    assert_eq!(subs[0]["settings"]["download_limit"], Value::Null);
    assert_eq!(released.json["settings"]["download_limit"], 2);

    // The client sees both, each opening with its own settings; one email names both.
    let me = t.login_session(&anna.slug, &code).await;
    let cards = overview(&t, &me).await;
    let sub_card = card(&cards, &ceremony).expect("the sub-gallery is listed");
    assert_eq!(sub_card["parent_id"], wedding.as_str());
    let view = t
        .view_gallery(&client_path(sub_card["link"].as_str().unwrap()), None)
        .await;
    assert_eq!(view.json["settings"]["watermark"], false, "{view:?}");
    assert_eq!(view.json["settings"]["download_limit"], Value::Null);
    let mails = t.emails_to(&email).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(mails[0].to_string().contains("1 sub-gallery"), "{mails:?}");

    // A sub-gallery made later is released by releasing the parent again, and announced on
    // its own (the parent's email went out before).
    let reception = t
        .create_gallery_raw(&anna, json!({ "title": "Reception", "parent_id": wedding }))
        .await;
    assert_eq!(reception.status, 201);
    let again = t
        .release_gallery(
            &anna,
            &login,
            &wedding,
            Some(json!({ "include_subgalleries": true })),
        )
        .await;
    assert_eq!(again.status, 200, "{again:?}");
    assert_eq!(again.json["subgalleries"].as_array().unwrap().len(), 2);
    let mails = t.emails_to(&email).await;
    assert_eq!(mails.len(), 2, "{mails:?}");
    assert!(
        mails.iter().any(|m| m.to_string().contains("Reception")),
        "{mails:?}"
    );

    // Withdrawing the parent leaves the sub-gallery's own release: each is explicit.
    assert_eq!(
        t.withdraw_gallery(&anna, &login, &wedding).await.status,
        204
    );
    let cards = overview(&t, &me).await;
    assert!(card(&cards, &wedding).is_none());
    assert!(card(&cards, &ceremony).is_some());
}

#[tokio::test]
async fn concurrent_releases_make_one_link_and_one_email() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let email = unique_email("carol");
    let (login, _) = t.new_client_login(&anna, "Carol", Some(&email)).await;
    let replies = join_all((0..8).map(|_| t.release_gallery(&anna, &login, &gallery, None))).await;
    let created = replies.iter().filter(|r| r.status == 201).count();
    assert_eq!(created, 1, "{replies:?}");
    assert!(
        replies.iter().all(|r| r.status == 201 || r.status == 200),
        "{replies:?}"
    );
    let links: std::collections::BTreeSet<&str> = replies
        .iter()
        .map(|r| r.json["link"].as_str().unwrap())
        .collect();
    assert_eq!(links.len(), 1, "{links:?}");
    assert_eq!(t.emails_to(&email).await.len(), 1);
    let releases = t.list_releases(&anna, &login).await;
    assert_eq!(releases.json["galleries"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn photographers_never_reach_each_others_logins_or_galleries() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let ben = t.photographer("Ben Ode").await;
    let annas_gallery = t.create_gallery(&anna, "Smith wedding").await;
    let bens_gallery = t.create_gallery(&ben, "Jones wedding").await;
    let (annas_login, _) = t
        .new_client_login(&anna, "Carol", Some(&unique_email("carol")))
        .await;
    let (bens_login, _) = t
        .new_client_login(&ben, "Eve", Some(&unique_email("eve")))
        .await;

    assert_error(
        &t.get_client_login(&ben, &annas_login).await,
        404,
        "not_found",
    );
    let patched = t
        .update_client_login(&ben, &annas_login, json!({ "name": "Mallory" }))
        .await;
    assert_error(&patched, 404, "not_found");
    assert_error(
        &t.delete_client_login(&ben, &annas_login).await,
        404,
        "not_found",
    );
    assert_error(&t.list_releases(&ben, &annas_login).await, 404, "not_found");
    // Neither someone else's login nor someone else's gallery can be released.
    assert_error(
        &t.release_gallery(&ben, &annas_login, &bens_gallery, None)
            .await,
        404,
        "not_found",
    );
    assert_error(
        &t.release_gallery(&ben, &bens_login, &annas_gallery, None)
            .await,
        404,
        "not_found",
    );
    assert!(!format!("{:?}", t.list_client_logins(&ben).await).contains(&annas_login));
    assert_eq!(
        t.get_client_login(&anna, &annas_login).await.json["name"],
        "Carol"
    );
}

#[tokio::test]
async fn the_overview_needs_a_live_login_session_and_nothing_else_passes_for_one() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    t.set_general(&anna, &gallery, json!({ "password": "venue-2026" }))
        .await;
    let path = t.general_path(&anna, &gallery).await;
    let link_session = t.unlock_gallery(&path, "venue-2026").await.json["session"]
        .as_str()
        .unwrap()
        .to_owned();
    for session in [
        None,
        Some("garbage"),
        Some(link_session.as_str()),
        Some(anna.api_key.as_str()),
    ] {
        assert_error(&t.my_galleries(session).await, 401, "login_required");
    }
}
