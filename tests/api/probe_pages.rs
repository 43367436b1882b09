//! Security probes of the client pages (`/g/{token}` and `/p/{slug}` as HTML, their forms, the
//! session cookies, the error pages and `/static/{file}`), written as an attacker would use them.
//! Each test asserts the outcome the pages promise; the ones that found a weakness say so above
//! them, with the fix they suggest.

use std::net::{IpAddr, Ipv4Addr};

use proofsheet_app::Clock;
use proofsheet_policy::{Guesser, LinkToken, Slug, UnlockThrottle};
use proofsheet_store::UnlockReservation;
use proofsheet_tests::*;
use serde_json::{Value, json};

const FORM: &str = "application/x-www-form-urlencoded";

fn ip(last: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(198, 51, 100, last))
}

fn text(reply: &Reply) -> &str {
    reply
        .json
        .as_str()
        .unwrap_or_else(|| panic!("not a page: {reply:?}"))
}

/// The `name=value` of the reply's `Set-Cookie`, and its attributes.
fn set_cookie(reply: &Reply) -> (String, String) {
    let set = reply
        .header("set-cookie")
        .unwrap_or_else(|| panic!("no cookie: {reply:?}"));
    let (pair, attributes) = set.split_once(';').expect("attributes");
    (pair.to_owned(), attributes.to_owned())
}

fn max_age(attributes: &str) -> u64 {
    attributes
        .split(';')
        .find_map(|a| a.trim().strip_prefix("Max-Age="))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no Max-Age in {attributes}"))
}

