//! Probes of sub-gallery navigation, client activity and milestones, notifications and the
//! photographer's preview, written as an attacker and as a demanding photographer would use the
//! routes. Each asserts the behaviour issue 9 promises; those that found a defect (since fixed)
//! say so, with what went wrong and the fix it suggested.

use futures::future::join_all;
use proofsheet_tests::*;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// A wedding with a ceremony sub-gallery, navigation on; returns (parent, child).
async fn family(t: &TestApp, who: &Photographer) -> (String, String) {
    let wedding = t.create_gallery(who, "Smith wedding").await;
    t.ready_photo(who, &wedding).await;
    let ceremony = t
        .create_gallery_raw(who, json!({ "title": "Ceremony", "parent_id": wedding }))
        .await;
    assert_eq!(ceremony.status, 201, "{ceremony:?}");
    let ceremony = ceremony.json["id"].as_str().unwrap().to_owned();
    t.ready_photo(who, &ceremony).await;
    let on = t
        .update_gallery(who, &wedding, json!({ "navigation_to_subgalleries": true }))
        .await;
    assert_eq!(on.status, 200, "{on:?}");
    (wedding, ceremony)
}

async fn navigation(t: &TestApp, path: &str, session: Option<&str>) -> Value {
    let view = t.view_gallery(path, session).await;
    assert_eq!(view.status, 200, "{view:?}");
    view.json["navigation"].clone()
}

/// Invites `email` on `gallery` with generous settings; returns (grant id, link).
async fn invite(t: &TestApp, who: &Photographer, gallery: &str, email: &str) -> (String, String) {
    let body = json!({ "email": email, "name": "Victim", "watermark": false,
                       "downloads_enabled": true, "download_resolutions": ["web"] });
    let link = t.invite(who, gallery, body).await;
    (link.grant_id, link.link)
}

