//! A second attacker's probe of the fixes for issue 20: guessing bounds (item 2), chosen access
//! codes (3), reused idempotency keys (4), sub-galleries that start no wider than their parent
//! (5), names that hide or turn around (6), the security headers (9) and the local server after
//! a 413 (10). Each test asserts what the fix promises. A test that found a defect says so above
//! it (`Defect:`), with what was sent, what came back and the fix suggested; it fails until the
//! defect is fixed. The others pin what held.

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use futures::future::join_all;
use proofsheet_app::Clock;
use proofsheet_policy::{AccessCode, Guesser, PersonName, Slug, UnlockThrottle};
use proofsheet_store::UnlockReservation;
use proofsheet_tests::*;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn ip(a: u8, b: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(198, 18, a, b))
}

fn statuses(replies: &[Reply]) -> Vec<u16> {
    replies.iter().map(|r| r.status).collect()
}

fn count(replies: &[Reply], status: u16) -> usize {
    replies.iter().filter(|r| r.status == status).count()
}

fn session_of(reply: &Reply) -> String {
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.json["session"].as_str().expect("session").to_owned()
}

/// `POST /p/{slug}/login` from `source`, showing `session` (an earlier one) if given.
async fn log_in_as(
    t: &TestApp,
    source: IpAddr,
    slug: &str,
    session: Option<&str>,
    code: &str,
) -> Reply {
    let body = json!({ "access_code": code });
    t.call_from(
        source,
        "POST",
        &format!("/p/{slug}/login"),
        session,
        Some(body),
    )
    .await
}

/// A test app whose clock stands still until a test moves it.
async fn spawn_fixed() -> TestApp {
    TestApp::spawn_with_clock(&[], Clock::fixed(Clock::system().now())).await
}

/// Fills the new devices' ceiling of a login page straight through the store (no hashing).
async fn fill_login_page(t: &TestApp, slug: &str) {
    let page = Slug::parse(slug).unwrap();
    for n in 0..UnlockThrottle::LOGIN_PER_PAGE.max_attempts {
        let source = format!("filler-{n}");
        let outcome = t
            .app
            .store()
            .reserve_login_attempt(&page, &Guesser::new_device(&source), t.app.now())
            .await
            .unwrap();
        assert!(
            matches!(outcome, UnlockReservation::Reserved(_)),
            "{outcome:?}"
        );
    }
}

/// Fills the new devices' ceiling of a link straight through the store (no hashing).
async fn fill_link(t: &TestApp, path: &str) {
    let grant = proofsheet_policy::LinkToken::parse(path.strip_prefix("/g/").unwrap())
        .unwrap()
        .grant_id;
    for n in 0..UnlockThrottle::PER_LINK.max_attempts {
        let source = format!("filler-{n}");
        let outcome = t
            .app
            .store()
            .reserve_unlock_attempt(grant, &Guesser::new_device(&source), t.app.now())
            .await
            .unwrap();
        assert!(
            matches!(outcome, UnlockReservation::Reserved(_)),
            "{outcome:?}"
        );
    }
}

// =============================================================================================
// Item 2: guessing bounds
// =============================================================================================

// Found, fixed: on links known devices meet no shared ceiling now, only their own budgets.
// Defect (item 2, links): a link's "known device" is named by the expiry of the session it shows
// (`link:{grant}:{expires_at}`), and every right password mints a new session with a new expiry.
// So whoever knows a link's password (any guest of a password-protected wedding gallery) can
// mint as many known devices as they like: here 15 unlocks one second apart gave 15 devices,
// each with 10 tries of its own, and from 15 addresses their 150 wrong passwords (all answered
// 401) filled the ceiling that known devices share (`PER_LINK_FOR_KNOWN_DEVICES`). From then on
// a returning client, showing her own earlier session from her own address with the right
// password, is refused 429 for the rest of the window, as is every new device: the exact
// lockout the known-device ceiling exists to prevent ("a known device keeps getting in with its
// own code while the page is under attack"). Minting devices costs nothing but the password,
// and a password holder gains nothing by guessing the password, so the ceiling only ever
// serves such a lockout.
// Fix suggested: on links, name a known device by something a password holder can't multiply
// (for example the client's first session of the link, kept in its claims, or cap the sessions
// one source may mint per window), or let a known device's try past the shared ceiling when its
// own budget still has room (every known device already holds the current password, so the
// shared ceiling bounds no guessing worth bounding on a link).
#[tokio::test]
async fn password_holders_minting_sessions_cannot_lock_returning_clients_out() {
    let t = spawn_fixed().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    t.set_general(&anna, &gallery, json!({ "password": "smith-2026" }))
        .await;
    let path = t.general_path(&anna, &gallery).await;
    // Carol unlocked the link on her phone; her session has ended since (within the week a
    // device stays known).
    let carols = session_of(
        &t.unlock_gallery_from(ip(1, 1), &path, None, "smith-2026")
            .await,
    );
    t.app
        .clock()
        .advance(t.app.config().client_session_ttl.as_secs() + 60);
    assert_error(
        &t.view_gallery(&path, Some(&carols)).await,
        401,
        "password_required",
    );

    // A guest who knows the password mints one session per second: enough devices to fill the
    // 150 tries the fix under test had shared among known devices, and then some.
    let devices = 20;
    let mut minted = Vec::new();
    for n in 0..devices {
        t.app.clock().advance(1);
        let from = ip(2, n as u8);
        minted.push((
            from,
            session_of(&t.unlock_gallery_from(from, &path, None, "smith-2026").await),
        ));
    }
    let guesses = minted.iter().flat_map(|(from, session)| {
        let (t, path) = (&t, &path);
        (0..UnlockThrottle::PER_DEVICE.max_attempts).map(move |_| async move {
            t.unlock_gallery_from(*from, path, Some(session), "wrong-guess")
                .await
        })
    });
    let replies = join_all(guesses).await;
    let answered_wrong = count(&replies, 401);

    // Carol comes back, from her own address, with her session and the right password.
    let back = t
        .unlock_gallery_from(ip(1, 1), &path, Some(&carols), "smith-2026")
        .await;
    assert_eq!(
        back.status, 200,
        "a returning client is locked out after {answered_wrong} wrong passwords from {devices} \
         minted sessions: {back:?}"
    );
}

