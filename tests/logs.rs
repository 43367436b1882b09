//! Secrets stay out of the logs: a whole photographer-and-client session, logged at TRACE level
//! (AWS SDK included), holds no API key, password, token, session or caller address. Its own
//! test binary, so the subscriber can be global: it then also hears the blocking threads that
//! hash passwords, and no other test races tracing's per-callsite interest cache.

use std::io::Write;
use std::sync::{Arc, Mutex};

use proofsheet_tests::*;

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
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
    let secrets = t.full_flow_handing_out_secrets().await;
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
