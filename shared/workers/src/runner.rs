//! The generic SQS runner: each record's body becomes the worker's typed message, is handled in
//! its own span, and a failure is reported as a batch item failure (Lambda's partial batch
//! response) so only that message is redelivered; after the queue's retries it lands in the DLQ.

use std::future::Future;

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use lambda_runtime::LambdaEvent;
use proofsheet_app::{App, SecretKeyUse, startup};
use proofsheet_store::StoreError;
use serde::de::DeserializeOwned;
use tracing::Instrument;

/// A queue worker: what its messages are and how one is handled.
pub trait Worker {
    /// What one record's body holds.
    type Message: DeserializeOwned + Send;
    /// Names the worker in logs.
    const NAME: &'static str;
    /// Whether it signs links (from the deployment's secret key).
    const SECRET_KEY: SecretKeyUse = SecretKeyUse::NotNeeded;

    fn handle(
        app: &App,
        message: Self::Message,
    ) -> impl Future<Output = Result<(), JobError>> + Send;
}

/// Why a message was not handled. Every kind is redelivered (the queue decides how often), but
/// the log says whether another try can help.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// The body is no message this worker takes: no retry will change that.
    #[error("unreadable message: {0}")]
    Unreadable(String),
    /// AWS or our own machinery failed: another try may well succeed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Work on our side failed (a render task that died, say): another try may succeed.
    #[error("{0}")]
    Ours(String),
}

impl JobError {
    pub fn is_retryable(&self) -> bool {
        !matches!(self, Self::Unreadable(_))
    }
}

/// Handles one SQS batch, reporting the messages that must be retried.
pub async fn handle_batch<W: Worker>(app: &App, event: SqsEvent) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    for record in event.records {
        let id = record.message_id.clone().unwrap_or_default();
        let span = tracing::info_span!("message", worker = W::NAME, message_id = %id);
        // Boxed: a worker's whole state machine inline would be one very deep future type.
        let handled = Box::pin(handle_record::<W>(app, record).instrument(span)).await;
        if let Err(error) = handled {
            if error.is_retryable() {
                tracing::error!(worker = W::NAME, message_id = %id, %error, "failed; the message will be retried");
            } else {
                tracing::error!(worker = W::NAME, message_id = %id, %error, "unreadable; after the queue's retries it goes to the DLQ");
            }
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = id;
            response.batch_item_failures.push(failure);
        }
    }
    response
}

async fn handle_record<W: Worker>(app: &App, record: SqsMessage) -> Result<(), JobError> {
    let body = record.body.as_deref().unwrap_or_default();
    let message: W::Message =
        serde_json::from_str(body).map_err(|e| JobError::Unreadable(e.to_string()))?;
    W::handle(app, message).await
}

/// Runs a worker's Lambda function (SQS event source, partial batch responses).
pub async fn serve<W: Worker>() -> Result<(), lambda_runtime::Error> {
    let app = startup::start(W::SECRET_KEY).await;
    let app = &app;
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: LambdaEvent<SqsEvent>| async move {
            Ok::<_, std::convert::Infallible>(handle_batch::<W>(app, event.payload).await)
        },
    ))
    .await
}

/// Receives one batch from `queue_url`, handles it as Lambda would, and deletes what succeeded.
/// Only the local runner and the tests poll; in AWS the event source mapping does this.
pub async fn poll_queue_once<W: Worker>(
    app: &App,
    queue_url: &str,
    wait_secs: i32,
) -> Result<usize, StoreError> {
    let messages = app
        .store()
        .receive_messages(queue_url, 10, wait_secs)
        .await?;
    let count = messages.len();
    if count == 0 {
        return Ok(0);
    }
    let mut event = SqsEvent::default();
    event.records = messages
        .iter()
        .map(|m| {
            let mut message = SqsMessage::default();
            message.message_id = Some(m.message_id.clone());
            message.receipt_handle = Some(m.receipt_handle.clone());
            message.body = Some(m.body.clone());
            message.event_source = Some("aws:sqs".into());
            message
        })
        .collect();
    let response = handle_batch::<W>(app, event).await;
    for message in &messages {
        let failed = response
            .batch_item_failures
            .iter()
            .any(|f| f.item_identifier == message.message_id);
        if !failed {
            app.store()
                .delete_message(queue_url, &message.receipt_handle)
                .await?;
        }
    }
    Ok(count)
}
