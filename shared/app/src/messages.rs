//! Every message body Proofsheet itself puts on a queue, in one enum, so a sender and the worker
//! that takes it can't disagree on a field name. Internally tagged: `{"job": "rerender_gallery",
//! "gallery_id": "…"}`. (S3's own notifications arrive on the ingest queue too; the worker
//! parses those into their own type.)

use proofsheet_policy::{DownloadRequestId, GalleryId, GrantId, PhotoId};
use proofsheet_store::{DownloadRequestRecord, StoreError};
use serde::{Deserialize, Serialize};

use crate::App;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "job", rename_all = "snake_case", deny_unknown_fields)]
pub enum Message {
    /// Render every ready photo of a gallery again (its watermark or logo changed). The ingest
    /// worker fans it out into one [`Message::RerenderPhoto`] per photo, so neither the HTTP
    /// request nor one message does work proportional to the gallery's size.
    RerenderGallery { gallery_id: GalleryId },
    /// Render one ready photo's renditions again from its original.
    RerenderPhoto {
        gallery_id: GalleryId,
        photo_id: PhotoId,
    },
    /// Render a client's accepted download request into a ZIP and email them its link. The
    /// request's record says what to render; handling it twice must do no harm twice.
    PrepareDownload {
        grant_id: GrantId,
        request_id: DownloadRequestId,
    },
}

impl App {
    /// Puts `messages` on the queue at `queue_url`, ten to a call.
    pub async fn send(&self, queue_url: &str, messages: &[Message]) -> Result<(), StoreError> {
        let bodies: Vec<String> = messages
            .iter()
            .map(|m| serde_json::to_string(m).map_err(|e| StoreError::Aws(e.to_string())))
            .collect::<Result<_, _>>()?;
        self.store().send_messages(queue_url, &bodies).await
    }
}

impl App {
    /// Asks the ingest worker to render these galleries' ready photos again (their watermark
    /// changed): one message per gallery, so a request stays quick however many photos there
    /// are. Photos still uploading pick the new watermark up at ingest.
    pub async fn rerender_galleries(&self, galleries: &[GalleryId]) -> Result<(), StoreError> {
        let Some(queue_url) = &self.config().ingest_queue_url else {
            tracing::warn!("INGEST_QUEUE_URL is not set: existing photos keep their old watermark");
            return Ok(());
        };
        let messages: Vec<Message> = galleries
            .iter()
            .map(|&gallery_id| Message::RerenderGallery { gallery_id })
            .collect();
        self.send(queue_url, &messages).await
    }
}

impl App {
    /// Puts an accepted download request's message on the download queue and notes it on the
    /// request. `false` when it could not go out now: the request stays recorded as unsent, and
    /// a retry of the same request or the resend sweep sends it later.
    pub async fn enqueue_download(&self, request: &DownloadRequestRecord) -> bool {
        let Some(queue_url) = &self.config().download_queue_url else {
            tracing::warn!(request_id = %request.id, "DOWNLOAD_QUEUE_URL is not set: the request waits unsent");
            return false;
        };
        let message = Message::PrepareDownload {
            grant_id: request.grant_id,
            request_id: request.id,
        };
        if let Err(error) = self.send(queue_url, &[message]).await {
            tracing::warn!(%error, request_id = %request.id, "download request not queued; it stays unsent");
            return false;
        }
        match self
            .store()
            .mark_download_enqueued(request.grant_id, request.id, self.now())
            .await
        {
            Ok(_) => true,
            // Sent all the same: the worker handles a second message for it harmlessly.
            Err(error) => {
                tracing::warn!(%error, request_id = %request.id, "download request queued but not marked");
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_tagged_and_round_trip() {
        let gallery_id = GalleryId::parse("0190a8d2-8e5c-7c3e-9d55-111111111111").unwrap();
        let photo_id = PhotoId::parse("0190a8d2-8e5c-7c3e-9d55-222222222222").unwrap();
        let message = Message::RerenderPhoto {
            gallery_id,
            photo_id,
        };
        let body = serde_json::to_value(&message).unwrap();
        assert_eq!(body["job"], "rerender_photo");
        assert_eq!(body["photo_id"], "0190a8d2-8e5c-7c3e-9d55-222222222222");
        let back: Message = serde_json::from_value(body).unwrap();
        assert_eq!(back, message);
    }

    #[test]
    fn unknown_jobs_and_fields_are_refused() {
        assert!(serde_json::from_str::<Message>(r#"{"job":"format_disk"}"#).is_err());
        let extra = r#"{"job":"rerender_gallery","gallery_id":"0190a8d2-8e5c-7c3e-9d55-111111111111","x":1}"#;
        assert!(serde_json::from_str::<Message>(extra).is_err());
    }
}
