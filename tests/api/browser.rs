//! End to end in Debian's Chromium (headless, through WebDriver): what clients do after clicking
//! a link in an email, on the pages the routes serve, scripts and styles included. Each scenario
//! checks the console (no script error, no CSP violation) and runs axe-core on every page, and
//! saves screenshots of the pages the README shows (`target/e2e/screenshots/`).

use fantoccini::Client;
use fantoccini::key::Key;
use proofsheet_tests::browser::*;
use proofsheet_tests::*;
use serde_json::json;

async fn cells(c: &Client) -> u64 {
    eval(
        c,
        "document.querySelectorAll('#grid .cell:not(.filtered-out)').length",
    )
    .await
    .as_u64()
    .unwrap()
}

async fn check_page(c: &Client, page: &str) {
    assert_no_console_errors(c, page).await;
    assert_accessible(c, page).await;
}

async fn press(c: &Client, key: Key) {
    c.active_element()
        .await
        .expect("a focused element")
        .send_keys(&key.to_string())
        .await
        .expect("a key press");
}

#[tokio::test]
async fn a_client_opens_the_emailed_link_unlocks_it_pages_through_and_uses_the_lightbox() {
    let s = Served::spawn().await;
    let anna = s.t.photographer("Anna Lee").await;
    let gallery = s.t.create_gallery(&anna, "Smith wedding").await;
    for _ in 0..6 {
        s.t.ready_photo(&anna, &gallery).await;
    }
    let email = unique_email("ben");
    let shared =
        s.t.create_private_access(
            &anna,
            &gallery,
            json!({ "email": email, "name": "Ben", "password": "rings and roses" }),
        )
        .await;
    assert_eq!(shared.status, 201, "{shared:?}");
    let link = &s.emailed_link(&email, "g").await;

    in_browser("unlock_and_lightbox", Device::Desktop, |c| async move {
        // Four to a page here, so the scroll has a second page to fetch.
        c.goto(&format!("{link}?limit=4")).await.unwrap();
        element(&c, "input#password").await;
        check_page(&c, "password form").await;
        screenshot(&c, "password-desktop").await;

        let field = element(&c, "input#password").await;
        field.send_keys("rings and ruses").await.unwrap();
        element(&c, "button[type=submit]")
            .await
            .click()
            .await
            .unwrap();
        let problem = element(&c, "#problem").await.text().await.unwrap();
        assert!(problem.contains("not right"), "{problem}");
        element(&c, "input#password")
            .await
            .send_keys("rings and roses")
            .await
            .unwrap();
        element(&c, "button[type=submit]")
            .await
            .click()
            .await
            .unwrap();
        element(&c, "#grid .cell .actions").await;
        assert_eq!(c.current_url().await.unwrap().as_str(), link.as_str());

        // The first page is in the HTML; the rest arrive as the end of the grid comes near.
        until(
            &c,
            "all six photos",
            "document.querySelectorAll('#grid .cell').length === 6",
        )
        .await;
        until(
            &c,
            "thumbnails loaded",
            "[...document.querySelectorAll('#grid img')].every((i) => i.complete && i.naturalWidth > 0)",
        )
        .await;
        check_page(&c, "gallery").await;
        screenshot(&c, "gallery-desktop").await;

        element(&c, "#grid .cell .thumb")
            .await
            .click()
            .await
            .unwrap();
        until(
            &c,
            "the lightbox open",
            "document.querySelector('dialog.lightbox').open",
        )
        .await;
        until(
            &c,
            "the preview shown",
            "document.querySelector('dialog.lightbox img').naturalWidth > 0",
        )
        .await;
        let position = element(&c, ".lightbox .position").await;
        assert_eq!(position.text().await.unwrap(), "1 / 6");
        // The next photo is fetched while this one is looked at.
        until(
            &c,
            "the next photo preloaded",
            "performance.getEntriesByType('resource').some((e) =>
               e.name === document.querySelectorAll('#grid .thumb')[1].href && e.responseEnd > 0)",
        )
        .await;
        press(&c, Key::Right).await;
        until(
            &c,
            "the second photo",
            "document.querySelector('.lightbox .position').textContent === '2 / 6'",
        )
        .await;
        press(&c, Key::Left).await;
        until(
            &c,
            "back to the first",
            "document.querySelector('.lightbox .position').textContent === '1 / 6'",
        )
        .await;
        check_page(&c, "lightbox").await;
        screenshot(&c, "lightbox-desktop").await;
        // Full screen, and back.
        element(&c, ".lightbox .full").await.click().await.unwrap();
        until(
            &c,
            "the lightbox in full screen",
            "document.fullscreenElement === document.querySelector('dialog.lightbox .stage')
             && document.querySelector('.lightbox .full').getAttribute('aria-pressed') === 'true'",
        )
        .await;
        element(&c, ".lightbox .full").await.click().await.unwrap();
        until(&c, "full screen left", "document.fullscreenElement === null").await;
        assert!(eval(&c, "document.querySelector('dialog.lightbox').open").await == true);
        press(&c, Key::Escape).await;
        until(
            &c,
            "the lightbox closed",
            "!document.querySelector('dialog.lightbox').open",
        )
        .await;
    })
    .await;

    // On a phone: the same form and grid, and the lightbox follows a swipe.
    in_browser("unlock_and_swipe", Device::Phone, |c| async move {
        c.goto(link).await.unwrap();
        element(&c, "input#password").await;
        assert_fits_the_width(&c, "password form").await;
        screenshot(&c, "password-phone").await;
        element(&c, "input#password")
            .await
            .send_keys("rings and roses")
            .await
            .unwrap();
        element(&c, "button[type=submit]").await.click().await.unwrap();
        until(&c, "the first page", "document.querySelectorAll('#grid .cell').length === 6").await;
        until(&c, "the script ready", "document.getElementById('gallery').dataset.ready === 'true'").await;
        until(&c, "thumbnails loaded", "[...document.querySelectorAll('#grid img')].every((i) => i.complete && i.naturalWidth > 0)").await;
        assert_fits_the_width(&c, "gallery").await;
        element(&c, "#grid .cell .thumb").await.click().await.unwrap();
        until(&c, "the preview shown", "document.querySelector('dialog.lightbox img').naturalWidth > 0").await;
        swipe(&c, 300.0, 60.0, 400.0).await;
        until(&c, "the next photo", "document.querySelector('.lightbox .position').textContent === '2 / 6'").await;
        swipe(&c, 60.0, 300.0, 400.0).await;
        until(&c, "the photo before", "document.querySelector('.lightbox .position').textContent === '1 / 6'").await;
        screenshot(&c, "lightbox-phone").await;
        check_page(&c, "lightbox on a phone").await;
    })
    .await;

    // The photographer revokes the link: the same page now says it no longer works.
    let grant = shared.json["grant_id"].as_str().unwrap();
    assert_eq!(
        s.t.delete_private_access(&anna, &gallery, grant)
            .await
            .status,
        204
    );
    in_browser("revoked", Device::Narrow, |c| async move {
        c.goto(link).await.unwrap();
        let heading = element(&c, "h1").await.text().await.unwrap();
        assert_eq!(heading, "This link no longer works");
        assert_fits_the_width(&c, "revoked").await;
        assert_accessible(&c, "revoked").await;
    })
    .await;
}

