//! Reading a queue directly: only the local runner does this (in AWS, Lambda polls for us).

use crate::{Store, StoreError};

/// A received message: its id, body and the handle to delete it with.
#[derive(Debug, Clone)]
pub struct QueueMessage {
    pub message_id: String,
    pub receipt_handle: String,
    pub body: String,
}

impl Store {
    /// Long-polls `queue_url` for up to `max` messages.
    pub async fn receive_messages(
        &self,
        queue_url: &str,
        max: i32,
        wait_secs: i32,
    ) -> Result<Vec<QueueMessage>, StoreError> {
        let out = self
            .sqs()
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(max)
            .wait_time_seconds(wait_secs)
            .send()
            .await?;
        Ok(out
            .messages
            .unwrap_or_default()
            .into_iter()
            .map(|m| QueueMessage {
                message_id: m.message_id.unwrap_or_default(),
                receipt_handle: m.receipt_handle.unwrap_or_default(),
                body: m.body.unwrap_or_default(),
            })
            .collect())
    }

    pub async fn delete_message(
        &self,
        queue_url: &str,
        receipt_handle: &str,
    ) -> Result<(), StoreError> {
        self.sqs()
            .delete_message()
            .queue_url(queue_url)
            .receipt_handle(receipt_handle)
            .send()
            .await?;
        Ok(())
    }
}

impl Store {
    /// Sends messages in batches of ten (SQS's limit per call).
    pub async fn send_messages(
        &self,
        queue_url: &str,
        bodies: &[String],
    ) -> Result<(), StoreError> {
        for (batch, chunk) in bodies.chunks(10).enumerate() {
            let entries = chunk
                .iter()
                .enumerate()
                .map(|(i, body)| {
                    aws_sdk_sqs::types::SendMessageBatchRequestEntry::builder()
                        .id(format!("m{batch}-{i}"))
                        .message_body(body)
                        .build()
                        .map_err(|e| StoreError::Aws(e.to_string()))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let out = self
                .sqs()
                .send_message_batch()
                .queue_url(queue_url)
                .set_entries(Some(entries))
                .send()
                .await?;
            if !out.failed.is_empty() {
                return Err(StoreError::Aws(format!(
                    "{} messages not queued",
                    out.failed.len()
                )));
            }
        }
        Ok(())
    }
}
