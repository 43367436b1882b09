//! The resend sweep: download requests that were accepted and charged, but whose message never
//! reached the download queue (the accepting function stopped, or SQS refused). Runs on a
//! schedule; the requests wait in a sparse index until their message is sent.

use lambda_runtime::LambdaEvent;
use proofsheet_app::{App, SecretKeyUse, startup};
use proofsheet_store::StoreError;

/// Sends every request left unsent past the grace period
/// ([`proofsheet_policy::downloads::UNSENT_GRACE_SECS`]); returns how many went out.
pub async fn resend_unsent_downloads(app: &App) -> Result<usize, StoreError> {
    let cutoff = app
        .now()
        .saturating_sub(proofsheet_policy::downloads::UNSENT_GRACE_SECS);
    let unsent = app.store().unsent_downloads(cutoff).await?;
    let mut sent = 0;
    for request in &unsent {
        if app.enqueue_download(request).await {
            sent += 1;
        }
    }
    if !unsent.is_empty() {
        tracing::info!(
            found = unsent.len(),
            sent,
            "resent unsent download requests"
        );
    }
    Ok(sent)
}

/// The scheduled function: one sweep per invocation. A failed sweep fails the invocation, so
/// it shows in the function's error metric; the next one picks the same requests up.
pub async fn serve() -> Result<(), lambda_runtime::Error> {
    let app = startup::start(SecretKeyUse::NotNeeded).await;
    let app = &app;
    lambda_runtime::run(lambda_runtime::service_fn(
        move |_: LambdaEvent<serde_json::Value>| async move {
            resend_unsent_downloads(app)
                .await
                .map(|sent| serde_json::json!({ "sent": sent }))
                .map_err(|e| lambda_runtime::Error::from(e.to_string()))
        },
    ))
    .await
}