#[tokio::test]
async fn a_client_hearts_photos_and_downloads_up_to_the_limit_then_follows_the_zip_link() {
    let s = Served::spawn().await;
    let anna = s.t.photographer("Anna Lee").await;
    let gallery = s.t.create_gallery(&anna, "Garden party").await;
    let mut photos = Vec::new();
    for _ in 0..3 {
        photos.push(s.t.ready_photo(&anna, &gallery).await);
    }
    let email = unique_email("cleo");
    let shared =
        s.t.create_private_access(
            &anna,
            &gallery,
            json!({ "email": email, "downloads_enabled": true, "download_limit": 2,
                    "download_resolutions": ["web", "high"] }),
        )
        .await;
    assert_eq!(shared.status, 201, "{shared:?}");
    let link = &shared.json["link"].as_str().unwrap().to_owned();
    let path = s.path_of(link);
    let s = &s;
    let t = &s.t;

    in_browser("favourites_and_downloads", Device::Desktop, |c| async move {
        c.goto(link).await.unwrap();
        until(&c, "the script ready", "document.getElementById('gallery').dataset.ready === 'true'").await;
        let first = format!("#grid .cell[data-photo='{}']", photos[0]);
        element(&c, &format!("{first} .heart")).await.click().await.unwrap();
        until(&c, "the heart on", &format!("document.querySelector(\"{first} .heart\").getAttribute('aria-pressed') === 'true'")).await;
        let favourites = t.call("GET", &format!("{path}/favourites"), None, None).await;
        assert_eq!(favourites.json["lists"][0]["photo_ids"], json!([photos[0]]), "{favourites:?}");
        element(&c, ".only-favourites").await.click().await.unwrap();
        until(&c, "only the favourite shown", "document.querySelectorAll('#grid .cell:not(.filtered-out)').length === 1").await;
        assert_eq!(cells(&c).await, 1);
        element(&c, ".only-favourites").await.click().await.unwrap();

        // A second list: the hearts now fill it, the first keeps its photo.
        element(&c, ".new-list").await.click().await.unwrap();
        c.send_alert_text("Ceremony picks").await.unwrap();
        c.accept_alert().await.unwrap();
        until(&c, "the new list chosen", "document.querySelector('.list-picker').value === 'Ceremony picks'").await;
        until(&c, "its hearts empty", &format!("document.querySelector(\"{first} .heart\").getAttribute('aria-pressed') === 'false'")).await;
        let second = format!("#grid .cell[data-photo='{}'] .heart", photos[1]);
        element(&c, &second).await.click().await.unwrap();
        until(&c, "the heart on", &format!("document.querySelector(\"{second}\").getAttribute('aria-pressed') === 'true'")).await;
        let favourites = t.call("GET", &format!("{path}/favourites"), None, None).await;
        let lists: Vec<(String, Vec<String>)> = favourites.json["lists"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| (l["name"].as_str().unwrap().to_owned(), serde_json::from_value(l["photo_ids"].clone()).unwrap()))
            .collect();
        assert!(lists.contains(&("Ceremony picks".to_owned(), vec![photos[1].clone()])), "{lists:?}");
        assert!(lists.iter().any(|(_, ids)| ids == &vec![photos[0].clone()]), "{lists:?}");

        // Three photos chosen, two allowed: the tray says so and sends nothing.
        for photo in &photos {
            let icon = format!("#grid .cell[data-photo='{photo}'] .download");
            element(&c, &icon).await.click().await.unwrap();
            until(&c, "selected", &format!("document.querySelector(\"{icon}\").getAttribute('aria-pressed') === 'true'")).await;
        }
        element(&c, ".open-tray").await.click().await.unwrap();
        until(&c, "the tray open", "document.querySelector('dialog.panel').open").await;
        let usage = element(&c, ".panel .usage").await.text().await.unwrap();
        assert_eq!(usage, "0 / 2 downloaded · 2 left");
        check_page(&c, "download tray").await;
        screenshot(&c, "tray-desktop").await;
        element(&c, ".panel .request").await.click().await.unwrap();
        until(&c, "the limit explained", "document.querySelector('.panel .status').textContent.includes('2 photos left')").await;

        // One out; the two left are prepared, and the link to the zip appears.
        let remove = format!(".tray-list li[data-photo='{}'] .remove", photos[2]);
        element(&c, &remove).await.click().await.unwrap();
        until(&c, "two in the tray", "document.querySelectorAll('.tray-list li').length === 2").await;
        c.execute("document.getElementById('resolution').value = 'high'; return true;", vec![]).await.unwrap();
        element(&c, ".panel .request").await.click().await.unwrap();
        until(&c, "the zip on its way", "document.querySelector('.panel .status').textContent.includes(\"We're preparing your zip\")").await;
        assert_eq!(t.drain_downloads().await, 1);
        let zip_link = element(&c, ".panel .zip-link").await;
        let href = zip_link.attr("href").await.unwrap().expect("the zip's link");
        let usage = element(&c, ".panel .usage").await.text().await.unwrap();
        assert_eq!(usage, "2 / 2 downloaded · 0 left");
        let downloaded = eval(&c, "document.querySelectorAll('.tray-list .badge').length").await;
        assert_eq!(downloaded, 2);
        let removable = eval(&c, "document.querySelectorAll('.tray-list .remove').length").await;
        assert_eq!(removable, 0, "downloaded photos can't be removed");
        check_page(&c, "download ready").await;

        // The link the page shows is the one emailed, and it opens the zip.
        let (opened, zip) = t.fetch_zip(&format!("{BASE_URL}{}", s.path_of(&href))).await;
        assert_eq!(opened.status, 302, "{opened:?}");
        let zip = zip.expect("the zip");
        assert_eq!(&zip[..2], b"PK");
    })
    .await;

    in_browser("tray_on_a_phone", Device::Phone, |c| async move {
        c.goto(link).await.unwrap();
        until(
            &c,
            "the script ready",
            "document.getElementById('gallery').dataset.ready === 'true'",
        )
        .await;
        element(&c, ".open-tray").await.click().await.unwrap();
        until(
            &c,
            "the tray open",
            "document.querySelector('dialog.panel').open",
        )
        .await;
        let badges = eval(&c, "document.querySelectorAll('.tray-list .badge').length").await;
        assert_eq!(badges, 2, "the downloaded photos stay in the tray");
        assert_fits_the_width(&c, "tray").await;
        check_page(&c, "tray on a phone").await;
        screenshot(&c, "tray-phone").await;
    })
    .await;
}

