//! The client pages as a browser without JavaScript gets them: the same URLs answer a page
//! navigation with HTML and everything else with JSON; the grid, the password form and the login
//! form work on their own (sessions in cookies scoped to their link or page); refusals are pages
//! with the same status; every page carries the strict headers. (The browser tests drive the
//! same pages in Chromium, scripts included.)

use proofsheet_tests::*;
use serde_json::json;

fn html(reply: &Reply) -> &str {
    reply
        .json
        .as_str()
        .unwrap_or_else(|| panic!("not a page: {reply:?}"))
}

/// A header that must have come.
fn header<'r>(reply: &'r Reply, name: &str) -> &'r str {
    reply
        .header(name)
        .unwrap_or_else(|| panic!("no {name}: {reply:?}"))
}

/// The `name=value` of the reply's `Set-Cookie`, and its attributes.
fn cookie(reply: &Reply) -> (String, String) {
    let set = header(reply, "set-cookie");
    let (pair, attributes) = set.split_once(';').expect("attributes");
    (pair.to_owned(), attributes.to_owned())
}

fn assert_page(reply: &Reply, status: u16) {
    assert_eq!(reply.status, status, "{reply:?}");
    assert_eq!(header(reply, "content-type"), "text/html; charset=utf-8");
    let csp = header(reply, "content-security-policy");
    for directive in [
        "default-src 'none'",
        "script-src 'self';",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ] {
        assert!(csp.contains(directive), "{directive} missing from {csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    // Styles come from our own files, and from the page's one style block (a gallery's photo
    // ratios) only by that block's very hash.
    let styles = csp
        .split(';')
        .map(str::trim)
        .find_map(|d| d.strip_prefix("style-src "))
        .unwrap_or_else(|| panic!("no style-src in {csp}"));
    let blocks: Vec<&str> = html(reply)
        .split("<style>")
        .skip(1)
        .map(|rest| rest.split("</style>").next().unwrap())
        .collect();
    let expected = match blocks.as_slice() {
        [] => "'self'".to_owned(),
        [block] => {
            use base64::Engine as _;
            use sha2::Digest as _;
            let digest = sha2::Sha256::digest(block.as_bytes());
            format!(
                "'self' 'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            )
        }
        more => panic!("{} style blocks", more.len()),
    };
    assert_eq!(styles, expected, "{csp}");
    assert_eq!(header(reply, "referrer-policy"), "no-referrer");
    assert_eq!(header(reply, "x-content-type-options"), "nosniff");
    assert_eq!(header(reply, "vary"), "Accept");
    let page = html(reply);
    assert!(!page.contains("<script>"), "an inline script");
    assert!(!page.contains(" style="), "an inline style");
}

#[tokio::test]
async fn a_browser_gets_the_gallery_as_a_page_and_an_api_client_as_json() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith <wedding> & \"party\"").await;
    let photos = t.seed_ready_photos(&anna, &gallery, 3).await;
    let path = t.general_path(&anna, &gallery).await;

    let page = t.browse(&path, None).await;
    assert_page(&page, 200);
    let text = html(&page);
    assert!(
        text.contains("<h1>Smith &#60;wedding&#62; &#38; &#34;party&#34;</h1>"),
        "{text}"
    );
    for photo in &photos {
        assert!(text.contains(&format!("data-photo=\"{photo}\"")), "{photo}");
    }
    // Thumbnails come from the bucket, which the page's policy allows, and nothing else.
    let csp = header(&page, "content-security-policy");
    assert!(
        csp.contains(&format!("img-src 'self' {}", t.endpoint)),
        "{csp}"
    );
    assert!(text.contains(&format!("src=\"{}/", t.endpoint)), "{text}");

    let api = t.view_gallery(&path, None).await;
    assert_eq!(api.status, 200, "{api:?}");
    assert_eq!(header(&api, "content-type"), "application/json");
    assert_eq!(api.json["photos"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn without_javascript_the_grid_pages_through_links() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Big day").await;
    let photos = t.seed_ready_photos(&anna, &gallery, 5).await;
    let path = t.general_path(&anna, &gallery).await;

    let first = t.browse(&format!("{path}?limit=3"), None).await;
    assert_page(&first, 200);
    let text = html(&first);
    let next = text
        .split("rel=\"next\" href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a next-page link")
        .replace("&#38;", "&");
    assert!(next.starts_with(&format!("{path}?cursor=")), "{next}");
    let second = t.browse(&format!("{next}&limit=3"), None).await;
    assert_page(&second, 200);
    let shown = |page: &str| {
        photos
            .iter()
            .filter(|p| page.contains(&format!("data-photo=\"{p}\"")))
            .count()
    };
    assert_eq!((shown(text), shown(html(&second))), (3, 2));
    assert!(!html(&second).contains("rel=\"next\""));
}

#[tokio::test]
async fn the_password_form_opens_the_link_with_a_cookie_for_that_link_only() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Private party").await;
    t.seed_ready_photos(&anna, &gallery, 2).await;
    t.set_general(&anna, &gallery, json!({ "password": "open sesame" }))
        .await;
    let path = t.general_path(&anna, &gallery).await;

    let form = t.browse(&path, None).await;
    assert_page(&form, 401);
    assert!(html(&form).contains(&format!("action=\"{path}/unlock\"")));
    assert!(!html(&form).contains("data-photo"));

    let wrong = t
        .post_form(
            &format!("{path}/unlock"),
            &[("password", "open says me")],
            None,
        )
        .await;
    assert_page(&wrong, 401);
    assert!(html(&wrong).contains("That password is not right"));

    let right = t
        .post_form(
            &format!("{path}/unlock"),
            &[("password", "open sesame")],
            None,
        )
        .await;
    assert_eq!(right.status, 303, "{right:?}");
    assert_eq!(header(&right, "location"), path);
    let (pair, attributes) = cookie(&right);
    assert!(pair.starts_with("ps_link="), "{pair}");
    for attribute in [
        &format!("Path={path}"),
        "HttpOnly",
        "SameSite=Lax",
        "Secure",
    ] {
        assert!(
            attributes.contains(attribute),
            "{attribute} in {attributes}"
        );
    }
    let opened = t.browse(&path, Some(&pair)).await;
    assert_page(&opened, 200);
    assert_eq!(html(&opened).matches("class=\"cell\"").count(), 2);
    // The same cookie is the link's session for the script's JSON calls too.
    let favourites = t
        .call_with_headers(
            "GET",
            &format!("{path}/downloads"),
            None,
            &[("cookie", &pair)],
            None,
        )
        .await;
    assert_error(&favourites, 403, "email_required");

    // Another link's cookie opens nothing here, and a new password ends the cookie's session.
    let other = t.create_gallery(&anna, "Other").await;
    t.set_general(&anna, &other, json!({ "password": "open sesame" }))
        .await;
    let other_path = t.general_path(&anna, &other).await;
    assert_page(&t.browse(&other_path, Some(&pair)).await, 401);
    t.set_general(&anna, &gallery, json!({ "password": "new one" }))
        .await;
    assert_page(&t.browse(&path, Some(&pair)).await, 401);
}

#[tokio::test]
async fn guessing_too_fast_says_to_wait_and_other_sites_cannot_post_the_forms() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Private party").await;
    t.set_general(&anna, &gallery, json!({ "password": "open sesame" }))
        .await;
    let path = t.general_path(&anna, &gallery).await;
    let unlock = format!("{path}/unlock");
    let mut last = None;
    for _ in 0..12 {
        last = Some(t.post_form(&unlock, &[("password", "guess")], None).await);
    }
    let throttled = last.unwrap();
    assert_page(&throttled, 429);
    assert!(
        html(&throttled).contains("Too many tries. Wait"),
        "{throttled:?}"
    );
    assert!(throttled.headers.contains_key("retry-after"));

    let cross_site = t
        .call_with_headers(
            "POST",
            &unlock,
            None,
            &[
                ("content-type", "application/x-www-form-urlencoded"),
                ("sec-fetch-site", "cross-site"),
                ("accept", BROWSER_ACCEPT),
            ],
            None,
        )
        .await;
    assert_eq!(cross_site.status, 403, "{cross_site:?}");
}

#[tokio::test]
async fn a_revoked_or_unknown_link_is_a_page_saying_it_no_longer_works() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let shared = t
        .create_private_access(&anna, &gallery, json!({ "email": unique_email("ben") }))
        .await;
    assert_eq!(shared.status, 201, "{shared:?}");
    let path = client_path(shared.json["link"].as_str().unwrap());
    assert_page(&t.browse(&path, None).await, 200);
    let grant = shared.json["grant_id"].as_str().unwrap();
    assert_eq!(
        t.delete_private_access(&anna, &gallery, grant).await.status,
        204
    );

    for gone in [
        path.clone(),
        format!("/g/{}", "A".repeat(64)),
        "/nowhere".into(),
    ] {
        let page = t.browse(&gone, None).await;
        assert_page(&page, 404);
        assert!(html(&page).contains("This link no longer works"), "{gone}");
    }
    // API clients still get the JSON error.
    assert_error(&t.view_gallery(&path, None).await, 404, "not_found");
}

