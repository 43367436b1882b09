//! The studio's sign-in (`/studio`): a photographer asks for a link by email, the link's page
//! spends nothing, its button opens a session in a cookie, and the photographer's API answers
//! that cookie like an API key, changes only from the studio's own script. Links are single
//! use and short-lived; the answer never tells a photographer's address from another; signing
//! in always makes a new session; signing out ends one, or every one.

use proofsheet_app::Clock;
use proofsheet_policy::{SignInLink, UnlockThrottle};
use proofsheet_tests::*;
use serde_json::{Value, json};

const T0: u64 = 1_800_000_000;
const OURS: &str = BASE_URL;

/// Asks for a sign-in link for `email`, as a script would.
async fn ask_for_link(t: &TestApp, email: &str) -> Reply {
    t.call(
        "POST",
        "/studio/sign-in",
        None,
        Some(json!({ "email": email })),
    )
    .await
}

#[tokio::test]
async fn a_photographer_signs_in_through_the_emailed_link_and_the_api_takes_the_cookie() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let asked = ask_for_link(&t, &anna.email()).await;
    assert_eq!(asked.status, 202, "{asked:?}");
    let link = t.emailed_studio_link(&anna.email()).await;
    let mail = t.emails_to(&anna.email()).await[0].to_string();
    assert!(mail.contains("Anna Lee"), "{mail}");
    assert!(mail.contains(&format!("{BASE_URL}{link}")), "{mail}");

    // Opening the link spends nothing (a mail scanner may fetch it first).
    for _ in 0..2 {
        let page = t.call("GET", &link, None, None).await;
        assert_eq!(page.status, 200, "{page:?}");
        assert_eq!(page.json["email"], anna.email());
    }
    let page = t
        .call_with_headers("GET", &link, None, &[("accept", BROWSER_ACCEPT)], None)
        .await;
    let html = page.json.as_str().unwrap_or_default();
    assert!(html.contains(&format!(r#"action="{link}""#)), "{html}");

    let signed = t.call("POST", &link, None, None).await;
    assert_eq!(signed.status, 200, "{signed:?}");
    assert_eq!(signed.json["name"], "Anna Lee");
    let set = signed.header("set-cookie").unwrap().to_owned();
    for attribute in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(set.contains(attribute), "{attribute}: {set}");
    }
    let cookie = session_cookie(&signed);
    // Over HTTPS the cookie's name keeps other hosts from shadowing it.
    assert!(cookie.starts_with("__Host-ps_studio="), "{cookie}");

    // The photographer's API answers the cookie as it answers the key.
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let listed = t.with_cookie("GET", "/galleries", &cookie, &[], None).await;
    assert_eq!(listed.status, 200, "{listed:?}");
    assert_eq!(listed.json["galleries"][0]["id"], gallery.as_str());
    let created = t
        .with_cookie(
            "POST",
            "/galleries",
            &cookie,
            &FROM_THE_STUDIO,
            Some(json!({ "title": "Portraits" })),
        )
        .await;
    assert_eq!(created.status, 201, "{created:?}");
    // The studio's page greets its photographer.
    let studio = t
        .with_cookie(
            "GET",
            "/studio",
            &cookie,
            &[("accept", BROWSER_ACCEPT)],
            None,
        )
        .await;
    let html = studio.json.as_str().unwrap_or_default();
    assert!(
        html.contains(r#"<b id="studio-name">Anna Lee</b>"#),
        "{html}"
    );

    // The link worked once.
    let again = t.call("POST", &link, None, None).await;
    assert_error(&again, 410, "sign_in_link_spent");
    assert_error(
        &t.call("GET", &link, None, None).await,
        410,
        "sign_in_link_spent",
    );
}

#[tokio::test]
async fn a_change_with_the_cookie_must_come_from_the_studios_own_script() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let cookie = t.studio_session(&anna.email()).await;
    let new_gallery = Some(json!({ "title": "Planted" }));
    for (what, headers) in [
        (
            "another site's text/plain form (a body that reads as JSON)",
            vec![
                ("content-type", "text/plain"),
                ("sec-fetch-site", "cross-site"),
                ("origin", "https://evil.example"),
            ],
        ),
        (
            "a same-origin call without the header",
            vec![("sec-fetch-site", "same-origin")],
        ),
        (
            "a sibling subdomain's script",
            vec![
                ("x-proofsheet-studio", "1"),
                ("sec-fetch-site", "same-site"),
                ("origin", "https://evil.proofsheet.test"),
            ],
        ),
        (
            "a foreign origin without Fetch Metadata",
            vec![
                ("x-proofsheet-studio", "1"),
                ("origin", "https://evil.example"),
            ],
        ),
    ] {
        let reply = t
            .with_cookie("POST", "/galleries", &cookie, &headers, new_gallery.clone())
            .await;
        let refused = (reply.status, reply.error_code());
        assert_eq!(refused, (403, "cross_site_write"), "{what}: {reply:?}");
    }
    let listed = t.with_cookie("GET", "/galleries", &cookie, &[], None).await;
    assert_eq!(listed.json["galleries"], json!([]), "nothing was created");
    // A cookie that opens nothing is no session, whatever the headers.
    let forged = format!("__Host-ps_studio={}.{}", anna.id, "A".repeat(43));
    let forged = forged.as_str();
    let reply = t
        .with_cookie(
            "POST",
            "/galleries",
            forged,
            &FROM_THE_STUDIO,
            new_gallery.clone(),
        )
        .await;
    assert_error(&reply, 401, "unauthorized");
    // Nor does a real session's secret under another photographer's id.
    let mallory = t.photographer("Mallory").await;
    let mallorys = t.studio_session(&mallory.email()).await;
    let secret = mallorys.split_once('.').unwrap().1;
    let as_anna = format!("__Host-ps_studio={}.{secret}", anna.id);
    let reply = t
        .with_cookie("GET", "/galleries", &as_anna, &[], None)
        .await;
    assert_error(&reply, 401, "unauthorized");
    // And the cookie without its prefix is not ours over HTTPS (any host could have set it).
    let unprefixed = cookie.replacen("__Host-ps_studio=", "ps_studio=", 1);
    let reply = t
        .with_cookie("GET", "/galleries", &unprefixed, &[], None)
        .await;
    assert_error(&reply, 401, "unauthorized");
}

#[tokio::test]
async fn the_answer_is_the_same_whether_or_not_the_address_is_a_photographers() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let nobody = unique_email("nobody");
    let known = ask_for_link(&t, &anna.email()).await;
    let started = std::time::Instant::now();
    let unknown = ask_for_link(&t, &nobody).await;
    // Nobody's address is answered no sooner than a photographer's can be.
    let floor = std::time::Duration::from_millis(SignInLink::ANSWER_NOT_BEFORE_MS);
    assert!(started.elapsed() >= floor, "{:?}", started.elapsed());
    assert_eq!((known.status, unknown.status), (202, 202));
    let message = |reply: &Reply, email: &str| {
        reply.json["message"]
            .as_str()
            .unwrap()
            .replace(email, "<email>")
    };
    assert_eq!(message(&known, &anna.email()), message(&unknown, &nobody));
    assert_eq!(t.emails_to(&anna.email()).await.len(), 1);
    assert!(t.emails_to(&nobody).await.is_empty());
    // A malformed address is refused for what it is, the same for everyone.
    assert_invalid(&ask_for_link(&t, "not an email").await, "email");
}