#[tokio::test]
async fn a_visitor_of_the_general_link_gives_an_email_and_carries_on_with_their_own_link() {
    let s = Served::spawn().await;
    let anna = s.t.photographer("Anna Lee").await;
    let gallery = s.t.create_gallery(&anna, "School play").await;
    let photo = s.t.ready_photo(&anna, &gallery).await;
    s.t.ready_photo(&anna, &gallery).await;
    let general = s.t.get_general_access(&anna, &gallery).await.json["link"]
        .as_str()
        .unwrap()
        .to_owned();
    let invited = unique_email("dana");
    let shared =
        s.t.create_private_access(&anna, &gallery, json!({ "email": invited }))
            .await;
    assert_eq!(shared.status, 201);
    let visitor = unique_email("eli");
    let s = &s;

    in_browser("identify", Device::Phone, |c| async move {
        c.goto(&general).await.unwrap();
        until(
            &c,
            "the script ready",
            "document.getElementById('gallery').dataset.ready === 'true'",
        )
        .await;
        // On a touch screen the heart is there without hovering.
        let heart = format!("#grid .cell[data-photo='{photo}'] .heart");
        let shown = eval(
            &c,
            &format!("getComputedStyle(document.querySelector(\"{heart}\").parentElement).opacity"),
        )
        .await;
        assert_eq!(shown, "1");
        check_page(&c, "general gallery").await;
        screenshot(&c, "gallery-phone").await;

        // An address the photographer already invited: the link goes to that inbox, not here.
        element(&c, &heart).await.click().await.unwrap();
        element(&c, "#identify-email")
            .await
            .send_keys(&invited)
            .await
            .unwrap();
        element(&c, "dialog[open] button[type=submit]")
            .await
            .click()
            .await
            .unwrap();
        until(
            &c,
            "check your email",
            "document.querySelector('#identify-title').textContent === 'Check your email'",
        )
        .await;
        assert_eq!(c.current_url().await.unwrap().as_str(), general);
        c.refresh().await.unwrap();
        until(
            &c,
            "the script ready",
            "document.getElementById('gallery').dataset.ready === 'true'",
        )
        .await;

        // A new address: the visitor's own link, the heart they tapped kept.
        element(&c, &heart).await.click().await.unwrap();
        element(&c, "#identify-email")
            .await
            .send_keys(&visitor)
            .await
            .unwrap();
        check_page(&c, "email dialog").await;
        element(&c, "dialog[open] button[type=submit]")
            .await
            .click()
            .await
            .unwrap();
        let deadline = tokio::time::Instant::now() + WAIT;
        while c.current_url().await.unwrap().as_str() == general {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the address bar never moved"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let own = c.current_url().await.unwrap().to_string();
        assert_eq!(own, s.emailed_link(&visitor, "g").await);
        until(
            &c,
            "the heart kept",
            &format!("document.querySelector(\"{heart}\").getAttribute('aria-pressed') === 'true'"),
        )
        .await;
        let flash = element(&c, "#flash").await.text().await.unwrap();
        assert!(flash.contains("We emailed it to"), "{flash}");
        check_page(&c, "own link").await;
    })
    .await;
}

#[tokio::test]
async fn a_client_logs_in_with_an_access_code_and_walks_down_and_up_the_sub_galleries() {
    let s = Served::spawn().await;
    let anna = s.t.photographer("Anna Lee").await;
    let wedding = s.t.create_gallery(&anna, "Smith wedding").await;
    s.t.ready_photo(&anna, &wedding).await;
    let ceremony =
        s.t.create_gallery_raw(&anna, json!({ "title": "Ceremony", "parent_id": wedding }))
            .await;
    let ceremony = ceremony.json["id"].as_str().unwrap().to_owned();
    s.t.ready_photo(&anna, &ceremony).await;
    let patched =
        s.t.update_gallery(
            &anna,
            &wedding,
            json!({ "navigation_to_subgalleries": true }),
        )
        .await;
    assert_eq!(patched.status, 200, "{patched:?}");
    let (login, code) = s.t.new_client_login(&anna, "Carol", None).await;
    let released =
        s.t.release_gallery(
            &anna,
            &login,
            &wedding,
            Some(json!({ "include_subgalleries": true })),
        )
        .await;
    assert_eq!(released.status, 201, "{released:?}");
    let page = format!("{}/p/{}", s.base, anna.slug);

    for device in [Device::Desktop, Device::Phone, Device::Narrow] {
        let (page, code) = (page.clone(), code.clone());
        in_browser("login", device, |c| async move {
            c.goto(&page).await.unwrap();
            check_page(&c, "login form").await;
            // Typed as people type codes: lower case, a space for a dash.
            let typed = code.to_lowercase().replacen('-', " ", 1);
            element(&c, "#access_code").await.send_keys(&typed).await.unwrap();
            element(&c, "button[type=submit]").await.click().await.unwrap();
            element(&c, ".cards").await;
            until(&c, "covers loaded", "[...document.images].every((i) => i.complete && i.naturalWidth > 0)").await;
            let titles = eval(&c, "[...document.querySelectorAll('.card-title')].map((e) => e.textContent)").await;
            let mut titles: Vec<String> = serde_json::from_value(titles).unwrap();
            titles.sort();
            assert_eq!(titles, ["Smith wedding", "Smith wedding › Ceremony"]);
            check_page(&c, "overview").await;
            assert_fits_the_width(&c, "overview").await;
            match device {
                Device::Desktop => screenshot(&c, "overview-desktop").await,
                Device::Phone => return screenshot(&c, "overview-phone").await,
                Device::Narrow => {
                    // On a shared phone: log out, and the page asks for the code again.
                    element(&c, ".logout button").await.click().await.unwrap();
                    element(&c, "#access_code").await;
                    c.refresh().await.unwrap();
                    element(&c, "#access_code").await;
                    return;
                }
            }
            c.execute(
                "[...document.querySelectorAll('.card a')].find((a) => a.querySelector('.card-title').textContent === 'Smith wedding').click(); return true;",
                vec![],
            )
            .await
            .unwrap();
            // The sub-gallery is a set above the photos, with its cover (this login's look).
            until(
                &c,
                "the set's cover",
                "(() => { const img = document.querySelector('.sets .set img');
                          return img && img.complete && img.naturalWidth > 0
                            && img.currentSrc.includes('.webp'); })()",
            )
            .await;
            assert_eq!(eval(&c, "document.querySelector('.sets .set-title').textContent").await, "Ceremony");
            element(&c, ".sets .set").await.click().await.unwrap();
            until(&c, "the sub-gallery", "document.querySelector('h1').textContent === 'Ceremony'").await;
            check_page(&c, "sub-gallery").await;
            element(&c, "a.up").await.click().await.unwrap();
            until(&c, "back up", "document.querySelector('h1').textContent === 'Smith wedding'").await;
        })
        .await;
    }
}