// Held: a known device's wrong codes, sent all at once from many addresses, stop at its own
// budget (the per-device counter is reserved atomically before the hash check).
#[tokio::test]
async fn a_login_session_sent_at_once_from_many_addresses_gets_its_budget_and_no_more() {
    let t = spawn_fixed().await;
    let anna = t.photographer("Anna Lee").await;
    let (_, bert_code) = t.new_client_login(&anna, "Bert", None).await;
    let berts = t.login_session(&anna.slug, &bert_code).await;
    let replies = join_all(
        (0..25u8).map(|n| log_in_as(&t, ip(3, n), &anna.slug, Some(&berts), "ZZZZ-ZZZZ-ZZZZ")),
    )
    .await;
    assert_eq!(
        (count(&replies, 401), count(&replies, 429)),
        (UnlockThrottle::LOGIN_PER_DEVICE.max_attempts as usize, 15),
        "{:?}",
        statuses(&replies)
    );
}

// Held: the same for a link's session, and a refusal says when to come back (at most a window).
#[tokio::test]
async fn a_link_session_sent_at_once_from_many_addresses_gets_its_budget_and_no_more() {
    let t = spawn_fixed().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    t.set_general(&anna, &gallery, json!({ "password": "letmein-1" }))
        .await;
    let path = t.general_path(&anna, &gallery).await;
    let kept = session_of(&t.unlock_gallery(&path, "letmein-1").await);
    let replies = join_all(
        (0..25u8).map(|n| t.unlock_gallery_from(ip(4, n), &path, Some(&kept), "guess-0001")),
    )
    .await;
    assert_eq!(
        (count(&replies, 401), count(&replies, 429)),
        (UnlockThrottle::PER_DEVICE.max_attempts as usize, 15),
        "{:?}",
        statuses(&replies)
    );
    for refused in replies.iter().filter(|r| r.status == 429) {
        let wait: u64 = refused.headers["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            (1..=UnlockThrottle::WINDOW_SECS).contains(&wait),
            "{refused:?}"
        );
    }
}

// Held: a session is a known device only where it was issued. Bert's session of Anna's page is
// a new device on Ben's page, and a session of one link is a new device on another link of the
// same gallery: both meet the new devices' ceiling there.
#[tokio::test]
async fn a_known_device_of_one_page_or_link_is_a_new_device_on_another() {
    let t = spawn_fixed().await;
    let anna = t.photographer("Anna Lee").await;
    let ben = t.photographer("Ben Ode").await;
    let (_, bert_code) = t.new_client_login(&anna, "Bert", None).await;
    let berts = t.login_session(&anna.slug, &bert_code).await;
    fill_login_page(&t, &ben.slug).await;
    let on_bens_page = log_in_as(&t, ip(5, 1), &ben.slug, Some(&berts), "ZZZZ-ZZZZ-ZZZZ").await;
    assert_error(&on_bens_page, 429, "too_many_attempts");
    // On Anna's page, the same session is a known device still.
    fill_login_page(&t, &anna.slug).await;
    let on_annas_page = log_in_as(&t, ip(5, 2), &anna.slug, Some(&berts), &bert_code).await;
    assert_eq!(on_annas_page.status, 200, "{on_annas_page:?}");

    let gallery = t.create_gallery(&anna, "G").await;
    t.set_general(&anna, &gallery, json!({ "password": "general-1" }))
        .await;
    let general = t.general_path(&anna, &gallery).await;
    let private = t
        .create_private_access(
            &anna,
            &gallery,
            json!({ "email": unique_email("carol"), "password": "private-1" }),
        )
        .await;
    let private = client_path(private.json["link"].as_str().unwrap());
    let general_session = session_of(&t.unlock_gallery(&general, "general-1").await);
    fill_link(&t, &private).await;
    let elsewhere = t
        .unlock_gallery_from(ip(5, 3), &private, Some(&general_session), "private-1")
        .await;
    assert_error(&elsewhere, 429, "too_many_attempts");
}

// Held: a known device's right codes give their try back on every budget it counts on (its
// address's and its own), and its wrong codes still spend its address's budget: a known device
// can't guess past the budget of the address it sends from.
#[tokio::test]
async fn right_codes_give_their_try_back_and_a_known_device_spends_its_address_budget() {
    let t = spawn_fixed().await;
    let anna = t.photographer("Anna Lee").await;
    let (_, bert_code) = t.new_client_login(&anna, "Bert", None).await;
    let berts = t.login_session(&anna.slug, &bert_code).await;
    let home = ip(6, 1);
    let per_device = UnlockThrottle::LOGIN_PER_DEVICE.max_attempts;
    for _ in 1..per_device {
        let wrong = log_in_as(&t, home, &anna.slug, Some(&berts), "ZZZZ-ZZZZ-ZZZZ").await;
        assert_error(&wrong, 401, "wrong_access_code");
    }
    for _ in 0..5 {
        let right = log_in_as(&t, home, &anna.slug, Some(&berts), &bert_code).await;
        assert_eq!(right.status, 200, "{right:?}");
    }
    let last = log_in_as(&t, home, &anna.slug, Some(&berts), "ZZZZ-ZZZZ-ZZZZ").await;
    assert_error(&last, 401, "wrong_access_code");
    let over = log_in_as(&t, home, &anna.slug, Some(&berts), "ZZZZ-ZZZZ-ZZZZ").await;
    assert_error(&over, 429, "too_many_attempts");

    // Someone else's address, used up by new devices: Bert's session doesn't lift its budget.
    let cafe = ip(6, 2);
    for _ in 0..UnlockThrottle::LOGIN_PER_SOURCE.max_attempts {
        let wrong = log_in_as(&t, cafe, &anna.slug, None, "YYYY-YYYY-YYYY").await;
        assert_error(&wrong, 401, "wrong_access_code");
    }
    t.app.clock().advance(UnlockThrottle::WINDOW_SECS / 2);
    let (_, dora_code) = t.new_client_login(&anna, "Dora", None).await;
    let doras = t.login_session(&anna.slug, &dora_code).await;
    let from_cafe = log_in_as(&t, cafe, &anna.slug, Some(&doras), "XXXX-XXXX-XXXX").await;
    assert_error(&from_cafe, 429, "too_many_attempts");
}

// Held: when guessers fill a login page's ceiling, a new device with the right code waits no
// longer than the window that ceiling was filled in, and is told how long.
#[tokio::test]
async fn a_new_device_waits_at_most_the_window_once_the_page_ceiling_is_full() {
    let t = spawn_fixed().await;
    let anna = t.photographer("Anna Lee").await;
    let (_, code) = t.new_client_login(&anna, "Carol", None).await;
    fill_login_page(&t, &anna.slug).await;
    t.app.clock().advance(UnlockThrottle::WINDOW_SECS - 1);
    let waiting = log_in_as(&t, ip(7, 1), &anna.slug, None, &code).await;
    assert_error(&waiting, 429, "too_many_attempts");
    assert_eq!(waiting.headers["retry-after"], "1", "{waiting:?}");
    t.app.clock().advance(1);
    let back = log_in_as(&t, ip(7, 1), &anna.slug, None, &code).await;
    assert_eq!(back.status, 200, "{back:?}");
}