/// Another site's page can't sign a browser in to an account of its choosing (login CSRF),
/// whatever it posts: an empty text/plain form has no body to check.
#[tokio::test]
async fn another_sites_page_cannot_sign_a_browser_in() {
    let t = TestApp::spawn().await;
    let mallory = t.photographer("Mallory").await;
    ask_for_link(&t, &mallory.email()).await;
    let link = t.emailed_studio_link(&mallory.email()).await;
    for headers in [
        vec![
            ("content-type", "text/plain"),
            ("sec-fetch-site", "cross-site"),
        ],
        vec![
            ("content-type", "application/x-www-form-urlencoded"),
            ("origin", "https://evil.example"),
        ],
    ] {
        let planted = t
            .call_with_headers("POST", &link, None, &headers, None)
            .await;
        // A form is answered with a page (the same 403), a script with JSON.
        assert_eq!(planted.status, 403, "{planted:?}");
        assert!(planted.header("set-cookie").is_none(), "{planted:?}");
    }
    // Refused before the link was touched: Mallory's own browser still signs in with it.
    assert_eq!(t.call("POST", &link, None, None).await.status, 200);
}

#[tokio::test]
async fn a_sign_in_link_ends_with_its_time() {
    let t = TestApp::spawn_with_clock(&[], Clock::fixed(T0)).await;
    let anna = t.photographer("Anna Lee").await;
    ask_for_link(&t, &anna.email()).await;
    let link = t.emailed_studio_link(&anna.email()).await;
    t.app.clock().advance(SignInLink::LIFETIME_SECS);
    assert_error(
        &t.call("GET", &link, None, None).await,
        410,
        "sign_in_link_spent",
    );
    let late = t.call("POST", &link, None, None).await;
    assert_error(&late, 410, "sign_in_link_spent");
    assert!(late.header("set-cookie").is_none(), "{late:?}");
    // Anything that is not a link of ours is answered alike.
    for path in [
        "/studio/sign-in/short",
        "/studio/sign-in/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ] {
        assert_error(
            &t.call("POST", path, None, None).await,
            410,
            "sign_in_link_spent",
        );
    }
}

