//! Secrets stay secret: a table dump holds no API key, password, token or session, and neither
//! do the logs of a whole photographer-and-client session.

use std::io::Write;
use std::sync::{Arc, Mutex};

use proofsheet_tests::*;
use serde_json::json;

/// Every secret a full flow hands out: API key, passwords, link tokens, a session.
struct Secrets {
    values: Vec<String>,
}

async fn full_flow(t: &TestApp) -> Secrets {
    let anna = t.photographer("Anna Lee").await;
    let key = Some(anna.api_key.as_str());
    let gallery = t.create_gallery(&anna, "Smith wedding").await;
    t.ready_photo(&anna, &gallery).await;
    let general = t
        .call(
            "PUT",
            &format!("/galleries/{gallery}/general-access"),
            key,
            Some(json!({ "password": "general-pass-1" })),
        )
        .await;
    let general_link = general.json["link"].as_str().unwrap().to_owned();
    let grant = t
        .call(
            "POST",
            &format!("/galleries/{gallery}/private-access"),
            key,
            Some(json!({ "email": unique_email("ann"), "password": "private-pass-2" })),
        )
        .await;
    assert_eq!(grant.status, 201, "{grant:?}");
    let private_link = grant.json["link"].as_str().unwrap().to_owned();
    let path = client_path(&general_link);
    t.call(
        "POST",
        &format!("{path}/unlock"),
        None,
        Some(json!({ "password": "wrong-guess-3" })),
    )
    .await;
    let unlocked = t
        .call(
            "POST",
            &format!("{path}/unlock"),
            None,
            Some(json!({ "password": "general-pass-1" })),
        )
        .await;
    let session = unlocked.json["session"].as_str().unwrap().to_owned();
    let view = t.call("GET", &path, Some(&session), None).await;
    assert_eq!(view.status, 200);
    let token = |link: &str| link.rsplit('/').next().unwrap().to_owned();
    Secrets {
        values: vec![
            anna.api_key.clone(),
            "general-pass-1".into(),
            "private-pass-2".into(),
            "wrong-guess-3".into(),
            token(&general_link),
            token(&private_link),
            session,
        ],
    }
}

#[tokio::test]
async fn a_table_dump_holds_no_secrets() {
    let t = TestApp::spawn().await;
    let secrets = full_flow(&t).await;
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    // A test may scan: it plays the attacker holding a backup of the table.
    let dump = aws_sdk_dynamodb::Client::new(&sdk)
        .scan()
        .table_name(&t.provisioned.resources.table)
        .send()
        .await
        .unwrap();
    let text = format!("{:?}", dump.items());
    assert!(dump.count() > 5, "the dump should hold the flow's items");
    for secret in &secrets.values {
        assert!(
            !text.contains(secret.as_str()),
            "the table holds a secret: {secret}"
        );
    }
    assert!(
        text.contains("$argon2id$"),
        "passwords are stored as argon2id hashes"
    );
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_logs_hold_no_secrets() {
    let t = TestApp::spawn().await;
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::TRACE)
        .with_current_span(true)
        .with_span_list(true)
        .with_writer(move || writer.clone())
        .finish();
    let secrets = {
        let _guard = tracing::subscriber::set_default(subscriber);
        full_flow(&t).await
    };
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("\"route\""),
        "the flow should have been logged: {logs:.300}"
    );
    for secret in &secrets.values {
        assert!(
            !logs.contains(secret.as_str()),
            "the logs hold a secret: {secret}"
        );
    }
}
