//! Galleries and links that expire (issue 11): every client route of an expired link answers
//! 410 (a browser gets a page naming whom to ask), download links included, while the
//! photographer's routes keep working and a later date opens the links again; a link's own
//! date only ever shortens its gallery's. Reminders go out once per client, date and reminder,
//! found by the sweep through the due-time index; a new date re-arms them; a revoked link gets
//! none; the photographer hears once when a gallery expires.

use proofsheet_app::Clock;
use proofsheet_http::ROUTES;
use proofsheet_tests::*;
use proofsheet_workers::expiry::sweep;
use serde_json::{Value, json};

pub(super) const T0: u64 = 1_800_000_000;
pub(super) const DAY: u64 = 24 * 60 * 60;

/// RFC 3339 of a Unix time, as the API takes it.
pub(super) fn rfc3339(unix_secs: u64) -> String {
    aws_smithy_types::DateTime::from_secs(unix_secs as i64)
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap()
}

pub(super) async fn spawn() -> TestApp {
    TestApp::spawn_with_clock(&[], Clock::fixed(T0)).await
}

/// A client's private link (downloads on, unlimited) to `gallery`: (grant id, link path).
async fn invite(t: &TestApp, anna: &Photographer, gallery: &str, email: &str) -> (String, String) {
    let body = json!({ "email": email, "name": "Carol", "downloads_enabled": true,
                       "download_resolutions": ["web"] });
    let link = t.invite(anna, gallery, body).await;
    (link.grant_id, link.path)
}

pub(super) async fn set_expiry(
    t: &TestApp,
    anna: &Photographer,
    gallery: &str,
    at: Value,
) -> Reply {
    let reply = t
        .update_gallery(anna, gallery, json!({ "expires_at": at }))
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    reply
}

/// Every `/g/…` route with this link's token (and a photo id where one is asked for).
fn client_routes(path: &str, photo: &str) -> Vec<(&'static str, String)> {
    let token = path.strip_prefix("/g/").unwrap();
    ROUTES
        .iter()
        .filter(|r| r.path.starts_with("/g/"))
        .map(|r| {
            let filled = r
                .path
                .replace("{token}", token)
                .replace("{photo_id}", photo)
                .replace("{request_id}", photo);
            (r.method, filled)
        })
        .collect()
}

pub(super) fn assert_expired(reply: &Reply, what: &str) {
    assert_eq!(reply.status, 410, "{what}: {reply:?}");
    assert_eq!(reply.error_code(), "expired", "{what}: {reply:?}");
}

/// Anna's gallery with one photo, shared with Carol (who has a ZIP from before the date), due
/// to expire a day from now.
struct ExpiringWedding {
    t: TestApp,
    anna: Photographer,
    gallery: String,
    photo: String,
    grant: String,
    /// Carol's link.
    path: String,
    general: String,
    zip_link: String,
}

async fn expiring_wedding() -> ExpiringWedding {
    let t = spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let photo = t.ready_photo(&anna, &gallery).await;
    let (grant, path) = invite(&t, &anna, &gallery, &unique_email("carol")).await;
    let general = t.general_path(&anna, &gallery).await;
    // A ZIP built before the date: its link works until the gallery closes.
    let accepted = t
        .create_download_request(
            &path,
            None,
            None,
            json!({ "photo_ids": [photo], "resolution": "web" }),
        )
        .await;
    assert_eq!(accepted.status, 202, "{accepted:?}");
    assert_eq!(t.drain_downloads().await, 1);
    let request = accepted.json["request_id"].as_str().unwrap();
    let done = t.get_download_request(&path, None, request).await;
    let zip_link = done.json["link"].as_str().expect("zip link").to_owned();
    assert_eq!(t.fetch_zip(&zip_link).await.0.status, 302);

    let set = set_expiry(&t, &anna, &gallery, json!(rfc3339(T0 + DAY))).await;
    assert_eq!(set.json["expires_at"], rfc3339(T0 + DAY));
    ExpiringWedding {
        t,
        anna,
        gallery,
        photo,
        grant,
        path,
        general,
        zip_link,
    }
}