#[tokio::test]
async fn signing_in_makes_a_new_session_and_ends_the_one_the_browser_brought() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let mallory = t.photographer("Mallory").await;
    // Mallory's own session, planted in Anna's browser.
    let planted = t.studio_session(&mallory.email()).await;
    ask_for_link(&t, &anna.email()).await;
    let link = t.emailed_studio_link(&anna.email()).await;
    let signed = t.with_cookie("POST", &link, &planted, &[], None).await;
    assert_eq!(signed.status, 200, "{signed:?}");
    let anna_cookie = session_cookie(&signed);
    assert_ne!(anna_cookie, planted);
    let listed = t
        .with_cookie("GET", "/galleries", &planted, &[], None)
        .await;
    assert_error(&listed, 401, "unauthorized");
    let listed = t
        .with_cookie("GET", "/galleries", &anna_cookie, &[], None)
        .await;
    assert_eq!(listed.status, 200, "{listed:?}");
}

#[tokio::test]
async fn signing_out_ends_this_session_and_everywhere_ends_them_all() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let laptop = t.studio_session(&anna.email()).await;
    let phone = t.studio_session(&anna.email()).await;
    let tablet = t.studio_session(&anna.email()).await;
    let lives = |cookie: String| {
        let t = &t;
        async move {
            t.with_cookie("GET", "/galleries", &cookie, &[], None)
                .await
                .status
                == 200
        }
    };

    // Another site can't sign anyone out, by script or by form.
    let forged = t
        .with_cookie(
            "POST",
            "/studio/sign-out",
            &laptop,
            &[("sec-fetch-site", "cross-site")],
            None,
        )
        .await;
    assert_error(&forged, 403, "cross_site_write");
    let form = t
        .with_cookie(
            "POST",
            "/studio/sign-out",
            &laptop,
            &[
                ("content-type", "application/x-www-form-urlencoded"),
                ("sec-fetch-site", "cross-site"),
            ],
            None,
        )
        .await;
    assert_eq!(form.status, 403, "a page saying so: {form:?}");
    assert!(lives(laptop.clone()).await);

    let out = t
        .with_cookie("POST", "/studio/sign-out", &laptop, &FROM_THE_STUDIO, None)
        .await;
    assert_eq!(out.status, 204, "{out:?}");
    assert!(
        out.header("set-cookie").unwrap().contains("Max-Age=0"),
        "{out:?}"
    );
    // What the studio kept in the browser (an interrupted upload's file names) goes too.
    assert_eq!(
        out.header("clear-site-data"),
        Some("\"storage\""),
        "{out:?}"
    );
    assert!(!lives(laptop).await, "signed out");
    assert!(lives(phone.clone()).await, "the others stay");

    let everywhere = t
        .with_cookie(
            "POST",
            "/studio/sign-out",
            &phone,
            &FROM_THE_STUDIO,
            Some(json!({ "everywhere": true })),
        )
        .await;
    assert_eq!(everywhere.status, 204, "{everywhere:?}");
    assert!(!lives(phone).await);
    assert!(!lives(tablet).await, "signed out everywhere");
}

/// An expired session (its item not yet removed by TTL) ends nothing but itself: a stolen old
/// cookie can't sign its photographer out everywhere.
#[tokio::test]
async fn an_expired_session_cannot_sign_out_everywhere() {
    let t = TestApp::spawn_with_clock(&[], Clock::fixed(T0)).await;
    let anna = t.photographer("Anna Lee").await;
    let old = t.studio_session(&anna.email()).await;
    t.app
        .clock()
        .advance(proofsheet_policy::StudioSession::LIFETIME_SECS);
    let current = t.studio_session(&anna.email()).await;
    let everywhere = t
        .with_cookie(
            "POST",
            "/studio/sign-out",
            &old,
            &FROM_THE_STUDIO,
            Some(json!({ "everywhere": true })),
        )
        .await;
    assert_eq!(everywhere.status, 204, "{everywhere:?}");
    let listed = t
        .with_cookie("GET", "/galleries", &current, &[], None)
        .await;
    assert_eq!(listed.status, 200, "the live session stays: {listed:?}");
}