fn links(nav: &Value) -> Vec<String> {
    let mut out: Vec<String> = nav["subgalleries"]
        .as_array()
        .map(|subs| {
            subs.iter()
                .map(|s| s["link"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default();
    if let Some(up) = nav["parent"]["link"].as_str() {
        out.push(up.to_owned());
    }
    out
}

async fn activity_of(t: &TestApp, who: &Photographer, gallery: &str) -> Vec<Value> {
    let reply = t.gallery_activity(who, gallery, None).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.json["clients"].as_array().unwrap().clone()
}

async fn all_notifications(t: &TestApp, who: &Photographer) -> Vec<Value> {
    let reply = t.notifications(who, Some("limit=100")).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.json["notifications"].as_array().unwrap().clone()
}

fn count_of(notes: &[Value], milestone: &str) -> usize {
    notes.iter().filter(|n| n["milestone"] == milestone).count()
}

async fn unread(t: &TestApp, who: &Photographer) -> i64 {
    t.notifications(who, None).await.json["unread"]
        .as_i64()
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// Navigation: whose link a viewer is handed
// ---------------------------------------------------------------------------------------------

// Found by the probe, fixed: navigation hands a stranger an invited client's private link. A private-link viewer's
// "own grant" on a neighbour is looked up by the *email* on their link (`client_access`), but a
// link made by `POST /g/{token}/identify` carries an email nobody proved (identify.rs says so
// itself: "typing an address proves nothing about owning it", and never hands out an existing
// grant). So: the photographer invites victim@… to the Ceremony (clean, downloads on); an
// attacker opens the Wedding's general link, identifies as victim@… (new to the Wedding: 201,
// the link comes back to the caller), opens that link, and the navigation lists the Ceremony
// through the *victim's* private link: unwatermarked photos, the victim's downloads, favourites
// and download-request history, all acted on in the victim's name. Works both ways (down from
// the parent and up from a child). Severity: high (account takeover of a client's link from a
// public link + an email address).
// Fix suggested: only trust the email of a grant whose address the photographer vouched for
// (origin photographer); for visitor grants (and grants without email) use the neighbour's
// general link, or, at most, a visitor grant on the neighbour (never a photographer's).
#[tokio::test]
async fn identify_on_the_parent_never_hands_over_an_invited_clients_child_link() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let (wedding, ceremony) = family(&t, &anna).await;
    let victim = unique_email("victim");
    let (_, victim_child_link) = invite(&t, &anna, &ceremony, &victim).await;

    // Down: the attacker claims the victim's address on the parent's general link.
    let general = t.general_path(&anna, &wedding).await;
    let claimed = t.identify(&general, None, &victim).await;
    assert_eq!(claimed.status, 201, "{claimed:?}");
    let attacker_path = client_path(claimed.json["link"].as_str().unwrap());
    let nav = navigation(&t, &attacker_path, None).await;
    assert!(
        !links(&nav).contains(&victim_child_link),
        "the victim's private link is handed to whoever typed their email: {nav}"
    );
}

// Found by the probe, fixed: the same as above, upwards (see the comment there).
#[tokio::test]
async fn identify_on_a_child_never_hands_over_an_invited_clients_parent_link() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let (wedding, ceremony) = family(&t, &anna).await;
    // Up: the victim is invited on the parent; the attacker claims the address on the child.
    let victim2 = unique_email("victim2");
    let (_, victim_parent_link) = invite(&t, &anna, &wedding, &victim2).await;
    let child_general = t.general_path(&anna, &ceremony).await;
    let claimed = t.identify(&child_general, None, &victim2).await;
    assert_eq!(claimed.status, 201, "{claimed:?}");
    let nav = navigation(
        &t,
        &client_path(claimed.json["link"].as_str().unwrap()),
        None,
    )
    .await;
    assert!(
        !links(&nav).contains(&victim_parent_link),
        "the victim's parent link is handed to whoever typed their email: {nav}"
    );
}

// Found by the probe, fixed: the same root cause, turned on the victim. The attacker identifies as victim@… on
// the child's general link (victim invited on the parent only) and keeps the visitor link the
// call returns. When the victim opens their parent link, navigation sends them into the
// attacker's visitor link on the child: whatever they favourite or download there lands on a
// link the attacker holds and reads (lists, download requests and their ZIP links).
// Severity: high. Fix: as above (a visitor grant is never "the viewer's own" for navigation).
#[tokio::test]
async fn navigation_never_sends_a_client_into_a_link_a_stranger_holds() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let (wedding, ceremony) = family(&t, &anna).await;
    let victim = unique_email("victim");
    let (_, victim_parent_link) = invite(&t, &anna, &wedding, &victim).await;
    let planted = t
        .identify(&t.general_path(&anna, &ceremony).await, None, &victim)
        .await;
    assert_eq!(planted.status, 201, "{planted:?}");
    let attackers = planted.json["link"].as_str().unwrap().to_owned();
    let nav = navigation(&t, &client_path(&victim_parent_link), None).await;
    assert!(
        !links(&nav).contains(&attackers),
        "the client is sent into a link the attacker holds: {nav}"
    );
}

#[tokio::test]
async fn a_revoked_clients_link_on_the_neighbour_is_never_offered() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let (wedding, ceremony) = family(&t, &anna).await;
    let ann = unique_email("ann");
    let (_, parent_link) = invite(&t, &anna, &wedding, &ann).await;
    let (child_grant, child_link) = invite(&t, &anna, &ceremony, &ann).await;
    let path = client_path(&parent_link);
    assert_eq!(
        links(&navigation(&t, &path, None).await),
        std::slice::from_ref(&child_link)
    );
    assert_eq!(
        t.delete_private_access(&anna, &ceremony, &child_grant)
            .await
            .status,
        204
    );
    let nav = navigation(&t, &path, None).await;
    assert!(!links(&nav).contains(&child_link), "{nav}");
}

#[tokio::test]
async fn a_login_never_reaches_an_unreleased_or_withdrawn_neighbour() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let (wedding, ceremony) = family(&t, &anna).await;
    let (login, _) = t.new_client_login(&anna, "Carol", None).await;
    // Only the child is released: no way up to the parent's general link.
    let sub = t.release_gallery(&anna, &login, &ceremony, None).await;
    assert!(sub.status == 200 || sub.status == 201, "{sub:?}");
    let sub_path = client_path(sub.json["link"].as_str().unwrap());
    let up = navigation(&t, &sub_path, None).await;
    assert_eq!(up["parent"], Value::Null, "{up}");
    // Both released, then the child withdrawn: the parent no longer leads there.
    let top = t.release_gallery(&anna, &login, &wedding, None).await;
    let top_path = client_path(top.json["link"].as_str().unwrap());
    assert_eq!(
        navigation(&t, &top_path, None).await["subgalleries"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        t.withdraw_gallery(&anna, &login, &ceremony).await.status,
        204
    );
    let down = navigation(&t, &top_path, None).await;
    assert_eq!(down["subgalleries"], json!([]), "{down}");
    // A revoked login: the parent link is dead, nothing to navigate.
    assert_eq!(t.delete_client_login(&anna, &login).await.status, 204);
    assert_error(&t.view_gallery(&top_path, None).await, 404, "not_found");
}

#[tokio::test]
async fn a_general_viewer_is_never_handed_a_private_link() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let (wedding, ceremony) = family(&t, &anna).await;
    let (_, child_link) = invite(&t, &anna, &ceremony, &unique_email("ann")).await;
    let (login, _) = t.new_client_login(&anna, "Carol", None).await;
    let released = t.release_gallery(&anna, &login, &ceremony, None).await;
    let nav = navigation(&t, &t.general_path(&anna, &wedding).await, None).await;
    let general_child = t.get_general_access(&anna, &ceremony).await.json["link"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(links(&nav), [general_child], "{nav}");
    assert!(!links(&nav).contains(&child_link));
    assert!(!links(&nav).contains(&released.json["link"].as_str().unwrap().to_owned()));
}

#[tokio::test]
async fn another_photographers_gallery_can_never_become_a_parent() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let ben = t.photographer("Ben Ode").await;
    let wedding = t.create_gallery(&anna, "Smith wedding").await;
    let sneaky = t
        .create_gallery_raw(&ben, json!({ "title": "Phish", "parent_id": wedding }))
        .await;
    assert!(sneaky.status == 400 || sneaky.status == 422, "{sneaky:?}");
    let got = t.get_gallery(&anna, &wedding).await;
    assert_eq!(got.json["subgalleries"], json!([]), "{got:?}");
    let nav = navigation(&t, &t.general_path(&anna, &wedding).await, None).await;
    assert_eq!(nav["subgalleries"], json!([]), "{nav}");
    // Anna can still delete her gallery: no pointer left in her partition.
    assert_eq!(t.delete_gallery(&anna, &wedding).await.status, 204);
}