#[tokio::test]
async fn an_expired_gallery_closes_every_client_route_and_none_of_the_photographers() {
    let ExpiringWedding {
        t,
        anna,
        gallery,
        photo,
        grant,
        path,
        general,
        ..
    } = expiring_wedding().await;
    t.app.clock().advance(DAY);
    for link in [&path, &general] {
        for (method, route) in client_routes(link, &photo) {
            // Each with a body it would otherwise take.
            let body = match (method, route.rsplit('/').next().unwrap()) {
                (_, "unlock") => Some(json!({ "password": "letmein1" })),
                (_, "identify") => Some(json!({ "email": "x@example.com" })),
                (_, "requests") if method == "POST" => {
                    Some(json!({ "photo_ids": [photo], "resolution": "web" }))
                }
                ("PUT", _) => Some(json!({})),
                _ => None,
            };
            let reply = t.call(method, &route, None, body).await;
            assert_expired(&reply, &format!("{method} {route}"));
        }
    }
    // The photographer's routes keep working, their preview included.
    assert_eq!(t.get_gallery(&anna, &gallery).await.status, 200);
    assert_eq!(t.list_private_access(&anna, &gallery).await.status, 200);
    let preview = t
        .preview_gallery(&anna, &gallery, &format!("grant:{grant}"))
        .await;
    assert_eq!(preview.status, 200, "{preview:?}");
}

