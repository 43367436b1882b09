//! The photographer's API: galleries, uploads, access settings, tenant isolation.

use aws_sdk_dynamodb::types::AttributeValue;
use proofsheet_http::{Audience, ROUTES};
use proofsheet_tests::*;
use serde_json::{Value, json};
use uuid::Uuid;

const MIB: u64 = 1024 * 1024;

/// The body of a photographer route's answer, insisting on 200.
fn ok(reply: Reply) -> Value {
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.json
}

/// The grant id inside a private link (its token is `base64url(grant_id ‖ verifier)`).
fn grant_id_of_link(link: &str) -> String {
    let token = client_path(link)
        .strip_prefix("/g/")
        .expect("a /g/ link")
        .to_owned();
    proofsheet_policy::LinkToken::parse(&token)
        .expect("a well-formed token")
        .grant_id
        .to_string()
}

async fn general_access(t: &TestApp, who: &Photographer, gallery: &str) -> Value {
    ok(t.get_general_access(who, gallery).await)
}

async fn grants(t: &TestApp, who: &Photographer, gallery: &str) -> Vec<Value> {
    let list = ok(t.list_private_access(who, gallery).await);
    list["grants"].as_array().expect("grants").clone()
}

/// The grant with this id in a private-access list.
fn grant_in<'a>(list: &'a [Value], id: &str) -> &'a Value {
    list.iter()
        .find(|g| g["grant_id"] == id)
        .unwrap_or_else(|| panic!("grant {id} not listed in {list:?}"))
}

async fn create_child(t: &TestApp, who: &Photographer, title: &str, parent: &str) -> Reply {
    t.create_gallery_raw(who, json!({ "title": title, "parent_id": parent }))
        .await
}

/// A client opening a link (no session).
async fn open_link(t: &TestApp, link: &str) -> Reply {
    t.view_gallery(&client_path(link), None).await
}

fn query_param(url: &reqwest::Url, name: &str) -> String {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("{name} missing from {url}"))
}

// ---------------------------------------------------------------------------------------------
// Authentication and tenant isolation
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn galleries_are_created_listed_and_private_to_their_owner() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let ben = t.photographer("Ben Ray").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;

    let list = t.list_galleries(&anna).await;
    assert_eq!(list.status, 200);
    assert_eq!(list.json["galleries"][0]["id"], gallery.as_str());
    let other = t.list_galleries(&ben).await;
    assert_eq!(other.json["galleries"], json!([]));
    let peek = t.get_gallery(&ben, &gallery).await;
    assert_eq!(peek.status, 404);
}

#[tokio::test]
async fn every_photographer_route_requires_a_valid_bearer_api_key() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let photo = t
        .upload(&anna, &gallery, "a.jpg", jpeg(64, 48), "image/jpeg")
        .await;
    let grant = t
        .create_private_access(&anna, &gallery, json!({ "email": unique_email("c") }))
        .await;
    let grant = grant.json["grant_id"]
        .as_str()
        .expect("grant id")
        .to_owned();

    let login = t
        .create_client_login(&anna, json!({ "name": "Carol" }))
        .await;
    let login = login.json["login_id"]
        .as_str()
        .expect("login id")
        .to_owned();

    let routes: Vec<_> = ROUTES
        .iter()
        .filter(|r| r.audience == Audience::Photographer)
        .collect();
    let basic_with_real_key = format!("Basic {}", anna.api_key);
    for spec in routes {
        let path = spec
            .path
            .replace("{gallery_id}", &gallery)
            .replace("{photo_id}", &photo)
            .replace("{grant_id}", &grant)
            .replace("{login_id}", &login)
            .replace("{notification_id}", &Uuid::new_v4().to_string());
        let what = format!("{} {}", spec.method, spec.path);
        assert!(
            !path.contains('{'),
            "{what}: this test fills no such placeholder yet"
        );
        // 401 (not no_route) also proves the substituted path reached the route.
        let no_key = t.call(spec.method, &path, None, None).await;
        assert_eq!(
            (no_key.status, no_key.error_code()),
            (401, "unauthorized"),
            "{what}"
        );
        let wrong_key = t
            .call(spec.method, &path, Some("not-a-real-key"), None)
            .await;
        assert_eq!(
            (wrong_key.status, wrong_key.error_code()),
            (401, "unauthorized"),
            "{what}"
        );
        for header in [
            "Basic xyz",
            basic_with_real_key.as_str(),
            "Bearer",
            "Bearer   ",
        ] {
            let malformed = t.call_with_authorization(spec.method, &path, header).await;
            assert_eq!(
                (malformed.status, malformed.error_code()),
                (401, "unauthorized"),
                "{what} with {header:?}"
            );
        }
    }
    // Nothing was changed by the refused requests.
    assert_eq!(t.photos(&anna, &gallery).await.len(), 1);
    assert_eq!(grants(&t, &anna, &gallery).await.len(), 1);
    ok(t.get_gallery(&anna, &gallery).await);
    ok(t.get_client_login(&anna, &login).await);
}

#[tokio::test]
async fn another_photographers_gallery_is_not_found_on_every_route() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let ben = t.photographer("Ben Ray").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let photo = t.ready_photo(&anna, &gallery).await;
    let client = unique_email("client");
    let grant = t
        .create_private_access(
            &anna,
            &gallery,
            json!({ "email": client, "download_limit": 5 }),
        )
        .await;
    let grant = grant.json["grant_id"]
        .as_str()
        .expect("grant id")
        .to_owned();
    let before_gallery = ok(t.get_gallery(&anna, &gallery).await);
    let before_photos = t.photos(&anna, &gallery).await;
    let before_general = general_access(&t, &anna, &gallery).await;
    let before_grants = grants(&t, &anna, &gallery).await;

    // Ben's requests are all well-formed, so only ownership can refuse them: he names his own
    // client login where a route takes one.
    let spy = unique_email("spy");
    let bens_login = t
        .create_client_login(&ben, json!({ "name": "Spy", "email": spy }))
        .await;
    let bens_login = bens_login.json["login_id"]
        .as_str()
        .expect("login id")
        .to_owned();
    let gallery_routes: Vec<_> = ROUTES
        .iter()
        .filter(|r| r.path.contains("{gallery_id}"))
        .collect();
    for spec in gallery_routes {
        use proofsheet_http::Route::*;
        let body = match spec.route {
            UpdateGallery => Some(json!({ "title": "Hijacked" })),
            CreatePhotoUpload => {
                Some(json!({ "filename": "x.jpg", "content_type": "image/jpeg", "size": 10 }))
            }
            PutGeneralAccess => Some(json!({ "watermark": false, "password": "letmein" })),
            ArrangePhotos => Some(json!({ "photo_ids": [photo] })),
            CreatePrivateAccess => Some(json!({ "email": spy })),
            UpdatePrivateAccess => Some(json!({ "download_limit": 100 })),
            _ => None,
        };
        let path = spec
            .path
            .replace("{gallery_id}", &gallery)
            .replace("{photo_id}", &photo)
            .replace("{grant_id}", &grant)
            .replace("{login_id}", &bens_login);
        assert!(
            !path.contains('{'),
            "{}: this test fills no such placeholder yet",
            spec.path
        );
        let reply = t.call(spec.method, &path, Some(&ben.api_key), body).await;
        assert_eq!(
            (reply.status, reply.error_code()),
            (404, "not_found"),
            "{} {}: {reply:?}",
            spec.method,
            spec.path
        );
    }

    // Anna's gallery is exactly as it was, and Ben invited nobody.
    let after_gallery = ok(t.get_gallery(&anna, &gallery).await);
    assert_eq!(after_gallery, before_gallery);
    assert_eq!(after_gallery["title"], "Smith wedding");
    let after_photos = t.photos(&anna, &gallery).await;
    assert_eq!(after_photos.len(), 1);
    assert_eq!(after_photos[0]["photo_id"], before_photos[0]["photo_id"]);
    assert_eq!(after_photos[0]["status"], "ready");
    assert_eq!(general_access(&t, &anna, &gallery).await, before_general);
    assert_eq!(grants(&t, &anna, &gallery).await, before_grants);
    assert!(t.emails_to(&spy).await.is_empty());
    assert_eq!(
        t.list_releases(&ben, &bens_login).await.json["galleries"],
        json!([]),
        "nothing of Anna's was released to Ben's login"
    );
}

