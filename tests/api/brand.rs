//! The photographer's brand beyond colour and type: their logo on every client page and email
//! (uploaded, made by ingest, at an address that lasts), and a gallery's event date on its cover.

use image::{Rgba, RgbaImage};
use proofsheet_tests::*;
use serde_json::{Value, json};

fn html(reply: &Reply) -> &str {
    reply
        .json
        .as_str()
        .unwrap_or_else(|| panic!("not a page: {reply:?}"))
}

fn png(image: &RgbaImage) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("encode");
    out.into_inner()
}

/// A 600 × 200 canvas with a dark mark of 400 × 100 in its middle: a designer's export, margin
/// and all.
fn wordmark(colour: [u8; 3]) -> Vec<u8> {
    let [r, g, b] = colour;
    png(&RgbaImage::from_fn(600, 200, |x, y| {
        if (100..500).contains(&x) && (50..150).contains(&y) {
            Rgba([r, g, b, 255])
        } else {
            Rgba([255, 255, 255, 0])
        }
    }))
}

/// Uploads `bytes` as the photographer's brand logo and lets ingest make it; the account after.
async fn upload_brand_logo(t: &TestApp, who: &Photographer, bytes: Vec<u8>) -> Reply {
    let upload = t
        .create_brand_logo_upload(
            who,
            json!({ "content_type": "image/png", "size": bytes.len() }),
        )
        .await;
    assert_eq!(upload.status, 201, "{upload:?}");
    assert!(upload.json.get("photo_id").is_none(), "{upload:?}");
    let put = t.put_upload(&upload.json, bytes).await;
    assert!(put.status().is_success(), "{put:?}");
    t.drain_ingest().await;
    let account = t.get_account(who).await;
    assert_eq!(account.status, 200, "{account:?}");
    account
}

/// The path of a logo URL (`/brand/<name>.png`), checked to be one.
fn logo_path(url: &Value) -> String {
    let url = url.as_str().unwrap_or_else(|| panic!("no logo url: {url}"));
    let path = url
        .strip_prefix(BASE_URL)
        .unwrap_or_else(|| panic!("{url} is not on the public base URL"));
    let name = path
        .strip_prefix("/brand/")
        .and_then(|rest| rest.split_once('/'))
        .and_then(|(_, file)| file.strip_suffix(".png"))
        .unwrap_or_else(|| panic!("{path}"));
    assert_eq!(name.len(), 32, "{name}");
    assert!(
        name.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
        "{name}"
    );
    path.to_owned()
}