#[tokio::test]
async fn a_client_sees_until_when_and_after_it_whom_to_ask() {
    let ExpiringWedding {
        t,
        anna,
        gallery,
        path,
        zip_link,
        ..
    } = expiring_wedding().await;
    let open = t.view_gallery(&path, None).await;
    assert_eq!(open.status, 200, "not yet: {open:?}");
    assert_eq!(
        open.json["expires_at"],
        rfc3339(T0 + DAY),
        "the client sees until when"
    );
    let page = t.browse(&path, None).await;
    let html = page.json.as_str().unwrap_or_default();
    assert!(html.contains("Open until 16 January 2027"), "{html}");

    t.app.clock().advance(DAY);
    let refused = t.view_gallery(&path, None).await;
    assert_eq!(refused.json["expired_at"], rfc3339(T0 + DAY), "{refused:?}");
    assert_eq!(refused.json["photographer"]["name"], "Anna Lee");
    assert_eq!(
        refused.json["photographer"]["email"],
        format!("{}@example.com", anna.slug)
    );
    assert!(refused.json.get("photos").is_none());
    // The emailed ZIP link stops serving; the ZIP itself is not deleted early.
    let (zip, _) = t.fetch_zip(&zip_link).await;
    assert_expired(&zip, "the download link");
    let zip_key = format!("zips/{gallery}/");
    assert!(!t.stored_keys(&zip_key).await.is_empty(), "the ZIP is kept");
    // A browser gets a page that says so and whom to ask.
    let page = t.browse(&path, None).await;
    assert_eq!(page.status, 410);
    let html = page.json.as_str().expect("html");
    assert!(html.contains("This gallery has expired"), "{html}");
    assert!(html.contains("Anna Lee"), "{html}");
    assert!(
        html.contains(&format!(r#"href="mailto:{}@example.com""#, anna.slug)),
        "{html}"
    );
}

#[tokio::test]
async fn a_later_date_or_none_opens_an_expired_gallery_again() {
    let ExpiringWedding {
        t,
        anna,
        gallery,
        path,
        general,
        zip_link,
        ..
    } = expiring_wedding().await;
    t.app.clock().advance(DAY);
    assert_expired(&t.view_gallery(&path, None).await, "expired");
    // A later date opens everything again; so does no date.
    set_expiry(&t, &anna, &gallery, json!(rfc3339(T0 + 30 * DAY))).await;
    assert_eq!(t.view_gallery(&path, None).await.status, 200);
    assert_eq!(t.fetch_zip(&zip_link).await.0.status, 302);
    set_expiry(&t, &anna, &gallery, json!(rfc3339(T0))).await;
    assert_expired(&t.view_gallery(&general, None).await, "a date in the past");
    let cleared = set_expiry(&t, &anna, &gallery, Value::Null).await;
    assert_eq!(cleared.json["expires_at"], Value::Null);
    assert_eq!(t.view_gallery(&general, None).await.status, 200);
}

#[tokio::test]
async fn a_links_own_date_only_ever_shortens_its_gallerys() {
    let t = spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    t.ready_photo(&anna, &gallery).await;
    let (early, early_path) = invite(&t, &anna, &gallery, &unique_email("early")).await;
    let (late, late_path) = invite(&t, &anna, &gallery, &unique_email("late")).await;
    let (_, other_path) = invite(&t, &anna, &gallery, &unique_email("other")).await;
    set_expiry(&t, &anna, &gallery, json!(rfc3339(T0 + 10 * DAY))).await;
    let shortened = t
        .update_private_access(
            &anna,
            &gallery,
            &early,
            json!({ "expires_at": rfc3339(T0 + 2 * DAY) }),
        )
        .await;
    assert_eq!(shortened.status, 200, "{shortened:?}");
    assert_eq!(shortened.json["expires_at"], rfc3339(T0 + 2 * DAY));
    let longer = t
        .update_private_access(
            &anna,
            &gallery,
            &late,
            json!({ "expires_at": rfc3339(T0 + 20 * DAY), "watermark": false }),
        )
        .await;
    assert_eq!(longer.status, 200, "{longer:?}");
    assert_eq!(longer.json["settings"]["watermark"], false, "both applied");
    let early_view = t.view_gallery(&early_path, None).await;
    assert_eq!(early_view.json["expires_at"], rfc3339(T0 + 2 * DAY));
    let late_view = t.view_gallery(&late_path, None).await;
    assert_eq!(
        late_view.json["expires_at"],
        rfc3339(T0 + 10 * DAY),
        "the earlier"
    );

    t.app.clock().advance(3 * DAY);
    assert_expired(&t.view_gallery(&early_path, None).await, "its own date");
    assert_eq!(t.view_gallery(&late_path, None).await.status, 200);
    assert_eq!(t.view_gallery(&other_path, None).await.status, 200);

    // Past the gallery's date, a later date of the link's own keeps nothing open.
    t.app.clock().advance(8 * DAY);
    assert_expired(
        &t.view_gallery(&late_path, None).await,
        "the gallery's date",
    );
    // The link follows its gallery again once its own date is removed.
    set_expiry(&t, &anna, &gallery, json!(rfc3339(T0 + 40 * DAY))).await;
    assert_expired(&t.view_gallery(&early_path, None).await, "still its own");
    let follows = t
        .update_private_access(&anna, &gallery, &early, json!({ "expires_at": null }))
        .await;
    assert_eq!(follows.json["expires_at"], Value::Null, "{follows:?}");
    assert_eq!(t.view_gallery(&early_path, None).await.status, 200);

    for bad in [json!("tomorrow"), json!("2100-01-02T00:00:00Z"), json!(7)] {
        let refused = t
            .update_private_access(&anna, &gallery, &early, json!({ "expires_at": bad }))
            .await;
        assert_invalid(&refused, "expires_at");
        let refused = t
            .update_gallery(&anna, &gallery, json!({ "expires_at": bad }))
            .await;
        assert!(
            refused.status == 422 || refused.status == 400,
            "{bad}: {refused:?}"
        );
    }
}

/// Everything due is handled: the due index is empty.
pub(super) async fn assert_nothing_due(t: &TestApp) {
    let due = t.app.store().due_by(u64::MAX / 2, 10).await.unwrap();
    assert!(due.is_empty(), "{due:?}");
}

/// The reminders in `to`'s inbox (subjects), oldest first.
pub(super) async fn reminders_to(t: &TestApp, to: &str) -> Vec<String> {
    t.emails_to(to)
        .await
        .iter()
        .map(|m| m["subject"].as_str().unwrap_or_default().to_owned())
        .filter(|s| s.contains("closes"))
        .collect()
}

/// Anna's gallery closing ten days from now, shared with Carol and Dave, and with Eve, whose
/// link was revoked.
struct ClosingWedding {
    t: TestApp,
    anna: Photographer,
    gallery: String,
    carol: String,
    carol_path: String,
    dave: String,
    eve: String,
}

async fn closing_wedding() -> ClosingWedding {
    let t = spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    t.ready_photo(&anna, &gallery).await;
    let (carol, dave, eve) = (
        unique_email("carol"),
        unique_email("dave"),
        unique_email("eve"),
    );
    let (_, carol_path) = invite(&t, &anna, &gallery, &carol).await;
    invite(&t, &anna, &gallery, &dave).await;
    let (revoked, _) = invite(&t, &anna, &gallery, &eve).await;
    let deleted = t.delete_private_access(&anna, &gallery, &revoked).await;
    assert_eq!(deleted.status, 204, "{deleted:?}");
    set_expiry(&t, &anna, &gallery, json!(rfc3339(T0 + 10 * DAY))).await;

    ClosingWedding {
        t,
        anna,
        gallery,
        carol,
        carol_path,
        dave,
        eve,
    }
}

#[tokio::test]
async fn reminders_go_a_week_and_a_day_before_once_to_each_live_client() {
    let ClosingWedding {
        t,
        carol,
        carol_path,
        dave,
        eve,
        ..
    } = closing_wedding().await;
    // Nothing is due yet.
    assert_eq!(sweep(&t.app).await.unwrap().reminders_sent, 0);
    // A week before: one reminder each, however often the sweep runs.
    t.app.clock().advance(3 * DAY);
    assert_eq!(sweep(&t.app).await.unwrap().reminders_sent, 2);
    assert_eq!(sweep(&t.app).await.unwrap().reminders_sent, 0);
    assert_eq!(
        reminders_to(&t, &carol).await,
        ["\"Smith wedding\" closes in 7 days: download what you want to keep"]
    );
    assert_eq!(reminders_to(&t, &dave).await.len(), 1);
    assert!(reminders_to(&t, &eve).await.is_empty(), "revoked: none");
    // The email names the gallery, the date, and the client's own link, which opens it.
    let mails = t.emails_to(&carol).await;
    let reminder = mails
        .iter()
        .find(|m| m["subject"].as_str().unwrap_or_default().contains("closes"))
        .expect("the reminder");
    let body = reminder["body"].as_str().unwrap_or_default();
    assert!(body.contains("Smith wedding"), "{body}");
    assert!(body.contains("25 January 2027, 08:00 UTC"), "{body}");
    assert!(body.contains(&format!("{BASE_URL}{carol_path}")), "{body}");
    assert_eq!(t.view_gallery(&carol_path, None).await.status, 200);

    // The day before.
    t.app.clock().advance(6 * DAY);
    assert_eq!(sweep(&t.app).await.unwrap().reminders_sent, 2);
    assert_eq!(sweep(&t.app).await.unwrap().reminders_sent, 0);
    assert_eq!(reminders_to(&t, &carol).await.len(), 2);
}

#[tokio::test]
async fn a_moved_date_arms_its_own_reminders_and_drops_the_old_ones() {
    let ClosingWedding {
        t,
        anna,
        gallery,
        carol,
        eve,
        ..
    } = closing_wedding().await;
    // The old date's two reminders went out.
    t.app.clock().advance(3 * DAY);
    assert_eq!(sweep(&t.app).await.unwrap().reminders_sent, 2);
    t.app.clock().advance(6 * DAY);
    assert_eq!(sweep(&t.app).await.unwrap().reminders_sent, 2);

    // Moved ten days on: the reminders of the new date are armed; the old date's notice is
    // dropped when it falls due.
    set_expiry(&t, &anna, &gallery, json!(rfc3339(T0 + 20 * DAY))).await;
    t.app.clock().advance(2 * DAY);
    let report = sweep(&t.app).await.unwrap();
    assert_eq!((report.reminders_sent, report.galleries_expired), (0, 0));
    t.app.clock().advance(2 * DAY);
    assert_eq!(
        sweep(&t.app).await.unwrap().reminders_sent,
        2,
        "7 days before"
    );
    assert_eq!(sweep(&t.app).await.unwrap().reminders_sent, 0);
    assert_eq!(reminders_to(&t, &carol).await.len(), 3);
    assert!(reminders_to(&t, &eve).await.is_empty());

    t.app.clock().advance(6 * DAY);
    assert_eq!(
        sweep(&t.app).await.unwrap().reminders_sent,
        2,
        "the day before"
    );
}

#[tokio::test]
async fn the_photographer_hears_once_when_the_gallery_expires() {
    let ClosingWedding {
        t, anna, gallery, ..
    } = closing_wedding().await;
    t.app.clock().advance(10 * DAY);
    assert_eq!(sweep(&t.app).await.unwrap().galleries_expired, 1);
    assert_eq!(sweep(&t.app).await.unwrap().galleries_expired, 0);
    let notes = t.notifications(&anna, None).await;
    let expired: Vec<&Value> = notes.json["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["milestone"] == "gallery_expired")
        .collect();
    assert_eq!(expired.len(), 1, "{notes:?}");
    assert_eq!(expired[0]["gallery_id"], gallery);
    let told = t.emails_to(&format!("{}@example.com", anna.slug)).await;
    assert_eq!(
        told.iter()
            .filter(|m| m["subject"]
                .as_str()
                .unwrap_or_default()
                .contains("expired"))
            .count(),
        1
    );
    assert_nothing_due(&t).await;
}

#[tokio::test]
async fn a_links_own_date_reminds_only_its_client_and_never_late() {
    let t = spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    t.ready_photo(&anna, &gallery).await;
    let (carol, dave) = (unique_email("carol"), unique_email("dave"));
    let (grant, _) = invite(&t, &anna, &gallery, &carol).await;
    invite(&t, &anna, &gallery, &dave).await;
    // Five days ahead: the week-ahead reminder's moment is already past, so only the day
    // before is sent.
    let set = t
        .update_private_access(
            &anna,
            &gallery,
            &grant,
            json!({ "expires_at": rfc3339(T0 + 5 * DAY) }),
        )
        .await;
    assert_eq!(set.status, 200, "{set:?}");
    t.app.clock().advance(4 * DAY);
    assert_eq!(sweep(&t.app).await.unwrap().reminders_sent, 1);
    assert_eq!(
        reminders_to(&t, &carol).await,
        ["\"Smith wedding\" closes tomorrow: download what you want to keep"]
    );
    assert!(reminders_to(&t, &dave).await.is_empty());
    // The link's expiry is no gallery's: the photographer gets no notice for it.
    t.app.clock().advance(2 * DAY);
    assert_eq!(sweep(&t.app).await.unwrap().galleries_expired, 0);
}

#[tokio::test]
async fn a_revoked_login_gets_no_reminder() {
    let t = spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    t.ready_photo(&anna, &gallery).await;
    let email = unique_email("lena");
    let login = t
        .create_client_login(&anna, json!({ "name": "Lena", "email": email }))
        .await;
    assert_eq!(login.status, 201, "{login:?}");
    let login_id = login.json["login_id"].as_str().unwrap().to_owned();
    let released = t.release_gallery(&anna, &login_id, &gallery, None).await;
    assert!(
        released.status == 201 || released.status == 200,
        "{released:?}"
    );
    set_expiry(&t, &anna, &gallery, json!(rfc3339(T0 + 10 * DAY))).await;
    let deleted = t.delete_client_login(&anna, &login_id).await;
    assert_eq!(deleted.status, 204, "{deleted:?}");
    t.app.clock().advance(3 * DAY + 3600);
    assert_eq!(sweep(&t.app).await.unwrap().reminders_sent, 0);
    assert!(reminders_to(&t, &email).await.is_empty());
}

#[tokio::test]
async fn a_login_release_reminds_its_client() {
    let t = spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    t.ready_photo(&anna, &gallery).await;
    let email = unique_email("lena");
    let login = t
        .create_client_login(&anna, json!({ "name": "Lena", "email": email }))
        .await;
    let login_id = login.json["login_id"].as_str().unwrap().to_owned();
    let released = t.release_gallery(&anna, &login_id, &gallery, None).await;
    assert!(
        released.status == 201 || released.status == 200,
        "{released:?}"
    );
    set_expiry(&t, &anna, &gallery, json!(rfc3339(T0 + 10 * DAY))).await;
    t.app.clock().advance(3 * DAY + 3600);
    assert_eq!(sweep(&t.app).await.unwrap().reminders_sent, 1);
    assert_eq!(reminders_to(&t, &email).await.len(), 1);

    // Her overview says until when, then that it expired, without the cover.
    let code = login.json["access_code"].as_str().unwrap();
    let session = t.login_session(&anna.slug, code).await;
    let mine = t.my_galleries(Some(&session)).await;
    let card = &mine.json["galleries"][0];
    assert_eq!(card["expires_at"], rfc3339(T0 + 10 * DAY), "{mine:?}");
    assert_eq!(
        (card["expired"].as_bool(), card["cover"].is_object()),
        (Some(false), true)
    );
    t.app.clock().advance(7 * DAY);
    let mine = t.my_galleries(Some(&session)).await;
    let card = &mine.json["galleries"][0];
    assert_eq!(
        (card["expired"].as_bool(), card["cover"].is_null()),
        (Some(true), true)
    );
    let page = t
        .login_page(&anna.slug, Some(&format!("ps_login={session}")))
        .await;
    let html = page.json.as_str().unwrap_or_default();
    assert!(html.contains("Expired on 25 January 2027"), "{html}");
}