#[tokio::test]
async fn foreign_photo_and_grant_ids_are_not_found_under_ones_own_gallery() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let ben = t.photographer("Ben Ray").await;
    let annas = t.create_gallery(&anna, "Smith wedding").await;
    let bens = t.create_gallery(&ben, "Ben's own").await;
    let photo = t
        .upload(&anna, &annas, "a.jpg", jpeg(64, 48), "image/jpeg")
        .await;
    let grant = t
        .create_private_access(&anna, &annas, json!({ "email": unique_email("c") }))
        .await;
    let grant = grant.json["grant_id"]
        .as_str()
        .expect("grant id")
        .to_owned();

    // Ben names his own gallery but Anna's photo and grant.
    let delete_photo = t.delete_photo(&ben, &bens, &photo).await;
    assert_error(&delete_photo, 404, "not_found");
    let patch = t
        .update_private_access(&ben, &bens, &grant, json!({ "download_limit": 1 }))
        .await;
    assert_error(&patch, 404, "not_found");
    let delete_grant = t.delete_private_access(&ben, &bens, &grant).await;
    assert_error(&delete_grant, 404, "not_found");

    assert_eq!(t.photos(&anna, &annas).await.len(), 1);
    let left = grants(&t, &anna, &annas).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["settings"]["download_limit"], Value::Null);
}

#[tokio::test]
async fn a_sub_gallery_cannot_be_created_under_another_photographers_gallery() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let ben = t.photographer("Ben Ray").await;
    let annas = t.create_gallery(&anna, "Smith wedding").await;

    let refused = create_child(&t, &ben, "Sneaky", &annas).await;
    assert_invalid(&refused, "parent_id");
    // Exactly the answer for a gallery that doesn't exist: ids reveal nothing across tenants.
    let missing = create_child(&t, &ben, "Sneaky", &Uuid::now_v7().to_string()).await;
    assert_eq!(refused.json, missing.json);

    let parent = ok(t.get_gallery(&anna, &annas).await);
    assert_eq!(parent["subgalleries"], json!([]));
    assert_eq!(ok(t.list_galleries(&ben).await)["galleries"], json!([]));
}

// ---------------------------------------------------------------------------------------------
// Galleries
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_new_gallery_has_the_documented_defaults() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;

    let created = t
        .create_gallery_raw(&anna, json!({ "title": "  Smith wedding  " }))
        .await;
    assert_eq!(created.status, 201, "{created:?}");
    let id = created.json["id"].as_str().expect("id");
    assert!(Uuid::try_parse(id).is_ok(), "{id}");
    assert_eq!(created.json["title"], "Smith wedding", "titles are trimmed");
    assert_eq!(created.json["parent_id"], Value::Null);
    assert_eq!(created.json["navigation_to_subgalleries"], true);
    assert_eq!(
        created.json["watermark"],
        json!({ "mode": "text", "position": "bottom_right", "opacity": 0.5, "scale": 0.2, "text": null })
    );

    let fetched = ok(t.get_gallery(&anna, id).await);
    assert_eq!(fetched["subgalleries"], json!([]));
    let mut without_children = fetched.clone();
    without_children
        .as_object_mut()
        .expect("object")
        .remove("subgalleries");
    assert_eq!(without_children, created.json);
}

#[tokio::test]
async fn galleries_are_listed_oldest_first() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let mut ids = Vec::new();
    for title in ["First", "Second", "Third", "Fourth"] {
        ids.push(t.create_gallery(&anna, title).await);
    }
    let list = ok(t.list_galleries(&anna).await);
    let listed: Vec<&str> = list["galleries"]
        .as_array()
        .expect("galleries")
        .iter()
        .map(|g| g["id"].as_str().expect("id"))
        .collect();
    assert_eq!(listed, ids);
    assert_eq!(list["galleries"][1]["title"], "Second");
}

#[tokio::test]
async fn each_listed_gallery_carries_the_count_and_cover_its_card_shows() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let shot = t.create_gallery(&anna, "Shot").await;
    let empty = t.create_gallery(&anna, "Empty").await;
    let ready = t.ready_photos(&anna, &shot, 3).await;
    // Sent, not processed yet: clients don't see it, so it isn't counted.
    t.upload_photos(&anna, &shot, 1).await;
    let chosen = t
        .update_gallery(&anna, &shot, json!({ "cover_photo_id": ready[1] }))
        .await;
    assert_eq!(chosen.status, 200, "{chosen:?}");

    let list = ok(t.list_galleries(&anna).await);
    let (shot_card, empty_card) = (&list["galleries"][0], &list["galleries"][1]);
    assert_eq!(shot_card["id"], shot.as_str());
    assert_eq!(shot_card["photo_count"], 3);
    assert_eq!(shot_card["cover"]["photo_id"], ready[1].as_str());
    // The clean thumbnail, presigned: it opens.
    let url = shot_card["cover"]["thumbnail_url"]
        .as_str()
        .expect("a cover URL");
    assert!(url.contains("/thumbnail.jpg"), "{url}");
    let (status, bytes) = t.fetch(url).await;
    assert_eq!(status, 200);
    assert!(image::load_from_memory(&bytes).is_ok());
    assert_eq!(empty_card["id"], empty.as_str());
    assert_eq!(empty_card["photo_count"], 0);
    assert_eq!(empty_card["cover"], Value::Null);
}