/// The measurement the README quotes: what a browser loads for the first paint of a gallery of
/// 100 photos (the first page holds them all). Weights are the bytes as served (no compression
/// in front of the functions); written to `target/e2e/page-weight.json`.
#[tokio::test]
async fn the_first_paint_of_a_100_photo_gallery_needs_the_page_its_stylesheet_and_the_thumbnails_in_view()
 {
    let s = Served::spawn().await;
    let anna = s.t.photographer("Anna Lee").await;
    let gallery = s.t.create_gallery(&anna, "Hundred").await;
    let photos = s.t.seed_ready_photos(&anna, &gallery, 100).await;
    let thumbnail = jpeg(480, 320);
    for photo in &photos {
        put_thumbnails(&s, &gallery, photo, &thumbnail).await;
    }
    let link = s.t.get_general_access(&anna, &gallery).await.json["link"]
        .as_str()
        .unwrap()
        .to_owned();

    in_browser("page_weight", Device::Desktop, |c| async move {
        c.goto(&link).await.unwrap();
        until(&c, "loaded", "document.readyState === 'complete' && document.getElementById('gallery').dataset.ready === 'true'").await;
        let weight = eval(
            &c,
            "(() => {
               const nav = performance.getEntriesByType('navigation')[0];
               const res = performance.getEntriesByType('resource');
               const bytes = (f) => res.filter(f).reduce((n, e) => n + e.encodedBodySize, 0);
               const paint = performance.getEntriesByName('first-contentful-paint')[0];
               return {
                 html_bytes: nav.encodedBodySize,
                 html_uncompressed_bytes: nav.decodedBodySize,
                 css_bytes: bytes((e) => e.name.endsWith('.css')),
                 js_bytes: bytes((e) => e.name.endsWith('.js')),
                 icon_bytes: bytes((e) => e.name.endsWith('.svg')),
                 requests_at_load: 1 + res.length,
                 thumbnails_at_load: res.filter((e) => e.initiatorType === 'img').length,
                 api_calls_at_load: res.filter((e) => e.initiatorType === 'fetch').length,
                 photos_in_html: document.querySelectorAll('#grid .cell').length,
                 first_contentful_paint_ms: paint ? Math.round(paint.startTime) : null,
               };
             })()",
        )
        .await;
        eprintln!("first paint of a 100-photo gallery: {weight:#}");
        std::fs::write(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/e2e/page-weight.json"),
            format!("{weight:#}"),
        )
        .unwrap();
        // The whole first page is in the HTML: the grid needs no call of the API to paint, and
        // only the thumbnails near the screen load before the reader scrolls.
        assert_eq!(weight["photos_in_html"], 100);
        assert_eq!(weight["api_calls_at_load"], 0);
        // Pages and their files come gzipped; the HTML is mostly presigned URLs, whose
        // credentials repeat.
        let (sent, page) = (&weight["html_bytes"], &weight["html_uncompressed_bytes"]);
        assert!(sent.as_u64().unwrap() * 4 < page.as_u64().unwrap(), "{weight}");
        let thumbnails = weight["thumbnails_at_load"].as_u64().unwrap();
        assert!((1..100).contains(&thumbnails), "{weight}");
        assert_no_console_errors(&c, "100 photos").await;
    })
    .await;
}

