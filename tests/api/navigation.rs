//! Sub-gallery navigation: a parent's `navigation_to_subgalleries` lets viewers go down to its
//! sub-galleries and back up, or neither way; a step lands on the viewer's own link there if
//! they have one, else on the neighbour's general link with its own settings (password,
//! watermark); a client login reaches only what was released to it. Children are found through
//! the parent's pointers, which come and go with the sub-galleries.

use proofsheet_tests::*;
use serde_json::{Value, json};

/// A wedding with a ceremony sub-gallery; returns (parent, child).
async fn family(t: &TestApp, who: &Photographer) -> (String, String) {
    let wedding = t.create_gallery(who, "Smith wedding").await;
    let ceremony = t
        .create_gallery_raw(who, json!({ "title": "Ceremony", "parent_id": wedding }))
        .await;
    assert_eq!(ceremony.status, 201, "{ceremony:?}");
    (wedding, ceremony.json["id"].as_str().unwrap().to_owned())
}

/// The view's navigation (first page).
async fn navigation(t: &TestApp, path: &str, session: Option<&str>) -> Value {
    let view = t.view_gallery(path, session).await;
    assert_eq!(view.status, 200, "{view:?}");
    view.json["navigation"].clone()
}

async fn link_of(t: &TestApp, who: &Photographer, gallery: &str) -> String {
    t.get_general_access(who, gallery).await.json["link"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn general_viewers_go_down_and_back_up_into_each_gallerys_own_settings() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let (wedding, ceremony) = family(&t, &anna).await;
    // The sub-gallery has its own password; the parent is open and unwatermarked.
    t.set_general(&anna, &wedding, json!({ "watermark": false }))
        .await;
    t.set_general(
        &anna,
        &ceremony,
        json!({ "password": "rings-2026", "watermark": true }),
    )
    .await;

    let down = navigation(&t, &t.general_path(&anna, &wedding).await, None).await;
    assert_eq!(down["parent"], Value::Null);
    let subs = down["subgalleries"].as_array().unwrap();
    assert_eq!(subs.len(), 1, "{down}");
    assert_eq!(subs[0]["title"], "Ceremony");
    assert_eq!(subs[0]["link"], link_of(&t, &anna, &ceremony).await);

    // Stepping down lands on the sub-gallery's own general link: its password, its watermark.
    let sub_path = client_path(subs[0]["link"].as_str().unwrap());
    assert_error(
        &t.view_gallery(&sub_path, None).await,
        401,
        "password_required",
    );
    let session = t.unlock_gallery(&sub_path, "rings-2026").await.json["session"]
        .as_str()
        .unwrap()
        .to_owned();
    let sub_view = t.view_gallery(&sub_path, Some(&session)).await;
    assert_eq!(sub_view.json["settings"]["watermark"], true);
    // And back up.
    let up = &sub_view.json["navigation"]["parent"];
    assert_eq!(up["title"], "Smith wedding");
    assert_eq!(up["link"], link_of(&t, &anna, &wedding).await);
    // Later pages carry no navigation.
    let path = t.general_path(&anna, &wedding).await;
    let cursor = "AAAAAAAAAAAAAAAAAAAAAA";
    let later = t
        .view_gallery(&format!("{path}?cursor={cursor}"), None)
        .await;
    assert!(later.json.get("navigation").is_none(), "{later:?}");
}

#[tokio::test]
async fn with_navigation_off_neither_way_is_open() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let (wedding, ceremony) = family(&t, &anna).await;
    let off = t
        .update_gallery(
            &anna,
            &wedding,
            json!({ "navigation_to_subgalleries": false }),
        )
        .await;
    assert_eq!(off.status, 200, "{off:?}");
    let down = navigation(&t, &t.general_path(&anna, &wedding).await, None).await;
    assert_eq!(down["subgalleries"], json!([]));
    let up = navigation(&t, &t.general_path(&anna, &ceremony).await, None).await;
    assert_eq!(
        up["parent"],
        Value::Null,
        "the staircase goes both ways or not at all"
    );
    // The sub-gallery's own flag is about its own sub-galleries, not its parent.
    let on = t
        .update_gallery(
            &anna,
            &wedding,
            json!({ "navigation_to_subgalleries": true }),
        )
        .await;
    assert_eq!(on.status, 200);
    let up = navigation(&t, &t.general_path(&anna, &ceremony).await, None).await;
    assert_eq!(up["parent"]["title"], "Smith wedding");
}