#[tokio::test]
async fn a_gallery_patch_changes_only_the_fields_it_names() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let id = t.create_gallery(&anna, "Smith wedding").await;
    let patch = |body: Value| {
        let (t, anna, id) = (&t, &anna, &id);
        async move {
            let reply = t.update_gallery(anna, id, body).await;
            assert_eq!(reply.status, 200, "{reply:?}");
            reply.json
        }
    };

    let renamed = patch(json!({ "title": "Smith & Jones wedding" })).await;
    assert_eq!(renamed["title"], "Smith & Jones wedding");
    assert_eq!(renamed["navigation_to_subgalleries"], true);
    assert_eq!(renamed["watermark"]["position"], "bottom_right");

    let no_nav = patch(json!({ "navigation_to_subgalleries": false })).await;
    assert_eq!(no_nav["navigation_to_subgalleries"], false);
    assert_eq!(no_nav["title"], "Smith & Jones wedding");

    let moved = patch(json!({ "watermark": { "position": "center", "opacity": 0.8 } })).await;
    assert_eq!(
        moved["watermark"],
        json!({ "mode": "text", "position": "center", "opacity": 0.8, "scale": 0.2, "text": null })
    );

    let texted = patch(json!({ "watermark": { "text": "Lee Studio", "mode": "logo" } })).await;
    assert_eq!(texted["watermark"]["text"], "Lee Studio");
    assert_eq!(texted["watermark"]["mode"], "logo");
    assert_eq!(texted["watermark"]["position"], "center");

    // `text: null` returns to the default "© <name>"; absent fields still stay.
    let reset = patch(json!({ "watermark": { "text": null } })).await;
    assert_eq!(
        reset["watermark"],
        json!({ "mode": "logo", "position": "center", "opacity": 0.8, "scale": 0.2, "text": null })
    );

    let unchanged = patch(json!({})).await;
    assert_eq!(unchanged, reset);
    let stored = ok(t.get_gallery(&anna, &id).await);
    assert_eq!(stored["title"], "Smith & Jones wedding");
    assert_eq!(stored["navigation_to_subgalleries"], false);
    assert_eq!(stored["watermark"], reset["watermark"]);
}

#[tokio::test]
async fn invalid_gallery_values_are_refused_naming_the_field() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;

    for title in [
        json!(""),
        json!("   "),
        json!("x".repeat(201)),
        json!("a\nb"),
    ] {
        let reply = t.create_gallery_raw(&anna, json!({ "title": title })).await;
        assert_invalid(&reply, "title");
    }
    assert_eq!(ok(t.list_galleries(&anna).await)["galleries"], json!([]));
    // 200 characters is still fine.
    t.create_gallery(&anna, &"é".repeat(200)).await;

    let id = t.create_gallery(&anna, "Smith wedding").await;
    let before = ok(t.get_gallery(&anna, &id).await);
    for (body, field) in [
        (json!({ "title": "" }), "title"),
        (json!({ "title": "x".repeat(201) }), "title"),
        (
            json!({ "watermark": { "opacity": 1.5 } }),
            "watermark.opacity",
        ),
        (
            json!({ "watermark": { "opacity": -0.1 } }),
            "watermark.opacity",
        ),
        (
            json!({ "watermark": { "opacity": 0 } }),
            "watermark.opacity",
        ),
        (json!({ "watermark": { "text": "   " } }), "watermark.text"),
        (json!({ "watermark": { "scale": 0 } }), "watermark.scale"),
        (json!({ "watermark": { "scale": 1.01 } }), "watermark.scale"),
        (json!({ "watermark": { "text": "" } }), "watermark.text"),
        (
            json!({ "watermark": { "text": "a\r\nb" } }),
            "watermark.text",
        ),
    ] {
        let reply = t.update_gallery(&anna, &id, body).await;
        assert_invalid(&reply, field);
    }
    // A refused PATCH changes nothing, not even its valid parts.
    let mixed = t
        .update_gallery(
            &anna,
            &id,
            json!({ "title": "Renamed", "watermark": { "opacity": 2 } }),
        )
        .await;
    assert_invalid(&mixed, "watermark.opacity");
    assert_eq!(ok(t.get_gallery(&anna, &id).await), before);
}

#[tokio::test]
async fn malformed_gallery_bodies_are_bad_requests() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let key = Some(anna.api_key.as_str());

    let broken = t
        .call_raw("POST", "/galleries", key, Some("{\"title\": ".into()))
        .await;
    assert_error(&broken, 400, "invalid_json");
    let unknown = t
        .create_gallery_raw(&anna, json!({ "title": "x", "colour": "red" }))
        .await;
    assert_error(&unknown, 400, "invalid_json");
    let empty = t.call_raw("POST", "/galleries", key, None).await;
    assert_error(&empty, 400, "invalid_json");
    let wrong_type = t.create_gallery_raw(&anna, json!({ "title": 7 })).await;
    assert_error(&wrong_type, 400, "invalid_json");
    assert_eq!(ok(t.list_galleries(&anna).await)["galleries"], json!([]));

    let id = t.create_gallery(&anna, "Smith wedding").await;
    let path = format!("/galleries/{id}");
    for body in [
        json!({ "colour": "red" }),
        json!({ "watermark": { "colour": "red" } }),
        // An unknown enum value fails to deserialize, like an unknown resolution does.
        json!({ "watermark": { "position": "upside_down" } }),
        json!({ "watermark": { "mode": "hologram" } }),
    ] {
        let reply = t.update_gallery(&anna, &id, body.clone()).await;
        assert_error(&reply, 400, "invalid_json");
    }
    let empty_patch = t.call_raw("PATCH", &path, key, None).await;
    assert_error(&empty_patch, 400, "invalid_json");
    assert_eq!(
        ok(t.get_gallery(&anna, &id).await)["watermark"]["position"],
        "bottom_right"
    );
}

#[tokio::test]
async fn sub_galleries_appear_under_their_parent() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let parent = t.create_gallery(&anna, "Smith wedding").await;

    let ceremony = create_child(&t, &anna, "Ceremony", &parent).await;
    assert_eq!(ceremony.status, 201, "{ceremony:?}");
    assert_eq!(ceremony.json["parent_id"], parent.as_str());
    let ceremony = ceremony.json["id"].as_str().expect("id").to_owned();
    let party = create_child(&t, &anna, "Party", &parent).await;
    let party = party.json["id"].as_str().expect("id").to_owned();

    let fetched = ok(t.get_gallery(&anna, &parent).await);
    assert_eq!(
        fetched["subgalleries"],
        json!([{ "id": ceremony, "title": "Ceremony" }, { "id": party, "title": "Party" }])
    );
    let child = ok(t.get_gallery(&anna, &ceremony).await);
    assert_eq!(child["parent_id"], parent.as_str());
    assert_eq!(child["subgalleries"], json!([]));
    assert_eq!(
        ok(t.list_galleries(&anna).await)["galleries"]
            .as_array()
            .expect("galleries")
            .len(),
        3
    );
}

#[tokio::test]
async fn sub_galleries_nest_at_most_three_levels() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    // Gallery → sub-gallery → sub-sub-gallery (GalleryRules::MAX_LEVELS = 3).
    let level1 = t.create_gallery(&anna, "Level 1").await;
    let level2 = create_child(&t, &anna, "Level 2", &level1).await;
    assert_eq!(level2.status, 201, "{level2:?}");
    let level3 = create_child(&t, &anna, "Level 3", level2.json["id"].as_str().unwrap()).await;
    assert_eq!(level3.status, 201, "{level3:?}");

    let level4 = create_child(&t, &anna, "Level 4", level3.json["id"].as_str().unwrap()).await;
    assert_invalid(&level4, "parent_id");
    assert_eq!(
        ok(t.list_galleries(&anna).await)["galleries"]
            .as_array()
            .expect("galleries")
            .len(),
        3
    );
}

#[tokio::test]
async fn an_unknown_or_garbage_parent_is_refused() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    for parent in [Uuid::now_v7().to_string(), "garbage".into(), String::new()] {
        let reply = create_child(&t, &anna, "Orphan", &parent).await;
        assert_invalid(&reply, "parent_id");
    }
    assert_eq!(ok(t.list_galleries(&anna).await)["galleries"], json!([]));
}

