//! The sample events in `events/` run through the handlers exactly as Lambda delivers them:
//! real-shaped API Gateway v2 payloads, already routed, with path parameters filled in.

use proofsheet_http::Route;
use proofsheet_tests::*;

fn apigw(json: &str) -> lambda_http::Request {
    lambda_http::request::from_str(json).expect("a valid API Gateway v2 event")
}

#[tokio::test]
async fn the_create_gallery_event_creates_a_gallery_for_its_key() {
    let t = TestApp::spawn().await;
    // The sample event carries this example key; give it to a photographer.
    proofsheet_app::admin::create_photographer(
        &t.app,
        "Example Studio",
        "example@example.com",
        "example-studio",
        Some("ps_dev_example_key_0000000000000000000000000000".into()),
    )
    .await
    .expect("photographer");
    let response = proofsheet_http::handle(
        &t.app,
        Route::CreateGallery.endpoint(),
        apigw(include_str!("../../events/apigw-create-gallery.json")),
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
            include_str!("../../events/apigw-view-gallery.json"),
            404,
        ),
        (
            Route::UnlockGallery,
            include_str!("../../events/apigw-unlock-gallery.json"),
            404,
        ),
        // No photographer holds the sample's key.
        (
            Route::UpdatePrivateAccess,
            include_str!("../../events/apigw-update-private-access.json"),
            401,
        ),
    ];
    for (route, event, status) in cases {
        let response = proofsheet_http::handle(&t.app, route.endpoint(), apigw(event)).await;
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

/// In AWS the secret key is an SSM SecureString read at cold start by the functions that make or
/// check links: a link made by a function given the key inline opens in one that read it there.
#[tokio::test]
async fn a_function_reads_its_secret_key_from_parameter_store() {
    let key = proofsheet_app::secrets::new_secret_key();
    let t = TestApp::spawn_with(&[("SECRET_KEY", &key)]).await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let path = t.general_path(&anna, &gallery).await;

    let sdk = proofsheet_store::load_sdk_config().await;
    let parameter = format!("/{}/secret-key", t.provisioned.resources.table);
    aws_sdk_ssm::Client::new(&sdk)
        .put_parameter()
        .name(&parameter)
        .value(&key)
        .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
        .send()
        .await
        .expect("put_parameter");
    let config = |parameter: Option<&str>| {
        let mut vars = std::collections::HashMap::from([
            ("TABLE_NAME", t.provisioned.resources.table.clone()),
            ("BUCKET_NAME", t.provisioned.resources.bucket.clone()),
            ("SENDER_EMAIL", SENDER.to_owned()),
        ]);
        if let Some(name) = parameter {
            vars.insert("SECRET_KEY_PARAMETER", name.to_owned());
        }
        proofsheet_app::Config::from_lookup(|k| vars.get(k).cloned()).expect("config")
    };
    let load = |parameter: Option<&str>, secret_key_use| {
        let config = config(parameter);
        let sdk = &sdk;
        async move { proofsheet_app::App::load(sdk, config, secret_key_use).await }
    };

    let viewer = load(Some(&parameter), proofsheet_app::SecretKeyUse::Needed)
        .await
        .expect("the key is read from the parameter");
    let request = http::Request::builder()
        .uri(format!("{BASE_URL}{path}"))
        .body(lambda_http::Body::Empty)
        .unwrap();
    let opened = proofsheet_http::dispatch(&viewer, request).await;
    assert_eq!(opened.status(), 200, "the link opens: same key");

    // A function that needs the key fails at start without one, naming what is missing; one
    // that doesn't starts without reading anything.
    let missing = load(None, proofsheet_app::SecretKeyUse::Needed).await;
    assert!(
        matches!(
            missing,
            Err(proofsheet_app::ConfigError::Missing("SECRET_KEY_PARAMETER"))
        ),
        "{:?}",
        missing.err()
    );
    let unknown = load(
        Some("/nowhere/secret-key"),
        proofsheet_app::SecretKeyUse::Needed,
    )
    .await;
    let error = unknown.err().expect("an unknown parameter fails the start");
    assert!(error.to_string().contains("/nowhere/secret-key"), "{error}");
    assert!(
        load(None, proofsheet_app::SecretKeyUse::NotNeeded)
            .await
            .is_ok()
    );
}
