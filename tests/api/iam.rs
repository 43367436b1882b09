//! Each function's IAM policy in the SAM template must allow every AWS call its code makes,
//! including the calls of its "missing" paths. The local emulator enforces no IAM, so a missing
//! permission would otherwise show only in AWS: a tour through every route and the ingest
//! worker records each function's calls (see `sdk_calls`), then the template is read.

use std::collections::BTreeSet;

use proofsheet_app::{App, Clock, SecretKeyUse};
use proofsheet_http::{ROUTES, Route};
use proofsheet_tests::iam_policy::{allows, environments, glob, policies, template, uncovered};
use proofsheet_tests::sdk_calls::{self, Need};
use proofsheet_tests::*;
use proofsheet_workers::Worker;
use proofsheet_workers::download::PrepareDownloads;
use proofsheet_workers::expiry::sweep;
use proofsheet_workers::ingest::Ingest;
use proofsheet_workers::resend::resend_unsent_downloads;
use serde_json::json;

mod cost_probe;

/// Every route, and the worker's paths: a new upload, a rejected one, a logo missing and then
/// present, re-renders, an upload for a photo deleted meanwhile, and every delete.
async fn tour(t: &TestApp) {
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let sub = t
        .create_gallery_raw(&anna, json!({ "title": "Ceremony", "parent_id": gallery }))
        .await;
    assert_eq!(sub.status, 201, "{sub:?}");
    t.list_galleries(&anna).await;
    t.get_gallery(&anna, &gallery).await;

    // Logo mode before any logo exists: ingest reads a missing key and falls back to text.
    let patched = t
        .update_gallery(&anna, &gallery, json!({ "watermark": { "mode": "logo" } }))
        .await;
    assert_eq!(patched.status, 200, "{patched:?}");
    let photo = t.ready_photo(&anna, &gallery).await;
    t.upload(&anna, &gallery, "junk.jpg", b"junk".to_vec(), "image/jpeg")
        .await;
    t.drain_ingest().await;

    // A logo arrives: every gallery in logo mode is re-rendered.
    let logo = t
        .create_logo_upload(
            &anna,
            json!({ "content_type": "image/png", "size": logo_png().len() }),
        )
        .await;
    assert_eq!(logo.status, 201, "{logo:?}");
    assert!(
        t.put_upload(&logo.json, logo_png())
            .await
            .status()
            .is_success()
    );
    t.drain_ingest().await;
    // The logo on client pages and emails: made by ingest, served, then taken off.
    let brand_logo = t
        .create_brand_logo_upload(
            &anna,
            json!({ "content_type": "image/png", "size": logo_png().len() }),
        )
        .await;
    assert_eq!(brand_logo.status, 201, "{brand_logo:?}");
    assert!(
        t.put_upload(&brand_logo.json, logo_png())
            .await
            .status()
            .is_success()
    );
    t.drain_ingest().await;
    let account = t.get_account(&anna).await;
    let logo_url = account.json["logo"]["url"].as_str().expect("a logo");
    let logo_path = logo_url.strip_prefix(BASE_URL).expect("on the base URL");
    assert_eq!(t.call("GET", logo_path, None, None).await.status, 200);
    // A name that is no logo: S3's answer for a missing key must be a 404 (ListBucket).
    let missing = format!(
        "{}/0123456789abcdef0123456789abcdef.png",
        &logo_path[..logo_path.rfind('/').unwrap()]
    );
    assert_eq!(t.call("GET", &missing, None, None).await.status, 404);
    assert_eq!(t.remove_brand_logo(&anna).await.status, 204);
    t.list_photos(&anna, &gallery).await;
    // The photographer's own order: the client's views below read it (BatchGetItem).
    let arranged = t
        .arrange_photos(&anna, &gallery, json!({ "photo_ids": [photo] }))
        .await;
    assert_eq!(arranged.status, 200, "{arranged:?}");

    // The client side.
    let general = t
        .put_general_access(&anna, &gallery, json!({ "password": "letmein1" }))
        .await;
    assert_eq!(general.status, 200, "{general:?}");
    t.get_general_access(&anna, &gallery).await;
    let path = t.general_path(&anna, &gallery).await;
    t.unlock_gallery(&path, "wrong-guess").await;
    let session = t.unlock_gallery(&path, "letmein1").await.json["session"]
        .as_str()
        .expect("session")
        .to_owned();
    assert_eq!(t.view_gallery(&path, Some(&session)).await.status, 200);
    // A cursor of file-name order reads that index before the arrangement starts over.
    let by_name = proofsheet_policy::cursor_after(proofsheet_policy::paging::Cursor::Indexed {
        order: proofsheet_policy::paging::IndexedOrder::Filename,
        key: proofsheet_policy::photo_order::filename_order_key("photo.jpg", photo_id(&photo)),
    });
    let later = t
        .view_gallery(&format!("{path}?cursor={by_name}"), Some(&session))
        .await;
    assert_eq!(later.status, 200, "{later:?}");

    let grant = t
        .create_private_access(
            &anna,
            &gallery,
            json!({ "email": unique_email("ann"), "name": "Ann" }),
        )
        .await;
    assert_eq!(grant.status, 201, "{grant:?}");
    let grant_id = grant.json["grant_id"].as_str().unwrap();
    t.list_private_access(&anna, &gallery).await;
    t.update_private_access(&anna, &gallery, grant_id, json!({ "download_limit": 9 }))
        .await;
    favourites_and_downloads(t, &anna, &gallery, &photo, &path, &session).await;
    client_logins(t, &anna, &gallery).await;
    studio(t, &anna).await;
    expiry(t, &anna, &gallery, grant_id).await;
    for as_whom in ["general".to_owned(), format!("grant:{grant_id}")] {
        let preview = t.preview_gallery(&anna, &gallery, &as_whom).await;
        assert_eq!(preview.status, 200, "{preview:?}");
    }
    // What the clients above did, and the milestones they reached (views, a list, downloads).
    for query in [None, Some("format=csv")] {
        let activity = t.gallery_activity(&anna, &gallery, query).await;
        assert_eq!(activity.status, 200, "{activity:?}");
    }
    let notes = t.notifications(&anna, Some("limit=1")).await;
    assert_eq!(notes.status, 200, "{notes:?}");
    let first = notes.json["notifications"][0]["notification_id"]
        .as_str()
        .expect("a milestone was reached")
        .to_owned();
    assert_eq!(t.read_notification(&anna, &first).await.status, 204);
    assert_eq!(t.read_notification(&anna, &first).await.status, 204);
    // The read routes not named above, with what this tour made: a new one needs no line here.
    let photo_id = photo.as_str();
    let ids = [
        ("gallery_id", gallery.as_str()),
        ("grant_id", grant_id),
        ("photo_id", photo_id),
    ];
    let visited = t.sdk_calls.functions();
    for (spec, path) in unvisited_reads(|f| visited.contains(f), &ids) {
        let path =
            path.unwrap_or_else(|missing| panic!("the tour has no {missing} for {}", spec.path));
        let read = t.call("GET", &path, Some(&anna.api_key), None).await;
        assert_eq!(read.status, 200, "{} {read:?}", spec.path);
    }
    t.delete_private_access(&anna, &gallery, grant_id).await;

    // An upload that lands after its photo was deleted.
    let late = t
        .create_photo_upload(
            &anna,
            &gallery,
            json!({ "filename": "late.jpg", "content_type": "image/jpeg", "size": jpeg(64, 48).len() }),
        )
        .await;
    let late_photo = late.json["photo_id"].as_str().unwrap().to_owned();
    t.delete_photo(&anna, &gallery, &late_photo).await;
    assert!(
        t.put_upload(&late.json, jpeg(64, 48))
            .await
            .status()
            .is_success()
    );
    t.drain_ingest().await;

    t.delete_photo(&anna, &gallery, &photo).await;
    // A delete refused for a sub-gallery takes back its mark; then each goes, children first.
    let refused = t.delete_gallery(&anna, &gallery).await;
    assert_eq!(refused.status, 409, "{refused:?}");
    for id in [sub.json["id"].as_str().unwrap(), &gallery] {
        let deleted = t.delete_gallery(&anna, id).await;
        assert_eq!(deleted.status, 204, "{deleted:?}");
    }
}