#[tokio::test]
async fn asking_for_links_is_throttled_per_source_and_per_address() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    // One address is sent its share, then nothing, with the same answer.
    let share = UnlockThrottle::STUDIO_SIGN_IN_EMAILS_PER_ADDRESS.max_attempts;
    for _ in 0..share + 1 {
        assert_eq!(ask_for_link(&t, &anna.email()).await.status, 202);
    }
    assert_eq!(t.emails_to(&anna.email()).await.len(), share as usize);
    // One source asks its share, then waits.
    let per_source = UnlockThrottle::STUDIO_SIGN_IN_PER_SOURCE.max_attempts;
    for _ in share + 1..per_source {
        assert_eq!(ask_for_link(&t, &unique_email("x")).await.status, 202);
    }
    let refused = ask_for_link(&t, &unique_email("x")).await;
    assert_error(&refused, 429, "too_many_attempts");
    assert!(refused.header("retry-after").is_some(), "{refused:?}");
}

#[tokio::test]
async fn the_studio_page_lets_its_script_reach_the_bucket_and_nowhere_else() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let cookie = t.studio_session(&anna.email()).await;
    let page = t
        .with_cookie("GET", "/studio", &cookie, &[("accept", "text/html")], None)
        .await;
    assert_eq!(page.status, 200, "{page:?}");
    let csp = page
        .header("content-security-policy")
        .expect("a CSP")
        .to_owned();
    // Where uploads go and thumbnails come from: the presigned URLs' origin.
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let upload = t
        .create_photo_upload(
            &anna,
            &gallery,
            json!({ "filename": "a.jpg", "content_type": "image/jpeg", "size": 10 }),
        )
        .await;
    let url = upload.json["upload_url"].as_str().unwrap();
    let bucket = url[..url[8..].find('/').unwrap() + 8].to_owned();
    for directive in ["connect-src", "img-src"] {
        let sources = csp
            .split(';')
            .map(str::trim)
            .find_map(|d| d.strip_prefix(directive))
            .unwrap_or_else(|| panic!("no {directive} in {csp}"));
        let sources: Vec<&str> = sources.split_whitespace().collect();
        assert_eq!(sources, ["'self'", bucket.as_str()], "{directive} in {csp}");
    }
    for directive in [
        "default-src 'none'",
        "script-src 'self';",
        "style-src 'self';",
        // Its script writes no markup from strings: none may ever be written.
        "require-trusted-types-for 'script'",
        "trusted-types 'none'",
    ] {
        assert!(csp.contains(directive), "{directive} missing from {csp}");
    }
}

/// A call from the studio's own script: its cookie and its header, from its own page.
async fn from_the_studio(
    t: &TestApp,
    method: &str,
    path: &str,
    cookie: &str,
    body: Option<Value>,
) -> Reply {
    t.with_cookie(method, path, cookie, &FROM_THE_STUDIO, body)
        .await
}