#[tokio::test]
async fn a_gallery_with_sub_galleries_cannot_be_deleted() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let parent = t.create_gallery(&anna, "Smith wedding").await;
    let child = create_child(&t, &anna, "Ceremony", &parent).await;
    let child = child.json["id"].as_str().expect("id").to_owned();

    let refused = t.delete_gallery(&anna, &parent).await;
    assert_error(&refused, 409, "gallery_has_subgalleries");
    ok(t.get_gallery(&anna, &parent).await);
    ok(t.get_gallery(&anna, &child).await);

    // Once the child is gone, the parent can go too.
    let child_gone = t.delete_gallery(&anna, &child).await;
    assert_eq!(child_gone.status, 204, "{child_gone:?}");
    let parent_gone = t.delete_gallery(&anna, &parent).await;
    assert_eq!(parent_gone.status, 204, "{parent_gone:?}");
}

#[tokio::test]
async fn deleting_a_gallery_removes_it_its_links_and_its_files() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let keep = t.create_gallery(&anna, "Another wedding").await;
    t.ready_photo(&anna, &gallery).await;
    let thumbnail = t.photos(&anna, &gallery).await[0]["thumbnail_url"]
        .as_str()
        .expect("thumbnail url")
        .to_owned();
    let general_link = general_access(&t, &anna, &gallery).await["link"]
        .as_str()
        .expect("link")
        .to_owned();
    let private = t
        .create_private_access(&anna, &gallery, json!({ "email": unique_email("c") }))
        .await;
    let private_link = private.json["link"].as_str().expect("link").to_owned();
    // Everything works before the delete, so the 404s below mean something.
    assert_eq!(t.fetch(&thumbnail).await.0, 200);
    assert_eq!(open_link(&t, &general_link).await.status, 200);
    assert_eq!(open_link(&t, &private_link).await.status, 200);
    assert!(
        !t.stored_keys(&format!("originals/{gallery}/"))
            .await
            .is_empty()
    );

    let deleted = t.delete_gallery(&anna, &gallery).await;
    assert_eq!(deleted.status, 204, "{deleted:?}");

    assert_error(&t.get_gallery(&anna, &gallery).await, 404, "not_found");
    assert_error(&open_link(&t, &general_link).await, 404, "not_found");
    assert_error(&open_link(&t, &private_link).await, 404, "not_found");
    assert_eq!(t.fetch(&thumbnail).await.0, 404);
    assert_eq!(
        t.stored_keys(&format!("originals/{gallery}/")).await,
        Vec::<String>::new()
    );
    assert_eq!(
        t.stored_keys(&format!("renditions/{gallery}/")).await,
        Vec::<String>::new()
    );
    let list = ok(t.list_galleries(&anna).await);
    assert_eq!(list["galleries"].as_array().expect("galleries").len(), 1);
    assert_eq!(list["galleries"][0]["id"], keep.as_str());
    let again = t.delete_gallery(&anna, &gallery).await;
    assert_error(&again, 404, "not_found");
}

// ---------------------------------------------------------------------------------------------
// Uploads
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn an_upload_is_a_presigned_put_bound_to_its_key_type_and_size() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;

    let reply = t
        .create_photo_upload(
            &anna,
            &gallery,
            json!({ "filename": "IMG_0001.jpg", "content_type": "image/jpeg", "size": 12345 }),
        )
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    let photo = reply.json["photo_id"].as_str().expect("photo id");
    assert!(Uuid::try_parse(photo).is_ok());
    assert_eq!(reply.json["upload_method"], "PUT");
    assert_eq!(
        reply.json["upload_headers"],
        json!({ "content-type": "image/jpeg", "content-length": "12345", "if-none-match": "*" })
    );
    let expires_at = reply.json["expires_at"].as_str().expect("expires_at");
    assert!(
        expires_at.contains('T') && expires_at.ends_with('Z'),
        "{expires_at}"
    );

    let url = reqwest::Url::parse(reply.json["upload_url"].as_str().expect("url")).expect("url");
    // Path-style on moto: /<bucket>/<key>. The key is ours; the filename never reaches it.
    assert!(
        url.path().ends_with(&format!("/uploads/{gallery}/{photo}")),
        "{url}"
    );
    assert!(!url.as_str().contains("IMG_0001"), "{url}");
    // The type, the exact size and "only if nothing is there yet" are signed, so S3 refuses
    // any other upload, and a second PUT to the same key.
    let signed = query_param(&url, "X-Amz-SignedHeaders");
    let signed: Vec<&str> = signed.split(';').collect();
    assert!(signed.contains(&"content-type"), "{signed:?}");
    assert!(signed.contains(&"content-length"), "{signed:?}");
    assert!(signed.contains(&"if-none-match"), "{signed:?}");
    assert_eq!(query_param(&url, "X-Amz-Expires"), "900");
}

#[tokio::test]
async fn uploads_of_other_types_or_sizes_are_refused() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let fifty_mib = 50 * MIB;

    for (body, field) in [
        (
            json!({ "filename": "a.gif", "content_type": "image/gif", "size": 10 }),
            "content_type",
        ),
        (
            json!({ "filename": "a.jpg", "content_type": "text/html", "size": 10 }),
            "content_type",
        ),
        (
            json!({ "filename": "a.jpg", "content_type": "image/jpeg", "size": 0 }),
            "size",
        ),
        (
            json!({ "filename": "a.jpg", "content_type": "image/jpeg", "size": fifty_mib + 1 }),
            "size",
        ),
        (
            json!({ "filename": "..", "content_type": "image/jpeg", "size": 10 }),
            "filename",
        ),
        (
            json!({ "filename": "a/", "content_type": "image/jpeg", "size": 10 }),
            "filename",
        ),
    ] {
        let reply = t.create_photo_upload(&anna, &gallery, body.clone()).await;
        assert_invalid(&reply, field);
    }
    let negative = t
        .create_photo_upload(
            &anna,
            &gallery,
            json!({ "filename": "a.jpg", "content_type": "image/jpeg", "size": -1 }),
        )
        .await;
    assert_error(&negative, 400, "invalid_json");
    // Refused requests leave no photo behind.
    assert!(t.photos(&anna, &gallery).await.is_empty());

    let at_limit = t
        .create_photo_upload(
            &anna,
            &gallery,
            json!({ "filename": "big.png", "content_type": "image/png", "size": fifty_mib }),
        )
        .await;
    assert_eq!(at_limit.status, 201, "{at_limit:?}");
    assert_eq!(t.photos(&anna, &gallery).await.len(), 1);
}

#[tokio::test]
async fn the_upload_size_limit_is_configurable() {
    let t = TestApp::spawn_with(&[("MAX_UPLOAD_BYTES", "1000")]).await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let ask = |size: u64| {
        t.create_photo_upload(
            &anna,
            &gallery,
            json!({ "filename": "a.jpg", "content_type": "image/jpeg", "size": size }),
        )
    };
    assert_eq!(ask(1000).await.status, 201);
    assert_invalid(&ask(1001).await, "size");
}

#[tokio::test]
async fn an_uploaded_filename_keeps_only_its_last_path_component() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    for name in ["../../x.jpg", "C:\\Users\\anna\\IMG_1.JPG"] {
        let reply = t
            .create_photo_upload(
                &anna,
                &gallery,
                json!({ "filename": name, "content_type": "image/jpeg", "size": 10 }),
            )
            .await;
        assert_eq!(reply.status, 201, "{reply:?}");
        assert!(!reply.json["upload_url"].as_str().unwrap().contains(".."));
    }
    let names: Vec<Value> = t
        .photos(&anna, &gallery)
        .await
        .iter()
        .map(|p| p["filename"].clone())
        .collect();
    assert_eq!(names, vec![json!("x.jpg"), json!("IMG_1.JPG")]);
}

