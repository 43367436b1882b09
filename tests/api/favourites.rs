//! Favourites: a client's named lists on their private link (adding, removing, names, the
//! 20-list and 2,000-photo limits, which photos may be picked), the general link asking for an
//! email first, and the photographer's view of every client's lists (JSON and the Lightroom
//! text export).

use futures::StreamExt;
use futures::future::join_all;
use proofsheet_http::ROUTES;
use proofsheet_tests::*;
use serde_json::{Value, json};

/// A client's private link: (grant id, `/g/{token}` path).
async fn invite(t: &TestApp, who: &Photographer, gallery: &str, body: Value) -> (String, String) {
    let link = t.invite(who, gallery, body).await;
    (link.grant_id, link.path)
}

/// A fresh client's private link path.
async fn client(t: &TestApp, who: &Photographer, gallery: &str) -> String {
    invite(t, who, gallery, json!({ "email": unique_email("client") }))
        .await
        .1
}

/// Uploads JPEGs with these filenames, in this order, and ingests them; returns their ids in the
/// gallery's upload order (as the photographer lists them), which is the names' order.
async fn ready_named(
    t: &TestApp,
    who: &Photographer,
    gallery: &str,
    names: &[&str],
) -> Vec<String> {
    // One after another, so the upload order is the names' order (a test names photos by their
    // place in it); uploaded at once, they were created in whatever order the emulator answered.
    let mut ids = Vec::new();
    for name in names {
        ids.push(
            t.upload(who, gallery, name, jpeg(16, 16), "image/jpeg")
                .await,
        );
    }
    t.drain_ingest().await;
    upload_order(t, who, gallery, &ids).await
}

/// `n` ready photos (`DSC_0000.jpg`, …) uploaded one by one: ids in upload order.
async fn ready_in_upload_order(
    t: &TestApp,
    who: &Photographer,
    gallery: &str,
    n: usize,
) -> Vec<String> {
    let names: Vec<String> = (0..n).map(|i| format!("DSC_{i:04}.jpg")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    ready_named(t, who, gallery, &names).await
}

/// `ids` in the gallery's upload order.
async fn upload_order(
    t: &TestApp,
    who: &Photographer,
    gallery: &str,
    ids: &[String],
) -> Vec<String> {
    let mut order = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let query = match &cursor {
            Some(c) => format!("limit=100&cursor={c}"),
            None => "limit=100".to_owned(),
        };
        let page = t.list_photos_page(who, gallery, &query).await;
        assert_eq!(page.status, 200, "{page:?}");
        for photo in page.json["photos"].as_array().expect("photos") {
            let id = photo["photo_id"].as_str().expect("photo_id").to_owned();
            if ids.contains(&id) {
                order.push(id);
            }
        }
        match page.json["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(order.len(), ids.len(), "every photo listed");
    order
}

/// The client's lists as (name, photo ids), insisting on 200.
async fn lists(t: &TestApp, path: &str) -> Vec<(String, Vec<String>)> {
    let reply = t.list_favourites(path, None).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.json["lists"]
        .as_array()
        .unwrap_or_else(|| panic!("no lists in {reply:?}"))
        .iter()
        .map(|list| {
            let ids = list["photo_ids"]
                .as_array()
                .expect("photo_ids")
                .iter()
                .map(|id| id.as_str().expect("photo id").to_owned())
                .collect();
            (list["name"].as_str().expect("name").to_owned(), ids)
        })
        .collect()
}

/// Adds, insisting on 204.
async fn add(t: &TestApp, path: &str, photo: &str, list: Option<&str>) {
    let reply = t.add_favourite(path, None, photo, list).await;
    assert_eq!(reply.status, 204, "add {photo} to {list:?}: {reply:?}");
}

/// Removes, insisting on 204.
async fn remove(t: &TestApp, path: &str, photo: &str, list: Option<&str>) {
    let reply = t.remove_favourite(path, None, photo, list).await;
    assert_eq!(reply.status, 204, "remove {photo} from {list:?}: {reply:?}");
}

fn list(name: &str, ids: &[&String]) -> (String, Vec<String>) {
    (
        name.to_owned(),
        ids.iter().map(|id| (*id).clone()).collect(),
    )
}

// ---------------------------------------------------------------------------------------------
// A client's lists
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn favourites_are_named_lists_of_photos_in_upload_order() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let p = ready_in_upload_order(&t, &anna, &gallery, 3).await;
    let path = client(&t, &anna, &gallery).await;
    assert_eq!(lists(&t, &path).await, vec![], "no lists to start with");

    // Added last to first, into the default list; twice each (idempotent).
    for photo in p.iter().rev() {
        add(&t, &path, photo, None).await;
        add(&t, &path, photo, None).await;
    }
    add(&t, &path, &p[1], Some("  Album  ")).await;
    add(&t, &path, &p[0], Some("Album")).await;
    assert_eq!(
        lists(&t, &path).await,
        vec![
            list("Album", &[&p[0], &p[1]]),
            list("Favourites", &[&p[0], &p[1], &p[2]]),
        ],
        "lists by name, names trimmed, photos once each in upload order"
    );

    // The default list is the one named "Favourites".
    remove(&t, &path, &p[0], Some("Favourites")).await;
    remove(&t, &path, &p[0], None).await;
    remove(&t, &path, &p[1], Some(" Album")).await;
    assert_eq!(
        lists(&t, &path).await,
        vec![list("Album", &[&p[0]]), list("Favourites", &[&p[1], &p[2]])]
    );

    // Removing the last photo removes the list; removing from a list that isn't there is fine.
    remove(&t, &path, &p[0], Some("Album")).await;
    remove(&t, &path, &p[0], Some("Album")).await;
    remove(&t, &path, &p[0], Some("Never made")).await;
    assert_eq!(
        lists(&t, &path).await,
        vec![list("Favourites", &[&p[1], &p[2]])]
    );

    // A photo the photographer deletes drops out of the list.
    let deleted = t.delete_photo(&anna, &gallery, &p[1]).await;
    assert_eq!(deleted.status, 204, "{deleted:?}");
    assert_eq!(lists(&t, &path).await, vec![list("Favourites", &[&p[2]])]);
}

#[tokio::test]
async fn each_client_has_their_own_lists() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let p = ready_in_upload_order(&t, &anna, &gallery, 2).await;
    let carol = client(&t, &anna, &gallery).await;
    let dave = client(&t, &anna, &gallery).await;
    add(&t, &carol, &p[0], None).await;
    add(&t, &dave, &p[1], None).await;
    remove(&t, &dave, &p[0], None).await;
    assert_eq!(lists(&t, &carol).await, vec![list("Favourites", &[&p[0]])]);
    assert_eq!(lists(&t, &dave).await, vec![list("Favourites", &[&p[1]])]);
}