/// The visitor routes' paths: email capture making a grant and finding one, a new list, an
/// existing one and one emptied, the download manager, a request accepted, retried and re-sent
/// by its status page, and the photographer's view of the favourites.
async fn favourites_and_downloads(
    t: &TestApp,
    anna: &Photographer,
    gallery: &str,
    photo: &str,
    general_path: &str,
    session: &str,
) {
    // A new visitor gets a grant (transaction) and its link by email; the same email again gets
    // only an email.
    let email = unique_email("vic");
    let visitor = t.identify(general_path, Some(session), &email).await;
    assert_eq!(visitor.status, 201, "{visitor:?}");
    let again = t.identify(general_path, Some(session), &email).await;
    assert_eq!(again.status, 202, "{again:?}");
    let path = client_path(visitor.json["link"].as_str().unwrap());
    // The general link's password carries over, and so a session for it.
    let session_of_general = session;
    let session = visitor.json["session"].as_str();
    assert!(session.is_some(), "{visitor:?}");

    // The visitor's first view is counted (a milestone: claim + notification + unread count,
    // then the photographer's email); the second only counted.
    for _ in 0..2 {
        assert_eq!(t.view_gallery(&path, session).await.status, 200);
    }

    // A new list (transaction), then into an existing one; the last photo off a list deletes
    // it (transaction).
    for list in [None, None, Some("Album")] {
        let added = t.add_favourite(&path, session, photo, list).await;
        assert_eq!(added.status, 204, "{added:?}");
    }
    let removed = t
        .remove_favourite(&path, session, photo, Some("Album"))
        .await;
    assert_eq!(removed.status, 204, "{removed:?}");
    // A list too many: the refusal counts the lists.
    for n in 2..=20 {
        let list = format!("List {n}");
        let added = t.add_favourite(&path, session, photo, Some(&list)).await;
        assert_eq!(added.status, 204, "{added:?}");
    }
    let refused = t
        .add_favourite(&path, session, photo, Some("List 21"))
        .await;
    assert_invalid(&refused, "list");
    assert_eq!(t.list_favourites(&path, session).await.status, 200);
    for query in [None, Some("format=txt")] {
        let listed = t.list_gallery_favourites(anna, gallery, query).await;
        assert_eq!(listed.status, 200, "{listed:?}");
    }
    // The photographer shares with the visitor's email: the invitation replaces the visitor's
    // grant (transaction), moves its lists and deletes what is left of it.
    let replaced = t
        .create_private_access(anna, gallery, json!({ "email": email }))
        .await;
    assert_eq!(replaced.status, 201, "{replaced:?}");
    // Revoked, the email is left a marked claim: the general link gives it nothing new.
    let revoked = replaced.json["grant_id"].as_str().unwrap();
    assert_eq!(
        t.delete_private_access(anna, gallery, revoked).await.status,
        204
    );
    assert_eq!(
        t.identify(general_path, Some(session_of_general), &email)
            .await
            .status,
        202
    );

    // Downloads, on a private link that allows them.
    let invited = t
        .create_private_access(
            anna,
            gallery,
            json!({
                "email": unique_email("bo"),
                "downloads_enabled": true,
                "download_resolutions": ["web"],
            }),
        )
        .await;
    assert_eq!(invited.status, 201, "{invited:?}");
    let grant_id = invited.json["grant_id"].as_str().unwrap();
    let path = client_path(invited.json["link"].as_str().unwrap());
    // The link keeps the general link's password.
    let unlocked = t.unlock_gallery(&path, "letmein1").await;
    let session = unlocked.json["session"].as_str();
    assert!(session.is_some(), "{unlocked:?}");
    assert_eq!(t.get_downloads(&path, session).await.status, 200);
    // Selected, unselected, and selected again for the request to take from the selection.
    assert_eq!(t.select_download(&path, session, photo).await.status, 204);
    assert_eq!(t.unselect_download(&path, session, photo).await.status, 204);
    assert_eq!(t.select_download(&path, session, photo).await.status, 204);
    // Accepted: the charge + request + selection transaction, the message, the mark. Then a
    // retry with the same key, which finds the first.
    let body = json!({ "resolution": "web" });
    let accepted = t
        .create_download_request(&path, session, Some("tour-1"), body.clone())
        .await;
    assert_eq!(accepted.status, 202, "{accepted:?}");
    let retried = t
        .create_download_request(&path, session, Some("tour-1"), body)
        .await;
    assert_eq!(retried.status, 202, "{retried:?}");
    let request = accepted.json["request_id"].as_str().unwrap();
    assert_eq!(retried.json["request_id"], request, "{retried:?}");
    assert_eq!(t.list_download_requests(&path, session).await.status, 200);
    assert_eq!(
        t.get_download_request(&path, session, request).await.status,
        200
    );
    // A request whose accepting call stopped before sending: its status page sends it.
    make_unsent(t, grant_id, request).await;
    assert_eq!(
        t.get_download_request(&path, session, request).await.status,
        200
    );
    assert_eq!(
        t.download_messages().await.len(),
        2,
        "accepted, then re-sent"
    );
    // Another one left unsent: the scheduled sweep sends it.
    make_unsent(t, grant_id, request).await;
    let swept = sdk_calls::FUNCTION
        .scope(RESEND_FUNCTION, resend_unsent_downloads(&t.app))
        .await
        .expect("sweep");
    assert_eq!(swept, 1);
    // The worker renders it (a cache miss, then the ZIP's multipart upload, the outcome and the
    // email), and the emailed link redirects to the ZIP.
    assert_eq!(t.drain_downloads().await, 1, "swept");
    let done = t.get_download_request(&path, session, request).await;
    assert_eq!(done.json["status"], "ready", "{done:?}");
    let (opened, zip) = t.fetch_zip(done.json["link"].as_str().unwrap()).await;
    assert_eq!(opened.status, 302, "{opened:?}");
    assert!(zip.is_some());
}

