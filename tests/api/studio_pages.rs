//! The photographer's studio in Debian's Chromium: signing in through the emailed link, the
//! galleries, uploading straight to the bucket (Chromium's own CORS check against the bucket's
//! rule, never with web security off), and the photos of a gallery. Each page is checked for
//! console errors and with axe, as the client pages are.

use std::path::PathBuf;
use std::time::Duration;

use fantoccini::Client;
use fantoccini::key::Key;
use proofsheet_tests::browser::*;
use proofsheet_tests::*;
use serde_json::Value;

/// How long a wait on ingest lasts: the worker renders every photo in a debug build.
const INGEST_WAIT: Duration = Duration::from_secs(60);

async fn check_page(c: &Client, page: &str) {
    assert_no_console_errors(c, page).await;
    assert_accessible(c, page).await;
}

/// Signs `anna` in as a photographer does: her email in the form, the emailed link, its button.
async fn sign_in(s: &Served, c: &Client, anna: &Photographer) {
    let email = format!("{}@example.com", anna.slug);
    c.goto(&format!("{}/studio", s.base)).await.unwrap();
    element(c, "input#email")
        .await
        .send_keys(&email)
        .await
        .unwrap();
    element(c, "form button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    element(c, "p[role=status]").await;
    let link = s.emailed_link(&email, "studio/sign-in").await;
    c.goto(&link).await.unwrap();
    element(c, "form button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    until(
        c,
        "the studio",
        "document.getElementById('galleries-status')?.textContent.length > 0",
    )
    .await;
}

/// `n` photos a camera might have written (`IMG_0001.jpg`, …), each of its own size, in a new
/// folder.
fn shoot(n: u32) -> Vec<PathBuf> {
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../target/e2e/uploads")
        .join(uuid::Uuid::new_v4().simple().to_string());
    std::fs::create_dir_all(&folder).expect("the shoot's folder");
    // Chromium takes only canonical paths for a file input.
    let folder = folder.canonicalize().expect("the shoot's folder");
    (1..=n)
        .map(|i| {
            let path = folder.join(format!("IMG_{i:04}.jpg"));
            std::fs::write(&path, jpeg(640 + 8 * i, 480)).expect("a photo");
            path
        })
        .collect()
}

/// Chooses `files` in the page's file picker.
async fn choose(c: &Client, files: &[PathBuf]) {
    let paths: Vec<&str> = files.iter().map(|p| p.to_str().unwrap()).collect();
    element(c, "#upload-files")
        .await
        .send_keys(&paths.join("\n"))
        .await
        .unwrap();
}

/// Waits until `script` is true, running the ingest worker meanwhile (as the queue would).
async fn until_ingested(s: &Served, c: &Client, what: &str, script: &str) {
    let deadline = tokio::time::Instant::now() + INGEST_WAIT;
    loop {
        s.t.drain_ingest().await;
        if eval(c, &format!("Boolean({script})")).await == Value::Bool(true) {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The upload list's rows: file name → what the row says.
async fn upload_rows(c: &Client) -> Vec<(String, String)> {
    let rows = eval(
        c,
        "[...document.querySelectorAll('#upload-list li')]
           .map((li) => [li.querySelector('.name').textContent, li.dataset.state])",
    )
    .await;
    serde_json::from_value(rows).unwrap()
}

#[tokio::test]
async fn a_photographer_signs_in_uploads_a_shoot_reloads_midway_and_the_rest_follows() {
    let s = &Served::spawn().await;
    let anna = &s.t.photographer("Anna Lee").await;
    let files = &shoot(20);

    in_browser("studio_upload", Device::Desktop, |c| async move {
        sign_in(s, &c, anna).await;
        check_page(&c, "studio galleries").await;
        element(&c, "#new-gallery-title")
            .await
            .send_keys("Lakeside wedding")
            .await
            .unwrap();
        element(&c, "#new-gallery button").await.click().await.unwrap();
        until(&c, "the new gallery", "location.hash.startsWith('#/galleries/')").await;
        let gallery = eval(&c, "location.hash.slice('#/galleries/'.length)").await;
        let gallery = gallery.as_str().unwrap().to_owned();
        element(&c, "#photos-status").await;
        check_page(&c, "studio gallery").await;

        // A slow connection: the reload comes while some photos are sent and others not yet.
        throttle_uploads(&c, Some(100_000)).await;
        choose(&c, files).await;
        until(
            &c,
            "some photos sent, the rest on their way, and the time left",
            "document.querySelectorAll('#upload-list li[data-state=processing]').length >= 3
             && document.getElementById('upload-overall').textContent.includes('left')",
        )
        .await;
        let overall = eval(&c, "[document.getElementById('upload-progress').value, document.getElementById('upload-progress').max, document.getElementById('upload-overall').textContent]").await;
        let (sent, total) = (overall[0].as_f64().unwrap(), overall[1].as_f64().unwrap());
        assert!(sent > 0.0 && sent < total, "midway: {overall}");
        assert!(overall[2].as_str().unwrap().contains("s left"), "{overall}");
        c.refresh().await.unwrap();
        throttle_uploads(&c, None).await;

        // The reload knows what is left; choosing the shoot again sends only that.
        until(&c, "the note of what is left", "!document.getElementById('upload-resume').hidden").await;
        let resume = element(&c, "#upload-resume").await.text().await.unwrap();
        assert!(resume.contains("not sent"), "{resume}");
        let rows = upload_rows(&c).await;
        let missing = rows.iter().filter(|(_, state)| state == "missing").count();
        assert!((1..20).contains(&missing), "{rows:?}");
        choose(&c, files).await;
        until_ingested(
            s,
            &c,
            "every photo ready",
            "document.querySelectorAll('#upload-list li[data-state=ready]').length === 20",
        )
        .await;
        until(&c, "the grid of 20", "document.querySelectorAll('#photos .cell img').length === 20").await;
        check_page(&c, "studio gallery after the upload").await;

        // Each file once: nothing half-sent was left behind, nothing sent twice.
        let photos = s.t.photos(anna, &gallery).await;
        let mut names: Vec<&str> = photos.iter().map(|p| p["filename"].as_str().unwrap()).collect();
        names.sort_unstable();
        let expected: Vec<String> = (1..=20).map(|i| format!("IMG_{i:04}.jpg")).collect();
        assert_eq!(names, expected, "{photos:#?}");
        assert!(photos.iter().all(|p| p["status"] == "ready"), "{photos:#?}");

        // The same file again, another day: skipped, not uploaded twice.
        c.refresh().await.unwrap();
        until(&c, "the gallery again", "document.getElementById('photos').children.length === 20").await;
        assert_eq!(eval(&c, "localStorage.length").await, 0, "a finished upload leaves nothing to resume");
        choose(&c, &files[..1]).await;
        until(&c, "the duplicate skipped", "document.querySelector('#upload-list li[data-state=skipped]')").await;
        assert_eq!(s.t.photos(anna, &gallery).await.len(), 20);
    })
    .await;
}

/// A gallery with `n` ready photos, made through the API, and the studio open on it.
async fn open_gallery(
    s: &Served,
    c: &Client,
    anna: &Photographer,
    n: usize,
) -> (String, Vec<String>) {
    let gallery = s.t.create_gallery(anna, "Harbour portraits").await;
    let photos = s.t.ready_photos(anna, &gallery, n).await;
    sign_in(s, c, anna).await;
    c.goto(&format!("{}/studio#/galleries/{gallery}", s.base))
        .await
        .unwrap();
    until(
        c,
        "the grid",
        &format!("document.querySelectorAll('#photos .cell img').length === {n}"),
    )
    .await;
    (gallery, photos)
}

async fn gallery_json(s: &Served, anna: &Photographer, gallery: &str) -> Value {
    let reply =
        s.t.call(
            "GET",
            &format!("/galleries/{gallery}"),
            Some(&anna.api_key),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.json
}

async fn grid_order(c: &Client) -> Vec<String> {
    serde_json::from_value(
        eval(
            c,
            "[...document.querySelectorAll('#photos .cell')].map((t) => t.dataset.photoId)",
        )
        .await,
    )
    .unwrap()
}

#[tokio::test]
async fn the_photographer_sets_the_cover_arranges_and_deletes_photos_in_the_grid() {
    let s = &Served::spawn().await;
    let anna = &s.t.photographer("Anna Lee").await;

    in_browser("studio_photos", Device::Desktop, |c| async move {
        let (gallery, _) = open_gallery(s, &c, anna, 4).await;
        let shown = grid_order(&c).await;

        // The cover: the third photo.
        element(&c, &format!("[data-photo-id='{}'] button[aria-pressed]", shown[2])).await.click().await.unwrap();
        until(&c, "the badge moved", &format!("document.querySelector(\"[data-photo-id='{}'] .cover-badge\")", shown[2])).await;
        assert_eq!(gallery_json(s, anna, &gallery).await["cover_photo_id"], shown[2].as_str());

        // The photographer's own order, with the keyboard: the first photo one place later.
        let order = element(&c, "#gallery-order-choice").await;
        element(&c, ".studio-panel summary").await.click().await.unwrap();
        order.select_by_value("manual").await.unwrap();
        element(&c, "#gallery-order button").await.click().await.unwrap();
        let later = element(&c, &format!("[data-photo-id='{}'] button[aria-label$=later]", shown[0])).await;
        later.send_keys(&Key::Enter.to_string()).await.unwrap();
        let expected = vec![shown[1].clone(), shown[0].clone(), shown[2].clone(), shown[3].clone()];
        until(&c, "the grid rearranged", &format!("[...document.querySelectorAll('#photos .cell')].map((t) => t.dataset.photoId).join() === {:?}", expected.join(","))).await;
        let arranged = s.t.call("GET", &format!("/galleries/{gallery}/photos?order=gallery"), Some(&anna.api_key), None).await;
        let ids: Vec<&str> = arranged.json["photos"].as_array().unwrap().iter().map(|p| p["photo_id"].as_str().unwrap()).collect();
        assert_eq!(ids, expected);
        let focused = eval(&c, "document.activeElement.getAttribute('aria-label')").await;
        assert!(focused.as_str().unwrap().ends_with("later"), "the keyboard stays on the photo: {focused}");

        // Drag and drop (the page's own drop handler, fed the events a drag makes): the last
        // photo before the first.
        eval(&c, &format!(
            "(() => {{ const t = new DataTransfer();
               const from = document.querySelector(\"[data-photo-id='{from}']\");
               const to = document.querySelector(\"[data-photo-id='{to}']\");
               from.dispatchEvent(new DragEvent('dragstart', {{ bubbles: true, dataTransfer: t }}));
               to.dispatchEvent(new DragEvent('dragover', {{ bubbles: true, cancelable: true, dataTransfer: t }}));
               to.dispatchEvent(new DragEvent('drop', {{ bubbles: true, cancelable: true, dataTransfer: t }}));
               return true; }})()",
            from = expected[3], to = expected[0]
        )).await;
        let dropped = [expected[3].clone(), expected[0].clone(), expected[1].clone(), expected[2].clone()];
        until(&c, "the drop arranged", &format!("[...document.querySelectorAll('#photos .cell')].map((t) => t.dataset.photoId).join() === {:?}", dropped.join(","))).await;

        // Deleting asks first; Cancel keeps the photo.
        let doomed = &dropped[1];
        element(&c, &format!("[data-photo-id='{doomed}'] button.danger")).await.click().await.unwrap();
        until(&c, "the question", "document.getElementById('confirm').open").await;
        check_page(&c, "studio delete question").await;
        assert_eq!(eval(&c, "document.activeElement.value").await, "no", "Cancel comes first");
        element(&c, "#confirm button[value=no]").await.click().await.unwrap();
        assert_eq!(grid_order(&c).await.len(), 4);
        element(&c, &format!("[data-photo-id='{doomed}'] button.danger")).await.click().await.unwrap();
        element(&c, "#confirm-yes").await.click().await.unwrap();
        until(&c, "three photos", "document.querySelectorAll('#photos .cell').length === 3").await;
        assert!(!s.t.photos(anna, &gallery).await.iter().any(|p| p["photo_id"] == doomed.as_str()));
        check_page(&c, "studio photos").await;
        screenshot(&c, "studio-gallery-desktop").await;
    })
    .await;
}

#[tokio::test]
async fn the_galleries_list_shows_each_cover_and_count_and_a_gallery_is_renamed_nested_and_deleted()
{
    let s = &Served::spawn().await;
    let anna = &s.t.photographer("Anna Lee").await;

    in_browser("studio_galleries", Device::Narrow, |c| async move {
        let (gallery, _) = open_gallery(s, &c, anna, 3).await;
        element(&c, ".studio-panel summary").await.click().await.unwrap();
        let title = element(&c, "#gallery-new-title").await;
        title.clear().await.unwrap();
        title.send_keys("Harbour portraits, May").await.unwrap();
        element(&c, "#rename-gallery button").await.click().await.unwrap();
        until(&c, "the new title", "document.getElementById('gallery-title').textContent === 'Harbour portraits, May'").await;
        element(&c, "#new-subgallery-title").await.send_keys("Outtakes").await.unwrap();
        element(&c, "#new-subgallery button").await.click().await.unwrap();
        until(&c, "the sub-gallery", "document.getElementById('gallery-title').textContent === 'Outtakes'").await;
        let crumb = element(&c, "#gallery-parent a").await.text().await.unwrap();
        assert_eq!(crumb, "Harbour portraits, May");
        assert_fits_the_width(&c, "studio gallery at 360 px").await;

        c.goto(&format!("{}/studio#/", s.base)).await.unwrap();
        until(
            &c,
            "the list read again",
            &format!("document.querySelector(\"[data-gallery-id='{gallery}']\")?.textContent.includes('May')"),
        )
        .await;
        until(&c, "the card's cover", "[...document.querySelectorAll('#galleries img')].some((i) => i.complete && i.naturalWidth > 0)").await;
        let card = element(&c, &format!("[data-gallery-id='{gallery}']")).await.text().await.unwrap();
        assert!(card.contains("Harbour portraits, May") && card.contains("3 photos") && card.contains("1 sub-gallery"), "{card}");
        check_page(&c, "studio galleries at 360 px").await;
        assert_fits_the_width(&c, "studio galleries at 360 px").await;
        screenshot(&c, "studio-galleries-phone").await;

        // A gallery with a sub-gallery can't go; its sub-gallery can, after the question.
        c.goto(&format!("{}/studio#/galleries/{gallery}", s.base)).await.unwrap();
        until(&c, "the gallery", "!document.getElementById('gallery-view').hidden").await;
        element(&c, ".studio-panel summary").await.click().await.unwrap();
        element(&c, "#delete-gallery").await.click().await.unwrap();
        element(&c, "#confirm-yes").await.click().await.unwrap();
        let problem = element(&c, "#studio-problem:not([hidden])").await.text().await.unwrap();
        assert!(problem.contains("sub-galler"), "{problem}");
        let sub = element(&c, "#subgalleries a").await;
        sub.click().await.unwrap();
        until(&c, "the sub-gallery", "document.getElementById('gallery-title').textContent === 'Outtakes'").await;
        element(&c, ".studio-panel summary").await.click().await.unwrap();
        element(&c, "#delete-gallery").await.click().await.unwrap();
        element(&c, "#confirm-yes").await.click().await.unwrap();
        until(&c, "back to its parent", &format!("location.hash === '#/galleries/{gallery}'")).await;
        let listed = s.t.call("GET", "/galleries", Some(&anna.api_key), None).await;
        assert_eq!(listed.json["galleries"].as_array().unwrap().len(), 1, "{listed:?}");
    })
    .await;
}

/// The settings of a gallery's general link, as the API has them.
async fn general_settings(s: &Served, anna: &Photographer, gallery: &str) -> Value {
    let reply =
        s.t.call(
            "GET",
            &format!("/galleries/{gallery}/general-access"),
            Some(&anna.api_key),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.json
}

#[tokio::test]
async fn the_photographer_sets_the_link_invites_a_client_and_looks_after_their_link() {
    let s = &Served::spawn().await;
    let anna = &s.t.photographer("Anna Lee").await;
    let email = &unique_email("ben");

    in_browser("studio_sharing", Device::Desktop, |c| async move {
        let (gallery, _) = open_gallery(s, &c, anna, 3).await;
        element(&c, "#tab-sharing").await.click().await.unwrap();
        until(&c, "the sharing tab", "document.getElementById('general-link').value.includes('/g/')").await;
        check_page(&c, "studio sharing").await;

        // A password, downloads of web sizes, two photos each.
        element(&c, "#general-password").await.send_keys("rings and roses").await.unwrap();
        if eval(&c, "document.querySelector('[name=downloads_enabled]').checked").await == Value::Bool(false) {
            element(&c, "[name=downloads_enabled]").await.click().await.unwrap();
        }
        element(&c, "#general-limit").await.send_keys("2").await.unwrap();
        for (size, wanted) in [("web", true), ("high", false), ("original", false)] {
            let checked = eval(&c, &format!("document.querySelector('[name=download_resolutions][value={size}]').checked")).await;
            if checked != Value::Bool(wanted) {
                element(&c, &format!("[name=download_resolutions][value={size}]")).await.click().await.unwrap();
            }
        }
        element(&c, "#general-settings button[type=submit]").await.click().await.unwrap();
        until(&c, "saved", "document.getElementById('general-saved').textContent === 'Saved.'").await;
        let general = general_settings(s, anna, &gallery).await;
        assert_eq!(general["password_set"], true, "{general}");
        assert_eq!(general["downloads_enabled"], true, "{general}");
        assert_eq!(general["download_limit"], 2, "{general}");
        assert_eq!(general["download_resolutions"], serde_json::json!(["web"]), "{general}");
        let state = element(&c, "#password-state").await.text().await.unwrap();
        assert!(state.contains("has a password"), "{state}");

        // An invitation: the client's own link, by email, with a copy of those settings.
        element(&c, "#invite-email").await.send_keys(email).await.unwrap();
        element(&c, "#invite-name").await.send_keys("Ben Ortiz").await.unwrap();
        element(&c, "#invite button").await.click().await.unwrap();
        until(&c, "the invitation sent", "document.getElementById('invite-status').textContent.includes('has been sent')").await;
        until(&c, "Ben listed", "document.getElementById('clients').textContent.includes('Ben Ortiz')").await;
        let facts = element(&c, "#clients li .studio-facts").await.text().await.unwrap();
        assert!(facts.contains("0 of 2 downloaded") && facts.contains("password"), "{facts}");
        let link = s.emailed_link(email, "g").await;

        // Ben, on his phone: the password, then the photos.
        let ben_link = &link;
        in_browser("studio_sharing_client", Device::Phone, |ben| async move {
            ben.goto(ben_link).await.unwrap();
            element(&ben, "input#password").await.send_keys("rings and roses").await.unwrap();
            element(&ben, "button[type=submit]").await.click().await.unwrap();
            until(&ben, "his photos", "document.querySelectorAll('#grid .cell').length === 3").await;
        })
        .await;

        // Ben's limit raised to five.
        let grant = eval(&c, "document.querySelector('#clients li').dataset.grantId").await;
        let grant = grant.as_str().unwrap().to_owned();
        let limit = element(&c, &format!("#limit-{grant}")).await;
        limit.clear().await.unwrap();
        limit.send_keys("5").await.unwrap();
        element(&c, "#clients .studio-limit button").await.click().await.unwrap();
        until(&c, "the new limit", "document.querySelector('#clients li .studio-facts').textContent.includes('0 of 5')").await;
        let listed = s.t.call("GET", &format!("/galleries/{gallery}/private-access"), Some(&anna.api_key), None).await;
        assert_eq!(listed.json["grants"][0]["settings"]["download_limit"], 5, "{listed:?}");

        // His view, as he sees it.
        element(&c, "#clients button[aria-label^=Preview]").await.click().await.unwrap();
        until(&c, "the preview", "document.getElementById('preview').open && document.querySelectorAll('#preview-grid img').length === 3").await;
        until(&c, "its thumbnails", "[...document.querySelectorAll('#preview-grid img')].every((i) => i.complete && i.naturalWidth > 0)").await;
        check_page(&c, "studio preview").await;
        element(&c, "#preview button[value=close]").await.click().await.unwrap();

        // Revoked: gone from the list, and his link stops working.
        element(&c, "#clients button.danger").await.click().await.unwrap();
        element(&c, "#confirm-yes").await.click().await.unwrap();
        until(&c, "no client left", "document.querySelectorAll('#clients li').length === 0").await;
        let gone = s.t.view_gallery(&s.path_of(&link), None).await;
        assert!(gone.status >= 400, "{gone:?}");
        check_page(&c, "studio sharing after revoking").await;
    })
    .await;
}

#[tokio::test]
async fn each_clients_activity_favourites_and_milestones_show_in_the_studio() {
    let s = &Served::spawn().await;
    let anna = &s.t.photographer("Anna Lee").await;
    let gallery = &s.t.create_gallery(anna, "Garden party").await;
    s.t.upload(anna, gallery, "DSC_0412.jpg", jpeg(64, 48), "image/jpeg")
        .await;
    s.t.upload(anna, gallery, "DSC_0413.jpg", jpeg(66, 48), "image/jpeg")
        .await;
    s.t.drain_ingest().await;
    let invited =
        s.t.create_private_access(
            anna,
            gallery,
            serde_json::json!({ "email": unique_email("ann"), "name": "Ann Park" }),
        )
        .await;
    assert_eq!(invited.status, 201, "{invited:?}");
    // Ann opens her link and keeps both photos.
    let path = s.path_of(invited.json["link"].as_str().unwrap());
    assert_eq!(s.t.view_gallery(&path, None).await.status, 200);
    for photo in s.t.photos(anna, gallery).await {
        let kept =
            s.t.add_favourite(&path, None, photo["photo_id"].as_str().unwrap(), None)
                .await;
        assert_eq!(kept.status, 204, "{kept:?}");
    }

    in_browser("studio_activity", Device::Desktop, |c| async move {
        sign_in(s, &c, anna).await;
        until(&c, "the bell's count", "document.getElementById('bell-count').textContent === '2'").await;
        c.goto(&format!("{}/studio#/galleries/{gallery}/activity", s.base)).await.unwrap();
        until(&c, "Ann's row", "document.querySelector('#activity-rows tr')?.textContent.includes('Ann Park')").await;
        let row = element(&c, "#activity-rows tr").await.text().await.unwrap();
        assert!(row.contains("2 photos in 1 list") && row.contains("opened the gallery") && row.contains("started favourites"), "{row}");
        let list = element(&c, "#favourites .studio-filenames").await.text().await.unwrap();
        assert_eq!(list, "DSC_0412.jpg, DSC_0413.jpg");
        element(&c, "#favourites button").await.click().await.unwrap();
        until(&c, "copied, or shown to copy", "/copied|DSC_0412, DSC_0413/.test(document.getElementById('favourites-status').textContent)").await;
        check_page(&c, "studio activity").await;
        screenshot(&c, "studio-activity-desktop").await;

        // The spreadsheet, as the link downloads it (the browser's cookie, no API key).
        let csv = eval(&c, "fetch(document.getElementById('activity-csv').href).then((r) => r.text())").await;
        assert!(csv.as_str().unwrap().contains("Ann Park"), "{csv}");

        // The bell: newest first; following one marks it read.
        element(&c, "#bell").await.click().await.unwrap();
        until(&c, "the notifications", "document.querySelectorAll('#notifications-list li.unread').length === 2").await;
        check_page(&c, "studio notifications").await;
        element(&c, "#notifications-list a").await.click().await.unwrap();
        until(&c, "one read", "document.getElementById('bell-count').textContent === '1'").await;
        assert!(!eval(&c, "document.getElementById('notifications').open").await.as_bool().unwrap());
    })
    .await;
}

#[tokio::test]
async fn what_a_reload_remembers_never_deletes_a_photo_that_arrived() {
    let s = &Served::spawn().await;
    let anna = &s.t.photographer("Anna Lee").await;
    let gallery = &s.t.create_gallery(anna, "Harbour portraits").await;
    let files = &shoot(1);
    let bytes = std::fs::read(&files[0]).unwrap();
    let size = bytes.len();
    let arrived =
        &s.t.upload(anna, gallery, "IMG_0001.jpg", bytes, "image/jpeg")
            .await;
    s.t.drain_ingest().await;

    in_browser("studio_resume_arrived", Device::Desktop, |c| async move {
        sign_in(s, &c, anna).await;
        // The browser remembers the photo as being sent when the page went: its PUT had in
        // fact arrived, and the photo is ready.
        let remembered = serde_json::json!([
            { "name": "IMG_0001.jpg", "size": size, "state": "sending", "photoId": arrived }
        ]);
        eval(
            &c,
            &format!(
                "localStorage.setItem('proofsheet.upload.{gallery}', {:?})",
                remembered.to_string()
            ),
        )
        .await;
        c.goto(&format!("{}/studio#/galleries/{gallery}", s.base))
            .await
            .unwrap();
        c.refresh().await.unwrap();
        until(
            &c,
            "the note of what is left",
            "!document.getElementById('upload-resume').hidden",
        )
        .await;
        choose(&c, files).await;
        until_ingested(
            s,
            &c,
            "the photo ready",
            "document.querySelector('#upload-list li[data-state=ready]')",
        )
        .await;
        let photos = s.t.photos(anna, gallery).await;
        assert_eq!(photos.len(), 1, "{photos:#?}");
        assert_eq!(
            photos[0]["photo_id"],
            arrived.as_str(),
            "the photo that arrived stays, not sent twice"
        );
    })
    .await;
}

#[tokio::test]
async fn the_photographer_gives_a_client_a_login_releases_a_gallery_and_previews_it_as_them() {
    let s = &Served::spawn().await;
    let anna = &s.t.photographer("Anna Lee").await;

    in_browser("studio_logins", Device::Desktop, |c| async move {
        open_gallery(s, &c, anna, 3).await;
        element(&c, "#nav-logins").await.click().await.unwrap();
        until(&c, "the logins", "!document.getElementById('logins-view').hidden").await;
        element(&c, "#new-login-name").await.send_keys("Ann Park").await.unwrap();
        element(&c, "#new-login button").await.click().await.unwrap();
        until(&c, "the code, once", "document.getElementById('new-code-value').value.length >= 12").await;
        let code = eval(&c, "document.getElementById('new-code-value').value").await;
        let code = code.as_str().unwrap().to_owned();
        assert_eq!(s.t.log_in(&anna.slug, &code).await.status, 200, "the code shown works");
        check_page(&c, "studio logins").await;

        // Ann's login: the gallery released, then seen as she sees it.
        element(&c, "#logins a").await.click().await.unwrap();
        until(&c, "Ann's login", "document.getElementById('login-title').textContent === 'Ann Park'").await;
        element(&c, "#release button").await.click().await.unwrap();
        until(&c, "the release", "document.querySelectorAll('#releases li').length === 1").await;
        let released = s.t.call("GET", "/client-logins", Some(&anna.api_key), None).await;
        assert_eq!(released.json["logins"][0]["galleries_released"], 1, "{released:?}");
        element(&c, "#releases button[aria-label^=Preview]").await.click().await.unwrap();
        until(&c, "her view", "document.getElementById('preview').open && document.querySelectorAll('#preview-grid img').length === 3").await;
        check_page(&c, "studio login preview").await;
        element(&c, "#preview button[value=close]").await.click().await.unwrap();
        check_page(&c, "studio login").await;

        // A new code: the old one stops working.
        element(&c, "#login-new-code").await.click().await.unwrap();
        element(&c, "#confirm-yes").await.click().await.unwrap();
        until(&c, "the new code", "!document.getElementById('login-code').hidden").await;
        let new_code = eval(&c, "document.getElementById('login-code-value').value").await;
        let new_code = new_code.as_str().unwrap().to_owned();
        assert_ne!(new_code, code);
        assert_eq!(s.t.log_in(&anna.slug, &code).await.status, 401);
        assert_eq!(s.t.log_in(&anna.slug, &new_code).await.status, 200);

        // Withdrawn, then the login deleted.
        element(&c, "#releases button.danger").await.click().await.unwrap();
        element(&c, "#confirm-yes").await.click().await.unwrap();
        until(&c, "withdrawn", "document.querySelectorAll('#releases li').length === 0").await;
        element(&c, "#delete-login").await.click().await.unwrap();
        element(&c, "#confirm-yes").await.click().await.unwrap();
        until(&c, "back to the logins", "location.hash === '#/logins' && document.getElementById('logins-status').textContent === 'No client logins yet.'").await;
    })
    .await;
}

#[tokio::test]
async fn the_account_shows_the_login_page_and_takes_a_watermark_logo() {
    let s = &Served::spawn().await;
    let anna = &s.t.photographer("Anna Lee").await;
    let folder = shoot(1)[0].parent().unwrap().to_owned();
    let logo = folder.join("logo.png");
    std::fs::write(&logo, logo_png()).unwrap();
    let logo = &logo;

    in_browser("studio_account", Device::Narrow, |c| async move {
        sign_in(s, &c, anna).await;
        element(&c, "#nav-account").await.click().await.unwrap();
        until(
            &c,
            "the account",
            "document.getElementById('account-email').textContent.includes('@')",
        )
        .await;
        let page = element(&c, "#account-login-page")
            .await
            .text()
            .await
            .unwrap();
        assert!(page.ends_with(&format!("/p/{}", anna.slug)), "{page}");
        check_page(&c, "studio account at 360 px").await;
        assert_fits_the_width(&c, "studio account at 360 px").await;
        element(&c, "#logo-file")
            .await
            .send_keys(logo.to_str().unwrap())
            .await
            .unwrap();
        until(
            &c,
            "the logo sent",
            "document.getElementById('logo-status').textContent.includes('in place')",
        )
        .await;
        let stored = s.t.object(&format!("logos/{}.png", anna.id)).await;
        assert_eq!(stored, Some(logo_png()));

        // The logo on client pages and emails: sent, made by ingest, then shown as clients see it.
        element(&c, "#brand-logo-file")
            .await
            .send_keys(logo.to_str().unwrap())
            .await
            .unwrap();
        until(
            &c,
            "the brand logo sent",
            "document.getElementById('brand-logo-status').textContent.includes('Preparing')",
        )
        .await;
        s.t.drain_ingest().await;
        until(
            &c,
            "the brand logo shown",
            "document.getElementById('brand-logo-status').textContent.includes('on your client pages') \
             && document.getElementById('brand-logo-image').complete \
             && document.getElementById('brand-logo-image').naturalWidth === 50",
        )
        .await;
        check_page(&c, "studio account with a logo").await;
        element(&c, "#brand-logo-remove").await.click().await.unwrap();
        until(
            &c,
            "the brand logo removed",
            "document.getElementById('brand-logo-shown').hidden \
             && document.getElementById('brand-logo-status').textContent.includes('your name again')",
        )
        .await;
        assert_eq!(s.t.get_account(anna).await.json["logo"], serde_json::Value::Null);
    })
    .await;
}

#[tokio::test]
async fn the_photographer_renames_the_account_moves_the_login_page_and_changes_the_sign_in_address()
{
    let s = &Served::spawn().await;
    let anna = &s.t.photographer("Anna Lee").await;
    let new_email = &unique_email("anna-studio");

    in_browser("studio_account_edit", Device::Desktop, |c| async move {
        sign_in(s, &c, anna).await;
        c.goto(&format!("{}/studio#/account", s.base))
            .await
            .unwrap();
        until(
            &c,
            "the account",
            "document.getElementById('account-slug').value.length > 0",
        )
        .await;

        let name = element(&c, "#account-name").await;
        name.clear().await.unwrap();
        name.send_keys("Anna Lee Photography").await.unwrap();
        element(&c, "#account-name-form button").await.click().await.unwrap();
        until(
            &c,
            "the name saved",
            "document.getElementById('account-status').textContent.includes('Anna Lee Photography') \
             && document.getElementById('studio-name').textContent === 'Anna Lee Photography'",
        )
        .await;

        // Typed as a photographer thinks of it; the page keeps what an address can hold.
        let slug = element(&c, "#account-slug").await;
        slug.clear().await.unwrap();
        slug.send_keys("Anna Lee Studio").await.unwrap();
        let typed = eval(&c, "document.getElementById('account-slug').value").await;
        assert_eq!(typed, "anna-lee-studio");
        element(&c, "#account-slug-form button").await.click().await.unwrap();
        until(
            &c,
            "the page moved",
            "document.getElementById('account-login-page').textContent.endsWith('/p/anna-lee-studio')",
        )
        .await;
        let former = eval(&c, "document.getElementById('account-former').textContent").await;
        assert!(
            former.as_str().unwrap().ends_with(&format!("/p/{}", anna.slug)),
            "{former}"
        );
        let account = s.t.get_account(anna).await.json;
        assert_eq!(account["name"], "Anna Lee Photography");
        assert_eq!(account["slug"], "anna-lee-studio");
        let old = s.t.browse(&format!("/p/{}", anna.slug), None).await;
        assert_eq!(old.header("location"), Some("/p/anna-lee-studio"));
        check_page(&c, "studio account edited").await;

        // The galleries' look: a colour, a pair of typefaces, a contact address.
        eval(
            &c,
            "(() => { const accent = document.getElementById('account-accent');
                      accent.value = '#1f5f5b';
                      accent.dispatchEvent(new Event('input', { bubbles: true }));
                      document.getElementById('account-fonts').value = 'editorial';
                      return true; })()",
        )
        .await;
        element(&c, "#account-contact")
            .await
            .send_keys("hello@annalee.example")
            .await
            .unwrap();
        element(&c, "#account-look-form button[type=submit]")
            .await
            .click()
            .await
            .unwrap();
        until(
            &c,
            "the look saved",
            "document.getElementById('look-status').textContent.startsWith('Saved')",
        )
        .await;
        let account = s.t.get_account(anna).await.json;
        assert_eq!(account["accent_colour"], "#1f5f5b");
        assert_eq!(account["font_pairing"], "editorial");
        assert_eq!(account["contact_email"], "hello@annalee.example");
        // Back to Proofsheet's own colour.
        element(&c, "#account-accent-reset").await.click().await.unwrap();
        element(&c, "#account-look-form button[type=submit]")
            .await
            .click()
            .await
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !s.t.get_account(anna).await.json["accent_colour"].is_null() {
            assert!(std::time::Instant::now() < deadline, "the colour was never given back");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        check_page(&c, "studio look edited").await;

        // A new sign-in address: the link goes there, and opening it confirms it.
        element(&c, "#account-new-email")
            .await
            .send_keys(new_email)
            .await
            .unwrap();
        element(&c, "#account-email-form button")
            .await
            .click()
            .await
            .unwrap();
        until(
            &c,
            "the link sent",
            "document.getElementById('email-status').textContent.includes('on its way')",
        )
        .await;
        assert_eq!(
            s.t.get_account(anna).await.json["email"],
            format!("{}@example.com", anna.slug),
            "nothing changes before the link is used"
        );
        let link = s.emailed_link(new_email, "studio/sign-in").await;
        c.goto(&link).await.unwrap();
        let button = element(&c, "form button[type=submit]").await;
        assert_eq!(button.text().await.unwrap(), "Confirm and sign in");
        check_page(&c, "the new address's confirming page").await;
        button.click().await.unwrap();
        c.goto(&format!("{}/studio#/account", s.base))
            .await
            .unwrap();
        until(
            &c,
            "the new address shown",
            &format!("document.getElementById('account-email').textContent === '{new_email}'"),
        )
        .await;
        assert_eq!(s.t.get_account(anna).await.json["email"], new_email.as_str());
    })
    .await;
}

#[tokio::test]
async fn the_studio_makes_an_api_key_shows_it_once_and_revokes_it() {
    let s = &Served::spawn().await;
    let anna = &s.t.photographer("Anna Lee").await;

    in_browser("studio_api_keys", Device::Desktop, |c| async move {
        sign_in(s, &c, anna).await;
        c.goto(&format!("{}/studio#/account", s.base))
            .await
            .unwrap();
        until(
            &c,
            "the account's first key",
            "document.querySelectorAll('#keys li').length === 1",
        )
        .await;
        element(&c, "#new-key-name")
            .await
            .send_keys("Studio laptop")
            .await
            .unwrap();
        element(&c, "#new-key button").await.click().await.unwrap();
        until(
            &c,
            "the key, once",
            "document.getElementById('key-made-value').value.startsWith('ps_')",
        )
        .await;
        let key = eval(&c, "document.getElementById('key-made-value').value").await;
        let key = key.as_str().unwrap().to_owned();
        assert_eq!(
            s.t.call("GET", "/galleries", Some(&key), None).await.status,
            200
        );
        until(
            &c,
            "two keys listed",
            "document.querySelectorAll('#keys li').length === 2",
        )
        .await;
        let listed = element(&c, "#keys").await.text().await.unwrap();
        assert!(!listed.contains(&key), "a listed key shows only its end");
        check_page(&c, "studio api keys").await;

        element(&c, "#keys li:last-child button.danger")
            .await
            .click()
            .await
            .unwrap();
        element(&c, "#confirm-yes").await.click().await.unwrap();
        until(
            &c,
            "one key left",
            "document.querySelectorAll('#keys li').length === 1",
        )
        .await;
        assert_eq!(
            s.t.call("GET", "/galleries", Some(&key), None).await.status,
            401
        );
    })
    .await;
}

#[tokio::test]
async fn what_an_invited_client_does_in_their_own_browser_shows_in_the_studio() {
    let s = &Served::spawn().await;
    let anna = &s.t.photographer("Anna Lee").await;
    let email = &unique_email("ben");

    in_browser("studio_journey", Device::Desktop, |c| async move {
        let (gallery, photos) = open_gallery(s, &c, anna, 3).await;
        // Downloads of web sizes, two photos each, then Ben invited, all in the studio.
        c.goto(&format!("{}/studio#/galleries/{gallery}/sharing", s.base)).await.unwrap();
        until(&c, "the sharing tab", "document.getElementById('general-link').value.includes('/g/')").await;
        if eval(&c, "document.querySelector('[name=downloads_enabled]').checked").await == Value::Bool(false) {
            element(&c, "[name=downloads_enabled]").await.click().await.unwrap();
        }
        element(&c, "#general-limit").await.send_keys("2").await.unwrap();
        if eval(&c, "document.querySelector('[name=download_resolutions][value=web]').checked").await == Value::Bool(false) {
            element(&c, "[name=download_resolutions][value=web]").await.click().await.unwrap();
        }
        element(&c, "#general-settings button[type=submit]").await.click().await.unwrap();
        until(&c, "saved", "document.getElementById('general-saved').textContent === 'Saved.'").await;
        element(&c, "#invite-email").await.send_keys(email).await.unwrap();
        element(&c, "#invite-name").await.send_keys("Ben Ortiz").await.unwrap();
        element(&c, "#invite button").await.click().await.unwrap();
        until(&c, "Ben listed", "document.getElementById('clients').textContent.includes('Ben Ortiz')").await;
        let link = &s.emailed_link(email, "g").await;

        // Ben, in his own browser: a heart, then one photo downloaded.
        let photos = &photos;
        in_browser("studio_journey_client", Device::Desktop, |ben| async move {
            ben.goto(link).await.unwrap();
            until(&ben, "his page ready", "document.getElementById('gallery').dataset.ready === 'true'").await;
            let first = format!("#grid .cell[data-photo='{}']", photos[0]);
            element(&ben, &format!("{first} .heart")).await.click().await.unwrap();
            until(&ben, "the heart on", &format!("document.querySelector(\"{first} .heart\").getAttribute('aria-pressed') === 'true'")).await;
            element(&ben, &format!("{first} .download")).await.click().await.unwrap();
            until(&ben, "selected", &format!("document.querySelector(\"{first} .download\").getAttribute('aria-pressed') === 'true'")).await;
            element(&ben, ".open-tray").await.click().await.unwrap();
            until(&ben, "the tray open", "document.querySelector('dialog.panel').open").await;
            element(&ben, ".panel .request").await.click().await.unwrap();
            until(&ben, "the zip on its way", "document.querySelector('.panel .status').textContent.includes(\"We're preparing your zip\")").await;
        })
        .await;
        assert_eq!(s.t.drain_downloads().await, 1, "his zip made");

        // Back in the studio: his row, his milestones, and the bell.
        c.goto(&format!("{}/studio#/galleries/{gallery}/activity", s.base)).await.unwrap();
        until(&c, "Ben's row", "document.querySelector('#activity-rows tr')?.textContent.includes('Ben Ortiz')").await;
        let row = element(&c, "#activity-rows tr").await.text().await.unwrap();
        for seen in ["1 photo in 1 list", "1 photo (web)", "opened the gallery", "started favourites"] {
            assert!(row.contains(seen), "{seen}: {row}");
        }
        c.refresh().await.unwrap();
        until(&c, "the bell", "Number(document.getElementById('bell-count').textContent) >= 2").await;
        element(&c, "#bell").await.click().await.unwrap();
        until(&c, "his notifications", "document.getElementById('notifications-list').textContent.includes('Ben Ortiz')").await;
        check_page(&c, "studio after the client's visit").await;
    })
    .await;
}