#[tokio::test]
async fn a_private_viewer_steps_onto_their_own_link_where_they_have_one() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let (wedding, ceremony) = family(&t, &anna).await;
    let reception = t
        .create_gallery_raw(&anna, json!({ "title": "Reception", "parent_id": wedding }))
        .await;
    let reception = reception.json["id"].as_str().unwrap().to_owned();
    let email = unique_email("ann");
    let on_wedding = t
        .create_private_access(&anna, &wedding, json!({ "email": email }))
        .await;
    let on_ceremony = t
        .create_private_access(
            &anna,
            &ceremony,
            json!({ "email": email, "watermark": false }),
        )
        .await;
    let path = client_path(on_wedding.json["link"].as_str().unwrap());
    let down = navigation(&t, &path, None).await;
    let subs = down["subgalleries"].as_array().unwrap();
    let titles: Vec<&str> = subs.iter().map(|s| s["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Ceremony", "Reception"], "oldest first");
    // Her own link into the ceremony; the reception's general link, where she has none.
    assert_eq!(subs[0]["link"], on_ceremony.json["link"]);
    assert_eq!(subs[1]["link"], link_of(&t, &anna, &reception).await);
    // From her ceremony link, back up to her own wedding link.
    let up = navigation(
        &t,
        &client_path(on_ceremony.json["link"].as_str().unwrap()),
        None,
    )
    .await;
    assert_eq!(up["parent"]["link"], on_wedding.json["link"]);
}

#[tokio::test]
async fn a_login_reaches_only_the_galleries_released_to_it() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let (wedding, ceremony) = family(&t, &anna).await;
    let login = t
        .create_client_login(&anna, json!({ "name": "Carol" }))
        .await;
    let login = login.json["login_id"].as_str().unwrap().to_owned();
    let released = t.release_gallery(&anna, &login, &wedding, None).await;
    let path = client_path(released.json["link"].as_str().unwrap());
    // The ceremony isn't released to Carol: not reachable, not even through its general link.
    let down = navigation(&t, &path, None).await;
    assert_eq!(down["subgalleries"], json!([]), "{down}");
    let sub = t.release_gallery(&anna, &login, &ceremony, None).await;
    let down = navigation(&t, &path, None).await;
    assert_eq!(down["subgalleries"][0]["link"], sub.json["link"]);
    let up = navigation(&t, &client_path(sub.json["link"].as_str().unwrap()), None).await;
    assert_eq!(up["parent"]["link"], released.json["link"]);
}

#[tokio::test]
async fn children_come_and_go_with_their_sub_galleries() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let (wedding, ceremony) = family(&t, &anna).await;
    let got = t.get_gallery(&anna, &wedding).await;
    assert_eq!(got.json["subgalleries"][0]["id"], ceremony.as_str());
    // A parent with children can't be deleted; once the child is gone, it can.
    assert_error(
        &t.delete_gallery(&anna, &wedding).await,
        409,
        "gallery_has_subgalleries",
    );
    assert_eq!(t.delete_gallery(&anna, &ceremony).await.status, 204);
    let got = t.get_gallery(&anna, &wedding).await;
    assert_eq!(got.json["subgalleries"], json!([]));
    let down = navigation(&t, &t.general_path(&anna, &wedding).await, None).await;
    assert_eq!(down["subgalleries"], json!([]));
    assert_eq!(t.delete_gallery(&anna, &wedding).await.status, 204);
}