#[tokio::test]
async fn assets_are_named_by_their_hash_and_cached_for_good() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let page = t.browse(&t.general_path(&anna, &gallery).await, None).await;
    let text = html(&page);
    let linked: Vec<&str> = text
        .split("=\"/static/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    assert_eq!(linked.len(), 3, "icon, CSS and script: {linked:?}");
    for name in linked {
        let asset = t.static_asset(&format!("/static/{name}")).await;
        assert_eq!(asset.status, 200, "{name}");
        assert_eq!(
            header(&asset, "cache-control"),
            "public, max-age=31536000, immutable"
        );
        let kind = header(&asset, "content-type");
        let expected = match name.rsplit('.').next() {
            Some("css") => "text/css; charset=utf-8",
            Some("js") => "text/javascript; charset=utf-8",
            _ => "image/svg+xml",
        };
        assert_eq!(kind, expected, "{name}");
    }
    let stale = t.static_asset("/static/app.000000000000.css").await;
    assert_error(&stale, 404, "not_found");
}

/// Anna's "Smith wedding" (two photos) released to Carol's login; "Not for Carol" is not.
struct CarolsLogin {
    t: TestApp,
    anna: Photographer,
    login: String,
    code: String,
    /// Anna's login page, `/p/{slug}`.
    page_path: String,
}