// =============================================================================================
// Item 3: chosen access codes
// =============================================================================================

/// Creates a login for `name` with the chosen `code`.
async fn choose(t: &TestApp, who: &Photographer, name: &str, code: &str) -> Reply {
    t.create_client_login(who, json!({ "name": name, "access_code": code }))
        .await
}

// Defect (item 3): the strength estimate runs on the code as typed (lower-cased), but the login
// page compares codes folded (`O`→`0`, `I`/`L`→`1`). A code mixing look-alikes reads as random
// letters to zxcvbn and folds to one repeated character: `POST /client-logins
// {"access_code":"IlLi-1lIi-lLI1"}` → 201, and then `POST /p/{slug}/login
// {"access_code":"1111 1111 1111"}` → 200; `oO0o-Oo0O-o0Oo` logs in with `000000000000`, and
// `i1l1-li1l` (201) with `11111111`. What an attacker has to guess is the folded code.
// Fix suggested: estimate the folded code (what is compared and hashed), lower-cased, and keep
// the weaker of the two estimates.
#[tokio::test]
async fn a_chosen_code_that_folds_to_one_repeated_character_is_refused() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let mut accepted = Vec::new();
    for (code, folded) in [
        ("IlLi-1lIi-lLI1", "1111 1111 1111"),
        ("oO0o-Oo0O-o0Oo", "0000 0000 0000"),
        ("i1l1-li1l", "1111 1111"),
    ] {
        let reply = choose(&t, &anna, "Carol Okonkwo", code).await;
        if reply.status == 201 {
            let guessed = t.log_in_from(ip(8, 1), &anna.slug, folded).await;
            accepted.push(format!(
                "{code} (logs in as {folded:?}: {})",
                guessed.status
            ));
        } else {
            assert_invalid(&reply, "access_code");
        }
    }
    assert!(accepted.is_empty(), "accepted: {accepted:?}");
}

// Defect (item 3): `MIN_CHOSEN_GUESSES` is 10^8, and zxcvbn adds 10000^(n-1) for a code it sees
// as n parts: any code of three parts gets at least 10^8 guesses, however guessable each part.
// Accepted (201): `password-2024-1234`, `iloveyou-2024-1234`, `welcome-2025-0000`,
// `monkey-1990-1234` (a top password, a year, four digits), `XXXX-YYYY-ZZZZ`, `ZZZZ-0000-ZZZZ`.
// Over the 14 characters `ABGKMQRXYZ0579`, 2,189 of the 2,744 codes made of three blocks of one
// repeated character (`AAAA-GGGG-BBBB`) pass; over A–Z and 0–9 that family is 46,656 codes,
// about five days of the new-device ceiling (100 wrong codes per 15 minutes), less with known
// devices.
// Fix suggested: judge the product of the parts' guesses without zxcvbn's per-part additive term
// (or require zxcvbn's score 4, ≥ 10^10), and refuse codes whose every part is a repeat, a run,
// a year or a common password.
#[tokio::test]
async fn three_guessable_parts_do_not_make_a_code_hard_to_guess() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let mut accepted = Vec::new();
    for code in [
        "password-2024-1234",
        "iloveyou-2024-1234",
        "welcome-2025-0000",
        "XXXX-YYYY-ZZZZ",
        "ZZZZ-0000-ZZZZ",
    ] {
        let reply = choose(&t, &anna, "Carol Okonkwo", code).await;
        if reply.status == 201 {
            accepted.push(code);
        } else {
            assert_invalid(&reply, "access_code");
        }
    }
    assert!(accepted.is_empty(), "accepted: {accepted:?}");
}

// Defect (item 3): "nor the client's own name or email" is checked against the name as written,
// but a code is ASCII only, so a name with accents is never matched: for the client `Zoë
// Ångström`, `zoe-angstrom-88` is accepted (201); so are `anais-dvorak` for `Anaïs Dvořák` and
// `lukasz-wojcik` for `Łukasz Wójcik`: the first thing anyone who knows the client tries.
// Fix suggested: add the client's words with diacritics removed (NFKD, drop combining marks, map
// `ø`/`ł`/`ß`/`æ`… to their usual ASCII) to the words zxcvbn is given.
#[tokio::test]
async fn a_code_made_of_the_clients_name_without_its_accents_is_refused() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let mut accepted = Vec::new();
    for (name, code) in [
        ("Zoë Ångström", "zoe-angstrom-88"),
        ("Anaïs Dvořák", "anais-dvorak"),
        ("Łukasz Wójcik", "lukasz-wojcik"),
    ] {
        let reply = choose(&t, &anna, name, code).await;
        if reply.status == 201 {
            accepted.push(format!("{code} for {name}"));
        } else {
            assert_invalid(&reply, "access_code");
        }
    }
    assert!(accepted.is_empty(), "accepted: {accepted:?}");
}

// Held: the bar applies on the update path and to every way of writing a weak code (case,
// spaces, dashes); digits and letters from other scripts are refused as such; the longest code
// is judged quickly; refusals never quote the code.
#[tokio::test]
async fn the_bar_holds_on_update_for_every_spelling_and_refusals_quote_nothing() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let (login, _) = t.new_client_login(&anna, "Carol Okonkwo", None).await;
    for code in [
        " a-A-a-A a-A-a-A ",
        "Q W E R T Y U I O P",
        "PaSsWoRd-1",
        "c-a-r-o-l-o-k-o-n-k-w-o",
        "１２３４５６７８９",
        "٣٤٥٦٧٨٩٠١٢",
        "ＡＢＣＤＥＦＧＨ",
    ] {
        let refused = t
            .update_client_login(&anna, &login, json!({ "access_code": code }))
            .await;
        assert_invalid(&refused, "access_code");
        let message = refused.json["message"].as_str().unwrap_or_default();
        assert!(!message.contains(code.trim()), "{code}: {message}");
    }
    let carol = PersonName::parse("Carol Okonkwo").unwrap();
    let longest = "q7w8e9r0t1y2u3i4o5p6a7s8d9f0g1h2j3k4l5z6x7c8v9b0n1m2q3w4e5r6t7y8";
    for code in [longest.to_owned(), "ab".repeat(32), "1".repeat(64)] {
        let started = std::time::Instant::now();
        let _ = AccessCode::parse_chosen(&code, &carol, None);
        assert!(
            started.elapsed() < Duration::from_millis(500),
            "{code}: {:?}",
            started.elapsed()
        );
    }
    let too_long = t
        .update_client_login(&anna, &login, json!({ "access_code": "k".repeat(300) }))
        .await;
    assert_invalid(&too_long, "access_code");
}