/// Expiry: dates on the gallery and on a link (which schedule what falls due), the sweep a day
/// later (a reminder: the link's client and photographer read, a claim, an email with a signed
/// link) and after the date (the photographer's notice and its claim, in one transaction), an
/// expired link's refusal (the photographer read for whom to ask); then the date removed.
async fn expiry(t: &TestApp, anna: &Photographer, gallery: &str, grant_id: &str) {
    let now = t.app.now();
    let at = |secs: u64| {
        aws_smithy_types::DateTime::from_secs(secs as i64)
            .fmt(aws_smithy_types::date_time::Format::DateTime)
            .unwrap()
    };
    let set = t
        .update_gallery(anna, gallery, json!({ "expires_at": at(now + 2 * DAY) }))
        .await;
    assert_eq!(set.status, 200, "{set:?}");
    // A sub-gallery made now takes the date, and what falls due before it.
    let dated_sub = t
        .create_gallery_raw(anna, json!({ "title": "Reception", "parent_id": gallery }))
        .await;
    assert_eq!(
        dated_sub.json["expires_at"],
        at(now + 2 * DAY),
        "{dated_sub:?}"
    );
    let own = t
        .update_private_access(
            anna,
            gallery,
            grant_id,
            json!({ "expires_at": at(now + 3 * DAY) }),
        )
        .await;
    assert_eq!(own.status, 200, "{own:?}");
    let later = |secs: u64| {
        App::with_store(t.app.store().clone(), t.app.config().clone())
            .with_clock(Clock::fixed(now + secs))
    };
    let reminded = sdk_calls::FUNCTION
        .scope(EXPIRY_FUNCTION, sweep(&later(DAY + 3600)))
        .await
        .expect("sweep");
    assert!(reminded.reminders_sent >= 1, "{reminded:?}");
    let expired = sdk_calls::FUNCTION
        .scope(EXPIRY_FUNCTION, sweep(&later(2 * DAY + 60)))
        .await
        .expect("sweep");
    // The gallery and the sub-gallery that took its date.
    assert_eq!(expired.galleries_expired, 2, "{expired:?}");
    let reception = dated_sub.json["id"].as_str().unwrap();
    let deleted = t.delete_gallery(anna, reception).await;
    assert_eq!(deleted.status, 204, "{deleted:?}");
    let cleared = t
        .update_gallery(anna, gallery, json!({ "expires_at": null }))
        .await;
    assert_eq!(cleared.status, 200, "{cleared:?}");
    let cleared = t
        .update_private_access(anna, gallery, grant_id, json!({ "expires_at": null }))
        .await;
    assert_eq!(cleared.status, 200, "{cleared:?}");
}