#[tokio::test]
async fn list_names_must_be_1_to_60_printable_characters() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let photo = ready_in_upload_order(&t, &anna, &gallery, 1)
        .await
        .remove(0);
    let path = client(&t, &anna, &gallery).await;

    let sixty = "é".repeat(60);
    let sixty_one = "é".repeat(61);
    let padded_sixty = format!("  {sixty}  ");
    for bad in [
        "",
        "   ",
        sixty_one.as_str(),
        "two\nlines",
        "tab\there",
        "nul\0",
    ] {
        let added = t.add_favourite(&path, None, &photo, Some(bad)).await;
        assert_invalid(&added, "list");
        let removed = t.remove_favourite(&path, None, &photo, Some(bad)).await;
        assert_invalid(&removed, "list");
    }
    assert_eq!(lists(&t, &path).await, vec![], "nothing was added");

    add(&t, &path, &photo, Some(&padded_sixty)).await;
    add(&t, &path, &photo, Some("Für Oma 👵")).await;
    let names: Vec<String> = lists(&t, &path).await.into_iter().map(|l| l.0).collect();
    assert_eq!(names, vec!["Für Oma 👵".to_owned(), sixty]);
}

#[tokio::test]
async fn only_ready_photos_of_the_gallery_can_be_picked() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let other_gallery = t.create_gallery(&anna, "Other").await;
    let photo = ready_in_upload_order(&t, &anna, &gallery, 1)
        .await
        .remove(0);
    let foreign = ready_in_upload_order(&t, &anna, &other_gallery, 1)
        .await
        .remove(0);
    let pending = t
        .upload(&anna, &gallery, "later.jpg", jpeg(16, 16), "image/jpeg")
        .await;
    let path = client(&t, &anna, &gallery).await;

    for (what, id) in [
        ("another gallery's photo", foreign.as_str()),
        ("a photo still uploading", pending.as_str()),
        ("an unknown photo", "0190a8d2-8e5c-7c3e-9d55-222222222222"),
        ("a malformed id", "not-a-photo"),
    ] {
        let reply = t.add_favourite(&path, None, id, None).await;
        assert_eq!(
            (reply.status, reply.error_code()),
            (404, "not_found"),
            "{what}: {reply:?}"
        );
    }
    assert_eq!(lists(&t, &path).await, vec![]);
    add(&t, &path, &photo, None).await;
    assert_eq!(lists(&t, &path).await, vec![list("Favourites", &[&photo])]);
}