#[tokio::test]
async fn the_staircase_follows_the_parents_switch_both_ways() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let (wedding, ceremony) = family(&t, &anna).await;
    // The child's own switch governs only its own children, not the way up.
    t.update_gallery(
        &anna,
        &ceremony,
        json!({ "navigation_to_subgalleries": false }),
    )
    .await;
    let up = navigation(&t, &t.general_path(&anna, &ceremony).await, None).await;
    assert!(up["parent"]["link"].is_string(), "{up}");
    t.update_gallery(
        &anna,
        &wedding,
        json!({ "navigation_to_subgalleries": false }),
    )
    .await;
    let up = navigation(&t, &t.general_path(&anna, &ceremony).await, None).await;
    assert_eq!(up["parent"], Value::Null, "{up}");
    let down = navigation(&t, &t.general_path(&anna, &wedding).await, None).await;
    assert_eq!(down["subgalleries"], json!([]), "{down}");
}

// ---------------------------------------------------------------------------------------------
// Milestones: once per client and gallery
// ---------------------------------------------------------------------------------------------

// Found by the probe, fixed: milestones are claimed per *grant*, not per client and gallery. Withdrawing a gallery
// from a client login and releasing it again (e.g. to change its settings, or by mistake) makes
// a new grant: the same client's next visit is "opened the gallery for the first time" again,
// with a second notification and email, and their earlier activity (views, favourites) is gone
// from `GET /galleries/{id}/activity`. Severity: low/medium (duplicate notifications, lost
// history). Fix suggested: key the milestone claim (and the activity item) by the client (login
// id, or email) and gallery, e.g. `CLIENT#login:<id>`/`CLIENT#email:<addr>` under the gallery,
// rather than by grant; keep it when the grant is replaced.
#[tokio::test]
async fn rereleasing_a_gallery_to_a_login_does_not_repeat_its_first_view() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let wedding = t.create_gallery(&anna, "Smith wedding").await;
    t.ready_photo(&anna, &wedding).await;
    let (login, _) = t.new_client_login(&anna, "Carol", None).await;
    for _ in 0..2 {
        let released = t.release_gallery(&anna, &login, &wedding, None).await;
        let path = client_path(released.json["link"].as_str().unwrap());
        assert_eq!(t.view_gallery(&path, None).await.status, 200);
        assert_eq!(
            t.withdraw_gallery(&anna, &login, &wedding).await.status,
            204
        );
    }
    let notes = all_notifications(&t, &anna).await;
    assert_eq!(
        count_of(&notes, "first_view"),
        1,
        "Carol's first view, twice: {notes:#?}"
    );
}