#[tokio::test]
async fn a_photo_is_uploading_until_ingest_then_ready_with_a_thumbnail() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let bytes = jpeg(640, 480);
    let size = bytes.len();
    let photo = t
        .upload(&anna, &gallery, "IMG_1.jpg", bytes, "image/jpeg")
        .await;

    let before = t.photos(&anna, &gallery).await;
    assert_eq!(before.len(), 1);
    assert_eq!(before[0]["photo_id"], photo.as_str());
    assert_eq!(before[0]["status"], "uploading");
    assert_eq!(before[0]["thumbnail_url"], Value::Null);
    assert_eq!(before[0]["filename"], "IMG_1.jpg");
    assert_eq!(before[0]["content_type"], "image/jpeg");
    assert_eq!(before[0]["size"], size);

    t.drain_ingest().await;
    let after = t.photos(&anna, &gallery).await;
    assert_eq!(after[0]["status"], "ready", "{after:?}");
    assert_eq!(
        (after[0]["width"].clone(), after[0]["height"].clone()),
        (json!(640), json!(480))
    );
    let thumbnail = after[0]["thumbnail_url"].as_str().expect("thumbnail url");
    let (status, body) = t.fetch(thumbnail).await;
    assert_eq!(status, 200);
    assert_eq!(
        image::guess_format(&body).expect("an image"),
        image::ImageFormat::Jpeg
    );
}

#[tokio::test]
async fn a_deleted_photo_is_gone_with_its_files() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let photo = t.ready_photo(&anna, &gallery).await;
    let other = t.ready_photo(&anna, &gallery).await;
    let listed = t.photos(&anna, &gallery).await;
    let thumbnail = listed
        .iter()
        .find(|p| p["photo_id"] == photo.as_str())
        .expect("photo listed")["thumbnail_url"]
        .as_str()
        .expect("thumbnail")
        .to_owned();
    assert_eq!(t.fetch(&thumbnail).await.0, 200);
    let files = t
        .stored_keys(&format!("renditions/{gallery}/{photo}/"))
        .await;
    assert!(files.iter().any(|k| k.ends_with("-wm.webp")), "{files:?}");

    let deleted = t.delete_photo(&anna, &gallery, &photo).await;
    assert_eq!(deleted.status, 204, "{deleted:?}");

    let left = t.photos(&anna, &gallery).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["photo_id"], other.as_str());
    assert_eq!(t.fetch(&thumbnail).await.0, 404);
    assert!(
        t.stored_keys(&format!("originals/{gallery}/{photo}"))
            .await
            .is_empty()
    );
    assert!(
        t.stored_keys(&format!("renditions/{gallery}/{photo}/"))
            .await
            .is_empty()
    );
    assert!(
        !t.stored_keys(&format!("renditions/{gallery}/{other}/"))
            .await
            .is_empty()
    );

    let again = t.delete_photo(&anna, &gallery, &photo).await;
    assert_error(&again, 404, "not_found");
    let garbage = t.delete_photo(&anna, &gallery, "not-a-photo").await;
    assert_error(&garbage, 404, "not_found");
}

#[tokio::test]
async fn a_watermark_logo_is_a_png_of_at_most_2_mib_stored_per_photographer() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let logo = png(40, 20);
    let ask = |content_type: &str, size: u64| {
        t.create_logo_upload(&anna, json!({ "content_type": content_type, "size": size }))
    };

    let reply = ask("image/png", logo.len() as u64).await;
    assert_eq!(reply.status, 201, "{reply:?}");
    assert_eq!(reply.json.get("photo_id"), None);
    assert_eq!(reply.json["upload_method"], "PUT");
    let url = reply.json["upload_url"].as_str().expect("url");
    let parsed = reqwest::Url::parse(url).expect("url");
    assert!(
        parsed.path().ends_with(&format!("/logos/{}.png", anna.id)),
        "{url}"
    );
    assert_eq!(reply.json["upload_headers"]["content-type"], "image/png");
    // A new logo replaces the old one: its URL may overwrite.
    assert_eq!(reply.json["upload_headers"].get("if-none-match"), None);
    let put = t.put_upload(&reply.json, logo).await;
    assert!(put.status().is_success(), "{}", put.status());
    assert_eq!(
        t.stored_keys("logos/").await,
        vec![format!("logos/{}.png", anna.id)]
    );

    assert_invalid(&ask("image/jpeg", 1000).await, "content_type");
    assert_invalid(&ask("image/gif", 1000).await, "content_type");
    assert_invalid(&ask("image/png", 2 * MIB + 1).await, "size");
    assert_invalid(&ask("image/png", 0).await, "size");
    assert_eq!(ask("image/png", 2 * MIB).await.status, 201);
}

// ---------------------------------------------------------------------------------------------
// General access
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn general_access_starts_view_only_and_watermarked_with_a_stable_link() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;

    let general = general_access(&t, &anna, &gallery).await;
    let link = general["link"].as_str().expect("link").to_owned();
    let token = link
        .strip_prefix("https://proofsheet.test/g/")
        .expect("a link on the public base URL");
    assert_eq!(token.len(), 64, "{link}");
    assert!(
        token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    );
    let mut settings = general.clone();
    settings.as_object_mut().expect("object").remove("link");
    assert_eq!(
        settings,
        json!({
            "watermark": true,
            "password_set": false,
            "downloads_enabled": false,
            "download_limit": null,
            "download_resolutions": ["web"],
            "downloads_watermarked": true,
        })
    );
    assert_eq!(
        general_access(&t, &anna, &gallery).await["link"],
        link.as_str()
    );
    // Another gallery has another link.
    let other = t.create_gallery(&anna, "Other").await;
    assert_ne!(
        general_access(&t, &anna, &other).await["link"],
        link.as_str()
    );
}

#[tokio::test]
async fn putting_general_access_changes_the_fields_sent_and_keeps_the_link() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let link = general_access(&t, &anna, &gallery).await["link"].clone();

    let reply = t
        .put_general_access(
            &anna,
            &gallery,
            json!({
                "downloads_enabled": true,
                "download_limit": 20,
                "download_resolutions": ["original", "web"],
            }),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let expected = json!({
        "watermark": true,
        "password_set": false,
        "downloads_enabled": true,
        "download_limit": 20,
        "download_resolutions": ["web", "original"],
        "downloads_watermarked": true,
        "link": link,
    });
    assert_eq!(reply.json, expected);
    assert_eq!(general_access(&t, &anna, &gallery).await, expected);

    // `download_limit: null` means unlimited; other fields stay.
    let unlimited = t
        .put_general_access(
            &anna,
            &gallery,
            json!({ "download_limit": null, "watermark": false, "downloads_watermarked": false }),
        )
        .await;
    assert_eq!(unlimited.status, 200, "{unlimited:?}");
    assert_eq!(unlimited.json["download_limit"], Value::Null);
    assert_eq!(unlimited.json["watermark"], false);
    assert_eq!(unlimited.json["downloads_watermarked"], false);
    assert_eq!(unlimited.json["downloads_enabled"], true);
    assert_eq!(
        unlimited.json["download_resolutions"],
        json!(["web", "original"])
    );
    assert_eq!(unlimited.json["link"], link);
}