// =============================================================================================
// Item 4: an Idempotency-Key names one request
// =============================================================================================

/// A private link with downloads on (web and high), up to `limit` photos: its `/g/` path.
async fn downloader(t: &TestApp, who: &Photographer, gallery: &str, limit: u32) -> String {
    let reply = t
        .create_private_access(
            who,
            gallery,
            json!({
                "email": unique_email("client"),
                "downloads_enabled": true,
                "download_limit": limit,
                "download_resolutions": ["web", "high"],
            }),
        )
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    client_path(reply.json["link"].as_str().unwrap())
}

async fn used(t: &TestApp, path: &str) -> u64 {
    let manager = t.get_downloads(path, None).await;
    assert_eq!(manager.status, 200, "{manager:?}");
    manager.json["used"].as_u64().unwrap()
}

async fn requests_listed(t: &TestApp, path: &str) -> usize {
    let listed = t.list_download_requests(path, None).await;
    assert_eq!(listed.status, 200, "{listed:?}");
    listed.json["requests"].as_array().map_or(0, Vec::len)
}

fn request_id(reply: &Reply) -> String {
    assert_eq!(reply.status, 202, "{reply:?}");
    reply.json["request_id"].as_str().unwrap().to_owned()
}

// Held: a retry names the same photos in another order, twice, or with upper-case ids: the same
// request; the same key on another link is another request of its own.
#[tokio::test]
async fn a_retry_naming_the_same_photos_differently_is_the_same_request_and_keys_are_per_link() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let photos = t.seed_ready_photos(&anna, &gallery, 3).await;
    let carol = downloader(&t, &anna, &gallery, 10).await;
    let dan = downloader(&t, &anna, &gallery, 10).await;
    let body = |ids: Vec<String>| json!({ "resolution": "web", "photo_ids": ids });
    let first = t
        .create_download_request(
            &carol,
            None,
            Some("k-1"),
            body(vec![photos[0].clone(), photos[1].clone()]),
        )
        .await;
    let first = request_id(&first);
    for again in [
        vec![photos[1].clone(), photos[0].clone()],
        vec![photos[0].clone(), photos[1].clone(), photos[0].clone()],
        vec![photos[1].to_uppercase(), photos[0].to_uppercase()],
    ] {
        let retry = t
            .create_download_request(&carol, None, Some("k-1"), body(again))
            .await;
        assert_eq!(request_id(&retry), first, "{retry:?}");
    }
    assert_eq!(used(&t, &carol).await, 2);
    assert_eq!(requests_listed(&t, &carol).await, 1);

    // The same key on Dan's link, with another body: Dan's own first request.
    let dans = t
        .create_download_request(&dan, None, Some("k-1"), body(vec![photos[2].clone()]))
        .await;
    assert_ne!(request_id(&dans), first);
    assert_eq!(used(&t, &dan).await, 1);
    assert_eq!(used(&t, &carol).await, 2);
}

// Held (and pinned as the documented reading of "the same body"): the selection and an explicit
// list of the same photos, or `all` and the list of every photo, are different asks: the key
// reused across them is refused, and charges and queues nothing.
#[tokio::test]
async fn the_selection_or_all_and_an_explicit_list_of_the_same_photos_are_different_asks() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let photos = t.seed_ready_photos(&anna, &gallery, 2).await;
    let carol = downloader(&t, &anna, &gallery, 10).await;
    for photo in &photos {
        assert_eq!(t.select_download(&carol, None, photo).await.status, 204);
    }
    let selected = t
        .create_download_request(&carol, None, Some("sel"), json!({ "resolution": "web" }))
        .await;
    request_id(&selected);
    let all = t
        .create_download_request(
            &carol,
            None,
            Some("all"),
            json!({ "resolution": "high", "all": true }),
        )
        .await;
    request_id(&all);
    let queued = t.download_messages().await.len();
    assert_eq!(queued, 2);
    for (key, resolution) in [("sel", "web"), ("all", "high")] {
        let explicit = t
            .create_download_request(
                &carol,
                None,
                Some(key),
                json!({ "resolution": resolution, "photo_ids": photos }),
            )
            .await;
        assert_error(&explicit, 422, "idempotency_key_reused");
    }
    assert_eq!(used(&t, &carol).await, 2);
    assert_eq!(requests_listed(&t, &carol).await, 2);
    assert!(
        t.download_messages().await.is_empty(),
        "nothing more queued"
    );
}

// Held: one key sent at once with different bodies is one request: the bodies that match the
// request that won answer it, every other is refused as a reused key, and it is charged and
// queued once.
#[tokio::test]
async fn one_key_sent_at_once_with_different_bodies_is_one_request_charged_once() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let photos = t.seed_ready_photos(&anna, &gallery, 4).await;
    let carol = downloader(&t, &anna, &gallery, 100).await;
    let bodies: Vec<Value> = (0..12)
        .map(|i| match i % 3 {
            0 => json!({ "resolution": "web", "photo_ids": [photos[0]] }),
            1 => json!({ "resolution": "high", "photo_ids": [photos[1], photos[2]] }),
            _ => json!({ "resolution": "web", "photo_ids": photos }),
        })
        .collect();
    let replies = join_all(
        bodies
            .iter()
            .map(|body| t.create_download_request(&carol, None, Some("same"), body.clone())),
    )
    .await;
    let accepted: Vec<(usize, &Reply)> = replies
        .iter()
        .enumerate()
        .filter(|(_, r)| r.status == 202)
        .collect();
    let ids: BTreeSet<String> = accepted.iter().map(|(_, r)| request_id(r)).collect();
    assert_eq!(ids.len(), 1, "{:?}", statuses(&replies));
    let winner = accepted[0].0 % 3;
    for (i, reply) in replies.iter().enumerate() {
        if i % 3 == winner {
            assert_eq!(reply.status, 202, "{reply:?}");
        } else {
            assert_error(reply, 422, "idempotency_key_reused");
        }
    }
    let charged = accepted[0].1.json["charged"].as_u64().unwrap();
    assert_eq!(used(&t, &carol).await, charged);
    assert_eq!(requests_listed(&t, &carol).await, 1);
    assert_eq!(t.download_messages().await.len(), 1, "queued once");
}