// ---------------------------------------------------------------------------------------------
// Limits
// ---------------------------------------------------------------------------------------------

fn list_name(i: usize) -> String {
    format!("List {i:02}")
}

/// A 422 on `list` whose message names the limit.
fn assert_limit(reply: &Reply, limit: &str) {
    assert_invalid(reply, "list");
    let message = reply.json["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(limit),
        "message should name {limit:?}: {reply:?}"
    );
}

#[tokio::test]
async fn a_client_keeps_at_most_20_lists() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let p = ready_in_upload_order(&t, &anna, &gallery, 2).await;
    let path = client(&t, &anna, &gallery).await;
    for i in 1..=20 {
        add(&t, &path, &p[0], Some(&list_name(i))).await;
    }

    let refused = t.add_favourite(&path, None, &p[0], Some("List 21")).await;
    assert_limit(&refused, "20 lists");
    assert_eq!(
        refused.json["message"], "list: a client keeps at most 20 lists",
        "{refused:?}"
    );
    // The default list is a list like any other.
    assert_limit(&t.add_favourite(&path, None, &p[0], None).await, "20 lists");
    // Existing lists still take photos, and photos already there.
    add(&t, &path, &p[1], Some("List 01")).await;
    add(&t, &path, &p[0], Some("List 20")).await;
    let now = lists(&t, &path).await;
    assert_eq!(now.len(), 20, "{now:?}");
    assert!(now.iter().all(|l| l.0 != "List 21"));

    // Emptying a list frees its place.
    remove(&t, &path, &p[0], Some("List 05")).await;
    add(&t, &path, &p[0], Some("List 21")).await;
    assert_limit(
        &t.add_favourite(&path, None, &p[0], Some("List 22")).await,
        "20 lists",
    );
    let names: Vec<String> = lists(&t, &path).await.into_iter().map(|l| l.0).collect();
    let want: Vec<String> = (1..=21).filter(|&i| i != 5).map(list_name).collect();
    assert_eq!(names, want);
}

#[tokio::test]
async fn lists_created_in_parallel_stop_at_20() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let photo = ready_in_upload_order(&t, &anna, &gallery, 1)
        .await
        .remove(0);
    let path = client(&t, &anna, &gallery).await;
    add(&t, &path, &photo, Some(&list_name(0))).await;

    let names: Vec<String> = (1..=30).map(list_name).collect();
    let replies = join_all(
        names
            .iter()
            .map(|name| t.add_favourite(&path, None, &photo, Some(name))),
    )
    .await;
    let added = replies.iter().filter(|r| r.status == 204).count();
    for refused in replies.iter().filter(|r| r.status != 204) {
        assert_limit(refused, "20 lists");
    }
    assert_eq!(added, 19, "one list existed, so 19 more fit: {replies:#?}");
    assert_eq!(lists(&t, &path).await.len(), 20);
}

/// A list takes its 2,000th photo and refuses the next; a photo already there, or another
/// list, still takes it; taking one out makes room for one.
#[tokio::test]
async fn a_list_holds_at_most_2000_photos() {
    const MAX: usize = 2_000;
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    // Seeded ready, without files: ingesting 2,001 photos would take minutes.
    let ids = t.seed_ready_photos(&anna, &gallery, MAX + 1).await;
    let path = client(&t, &anna, &gallery).await;
    let (full, last) = ids.split_at(MAX);
    let replies: Vec<Reply> = futures::stream::iter(full)
        .map(|photo| t.add_favourite(&path, None, photo, Some("Big")))
        .buffer_unordered(16)
        .collect()
        .await;
    assert!(replies.iter().all(|r| r.status == 204), "every photo fits");

    let refused = t.add_favourite(&path, None, &last[0], Some("Big")).await;
    assert_limit(&refused, "2000 photos");
    // Adding a photo already there still succeeds; another list still takes the photo.
    add(&t, &path, &full[0], Some("Big")).await;
    add(&t, &path, &last[0], Some("Other")).await;
    let now = lists(&t, &path).await;
    assert_eq!(now[0].0, "Big");
    assert_eq!(now[0].1.len(), MAX);
    assert!(!now[0].1.contains(&last[0]));

    // Taking one out makes room for one.
    remove(&t, &path, &full[0], Some("Big")).await;
    add(&t, &path, &last[0], Some("Big")).await;
    assert_limit(
        &t.add_favourite(&path, None, &full[0], Some("Big")).await,
        "2000 photos",
    );
}