#[tokio::test]
async fn concurrent_access_changes_all_land() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    // Each request changes one field; the password one hashes (slowly) between its read and its
    // write, so a read-modify-write would put the others' fields back.
    let changes = [
        json!({ "password": "a-long-password" }),
        json!({ "downloads_enabled": true }),
        json!({ "download_limit": 7 }),
        json!({ "download_resolutions": ["original"] }),
        json!({ "downloads_watermarked": false }),
        json!({ "watermark": false }),
    ];
    let replies = futures::future::join_all(
        changes
            .iter()
            .map(|change| t.put_general_access(&anna, &gallery, change.clone())),
    )
    .await;
    for reply in &replies {
        assert_eq!(reply.status, 200, "{reply:?}");
    }
    let settings = general_access(&t, &anna, &gallery).await;
    assert_eq!(settings["password_set"], true, "{settings}");
    assert_eq!(settings["downloads_enabled"], true, "{settings}");
    assert_eq!(settings["download_limit"], 7, "{settings}");
    assert_eq!(settings["download_resolutions"], json!(["original"]));
    assert_eq!(settings["downloads_watermarked"], false, "{settings}");
    assert_eq!(settings["watermark"], false, "{settings}");
}

#[tokio::test]
async fn grants_stored_before_settings_revisions_can_still_be_changed() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let link = general_access(&t, &anna, &gallery).await["link"].clone();
    let grant_id = grant_id_of_link(link.as_str().unwrap());
    // An item as written before `settings_revision` existed.
    let sdk = proofsheet_store::load_sdk_config().await;
    aws_sdk_dynamodb::Client::new(&sdk)
        .update_item()
        .table_name(&t.provisioned.resources.table)
        .key("PK", AttributeValue::S(format!("GRANT#{grant_id}")))
        .key("SK", AttributeValue::S("GRANT".into()))
        .update_expression("REMOVE settings_revision")
        .send()
        .await
        .unwrap();

    let changed = t
        .put_general_access(&anna, &gallery, json!({ "downloads_enabled": true }))
        .await;
    assert_eq!(changed.status, 200, "{changed:?}");
    let again = t
        .put_general_access(&anna, &gallery, json!({ "download_limit": 3 }))
        .await;
    assert_eq!(again.status, 200, "{again:?}");
    let settings = general_access(&t, &anna, &gallery).await;
    assert_eq!(
        (
            settings["downloads_enabled"].clone(),
            settings["download_limit"].clone()
        ),
        (json!(true), json!(3))
    );
}

#[tokio::test]
async fn a_general_access_password_is_never_revealed() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let password = "tulips-in-april";

    let set = t
        .put_general_access(&anna, &gallery, json!({ "password": password }))
        .await;
    assert_eq!(set.status, 200, "{set:?}");
    assert_eq!(set.json["password_set"], true);
    let fetched = general_access(&t, &anna, &gallery).await;
    assert_eq!(fetched["password_set"], true);
    let listed = ok(t.get_gallery(&anna, &gallery).await);
    for text in [
        set.json.to_string(),
        fetched.to_string(),
        listed.to_string(),
    ] {
        assert!(!text.contains(password), "{text}");
        assert!(!text.to_lowercase().contains("argon2"), "{text}");
        assert!(!text.contains("$v=19$"), "{text}");
    }
    // Something else changes; the password stays.
    let kept = t
        .put_general_access(&anna, &gallery, json!({ "watermark": false }))
        .await;
    assert_eq!(kept.json["password_set"], true);

    let removed = t
        .put_general_access(&anna, &gallery, json!({ "password": null }))
        .await;
    assert_eq!(removed.status, 200, "{removed:?}");
    assert_eq!(removed.json["password_set"], false);
    assert_eq!(
        general_access(&t, &anna, &gallery).await["password_set"],
        false
    );

    for bad in ["", "abc", &"x".repeat(129)] {
        let reply = t
            .put_general_access(&anna, &gallery, json!({ "password": bad }))
            .await;
        assert_invalid(&reply, "password");
    }
    assert_eq!(
        general_access(&t, &anna, &gallery).await["password_set"],
        false
    );
}

#[tokio::test]
async fn incoherent_general_access_settings_are_refused() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let before = general_access(&t, &anna, &gallery).await;

    let no_resolution = t
        .put_general_access(
            &anna,
            &gallery,
            json!({ "downloads_enabled": true, "download_resolutions": [] }),
        )
        .await;
    assert_invalid(&no_resolution, "download_resolutions");
    let too_many = t
        .put_general_access(&anna, &gallery, json!({ "download_limit": 100_001 }))
        .await;
    assert_invalid(&too_many, "download_limit");
    let max = t
        .put_general_access(&anna, &gallery, json!({ "download_limit": 100_000 }))
        .await;
    assert_eq!(max.status, 200, "{max:?}");

    for body in [
        json!({ "download_resolutions": ["huge"] }),
        json!({ "download_limit": -1 }),
        json!({ "watermark": "yes" }),
        json!({ "colour": "red" }),
    ] {
        let reply = t.put_general_access(&anna, &gallery, body.clone()).await;
        assert_error(&reply, 400, "invalid_json");
    }
    let empty = t
        .call_raw(
            "PUT",
            &format!("/galleries/{gallery}/general-access"),
            Some(&anna.api_key),
            None,
        )
        .await;
    assert_error(&empty, 400, "invalid_json");

    let mut after = general_access(&t, &anna, &gallery).await;
    assert_eq!(after["download_limit"], 100_000);
    after["download_limit"] = Value::Null;
    assert_eq!(after, before);
}

// ---------------------------------------------------------------------------------------------
// Private access
// ---------------------------------------------------------------------------------------------

/// Anna's gallery whose general link shows clean previews and offers web and high downloads,
/// shared with Carol by email with her own download limit of 10.
struct SharedWithCarol {
    t: TestApp,
    anna: Photographer,
    gallery: String,
    general_link: String,
    /// As Anna typed it (mixed case).
    email: String,
    reply: Reply,
}

async fn shared_with_carol() -> SharedWithCarol {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let general = t
        .put_general_access(
            &anna,
            &gallery,
            json!({ "watermark": false, "download_resolutions": ["web", "high"] }),
        )
        .await;
    assert_eq!(general.status, 200, "{general:?}");
    let general_link = general.json["link"].as_str().expect("link").to_owned();
    let email = unique_email("Carol.Smith");

    let reply = t
        .create_private_access(
            &anna,
            &gallery,
            json!({ "email": email, "name": "Carol", "download_limit": 10, "downloads_enabled": true }),
        )
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    SharedWithCarol {
        t,
        anna,
        gallery,
        general_link,
        email,
        reply,
    }
}