/// A gallery of 100 photos opens on the cover the photographer chose; below it, each photo
/// whole at its own ratio, in rows filled edge to edge at one height (the last row not
/// stretched), placed before any image arrives, each tile loading a grid size at least as wide
/// as it shows on the screen's pixels: measured on a laptop, on a phone at three device pixels
/// to the CSS pixel, and on the narrowest phone, scrolling down as a client would.
#[tokio::test]
async fn the_gallery_opens_on_its_cover_and_shows_every_photo_uncropped_and_sharp_without_a_layout_shift()
 {
    let s = Served::spawn().await;
    let anna = s.t.photographer("Anna Lee").await;
    let gallery = s.t.create_gallery(&anna, "Shapes").await;
    // Landscapes, portraits, a square, a panorama and a tall strip, over and over.
    let shapes = [
        (3000, 2000),
        (2000, 3000),
        (6000, 1500),
        (2000, 2000),
        (3200, 1800),
        (1800, 3200),
        (4800, 2000),
        (2000, 6000),
    ];
    let sizes: Vec<(u32, u32)> = shapes.iter().cycle().take(100).copied().collect();
    let photos = s.t.seed_ready_photos_sized(&anna, &gallery, &sizes).await;
    let mut grid_files = GridFiles::default();
    for (photo, &(w, h)) in photos.iter().zip(&sizes) {
        put_thumbnails(&s, &gallery, photo, &jpeg(w / 20, h / 20)).await;
        grid_files.put(&s, &gallery, photo, (w, h)).await;
    }
    // The cover: a portrait from the middle of the gallery, not its first photo.
    let cover = &photos[41];
    let chosen =
        s.t.update_gallery(&anna, &gallery, json!({ "cover_photo_id": cover }))
            .await;
    assert_eq!(chosen.status, 200, "{}", chosen.json);
    // The photographer's look: a dark teal and the classic pair of typefaces.
    let look =
        s.t.update_account(
            &anna,
            json!({ "accent_colour": "#1f5f5b", "font_pairing": "classic" }),
        )
        .await;
    assert_eq!(look.status, 200, "{}", look.json);
    // And their logo, which the header shows in place of their name.
    let upload =
        s.t.create_brand_logo_upload(
            &anna,
            json!({ "content_type": "image/png", "size": logo_png().len() }),
        )
        .await;
    assert_eq!(upload.status, 201, "{}", upload.json);
    assert!(
        s.t.put_upload(&upload.json, logo_png())
            .await
            .status()
            .is_success()
    );
    s.t.drain_ingest().await;
    let contact = &format!("mailto:{}", anna.email());
    let link = &s.t.get_general_access(&anna, &gallery).await.json["link"]
        .as_str()
        .unwrap()
        .to_owned();

    for device in [Device::Desktop, Device::Phone, Device::Narrow] {
        in_browser("cover_and_justified_rows", device, |c| async move {
            c.goto(link).await.unwrap();
            until(&c, "loaded", "document.readyState === 'complete'").await;
            // The cover is the chosen photo, loaded from its grid sizes, over the first screen
            // with the gallery's title.
            let shown = eval(
                &c,
                "(() => {
                   const img = document.querySelector('.cover img');
                   const box = document.querySelector('.cover').getBoundingClientRect();
                   return { src: img.currentSrc, complete: img.complete && img.naturalWidth > 0,
                            title: document.querySelector('.cover h1').textContent,
                            width: box.width, height: box.height, screen: innerHeight,
                            by: document.querySelector('.cover-by').textContent };
                 })()",
            )
            .await;
            eprintln!("{device:?} cover: {shown}");
            let src = shown["src"].as_str().unwrap();
            assert!(src.contains(&format!("/{cover}/grid-")), "{shown}");
            assert!(src.contains(".webp"), "{shown}");
            assert_eq!(shown["complete"], true, "{shown}");
            assert_eq!(shown["title"], "Shapes");
            assert_eq!(shown["by"], "Anna Lee");
            assert!(shown["height"].as_f64().unwrap() >= 0.7 * shown["screen"].as_f64().unwrap());
            // In the photographer's typefaces, loaded from our own files, and their colour.
            let look = c
                .execute_async(
                    "const done = arguments[arguments.length - 1];
                     document.fonts.ready.then(() => done({
                       heading: getComputedStyle(document.querySelector('.cover h1')).fontFamily,
                       text: getComputedStyle(document.body).fontFamily,
                       heading_loaded: document.fonts.check('600 2rem \"Cormorant Garamond\"'),
                       text_loaded: document.fonts.check('400 1rem Lato'),
                       accent: getComputedStyle(document.documentElement).getPropertyValue('--accent').trim(),
                       contact: document.querySelector('a.contact').href,
                       faces_loaded: [...document.fonts].filter((f) => f.status === 'loaded').length,
                       logo: (() => {
                         const logo = document.querySelector('.who img.logo');
                         return logo && logo.complete && logo.naturalWidth > 0 ? logo.alt : null;
                       })(),
                     }));",
                    vec![],
                )
                .await
                .unwrap();
            assert!(look["heading"].as_str().unwrap().starts_with("\"Cormorant Garamond\""), "{look}");
            assert!(look["text"].as_str().unwrap().starts_with("Lato"), "{look}");
            assert_eq!(look["heading_loaded"], true, "{look}");
            assert_eq!(look["text_loaded"], true, "{look}");
            assert_eq!(look["accent"], "#1f5f5b", "{look}");
            assert_eq!(look["contact"], contact.as_str(), "{look}");
            assert!(look["faces_loaded"].as_u64().unwrap() >= 2, "{look}");
            assert_eq!(look["logo"], "Anna Lee", "{look}");
            // Down the page as a client scrolls, every lazy tile loading where it lands; the
            // shifts are recorded since the page began.
            c.execute_async(
                "const done = arguments[arguments.length - 1];
                 const step = () => {
                   if (innerHeight + scrollY >= document.body.scrollHeight - 2) return done();
                   scrollBy(0, innerHeight * 0.8);
                   setTimeout(step, 60);
                 };
                 step();",
                vec![],
            )
            .await
            .unwrap();
            until(
                &c,
                "every image loaded",
                "[...document.querySelectorAll('#grid img')].every((i) => i.complete && i.naturalWidth > 0)",
            )
            .await;
            let layout = c
                .execute_async(
                    "const done = arguments[arguments.length - 1];
                     let shift = 0;
                     new PerformanceObserver((list) => {
                       for (const e of list.getEntries()) shift += e.value;
                     }).observe({ type: 'layout-shift', buffered: true });
                     setTimeout(() => {
                       const list = document.getElementById('grid');
                       const grid = list.getBoundingClientRect();
                       // The target row height, as the stylesheet resolves it on this screen.
                       const probe = document.createElement('div');
                       probe.style.height = 'var(--h)';
                       list.append(probe);
                       const target = probe.getBoundingClientRect().height;
                       probe.remove();
                       const rows = [];
                       let worst = 0;
                       let blurriest = Infinity;
                       const undersized = [];
                       for (const cell of document.querySelectorAll('#grid .cell')) {
                         const box = cell.getBoundingClientRect();
                         const img = cell.querySelector('img');
                         const ratio = img.getAttribute('width') / img.getAttribute('height');
                         worst = Math.max(worst, Math.abs(box.width - ratio * box.height));
                         // The file's own width (naturalWidth is scaled by the srcset's
                         // density): the width its candidate declares.
                         const source = cell.querySelector('source');
                         const chosen = (source ? source.srcset : '').split(', ')
                           .map((c) => c.split(' ')).find(([url]) => url === img.currentSrc);
                         const pixels = chosen ? parseInt(chosen[1], 10) : img.naturalWidth;
                         // The file's pixels per device pixel across the tile.
                         const density = pixels / (box.width * devicePixelRatio);
                         blurriest = Math.min(blurriest, density);
                         if (density < 1 || !img.currentSrc.includes('.webp'))
                           undersized.push({ src: img.currentSrc.split('?')[0], pixels, shown: box.width });
                         const row = rows.find((r) => Math.abs(r.top - box.top) < 1);
                         if (row) { row.right = Math.max(row.right, box.right); row.heights.push(box.height); }
                         else rows.push({ top: box.top, left: box.left, right: box.right, heights: [box.height] });
                       }
                       done({
                         target,
                         shift,
                         tiles: document.querySelectorAll('#grid .cell').length,
                         dpr: devicePixelRatio,
                         worst_ratio_error_px: worst,
                         lowest_density: blurriest,
                         undersized,
                         grid_left: grid.left,
                         grid_right: grid.right,
                         rows: rows.map((r) => ({
                           left: r.left, right: r.right,
                           spread: Math.max(...r.heights) - Math.min(...r.heights),
                           height: r.heights[0], photos: r.heights.length,
                         })),
                       });
                     }, 300);",
                    vec![],
                )
                .await
                .unwrap();
            eprintln!("{device:?}: {layout}");
            assert_eq!(layout["tiles"], 100, "{layout}");
            if device == Device::Phone {
                assert_eq!(layout["dpr"], 3, "{layout}");
            }
            // Every tile sharp: its WebP at least as wide as the tile on the screen's pixels.
            assert_eq!(layout["undersized"], json!([]), "{layout}");
            // No photo cropped: each tile's ratio is its photo's, within a pixel.
            assert!(layout["worst_ratio_error_px"].as_f64().unwrap() < 1.0, "{layout}");
            // Nothing moved as the images arrived.
            assert_eq!(layout["shift"].as_f64().unwrap(), 0.0, "{layout}");
            let (left, right) = (
                layout["grid_left"].as_f64().unwrap(),
                layout["grid_right"].as_f64().unwrap(),
            );
            let rows = layout["rows"].as_array().unwrap();
            assert!(rows.len() > 2, "{layout}");
            let (last, full) = rows.split_last().unwrap();
            for row in full {
                // Flush to both edges, one height across the row.
                assert!((row["left"].as_f64().unwrap() - left).abs() < 1.0, "{row}");
                assert!((row["right"].as_f64().unwrap() - right).abs() < 1.0, "{row}");
                assert!(row["spread"].as_f64().unwrap() < 1.0, "{row}");
            }
            // The last row keeps the target height: it is not stretched to the edge.
            let target = layout["target"].as_f64().unwrap();
            assert!(target > 90.0, "{layout}");
            assert!((last["height"].as_f64().unwrap() - target).abs() < 1.0, "{layout}");
            check_page(&c, "cover and justified rows").await;
        })
        .await;
    }
}