// =============================================================================================
// Item 5: a sub-gallery starts no wider than its parent
// =============================================================================================

async fn create_child(t: &TestApp, who: &Photographer, parent: &str, title: String) -> Reply {
    t.create_gallery_raw(who, json!({ "title": title, "parent_id": parent }))
        .await
}

fn id_of(reply: &Reply) -> String {
    assert_eq!(reply.status, 201, "{reply:?}");
    reply.json["id"].as_str().unwrap().to_owned()
}

// Held: a sub-gallery made while its parent changes starts from the parent as it was at one
// moment. The parent's watermark moves, then its password is set; a sub-gallery with the
// password and the old watermark would be a parent that never was (a torn read).
#[tokio::test]
async fn sub_galleries_made_while_the_parent_changes_copy_it_as_of_one_moment() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    for round in 0..3 {
        let parent = t.create_gallery(&anna, &format!("Wedding {round}")).await;
        let changes = async {
            let moved = t
                .update_gallery(
                    &anna,
                    &parent,
                    json!({ "watermark": { "position": "top_left" } }),
                )
                .await;
            assert_eq!(moved.status, 200, "{moved:?}");
            t.set_general(&anna, &parent, json!({ "password": "rings-2026" }))
                .await;
        };
        let children = join_all((0..6).map(|n| create_child(&t, &anna, &parent, format!("C{n}"))));
        let ((), made) = futures::join!(changes, children);
        let after = id_of(&create_child(&t, &anna, &parent, "After".into()).await);
        let mut seen = Vec::new();
        for child in made.iter().map(id_of).chain([after.clone()]) {
            let password = t.get_general_access(&anna, &child).await.json["password_set"].clone();
            let position = t.get_gallery(&anna, &child).await.json["watermark"]["position"].clone();
            seen.push((password, position));
        }
        for state in &seen {
            assert_ne!(
                *state,
                (json!(true), json!("bottom_right")),
                "round {round}: {seen:?}"
            );
        }
        assert_eq!(
            seen.last().unwrap(),
            &(json!(true), json!("top_left")),
            "made after both changes"
        );
    }
}

// Held: a parent deleted while sub-galleries are made under it leaves no orphan, and a refused
// delete takes its mark back (a parent is never left refusing new sub-galleries).
#[tokio::test]
async fn a_parent_deleted_while_children_are_made_leaves_no_orphan_and_no_stuck_mark() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    for round in 0..4 {
        let parent = t.create_gallery(&anna, &format!("P{round}")).await;
        let delete = t.delete_gallery(&anna, &parent);
        let children = join_all((0..5).map(|n| create_child(&t, &anna, &parent, format!("C{n}"))));
        let (deleted, made) = futures::join!(delete, children);
        let created: Vec<String> = made.iter().filter(|r| r.status == 201).map(id_of).collect();
        for refused in made.iter().filter(|r| r.status != 201) {
            assert_invalid(refused, "parent_id");
        }
        match deleted.status {
            204 => {
                assert!(created.is_empty(), "round {round}: orphans {created:?}");
                assert_eq!(t.get_gallery(&anna, &parent).await.status, 404);
            }
            409 => {
                assert_error(&deleted, 409, "gallery_has_subgalleries");
                assert!(!created.is_empty());
                let listed = t.get_gallery(&anna, &parent).await;
                assert_eq!(listed.status, 200, "{listed:?}");
                // Not left marked: another sub-gallery can still be made under it.
                id_of(&create_child(&t, &anna, &parent, "Later".into()).await);
            }
            other => panic!("round {round}: delete answered {other}: {deleted:?}"),
        }
    }
    // A parent with a child, deleted while it is renamed: refused, and not left marked.
    let parent = t.create_gallery(&anna, "Busy").await;
    id_of(&create_child(&t, &anna, &parent, "Child".into()).await);
    let renames = join_all(
        (0..4).map(|n| t.update_gallery(&anna, &parent, json!({ "title": format!("Busy {n}") }))),
    );
    let (deleted, renamed) = futures::join!(t.delete_gallery(&anna, &parent), renames);
    assert_error(&deleted, 409, "gallery_has_subgalleries");
    assert!(renamed.iter().all(|r| r.status == 200), "{renamed:?}");
    id_of(&create_child(&t, &anna, &parent, "Another".into()).await);
}

// Held: stepping from a protected parent into a sub-gallery made later opens nothing wider: a
// client's private link (no password of its own) lands on the copied password, a login the
// parent was released to is not led into it, a grandchild copies its own parent, and another
// photographer can't make one under it.
#[tokio::test]
async fn stepping_into_a_new_sub_gallery_opens_nothing_the_parent_kept_closed() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let ben = t.photographer("Ben Ode").await;
    let parent = t.create_gallery(&anna, "Smith wedding").await;
    t.set_general(&anna, &parent, json!({ "password": "smith-2026" }))
        .await;
    let carol = t
        .create_private_access(
            &anna,
            &parent,
            json!({ "email": unique_email("carol"), "password": null }),
        )
        .await;
    assert_eq!(carol.status, 201, "{carol:?}");
    let carol = client_path(carol.json["link"].as_str().unwrap());
    let (bert, bert_code) = t.new_client_login(&anna, "Bert", None).await;
    let released = t.release_gallery(&anna, &bert, &parent, None).await;
    assert!(released.status < 300, "{released:?}");

    let child = id_of(&create_child(&t, &anna, &parent, "Ceremony".into()).await);
    let grandchild = id_of(&create_child(&t, &anna, &child, "Rings".into()).await);
    for made in [&child, &grandchild] {
        let settings = t.get_general_access(&anna, made).await;
        assert_eq!(settings.json["password_set"], true, "{settings:?}");
    }

    // Carol's own link to the parent needs no password; the step down meets the copied one.
    let view = t.view_gallery(&carol, None).await;
    assert_eq!(view.status, 200, "{view:?}");
    let down = view.json["navigation"]["subgalleries"][0]["link"]
        .as_str()
        .expect("a step down")
        .to_owned();
    assert_error(
        &t.view_gallery(&client_path(&down), None).await,
        401,
        "password_required",
    );

    // Bert's release of the parent doesn't lead into the sub-gallery made after it.
    let session = t.login_session(&anna.slug, &bert_code).await;
    let mine = t.my_galleries(Some(&session)).await;
    assert_eq!(mine.status, 200, "{mine:?}");
    let galleries = mine.json["galleries"].as_array().unwrap();
    assert_eq!(galleries.len(), 1, "{mine:?}");
    let link = client_path(galleries[0]["link"].as_str().unwrap());
    let berts_view = t.view_gallery(&link, Some(&session)).await;
    let steps = &berts_view.json["navigation"]["subgalleries"];
    assert!(
        steps.as_array().is_none_or(|s| s.is_empty()),
        "{berts_view:?}"
    );

    let foreign = create_child(&t, &ben, &parent, "Mine now".into()).await;
    assert_invalid(&foreign, "parent_id");
    assert!(!foreign.json.to_string().contains("smith"), "{foreign:?}");
}

