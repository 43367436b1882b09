//! Secrets stay out of the table: a dump of it, taken after a whole photographer-and-client
//! session, holds no API key, password, token or session.

use proofsheet_tests::*;

#[tokio::test]
async fn a_table_dump_holds_no_secrets() {
    let t = TestApp::spawn().await;
    let secrets = t.full_flow_handing_out_secrets().await;
    let sdk = proofsheet_store::load_sdk_config().await;
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
