//! The photographer's preview (`GET /galleries/{id}/preview?as=…`) is the client's own view:
//! the same photos in the same look, the same permissions and navigation, for the general link,
//! a private link and a client login; it needs no password and counts as nobody's activity.

use proofsheet_tests::*;
use serde_json::{Value, json};

/// A view with every presigned URL cut to the object it names: two presignings of one object
/// differ only in their signature.
fn objects(mut view: Value) -> Value {
    unsigned(&mut view);
    view
}

/// Every presigned URL in `value` without its query (its signature and date differ per call).
fn unsigned(value: &mut Value) {
    match value {
        Value::String(text) if text.contains("X-Amz-Signature") => {
            *text = text.split('?').next().unwrap().to_owned();
        }
        Value::Array(items) => items.iter_mut().for_each(unsigned),
        Value::Object(fields) => fields.values_mut().for_each(unsigned),
        _ => {}
    }
}

#[tokio::test]
async fn the_preview_is_the_clients_view_for_every_kind_of_link() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let wedding = t.create_gallery(&anna, "Smith wedding").await;
    t.ready_photo(&anna, &wedding).await;
    t.ready_photo(&anna, &wedding).await;
    let ceremony = t
        .create_gallery_raw(&anna, json!({ "title": "Ceremony", "parent_id": wedding }))
        .await;
    assert_eq!(ceremony.status, 201);
    // The general link is locked and watermarked; Ann's link is clean with downloads.
    t.set_general(
        &anna,
        &wedding,
        json!({ "password": "venue-2026", "watermark": true }),
    )
    .await;
    let email = unique_email("ann");
    let grant = t
        .create_private_access(
            &anna,
            &wedding,
            json!({ "email": email, "password": null, "watermark": false, "downloads_enabled": true }),
        )
        .await;
    let grant_id = grant.json["grant_id"].as_str().unwrap().to_owned();
    let private_path = client_path(grant.json["link"].as_str().unwrap());
    let login = t.new_client_login(&anna, "Carol", None).await.0;
    let released = t.release_gallery(&anna, &login, &wedding, None).await;
    let login_path = client_path(released.json["link"].as_str().unwrap());
    let general_path = t.general_path(&anna, &wedding).await;
    let session = t.unlock_gallery(&general_path, "venue-2026").await.json["session"]
        .as_str()
        .unwrap()
        .to_owned();

    let cases = [
        ("general".to_owned(), general_path, Some(session.as_str())),
        (format!("grant:{grant_id}"), private_path, None),
        (format!("login:{login}"), login_path, None),
    ];
    for (as_whom, path, session) in &cases {
        let preview = t.preview_gallery(&anna, &wedding, as_whom).await;
        assert_eq!(preview.status, 200, "{as_whom}: {preview:?}");
        let client = t.view_gallery(path, *session).await;
        assert_eq!(client.status, 200, "{as_whom}: {client:?}");
        assert_eq!(objects(preview.json), objects(client.json), "{as_whom}");
    }
    // Watermarked for the general link, clean for Ann: the looks differ as the links do.
    let general = t.preview_gallery(&anna, &wedding, "general").await;
    let private = t
        .preview_gallery(&anna, &wedding, &format!("grant:{grant_id}"))
        .await;
    assert_ne!(
        objects(general.json)["photos"][0]["preview_url"],
        objects(private.json)["photos"][0]["preview_url"]
    );

    // Previews are nobody's activity: Ann's one view above is all there is.
    let activity = t.gallery_activity(&anna, &wedding, None).await;
    let ann = activity.json["clients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["grant_id"] == grant_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(ann["view_count"], 1, "{ann}");
}

#[tokio::test]
async fn a_preview_names_only_the_galleries_own_links() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let ben = t.photographer("Ben Ode").await;
    let wedding = t.create_gallery(&anna, "Smith wedding").await;
    let other = t.create_gallery(&anna, "Portraits").await;
    let elsewhere = t
        .create_private_access(&anna, &other, json!({ "email": unique_email("x") }))
        .await;
    let grant_elsewhere = elsewhere.json["grant_id"].as_str().unwrap();
    let general_elsewhere = t.get_gallery(&anna, &other).await;
    assert_eq!(general_elsewhere.status, 200);
    let login = t.new_client_login(&anna, "Carol", None).await.0;
    let bens_login = t.new_client_login(&ben, "Eve", None).await.0;

    // Another gallery's link, a login it isn't released to, another photographer's login.
    for as_whom in [
        format!("grant:{grant_elsewhere}"),
        format!("login:{login}"),
        format!("login:{bens_login}"),
    ] {
        let refused = t.preview_gallery(&anna, &wedding, &as_whom).await;
        assert_error(&refused, 404, "not_found");
    }
    for bad in ["everyone", "grant:nope", "login:", "grant"] {
        assert_invalid(&t.preview_gallery(&anna, &wedding, bad).await, "as");
    }
    // Ben can't preview Anna's gallery at all.
    assert_error(
        &t.preview_gallery(&ben, &wedding, "general").await,
        404,
        "not_found",
    );
}
