//! The sample events in `events/` run through the handlers exactly as Lambda delivers them:
//! real-shaped API Gateway v2 payloads, already routed, with path parameters filled in.

use proofsheet_api::Route;
use proofsheet_tests::*;

fn apigw(json: &str) -> lambda_http::Request {
    lambda_http::request::from_str(json).expect("a valid API Gateway v2 event")
}

#[tokio::test]
async fn the_create_gallery_event_creates_a_gallery_for_its_key() {
    let t = TestApp::spawn().await;
    // The sample event carries this example key; give it to a photographer.
    proofsheet_api::admin::create_photographer(
        &t.app,
        "Example Studio",
        "example@example.com",
        "example-studio",
        Some("ps_dev_example_key_0000000000000000000000000000".into()),
    )
    .await
    .expect("photographer");
    let response = t
        .app
        .handle(
            Route::CreateGallery,
            apigw(include_str!("../events/apigw-create-gallery.json")),
        )
        .await;
    assert_eq!(response.status(), 201);
    let list = t
        .call(
            "GET",
            "/galleries",
            Some("ps_dev_example_key_0000000000000000000000000000"),
            None,
        )
        .await;
    assert_eq!(list.json["galleries"][0]["title"], "Smith wedding");
}

#[tokio::test]
async fn the_sample_events_for_client_and_grant_routes_are_refused_cleanly() {
    let t = TestApp::spawn().await;
    let cases = [
        (
            Route::ViewGallery,
            include_str!("../events/apigw-view-gallery.json"),
            404,
        ),
        (
            Route::UnlockGallery,
            include_str!("../events/apigw-unlock-gallery.json"),
            404,
        ),
        // No photographer holds the sample's key.
        (
            Route::UpdatePrivateAccess,
            include_str!("../events/apigw-update-private-access.json"),
            401,
        ),
    ];
    for (route, event, status) in cases {
        let response = t.app.handle(route, apigw(event)).await;
        assert_eq!(response.status(), status, "{route:?}");
        let lambda_http::Body::Text(body) = response.body() else {
            panic!("JSON body expected")
        };
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        assert!(
            json["error"].is_string() && json["message"].is_string(),
            "{json}"
        );
    }
}
