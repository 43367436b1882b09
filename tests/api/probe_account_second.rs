//! A second attacker's probe of the account, against the fixes of 7e0cb0b (the pending
//! address change, links that keep their address, the login page's former addresses given
//! back, `proofsheet-admin delete-photographer`). Those marked "Found" failed on that commit and
//! were fixed in the next; the others hold and check what no earlier test did.

use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use futures::future::join_all;
use proofsheet_app::Clock;
use proofsheet_app::email::StudioEmailChange;
use proofsheet_app::secrets::new_studio_secret;
use proofsheet_policy::{Email, SignInLink};
use proofsheet_store::SignInLinkRecord;
use proofsheet_tests::*;
use serde_json::json;

const T0: u64 = 1_800_000_000;

/// "Sign out everywhere", from the studio's own page.
async fn sign_out_everywhere(t: &TestApp, cookie: &str) {
    let out = t
        .with_cookie(
            "POST",
            "/studio/sign-out",
            cookie,
            &FROM_THE_STUDIO,
            Some(json!({ "everywhere": true })),
        )
        .await;
    assert_eq!(out.status, 204, "{out:?}");
}

/// A plain sign-in link to `who`'s address, stored as `POST /studio/sign-in` stores one (made
/// here, past the per-address budget); its path.
async fn plain_link(t: &TestApp, who: &Photographer, expires_at: u64) -> String {
    let (secret, hash) = new_studio_secret();
    let link = SignInLinkRecord {
        photographer_id: who.photographer_id(),
        expires_at,
        sent_to: Some(Email::parse(&who.email()).unwrap()),
        replaces: None,
    };
    t.app.store().save_sign_in_link(&hash, &link).await.unwrap();
    format!("/studio/sign-in/{secret}")
}

/// Makes an API key with a studio session; the key.
async fn mint_key(t: &TestApp, cookie: &str) -> Option<String> {
    let made = t
        .with_cookie(
            "POST",
            "/api-keys",
            cookie,
            &FROM_THE_STUDIO,
            Some(json!({ "name": "mine now" })),
        )
        .await;
    (made.status == 201).then(|| made.json["api_key"].as_str().unwrap().to_owned())
}

// ---------------------------------------------------------------------------------------------
// The sign-in address
// ---------------------------------------------------------------------------------------------

// Found: a confirm link stored by e942852 (`confirms_email`, no `sent_to`) read as a plain link
// from before links kept their address, and signed its holder in. A link that doesn't say
// where it went now signs nobody in.
#[tokio::test]
async fn a_confirm_link_stored_before_the_fix_signs_nobody_in() {
    let t = TestApp::spawn_with_clock(&[], Clock::fixed(T0)).await;
    let anna = t.photographer("Anna Lee").await;
    let strangers_inbox = unique_email("anna-typo");
    let (secret, hash) = new_studio_secret();
    let sdk = proofsheet_store::load_sdk_config().await;
    let text = |v: &str| AttributeValue::S(v.to_owned());
    aws_sdk_dynamodb::Client::new(&sdk)
        .put_item()
        .table_name(&t.provisioned.resources.table)
        .item("PK", text(&format!("SIGNIN#{hash}")))
        .item("SK", text("SIGNIN"))
        .item("photographer_id", text(&anna.id))
        .item(
            "expires_at",
            AttributeValue::N((T0 + SignInLink::LIFETIME_SECS).to_string()),
        )
        .item("confirms_email", text(&strangers_inbox))
        .send()
        .await
        .unwrap();

    // Anna reads the notice and does what it says.
    let annas = t.studio_session(&anna.email()).await;
    sign_out_everywhere(&t, &annas).await;

    let path = format!("/studio/sign-in/{secret}");
    let page = t.call("GET", &path, None, None).await;
    let used = t.call("POST", &path, None, None).await;
    let email_now = t.get_account(&anna).await.json["email"].clone();
    assert!(
        used.status != 200 || email_now == strangers_inbox.as_str(),
        "the link sent to {strangers_inbox} signed its holder in to Anna's account (still \
         {email_now}), after she signed out everywhere: page {page:?}, sign-in {used:?}"
    );
    assert_error(&used, 410, "sign_in_link_spent");
}