async fn carols_login() -> CarolsLogin {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let wedding = t.create_gallery(&anna, "Smith wedding").await;
    t.seed_ready_photos(&anna, &wedding, 2).await;
    t.create_gallery(&anna, "Not for Carol").await;
    let (login, code) = t.new_client_login(&anna, "Carol", None).await;
    assert_eq!(
        t.release_gallery(&anna, &login, &wedding, None)
            .await
            .status,
        201
    );
    let page_path = format!("/p/{}", anna.slug);
    CarolsLogin {
        t,
        anna,
        login,
        code,
        page_path,
    }
}

/// Logs in on the page with `code`; the session cookie's `name=value`.
async fn logged_in(t: &TestApp, page_path: &str, code: &str) -> String {
    let reply = t
        .post_form(
            &format!("{page_path}/login"),
            &[("access_code", code)],
            None,
        )
        .await;
    assert_eq!(reply.status, 303, "{reply:?}");
    cookie(&reply).0
}

#[tokio::test]
async fn the_login_page_logs_in_with_a_cookie_whichever_way_the_code_is_typed() {
    let CarolsLogin { t, anna, code, .. } = carols_login().await;
    let page_path = format!("/p/{}", anna.slug);
    let form = t.login_page(&anna.slug, None).await;
    assert_page(&form, 200);
    assert!(html(&form).contains("<h1>Anna Lee</h1>"));
    assert!(html(&form).contains(&format!("action=\"{page_path}/login\"")));

    let wrong = t
        .post_form(
            &format!("{page_path}/login"),
            &[("access_code", "NOPE-NOPE-NOPE")],
            None,
        )
        .await;
    assert_page(&wrong, 401);
    assert!(html(&wrong).contains("open anything here"), "{wrong:?}");

    // Typed as a person would: lower case, spaces instead of dashes.
    let typed = code.to_lowercase().replace('-', " ");
    let right = t
        .post_form(
            &format!("{page_path}/login"),
            &[("access_code", &typed)],
            None,
        )
        .await;
    assert_eq!(right.status, 303, "{right:?}");
    assert_eq!(header(&right, "location"), page_path);
    let (pair, attributes) = cookie(&right);
    assert!(pair.starts_with("ps_login="), "{pair}");
    assert!(
        attributes.contains(&format!("Path={page_path}")),
        "{attributes}"
    );
}