#[tokio::test]
async fn a_logo_reaches_every_client_page_and_email_and_its_address_lasts() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    t.seed_ready_photos(&anna, &gallery, 2).await;
    let general = t.general_path(&anna, &gallery).await;
    let before = t.get_account(&anna).await;
    assert_eq!(before.json["logo"], Value::Null, "{before:?}");
    assert_eq!(before.json["logo_refused"], Value::Null, "{before:?}");

    let account = upload_brand_logo(&t, &anna, wordmark([20, 40, 60])).await;
    assert_eq!(account.json["logo_refused"], Value::Null, "{account:?}");
    // The margin trimmed: the mark alone, at its own size (under the 800 × 200 box).
    assert_eq!(account.json["logo"]["width"], 400, "{account:?}");
    assert_eq!(account.json["logo"]["height"], 100, "{account:?}");
    let first = logo_path(&account.json["logo"]["url"]);

    // Served from our origin as a PNG, cached for good; the stored file is the mark, re-made.
    let served = t.call("GET", &first, None, None).await;
    assert_eq!(served.status, 200, "{served:?}");
    assert_eq!(served.header("content-type"), Some("image/png"));
    assert_eq!(
        served.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    let stored = t
        .object(&first[1..])
        .await
        .expect("the logo is stored under brand/");
    let logo = image::load_from_memory(&stored).unwrap().into_rgba8();
    assert_eq!(logo.dimensions(), (400, 100));
    assert_eq!(logo.get_pixel(200, 50).0, [20, 40, 60, 255]);

    // The gallery's JSON and page: the logo where the name was, the name its alt text.
    let view = t.view_gallery(&general, None).await;
    assert_eq!(
        view.json["photographer"]["logo"]["url"],
        account.json["logo"]["url"]
    );
    let page = t.browse(&general, None).await;
    assert_eq!(page.status, 200, "{page:?}");
    let tag = format!(r#"<img class="logo" src="{first}" width="160" height="40" alt="Anna Lee">"#);
    assert!(html(&page).contains(&tag), "{tag} not in {}", html(&page));
    let login_page = t.login_page(&anna.slug, None).await;
    assert!(
        html(&login_page).contains(&format!(r#"src="{first}""#)),
        "{login_page:?}"
    );

    // An invitation carries it at its whole address, in the email's size.
    let carol = unique_email("carol");
    t.invite(&anna, &gallery, json!({ "email": carol })).await;
    let mails = t.emails_to(&carol).await;
    let body = mails[0]["body"].as_str().unwrap_or_default();
    let emailed = format!(r#"<img src="{BASE_URL}{first}" width="192" height="48" alt="Anna Lee""#);
    assert!(body.contains(&emailed), "{emailed} not in {body}");

    // A new logo is a new file; the old one still answers, for the emails already sent.
    let account = upload_brand_logo(&t, &anna, wordmark([120, 20, 20])).await;
    let second = logo_path(&account.json["logo"]["url"]);
    assert_ne!(second, first);
    assert_eq!(t.call("GET", &first, None, None).await.status, 200);
    let page = t.browse(&general, None).await;
    assert!(html(&page).contains(&second), "{page:?}");

    // Removed: the name again, on pages and in emails; the files stay. An upload still on its
    // way to ingest goes too: its late event brings no logo back.
    let late = wordmark([200, 20, 20]);
    let upload = t
        .create_brand_logo_upload(
            &anna,
            json!({ "content_type": "image/png", "size": late.len() }),
        )
        .await;
    assert!(t.put_upload(&upload.json, late).await.status().is_success());
    let removed = t.remove_brand_logo(&anna).await;
    assert_eq!(removed.status, 204, "{removed:?}");
    t.drain_ingest().await;
    assert_eq!(t.get_account(&anna).await.json["logo"], Value::Null);
    let page = t.browse(&general, None).await;
    assert!(!html(&page).contains("/brand/"), "{page:?}");
    assert!(html(&page).contains("Anna Lee ·"), "{page:?}");
    assert_eq!(t.call("GET", &second, None, None).await.status, 200);
    let dave = unique_email("dave");
    t.invite(&anna, &gallery, json!({ "email": dave })).await;
    let body = t.emails_to(&dave).await[0]["body"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(!body.contains("<img"), "{body}");
}

#[tokio::test]
async fn a_file_that_cannot_be_a_logo_is_refused_with_why_and_the_logo_shown_stays() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let shown = upload_brand_logo(&t, &anna, wordmark([20, 40, 60])).await;
    let shown_url = shown.json["logo"]["url"].clone();
    assert!(shown_url.is_string(), "{shown:?}");

    // Announced as a PNG, sent as a JPEG.
    let jpeg = jpeg(64, 48);
    let refused = upload_brand_logo(&t, &anna, jpeg).await;
    let why = refused.json["logo_refused"].as_str().unwrap_or_default();
    assert!(why.contains("not a PNG"), "{refused:?}");
    assert_eq!(refused.json["logo"]["url"], shown_url, "{refused:?}");

    // Nothing to see: refused too, with its own reason.
    let blank = png(&RgbaImage::from_pixel(40, 40, Rgba([0, 0, 0, 0])));
    let refused = upload_brand_logo(&t, &anna, blank).await;
    let why = refused.json["logo_refused"].as_str().unwrap_or_default();
    assert!(why.contains("fully transparent"), "{refused:?}");

    // Starting another upload forgets the last refusal: it was about another file.
    let started = t
        .create_brand_logo_upload(&anna, json!({ "content_type": "image/png", "size": 100 }))
        .await;
    assert_eq!(started.status, 201, "{started:?}");
    assert_eq!(t.get_account(&anna).await.json["logo_refused"], Value::Null);

    // What can't be a logo is refused before any upload.
    for body in [
        json!({ "content_type": "image/jpeg", "size": 100 }),
        json!({ "content_type": "image/png", "size": 3 * 1024 * 1024 }),
        json!({ "content_type": "image/png" }),
    ] {
        let reply = t.create_brand_logo_upload(&anna, body.clone()).await;
        assert!(
            reply.status == 400 || reply.status == 422,
            "{body}: {reply:?}"
        );
    }
}

#[tokio::test]
async fn only_a_logo_files_own_name_is_served() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let logo = upload_brand_logo(&t, &anna, wordmark([20, 40, 60])).await;
    let real = logo_path(&logo.json["logo"]["url"]);
    let (_, owner, file) = {
        let mut parts = real.trim_start_matches('/').splitn(3, '/');
        (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        )
    };
    assert_eq!(t.call("GET", &real, None, None).await.status, 200);
    let bob = t.photographer("Bob Ray").await;
    let bobs = bob.photographer_id().to_string();
    for path in [
        // Another photographer's name for the same file.
        format!("/brand/{bobs}/{file}"),
        format!("/brand/{owner}/0123456789abcdef0123456789abcdef.png"),
        format!(
            "/brand/{owner}/{}",
            file.to_uppercase().replace(".PNG", ".png")
        ),
        format!("/brand/{owner}/{}", file.trim_end_matches(".png")),
        format!("/brand/{owner}/..%2F..%2Flogos%2F{owner}.png"),
        format!("/brand/not-an-id/{file}"),
        "/brand/x.png".to_owned(),
    ] {
        let reply = t.call("GET", &path, None, None).await;
        assert_eq!(reply.status, 404, "{path}: {reply:?}");
    }
}

#[tokio::test]
async fn the_event_date_is_checked_kept_and_said_on_the_cover() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    t.seed_ready_photos(&anna, &gallery, 2).await;
    let general = t.general_path(&anna, &gallery).await;
    assert_eq!(
        t.get_gallery(&anna, &gallery).await.json["event_date"],
        Value::Null
    );
    let page = t.browse(&general, None).await;
    assert!(!html(&page).contains("cover-date"), "{page:?}");

    for bad in ["2026-02-30", "14/06/2026", "2026-6-14", "2100-01-01"] {
        let reply = t
            .update_gallery(&anna, &gallery, json!({ "event_date": bad }))
            .await;
        assert_invalid(&reply, "event_date");
    }
    let set = t
        .update_gallery(&anna, &gallery, json!({ "event_date": "2026-06-14" }))
        .await;
    assert_eq!(set.status, 200, "{set:?}");
    assert_eq!(set.json["event_date"], "2026-06-14");
    let view = t.view_gallery(&general, None).await;
    assert_eq!(view.json["event_date"], "2026-06-14");
    let page = t.browse(&general, None).await;
    assert!(
        html(&page).contains(r#"<time datetime="2026-06-14">14 June 2026</time>"#),
        "{}",
        html(&page)
    );

    // A sub-gallery takes its parent's day unless given its own.
    let child = t
        .create_gallery_raw(&anna, json!({ "title": "Ceremony", "parent_id": gallery }))
        .await;
    assert_eq!(child.status, 201, "{child:?}");
    assert_eq!(child.json["event_date"], "2026-06-14");
    let own = t
        .create_gallery_raw(
            &anna,
            json!({ "title": "Party", "parent_id": gallery, "event_date": "2026-06-15" }),
        )
        .await;
    assert_eq!(own.json["event_date"], "2026-06-15", "{own:?}");
    let refused = t
        .create_gallery_raw(&anna, json!({ "title": "X", "event_date": "soon" }))
        .await;
    assert_invalid(&refused, "event_date");

    let cleared = t
        .update_gallery(&anna, &gallery, json!({ "event_date": null }))
        .await;
    assert_eq!(cleared.json["event_date"], Value::Null, "{cleared:?}");
    let page = t.browse(&general, None).await;
    assert!(!html(&page).contains("cover-date"), "{page:?}");
}

/// A password form, a wrong code and a closed gallery stand on the photographer's page, in their
/// look; an address that names nobody says nothing of anyone.
#[tokio::test]
async fn a_refusal_in_the_way_of_a_gallery_shows_whose_it_is() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let account = upload_brand_logo(&t, &anna, wordmark([20, 40, 60])).await;
    let logo = logo_path(&account.json["logo"]["url"]);
    let look = t
        .update_account(&anna, json!({ "accent_colour": "#1f5f5b" }))
        .await;
    assert_eq!(look.status, 200, "{look:?}");
    let locked = t.create_gallery(&anna, "Smith wedding").await;
    t.set_general(&anna, &locked, json!({ "password": "open sesame" }))
        .await;
    let locked = t.general_path(&anna, &locked).await;
    let closed = t.create_gallery(&anna, "Last year").await;
    let shut = t
        .update_gallery(
            &anna,
            &closed,
            json!({ "expires_at": "2020-01-01T00:00:00Z" }),
        )
        .await;
    assert_eq!(shut.status, 200, "{shut:?}");
    let closed = t.general_path(&anna, &closed).await;

    let form = t.browse(&locked, None).await;
    assert_eq!(form.status, 401, "{form:?}");
    let wrong_password = t
        .post_form(&format!("{locked}/unlock"), &[("password", "nope")], None)
        .await;
    assert_eq!(wrong_password.status, 401, "{wrong_password:?}");
    let wrong_code = t
        .post_form(
            &format!("/p/{}/login", anna.slug),
            &[("access_code", "WRONG-CODE-1")],
            None,
        )
        .await;
    assert_eq!(wrong_code.status, 401, "{wrong_code:?}");
    let expired = t.browse(&closed, None).await;
    assert_eq!(expired.status, 410, "{expired:?}");
    assert!(html(&expired).contains("has expired"), "{expired:?}");
    for page in [&form, &wrong_password, &wrong_code, &expired] {
        let text = html(page);
        assert!(text.contains(&format!(r#"src="{logo}""#)), "{text}");
        assert!(text.contains(r#"alt="Anna Lee""#), "{text}");
        assert!(text.contains(":root{--accent:#1f5f5b}"), "{text}");
        let csp = page.header("content-security-policy").unwrap();
        assert!(
            csp.contains("style-src 'self' 'sha256-"),
            "the style block is allowed by its hash: {csp}"
        );
    }

    // Anyone holding the link sees the password form: it names the photographer, never the
    // address they sign in with.
    for page in [&form, &wrong_password] {
        assert!(!html(page).contains(&anna.email()), "{page:?}");
        assert!(!html(page).contains("mailto:"), "{page:?}");
    }

    // A link that names nobody: Proofsheet's own page, nobody's name.
    let forged = format!("{}x", &locked[..locked.len() - 1]);
    let nobody = t.browse(&forged, None).await;
    assert_eq!(nobody.status, 404, "{nobody:?}");
    assert!(!html(&nobody).contains("Anna Lee"), "{nobody:?}");
    assert!(!html(&nobody).contains("/brand/"), "{nobody:?}");
}
