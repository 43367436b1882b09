//! Secrets stay out of the logs: a whole photographer-and-client session, logged at TRACE level
//! (AWS SDK included), holds no API key, password, token, session or caller address. The tests
//! share one process, so the subscriber is this test's own rather than the global one: the
//! default on the test's thread and on every thread of the test's runtime (the blocking threads
//! that hash passwords included), and on no other test's.

use std::cell::RefCell;
use std::io::Write;
use std::sync::{Arc, Mutex};

use proofsheet_tests::*;
use tracing::dispatcher::{self, DefaultGuard, Dispatch};

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

thread_local! {
    /// The test's subscriber as the default of a thread of its runtime, while the thread lives.
    static RUNTIME_THREAD_DEFAULT: RefCell<Option<DefaultGuard>> = const { RefCell::new(None) };
}

// A runtime of its own (not `#[tokio::test]`'s), so its blocking threads can be given the
// subscriber as they start.
#[test]
fn the_logs_hold_no_secrets() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::TRACE)
        .with_current_span(true)
        .with_span_list(true)
        .with_writer(move || writer.clone())
        .finish();
    // Each callsite caches whether anyone listens to it. While a single dispatcher is registered,
    // tracing asks only the default of the thread that reaches a callsite first, and another
    // test's thread has none: a second one (listening to nothing) makes tracing ask every
    // registered dispatcher, this test's included, whichever thread comes first.
    let second = Dispatch::new(tracing::subscriber::NoSubscriber::default());
    let dispatch = Dispatch::new(subscriber);
    // A callsite another test's thread registered just as this subscriber was may still have
    // cached "no one listens": ask every callsite again.
    tracing::callsite::rebuild_interest_cache();
    let thread_dispatch = dispatch.clone();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .on_thread_start(move || {
            let guard = dispatcher::set_default(&thread_dispatch);
            RUNTIME_THREAD_DEFAULT.with(|default| *default.borrow_mut() = Some(guard));
        })
        .on_thread_stop(|| {
            RUNTIME_THREAD_DEFAULT.with(|default| drop(default.borrow_mut().take()));
        })
        .build()
        .expect("runtime");

    let t = runtime.block_on(TestApp::spawn());
    let secrets = {
        let _test_thread = dispatcher::set_default(&dispatch);
        runtime.block_on(t.full_flow_handing_out_secrets())
    };
    drop((t, runtime, dispatch, second));
    // No one listens any more: tell every callsite, so the other tests' events cost nothing.
    tracing::callsite::rebuild_interest_cache();
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
