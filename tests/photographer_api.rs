//! The photographer's API: galleries, uploads, access settings, tenant isolation.

use proofsheet_tests::*;
use serde_json::json;

#[tokio::test]
async fn galleries_are_created_listed_and_private_to_their_owner() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let ben = t.photographer("Ben Ray").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;

    let list = t.call("GET", "/galleries", Some(&anna.api_key), None).await;
    assert_eq!(list.status, 200);
    assert_eq!(list.json["galleries"][0]["id"], gallery.as_str());
    let other = t.call("GET", "/galleries", Some(&ben.api_key), None).await;
    assert_eq!(other.json["galleries"], json!([]));
    let peek = t
        .call(
            "GET",
            &format!("/galleries/{gallery}"),
            Some(&ben.api_key),
            None,
        )
        .await;
    assert_eq!(peek.status, 404);
}