#[tokio::test]
async fn the_logged_in_page_lists_only_the_released_galleries() {
    let CarolsLogin {
        t,
        anna,
        code,
        page_path,
        ..
    } = carols_login().await;
    let pair = logged_in(&t, &page_path, &code).await;
    let overview = t.login_page(&anna.slug, Some(&pair)).await;
    assert_page(&overview, 200);
    let text = html(&overview);
    assert!(text.contains("Hello, Carol"), "{text}");
    assert!(
        text.contains("Smith wedding") && text.contains("2 photos"),
        "{text}"
    );
    assert!(!text.contains("Not for Carol"));
}

#[tokio::test]
async fn logging_out_makes_the_browser_forget_the_session_and_only_from_the_page_itself() {
    let CarolsLogin {
        t,
        anna,
        code,
        page_path,
        ..
    } = carols_login().await;
    let pair = logged_in(&t, &page_path, &code).await;
    let overview = t.login_page(&anna.slug, Some(&pair)).await;
    let text = html(&overview);
    // "Log out" makes the browser forget the session, and the page shows the form again.
    assert!(
        text.contains(&format!("action=\"{page_path}/logout\"")),
        "{text}"
    );
    let out = t
        .post_form(&format!("{page_path}/logout"), &[], Some(&pair))
        .await;
    assert_eq!(out.status, 303, "{out:?}");
    assert_eq!(header(&out, "location"), page_path);
    let (cleared, attributes) = cookie(&out);
    assert_eq!(cleared, "ps_login=");
    assert!(attributes.contains("Max-Age=0") && attributes.contains(&format!("Path={page_path}")));
    let elsewhere = t
        .call_with_headers(
            "POST",
            &format!("{page_path}/logout"),
            None,
            &[
                ("content-type", "application/x-www-form-urlencoded"),
                ("sec-fetch-site", "cross-site"),
            ],
            None,
        )
        .await;
    assert_eq!(elsewhere.status, 403, "another site can't log a client out");
}

#[tokio::test]
async fn a_login_cookie_opens_no_other_page_and_nothing_once_its_login_is_deleted() {
    let CarolsLogin {
        t,
        anna,
        login,
        code,
        page_path,
    } = carols_login().await;
    let pair = logged_in(&t, &page_path, &code).await;
    // Another photographer's page shows its own form, whatever cookie comes along.
    let bea = t.photographer("Bea Studio").await;
    let theirs = t.login_page(&bea.slug, Some(&pair)).await;
    assert_page(&theirs, 200);
    assert!(html(&theirs).contains("<h1>Bea Studio</h1>"));
    // A deleted login's cookie opens nothing.
    assert_eq!(t.delete_client_login(&anna, &login).await.status, 204);
    let after = t.login_page(&anna.slug, Some(&pair)).await;
    assert!(html(&after).contains("access_code"), "{after:?}");
    assert_page(&t.login_page("no-such-page", None).await, 404);
}

#[tokio::test]
async fn a_visitor_who_unlocked_the_general_link_in_a_browser_keeps_the_new_link_unlocked() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Private party").await;
    t.seed_ready_photos(&anna, &gallery, 1).await;
    t.set_general(&anna, &gallery, json!({ "password": "open sesame" }))
        .await;
    let path = t.general_path(&anna, &gallery).await;
    let unlocked = t
        .post_form(
            &format!("{path}/unlock"),
            &[("password", "open sesame")],
            None,
        )
        .await;
    let (pair, _) = cookie(&unlocked);

    // The page's script asks with the link's cookie, as fetch sends it.
    let email = unique_email("eli");
    let identified = t
        .call_with_headers(
            "POST",
            &format!("{path}/identify"),
            None,
            &[("cookie", &pair)],
            Some(json!({ "email": email })),
        )
        .await;
    assert_eq!(identified.status, 201, "{identified:?}");
    let own = client_path(identified.json["link"].as_str().unwrap());
    let (own_pair, attributes) = cookie(&identified);
    assert!(attributes.contains(&format!("Path={own}")), "{attributes}");
    let opened = t.browse(&own, Some(&own_pair)).await;
    assert_page(&opened, 200);
    assert!(html(&opened).contains("class=\"cell\""));
    // Without the cookie the new link asks for the password it copied.
    assert_page(&t.browse(&own, None).await, 401);
}