// Found by the probe, fixed: the same client, notified twice and their history erased. A visitor who gave their
// email on the general link (a visitor grant) views and starts a list: first_view and
// favourites_list_created are notified. The photographer then shares the gallery with that
// email: `replace_visitor_grant` moves the lists but deletes the visitor partition (ACTIVITY,
// MILESTONE# claims, download requests). The client's next view is "opened the gallery for the
// first time" again, the next list started is notified again, and the activity shows zero
// earlier views. Severity: medium (issue: "each at most once per client and gallery"; counts
// lost). Fix suggested: move ACTIVITY and MILESTONE# items to the new grant with the lists
// (or key them by client email and gallery).
#[tokio::test]
async fn a_visitor_grant_replaced_by_an_invitation_keeps_its_activity_and_milestones() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let photo = t.ready_photo(&anna, &gallery).await;
    let general = t.general_path(&anna, &gallery).await;
    let email = unique_email("vic");
    let captured = t.identify(&general, None, &email).await;
    assert_eq!(captured.status, 201, "{captured:?}");
    let visitor = client_path(captured.json["link"].as_str().unwrap());
    assert_eq!(t.view_gallery(&visitor, None).await.status, 200);
    assert_eq!(t.view_gallery(&visitor, None).await.status, 200);
    assert_eq!(
        t.add_favourite(&visitor, None, &photo, None).await.status,
        204
    );

    let shared = t
        .create_private_access(&anna, &gallery, json!({ "email": email }))
        .await;
    assert_eq!(shared.status, 201, "{shared:?}");
    let path = client_path(shared.json["link"].as_str().unwrap());
    assert_eq!(t.view_gallery(&path, None).await.status, 200);
    assert_eq!(
        t.add_favourite(&path, None, &photo, Some("Album"))
            .await
            .status,
        204
    );

    let notes = all_notifications(&t, &anna).await;
    let clients = activity_of(&t, &anna, &gallery).await;
    assert_eq!(clients.len(), 1, "{clients:#?}");
    let found = (
        clients[0]["view_count"].as_u64(),
        count_of(&notes, "first_view"),
        count_of(&notes, "favourites_list_created"),
    );
    assert_eq!(
        found,
        (Some(3), 1, 1),
        "(views, first views told, lists told) after the swap"
    );
}

#[tokio::test]
async fn download_retries_and_racing_requests_notify_once() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let photo = t.ready_photo(&anna, &gallery).await;
    let grant = t
        .create_private_access(
            &anna,
            &gallery,
            json!({ "email": unique_email("dl"), "downloads_enabled": true,
                    "download_resolutions": ["web"], "download_limit": 5 }),
        )
        .await;
    assert_eq!(grant.status, 201, "{grant:?}");
    let path = client_path(grant.json["link"].as_str().unwrap());
    let body = json!({ "resolution": "web", "photo_ids": [photo] });
    // Five racing tries of one request (one Idempotency-Key), then a retry of it.
    let tries = join_all(
        (0..5)
            .map(|_| t.create_download_request(&path, None, Some("retry-key-0001"), body.clone())),
    )
    .await;
    for reply in &tries {
        assert!(reply.status == 202 || reply.status == 409, "{reply:?}");
    }
    let again = t
        .create_download_request(&path, None, Some("retry-key-0001"), body.clone())
        .await;
    assert_eq!(again.status, 202, "{again:?}");
    // And two more requests without a key.
    for _ in 0..2 {
        let more = t
            .create_download_request(
                &path,
                None,
                None,
                json!({ "resolution": "web", "all": true }),
            )
            .await;
        assert_eq!(more.status, 202, "{more:?}");
    }
    let notes = all_notifications(&t, &anna).await;
    assert_eq!(count_of(&notes, "limited_download_made"), 1, "{notes:#?}");
    assert_eq!(count_of(&notes, "full_gallery_downloaded"), 1, "{notes:#?}");
    let unread = unread(&t, &anna).await;
    assert_eq!(
        unread as usize,
        notes.len(),
        "unread matches the notifications"
    );
    let mails = t.emails_to(&format!("{}@example.com", anna.slug)).await;
    assert_eq!(mails.len(), notes.len(), "{mails:#?}");
}

#[tokio::test]
async fn racing_lists_notify_once() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let photo = t.ready_photo(&anna, &gallery).await;
    let (_, link) = invite(&t, &anna, &gallery, &unique_email("fav")).await;
    let path = client_path(&link);
    let lists = ["A", "B", "C", "D", "E", "A", "A"];
    let replies = join_all(
        lists
            .iter()
            .map(|l| t.add_favourite(&path, None, &photo, Some(l))),
    )
    .await;
    for reply in &replies {
        assert_eq!(reply.status, 204, "{reply:?}");
    }
    let notes = all_notifications(&t, &anna).await;
    assert_eq!(count_of(&notes, "favourites_list_created"), 1, "{notes:#?}");
    let clients = activity_of(&t, &anna, &gallery).await;
    assert_eq!(clients[0]["favourites"]["lists"], 5, "{clients:#?}");
}

// ---------------------------------------------------------------------------------------------
// What counts as a view
// ---------------------------------------------------------------------------------------------