/// What askama writes for `raw` in a page.
fn escaped(raw: &str) -> String {
    raw.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

/// A request exactly as given (headers, raw body, source address), through `dispatch`.
async fn send(
    t: &TestApp,
    source: IpAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Reply {
    t.send_with_headers(source, method, path, None, headers, body.map(str::to_owned))
        .await
}

/// A page's form as a browser posts it from its own page, from `source`, with `cookie`.
async fn post_form_from(
    t: &TestApp,
    source: IpAddr,
    path: &str,
    fields: &[(&str, &str)],
    cookie: Option<&str>,
) -> Reply {
    let mut headers = vec![
        ("accept", BROWSER_ACCEPT),
        ("content-type", FORM),
        ("sec-fetch-site", "same-origin"),
    ];
    if let Some(cookie) = cookie {
        headers.push(("cookie", cookie));
    }
    let body = form_body(fields);
    send(t, source, "POST", path, &headers, Some(&body)).await
}

/// A page, or an error page, with every header a page must carry.
fn assert_page_headers(reply: &Reply, what: &str) {
    assert_eq!(
        reply.header("content-type"),
        Some("text/html; charset=utf-8"),
        "{what}: {reply:?}"
    );
    let csp = reply
        .header("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: no CSP: {reply:?}"));
    for directive in ["default-src 'none'", "frame-ancestors 'none'", "base-uri"] {
        assert!(csp.contains(directive), "{what}: {directive} not in {csp}");
    }
    assert_eq!(
        reply.header("x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(reply.header("cache-control"), Some("no-store"), "{what}");
    assert_eq!(
        reply.header("referrer-policy"),
        Some("no-referrer"),
        "{what}"
    );
}

/// The `/g/{token}` path in a link on any base URL.
fn link_path(link: &str) -> String {
    link[link.find("/g/").expect("a link")..].to_owned()
}

async fn protected_link(t: &TestApp, who: &Photographer, password: &str) -> String {
    let gallery = t.create_gallery(who, "Private party").await;
    t.set_general(who, &gallery, json!({ "password": password }))
        .await;
    link_path(
        t.get_general_access(who, &gallery).await.json["link"]
            .as_str()
            .unwrap(),
    )
}

/// Uses up a link's ceiling straight through the store: one try from each of many sources.
async fn exhaust_link_ceiling(t: &TestApp, path: &str) {
    let grant = LinkToken::parse(path.rsplit('/').next().unwrap())
        .unwrap()
        .grant_id;
    for source in 0..UnlockThrottle::PER_LINK.max_attempts {
        let outcome = t
            .app
            .store()
            .reserve_unlock_attempt(
                grant,
                &Guesser::new_device(&format!("guesser-{source}")),
                t.app.now(),
            )
            .await
            .unwrap();
        assert!(
            matches!(outcome, UnlockReservation::Reserved(_)),
            "{outcome:?}"
        );
    }
}

/// Uses up a login page's ceiling the same way.
async fn exhaust_login_ceiling(t: &TestApp, slug: &str) {
    let page = Slug::parse(slug).unwrap();
    for source in 0..UnlockThrottle::LOGIN_PER_PAGE.max_attempts {
        let outcome = t
            .app
            .store()
            .reserve_login_attempt(
                &page,
                &Guesser::new_device(&format!("guesser-{source}")),
                t.app.now(),
            )
            .await
            .unwrap();
        assert!(
            matches!(outcome, UnlockReservation::Reserved(_)),
            "{outcome:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Stored and reflected XSS
// ---------------------------------------------------------------------------------------------

/// Everything a photographer or client controls that reaches a page is escaped, in text and in
/// attributes (titles, sub-gallery titles, a photo's file name as alt text, the photographer's
/// and the login's names), and the script's `data-state` stays one attribute of plain JSON.
#[tokio::test]
async fn what_photographers_and_clients_name_things_never_becomes_markup() {
    let t = TestApp::spawn().await;
    let anna = t.photographer(r#"Anna "'><script>alert(1)</script>"#).await;
    let parent_title = r#"Wedding "'><script>alert(2)</script><img src=x onerror=alert(3)>"#;
    let child_title = r#"Ceremony </title><svg onload=alert(4)> ' " &amp;"#;
    let filename = r#"a"' onerror=alert(5) x="<img src=x onerror=alert(6)>.jpg"#;
    let login_name = r#"Carol "'><img src=x onerror=alert(7)>"#;

    let parent = t.create_gallery(&anna, parent_title).await;
    let child = t
        .create_gallery_raw(&anna, json!({ "title": child_title, "parent_id": parent }))
        .await;
    assert_eq!(child.status, 201, "{child:?}");
    let child = child.json["id"].as_str().unwrap().to_owned();
    t.upload(&anna, &parent, filename, jpeg(64, 48), "image/jpeg")
        .await;
    t.drain_ingest().await;
    assert_eq!(t.photos(&anna, &parent).await[0]["status"], "ready");

    let no_markup = |page: &str, what: &str| {
        // Escaped text may still read `onerror=…`: only an unescaped `<` or `"` makes markup,
        // and the escaped forms of every value are looked for below.
        for raw in ["<script>alert", "<img src=x", "<svg"] {
            assert!(!page.contains(raw), "{what}: {raw} is markup: {page}");
        }
    };

    let parent_page = t.browse(&t.general_path(&anna, &parent).await, None).await;
    assert_eq!(parent_page.status, 200, "{parent_page:?}");
    let page = text(&parent_page);
    no_markup(page, "gallery page");
    assert!(
        page.contains(&format!("<h1>{}</h1>", escaped(parent_title))),
        "{page}"
    );
    assert!(page.contains(&format!("<title>{}</title>", escaped(parent_title))));
    assert!(
        page.contains(&escaped(child_title)),
        "sub-gallery tile: {page}"
    );
    assert!(
        page.contains(&format!(
            "alt=\"{}\"",
            escaped(&format!("Photo {filename}"))
        )),
        "alt text: {page}"
    );
    // The script's state is one attribute, and plain JSON once the browser decodes it.
    let state = page
        .split("data-state=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("data-state");
    let decoded = state
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#38;", "&");
    let state: Value = serde_json::from_str(&decoded).expect("data-state is JSON");
    assert_eq!(state["kind"], "general", "{state}");

    let child_page = t.browse(&t.general_path(&anna, &child).await, None).await;
    assert_eq!(child_page.status, 200, "{child_page:?}");
    no_markup(text(&child_page), "sub-gallery page");
    assert!(
        text(&child_page).contains(&escaped(parent_title)),
        "up link"
    );

    let login_form = t.login_page(&anna.slug, None).await;
    no_markup(text(&login_form), "login page");
    assert!(text(&login_form).contains(&format!("<h1>{}</h1>", escaped(&anna.name))));

    let (login, code) = t.new_client_login(&anna, login_name, None).await;
    let released = t.release_gallery(&anna, &login, &parent, None).await;
    assert_eq!(released.status, 201, "{released:?}");
    let logged_in = t
        .post_form(
            &format!("/p/{}/login", anna.slug),
            &[("access_code", &code)],
            None,
        )
        .await;
    assert_eq!(logged_in.status, 303, "{logged_in:?}");
    let (cookie, _) = set_cookie(&logged_in);
    let overview = t.login_page(&anna.slug, Some(&cookie)).await;
    let page = text(&overview);
    no_markup(page, "overview");
    assert!(page.contains(&escaped(login_name)), "{page}");
    assert!(page.contains(&escaped(&anna.name)), "{page}");
    assert!(page.contains(&escaped(parent_title)), "{page}");
}

/// What an attacker puts in a link's query string or a form is never markup on the error page.
#[tokio::test]
async fn input_reflected_on_error_pages_is_escaped() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let path = t.general_path(&anna, &gallery).await;
    let protected = protected_link(&t, &anna, "open sesame").await;

    let payload = "%3Cscript%3Ealert(1)%3C%2Fscript%3E";
    let replies = [
        t.browse(&format!("{path}?cursor={payload}"), None).await,
        t.browse(&format!("{path}?limit={payload}"), None).await,
        send(
            &t,
            CALLER_IP.into(),
            "POST",
            &format!("{protected}/unlock"),
            &[("accept", BROWSER_ACCEPT), ("content-type", FORM)],
            Some(&format!("{payload}=1&password=x")),
        )
        .await,
        t.post_form(
            &format!("/p/{}/login", anna.slug),
            &[("access_code", "<script>alert(1)</script>")],
            None,
        )
        .await,
    ];
    for reply in &replies {
        assert!((400..500).contains(&reply.status), "{reply:?}");
        assert_page_headers(reply, "error page");
        assert!(!text(reply).contains("<script>alert"), "{reply:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Headers on every page, error pages included; internal details stay out
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn every_page_a_browser_can_reach_carries_the_page_headers() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    t.seed_ready_photos(&anna, &gallery, 2).await;
    let path = t.general_path(&anna, &gallery).await;
    let protected = protected_link(&t, &anna, "open sesame").await;
    let slug = &anna.slug;
    let browser = [("accept", BROWSER_ACCEPT)];

    let mut pages = vec![
        ("gallery", t.browse(&path, None).await),
        ("password form", t.browse(&protected, None).await),
        ("login form", t.login_page(slug, None).await),
        ("unknown path", t.browse("/nowhere/at/all", None).await),
        (
            "unknown login page",
            t.browse("/p/no-such-page", None).await,
        ),
        ("malformed slug", t.browse("/p/NO_SUCH", None).await),
        (
            "forged token",
            t.browse(&format!("/g/{}", "A".repeat(64)), None).await,
        ),
        (
            "general link's tray",
            t.browse(&format!("{path}/downloads"), None).await,
        ),
        (
            "bad cursor",
            t.browse(&format!("{path}?cursor=%%%"), None).await,
        ),
        (
            "overview without login",
            t.browse("/me/galleries", None).await,
        ),
        ("unknown download link", t.browse("/d/nothing", None).await),
        ("unknown asset", t.browse("/static/app.js", None).await),
    ];
    for (what, method, target) in [
        ("DELETE on a link", "DELETE", path.clone()),
        ("PUT on a login page", "PUT", format!("/p/{slug}")),
        ("HEAD on a link", "HEAD", path.clone()),
        ("POST on a link", "POST", path.clone()),
    ] {
        let reply = send(&t, CALLER_IP.into(), method, &target, &browser, None).await;
        pages.push((what, reply));
    }
    let forms = [
        (
            "missing field",
            format!("{protected}/unlock"),
            "nothing=1".to_owned(),
        ),
        (
            "wrong password",
            format!("{protected}/unlock"),
            "password=nope".into(),
        ),
        (
            "no password set",
            format!("{path}/unlock"),
            "password=x".into(),
        ),
        (
            "wrong code",
            format!("/p/{slug}/login"),
            "access_code=NOPE".into(),
        ),
        (
            "form to a JSON route",
            format!("{path}/identify"),
            "email=a%40b.example".into(),
        ),
    ];
    for (what, target, body) in forms {
        let headers = [("accept", BROWSER_ACCEPT), ("content-type", FORM)];
        let reply = send(&t, CALLER_IP.into(), "POST", &target, &headers, Some(&body)).await;
        pages.push((what, reply));
    }
    for (what, reply) in &pages {
        assert_page_headers(reply, what);
    }

    // The redirects after a form carry the leak-proof headers too.
    let unlocked = t
        .post_form(
            &format!("{protected}/unlock"),
            &[("password", "open sesame")],
            None,
        )
        .await;
    assert_eq!(unlocked.status, 303, "{unlocked:?}");
    assert_eq!(unlocked.header("cache-control"), Some("no-store"));
    assert_eq!(unlocked.header("referrer-policy"), Some("no-referrer"));
}

/// A store failure on a page says "something went wrong", never what failed.
#[tokio::test]
async fn a_browsers_error_page_names_nothing_internal() {
    let table = "prod-proofsheet-secret-table";
    let t = TestApp::spawn_with(&[("TABLE_NAME", table)]).await;
    let page = t.browse("/p/some-studio", None).await;
    assert_eq!(page.status, 500, "{page:?}");
    assert_page_headers(&page, "internal error page");
    let body = text(&page);
    assert!(body.contains("Something went wrong"), "{body}");
    for secret in [
        table,
        "ResourceNotFound",
        "dynamodb",
        "DynamoDB",
        "Aws",
        "service error",
    ] {
        assert!(!body.contains(secret), "{secret} in {body}");
    }
}

// ---------------------------------------------------------------------------------------------
// Sessions: one link's or login's cookie opens nothing else; attributes by deployment
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_session_cookie_opens_only_what_it_was_made_for() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let protected = protected_link(&t, &anna, "open sesame").await;
    let wedding = t.create_gallery(&anna, "Smith wedding").await;
    let (carol, carol_code) = t.new_client_login(&anna, "Carol", None).await;
    let (_dan, dan_code) = t.new_client_login(&anna, "Dan", None).await;
    assert_eq!(
        t.release_gallery(&anna, &carol, &wedding, None)
            .await
            .status,
        201
    );

    let unlocked = t
        .post_form(
            &format!("{protected}/unlock"),
            &[("password", "open sesame")],
            None,
        )
        .await;
    let (link_cookie, _) = set_cookie(&unlocked);
    let link_session = link_cookie.strip_prefix("ps_link=").unwrap();
    let login = format!("/p/{}/login", anna.slug);
    let carol_in = t
        .post_form(&login, &[("access_code", &carol_code)], None)
        .await;
    let (carol_cookie, _) = set_cookie(&carol_in);
    let carol_session = carol_cookie.strip_prefix("ps_login=").unwrap();
    let dan_in = t
        .post_form(&login, &[("access_code", &dan_code)], None)
        .await;
    let (dan_cookie, _) = set_cookie(&dan_in);

    // A login session in the link's cookie, or a link session in the login's, opens nothing.
    let swapped = t
        .browse(&protected, Some(&format!("ps_link={carol_session}")))
        .await;
    assert_eq!(swapped.status, 401, "{swapped:?}");
    let swapped = t
        .login_page(&anna.slug, Some(&format!("ps_login={link_session}")))
        .await;
    assert!(
        text(&swapped).contains("name=\"access_code\""),
        "{swapped:?}"
    );
    // A cookie changed by one character opens nothing.
    let mut forged = link_session.to_owned();
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'B' } else { 'A' });
    let forged = t
        .browse(&protected, Some(&format!("ps_link={forged}")))
        .await;
    assert_eq!(forged.status, 401, "{forged:?}");
    // Dan's cookie shows Dan's (empty) overview, never Carol's galleries.
    let dans = t.login_page(&anna.slug, Some(&dan_cookie)).await;
    assert!(text(&dans).contains("Hello, Dan"), "{dans:?}");
    assert!(!text(&dans).contains("Smith wedding"), "{dans:?}");
    // The link's own JSON routes take the link's cookie, never the login's.
    let json = t
        .call_with_headers(
            "GET",
            &protected,
            None,
            &[("cookie", &format!("ps_link={carol_session}"))],
            None,
        )
        .await;
    assert_error(&json, 401, "password_required");
}

#[tokio::test]
async fn cookies_are_secure_unless_the_service_is_served_over_plain_http() {
    for (base, secure) in [
        (Some("https://photos.example"), true),
        (None, true),
        (Some("http://localhost:3000"), false),
    ] {
        let extra: Vec<(&str, &str)> = vec![("PUBLIC_BASE_URL", base.unwrap_or(""))];
        let t = TestApp::spawn_with(&extra).await;
        let anna = t.photographer("Anna Lee").await;
        let protected = protected_link(&t, &anna, "open sesame").await;
        let (_, code) = t.new_client_login(&anna, "Carol", None).await;
        let unlocked = t
            .post_form(
                &format!("{protected}/unlock"),
                &[("password", "open sesame")],
                None,
            )
            .await;
        let page = format!("/p/{}", anna.slug);
        let logged_in = t
            .post_form(&format!("{page}/login"), &[("access_code", &code)], None)
            .await;
        for (reply, path) in [(&unlocked, &protected), (&logged_in, &page)] {
            assert_eq!(reply.status, 303, "{base:?}: {reply:?}");
            let (_, attributes) = set_cookie(reply);
            let attributes: Vec<&str> = attributes.split(';').map(str::trim).collect();
            assert!(attributes.contains(&"HttpOnly"), "{base:?}: {attributes:?}");
            assert!(
                attributes.contains(&"SameSite=Lax"),
                "{base:?}: {attributes:?}"
            );
            assert!(
                attributes.contains(&format!("Path={path}").as_str()),
                "{base:?}: {attributes:?}"
            );
            assert!(
                !attributes.iter().any(|a| a.starts_with("Domain")),
                "{attributes:?}"
            );
            assert_eq!(
                attributes.contains(&"Secure"),
                secure,
                "{base:?}: {attributes:?}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Returning browsers while a link or page is under attack
// ---------------------------------------------------------------------------------------------

// Found by the probe (fixed): the password form counts a browser's earlier session, kept in
// the `ps_link` cookie, as a known device, so guessers spending the link's ceiling don't lock
// returning browsers out (as `client_access::a_returning_client_unlocks_while_the_link_is_under_attack`
// for API clients).
#[tokio::test]
async fn a_browser_showing_its_earlier_link_cookie_is_spared_the_link_ceiling() {
    let ttl: u64 = 3600;
    let t = TestApp::spawn_with_clock(
        &[("CLIENT_SESSION_TTL_SECONDS", &ttl.to_string())],
        Clock::fixed(Clock::system().now()),
    )
    .await;
    let anna = t.photographer("Anna Lee").await;
    let path = protected_link(&t, &anna, "open sesame").await;
    let unlock = format!("{path}/unlock");
    let first = post_form_from(&t, ip(1), &unlock, &[("password", "open sesame")], None).await;
    assert_eq!(first.status, 303, "{first:?}");
    let (cookie, _) = set_cookie(&first);

    // Two hours on: the session has ended, well within the known-device grace.
    t.app.clock().advance(2 * ttl);
    exhaust_link_ceiling(&t, &path).await;
    let newcomer = post_form_from(&t, ip(2), &unlock, &[("password", "open sesame")], None).await;
    assert_eq!(newcomer.status, 429, "the ceiling is spent: {newcomer:?}");

    let returning = post_form_from(
        &t,
        ip(3),
        &unlock,
        &[("password", "open sesame")],
        Some(&cookie),
    )
    .await;
    assert_eq!(
        returning.status, 303,
        "a browser that unlocked an hour ago is locked out by guessers elsewhere: {returning:?}"
    );
}

// Found by the probe (fixed): the link cookie outlives its session by the known-device grace
// (`SessionClaims::KNOWN_DEVICE_GRACE_SECS`), so the browser still holds it when it matters.
#[tokio::test]
async fn a_returning_browser_still_holds_what_marks_it_as_a_known_device() {
    let ttl: u64 = 3600;
    let t = TestApp::spawn_with_clock(
        &[("CLIENT_SESSION_TTL_SECONDS", &ttl.to_string())],
        Clock::fixed(Clock::system().now()),
    )
    .await;
    let anna = t.photographer("Anna Lee").await;
    let path = protected_link(&t, &anna, "open sesame").await;
    let unlock = format!("{path}/unlock");
    let first = post_form_from(&t, ip(1), &unlock, &[("password", "open sesame")], None).await;
    assert_eq!(first.status, 303, "{first:?}");
    let (cookie, attributes) = set_cookie(&first);

    let elapsed = 2 * ttl;
    t.app.clock().advance(elapsed);
    exhaust_link_ceiling(&t, &path).await;
    // The browser sends the cookie only while its Max-Age lasts.
    let kept = (elapsed < max_age(&attributes)).then_some(cookie.as_str());
    let returning = post_form_from(&t, ip(3), &unlock, &[("password", "open sesame")], kept).await;
    assert_eq!(
        returning.status, 303,
        "the browser dropped its cookie ({attributes}) and is locked out: {returning:?}"
    );
}

// Found by the probe (fixed): the same on the login page, whose slug is public.
#[tokio::test]
async fn a_returning_browser_logs_in_while_the_login_page_is_under_attack() {
    let t = TestApp::spawn_with_clock(&[], Clock::fixed(Clock::system().now())).await;
    let anna = t.photographer("Anna Lee").await;
    let (_, code) = t.new_client_login(&anna, "Carol", None).await;
    let login = format!("/p/{}/login", anna.slug);
    let first = post_form_from(&t, ip(1), &login, &[("access_code", &code)], None).await;
    assert_eq!(first.status, 303, "{first:?}");
    let (cookie, attributes) = set_cookie(&first);

    // Carol comes back 31 days later: her session ended a day ago.
    let elapsed = 31 * 24 * 60 * 60;
    t.app.clock().advance(elapsed);
    exhaust_login_ceiling(&t, &anna.slug).await;
    let newcomer = post_form_from(&t, ip(2), &login, &[("access_code", &code)], None).await;
    assert_eq!(newcomer.status, 429, "the ceiling is spent: {newcomer:?}");

    let kept = (elapsed < max_age(&attributes)).then_some(cookie.as_str());
    let returning = post_form_from(&t, ip(3), &login, &[("access_code", &code)], kept).await;
    assert_eq!(
        returning.status, 303,
        "the browser dropped its cookie ({attributes}) and is locked out: {returning:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Forms: other sites, odd bodies, redirects
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn another_sites_form_cannot_log_a_browser_in() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let (_, code) = t.new_client_login(&anna, "Mallory", None).await;
    let body = form_body(&[("access_code", &code)]);
    let login = format!("/p/{}/login", anna.slug);
    let cross = send(
        &t,
        CALLER_IP.into(),
        "POST",
        &login,
        &[
            ("accept", BROWSER_ACCEPT),
            ("content-type", FORM),
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://evil.example"),
        ],
        Some(&body),
    )
    .await;
    assert_eq!(cross.status, 403, "{cross:?}");
    assert!(cross.header("set-cookie").is_none(), "{cross:?}");
    assert_page_headers(&cross, "cross-site refusal");
}

// Found by the probe (fixed): where a browser sends no `Sec-Fetch-Site`, an `Origin` other than
// ours marks another site's form (login CSRF).
#[tokio::test]
async fn a_form_from_a_foreign_origin_is_refused_without_fetch_metadata() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let (_, code) = t.new_client_login(&anna, "Mallory", None).await;
    let body = form_body(&[("access_code", &code)]);
    let login = format!("/p/{}/login", anna.slug);
    let old_safari = send(
        &t,
        CALLER_IP.into(),
        "POST",
        &login,
        &[
            ("accept", BROWSER_ACCEPT),
            ("content-type", FORM),
            ("origin", "https://evil.example"),
        ],
        Some(&body),
    )
    .await;
    assert_eq!(
        old_safari.status, 403,
        "another site's form logged the browser in: {old_safari:?}"
    );
    assert!(old_safari.header("set-cookie").is_none(), "{old_safari:?}");
}

#[tokio::test]
async fn odd_form_bodies_are_refused_without_a_session() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let general = t.general_path(&anna, &gallery).await;
    let protected = protected_link(&t, &anna, "open sesame").await;
    let unlock = format!("{protected}/unlock");
    let browser = |content_type| {
        [
            ("accept", BROWSER_ACCEPT),
            ("content-type", content_type),
            ("sec-fetch-site", "same-origin"),
        ]
    };
    let huge = "x".repeat(200_000);
    let cases: Vec<(&str, &str, String)> = vec![
        ("missing field", FORM, "pass=open+sesame".into()),
        ("empty body", FORM, String::new()),
        (
            "extra field",
            FORM,
            "password=open+sesame&next=https%3A%2F%2Fevil.example".into(),
        ),
        ("twice", FORM, "password=nope&password=open+sesame".into()),
        ("garbage", FORM, "%%%&&==;".into()),
        ("huge", FORM, format!("password={huge}")),
        (
            "multipart",
            "multipart/form-data; boundary=x",
            "--x\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\nopen sesame\r\n--x--"
                .into(),
        ),
    ];
    for (what, content_type, body) in &cases {
        let reply = send(
            &t,
            CALLER_IP.into(),
            "POST",
            &unlock,
            &browser(content_type),
            Some(body),
        )
        .await;
        assert!((400..500).contains(&reply.status), "{what}: {reply:?}");
        assert!(reply.header("set-cookie").is_none(), "{what}: {reply:?}");
        assert!(reply.header("location").is_none(), "{what}: {reply:?}");
        assert!(
            text(&reply).len() < 10_000,
            "{what}: the page echoes the body"
        );
    }
    // A charset parameter is still the page's own form.
    let charset = send(
        &t,
        CALLER_IP.into(),
        "POST",
        &unlock,
        &browser("application/x-www-form-urlencoded; charset=UTF-8"),
        Some("password=open+sesame"),
    )
    .await;
    assert_eq!(charset.status, 303, "{charset:?}");

    // A form posted to a JSON-only route (the email capture) does nothing.
    let email = unique_email("visitor");
    let identify = send(
        &t,
        CALLER_IP.into(),
        "POST",
        &format!("{general}/identify"),
        &browser(FORM),
        Some(&form_body(&[("email", &email)])),
    )
    .await;
    assert_eq!(identify.status, 400, "{identify:?}");
    assert!(t.emails_to(&email).await.is_empty());
    let grants = t.list_private_access(&anna, &gallery).await;
    assert_eq!(
        grants.json["grants"].as_array().map_or(0, Vec::len),
        0,
        "{grants:?}"
    );
}

/// The 303 after a form goes to the link or page itself, a path on this origin, whatever the
/// request says about hosts, referrers or where to go next; no token ever lands in a query.
#[tokio::test]
async fn form_redirects_stay_on_the_link_whatever_the_request_says() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let protected = protected_link(&t, &anna, "open sesame").await;
    let (_, code) = t.new_client_login(&anna, "Carol", None).await;
    let hostile = [
        ("accept", BROWSER_ACCEPT),
        ("content-type", FORM),
        ("sec-fetch-site", "same-origin"),
        ("host", "evil.example"),
        ("x-forwarded-host", "evil.example"),
        ("forwarded", "host=evil.example;proto=http"),
        ("referer", "https://evil.example/next"),
    ];
    let page = format!("/p/{}", anna.slug);
    for (target, body, expected) in [
        (
            format!("{protected}/unlock"),
            "password=open+sesame".to_owned(),
            protected.clone(),
        ),
        (
            format!("{page}/login"),
            form_body(&[("access_code", &code)]),
            page.clone(),
        ),
    ] {
        let reply = send(&t, CALLER_IP.into(), "POST", &target, &hostile, Some(&body)).await;
        assert_eq!(reply.status, 303, "{reply:?}");
        let location = reply.header("location").unwrap();
        assert_eq!(location, expected);
        assert!(
            !location.starts_with("//") && !location.contains('?'),
            "{location}"
        );
    }
}

/// With no public base URL configured, links on a page come from the domain API Gateway served,
/// never from the `Host` header a caller sends.
#[tokio::test]
async fn links_on_pages_never_follow_the_callers_host_header() {
    let t = TestApp::spawn_with(&[("PUBLIC_BASE_URL", "")]).await;
    let anna = t.photographer("Anna Lee").await;
    let parent = t.create_gallery(&anna, "Wedding").await;
    let child = t
        .create_gallery_raw(&anna, json!({ "title": "Ceremony", "parent_id": parent }))
        .await;
    assert_eq!(child.status, 201, "{child:?}");
    let link = t.get_general_access(&anna, &parent).await.json["link"]
        .as_str()
        .unwrap()
        .to_owned();
    let page = send(
        &t,
        CALLER_IP.into(),
        "GET",
        &link_path(&link),
        &[
            ("accept", BROWSER_ACCEPT),
            ("host", "evil.example"),
            ("x-forwarded-host", "evil.example"),
        ],
        None,
    )
    .await;
    assert_eq!(page.status, 200, "{page:?}");
    assert!(text(&page).contains("Ceremony"), "{page:?}");
    assert!(!text(&page).contains("evil.example"), "{page:?}");
}

// ---------------------------------------------------------------------------------------------
// Content negotiation, caching, static files
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn api_clients_get_json_whatever_else_they_accept() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let path = t.general_path(&anna, &gallery).await;
    for accept in [
        "application/json, text/html",
        "*/*",
        "application/json;q=1, text/html;q=0.9",
        "",
        "text/plain",
        "application/xhtml+xml",
    ] {
        let reply = t
            .call_with_headers("GET", &path, None, &[("accept", accept)], None)
            .await;
        assert_eq!(reply.status, 200, "{accept}: {reply:?}");
        assert_eq!(
            reply.header("content-type"),
            Some("application/json"),
            "{accept}"
        );
        assert_eq!(reply.header("cache-control"), Some("no-store"), "{accept}");
    }
}

// Found by the probe (fixed): `text/html;q=0` is a refusal of HTML, wherever it stands.
#[tokio::test]
async fn a_client_that_refuses_html_gets_json() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let path = t.general_path(&anna, &gallery).await;
    let reply = t
        .call_with_headers(
            "GET",
            &path,
            None,
            &[("accept", "text/html;q=0, application/json")],
            None,
        )
        .await;
    assert_eq!(
        reply.header("content-type"),
        Some("application/json"),
        "text/html;q=0 got a page: {reply:?}"
    );
}

#[tokio::test]
async fn only_hash_named_assets_are_cached_and_odd_names_find_nothing() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let (login, code) = t.new_client_login(&anna, "Carol", None).await;
    assert_eq!(
        t.release_gallery(&anna, &login, &gallery, None)
            .await
            .status,
        201
    );
    let page = t.browse(&t.general_path(&anna, &gallery).await, None).await;
    assert_eq!(page.header("cache-control"), Some("no-store"));
    let logged_in = t
        .post_form(
            &format!("/p/{}/login", anna.slug),
            &[("access_code", &code)],
            None,
        )
        .await;
    let (cookie, _) = set_cookie(&logged_in);
    let overview = t.login_page(&anna.slug, Some(&cookie)).await;
    assert!(text(&overview).contains("Hello, Carol"), "{overview:?}");
    assert_eq!(overview.header("cache-control"), Some("no-store"));

    let script = text(&page)
        .split("src=\"/static/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the script")
        .to_owned();
    let found = t.static_asset(&format!("/static/{script}")).await;
    assert_eq!(found.status, 200);
    let (stem, _) = script.rsplit_once('.').unwrap();
    for odd in [
        "/static/app.js".to_owned(),
        format!("/static/{}", script.to_uppercase()),
        format!("/static/{script}.map"),
        format!("/static/{stem}.css"),
        format!("/static/..%2F{script}"),
        "/static/%2E%2E%2F%2E%2E%2FCargo.toml".to_owned(),
        "/static/..%2f..%2f..%2fetc%2fpasswd".to_owned(),
        format!("/static/{script}%00.html"),
        "/static/".to_owned(),
        format!("/static/x/{script}"),
    ] {
        for accept in ["*/*", BROWSER_ACCEPT] {
            let reply = t
                .call_with_headers("GET", &odd, None, &[("accept", accept)], None)
                .await;
            assert_eq!(reply.status, 404, "{odd}: {reply:?}");
            assert_eq!(reply.header("cache-control"), Some("no-store"), "{odd}");
        }
    }
}