// =============================================================================================
// Item 6: names that hide or turn around
// =============================================================================================

/// Whether `text` holds a character that draws nothing or turns text around.
fn hides_anything(text: &str) -> bool {
    text.chars().any(|c| {
        matches!(c,
            '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{180E}'
            | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}'
            | '\u{3164}' | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF9}'..='\u{FFFB}'
            | '\u{E0000}'..='\u{E007F}')
    })
}

/// Characters that show nothing, as the brief lists them and beyond.
const INVISIBLE: [&str; 15] = [
    "\u{2061}",
    "\u{2062}",
    "\u{2063}",
    "\u{2064}",
    "\u{180E}",
    "\u{FFF9}",
    "\u{FFFA}",
    "\u{FFFB}",
    "\u{E0001}\u{E0068}",
    "\u{034F}",
    "\u{115F}",
    "\u{3164}",
    "\u{FFA0}",
    "\u{2800}",
    "\u{200D}\u{FE0F}",
];

// Held: a name of nothing but invisible characters is refused wherever a name is given
// (gallery titles, new and renamed; client names; login names, new and renamed; list names;
// the watermark's text); an address with a direction control is refused.
#[tokio::test]
async fn names_of_nothing_visible_are_refused_wherever_a_name_is_given() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let photo = t.ready_photo(&anna, &gallery).await;
    let (login, _) = t.new_client_login(&anna, "Bert", None).await;
    let carol = t
        .create_private_access(&anna, &gallery, json!({ "email": unique_email("carol") }))
        .await;
    let carol = client_path(carol.json["link"].as_str().unwrap());
    for invisible in INVISIBLE {
        let name = format!(" {invisible}{invisible} ");
        assert_invalid(
            &t.create_gallery_raw(&anna, json!({ "title": name })).await,
            "title",
        );
        assert_invalid(
            &t.update_gallery(&anna, &gallery, json!({ "title": name }))
                .await,
            "title",
        );
        assert_invalid(
            &t.create_private_access(
                &anna,
                &gallery,
                json!({ "email": unique_email("x"), "name": name }),
            )
            .await,
            "name",
        );
        assert_invalid(
            &t.create_client_login(&anna, json!({ "name": name })).await,
            "name",
        );
        assert_invalid(
            &t.update_client_login(&anna, &login, json!({ "name": name }))
                .await,
            "name",
        );
        assert_invalid(
            &t.add_favourite(&carol, None, &photo, Some(&name)).await,
            "list",
        );
        assert_invalid(
            &t.update_gallery(&anna, &gallery, json!({ "watermark": { "text": name } }))
                .await,
            "watermark.text",
        );
    }
    assert_invalid(
        &t.create_private_access(
            &anna,
            &gallery,
            json!({ "email": "carol\u{202E}moc.elpmaxe@example.com" }),
        )
        .await,
        "email",
    );
}

// Defect (item 6, low): the watermark's text is checked for a visible character but kept as
// sent: `PATCH /galleries/{id} {"watermark":{"text":"© Anna\u{202E}olleh\u{200B}"}}` → 200,
// and `GET /galleries/{id}` (and the PATCH's answer) give `watermark.text` back with U+202E
// and U+200B in it, so the photographer's app shows `© Annahello`, and every sub-gallery made
// under it copies the text. (The mark drawn on photos is not affected: the bundled font draws
// these characters as nothing.) Every other name is cleaned where accepted and where shown
// (`text::one_line_name`, `views::shown`); this one goes through neither.
// Fix suggested: parse the watermark text with `one_line_name` in `WatermarkSettings::apply`,
// and serialize `WatermarkSettings::text` through `shown` in `GalleryView`.
#[tokio::test]
async fn watermark_text_keeps_no_hidden_characters() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let set = t
        .update_gallery(
            &anna,
            &gallery,
            json!({ "watermark": { "text": "© Anna\u{202E}olleh\u{200B}" } }),
        )
        .await;
    if set.status == 422 {
        assert_invalid(&set, "watermark.text");
        return;
    }
    assert_eq!(set.status, 200, "{set:?}");
    for reply in [set, t.get_gallery(&anna, &gallery).await] {
        let text = reply.json["watermark"]["text"].as_str().unwrap_or_default();
        assert!(!hides_anything(text), "{text:?}");
    }
}

// Defect (item 6): a zero-width joiner or non-joiner between two Latin letters, or a variation
// selector after one, is kept ("it shapes its neighbours"), yet between Latin letters it shapes
// nothing: it only makes a second name that looks like the first. `PUT
// /g/{token}/favourites/{photo}?list=Album`, then `?list=Al%E2%80%8Dbum` (U+200D), then
// `?list=Album%EF%B8%8F` (U+FE0F) → three lists that all read `Album`, in the client's view,
// the photographer's and the export. The module's own stated harm ("two names that look the
// same") is left open.
// Fix suggested: keep a joiner only where it joins (between emoji, or letters of a joining or
// Indic script) and a variation selector only after a character that has variation sequences
// (emoji, CJK); drop them elsewhere, as any other hidden character.
#[tokio::test]
async fn list_names_that_differ_only_by_a_joiner_or_selector_are_one_list() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let photo = t.ready_photo(&anna, &gallery).await;
    let carol = t
        .create_private_access(&anna, &gallery, json!({ "email": unique_email("carol") }))
        .await;
    let carol = client_path(carol.json["link"].as_str().unwrap());
    for name in ["Album", "Al\u{200D}bum", "Al\u{200C}bum", "Album\u{FE0F}"] {
        let added = t.add_favourite(&carol, None, &photo, Some(name)).await;
        assert!(added.status < 300, "{name:?}: {added:?}");
    }
    let lists = t.list_favourites(&carol, None).await;
    let names: Vec<String> = lists.json["lists"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["Album"], "{:?}", names);
}