// ---------------------------------------------------------------------------------------------
// Links without favourites of their own
// ---------------------------------------------------------------------------------------------

/// Every favourites route, as (method, path template).
fn favourite_routes() -> Vec<(&'static str, &'static str)> {
    let routes: Vec<_> = ROUTES
        .iter()
        .filter(|r| r.path.starts_with("/g/{token}/favourites"))
        .map(|r| (r.method, r.path))
        .collect();
    assert_eq!(routes.len(), 3, "{routes:?}");
    routes
}

#[tokio::test]
async fn the_general_link_needs_an_email_for_every_favourites_route() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let protected = t.create_gallery(&anna, "Protected").await;
    let photo = ready_in_upload_order(&t, &anna, &gallery, 1)
        .await
        .remove(0);
    let protected_photo = ready_in_upload_order(&t, &anna, &protected, 1)
        .await
        .remove(0);
    t.set_general(&anna, &protected, json!({ "password": "letmein1" }))
        .await;
    let open = t.general_path(&anna, &gallery).await;
    let locked = t.general_path(&anna, &protected).await;
    let unlocked = t.unlock_gallery(&locked, "letmein1").await;
    let session = unlocked.json["session"]
        .as_str()
        .expect("session")
        .to_owned();

    for (method, template) in favourite_routes() {
        for (path, photo, bearer) in [
            (&open, &photo, None),
            (&locked, &protected_photo, Some(session.as_str())),
        ] {
            let token = path.strip_prefix("/g/").unwrap();
            let url = template
                .replace("{token}", token)
                .replace("{photo_id}", photo);
            for url in [url.clone(), format!("{url}?list=Album")] {
                let reply = t.call(method, &url, bearer, None).await;
                assert_eq!(
                    (reply.status, reply.error_code()),
                    (403, "email_required"),
                    "{method} {url}: {reply:?}"
                );
            }
        }
    }
    let exported = t.list_gallery_favourites(&anna, &gallery, None).await;
    assert_eq!(exported.json, json!({ "clients": [] }), "{exported:?}");
}

// ---------------------------------------------------------------------------------------------
// The photographer's view
// ---------------------------------------------------------------------------------------------

/// Anna's gallery of four photos where Carol (named) and Dave (not) keep lists, in every shape
/// the photographer's view must handle: picked out of order, a picked photo deleted since (and
/// with it Carol's default list emptied), a client without lists and a revoked one with lists.
struct PickedLists {
    t: TestApp,
    anna: Photographer,
    gallery: String,
    photos: Vec<String>,
    carol_grant: String,
    carol_email: String,
    dave_grant: String,
    dave_email: String,
}

async fn picked_lists() -> PickedLists {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    let p = ready_named(
        &t,
        &anna,
        &gallery,
        &[
            "DSC_0001.jpg",
            "DSC_0002.JPG",
            "IMG 7.final.jpg",
            "DSC_0004.jpg",
        ],
    )
    .await;
    let carol_email = unique_email("carol");
    let dave_email = unique_email("dave");
    let (carol_grant, carol) = invite(
        &t,
        &anna,
        &gallery,
        json!({ "email": carol_email, "name": "Carol Client" }),
    )
    .await;
    let (dave_grant, dave) = invite(&t, &anna, &gallery, json!({ "email": dave_email })).await;
    // A client without lists, and a revoked one with lists: neither shown.
    client(&t, &anna, &gallery).await;
    let (gone_grant, gone) = invite(
        &t,
        &anna,
        &gallery,
        json!({ "email": unique_email("gone") }),
    )
    .await;
    add(&t, &gone, &p[0], None).await;
    let revoked = t.delete_private_access(&anna, &gallery, &gone_grant).await;
    assert_eq!(revoked.status, 204, "{revoked:?}");

    // Added out of order; shown in upload order.
    for photo in [&p[2], &p[0], &p[1]] {
        add(&t, &carol, photo, Some("Album")).await;
    }
    add(&t, &carol, &p[3], None).await;
    add(&t, &dave, &p[1], Some("Prints")).await;
    // A photo deleted after it was picked is left out.
    add(&t, &carol, &p[3], Some("Album")).await;
    assert_eq!(t.delete_photo(&anna, &gallery, &p[3]).await.status, 204);
    add(&t, &carol, &p[0], Some("Wall")).await;

    PickedLists {
        t,
        anna,
        gallery,
        photos: p,
        carol_grant,
        carol_email,
        dave_grant,
        dave_email,
    }
}

