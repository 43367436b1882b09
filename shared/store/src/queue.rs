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
            .sqs
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
        self.sqs
            .delete_message()
            .queue_url(queue_url)
            .receipt_handle(receipt_handle)
            .send()
            .await?;
        Ok(())
    }
}