/// A seeded photo's grid sizes, as ingest writes them: a WebP at each of its grid widths (here
/// a flat colour: only the size matters to the browser), in both looks, and the widths on its
/// record. Files of one size are encoded once.
#[derive(Default)]
struct GridFiles {
    encoded: std::collections::HashMap<(u32, u32), Vec<u8>>,
}

impl GridFiles {
    async fn put(&mut self, s: &Served, gallery: &str, photo: &str, (w, h): (u32, u32)) {
        let sdk = proofsheet_store::load_sdk_config().await;
        let s3 = aws_sdk_s3::Client::new(&sdk);
        let widths = proofsheet_policy::grid_widths(w, h);
        for &width in &widths {
            let height =
                ((u64::from(h) * u64::from(width) + u64::from(w) / 2) / u64::from(w)) as u32;
            let webp = self.encoded.entry((width, height)).or_insert_with(|| {
                let colour = image::Rgb([(width % 200) as u8 + 40, 110, (height % 200) as u8 + 40]);
                let mut out = Vec::new();
                image::RgbImage::from_pixel(width, height, colour)
                    .write_to(
                        &mut std::io::Cursor::new(&mut out),
                        image::ImageFormat::WebP,
                    )
                    .expect("a WebP");
                out
            });
            let step = proofsheet_policy::grid_step(width);
            for look in ["", "-wm"] {
                s3.put_object()
                    .bucket(&s.t.provisioned.resources.bucket)
                    .key(format!(
                        "renditions/{gallery}/{photo}/grid-{step}{look}.webp"
                    ))
                    .content_type("image/webp")
                    .body(webp.clone().into())
                    .send()
                    .await
                    .expect("a grid size");
            }
        }
        let ddb = aws_sdk_dynamodb::Client::new(&sdk);
        use aws_sdk_dynamodb::types::AttributeValue;
        ddb.update_item()
            .table_name(&s.t.provisioned.resources.table)
            .key("PK", AttributeValue::S(format!("GALLERY#{gallery}")))
            .key("SK", AttributeValue::S(format!("PHOTO#{photo}")))
            .update_expression("SET grid_widths = :grid")
            .expression_attribute_values(
                ":grid",
                AttributeValue::L(
                    widths
                        .iter()
                        .map(|w| AttributeValue::N(w.to_string()))
                        .collect(),
                ),
            )
            .send()
            .await
            .expect("the photo's grid widths");
    }
}

/// Stores `thumbnail` as a seeded photo's thumbnails (plain and watermarked), as ingest would.
async fn put_thumbnails(s: &Served, gallery: &str, photo: &str, thumbnail: &[u8]) {
    let sdk = proofsheet_store::load_sdk_config().await;
    let s3 = aws_sdk_s3::Client::new(&sdk);
    for look in ["", "-wm"] {
        s3.put_object()
            .bucket(&s.t.provisioned.resources.bucket)
            .key(format!("renditions/{gallery}/{photo}/thumbnail{look}.jpg"))
            .body(thumbnail.to_vec().into())
            .send()
            .await
            .expect("a thumbnail");
    }
}