/// The photographer's look, set through the API, on every page a client sees: their name and a
/// Contact link in the header, their accent and typefaces in the page's one style block (its
/// hash in the CSP), the typefaces served from our own files.
#[tokio::test]
async fn the_photographers_look_reaches_every_client_page_from_our_own_files() {
    let CarolsLogin { t, anna, code, .. } = carols_login().await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    t.seed_ready_photos(&anna, &gallery, 2).await;
    let path = t.general_path(&anna, &gallery).await;
    // Proofsheet's own look: no style block beyond the photos', the sign-in address to write to.
    let plain = t.browse(&path, None).await;
    assert_page(&plain, 200);
    assert!(!html(&plain).contains("--accent"), "{plain:?}");
    assert!(
        html(&plain).contains(&format!("href=\"mailto:{}\"", anna.email())),
        "{plain:?}"
    );

    let look = t
        .update_account(
            &anna,
            json!({ "accent_colour": "#1F5F5B", "font_pairing": "classic",
                    "contact_email": "hello@annalee.example" }),
        )
        .await;
    assert_eq!(look.status, 200, "{look:?}");
    assert_eq!(look.json["accent_colour"], "#1f5f5b");
    assert_eq!(look.json["font_pairing"], "classic");
    assert_eq!(look.json["contact_email"], "hello@annalee.example");

    let gallery_page = t.browse(&path, None).await;
    let login_page = t.login_page(&anna.slug, None).await;
    let cookie = logged_in(&t, &format!("/p/{}", anna.slug), &code).await;
    let overview = t.login_page(&anna.slug, Some(&cookie)).await;
    assert!(html(&overview).contains("Hello, Carol"), "{overview:?}");
    for page in [&gallery_page, &login_page, &overview] {
        assert_page(page, 200);
        let text = html(page);
        assert!(text.contains(":root{--accent:#1f5f5b}"), "{text}");
        assert!(
            text.contains("--font-heading:\"Cormorant Garamond\", Georgia, serif"),
            "{text}"
        );
        // Each typeface file is ours, served as a font and cached for good.
        let fonts: Vec<&str> = text
            .split("src:url(")
            .skip(1)
            .filter_map(|rest| rest.split(')').next())
            .collect();
        assert_eq!(fonts.len(), 3, "{fonts:?}");
        for font in fonts {
            assert!(font.starts_with("/static/"), "{font}");
            let file = t.static_asset(font).await;
            assert_eq!(file.status, 200, "{font}");
            assert_eq!(header(&file, "content-type"), "font/woff2");
        }
        assert!(
            header(page, "content-security-policy").contains("font-src 'self';"),
            "{page:?}"
        );
    }
    for page in [&gallery_page, &overview] {
        let text = html(page);
        assert!(
            text.contains(
                "Anna Lee · <a class=\"contact\" href=\"mailto:hello@annalee.example\">Contact</a>"
            ),
            "{text}"
        );
    }
    // The JSON says the same, for a page of one's own.
    let api = t.view_gallery(&path, None).await;
    assert_eq!(
        api.json["photographer"],
        json!({ "name": "Anna Lee", "contact_email": "hello@annalee.example",
                "accent_colour": "#1f5f5b", "font_pairing": "classic", "logo": null })
    );
}

/// A gallery of sets alone (no photos of its own) still lets its sets' covers in: they come
/// from the bucket, which its CSP names.
#[tokio::test]
async fn a_gallery_of_sets_alone_allows_the_sets_covers() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let wedding = t.create_gallery(&anna, "Smith wedding").await;
    let ceremony = t
        .create_gallery_raw(&anna, json!({ "title": "Ceremony", "parent_id": wedding }))
        .await;
    let ceremony = ceremony.json["id"].as_str().unwrap().to_owned();
    t.ready_photo(&anna, &ceremony).await;
    let on = t
        .update_gallery(
            &anna,
            &wedding,
            json!({ "navigation_to_subgalleries": true }),
        )
        .await;
    assert_eq!(on.status, 200, "{on:?}");
    let page = t.browse(&t.general_path(&anna, &wedding).await, None).await;
    assert_page(&page, 200);
    assert!(html(&page).contains("class=\"set\""), "{page:?}");
    assert!(
        html(&page).contains(&format!("src=\"{}/", t.endpoint)),
        "{page:?}"
    );
    let csp = header(&page, "content-security-policy");
    assert!(
        csp.contains(&format!("img-src 'self' {}", t.endpoint)),
        "{csp}"
    );
}