// Found by the probe, fixed: real people in common in-app browsers are not counted. The bot list matches
// substrings such as "snapchat" and "pinterest" (and "zoom", "viber", "signal", "preview"),
// which also appear in the user agents of those apps' *in-app browsers*, where a client tapping
// their link in Snapchat or Pinterest opens it: their views (and first-view milestone) are
// dropped. Severity: low/medium (under-counted activity, a missing first-view notification).
// Fix suggested: match the preview fetchers' own tokens ("Snap URL Preview", "Pinterestbot",
// "ZoomBot", ...) rather than the app names.
#[tokio::test]
async fn people_in_mobile_in_app_browsers_are_counted() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    t.ready_photo(&anna, &gallery).await;
    let (_, link) = invite(&t, &anna, &gallery, &unique_email("app")).await;
    let path = client_path(&link);
    let people = [
        // Instagram (iOS)
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 307.0.0.25.109 (iPhone14,2; iOS 17_1; en_GB; en; scale=3.00; 1170x2532; 531540588)",
        // Facebook (iOS, Android)
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/440.0.0.33.116;FBBV/544418937;FBDV/iPhone14,2;FBMD/iPhone;FBSN/iOS;FBSV/17.1;FBSS/3;FBID/phone;FBLC/en_GB;FBOP/5;FBRV/546107208]",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UD1A.230803.041; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/119.0.6045.66 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/440.0.0.31.105;]",
        // Gmail (Android web view), Outlook (iOS)
        "Mozilla/5.0 (Linux; Android 13; SM-S911B Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/119.0.6045.163 Mobile Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Outlook-iOS/738.2973542.prod.iphone (4.2349.0)",
        // LinkedIn app, Line
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [LinkedInApp]/9.29.1150",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Safari Line/13.20.0",
        // Snapchat and Pinterest in-app browsers
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Snapchat/12.60.0.43 (like Safari/8617.2.4.10.8, panda)",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [Pinterest/iOS]",
    ];
    let mut dropped = Vec::new();
    for (i, agent) in people.iter().enumerate() {
        let view = t
            .call_with_headers("GET", &path, None, &[("user-agent", agent)], None)
            .await;
        assert_eq!(view.status, 200, "{view:?}");
        let count = activity_of(&t, &anna, &gallery).await[0]["view_count"]
            .as_u64()
            .unwrap();
        if count != i as u64 + 1 - dropped.len() as u64 {
            dropped.push(*agent);
        }
    }
    assert!(dropped.is_empty(), "people not counted: {dropped:#?}");
}

// Found by the probe, fixed: an empty `User-Agent` header counts as a person. `is_link_preview` treats a missing
// header as "not a browser", but `User-Agent: ` (empty, as scripts and some fetchers send) is
// `Some("")`, matches no mark, and is counted as a view (and a first-view milestone is sent).
// Severity: low (inflated counts, a first-view notification before the client opened anything).
// Fix suggested: treat a blank (empty or whitespace-only) agent like a missing one.
#[tokio::test]
async fn link_preview_fetchers_and_agentless_requests_are_not_views() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    t.ready_photo(&anna, &gallery).await;
    let (_, link) = invite(&t, &anna, &gallery, &unique_email("bot")).await;
    let path = client_path(&link);
    let bots = [
        "TelegramBot (like TwitterBot)",
        "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5 skype-url-preview@microsoft.com",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like Gecko) Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0",
        "Slack-ImgProxy (+https://api.slack.com/robots)",
        "WhatsApp/2.2413.51 i",
        "",
    ];
    let mut counted = Vec::new();
    for agent in bots {
        let view = t
            .call_with_headers("GET", &path, None, &[("user-agent", agent)], None)
            .await;
        assert_eq!(view.status, 200, "{agent}: {view:?}");
        let count = activity_of(&t, &anna, &gallery).await[0]["view_count"]
            .as_u64()
            .unwrap();
        if count as usize != counted.len() {
            counted.push(agent);
        }
    }
    assert!(counted.is_empty(), "counted as people: {counted:?}");
    assert!(all_notifications(&t, &anna).await.is_empty());
}

#[tokio::test]
async fn later_pages_and_failed_unlocks_are_not_views() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    t.ready_photo(&anna, &gallery).await;
    let grant = t
        .create_private_access(
            &anna,
            &gallery,
            json!({ "email": unique_email("pw"), "password": "secret-2026" }),
        )
        .await;
    let path = client_path(grant.json["link"].as_str().unwrap());
    // No password yet: 401, no view.
    assert_error(&t.view_gallery(&path, None).await, 401, "password_required");
    let later = t
        .view_gallery(&format!("{path}?cursor=AAAAAAAAAAAAAAAAAAAAAA"), None)
        .await;
    assert_eq!(later.status, 401, "{later:?}");
    let client = &activity_of(&t, &anna, &gallery).await[0];
    assert_eq!(client["view_count"], 0, "{client}");
    assert!(all_notifications(&t, &anna).await.is_empty());
}

// ---------------------------------------------------------------------------------------------
// CSV export
// ---------------------------------------------------------------------------------------------

/// A minimal RFC 4180 reader: rows of cells.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                '"' => quoted = false,
                _ => cell.push(c),
            }
        } else {
            match c {
                '"' => quoted = true,
                ',' => row.push(std::mem::take(&mut cell)),
                '\r' => {}
                '\n' => {
                    row.push(std::mem::take(&mut cell));
                    rows.push(std::mem::take(&mut row));
                }
                _ => cell.push(c),
            }
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows
}

