//! Security probes of the account (`PATCH /account`, `POST /account/email`, and the link that
//! confirms a new sign-in address), written as an attacker or a careless user would use the
//! routes. Each asserts what the feature promises. Those marked "Found" failed on the commit
//! the probe was written against (e942852), and were fixed in the next.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use futures::future::join_all;
use proofsheet_app::Clock;
use proofsheet_app::email::StudioEmailChange;
use proofsheet_policy::{Email, SignInLink, UnlockThrottle};
use proofsheet_tests::*;
use serde_json::{Value, json};

const T0: u64 = 1_800_000_000;

fn ip(a: u8, b: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(203, 0, a, b))
}

/// `POST /studio/sign-in`, as a script asks for a sign-in link.
async fn ask_for_link(t: &TestApp, email: &str) -> Reply {
    t.call(
        "POST",
        "/studio/sign-in",
        None,
        Some(json!({ "email": email })),
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// The sign-in address
// ---------------------------------------------------------------------------------------------

// Found (medium, account takeover): after a typo, the link in a stranger's inbox still
// confirmed once Anna had asked again and confirmed the right address. Now one change is
// pending at a time, and a link confirms only from the address it replaces.
#[tokio::test]
async fn a_superseded_address_change_link_no_longer_confirms() {
    let t = TestApp::spawn_with_clock(&[], Clock::fixed(T0)).await;
    let anna = t.photographer("Anna Lee").await;
    let cookie = t.studio_session(&anna.email()).await;
    let typo = unique_email("anna-typo");
    let meant = unique_email("anna-meant");

    assert_eq!(t.request_email_change(&cookie, &typo).await.status, 202);
    let strangers_link = t.emailed_studio_link(&typo).await;
    assert_eq!(t.request_email_change(&cookie, &meant).await.status, 202);
    let annas_link = t.emailed_studio_link(&meant).await;
    let confirmed = t.call("POST", &annas_link, None, None).await;
    assert_eq!(confirmed.status, 200, "{confirmed:?}");
    assert_eq!(t.get_account(&anna).await.json["email"], meant.as_str());

    // The stranger's link was asked for before Anna changed her mind: it must change nothing.
    let late = t.call("POST", &strangers_link, None, None).await;
    let now = t.get_account(&anna).await.json["email"].clone();
    assert_eq!(
        now,
        Value::from(meant.as_str()),
        "the stranger's inbox took Anna's account ({late:?}); emails to {meant}, which it left, \
         (the confirm link alone, no notice): {}",
        t.emails_to(&meant).await.len()
    );
    assert_error(&late, 410, "sign_in_link_spent");
}

// Found (medium, account takeover): the notice tells the owner to "sign out everywhere", which
// ended sessions but not the pending change whose link sat in the thief's inbox. Signing out
// everywhere now cancels it.
#[tokio::test]
async fn signing_out_everywhere_stops_a_pending_address_change() {
    let t = TestApp::spawn_with_clock(&[], Clock::fixed(T0)).await;
    let anna = t.photographer("Anna Lee").await;
    // A session opened moments ago, in the wrong hands.
    let thiefs_cookie = t.studio_session(&anna.email()).await;
    let thief = unique_email("thief");
    assert_eq!(
        t.request_email_change(&thiefs_cookie, &thief).await.status,
        202
    );
    let thiefs_link = t.emailed_studio_link(&thief).await;

    // Anna reads the notice and does what it says.
    let notice = t.emails_to(&anna.email()).await.last().unwrap().to_string();
    assert!(notice.contains("Sign out everywhere"), "{notice}");
    let annas_cookie = t.studio_session(&anna.email()).await;
    let out = t
        .with_cookie(
            "POST",
            "/studio/sign-out",
            &annas_cookie,
            &FROM_THE_STUDIO,
            Some(json!({ "everywhere": true })),
        )
        .await;
    assert_eq!(out.status, 204, "{out:?}");
    assert!(
        !t.session_lives(&thiefs_cookie).await,
        "the thief's session ended"
    );

    let taken = t.call("POST", &thiefs_link, None, None).await;
    assert_eq!(
        t.get_account(&anna).await.json["email"],
        anna.email(),
        "the thief took the account after Anna signed out everywhere: {taken:?}"
    );
    assert_error(&taken, 410, "sign_in_link_spent");
}

// Found: a sign-in link already sent to the old address kept signing in after the change.
// Links now keep the address they went to and sign in only while it is the photographer's.
#[tokio::test]
async fn a_sign_in_link_sent_to_the_old_address_dies_with_the_change() {
    let t = TestApp::spawn_with_clock(&[], Clock::fixed(T0)).await;
    let anna = t.photographer("Anna Lee").await;
    let cookie = t.studio_session(&anna.email()).await;
    // A link to the old inbox, not used yet.
    assert_eq!(ask_for_link(&t, &anna.email()).await.status, 202);
    let old_inbox_link = t.emailed_studio_link(&anna.email()).await;

    let new_email = unique_email("anna-new");
    assert_eq!(
        t.request_email_change(&cookie, &new_email).await.status,
        202
    );
    let confirm = t.emailed_studio_link(&new_email).await;
    assert_eq!(t.call("POST", &confirm, None, None).await.status, 200);
    assert_eq!(t.email_claimant(&anna.email()).await, None);

    let late = t.call("POST", &old_inbox_link, None, None).await;
    assert_error(&late, 410, "sign_in_link_spent");
}

// Found: sessions opened through the old inbox outlived the change, for up to 14 days. The
// change now ends them; the confirming sign-in's session is made after.
#[tokio::test]
async fn an_address_change_ends_the_sessions_the_old_address_opened() {
    let t = TestApp::spawn_with_clock(&[], Clock::fixed(T0)).await;
    let anna = t.photographer("Anna Lee").await;
    let intruders = t.studio_session(&anna.email()).await;
    let annas = t.studio_session(&anna.email()).await;
    let new_email = unique_email("anna-new");
    assert_eq!(t.request_email_change(&annas, &new_email).await.status, 202);
    let confirm = t.emailed_studio_link(&new_email).await;
    let confirmed = t.call("POST", &confirm, None, None).await;
    assert_eq!(confirmed.status, 200, "{confirmed:?}");
    let set = confirmed.header("set-cookie").unwrap();
    let confirming = set.split(';').next().unwrap().to_owned();
    assert!(t.session_lives(&confirming).await);

    assert!(
        !t.session_lives(&intruders).await,
        "a session the old inbox opened outlives the address change"
    );
}

// Found (enumeration): `POST /account/email` answered 409 for another photographer's address
// before counting the ask, so addresses could be tested without limit. It counts first now.
#[tokio::test]
async fn asking_for_taken_addresses_is_counted_like_any_other_ask() {
    let t = TestApp::spawn_with_clock(&[], Clock::fixed(T0)).await;
    let anna = t.photographer("Anna Lee").await;
    let ben = t.photographer("Ben Ortiz").await;
    let cookie = t.studio_session(&anna.email()).await;
    let budget = UnlockThrottle::STUDIO_SIGN_IN_PER_SOURCE.max_attempts;
    let mut statuses = Vec::new();
    for _ in 0..budget + 5 {
        statuses.push(t.request_email_change(&cookie, &ben.email()).await.status);
    }
    assert!(
        statuses.contains(&429),
        "every address can be tested, unthrottled: {statuses:?}"
    );
}

// Found: two links asked for one address; once the first was used, the second gave up and
// took the same claim in one transaction, which DynamoDB refuses: 500. Now only the later one
// confirms, once; the earlier is superseded (410).
#[tokio::test]
async fn a_second_ask_for_one_address_supersedes_the_first_link() {
    let t = TestApp::spawn_with_clock(&[], Clock::fixed(T0)).await;
    let anna = t.photographer("Anna Lee").await;
    let cookie = t.studio_session(&anna.email()).await;
    let new_email = unique_email("anna-new");
    assert_eq!(
        t.request_email_change(&cookie, &new_email).await.status,
        202
    );
    let first = t.emailed_studio_link(&new_email).await;
    assert_eq!(
        t.request_email_change(&cookie, &new_email).await.status,
        202
    );
    let second = t.emailed_studio_link(&new_email).await;
    assert_ne!(first, second);
    // The later ask is the pending change: the earlier link confirms nothing, before or after.
    let superseded = t.call("POST", &first, None, None).await;
    assert_error(&superseded, 410, "sign_in_link_spent");
    assert_eq!(t.call("POST", &second, None, None).await.status, 200);
    for link in [&first, &second] {
        let again = t.call("POST", link, None, None).await;
        assert_error(&again, 410, "sign_in_link_spent");
    }
    assert_eq!(t.get_account(&anna).await.json["email"], new_email.as_str());
    assert_eq!(
        t.email_claimant(&new_email).await,
        Some(anna.photographer_id())
    );
}

// Found: a confirm link pressed twice at once answered the loser with 500 (the same cause as
// above): now 410.
#[tokio::test]
async fn one_confirm_link_raced_changes_the_address_once_and_leaves_no_stray_claim() {
    let t = TestApp::spawn_with_clock(&[], Clock::fixed(T0)).await;
    let anna = t.photographer("Anna Lee").await;
    let cookie = t.studio_session(&anna.email()).await;
    let new_email = unique_email("anna-new");
    assert_eq!(
        t.request_email_change(&cookie, &new_email).await.status,
        202
    );
    let link = t.emailed_studio_link(&new_email).await;

    // Pressed over some 40 ms: a loser has to read the link just before the winner's
    // transaction and the profile just after it.
    let replies = join_all((0..40u64).map(|i| {
        let link = &link;
        let t = &t;
        async move {
            tokio::time::sleep(Duration::from_millis(i)).await;
            t.call("POST", link, None, None).await
        }
    }))
    .await;
    let won = replies.iter().filter(|r| r.status == 200).count();
    assert_eq!(won, 1, "{replies:?}");
    for reply in replies.iter().filter(|r| r.status != 200) {
        assert_error(reply, 410, "sign_in_link_spent");
    }
    assert_eq!(t.get_account(&anna).await.json["email"], new_email.as_str());
    assert_eq!(
        t.email_claimant(&new_email).await,
        Some(anna.photographer_id())
    );
    assert_eq!(t.email_claimant(&anna.email()).await, None);
}

// Holds: two confirm links (for two addresses) used at once leave the claims matching the
// profile whatever the order: the address Anna ends with is hers, the others nobody's (Ben may
// ask for her old one).
#[tokio::test]
async fn two_confirm_links_raced_leave_the_claims_matching_the_profile() {
    let t = TestApp::spawn_with_clock(&[], Clock::fixed(T0)).await;
    let anna = t.photographer("Anna Lee").await;
    let ben = t.photographer("Ben Ortiz").await;
    let cookie = t.studio_session(&anna.email()).await;
    let x = unique_email("anna-x");
    let y = unique_email("anna-y");
    assert_eq!(t.request_email_change(&cookie, &x).await.status, 202);
    assert_eq!(t.request_email_change(&cookie, &y).await.status, 202);
    let links = [
        t.emailed_studio_link(&x).await,
        t.emailed_studio_link(&y).await,
    ];
    let replies = join_all(links.iter().map(|link| t.call("POST", link, None, None))).await;
    assert!(
        replies.iter().any(|r| r.status == 200),
        "one of them changes it: {replies:?}"
    );
    for reply in replies.iter().filter(|r| r.status != 200) {
        assert_error(reply, 410, "sign_in_link_spent");
    }
    let now = t.get_account(&anna).await.json["email"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(now == x || now == y, "{now}");
    for email in [&anna.email(), &x, &y] {
        let expected = (*email == now).then(|| anna.photographer_id());
        assert_eq!(t.email_claimant(email).await, expected, "{email}");
    }
    let bens = t.studio_session(&ben.email()).await;
    assert_eq!(
        t.request_email_change(&bens, &anna.email()).await.status,
        202
    );
}

// Holds: two moves of one page at once leave no address claimed that the page never had: a move
// that lost is nobody's address, and another photographer may take it.
#[tokio::test]
async fn two_moves_raced_leave_no_stray_address_claimed() {
    let t = TestApp::spawn_with_clock(&[], Clock::fixed(T0)).await;
    let anna = t.photographer("Anna Lee").await;
    let ben = t.photographer("Ben Ortiz").await;
    let slugs: Vec<String> = (0..4).map(|i| format!("{}-race-{i}", anna.slug)).collect();
    let replies = join_all(
        slugs
            .iter()
            .map(|slug| t.update_account(&anna, json!({ "slug": slug }))),
    )
    .await;
    assert!(replies.iter().any(|r| r.status == 200), "{replies:?}");
    let now = t.get_account(&anna).await.json["slug"].clone();
    for (slug, reply) in slugs.iter().zip(&replies) {
        if reply.status == 200 {
            continue;
        }
        assert_error(reply, 409, "concurrent_update");
        assert_ne!(now, Value::from(slug.as_str()));
        let taken = t.update_account(&ben, json!({ "slug": slug })).await;
        assert_eq!(taken.status, 200, "{slug} was left claimed: {taken:?}");
        let back = t.update_account(&ben, json!({ "slug": ben.slug })).await;
        assert_eq!(back.status, 200, "{back:?}");
    }
}

// Holds: a confirm link past its 15 minutes changes nothing and signs nobody in, even though
// its item may still be in the table (DynamoDB's TTL removes it late).
#[tokio::test]
async fn a_confirm_link_past_its_time_changes_nothing() {
    let t = TestApp::spawn_with_clock(&[], Clock::fixed(T0)).await;
    let anna = t.photographer("Anna Lee").await;
    let cookie = t.studio_session(&anna.email()).await;
    let new_email = unique_email("anna-new");
    assert_eq!(
        t.request_email_change(&cookie, &new_email).await.status,
        202
    );
    let link = t.emailed_studio_link(&new_email).await;
    t.app.clock().advance(SignInLink::LIFETIME_SECS);
    let late = t.call("POST", &link, None, None).await;
    assert_error(&late, 410, "sign_in_link_spent");
    assert!(late.header("set-cookie").is_none(), "{late:?}");
    assert_eq!(t.get_account(&anna).await.json["email"], anna.email());
    assert_eq!(t.email_claimant(&new_email).await, None);
    assert_eq!(
        t.email_claimant(&anna.email()).await,
        Some(anna.photographer_id())
    );
}

// Holds: the route is the studio session's alone, whatever else the request brings: an API key
// with a cookie is refused, and so is a cookie without the studio's own header or from another
// site's form; an address in other case or with spaces is the same address (taken: 409).
#[tokio::test]
async fn an_address_change_takes_the_studios_own_call_and_a_taken_address_in_any_case_is_taken() {
    let t = TestApp::spawn_with_clock(&[], Clock::fixed(T0)).await;
    let anna = t.photographer("Anna Lee").await;
    let ben = t.photographer("Ben Ortiz").await;
    let cookie = t.studio_session(&anna.email()).await;
    let wanted = unique_email("anna-new");

    let key_and_cookie = t
        .call_with_headers(
            "POST",
            "/account/email",
            Some(&anna.api_key),
            &[
                ("cookie", cookie.as_str()),
                FROM_THE_STUDIO[0],
                FROM_THE_STUDIO[1],
                FROM_THE_STUDIO[2],
            ],
            Some(json!({ "email": wanted })),
        )
        .await;
    assert_error(&key_and_cookie, 403, "studio_session_required");
    let cross_site = t
        .with_cookie(
            "POST",
            "/account/email",
            &cookie,
            &[
                ("x-proofsheet-studio", "1"),
                ("sec-fetch-site", "cross-site"),
                ("origin", "https://evil.example"),
            ],
            Some(json!({ "email": wanted })),
        )
        .await;
    assert_error(&cross_site, 403, "cross_site_write");
    let text_form = t
        .send_with_headers(
            CALLER_IP.into(),
            "POST",
            "/account/email",
            None,
            &[
                ("cookie", cookie.as_str()),
                ("content-type", "text/plain"),
                ("sec-fetch-site", "cross-site"),
            ],
            Some(json!({ "email": wanted }).to_string()),
        )
        .await;
    assert_eq!(text_form.status, 403, "{text_form:?}");
    assert!(t.emails_to(&wanted).await.is_empty());

    let shouted = format!("  {}  ", ben.email().to_uppercase());
    assert_error(
        &t.request_email_change(&cookie, &shouted).await,
        409,
        "email_taken",
    );
    assert_eq!(
        t.email_claimant(&ben.email()).await,
        Some(ben.photographer_id())
    );
}

// Holds: a third party's inbox can't be flooded through address changes: at most the address's
// share of links per window, whichever photographers ask, and one account's asks are bounded
// whatever the addresses (which bounds the notices to its own old address too).
#[tokio::test]
async fn address_change_emails_are_bounded_per_inbox_and_per_account() {
    let t = TestApp::spawn_with_clock(&[], Clock::fixed(T0)).await;
    let anna = t.photographer("Anna Lee").await;
    let ben = t.photographer("Ben Ortiz").await;
    let annas = t.studio_session(&anna.email()).await;
    let bens = t.studio_session(&ben.email()).await;
    let victim = unique_email("victim");
    let per_address = UnlockThrottle::STUDIO_SIGN_IN_EMAILS_PER_ADDRESS.max_attempts as usize;
    let mut statuses = Vec::new();
    for i in 0..per_address + 2 {
        let cookie = if i % 2 == 0 { &annas } else { &bens };
        statuses.push(t.request_email_change(cookie, &victim).await.status);
    }
    assert_eq!(
        t.emails_to(&victim).await.len(),
        per_address,
        "{statuses:?}"
    );
    assert_eq!(*statuses.last().unwrap(), 429, "{statuses:?}");

    let per_account = UnlockThrottle::STUDIO_SIGN_IN_PER_SOURCE.max_attempts as usize;
    let notices_before = t.emails_to(&anna.email()).await.len();
    let mut answered = Vec::new();
    for i in 0..per_account + 2 {
        let to = unique_email(&format!("elsewhere-{i}"));
        answered.push(t.request_email_change(&annas, &to).await.status);
    }
    assert!(answered.ends_with(&[429, 429]), "{answered:?}");
    let notices = t.emails_to(&anna.email()).await.len() - notices_before;
    assert!(notices <= per_account, "{notices} notices: {answered:?}");
}

// Holds: a photographer's name is text wherever it goes: the studio's page, the login page, and
// both emails of an address change (HTML escaped; it can't break a header either).
#[tokio::test]
async fn a_name_with_markup_is_text_in_the_studio_the_login_page_and_the_emails() {
    let t = TestApp::spawn_with_clock(&[], Clock::fixed(T0)).await;
    let anna = t.photographer("Anna Lee").await;
    let markup = r#"<img src=x onerror=alert(1)>"'&"#;
    let renamed = t.update_account(&anna, json!({ "name": markup })).await;
    assert_eq!(renamed.status, 200, "{renamed:?}");
    assert_eq!(renamed.json["name"], markup);

    let cookie = t.studio_session(&anna.email()).await;
    let studio = t.browse("/studio", Some(&cookie)).await;
    let login = t.browse(&format!("/p/{}", anna.slug), None).await;
    for page in [&studio, &login] {
        assert_eq!(page.status, 200, "{page:?}");
        let html = page.json.as_str().unwrap();
        assert!(!html.contains("<img src=x"), "{html}");
        assert!(html.contains("img src=x"), "{html}");
    }

    let new_email = unique_email("anna-new");
    assert_eq!(
        t.request_email_change(&cookie, &new_email).await.status,
        202
    );
    // Both emails, as the route renders them (the emulator keeps one body of the two).
    let confirm = StudioEmailChange {
        photographer: markup,
        old_email: &anna.email(),
        new_email: &new_email,
        link: Some("https://proofsheet.test/studio/sign-in/s3cret"),
        minutes: 15,
    };
    let notice = StudioEmailChange {
        link: None,
        ..confirm
    };
    for mail in [confirm, notice] {
        let html = mail.to(Email::parse(&new_email).unwrap()).unwrap().html;
        assert!(!html.contains("<img src=x"), "{html}");
        assert!(html.contains("img src=x"), "{html}");
    }
    let with_newline = t
        .update_account(&anna, json!({ "name": "Anna\r\nBcc: x@evil.example" }))
        .await;
    assert_invalid(&with_newline, "name");
}

// ---------------------------------------------------------------------------------------------
// The login page's address
// ---------------------------------------------------------------------------------------------

// Found: access-code guesses were counted per page address, so every old address of a moved
// page was a fresh budget. They are counted on the page's current address now.
#[tokio::test]
async fn guesses_on_an_old_login_page_address_share_the_pages_budget() {
    let t = TestApp::spawn_with_clock(&[], Clock::fixed(T0)).await;
    let anna = t.photographer("Anna Lee").await;
    t.new_client_login(&anna, "Carol", None).await;
    let new_slug = format!("{}-new", anna.slug);
    let moved = t.update_account(&anna, json!({ "slug": new_slug })).await;
    assert_eq!(moved.status, 200, "{moved:?}");

    let guesser = ip(9, 1);
    let budget = UnlockThrottle::LOGIN_PER_SOURCE.max_attempts;
    for _ in 0..budget {
        let wrong = t.log_in_from(guesser, &new_slug, "ZZZZ-ZZZZ-ZZZZ").await;
        assert_error(&wrong, 401, "wrong_access_code");
    }
    let spent = t.log_in_from(guesser, &new_slug, "ZZZZ-ZZZZ-ZZZZ").await;
    assert_error(&spent, 429, "too_many_attempts");

    let elsewhere = t.log_in_from(guesser, &anna.slug, "ZZZZ-ZZZZ-ZZZZ").await;
    assert_error(&elsewhere, 429, "too_many_attempts");
}

// Found (squatting): old addresses were never given back, so one key could claim any number
// of names by moving over and over. A page now keeps its last three; the oldest past those is
// given back.
#[tokio::test]
async fn one_photographer_cannot_hoard_login_page_addresses() {
    let t = TestApp::spawn_with_clock(&[], Clock::fixed(T0)).await;
    let anna = t.photographer("Anna Lee").await;
    let ben = t.photographer("Ben Ortiz").await;
    let moves = 25;
    let mut statuses = Vec::new();
    for i in 0..moves {
        let slug = format!("{}-squat-{i}", anna.slug);
        statuses.push(
            t.update_account(&anna, json!({ "slug": slug }))
                .await
                .status,
        );
    }
    let first = format!("{}-squat-0", anna.slug);
    let held_by_anna = t.update_account(&ben, json!({ "slug": first })).await;
    assert!(
        statuses.contains(&429) || held_by_anna.status == 200,
        "{moves} addresses taken in a row, all kept: {statuses:?}, {held_by_anna:?}"
    );
}

// Holds: however many times the page moves (A → B → C → A), every old address leads straight to
// the current one in one hop, by a path on this site; an address in another case, or anything
// an address can't hold, is no page (404), never a redirect.
#[tokio::test]
async fn old_addresses_lead_straight_to_the_current_page_and_nowhere_else() {
    let t = TestApp::spawn_with_clock(&[], Clock::fixed(T0)).await;
    let anna = t.photographer("Anna Lee").await;
    let b = format!("{}-b", anna.slug);
    let c = format!("{}-c", anna.slug);
    for slug in [&b, &c, &anna.slug] {
        let moved = t.update_account(&anna, json!({ "slug": slug })).await;
        assert_eq!(moved.status, 200, "{moved:?}");
    }
    for old in [&b, &c] {
        let page = t.browse(&format!("/p/{old}"), None).await;
        assert_eq!(page.status, 302, "{page:?}");
        assert_eq!(
            page.header("location"),
            Some(format!("/p/{}", anna.slug).as_str())
        );
    }
    assert_eq!(
        t.browse(&format!("/p/{}", anna.slug), None).await.status,
        200
    );
    for path in [
        format!("/p/{}", b.to_uppercase()),
        format!("/p/{b}%2F%2Fevil.example"),
        "/p/%2F%2Fevil.example".to_owned(),
        format!("/p/{b}-"),
    ] {
        let page = t.browse(&path, None).await;
        assert!(
            page.status == 404 && page.header("location").is_none(),
            "{path}: {page:?}"
        );
    }
    // A client logged in on the current page is sent on from an old one, keeping nothing of it.
    let (_, code) = t.new_client_login(&anna, "Carol", None).await;
    let from_old = t.log_in(&b, &code).await;
    assert_eq!(from_old.status, 200, "{from_old:?}");
}

// Holds: with the studio's cookie, the profile changes only from the studio's own script: a
// script on another site, or one without the studio's header, changes neither the name nor
// the address (a form can't send PATCH).
#[tokio::test]
async fn another_site_cannot_rename_or_move_the_page_with_the_studios_cookie() {
    let t = TestApp::spawn_with_clock(&[], Clock::fixed(T0)).await;
    let anna = t.photographer("Anna Lee").await;
    let cookie = t.studio_session(&anna.email()).await;
    let body = json!({ "name": "Pwned", "slug": format!("{}-pwned", anna.slug) });
    let no_header = t
        .with_cookie("PATCH", "/account", &cookie, &[], Some(body.clone()))
        .await;
    assert_error(&no_header, 403, "cross_site_write");
    let cross_site = t
        .with_cookie(
            "PATCH",
            "/account",
            &cookie,
            &[
                ("x-proofsheet-studio", "1"),
                ("sec-fetch-site", "cross-site"),
                ("origin", "https://evil.example"),
            ],
            Some(body.clone()),
        )
        .await;
    assert_error(&cross_site, 403, "cross_site_write");
    let account = t.get_account(&anna).await.json;
    assert_eq!(account["name"], "Anna Lee");
    assert_eq!(account["slug"], anna.slug.as_str());
    let own = t
        .with_cookie("PATCH", "/account", &cookie, &FROM_THE_STUDIO, Some(body))
        .await;
    assert_eq!(own.status, 200, "{own:?}");
}