// Holds: a link superseded before a change A → C, once the address is back at A (C → A), again
// replaces the current address; it still confirms nothing, because it is not the pending
// change.
#[tokio::test]
async fn a_superseded_link_confirms_nothing_once_the_address_is_back() {
    let t = TestApp::spawn_with_clock(&[], Clock::fixed(T0)).await;
    let anna = t.photographer("Anna Lee").await;
    let a = anna.email();
    let cookie = t.studio_session(&a).await;
    let b = unique_email("anna-typo");
    let c = unique_email("anna-c");
    assert_eq!(t.request_email_change(&cookie, &b).await.status, 202);
    let superseded = t.emailed_studio_link(&b).await;
    assert_eq!(t.request_email_change(&cookie, &c).await.status, 202);
    let to_c = t.emailed_studio_link(&c).await;
    let at_c = t.call("POST", &to_c, None, None).await;
    assert_eq!(at_c.status, 200, "{at_c:?}");
    let cookie = session_cookie(&at_c);
    assert_eq!(t.request_email_change(&cookie, &a).await.status, 202);
    let back = t.emailed_studio_link(&a).await;
    let at_a = t.call("POST", &back, None, None).await;
    assert_eq!(at_a.status, 200, "{at_a:?}");
    assert_eq!(t.get_account(&anna).await.json["email"], a.as_str());

    // The link to the typo replaces "anna@A", Anna's address again.
    assert_error(
        &t.call("GET", &superseded, None, None).await,
        410,
        "sign_in_link_spent",
    );
    let late = t.call("POST", &superseded, None, None).await;
    assert_error(&late, 410, "sign_in_link_spent");
    assert_eq!(t.get_account(&anna).await.json["email"], a.as_str());
    assert_eq!(t.email_claimant(&b).await, None);
    assert_eq!(t.email_claimant(&a).await, Some(anna.photographer_id()));
    assert!(t.session_lives(&session_cookie(&at_a)).await);
}

// Found (design): a session left open could make an API key, which outlives signing out
// everywhere and the address change. A key now takes a recent sign-in, like a new address,
// and the notice says to revoke keys one doesn't know.
#[tokio::test]
async fn signing_out_everywhere_and_changing_the_address_leave_the_intruders_key() {
    let t = TestApp::spawn_with_clock(&[], Clock::fixed(T0)).await;
    let anna = t.photographer("Anna Lee").await;
    // A session left open on a shared computer, a day old: too old to change the address.
    let left_open = t.studio_session(&anna.email()).await;
    t.app.clock().advance(86_400);
    let elsewhere = unique_email("intruder");
    assert_error(
        &t.request_email_change(&left_open, &elsewhere).await,
        403,
        "recent_sign_in_required",
    );
    // Nor does it make an API key, which would outlive it.
    let refused = t
        .with_cookie(
            "POST",
            "/api-keys",
            &left_open,
            &FROM_THE_STUDIO,
            Some(json!({ "name": "mine now" })),
        )
        .await;
    assert_error(&refused, 403, "recent_sign_in_required");
    // One made from a session opened moments ago is for Anna to revoke, as the notice says.
    let notice_says = StudioEmailChange {
        photographer: "Anna Lee",
        old_email: "a@example.com",
        new_email: "b@example.com",
        link: None,
        minutes: 15,
    }
    .to(Email::parse("a@example.com").unwrap())
    .unwrap()
    .text;
    assert!(notice_says.contains("revoke any API key"), "{notice_says}");
}

