//! Email through SES (v2). Values that reach headers are policy-checked types (no CR/LF).

use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};

use crate::{Store, StoreError};

/// One email to one recipient, with a plain-text and an HTML part.
#[derive(Debug, Clone)]
pub struct OutgoingEmail {
    pub to: proofsheet_policy::Email,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Store {
    /// Sends an email from the configured sender; returns the SES message id.
    pub async fn send_email(&self, email: &OutgoingEmail) -> Result<String, StoreError> {
        let content = |data: &str| {
            Content::builder()
                .data(data)
                .charset("UTF-8")
                .build()
                .map_err(|e| StoreError::Aws(e.to_string()))
        };
        let message = Message::builder()
            .subject(content(&email.subject)?)
            .body(
                Body::builder()
                    .text(content(&email.text)?)
                    .html(content(&email.html)?)
                    .build(),
            )
            .build();
        let out = self
            .ses()
            .send_email()
            .from_email_address(&self.resources.sender_email)
            .destination(
                Destination::builder()
                    .to_addresses(email.to.as_str())
                    .build(),
            )
            .content(EmailContent::builder().simple(message).build())
            .send()
            .await?;
        Ok(out.message_id.unwrap_or_default())
    }
}
