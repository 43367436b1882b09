//! Each function's IAM policy in the SAM template must allow every AWS call its code makes,
//! including the calls of its "missing" paths. The local emulator enforces no IAM, so a missing
//! permission would otherwise show only in AWS: a tour through every route and the ingest
//! worker records each function's calls (see `sdk_calls`), then the template is read.

use std::collections::BTreeSet;

use proofsheet_app::SecretKeyUse;
use proofsheet_http::ROUTES;
use proofsheet_tests::iam_policy::{allows, environments, glob, policies};
use proofsheet_tests::sdk_calls::Need;
use proofsheet_tests::*;
use serde_json::json;

fn template() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../infra/template.yaml");
    std::fs::read_to_string(path).expect("infra/template.yaml")
}

/// What the template does not allow, as readable lines.
fn uncovered(template: &str, needs: &BTreeSet<Need>) -> Vec<String> {
    let policies = policies(template);
    needs
        .iter()
        .filter(|need| {
            policies
                .get(need.function)
                .is_none_or(|statements| !allows(statements, need))
        })
        .map(|n| {
            format!(
                "{}: {} on {}{} (for {})",
                n.function,
                n.action,
                n.resource,
                n.prefix
                    .as_ref()
                    .map(|p| format!(" with prefix {p}"))
                    .unwrap_or_default(),
                n.call
            )
        })
        .collect()
}

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
    t.list_photos(&anna, &gallery).await;

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
    for id in [sub.json["id"].as_str().unwrap(), &gallery] {
        let deleted = t.delete_gallery(&anna, id).await;
        assert_eq!(deleted.status, 204, "{deleted:?}");
    }
}

#[tokio::test]
async fn every_function_is_allowed_every_call_its_code_makes() {
    let t = TestApp::spawn().await;
    tour(&t).await;
    let needs = t.sdk_calls.needs();

    // The controls: the tour reached every function, and a missing key on the worker's path.
    let reached: BTreeSet<&str> = needs.iter().map(|n| n.function).collect();
    for function in ROUTES.iter().map(|r| r.function).chain([INGEST_FUNCTION]) {
        assert!(reached.contains(function), "the tour never ran {function}");
    }
    assert!(
        needs
            .iter()
            .any(|n| n.function == INGEST_FUNCTION && n.call.ends_with("of a missing key")),
        "the tour never read a missing key in ingest"
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
        .chain([(INGEST_FUNCTION, SecretKeyUse::NotNeeded)]);
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
