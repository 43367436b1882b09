//! The ingest worker: S3 says an original landed (through SQS), we validate it, bake in its
//! orientation, render thumbnail and preview (clean and watermarked) and settle the photo.
//!
//! Redelivery is harmless: a photo is settled once (`uploading` → `ready`/`rejected` is a
//! conditional write) and renditions are overwritten with identical bytes.
//!
//! A new watermark (or logo) arrives as one `rerender_gallery` message per gallery; the worker
//! fans it out into one `rerender` message per ready photo, so neither the HTTP request nor one
//! message's handling does work proportional to the gallery's size in renders. A message we can't
//! read is reported as a batch item failure, so after the queue's retries it lands in the DLQ.

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use proofsheet_policy::ViewRendition::{Clean, Watermarked};
use proofsheet_policy::{GalleryId, PhotoId, PhotoPage, PhotographerId, WatermarkMode};
use proofsheet_render::{DecodeLimits, Mark, Watermark, render_renditions};
use proofsheet_store::object_keys::RenditionSize::{Preview, Thumbnail};
use proofsheet_store::{GalleryRecord, StoreError, object_keys};
use tracing::Instrument;

use crate::App;

/// Handles one SQS batch, reporting the messages that must be retried.
pub async fn handle_batch(app: &App, event: SqsEvent) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    for message in event.records {
        let id = message.message_id.clone().unwrap_or_default();
        let span = tracing::info_span!("ingest_message", message_id = %id);
        // Boxed: the whole ingest state machine inline would be one very deep future type.
        let handled = Box::pin(handle_message(app, &message).instrument(span)).await;
        if let Err(error) = handled {
            tracing::error!(message_id = %id, %error, "ingest failed; the message will be retried");
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = id;
            response.batch_item_failures.push(failure);
        }
    }
    response
}