#[tokio::test]
async fn api_keys_are_made_listed_and_revoked_with_the_studios_session_only() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let cookie = t.studio_session(&anna.email()).await;
    let listed = |cookie: String| {
        let t = &t;
        async move {
            let reply = t.with_cookie("GET", "/api-keys", &cookie, &[], None).await;
            assert_eq!(reply.status, 200, "{reply:?}");
            reply.json["keys"].as_array().unwrap().clone()
        }
    };
    // The key the account was made with is listed by its name and last four characters.
    let first = listed(cookie.clone()).await;
    assert_eq!(first.len(), 1, "{first:?}");
    assert!(anna.api_key.ends_with(first[0]["hint"].as_str().unwrap()));
    assert!(
        !first[0].to_string().contains(&anna.api_key),
        "never the key itself"
    );

    let made = from_the_studio(
        &t,
        "POST",
        "/api-keys",
        &cookie,
        Some(json!({ "name": "  Lightroom export " })),
    )
    .await;
    assert_eq!(made.status, 201, "{made:?}");
    assert_eq!(made.json["name"], "Lightroom export");
    let key = made.json["api_key"].as_str().unwrap().to_owned();
    let works = t.call("GET", "/galleries", Some(&key), None).await;
    assert_eq!(works.status, 200, "the new key works at once: {works:?}");
    let now = listed(cookie.clone()).await;
    assert_eq!(now.len(), 2);
    assert!(!now.iter().any(|k| k.get("api_key").is_some()), "{now:?}");

    // A key can't make, list or revoke keys: a leaked one can't outlive its revocation.
    let id = made.json["key_id"].as_str().unwrap();
    for (method, path, body) in [
        ("GET", "/api-keys".to_owned(), None),
        (
            "POST",
            "/api-keys".to_owned(),
            Some(json!({ "name": "more" })),
        ),
        ("DELETE", format!("/api-keys/{id}"), None),
    ] {
        let refused = t.call(method, &path, Some(&key), body).await;
        assert_error(&refused, 403, "studio_session_required");
    }
    // Nor can another site's page, with the cookie.
    let forged = t
        .with_cookie(
            "DELETE",
            &format!("/api-keys/{id}"),
            &cookie,
            &[
                ("sec-fetch-site", "cross-site"),
                ("x-proofsheet-studio", "1"),
            ],
            None,
        )
        .await;
    assert_error(&forged, 403, "cross_site_write");

    let revoked = from_the_studio(&t, "DELETE", &format!("/api-keys/{id}"), &cookie, None).await;
    assert_eq!(revoked.status, 204, "{revoked:?}");
    let gone = t.call("GET", "/galleries", Some(&key), None).await;
    assert_error(&gone, 401, "unauthorized");
    let again = from_the_studio(&t, "DELETE", &format!("/api-keys/{id}"), &cookie, None).await;
    assert_error(&again, 404, "not_found");
}

#[tokio::test]
async fn a_photographer_keeps_ten_keys_at_most_and_never_touches_anothers() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let ben = t.photographer("Ben Ortiz").await;
    let annas = t.studio_session(&anna.email()).await;
    let bens = t.studio_session(&ben.email()).await;
    let make = |cookie: String, name: String| {
        let t = &t;
        async move {
            from_the_studio(
                t,
                "POST",
                "/api-keys",
                &cookie,
                Some(json!({ "name": name })),
            )
            .await
        }
    };
    // With the account's own key, ten.
    for n in 2..=10 {
        assert_eq!(make(annas.clone(), format!("key {n}")).await.status, 201);
    }
    let eleventh = make(annas.clone(), "key 11".into()).await;
    assert_invalid(&eleventh, "name");
    for bad in ["", "   ", "two\nlines", &"k".repeat(61)] {
        assert_invalid(&make(bens.clone(), bad.into()).await, "name");
    }

    // Ben's session can't revoke Anna's key: not found, and it still works.
    let annas_keys = t.with_cookie("GET", "/api-keys", &annas, &[], None).await;
    let id = annas_keys.json["keys"][0]["key_id"].as_str().unwrap();
    let refused = from_the_studio(&t, "DELETE", &format!("/api-keys/{id}"), &bens, None).await;
    assert_error(&refused, 404, "not_found");
    assert_eq!(
        t.call("GET", "/galleries", Some(&anna.api_key), None)
            .await
            .status,
        200
    );
    for bad in ["not-a-uuid", "00000000-0000-0000-0000-000000000000"] {
        let unknown = from_the_studio(&t, "DELETE", &format!("/api-keys/{bad}"), &bens, None).await;
        assert_error(&unknown, 404, "not_found");
    }
}

#[tokio::test]
async fn a_photographer_made_by_the_operator_is_emailed_a_first_way_in() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let record = t
        .app
        .store()
        .photographer(proofsheet_policy::PhotographerId::parse(&anna.id).unwrap())
        .await
        .unwrap()
        .unwrap();
    // What `proofsheet-admin create-photographer --email-sign-in-link yes` does next.
    proofsheet_app::admin::email_sign_in_link(&t.app, &record, &format!("{OURS}/"))
        .await
        .unwrap();
    let link = t.emailed_studio_link(&anna.email()).await;
    let signed = t.call("POST", &link, None, None).await;
    assert_eq!(signed.status, 200, "{signed:?}");
    let cookie = session_cookie(&signed);
    let galleries = t.with_cookie("GET", "/galleries", &cookie, &[], None).await;
    assert_eq!(galleries.status, 200, "{galleries:?}");
}