#[tokio::test]
async fn the_csv_keeps_every_name_whole_and_runs_nothing() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Q3 \"final\", v2").await;
    t.ready_photo(&anna, &gallery).await;
    let names = [
        "O'Brien, \"Jo\"",
        "+44 20 7946 0000",
        "-2+3",
        "@SUM(A1:A2)",
        "Zoë Ångström 🎉",
        "=cmd|' /C calc'!A0",
        "Ann\u{2028}=1+1",
    ];
    let mut expected = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let email = format!("=x{i}-{}", unique_email("c"));
        let grant = t
            .create_private_access(&anna, &gallery, json!({ "email": email, "name": name }))
            .await;
        if grant.status != 201 {
            // Refused names are fine (e.g. a line separator); nothing to export then.
            assert!(grant.status == 400 || grant.status == 422, "{grant:?}");
            continue;
        }
        let path = client_path(grant.json["link"].as_str().unwrap());
        assert_eq!(t.view_gallery(&path, None).await.status, 200);
        // The name as it was kept: a line separator in it is a space (see
        // `proofsheet_policy::text`).
        let kept = grant.json["name"].as_str().expect("the name").to_owned();
        assert_eq!(kept, name.replace('\u{2028}', " "));
        expected.push((kept, email));
    }
    let csv = t
        .gallery_activity(&anna, &gallery, Some("format=csv"))
        .await;
    assert_eq!(csv.status, 200, "{csv:?}");
    let text = csv.json.as_str().expect("CSV text").to_owned();
    let rows = parse_csv(&text);
    assert_eq!(rows.len(), expected.len() + 1, "{text}");
    for row in &rows {
        assert_eq!(row.len(), rows[0].len(), "ragged row {row:?} in {text}");
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a formula cell {cell:?}"
            );
        }
    }
    for (name, email) in &expected {
        let row = rows
            .iter()
            .find(|r| r[1].trim_start_matches('\'') == email)
            .unwrap_or_else(|| panic!("{email} in {text}"));
        assert_eq!(row[0].trim_start_matches('\''), name, "{text}");
        assert_eq!(row[5], "1", "{row:?}");
    }
    let disposition = csv.headers["content-disposition"].to_str().unwrap();
    assert!(!disposition.contains('\n'), "{disposition}");
}

// ---------------------------------------------------------------------------------------------
// Notifications
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn paging_walks_every_notification_once_and_cursors_stay_home() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let ben = t.photographer("Ben Ode").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    t.ready_photo(&anna, &gallery).await;
    let paths: Vec<String> = join_all((0..7).map(|i| {
        let t = &t;
        let anna = &anna;
        let gallery = &gallery;
        async move {
            client_path(
                &invite(t, anna, gallery, &unique_email(&format!("n{i}")))
                    .await
                    .1,
            )
        }
    }))
    .await;
    // Seven clients open it at once: seven first views, some in the same millisecond.
    let views = join_all(paths.iter().map(|p| t.view_gallery(p, None))).await;
    assert!(views.iter().all(|v| v.status == 200));
    let all = all_notifications(&t, &anna).await;
    assert_eq!(all.len(), 7);

    for limit in [1, 2, 3, 7] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..10 {
            let query = match &cursor {
                Some(c) => format!("limit={limit}&cursor={c}"),
                None => format!("limit={limit}"),
            };
            let page = t.notifications(&anna, Some(&query)).await;
            assert_eq!(page.status, 200, "{page:?}");
            for n in page.json["notifications"].as_array().unwrap() {
                seen.push(n["notification_id"].as_str().unwrap().to_owned());
            }
            match page.json["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
        }
        let expected: Vec<String> = all
            .iter()
            .map(|n| n["notification_id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(seen, expected, "limit {limit}");
    }
    // Anna's cursor on Ben's account shows Ben's (none), never Anna's.
    let cursor = all[0]["notification_id"].as_str().unwrap();
    let bens = t
        .notifications(&ben, Some(&format!("cursor={cursor}")))
        .await;
    assert_eq!(bens.status, 200, "{bens:?}");
    assert_eq!(bens.json["notifications"], json!([]), "{bens:?}");
    assert_eq!(bens.json["unread"], 0);
}

#[tokio::test]
async fn the_unread_count_never_drifts() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let ben = t.photographer("Ben Ode").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    t.ready_photo(&anna, &gallery).await;
    for i in 0..2 {
        let (_, link) = invite(&t, &anna, &gallery, &unique_email(&format!("u{i}"))).await;
        assert_eq!(t.view_gallery(&client_path(&link), None).await.status, 200);
    }
    let notes = all_notifications(&t, &anna).await;
    let id = notes[0]["notification_id"].as_str().unwrap().to_owned();
    // Ten racing reads of one notification, and Ben trying it: one read.
    let reads = join_all((0..10).map(|_| t.read_notification(&anna, &id))).await;
    for r in &reads {
        assert_eq!(r.status, 204, "{r:?}");
    }
    assert_error(&t.read_notification(&ben, &id).await, 404, "not_found");
    assert_eq!(unread(&t, &anna).await, 1);
    assert_eq!(unread(&t, &ben).await, 0);
    // Odd ids are 404s, never 500s; the count stays.
    for bad in [
        "x",
        "00000000-0000-0000-0000-000000000000",
        "%2e%2e",
        "NOTE%23abc",
    ] {
        let reply = t.read_notification(&anna, bad).await;
        assert_eq!(reply.status, 404, "{bad}: {reply:?}");
    }
    assert_eq!(unread(&t, &anna).await, 1);
    // Deleting the gallery: its notifications stay readable, the count stays right.
    assert_eq!(t.delete_gallery(&anna, &gallery).await.status, 204);
    let last = notes[1]["notification_id"].as_str().unwrap();
    assert_eq!(t.read_notification(&anna, last).await.status, 204);
    assert_eq!(unread(&t, &anna).await, 0);
}