// Found: a sign-in through a link to the old address, racing the confirm, could open its
// session after the confirm ended the old ones. A session now opens only while the account
// signs in with the address the link came through (checked in the same transaction).
#[tokio::test]
async fn sign_ins_racing_the_address_change_leave_no_session_of_the_old_address() {
    let t = TestApp::spawn_with_clock(&[], Clock::fixed(T0)).await;
    let anna = t.photographer("Anna Lee").await;
    let cookie = t.studio_session(&anna.email()).await;
    let new_email = unique_email("anna-new");
    assert_eq!(
        t.request_email_change(&cookie, &new_email).await.status,
        202
    );
    let confirm = t.emailed_studio_link(&new_email).await;
    let mut old_links = Vec::new();
    for _ in 0..30 {
        old_links.push(plain_link(&t, &anna, T0 + SignInLink::LIFETIME_SECS).await);
    }
    let confirming = async {
        tokio::time::sleep(Duration::from_millis(15)).await;
        t.call("POST", &confirm, None, None).await
    };
    let signing_in = join_all(old_links.iter().enumerate().map(|(i, link)| {
        let t = &t;
        async move {
            tokio::time::sleep(Duration::from_millis(i as u64)).await;
            t.call("POST", link, None, None).await
        }
    }));
    let (confirmed, replies) = tokio::join!(confirming, signing_in);
    assert_eq!(confirmed.status, 200, "{confirmed:?}");
    assert_eq!(t.get_account(&anna).await.json["email"], new_email.as_str());
    let mut surviving = Vec::new();
    for reply in replies.iter().filter(|r| r.status == 200) {
        let old = session_cookie(reply);
        if t.session_lives(&old).await {
            surviving.push(old);
        }
    }
    assert!(
        surviving.is_empty(),
        "sessions opened through the old address outlive the change: {surviving:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// The login page's address
// ---------------------------------------------------------------------------------------------

// Holds: an address given back (the fourth move) is wholly its new owner's: it is their page,
// with their clients' codes only; it no longer leads to the old owner's page nor is listed as
// theirs, and the old owner can neither take it back nor, moving on, give it away again.
#[tokio::test]
async fn a_given_back_address_is_wholly_its_new_owners() {
    let t = TestApp::spawn_with_clock(&[], Clock::fixed(T0)).await;
    let anna = t.photographer("Anna Lee").await;
    let ben = t.photographer("Ben Ortiz").await;
    let (_, annas_code) = t.new_client_login(&anna, "Carol", None).await;
    let (_, bens_code) = t.new_client_login(&ben, "Dan", None).await;
    let first = anna.slug.clone();
    let moves: Vec<String> = (1..=4).map(|i| format!("{first}-{i}")).collect();
    for slug in &moves {
        let moved = t.update_account(&anna, json!({ "slug": slug })).await;
        assert_eq!(moved.status, 200, "{moved:?}");
    }
    assert_eq!(
        t.get_account(&anna).await.json["former_slugs"],
        json!(moves[..3])
    );
    let taken = t.update_account(&ben, json!({ "slug": first })).await;
    assert_eq!(taken.status, 200, "{taken:?}");

    let page = t.login_page(&first, None).await;
    assert_eq!(page.status, 200, "{page:?}");
    let html = page.json.as_str().unwrap();
    assert!(
        html.contains("Ben Ortiz") && !html.contains("Anna Lee"),
        "{html}"
    );
    assert_error(
        &t.log_in(&first, &annas_code).await,
        401,
        "wrong_access_code",
    );
    assert_eq!(t.log_in(&first, &bens_code).await.status, 200);
    assert_error(
        &t.update_account(&anna, json!({ "slug": first })).await,
        409,
        "slug_taken",
    );
    // Anna moves again: her next oldest goes back; Ben's address stays his.
    let fifth = format!("{first}-5");
    let moved = t.update_account(&anna, json!({ "slug": fifth })).await;
    assert_eq!(moved.status, 200, "{moved:?}");
    assert_eq!(
        t.get_account(&anna).await.json["former_slugs"],
        json!(moves[1..])
    );
    assert_eq!(t.login_page(&first, None).await.status, 200);
    assert_eq!(t.log_in(&first, &bens_code).await.status, 200);
    let gone = t.login_page(&moves[0], None).await;
    assert_eq!(gone.status, 404, "{gone:?}");
}

// ---------------------------------------------------------------------------------------------
// proofsheet-admin delete-photographer
// ---------------------------------------------------------------------------------------------

// Holds: deleting Anna leaves every other photographer as they were (the command's scan takes
// only what names her): Ben, who took an address Anna gave back, keeps his page there, his
// session, his key, his sign-in link and his pending address change; Anna's own pending change
// and unused link sign nobody in, and the address she was moving to is nobody's.
#[tokio::test]
async fn deleting_a_photographer_takes_nothing_of_anothers_and_ends_their_pending_links() {
    let t = TestApp::spawn_with_clock(&[], Clock::fixed(T0)).await;
    let anna = t.photographer("Anna Lee").await;
    let ben = t.photographer("Ben Ortiz").await;
    let given_back = anna.slug.clone();
    for i in 1..=4 {
        let slug = format!("{given_back}-{i}");
        let moved = t.update_account(&anna, json!({ "slug": slug })).await;
        assert_eq!(moved.status, 200, "{moved:?}");
    }
    let taken = t.update_account(&ben, json!({ "slug": given_back })).await;
    assert_eq!(taken.status, 200, "{taken:?}");
    let bens_cookie = t.studio_session(&ben.email()).await;
    let bens_key = mint_key(&t, &bens_cookie).await.expect("a key");
    let bens_new = unique_email("ben-new");
    assert_eq!(
        t.request_email_change(&bens_cookie, &bens_new).await.status,
        202
    );
    let bens_confirm = t.emailed_studio_link(&bens_new).await;
    let bens_link = plain_link(&t, &ben, T0 + SignInLink::LIFETIME_SECS).await;

    let annas_cookie = t.studio_session(&anna.email()).await;
    let annas_new = unique_email("anna-new");
    assert_eq!(
        t.request_email_change(&annas_cookie, &annas_new)
            .await
            .status,
        202
    );
    let annas_confirm = t.emailed_studio_link(&annas_new).await;
    let annas_link = plain_link(&t, &anna, T0 + SignInLink::LIFETIME_SECS).await;

    proofsheet_app::admin::delete_photographer(&t.app, anna.photographer_id())
        .await
        .unwrap();

    for link in [&annas_confirm, &annas_link] {
        let used = t.call("POST", link, None, None).await;
        assert_error(&used, 410, "sign_in_link_spent");
        assert!(used.header("set-cookie").is_none(), "{used:?}");
    }
    assert_eq!(t.email_claimant(&annas_new).await, None);
    assert!(!t.session_lives(&annas_cookie).await);

    assert!(t.session_lives(&bens_cookie).await);
    for key in [&ben.api_key, &bens_key] {
        assert_eq!(
            t.call("GET", "/galleries", Some(key), None).await.status,
            200
        );
    }
    assert_eq!(t.login_page(&given_back, None).await.status, 200);
    assert_eq!(
        t.login_page(&ben.slug, None).await.header("location"),
        Some(format!("/p/{given_back}").as_str())
    );
    let signed_in = t.call("POST", &bens_link, None, None).await;
    assert_eq!(signed_in.status, 200, "{signed_in:?}");
    let confirmed = t.call("POST", &bens_confirm, None, None).await;
    assert_eq!(confirmed.status, 200, "{confirmed:?}");
    assert_eq!(t.get_account(&ben).await.json["email"], bens_new.as_str());
}

// Found: a session alive while `delete-photographer` ran could make an API key whose claim
// the scan had passed, working for a photographer who no longer exists. The profile is now
// marked first, and no key is made and no session opened on a marked account.
#[tokio::test]
async fn nothing_made_while_a_photographer_is_deleted_outlives_the_deletion() {
    let t = TestApp::spawn_with_clock(&[], Clock::fixed(T0)).await;
    let anna = t.photographer("Anna Lee").await;
    let cookie = t.studio_session(&anna.email()).await;
    for _ in 0..150 {
        plain_link(&t, &anna, T0 + SignInLink::LIFETIME_SECS).await;
    }
    // The operator's command, from their own machine (its AWS calls are not the routes').
    let sdk = proofsheet_store::load_sdk_config().await;
    let operator = proofsheet_app::App::with_store(
        proofsheet_store::Store::new(&sdk, t.app.store().resources().clone()),
        t.app.config().clone(),
    );
    let deleting = proofsheet_app::admin::delete_photographer(&operator, anna.photographer_id());
    let minting = async {
        let mut keys = Vec::new();
        for _ in 0..8 {
            tokio::time::sleep(Duration::from_millis(40)).await;
            match mint_key(&t, &cookie).await {
                Some(key) => keys.push(key),
                None => break,
            }
        }
        keys
    };
    let (deleted, keys) = tokio::join!(deleting, minting);
    deleted.unwrap();
    assert!(
        t.app
            .store()
            .photographer(anna.photographer_id())
            .await
            .unwrap()
            .is_none()
    );

    let mut still_working = Vec::new();
    for key in &keys {
        let reply = t.call("GET", "/galleries", Some(key), None).await;
        if reply.status != 401 {
            still_working.push(key.clone());
        }
    }
    let ghost_gallery = match still_working.first() {
        Some(key) => {
            let made = t
                .call(
                    "POST",
                    "/galleries",
                    Some(key),
                    Some(json!({ "title": "x" })),
                )
                .await;
            Some(made.status)
        }
        None => None,
    };
    let again = proofsheet_app::admin::delete_photographer(&operator, anna.photographer_id()).await;
    assert!(
        still_working.is_empty(),
        "{} of {} keys made during the deletion still work for the deleted photographer \
         (a gallery made with one: {ghost_gallery:?}); running the command again: {again:?}",
        still_working.len(),
        keys.len()
    );
}

// Found: a new ask racing the confirm of the pending change answered 500. Whichever comes
// first now, the answers say what happened: a 409 `concurrent_update` sends nothing.
#[tokio::test]
async fn a_new_ask_racing_the_confirm_is_not_a_500() {
    let t = TestApp::spawn_with_clock(&[], Clock::fixed(T0)).await;
    let anna = t.photographer("Anna Lee").await;
    let cookie = t.studio_session(&anna.email()).await;
    let b = unique_email("anna-b");
    let c = unique_email("anna-c");
    assert_eq!(t.request_email_change(&cookie, &b).await.status, 202);
    let confirm = t.emailed_studio_link(&b).await;
    let (confirmed, asked) = tokio::join!(
        t.call("POST", &confirm, None, None),
        t.request_email_change(&cookie, &c)
    );
    let now = t.get_account(&anna).await.json["email"].clone();
    match (confirmed.status, asked.status) {
        // The ask read the old address, the confirm moved it first: nothing pending, nothing
        // sent.
        (200, 409) => {
            assert_error(&asked, 409, "concurrent_update");
            assert_eq!(now, b.as_str());
            assert!(t.emails_to(&c).await.is_empty());
        }
        // The ask came after the change: a change from the new address, which is told.
        (200, 202) => {
            assert_eq!(now, b.as_str());
            let told = t.emails_to(&b).await;
            assert!(told.iter().any(|m| m.to_string().contains(&c)), "{told:?}");
        }
        // The ask came first and superseded the link: nothing changed.
        (410, 202) => assert_eq!(now, anna.email().as_str()),
        other => panic!("{other:?}: {confirmed:?} {asked:?}"),
    }
}