#[tokio::test]
async fn a_private_grant_copies_the_general_settings_of_its_moment_and_keeps_them() {
    let SharedWithCarol {
        t,
        anna,
        gallery,
        general_link,
        email,
        reply,
    } = shared_with_carol().await;
    let expected_settings = json!({
        "watermark": false,
        "password_set": false,
        "downloads_enabled": true,
        "download_limit": 10,
        "download_resolutions": ["web", "high"],
        "downloads_watermarked": true,
    });
    assert_eq!(reply.json["settings"], expected_settings);
    assert_eq!(reply.json["email"], email.to_lowercase());
    assert_eq!(reply.json["name"], "Carol");
    assert_eq!(reply.json["email_sent"], true);
    assert_eq!(
        reply.json["usage"],
        json!({ "downloads_used": 0, "download_limit": 10 })
    );
    let grant_id = reply.json["grant_id"]
        .as_str()
        .expect("grant id")
        .to_owned();
    let link = reply.json["link"].as_str().expect("link").to_owned();
    assert!(link.starts_with("https://proofsheet.test/g/"), "{link}");
    assert_ne!(link, general_link);
    assert_eq!(open_link(&t, &link).await.status, 200);

    // Later general changes don't reach the grant: it holds values, not references.
    let changed = t
        .put_general_access(
            &anna,
            &gallery,
            json!({
                "watermark": true,
                "downloads_enabled": true,
                "download_limit": 3,
                "download_resolutions": ["original"],
                "downloads_watermarked": false,
                "password": "tulips-in-april",
            }),
        )
        .await;
    assert_eq!(changed.status, 200, "{changed:?}");
    let listed = grants(&t, &anna, &gallery).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["grant_id"], grant_id.as_str());
    assert_eq!(listed[0]["settings"], expected_settings);
    assert_eq!(listed[0]["link"], link.as_str());
}

#[tokio::test]
async fn a_private_grant_emails_its_link_once_to_the_normalised_address() {
    let SharedWithCarol {
        t, email, reply, ..
    } = shared_with_carol().await;
    let link = reply.json["link"].as_str().expect("link").to_owned();
    // One email, to the normalised address, carrying the link and naming the gallery.
    let mails = t.emails_to(&email.to_lowercase()).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(
        mails[0]["body"]
            .as_str()
            .unwrap_or_default()
            .contains(&link),
        "{mails:?}"
    );
    // The emulator keeps the HTML part of a two-part email: the link is a real anchor there.
    assert!(
        mails[0]["body"]
            .as_str()
            .unwrap_or_default()
            .contains(&format!("<a href=\"{link}\"")),
        "{mails:?}"
    );
    assert!(
        mails[0]["subject"]
            .as_str()
            .unwrap_or_default()
            .contains("Smith wedding"),
        "{mails:?}"
    );
}

#[tokio::test]
async fn a_client_has_at_most_one_private_grant_per_gallery() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let other_gallery = t.create_gallery(&anna, "Jones wedding").await;
    let email = unique_email("dave");

    let first = t
        .create_private_access(&anna, &gallery, json!({ "email": email }))
        .await;
    assert_eq!(first.status, 201, "{first:?}");
    for again in [email.clone(), email.to_uppercase(), format!("  {email} ")] {
        let reply = t
            .create_private_access(
                &anna,
                &gallery,
                json!({ "email": again, "watermark": false }),
            )
            .await;
        assert_error(&reply, 409, "client_has_access");
    }
    assert_eq!(t.emails_to(&email).await.len(), 1, "no second invitation");
    let listed = grants(&t, &anna, &gallery).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["settings"]["watermark"], true);

    // The same client may be invited to another gallery.
    let elsewhere = t
        .create_private_access(&anna, &other_gallery, json!({ "email": email }))
        .await;
    assert_eq!(elsewhere.status, 201, "{elsewhere:?}");
    assert_eq!(t.emails_to(&email).await.len(), 2);
}

#[tokio::test]
async fn invalid_private_access_requests_are_refused_and_send_nothing() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let spy = unique_email("spy");

    for body in [
        json!({ "email": "a@b" }),
        json!({ "email": format!("x@example.com\r\nBcc: {spy}") }),
        json!({ "email": format!("x@example.com,{spy}") }),
        json!({ "email": "" }),
        json!({ "email": 42 }),
        json!({ "name": "Carol" }),
        json!({}),
    ] {
        let reply = t.create_private_access(&anna, &gallery, body.clone()).await;
        assert_invalid(&reply, "email");
    }
    let valid = unique_email("erin");
    let bad_name = t
        .create_private_access(&anna, &gallery, json!({ "email": valid, "name": "a\r\nb" }))
        .await;
    assert_invalid(&bad_name, "name");
    let unknown = t
        .create_private_access(&anna, &gallery, json!({ "email": valid, "colour": "red" }))
        .await;
    assert_error(&unknown, 400, "invalid_json");
    let huge = t
        .create_private_access(
            &anna,
            &gallery,
            json!({ "email": valid, "download_resolutions": ["huge"] }),
        )
        .await;
    assert_error(&huge, 400, "invalid_json");
    let too_many = t
        .create_private_access(
            &anna,
            &gallery,
            json!({ "email": valid, "download_limit": 100_001 }),
        )
        .await;
    assert_invalid(&too_many, "download_limit");
    let no_resolution = t
        .create_private_access(
            &anna,
            &gallery,
            json!({ "email": valid, "downloads_enabled": true, "download_resolutions": [] }),
        )
        .await;
    assert_invalid(&no_resolution, "download_resolutions");
    let broken = t
        .call_raw(
            "POST",
            &format!("/galleries/{gallery}/private-access"),
            Some(&anna.api_key),
            Some("{\"email\":".into()),
        )
        .await;
    assert_error(&broken, 400, "invalid_json");

    assert!(grants(&t, &anna, &gallery).await.is_empty());
    assert!(t.emails_to(&spy).await.is_empty());
    assert!(t.emails_to(&valid).await.is_empty());
}

#[tokio::test]
async fn private_grants_are_listed_with_usage_and_can_be_changed() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let first = t
        .create_private_access(
            &anna,
            &gallery,
            json!({ "email": unique_email("f"), "download_limit": 10 }),
        )
        .await;
    let second = t
        .create_private_access(&anna, &gallery, json!({ "email": unique_email("g") }))
        .await;
    let first_id = first.json["grant_id"].as_str().expect("id").to_owned();

    let second_id = second.json["grant_id"].as_str().expect("id").to_owned();

    let listed = grants(&t, &anna, &gallery).await;
    assert_eq!(listed.len(), 2);
    let (listed_first, listed_second) =
        (grant_in(&listed, &first_id), grant_in(&listed, &second_id));
    assert_eq!(
        listed_first["usage"],
        json!({ "downloads_used": 0, "download_limit": 10 })
    );
    assert_eq!(
        listed_second["usage"],
        json!({ "downloads_used": 0, "download_limit": null })
    );
    assert_eq!(listed_first["link"], first.json["link"]);
    assert_eq!(listed_first["settings"], first.json["settings"]);

    let patched = t
        .update_private_access(&anna, &gallery, &first_id, json!({ "download_limit": 50 }))
        .await;
    assert_eq!(patched.status, 200, "{patched:?}");
    assert_eq!(patched.json["settings"]["download_limit"], 50);
    assert_eq!(patched.json["usage"]["download_limit"], 50);
    assert_eq!(patched.json["link"], first.json["link"]);
    let mut expected = first.json["settings"].clone();
    expected["download_limit"] = json!(50);
    assert_eq!(patched.json["settings"], expected);

    let listed = grants(&t, &anna, &gallery).await;
    assert_eq!(grant_in(&listed, &first_id)["settings"], expected);
    assert_eq!(grant_in(&listed, &first_id)["usage"]["download_limit"], 50);
    assert_eq!(
        grant_in(&listed, &second_id)["settings"],
        second.json["settings"]
    );

    let incoherent = t
        .update_private_access(
            &anna,
            &gallery,
            &first_id,
            json!({ "download_limit": 100_001 }),
        )
        .await;
    assert_invalid(&incoherent, "download_limit");
    let unknown_field = t
        .update_private_access(
            &anna,
            &gallery,
            &first_id,
            json!({ "email": "new@example.com" }),
        )
        .await;
    assert_error(&unknown_field, 400, "invalid_json");
    let listed = grants(&t, &anna, &gallery).await;
    assert_eq!(grant_in(&listed, &first_id)["settings"], expected);
}