const DAY: u64 = 24 * 60 * 60;

/// Client logins: created, listed, changed (a new code), a gallery released with its
/// sub-galleries (transaction, email), the login page (a wrong code, then the right one), the
/// overview (covers presigned), a withdrawal and the login's deletion with a release left.
async fn client_logins(t: &TestApp, anna: &Photographer, gallery: &str) {
    let created = t
        .create_client_login(
            anna,
            json!({ "name": "Carol", "email": unique_email("carol"), "access_code": "KIWI-LOTUS-5820" }),
        )
        .await;
    assert_eq!(created.status, 201, "{created:?}");
    let login = created.json["login_id"].as_str().unwrap().to_owned();
    assert_eq!(t.list_client_logins(anna).await.status, 200);
    assert_eq!(t.get_client_login(anna, &login).await.status, 200);
    assert_eq!(t.get_account(anna).await.status, 200);
    // The name, and the login page moved and back (the old address stays Anna's).
    let moved_slug = format!("{}-new", anna.slug);
    let moved = t
        .update_account(
            anna,
            json!({ "name": "Anna Lee Studio", "slug": moved_slug }),
        )
        .await;
    assert_eq!(moved.status, 200, "{moved:?}");
    let left = t.browse(&format!("/p/{}", anna.slug), None).await;
    assert_eq!(left.status, 302, "{left:?}");
    let back = t.update_account(anna, json!({ "slug": anna.slug })).await;
    assert_eq!(back.status, 200, "{back:?}");
    let changed = t
        .update_client_login(anna, &login, json!({ "new_access_code": true }))
        .await;
    assert_eq!(changed.status, 200, "{changed:?}");
    let code = changed.json["access_code"].as_str().unwrap().to_owned();
    let released = t
        .release_gallery(
            anna,
            &login,
            gallery,
            Some(json!({ "include_subgalleries": true })),
        )
        .await;
    assert_eq!(released.status, 201, "{released:?}");
    let again = t
        .release_gallery(anna, &login, gallery, Some(json!({ "download_limit": 5 })))
        .await;
    assert_eq!(again.status, 200, "{again:?}");
    assert_eq!(t.list_releases(anna, &login).await.status, 200);
    assert_eq!(t.log_in(&anna.slug, "WRONG-CODE-1234").await.status, 401);
    let logged_in = t.log_in(&anna.slug, &code).await;
    assert_eq!(logged_in.status, 200, "{logged_in:?}");
    let session = logged_in.json["session"].as_str().unwrap();
    let overview = t.my_galleries(Some(session)).await;
    assert_eq!(overview.status, 200, "{overview:?}");
    // The login page in a browser: the form, a login through it, the page's overview.
    let page = format!("/p/{}", anna.slug);
    let login_page = t.login_page(&anna.slug, None).await;
    assert_eq!(login_page.status, 200);
    let stylesheet = login_page
        .json
        .as_str()
        .unwrap()
        .split("href=\"")
        .find(|rest| rest.starts_with("/static/"))
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    assert_eq!(t.static_asset(&stylesheet).await.status, 200);
    let form = t
        .post_form(&format!("{page}/login"), &[("access_code", &code)], None)
        .await;
    assert_eq!(form.status, 303, "{form:?}");
    let cookie = form.headers["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap();
    let listed = t.login_page(&anna.slug, Some(cookie)).await;
    let out = t
        .post_form(&format!("{page}/logout"), &[], Some(cookie))
        .await;
    assert_eq!(out.status, 303, "{out:?}");
    assert!(
        listed.json.as_str().unwrap().contains("class=\"card\""),
        "{listed:?}"
    );
    assert_eq!(t.withdraw_gallery(anna, &login, gallery).await.status, 204);
    assert_eq!(t.delete_client_login(anna, &login).await.status, 204);
}

/// The studio: a sign-in link asked for, its page, signing in, the studio's page and the API
/// through its cookie, signing out everywhere.
async fn studio(t: &TestApp, anna: &Photographer) {
    let email = format!("{}@example.com", anna.slug);
    let asked = t
        .post_form("/studio/sign-in", &[("email", &email)], None)
        .await;
    assert_eq!(asked.status, 202, "{asked:?}");
    let mail = t.emails_to(&email).await.last().unwrap().to_string();
    let at = mail.find("/studio/sign-in/").expect("a sign-in link");
    let link = &mail[at..at + "/studio/sign-in/".len() + 43];
    assert_eq!(t.browse(link, None).await.status, 200);
    let signed = t.post_form(link, &[], None).await;
    assert_eq!(signed.status, 303, "{signed:?}");
    let cookie = signed.headers["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap();
    let page = t.browse("/studio", Some(cookie)).await;
    assert_eq!(page.status, 200, "{page:?}");
    // The API keys, with the studio's session and its own header.
    let from_the_studio = [
        ("cookie", cookie),
        ("x-proofsheet-studio", "1"),
        ("sec-fetch-site", "same-origin"),
    ];
    let made = t
        .call_with_headers(
            "POST",
            "/api-keys",
            None,
            &from_the_studio,
            Some(serde_json::json!({ "name": "tour" })),
        )
        .await;
    assert_eq!(made.status, 201, "{made:?}");
    let listed = t
        .call_with_headers("GET", "/api-keys", None, &from_the_studio, None)
        .await;
    assert_eq!(listed.status, 200, "{listed:?}");
    let key = made.json["key_id"].as_str().unwrap();
    let revoked = t
        .call_with_headers(
            "DELETE",
            &format!("/api-keys/{key}"),
            None,
            &from_the_studio,
            None,
        )
        .await;
    assert_eq!(revoked.status, 204, "{revoked:?}");
    // A new sign-in address: the link to it confirms it as it signs in.
    let new_email = unique_email("anna-new");
    let asked = t
        .call_with_headers(
            "POST",
            "/account/email",
            None,
            &from_the_studio,
            Some(json!({ "email": new_email })),
        )
        .await;
    assert_eq!(asked.status, 202, "{asked:?}");
    let mail = t.emails_to(&new_email).await.last().unwrap().to_string();
    let at = mail.find("/studio/sign-in/").expect("a confirming link");
    let confirm = &mail[at..at + "/studio/sign-in/".len() + 43];
    assert_eq!(t.browse(confirm, None).await.status, 200);
    let confirmed = t.post_form(confirm, &[], None).await;
    assert_eq!(confirmed.status, 303, "{confirmed:?}");
    // The change ended the session that asked for it; the confirming sign-in opened another,
    // which signs out everywhere (cancelling any change still pending).
    let cookie = confirmed.headers["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap();
    let out = t
        .post_form("/studio/sign-out", &[("everywhere", "true")], Some(cookie))
        .await;
    assert_eq!(out.status, 303, "{out:?}");
}

/// Makes a download request look as if its accepting call stopped before sending it, a while
/// ago (the store's item, edited directly: no route leaves one behind on purpose).
async fn make_unsent(t: &TestApp, grant_id: &str, request: &str) {
    use aws_sdk_dynamodb::types::AttributeValue;
    let sdk = proofsheet_store::load_sdk_config().await;
    aws_sdk_dynamodb::Client::new(&sdk)
        .update_item()
        .table_name(&t.provisioned.resources.table)
        .key("PK", AttributeValue::S(format!("GRANT#{grant_id}")))
        .key("SK", AttributeValue::S(format!("DLJOB#{request}")))
        .update_expression(
            "SET created_at = created_at - :age, GSI1PK = :unsent, GSI1SK = :long_ago \
             REMOVE enqueued_at",
        )
        .condition_expression("attribute_exists(enqueued_at)")
        .expression_attribute_values(":age", AttributeValue::N("3600".into()))
        .expression_attribute_values(":unsent", AttributeValue::S("DLJOB#UNSENT".into()))
        .expression_attribute_values(
            ":long_ago",
            AttributeValue::S(format!("000000000000#{request}")),
        )
        .send()
        .await
        .expect("the request's item, sent");
}

#[tokio::test]
async fn every_function_is_allowed_every_call_its_code_makes() {
    let mut t = TestApp::spawn().await;
    // Only with PROOFSHEET_CALLS_OUT set (scripts/cost): calls counted, invocations timed.
    let probe = cost_probe::Probe::install(&mut t).await;
    tour(&t).await;
    if let Some(probe) = probe {
        probe.write();
    }
    let needs = t.sdk_calls.needs();

    // The controls: the tour reached every function, and a missing key on the worker's path.
    let reached: BTreeSet<&str> = needs.iter().map(|n| n.function).collect();
    // The pages' static files are in the binary, and logging out clears a cookie: those
    // functions (run by the tour) call nothing.
    let needs_no_aws = [Route::StaticAsset, Route::LogOut].map(|r| r.spec().function);
    for function in ROUTES.iter().map(|r| r.function).chain(WORKER_FUNCTIONS) {
        if !needs_no_aws.contains(&function) {
            assert!(reached.contains(function), "the tour never ran {function}");
        }
    }
    for function in needs_no_aws {
        assert!(!reached.contains(function), "{function} calls AWS");
    }
    assert!(
        needs
            .iter()
            .any(|n| n.function == INGEST_FUNCTION && n.call.ends_with("of a missing key")),
        "the tour never read a missing key in ingest"
    );
    assert!(
        needs
            .iter()
            .any(|n| n.function == "get-download-request" && n.action == "sqs:SendMessage"),
        "the tour never re-sent a download request"
    );

    let template = template();
    let gaps = uncovered(&template, &needs);
    assert!(
        gaps.is_empty(),
        "infra/template.yaml does not allow:\n  {}",
        gaps.join("\n  ")
    );

    // The check bites: without ingest's ListBucket (the foundation's template), a missing logo
    // would be a 403 in AWS, and the check says so.
    let statement = "            - Effect: Allow\n              Action: s3:ListBucket\n              Resource: !Sub \"arn:${AWS::Partition}:s3:::${PhotosBucket}\"\n            # The validated original";
    assert!(template.contains(statement), "the template changed shape");
    let without = template.replace(statement, "            # The validated original");
    let gaps = uncovered(&without, &needs);
    assert!(
        gaps.iter()
            .any(|g| g.starts_with("ingest-photo: s3:ListBucket on bucket (")),
        "{gaps:#?}"
    );
}

/// The secret key is in no function's configuration, and only the functions whose code makes or
/// checks links and sessions may read it from Parameter Store.
#[test]
fn only_the_functions_that_use_the_secret_key_can_read_it() {
    let template = template();
    let policies = policies(&template);
    let environments = environments(&template);
    let read = |function: &'static str| Need {
        function,
        action: "ssm:GetParameter".into(),
        resource: "parameter:SECRET_KEY".into(),
        prefix: None,
        call: "SSM:GetParameter".into(),
    };
    let functions = ROUTES
        .iter()
        .map(|r| (r.function, r.route.secret_key_use()))
        .chain([
            (INGEST_FUNCTION, Ingest::SECRET_KEY),
            (RESEND_FUNCTION, SecretKeyUse::NotNeeded),
            (EXPIRY_FUNCTION, SecretKeyUse::Needed),
            (DOWNLOAD_FUNCTION, PrepareDownloads::SECRET_KEY),
        ]);
    let mut needing = 0;
    for (function, secret_key_use) in functions {
        let needed = secret_key_use == SecretKeyUse::Needed;
        needing += usize::from(needed);
        let env = &environments[function];
        assert!(
            !env.iter().any(|v| v == "SECRET_KEY"),
            "{function}: {env:?}"
        );
        assert_eq!(
            env.iter().any(|v| v == "SECRET_KEY_PARAMETER"),
            needed,
            "{function}: {env:?}"
        );
        assert_eq!(
            allows(&policies[function], &read(function)),
            needed,
            "{function} reading the secret key"
        );
    }
    assert!(needing > 0, "the routes that make links need the key");
}

/// Invitations go out from the deployment's own sender only.
#[test]
fn email_may_be_sent_only_from_the_sender_identity() {
    let policies = policies(&template());
    for (function, statements) in &policies {
        for statement in statements {
            if statement.actions.iter().any(|a| a.starts_with("ses:")) {
                assert_eq!(statement.resources, ["identity/SENDER"], "{function}");
            }
        }
    }
}

/// The template reader's pattern match: `*` is the only special character.
#[test]
fn glob_matches_stars_only() {
    assert!(glob("bucket/originals/*", "bucket/originals/a/b"));
    assert!(!glob("bucket/originals/*", "bucket/renditions/a"));
    assert!(glob("identity/*", "identity/SENDER"));
    assert!(glob("a*c*e", "abcde"));
    assert!(!glob("table", "table/index/GSI1"));
}

fn photo_id(raw: &str) -> proofsheet_policy::PhotoId {
    proofsheet_policy::PhotoId::parse(raw).expect("photo id")
}