#[derive(Debug, thiserror::Error)]
enum IngestError {
    #[error("message body is not an S3 event: {0}")]
    Unreadable(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The part of an S3 event notification the worker needs. Read leniently: emulators and
/// event versions differ in the fields around it (moto omits `userIdentity`, for one).
#[derive(serde::Deserialize)]
struct S3Notification {
    #[serde(rename = "Records")]
    records: Vec<S3Record>,
}

#[derive(serde::Deserialize)]
struct S3Record {
    s3: S3Entity,
}

#[derive(serde::Deserialize)]
struct S3Entity {
    object: S3Object,
}

#[derive(serde::Deserialize)]
struct S3Object {
    /// URL-encoded (form style, `+` for space), as S3 sends it.
    key: String,
}

async fn handle_message(app: &App, message: &SqsMessage) -> Result<(), IngestError> {
    let body = message.body.as_deref().unwrap_or_default();
    let value: serde_json::Value =
        serde_json::from_str(body).map_err(|e| IngestError::Unreadable(e.to_string()))?;
    // S3 sends one of these when a notification is configured: nothing to do.
    if value.get("Event").and_then(|e| e.as_str()) == Some("s3:TestEvent") {
        return Ok(());
    }
    if let Some(rerender) = value.get("rerender") {
        let Rerender {
            gallery_id,
            photo_id,
        } = serde_json::from_value(rerender.clone())
            .map_err(|e| IngestError::Unreadable(e.to_string()))?;
        return Ok(render_photo(app, gallery_id, photo_id, Purpose::Rerender).await?);
    }
    if let Some(rerender) = value.get("rerender_gallery") {
        let RerenderGallery { gallery_id } = serde_json::from_value(rerender.clone())
            .map_err(|e| IngestError::Unreadable(e.to_string()))?;
        return Ok(fan_out_rerender(app, gallery_id).await?);
    }
    let event: S3Notification =
        serde_json::from_value(value).map_err(|e| IngestError::Unreadable(e.to_string()))?;
    for record in event.records {
        let key = decode_key(&record.s3.object.key);
        if let Some((gallery, photo)) = object_keys::parse_original(&key) {
            render_photo(app, gallery, photo, Purpose::Ingest).await?;
        } else if let Some(photographer) = object_keys::parse_logo(&key) {
            logo_uploaded(app, photographer).await?;
        } else {
            tracing::warn!(key, "neither an original nor a logo; ignored");
        }
    }
    Ok(())
}

fn decode_key(encoded: &str) -> String {
    percent_encoding::percent_decode_str(&encoded.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

/// Why a photo is being rendered: a fresh upload, or a new watermark for a ready photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Ingest,
    Rerender,
}

/// A queue message asking for a ready photo's renditions to be made again.
#[derive(serde::Serialize, serde::Deserialize)]
struct Rerender {
    gallery_id: GalleryId,
    photo_id: PhotoId,
}

/// A queue message asking for every ready photo of a gallery to be rendered again.
#[derive(serde::Serialize, serde::Deserialize)]
struct RerenderGallery {
    gallery_id: GalleryId,
}

/// Asks the worker to re-render a gallery's ready photos (its watermark changed): one message,
/// so a request stays quick however many photos there are. Photos still uploading pick the new
/// watermark up at ingest.
pub async fn rerender_gallery(app: &App, gallery_id: GalleryId) -> Result<(), StoreError> {
    rerender_galleries(app, &[gallery_id]).await
}

async fn rerender_galleries(app: &App, galleries: &[GalleryId]) -> Result<(), StoreError> {
    let Some(queue_url) = &app.config.ingest_queue_url else {
        tracing::warn!("INGEST_QUEUE_URL is not set: existing photos keep their old watermark");
        return Ok(());
    };
    let bodies: Vec<String> = galleries
        .iter()
        .map(|&gallery_id| {
            serde_json::json!({ "rerender_gallery": RerenderGallery { gallery_id } }).to_string()
        })
        .collect();
    app.store.send_messages(queue_url, &bodies).await
}

/// Queues one re-render per ready photo of the gallery, a page at a time. A redelivery queues
/// them again, which is harmless (re-rendering writes the same renditions); a gallery deleted
/// meanwhile has nothing left to re-render.
async fn fan_out_rerender(app: &App, gallery_id: GalleryId) -> Result<(), StoreError> {
    let Some(queue_url) = &app.config.ingest_queue_url else {
        tracing::warn!(%gallery_id, "INGEST_QUEUE_URL is not set: nothing re-rendered");
        return Ok(());
    };
    if app.store.gallery(gallery_id).await?.is_none() {
        tracing::info!(%gallery_id, "gallery was deleted meanwhile; nothing to re-render");
        return Ok(());
    }
    let mut page = PhotoPage {
        limit: PhotoPage::MAX_LIMIT,
        after: None,
    };
    let mut queued = 0;
    loop {
        let photos = app
            .store
            .photos_page(gallery_id, page, |p| p.status.has_renditions())
            .await?;
        let bodies: Vec<String> = photos
            .photos
            .iter()
            .map(|p| {
                serde_json::json!({ "rerender": Rerender { gallery_id, photo_id: p.id } })
                    .to_string()
            })
            .collect();
        app.store.send_messages(queue_url, &bodies).await?;
        queued += bodies.len();
        match photos.next_after {
            Some(after) => page.after = Some(after),
            None => break,
        }
    }
    tracing::info!(%gallery_id, queued, "re-renders queued");
    Ok(())
}

/// A new logo reaches the photos of every gallery that shows it.
async fn logo_uploaded(app: &App, photographer: PhotographerId) -> Result<(), StoreError> {
    let showing_logo: Vec<GalleryId> = app
        .store
        .galleries_of(photographer)
        .await?
        .into_iter()
        .filter(|g| g.watermark.mode == WatermarkMode::Logo)
        .map(|g| g.id)
        .collect();
    rerender_galleries(app, &showing_logo).await
}

async fn render_photo(
    app: &App,
    gallery_id: GalleryId,
    photo_id: PhotoId,
    purpose: Purpose,
) -> Result<(), StoreError> {
    let store = &app.store;
    let Some(photo) = store.photo(gallery_id, photo_id).await? else {
        // Deleted meanwhile; an upload URL still valid may have put the original back after.
        tracing::info!(%photo_id, "photo was deleted meanwhile; dropping its files");
        return drop_files_of_deleted_photo(app, gallery_id, photo_id).await;
    };
    let expected = match purpose {
        Purpose::Ingest => proofsheet_store::PhotoStatus::Uploading,
        Purpose::Rerender => proofsheet_store::PhotoStatus::Ready,
    };
    if photo.status != expected {
        tracing::info!(%photo_id, status = ?photo.status, ?purpose, "nothing to do (redelivery or settled)");
        return Ok(());
    }
    let Some(gallery) = store.gallery(gallery_id).await? else {
        return Ok(());
    };
    let original_key = object_keys::original(gallery_id, photo_id);
    let original = match store
        .object_bytes(&original_key, app.config.max_upload_bytes)
        .await
    {
        Ok(bytes) => bytes,
        Err(StoreError::NotFound) => return Ok(()),
        Err(StoreError::Conflict(_)) => {
            return reject(
                app,
                gallery_id,
                photo_id,
                "the file is larger than the upload limit",
            )
            .await;
        }
        Err(e) => return Err(e),
    };
    let watermark = watermark_for(app, &gallery).await?;
    let rendered = tokio::task::spawn_blocking(move || {
        render_renditions(&original, &watermark, &DecodeLimits::default())
    })
    .await
    .map_err(|e| StoreError::Aws(format!("render task failed: {e}")))?;
    let renditions = match rendered {
        Ok(renditions) => renditions,
        Err(failure) if !failure.is_rejection() => {
            return Err(StoreError::Aws(format!(
                "rendering failed on our side: {failure}"
            )));
        }
        Err(reason) => {
            tracing::info!(%photo_id, code = reason.code(), "photo rejected");
            return reject(app, gallery_id, photo_id, &reason.to_string()).await;
        }
    };
    for (size, look, rendition) in [
        (Thumbnail, Clean, renditions.thumbnail),
        (Thumbnail, Watermarked, renditions.thumbnail_watermarked),
        (Preview, Clean, renditions.preview),
        (Preview, Watermarked, renditions.preview_watermarked),
    ] {
        let key = object_keys::rendition(gallery_id, photo_id, size, look);
        store.put_object(&key, rendition.jpeg, "image/jpeg").await?;
    }
    if purpose == Purpose::Ingest {
        store
            .mark_photo_ready(gallery_id, photo_id, renditions.width, renditions.height)
            .await?;
    }
    // A delete that ran while we rendered removed the files before ours were written.
    if store.photo(gallery_id, photo_id).await?.is_none() {
        tracing::info!(%photo_id, "photo was deleted while rendering; dropping its files");
        return drop_files_of_deleted_photo(app, gallery_id, photo_id).await;
    }
    tracing::info!(%photo_id, width = renditions.width, height = renditions.height, "photo ready");
    Ok(())
}

/// Removes every file of a photo whose record is gone, so none outlives it unseen.
async fn drop_files_of_deleted_photo(
    app: &App,
    gallery_id: GalleryId,
    photo_id: PhotoId,
) -> Result<(), StoreError> {
    app.store
        .delete_objects(&object_keys::photo_objects(gallery_id, photo_id))
        .await
}

/// Settles a photo as rejected and drops the unusable original.
async fn reject(
    app: &App,
    gallery: GalleryId,
    photo: PhotoId,
    reason: &str,
) -> Result<(), StoreError> {
    if app
        .store
        .mark_photo_rejected(gallery, photo, reason)
        .await?
    {
        app.store
            .delete_objects(&[object_keys::original(gallery, photo)])
            .await?;
    }
    Ok(())
}

/// The gallery's watermark as the renderer takes it. A logo that is missing or broken falls
/// back to the text mark: a bad logo must neither leave photos unprotected nor reject them.
async fn watermark_for(app: &App, gallery: &GalleryRecord) -> Result<Watermark, StoreError> {
    let settings = &gallery.watermark;
    let mark = match settings.mode {
        WatermarkMode::Logo => match app
            .store
            .object_bytes(
                &object_keys::logo(gallery.owner_id),
                proofsheet_policy::UploadRequest::MAX_LOGO_BYTES,
            )
            .await
        {
            Ok(png) => match proofsheet_render::validate_logo(&png) {
                Ok(_) => Some(Mark::Logo(png)),
                Err(e) => {
                    tracing::warn!(error = %e, "the photographer's logo is unusable; using the text mark");
                    None
                }
            },
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e),
        },
        WatermarkMode::Text => None,
    };
    let mark = match mark {
        Some(mark) => mark,
        None => {
            let name = app
                .store
                .photographer(gallery.owner_id)
                .await?
                .map(|p| p.name.to_string())
                .unwrap_or_default();
            Mark::Text(settings.text_for(&name))
        }
    };
    Ok(Watermark {
        mark,
        position: settings.position,
        // The renderer blends in f32; the stored settings keep the exact decimal the photographer chose.
        opacity: settings.opacity as f32,
        scale: settings.scale as f32,
    })
}

/// Receives one batch from `queue_url`, handles it as Lambda would, and deletes what succeeded.
/// Only the local runner and the tests poll; in AWS the event source mapping does this.
pub async fn poll_queue_once(
    app: &App,
    queue_url: &str,
    wait_secs: i32,
) -> Result<usize, StoreError> {
    let messages = app.store.receive_messages(queue_url, 10, wait_secs).await?;
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
    let response = handle_batch(app, event).await;
    for message in &messages {
        let failed = response
            .batch_item_failures
            .iter()
            .any(|f| f.item_identifier == message.message_id);
        if !failed {
            app.store
                .delete_message(queue_url, &message.receipt_handle)
                .await?;
        }
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_keys_are_url_decoded() {
        assert_eq!(decode_key("originals%2Fa%2Fb"), "originals/a/b");
        assert_eq!(decode_key("logos/my+logo%2B1.png"), "logos/my logo+1.png");
    }

    #[test]
    fn sample_events_parse() {
        let event: SqsEvent =
            serde_json::from_str(include_str!("../../../events/sqs-s3-object-created.json"))
                .unwrap();
        let body = event.records[0].body.as_deref().unwrap();
        let notification: S3Notification = serde_json::from_str(body).unwrap();
        let key = decode_key(&notification.records[0].s3.object.key);
        assert!(object_keys::parse_original(&key).is_some(), "{key}");
    }
}