#[tokio::test]
async fn private_grants_are_listed_oldest_first() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    // Six invitations: a random order would pass by chance once in 720 runs.
    let mut invited = Vec::new();
    for who in ["a", "b", "c", "d", "e", "f"] {
        let reply = t
            .create_private_access(&anna, &gallery, json!({ "email": unique_email(who) }))
            .await;
        assert_eq!(reply.status, 201, "{reply:?}");
        invited.push(reply.json["grant_id"].clone());
    }
    let listed: Vec<Value> = grants(&t, &anna, &gallery)
        .await
        .iter()
        .map(|g| g["grant_id"].clone())
        .collect();
    assert_eq!(listed, invited);
}

#[tokio::test]
async fn a_private_grant_is_only_found_under_its_own_gallery() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let other = t.create_gallery(&anna, "Jones wedding").await;
    let grant = t
        .create_private_access(&anna, &other, json!({ "email": unique_email("h") }))
        .await;
    let grant = grant.json["grant_id"].as_str().expect("id").to_owned();
    let body = json!({ "download_limit": 1 });

    for id in [
        grant.clone(),
        Uuid::new_v4().to_string(),
        "not-a-grant".into(),
    ] {
        let patch = t
            .update_private_access(&anna, &gallery, &id, body.clone())
            .await;
        assert_error(&patch, 404, "not_found");
        let delete = t.delete_private_access(&anna, &gallery, &id).await;
        assert_error(&delete, 404, "not_found");
    }
    let kept = grants(&t, &anna, &other).await;
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0]["settings"]["download_limit"], Value::Null);
}

#[tokio::test]
async fn revoking_a_private_grant_ends_its_link_and_frees_the_email() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let email = unique_email("ivy");
    let keep = t
        .create_private_access(&anna, &gallery, json!({ "email": unique_email("jay") }))
        .await;
    let grant = t
        .create_private_access(&anna, &gallery, json!({ "email": email }))
        .await;
    let link = grant.json["link"].as_str().expect("link").to_owned();
    let grant_id = grant.json["grant_id"].as_str().expect("id").to_owned();
    assert_eq!(open_link(&t, &link).await.status, 200);

    let revoked = t.delete_private_access(&anna, &gallery, &grant_id).await;
    assert_eq!(revoked.status, 204, "{revoked:?}");

    assert_error(&open_link(&t, &link).await, 404, "not_found");
    let listed = grants(&t, &anna, &gallery).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["grant_id"], keep.json["grant_id"]);
    let again = t.delete_private_access(&anna, &gallery, &grant_id).await;
    assert_error(&again, 404, "not_found");
    let patch = t
        .update_private_access(&anna, &gallery, &grant_id, json!({ "watermark": false }))
        .await;
    assert_error(&patch, 404, "not_found");

    // The client can be invited again, with a new link; the old one stays dead.
    let reinvited = t
        .create_private_access(&anna, &gallery, json!({ "email": email }))
        .await;
    assert_eq!(reinvited.status, 201, "{reinvited:?}");
    assert_ne!(reinvited.json["link"], link.as_str());
    assert_eq!(t.emails_to(&email).await.len(), 2);
    assert_error(&open_link(&t, &link).await, 404, "not_found");
}

#[tokio::test]
async fn the_general_link_cannot_be_changed_through_private_access_routes() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let before = general_access(&t, &anna, &gallery).await;
    let link = before["link"].as_str().expect("link").to_owned();
    // Its grant id is the public half of its link.
    let general_id = grant_id_of_link(&link);

    let patch = t
        .update_private_access(&anna, &gallery, &general_id, json!({ "watermark": false }))
        .await;
    assert_error(&patch, 404, "not_found");
    let delete = t.delete_private_access(&anna, &gallery, &general_id).await;
    assert_error(&delete, 404, "not_found");

    assert_eq!(general_access(&t, &anna, &gallery).await, before);
    assert_eq!(open_link(&t, &link).await.status, 200);
    assert!(grants(&t, &anna, &gallery).await.is_empty());
}

#[tokio::test]
async fn null_is_refused_where_it_would_mean_nothing() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let key = Some(anna.api_key.as_str());
    // `null` clears a password, a limit or a custom watermark text; elsewhere it is a mistake.
    for (method, path, body) in [
        (
            "PATCH",
            format!("/galleries/{gallery}"),
            json!({ "title": null }),
        ),
        (
            "PATCH",
            format!("/galleries/{gallery}"),
            json!({ "watermark": { "opacity": null } }),
        ),
        (
            "PUT",
            format!("/galleries/{gallery}/general-access"),
            json!({ "watermark": null }),
        ),
        (
            "PUT",
            format!("/galleries/{gallery}/general-access"),
            json!({ "download_resolutions": null }),
        ),
    ] {
        let reply = t.call(method, &path, key, Some(body.clone())).await;
        assert_eq!(reply.status, 400, "{body}: {reply:?}");
        assert_eq!(reply.error_code(), "invalid_json", "{body}");
    }
    let cleared = t
        .put_general_access(
            &anna,
            &gallery,
            json!({ "download_limit": null, "password": null }),
        )
        .await;
    assert_eq!(cleared.status, 200, "{cleared:?}");
    let gallery_now = t.get_gallery(&anna, &gallery).await;
    assert_eq!(gallery_now.json["title"], "Smith wedding");
}

#[tokio::test]
async fn one_private_link_reads_as_the_list_shows_it_until_it_is_revoked() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let other = t.create_gallery(&anna, "Jones wedding").await;
    let email = unique_email("ann");
    let link = t
        .invite(
            &anna,
            &gallery,
            json!({ "email": email, "download_limit": 4 }),
        )
        .await;
    let path = format!("/galleries/{gallery}/private-access/{}", link.grant_id);
    let read = t.call("GET", &path, Some(&anna.api_key), None).await;
    assert_eq!(read.status, 200, "{read:?}");
    assert_eq!(read.json, grants(&t, &anna, &gallery).await[0]);
    assert_eq!(read.json["link"], link.link.as_str());
    assert_eq!(read.json["settings"]["download_limit"], 4);

    // Under another of her galleries, or after it is revoked, there is no such link.
    let elsewhere = format!("/galleries/{other}/private-access/{}", link.grant_id);
    let misplaced = t.call("GET", &elsewhere, Some(&anna.api_key), None).await;
    assert_eq!(
        (misplaced.status, misplaced.error_code()),
        (404, "not_found")
    );
    t.delete_private_access(&anna, &gallery, &link.grant_id)
        .await;
    let revoked = t.call("GET", &path, Some(&anna.api_key), None).await;
    assert_eq!((revoked.status, revoked.error_code()), (404, "not_found"));
}