/// Writes `value` into attribute `attribute` of an item, as a name stored before the rule was.
async fn store_raw(t: &TestApp, pk: &str, sk: &str, attribute: &str, value: &str) {
    let sdk = proofsheet_store::load_sdk_config().await;
    aws_sdk_dynamodb::Client::new(&sdk)
        .update_item()
        .table_name(&t.provisioned.resources.table)
        .key("PK", AttributeValue::S(pk.to_owned()))
        .key("SK", AttributeValue::S(sk.to_owned()))
        .update_expression("SET #a = :v")
        .expression_attribute_names("#a", attribute)
        .expression_attribute_values(":v", AttributeValue::S(value.to_owned()))
        .send()
        .await
        .expect("raw write");
}

/// Anna's gallery with names stored before the rule (its title, a file name, Carol's name)
/// carrying hidden characters, and a download request of Carol's prepared: everything those
/// names can reach has been made.
struct HiddenNames {
    t: TestApp,
    anna: Photographer,
    gallery: String,
    email: String,
    path: String,
    request: String,
}

async fn hidden_names_downloaded() -> HiddenNames {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let photo = t
        .seed_photo(&anna, &gallery, "IMG_1\u{202E}gpj.exe", jpeg(64, 48))
        .await;
    store_raw(
        &t,
        &format!("GALLERY#{gallery}"),
        "META",
        "title",
        "Smith \u{202E}gnidnaw\u{2066}\u{E0041}",
    )
    .await;
    let email = unique_email("carol");
    let invited = t
        .create_private_access(
            &anna,
            &gallery,
            json!({
                "email": email,
                "name": "Carol",
                "downloads_enabled": true,
                "download_limit": 5,
                "download_resolutions": ["web"],
            }),
        )
        .await;
    assert_eq!(invited.status, 201, "{invited:?}");
    let grant = invited.json["grant_id"].as_str().unwrap().to_owned();
    let path = client_path(invited.json["link"].as_str().unwrap());
    store_raw(
        &t,
        &format!("GRANT#{grant}"),
        "GRANT",
        "name",
        "Carol\u{2067}\u{200B}",
    )
    .await;

    let accepted = t
        .create_download_request(
            &path,
            None,
            Some("k"),
            json!({ "resolution": "web", "photo_ids": [photo] }),
        )
        .await;
    let request = request_id(&accepted);
    t.drain_downloads().await;
    HiddenNames {
        t,
        anna,
        gallery,
        email,
        path,
        request,
    }
}

// Held: names stored before the rule reach no one with a hidden character: not the download
// request's ZIP name, the Content-Disposition the download link redirects with, nor the ZIP's
// entries. The 302 carries the security headers.
#[tokio::test]
async fn names_stored_before_the_rule_reach_the_download_and_its_zip_clean() {
    let HiddenNames {
        t, path, request, ..
    } = hidden_names_downloaded().await;
    let done = t.get_download_request(&path, None, &request).await;
    assert_eq!(done.status, 200, "{done:?}");
    assert!(!hides_anything(&done.json.to_string()), "{done:?}");
    let link = done.json["zips"][0]["link"]
        .as_str()
        .expect("a ZIP")
        .to_owned();
    let (redirect, zip) = t.fetch_zip(&link).await;
    assert_eq!(redirect.status, 302, "{redirect:?}");
    assert_eq!(redirect.headers["x-content-type-options"], "nosniff");
    assert!(redirect.headers.contains_key("strict-transport-security"));
    let location = url::Url::parse(redirect.headers["location"].to_str().unwrap()).unwrap();
    let disposition: String = location
        .query_pairs()
        .find(|(k, _)| k.eq_ignore_ascii_case("response-content-disposition"))
        .map(|(_, v)| v.into_owned())
        .expect("a disposition");
    let decoded = percent_encoding::percent_decode_str(&disposition)
        .decode_utf8_lossy()
        .into_owned();
    assert!(!hides_anything(&decoded), "{decoded:?}");
    let zip = zip.expect("the ZIP");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    for i in 0..archive.len() {
        let name = archive.by_index(i).unwrap().name().unwrap().into_owned();
        assert!(!hides_anything(&name), "{name:?}");
    }
}

// Held: nor the client's email, the photographer's notification (JSON and email) or the
// activity export.
#[tokio::test]
async fn names_stored_before_the_rule_reach_emails_notifications_and_exports_clean() {
    let HiddenNames {
        t,
        anna,
        gallery,
        email,
        ..
    } = hidden_names_downloaded().await;
    for mail in t.emails_to(&email).await {
        assert!(!hides_anything(&mail.to_string()), "{mail}");
    }
    for mail in t.emails_to(&format!("{}@example.com", anna.slug)).await {
        assert!(!hides_anything(&mail.to_string()), "{mail}");
    }
    let notifications = t.notifications(&anna, None).await;
    assert_eq!(notifications.status, 200, "{notifications:?}");
    assert!(
        !notifications.json["notifications"]
            .as_array()
            .unwrap()
            .is_empty(),
        "{notifications:?}"
    );
    assert!(
        !hides_anything(&notifications.json.to_string()),
        "{notifications:?}"
    );
    let csv = t
        .gallery_activity(&anna, &gallery, Some("format=csv"))
        .await;
    assert_eq!(csv.status, 200, "{csv:?}");
    assert!(!hides_anything(&csv.json.to_string()), "{csv:?}");
    let disposition = csv.headers["content-disposition"].to_str().unwrap();
    let decoded = percent_encoding::percent_decode_str(disposition).decode_utf8_lossy();
    assert!(!hides_anything(&decoded), "{decoded:?}");
}

// =============================================================================================
// Items 9 and 10: headers on the wire, and the local server's bodies
// =============================================================================================

/// Serves the app's router on a loopback port, as `proofsheet-local` does.
async fn serve(t: &TestApp) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let router = proofsheet_http::local_server::router(t.app.clone());
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    address
}

/// Sends `request` (raw bytes, written while the answers are read) and returns what came back
/// until the server closed; the write's outcome alongside.
async fn exchange(address: SocketAddr, request: Vec<Vec<u8>>, close_after: bool) -> (String, bool) {
    let stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let (mut answers, mut requests) = stream.into_split();
    let writing = tokio::spawn(async move {
        for part in request {
            requests.write_all(&part).await?;
        }
        // Keep the connection open for the answers unless asked to half-close.
        if close_after {
            requests.shutdown().await?;
        }
        Ok::<_, std::io::Error>(requests)
    });
    let mut received = Vec::new();
    tokio::time::timeout(Duration::from_secs(60), answers.read_to_end(&mut received))
        .await
        .expect("the server answered and closed")
        .expect("the connection was not cut under the answer");
    let wrote = writing.await.unwrap().is_ok();
    (String::from_utf8_lossy(&received).into_owned(), wrote)
}