// ---------------------------------------------------------------------------------------------
// Cross-tenant, preview
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn another_photographer_sees_no_activity_and_previews_nothing() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let ben = t.photographer("Ben Ode").await;
    let wedding = t.create_gallery(&anna, "Smith wedding").await;
    t.ready_photo(&anna, &wedding).await;
    let other = t.create_gallery(&anna, "Other").await;
    let bens = t.create_gallery(&ben, "Ben's").await;
    let (grant, _) = invite(&t, &anna, &wedding, &unique_email("x")).await;
    let (other_grant, _) = invite(&t, &anna, &other, &unique_email("y")).await;
    let (ben_login, _) = t.new_client_login(&ben, "Bens client", None).await;
    assert_eq!(
        t.release_gallery(&ben, &ben_login, &bens, None)
            .await
            .status
            / 100,
        2
    );

    assert_error(
        &t.gallery_activity(&ben, &wedding, None).await,
        404,
        "not_found",
    );
    assert_error(
        &t.gallery_activity(&ben, &wedding, Some("format=csv")).await,
        404,
        "not_found",
    );
    for as_whom in ["general", &format!("grant:{grant}")] {
        assert_error(
            &t.preview_gallery(&ben, &wedding, as_whom).await,
            404,
            "not_found",
        );
    }
    // Anna's preview of a grant of another gallery of hers, or of Ben's login: nothing.
    assert_error(
        &t.preview_gallery(&anna, &wedding, &format!("grant:{other_grant}"))
            .await,
        404,
        "not_found",
    );
    assert_error(
        &t.preview_gallery(&anna, &wedding, &format!("login:{ben_login}"))
            .await,
        404,
        "not_found",
    );
    // Ben's preview of his own gallery as his own login, fine; of Anna's gallery as his login, not.
    assert_eq!(
        t.preview_gallery(&ben, &bens, &format!("login:{ben_login}"))
            .await
            .status,
        200
    );
    assert_error(
        &t.preview_gallery(&ben, &wedding, &format!("login:{ben_login}"))
            .await,
        404,
        "not_found",
    );
    // Odd `as` values are 4xx, never 500.
    for bad in [
        "",
        "grant:",
        "login:",
        "grant:nope",
        "general:x",
        "GRANT:x",
        "login:%00",
    ] {
        let reply = t.preview_gallery(&anna, &wedding, bad).await;
        assert!(
            reply.status >= 400 && reply.status < 500 || (bad.is_empty() && reply.status == 200),
            "{bad:?}: {reply:?}"
        );
    }
    for bad in ["format=CSV", "format=", "format=csv&format=json"] {
        let reply = t.gallery_activity(&anna, &wedding, Some(bad)).await;
        assert!(reply.status < 500, "{bad}: {reply:?}");
    }
    assert!(all_notifications(&t, &anna).await.is_empty());
    assert!(all_notifications(&t, &ben).await.is_empty());
}