#[tokio::test]
async fn the_photographer_sees_every_live_clients_lists_in_upload_order() {
    let PickedLists {
        t,
        anna,
        gallery,
        photos: p,
        carol_grant,
        carol_email,
        dave_grant,
        dave_email,
    } = picked_lists().await;
    let json_view = t.list_gallery_favourites(&anna, &gallery, None).await;
    assert_eq!(json_view.status, 200, "{json_view:?}");
    let photo = |i: usize, filename: &str| json!({ "photo_id": p[i], "filename": filename });
    assert_eq!(
        json_view.json,
        json!({ "clients": [
            {
                "grant_id": carol_grant,
                "email": carol_email,
                "name": "Carol Client",
                "lists": [
                    { "name": "Album", "photos": [
                        photo(0, "DSC_0001.jpg"), photo(1, "DSC_0002.JPG"), photo(2, "IMG 7.final.jpg"),
                    ], "lightroom_filter": "DSC_0001, DSC_0002, IMG 7.final" },
                    { "name": "Wall", "photos": [photo(0, "DSC_0001.jpg")],
                      "lightroom_filter": "DSC_0001" },
                ],
            },
            {
                "grant_id": dave_grant,
                "email": dave_email,
                "name": null,
                "lists": [{ "name": "Prints", "photos": [photo(1, "DSC_0002.JPG")],
                            "lightroom_filter": "DSC_0002" }],
            },
        ] }),
        "the deleted photo, the emptied default list, the client without lists and the \
         revoked one are all left out"
    );

    let json_explicitly = t
        .list_gallery_favourites(&anna, &gallery, Some("format=json"))
        .await;
    assert_eq!(json_explicitly.json, json_view.json);
    let xml = t
        .list_gallery_favourites(&anna, &gallery, Some("format=xml"))
        .await;
    assert_invalid(&xml, "format");
}

/// `format=txt`: one comment line per list, then its file names without extensions, as
/// Lightroom's filter takes them.
#[tokio::test]
async fn the_photographer_gets_every_live_clients_lists_as_lightroom_lines() {
    let PickedLists {
        t,
        anna,
        gallery,
        carol_email,
        dave_email,
        ..
    } = picked_lists().await;
    let text = t
        .list_gallery_favourites(&anna, &gallery, Some("format=txt"))
        .await;
    assert_eq!(text.status, 200, "{text:?}");
    let content_type = text.headers["content-type"].to_str().unwrap();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    let body = text.json.as_str().expect("a text body");
    assert_eq!(
        body,
        format!(
            "# Carol Client <{carol_email}>: Album (3 photos)\n\
             DSC_0001, DSC_0002, IMG 7.final\n\
             # Carol Client <{carol_email}>: Wall (1 photo)\n\
             DSC_0001\n\
             # {dave_email}: Prints (1 photo)\n\
             DSC_0002\n"
        )
    );
}

#[tokio::test]
async fn another_photographers_gallery_favourites_are_not_found() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let ben = t.photographer("Ben Ray").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let photo = ready_in_upload_order(&t, &anna, &gallery, 1)
        .await
        .remove(0);
    let path = client(&t, &anna, &gallery).await;
    add(&t, &path, &photo, None).await;

    for query in [None, Some("format=txt")] {
        let reply = t.list_gallery_favourites(&ben, &gallery, query).await;
        assert_error(&reply, 404, "not_found");
        assert!(!reply.json.to_string().contains(&photo), "{reply:?}");
        let own = t.list_gallery_favourites(&anna, &gallery, query).await;
        assert_eq!(own.status, 200, "the control: {own:?}");
    }
    let unknown = t
        .list_gallery_favourites(&anna, "0190a8d2-8e5c-7c3e-9d55-444444444444", None)
        .await;
    assert_error(&unknown, 404, "not_found");
}