/// The status of each answer in a raw HTTP/1.1 exchange.
fn answered(received: &str) -> Vec<&str> {
    received
        .match_indices("HTTP/1.1 ")
        .map(|(at, _)| &received[at + 9..at + 12])
        .collect()
}

const LAST: &[u8] = b"GET /nowhere HTTP/1.1\r\nhost: local\r\nconnection: close\r\n\r\n";

// Held: every answer that leaves the local server carries nosniff and HSTS: a HEAD, the router's
// 404 as JSON and as a page, a gzipped page, a static asset, and the server's own 413.
#[tokio::test]
async fn answers_on_the_wire_carry_nosniff_and_hsts() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let address = serve(&t).await;
    let base = format!("http://{address}");
    let http = reqwest::Client::new();
    let page = http
        .get(format!("{base}/p/{}", anna.slug))
        .header("accept", BROWSER_ACCEPT)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let gzipped = page.headers().get("content-encoding").cloned();
    let page_headers = page.headers().clone();
    let html = t.login_page(&anna.slug, None).await;
    let html = html.json.as_str().unwrap().to_owned();
    let asset = html
        .split('"')
        .find(|s| s.starts_with("/static/"))
        .expect("a static asset")
        .to_owned();
    let mut answers = vec![(format!("gzipped page {gzipped:?}"), page_headers)];
    for (what, request) in [
        ("HEAD", http.head(format!("{base}/g/nothing-here"))),
        ("no route", http.get(format!("{base}/nowhere"))),
        (
            "no route page",
            http.get(format!("{base}/nowhere"))
                .header("accept", BROWSER_ACCEPT),
        ),
        ("asset", http.get(format!("{base}{asset}"))),
        (
            "413",
            http.post(format!("{base}/galleries")).body(vec![
                b'x';
                proofsheet_http::local_server::MAX_BODY_BYTES
                    + 1
            ]),
        ),
    ] {
        let reply = request.send().await.unwrap();
        answers.push((
            format!("{what} {}", reply.status()),
            reply.headers().clone(),
        ));
    }
    for (what, headers) in answers {
        assert_eq!(
            headers.get("x-content-type-options").map(|v| v.as_bytes()),
            Some(&b"nosniff"[..]),
            "{what}: {headers:?}"
        );
        assert!(
            headers.contains_key("strict-transport-security"),
            "{what}: {headers:?}"
        );
    }
}

// Held: an oversized body of any shape gets its whole 413 and the connection closes cleanly,
// saying so (`Connection: close`: hyper can't promise to keep it in step), so the client's next
// request goes on a new connection and is answered: chunked past the limit, past the 64 MiB
// drain cap (read before the close). Exactly at the limit, the body reaches the route and the
// connection stays usable.
#[tokio::test]
async fn oversized_bodies_of_every_shape_get_a_clean_413() {
    let t = TestApp::spawn().await;
    let address = serve(&t).await;
    let limit = proofsheet_http::local_server::MAX_BODY_BYTES;

    let head = b"POST /galleries HTTP/1.1\r\nhost: local\r\ntransfer-encoding: chunked\r\n\r\n";
    let mut chunked = vec![head.to_vec()];
    for _ in 0..8 {
        let chunk = vec![b'x'; 256 * 1024];
        chunked.push(format!("{:x}\r\n", chunk.len()).into_bytes());
        chunked.push(chunk);
        chunked.push(b"\r\n".to_vec());
    }
    chunked.push(b"0\r\n\r\n".to_vec());
    let (received, wrote) = exchange(address, chunked, false).await;
    assert_eq!(answered(&received), ["413"], "{received}");
    assert!(
        received.to_ascii_lowercase().contains("connection: close"),
        "{received}"
    );
    assert!(wrote, "every byte of the body was taken");
    let (received, _) = exchange(address, vec![LAST.to_vec()], false).await;
    assert_eq!(
        answered(&received),
        ["404"],
        "the next request, on a new connection"
    );

    let at_limit = format!(
        "POST /galleries HTTP/1.1\r\nhost: local\r\ncontent-type: application/json\r\n\
         content-length: {limit}\r\n\r\n"
    );
    let (received, _) = exchange(
        address,
        vec![at_limit.into_bytes(), vec![b' '; limit], LAST.to_vec()],
        false,
    )
    .await;
    assert_eq!(answered(&received), ["401", "404"], "{received}");

    let huge = 65 * 1024 * 1024 + 1;
    let past_cap =
        format!("POST /galleries HTTP/1.1\r\nhost: local\r\ncontent-length: {huge}\r\n\r\n");
    let mut parts = vec![past_cap.into_bytes()];
    parts.extend((0..65).map(|_| vec![b'x'; 1024 * 1024]));
    parts.push(b"x".to_vec());
    let (received, _) = exchange(address, parts, false).await;
    assert_eq!(answered(&received), ["413"], "{received}");
    assert!(
        received.to_ascii_lowercase().contains("connection: close"),
        "{received}"
    );
}

// Defect (item 10, minor): a body that ends before its declared length is answered as too large.
// Sent: `POST /galleries` with `Content-Length: 1000`, 8 bytes of body, then the client's half of
// the connection closed. Answered: `413 {"error":"body_too_large","message":"request bodies are
// limited to 1048576 bytes"}`. The body was 8 bytes: `read_body` reports every body error (a
// client that broke off, a malformed chunk) as `TooLarge`, so the local server tells a client
// its small request was too big.
// Fix suggested: give `BodyRead` a third outcome for a body that could not be read, answered
// 400 (`bad_request`) with `Connection: close`.
#[tokio::test]
async fn a_body_cut_short_is_not_called_too_large() {
    let t = TestApp::spawn().await;
    let address = serve(&t).await;
    let request = b"POST /galleries HTTP/1.1\r\nhost: local\r\ncontent-type: application/json\r\n\
        content-length: 1000\r\n\r\n{\"title\"";
    let (received, _) = exchange(address, vec![request.to_vec()], true).await;
    let statuses = answered(&received);
    assert_eq!(statuses.len(), 1, "{received}");
    assert_ne!(statuses[0], "413", "{received}");
    assert!(statuses[0].starts_with('4'), "{received}");
}
