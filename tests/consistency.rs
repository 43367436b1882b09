//! Records stay whole under races and partial failures: a half-deleted gallery, concurrent
//! changes, parents and galleries deleted while something is created under them, deletes that
//! fail midway.

use proofsheet_tests::*;

/// The test's own DynamoDB client, to play a crash or a concurrent writer behind the API's back.
async fn dynamodb() -> aws_sdk_dynamodb::Client {
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    aws_sdk_dynamodb::Client::new(&sdk)
}

fn s(value: impl Into<String>) -> aws_sdk_dynamodb::types::AttributeValue {
    aws_sdk_dynamodb::types::AttributeValue::S(value.into())
}

/// Deletes one item of the test's table directly.
async fn delete_item(t: &TestApp, pk: String, sk: &str) {
    dynamodb()
        .await
        .delete_item()
        .table_name(&t.provisioned.resources.table)
        .key("PK", s(pk))
        .key("SK", s(sk))
        .send()
        .await
        .expect("delete item");
}

async fn general_link(t: &TestApp, who: &Photographer, gallery: &str) -> String {
    let reply = t
        .call(
            "GET",
            &format!("/galleries/{gallery}/general-access"),
            Some(&who.api_key),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    client_path(reply.json["link"].as_str().expect("link"))
}

fn assert_error(reply: &Reply, status: u16, code: &str) {
    assert_eq!(
        (reply.status, reply.error_code()),
        (status, code),
        "{reply:?}"
    );
}

#[tokio::test]
async fn a_gallery_whose_meta_item_is_gone_is_not_found_by_its_link() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    t.ready_photo(&anna, &gallery).await;
    let link = general_link(&t, &anna, &gallery).await;
    assert_eq!(t.call("GET", &link, None, None).await.status, 200);

    // A delete that stopped after the META item: the link and the photo are still there.
    delete_item(&t, format!("GALLERY#{gallery}"), "META").await;

    let reply = t.call("GET", &link, None, None).await;
    assert_error(&reply, 404, "not_found");
}