#[tokio::test]
async fn a_preview_is_never_activity_and_shows_the_clients_navigation() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let (wedding, ceremony) = family(&t, &anna).await;
    let ann = unique_email("ann");
    let (grant, link) = invite(&t, &anna, &wedding, &ann).await;
    let (_, child_link) = invite(&t, &anna, &ceremony, &ann).await;
    let (login, _) = t.new_client_login(&anna, "Carol", None).await;
    t.release_gallery(&anna, &login, &wedding, None).await;
    for as_whom in [format!("grant:{grant}"), format!("login:{login}")] {
        for _ in 0..3 {
            let preview = t.preview_gallery(&anna, &wedding, &as_whom).await;
            assert_eq!(preview.status, 200, "{preview:?}");
        }
    }
    let preview = t
        .preview_gallery(&anna, &wedding, &format!("grant:{grant}"))
        .await;
    assert_eq!(
        links(&preview.json["navigation"]),
        std::slice::from_ref(&child_link)
    );
    let as_login = t
        .preview_gallery(&anna, &wedding, &format!("login:{login}"))
        .await;
    assert_eq!(
        as_login.json["navigation"]["subgalleries"],
        json!([]),
        "{as_login:?}"
    );
    for client in activity_of(&t, &anna, &wedding).await {
        assert_eq!(client["view_count"], 0, "{client}");
        assert_eq!(client["milestones"], json!([]), "{client}");
    }
    assert!(all_notifications(&t, &anna).await.is_empty());
    // The client's own view then counts, once, and matches the preview's navigation.
    let view = t.view_gallery(&client_path(&link), None).await;
    assert_eq!(links(&view.json["navigation"]), [child_link]);
    assert_eq!(all_notifications(&t, &anna).await.len(), 1);
}

#[tokio::test]
async fn a_preview_of_a_revoked_logins_link_shows_what_the_client_gets() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let wedding = t.create_gallery(&anna, "Smith wedding").await;
    t.ready_photo(&anna, &wedding).await;
    let (login, _) = t.new_client_login(&anna, "Carol", None).await;
    let released = t.release_gallery(&anna, &login, &wedding, None).await;
    let grant_id = released.json["grant_id"].as_str().map(str::to_owned);
    let path = client_path(released.json["link"].as_str().unwrap());
    assert_eq!(t.delete_client_login(&anna, &login).await.status, 204);
    assert_error(&t.view_gallery(&path, None).await, 404, "not_found");
    assert_error(
        &t.preview_gallery(&anna, &wedding, &format!("login:{login}"))
            .await,
        404,
        "not_found",
    );
    if let Some(grant_id) = grant_id {
        let preview = t
            .preview_gallery(&anna, &wedding, &format!("grant:{grant_id}"))
            .await;
        assert_eq!(preview.status, 404, "the client gets 404: {preview:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Pointers and odd input
// ---------------------------------------------------------------------------------------------

/// Deleting a parent while sub-galleries are being created under it: either the delete is
/// refused (it has children) or no child survives it (no orphan whose parent is gone), and
/// every surviving child is listed by its parent.
#[tokio::test]
async fn deleting_a_parent_while_children_are_created_leaves_no_orphan() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    for round in 0..6 {
        let parent = t.create_gallery(&anna, &format!("Round {round}")).await;
        let creates = join_all((0..4).map(|i| {
            t.create_gallery_raw(
                &anna,
                json!({ "title": format!("Child {i}"), "parent_id": parent }),
            )
        }));
        let (created, deleted) = tokio::join!(creates, t.delete_gallery(&anna, &parent));
        for c in &created {
            assert!(
                c.status == 201 || c.status == 422 || c.status == 400,
                "{c:?}"
            );
        }
        assert!(
            deleted.status == 204 || deleted.status == 409,
            "{deleted:?}"
        );
    }
    let all = t.list_galleries(&anna).await.json["galleries"]
        .as_array()
        .unwrap()
        .clone();
    let ids: Vec<&str> = all.iter().map(|g| g["id"].as_str().unwrap()).collect();
    for g in &all {
        if let Some(parent) = g["parent_id"].as_str() {
            assert!(ids.contains(&parent), "orphan {g} (parent deleted)");
            let listed = t.get_gallery(&anna, parent).await.json["subgalleries"].clone();
            assert!(
                listed
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|c| c["id"] == g["id"]),
                "{g} missing from its parent's {listed}"
            );
        }
    }
}

#[tokio::test]
async fn odd_paging_input_on_views_and_previews_is_a_4xx() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let (wedding, _) = family(&t, &anna).await;
    let (grant, link) = invite(&t, &anna, &wedding, &unique_email("odd")).await;
    let path = client_path(&link);
    for query in [
        "cursor=",
        "cursor=%00",
        "limit=0",
        "limit=-1",
        "limit=99999999999",
        "cursor=@@@",
    ] {
        let view = t.view_gallery(&format!("{path}?{query}"), None).await;
        assert!(view.status < 500, "{query}: {view:?}");
        let preview_path = format!("/galleries/{wedding}/preview?as=grant:{grant}&{query}");
        let preview = t
            .call("GET", &preview_path, Some(&anna.api_key), None)
            .await;
        assert!(preview.status < 500, "{query}: {preview:?}");
        assert_eq!(
            preview.status, view.status,
            "{query}: the preview answers as the client's view"
        );
    }
}