#[tokio::test]
async fn every_change_the_cookie_can_make_is_refused_from_another_site() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let cookie = t.studio_session(&anna.email()).await;
    // The check comes before anything is read: any id in the path will do.
    let id = uuid::Uuid::new_v4().to_string();
    let another_sites_form = [
        ("content-type", "text/plain"),
        ("sec-fetch-site", "cross-site"),
        ("origin", "https://evil.example"),
    ];
    let mut probed = Vec::new();
    for spec in proofsheet_http::ROUTES.iter().filter(|spec| {
        matches!(
            spec.audience,
            proofsheet_http::Audience::Photographer | proofsheet_http::Audience::StudioSession
        ) && spec.method != "GET"
    }) {
        let path: String = spec
            .path
            .split('/')
            .map(|part| {
                if part.starts_with('{') {
                    id.as_str()
                } else {
                    part
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let reply = t
            .with_cookie(spec.method, &path, &cookie, &another_sites_form, None)
            .await;
        assert_error(&reply, 403, "cross_site_write");
        probed.push(spec.function);
    }
    // The table is the routes' own: a write added later is probed without a word here.
    for write in [
        "create-gallery",
        "delete-gallery",
        "put-general-access",
        "create-api-key",
    ] {
        assert!(probed.contains(&write), "{write} probed: {probed:?}");
    }
}

#[tokio::test]
async fn a_deleted_photographer_has_no_session_no_key_and_no_address_left() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let id = anna.photographer_id();
    let cookie = t.studio_session(&anna.email()).await;
    let made = t
        .with_cookie(
            "POST",
            "/api-keys",
            &cookie,
            &FROM_THE_STUDIO,
            Some(json!({ "name": "laptop" })),
        )
        .await;
    let second_key = made.json["api_key"].as_str().unwrap().to_owned();
    let old_slug = anna.slug.clone();
    let moved = t
        .update_account(&anna, json!({ "slug": format!("{old_slug}-new") }))
        .await;
    assert_eq!(moved.status, 200, "{moved:?}");
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let login = t
        .create_client_login(&anna, json!({ "name": "Carol" }))
        .await;
    let login = login.json["login_id"].as_str().unwrap().to_owned();

    // Not while clients still have links or logins of theirs.
    let refused = proofsheet_app::admin::delete_photographer(&t.app, id).await;
    assert!(
        matches!(
            refused,
            Err(proofsheet_app::admin::AdminError::StillHasClients {
                galleries: 1,
                logins: 1
            })
        ),
        "{refused:?}"
    );
    assert_eq!(
        t.with_cookie("GET", "/galleries", &cookie, &[], None)
            .await
            .status,
        200
    );
    assert_eq!(t.delete_gallery(&anna, &gallery).await.status, 204);
    assert_eq!(t.delete_client_login(&anna, &login).await.status, 204);

    let removed = proofsheet_app::admin::delete_photographer(&t.app, id)
        .await
        .unwrap();
    assert!(removed >= 7, "{removed} items");
    // Nothing lets anyone act as Anna: not her session, not either key.
    for reply in [
        t.with_cookie("GET", "/galleries", &cookie, &[], None).await,
        t.call("GET", "/galleries", Some(&anna.api_key), None).await,
        t.call("GET", "/galleries", Some(&second_key), None).await,
    ] {
        assert_error(&reply, 401, "unauthorized");
    }
    let studio = t.browse("/studio", Some(&cookie)).await;
    assert!(
        studio.json.as_str().unwrap().contains(r#"id="email""#),
        "the sign-in form: {studio:?}"
    );
    // Her address signs in nobody, and her pages, the old one included, are gone.
    let sent = t.emails_to(&anna.email()).await.len();
    let asked = t
        .call(
            "POST",
            "/studio/sign-in",
            None,
            Some(json!({ "email": anna.email() })),
        )
        .await;
    assert_eq!(asked.status, 202);
    assert_eq!(t.emails_to(&anna.email()).await.len(), sent);
    for slug in [old_slug.clone(), format!("{old_slug}-new")] {
        assert_eq!(t.browse(&format!("/p/{slug}"), None).await.status, 404);
    }
    // The address and the page's name are free for a new account.
    let again = proofsheet_app::admin::create_photographer(
        &t.app,
        "Anna Lee",
        &anna.email(),
        &old_slug,
        None,
    )
    .await;
    assert!(again.is_ok(), "{again:?}");
    let twice = proofsheet_app::admin::delete_photographer(&t.app, id).await;
    assert!(
        matches!(
            twice,
            Err(proofsheet_app::admin::AdminError::UnknownPhotographer)
        ),
        "{twice:?}"
    );
}