// Found by the second probe, fixed: a sub-gallery created under a password-protected parent had
// an open general link, and the parent's navigation (on by default) led everyone who could open
// the parent straight into it without a password. A sub-gallery now starts with a copy of its
// parent's general access (password included), its watermark and its closing date.
#[tokio::test]
async fn a_new_sub_gallery_starts_no_wider_open_than_its_parent() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let wedding = t.create_gallery(&anna, "Smith wedding").await;
    t.set_general(
        &anna,
        &wedding,
        json!({ "password": "smith-2026", "downloads_enabled": true, "download_limit": 3,
                "download_resolutions": ["web", "high"] }),
    )
    .await;
    let closes = "2031-06-30T18:00:00Z";
    let dated = t
        .update_gallery(&anna, &wedding, json!({ "expires_at": closes }))
        .await;
    assert_eq!(dated.status, 200, "{dated:?}");
    // The settings, without the link (each gallery has its own).
    let settings_of = |reply: Reply| {
        let mut settings = reply.json;
        settings.as_object_mut().unwrap().remove("link");
        settings
    };
    let parent_settings = settings_of(t.get_general_access(&anna, &wedding).await);
    let ceremony = t
        .create_gallery_raw(&anna, json!({ "title": "Ceremony", "parent_id": wedding }))
        .await;
    assert_eq!(ceremony.status, 201, "{ceremony:?}");
    let ceremony = ceremony.json["id"].as_str().unwrap().to_owned();

    let settings = settings_of(t.get_general_access(&anna, &ceremony).await);
    assert_eq!(
        settings, parent_settings,
        "a copy of the parent's, as of now"
    );
    assert_eq!(settings["password_set"], true, "{settings}");
    let sub = t.get_gallery(&anna, &ceremony).await;
    assert_eq!(sub.json["expires_at"], closes, "{sub:?}");

    // Someone who can open the parent steps down and meets the same password there.
    let parent_path = t.general_path(&anna, &wedding).await;
    let session = t.unlock_gallery(&parent_path, "smith-2026").await.json["session"]
        .as_str()
        .unwrap()
        .to_owned();
    let down = navigation(&t, &parent_path, Some(&session)).await;
    let sub_path = client_path(down["subgalleries"][0]["link"].as_str().unwrap());
    assert_error(
        &t.view_gallery(&sub_path, None).await,
        401,
        "password_required",
    );
    let unlocked = t.unlock_gallery(&sub_path, "smith-2026").await;
    assert_eq!(unlocked.status, 200, "{unlocked:?}");

    // A copy, not a tie: the photographer opens the sub-gallery alone.
    t.set_general(&anna, &ceremony, json!({ "password": null }))
        .await;
    assert_eq!(t.view_gallery(&sub_path, None).await.status, 200);
    assert_error(
        &t.view_gallery(&parent_path, None).await,
        401,
        "password_required",
    );
}

/// A sub-gallery shows as a set with its cover: in the look of the link the set opens (here
/// the sub-gallery's watermarked general link, under a clean parent), and none once that link
/// asks a password, which the cover would get around.
#[tokio::test]
async fn a_set_shows_its_cover_in_the_look_of_the_link_it_opens_and_none_behind_a_password() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let (wedding, ceremony) = family(&t, &anna).await;
    let rings = t.ready_photo(&anna, &ceremony).await;
    t.set_general(&anna, &wedding, json!({ "watermark": false }))
        .await;
    t.set_general(&anna, &ceremony, json!({ "watermark": true }))
        .await;

    let down = navigation(&t, &t.general_path(&anna, &wedding).await, None).await;
    let cover = &down["subgalleries"][0]["cover"];
    assert_eq!(cover["photo_id"], rings.as_str(), "{down}");
    let thumbnail = cover["thumbnail_url"].as_str().unwrap();
    assert!(thumbnail.contains("/thumbnail-wm.jpg"), "{thumbnail}");
    assert_eq!(t.fetch(thumbnail).await.0, 200);
    let grid = cover["grid"].as_array().unwrap();
    assert!(!grid.is_empty(), "{cover}");
    for size in grid {
        let url = size["url"].as_str().unwrap();
        assert!(url.contains("-wm.webp"), "{url}");
        assert_eq!(t.fetch(url).await.0, 200);
    }
    // The way back up is a link, not a set.
    let sub_path = client_path(down["subgalleries"][0]["link"].as_str().unwrap());
    let up = navigation(&t, &sub_path, None).await;
    assert!(up["parent"].get("cover").is_none(), "{up}");

    t.set_general(&anna, &ceremony, json!({ "password": "rings-2026" }))
        .await;
    let down = navigation(&t, &t.general_path(&anna, &wedding).await, None).await;
    assert_eq!(down["subgalleries"][0]["title"], "Ceremony");
    assert!(down["subgalleries"][0].get("cover").is_none(), "{down}");
}
