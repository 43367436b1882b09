//! The ingest worker: S3 says an upload landed (through SQS), we check it is the file that was
//! announced, validate it, bake in its orientation, render thumbnail and preview (clean and
//! watermarked), keep it as the photo's original and settle the photo.
//!
//! Redelivery is harmless: a photo is settled once (`uploading` → `ready`/`rejected` is a
//! conditional write), renditions are overwritten with identical bytes (an upload can't change
//! while its URL lives), and an upload event for a settled photo does nothing.
//!
//! A new watermark (or logo) arrives as one `rerender_gallery` message per gallery; the worker
//! fans it out into one `rerender_photo` job per ready photo, so neither the HTTP request nor one
//! message's handling does work proportional to the gallery's size in renders. A message we can't
//! read is reported as a batch item failure, so after the queue's retries it lands in the DLQ.

use proofsheet_app::App;
use proofsheet_app::messages::Message;
use proofsheet_policy::ViewRendition::{Clean, Watermarked};
use proofsheet_policy::{
    BrandLogo, GalleryId, LogoFile, PhotoId, PhotoPage, PhotoStatus, PhotographerId,
    UploadMismatch, UploadRequest, WatermarkMode,
};
use proofsheet_render::{DecodeLimits, RenderError, render_renditions};
use proofsheet_store::object_keys::RenditionSize::{Preview, Thumbnail};
use proofsheet_store::{GalleryRecord, StoreError, object_keys};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::runner::{JobError, Worker};
use crate::s3_event::S3Notification;

/// The ingest worker, run by [`crate::runner`].
pub struct Ingest;

/// What arrives on the ingest queue: our own jobs, or S3's notifications of new objects.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum IngestMessage {
    Job(Message),
    S3(S3Notification),
}

impl Worker for Ingest {
    type Message = IngestMessage;
    const NAME: &'static str = "ingest";

    async fn handle(app: &App, message: IngestMessage) -> Result<(), JobError> {
        match message {
            IngestMessage::Job(Message::RerenderPhoto {
                gallery_id,
                photo_id,
            }) => rerender_photo(app, gallery_id, photo_id).await,
            IngestMessage::Job(Message::RerenderGallery { gallery_id }) => {
                Ok(fan_out_rerender(app, gallery_id).await?)
            }
            // Download requests have their own queue and worker; one here was sent to the wrong queue.
            IngestMessage::Job(message @ Message::PrepareDownload { .. }) => Err(
                JobError::Unreadable(format!("not an ingest job: {message:?}")),
            ),
            IngestMessage::S3(notification) => {
                for key in notification.object_keys() {
                    if let Some((gallery, photo)) = object_keys::parse_upload(&key) {
                        ingest_upload(app, gallery, photo).await?;
                    } else if let Some(photographer) = object_keys::parse_logo(&key) {
                        logo_uploaded(app, photographer).await?;
                    } else if let Some(photographer) = object_keys::parse_brand_logo_upload(&key) {
                        brand_logo_uploaded(app, photographer).await?;
                    } else {
                        tracing::warn!(key, "neither an upload nor a logo; ignored");
                    }
                }
                Ok(())
            }
        }
    }
}

/// Why a photo did not become ready.
enum NotReady {
    /// The file is not what was announced, or no usable image: the photo is rejected for good,
    /// with a code and a reason for the photographer.
    Rejected { code: &'static str, reason: String },
    /// Our side failed: the message is redelivered.
    Failed(JobError),
}

impl From<StoreError> for NotReady {
    fn from(e: StoreError) -> Self {
        Self::Failed(e.into())
    }
}

impl From<JobError> for NotReady {
    fn from(e: JobError) -> Self {
        Self::Failed(e)
    }
}

/// Queues one re-render per ready photo of the gallery, a page at a time. A redelivery queues
/// them again, which is harmless (re-rendering writes the same renditions); a gallery deleted
/// meanwhile has nothing left to re-render.
async fn fan_out_rerender(app: &App, gallery_id: GalleryId) -> Result<(), StoreError> {
    let Some(queue_url) = &app.config().ingest_queue_url else {
        tracing::warn!(%gallery_id, "INGEST_QUEUE_URL is not set: nothing re-rendered");
        return Ok(());
    };
    if app.store().gallery(gallery_id).await?.is_none() {
        tracing::info!(%gallery_id, "gallery was deleted meanwhile; nothing to re-render");
        return Ok(());
    }
    let mut page = PhotoPage {
        limit: PhotoPage::SIZE.max,
        after: None,
    };
    let mut queued = 0;
    loop {
        let photos = app
            .store()
            .photos_page(gallery_id, page.clone(), |p| p.status.has_renditions())
            .await?;
        let messages: Vec<Message> = photos
            .photos
            .iter()
            .map(|p| Message::RerenderPhoto {
                gallery_id,
                photo_id: p.id,
            })
            .collect();
        app.send(queue_url, &messages).await?;
        queued += messages.len();
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
        .store()
        .galleries_of(photographer)
        .await?
        .into_iter()
        .filter(|g| g.watermark.mode == WatermarkMode::Logo)
        .map(|g| g.id)
        .collect();
    app.rerender_galleries(&showing_logo).await
}

/// The photographer's brand logo landed: made into the PNG their pages and emails show (named by
/// its content), then shown; a file that can't be a logo is refused with the reason, and the
/// logo shown before stays. The upload is read as it is now, not as the event saw it, so an
/// event delivered late or again settles the latest upload, to the same file: redelivery is
/// harmless. The upload is left for a lifecycle rule (deleting it here could delete a newer one
/// whose event is still on its way).
async fn brand_logo_uploaded(app: &App, photographer: PhotographerId) -> Result<(), JobError> {
    let store = app.store();
    let key = object_keys::brand_logo_upload(photographer);
    let uploaded = match store
        .object_bytes(&key, UploadRequest::MAX_LOGO_BYTES)
        .await
    {
        // Expired before this (redriven) message came: nothing left to do.
        Err(StoreError::NotFound) => return Ok(()),
        Err(StoreError::TooLarge { .. }) => {
            let reason = "This logo can't be used: it is larger than 2 MB. Please upload a \
                          smaller PNG.";
            return Ok(store.refuse_brand_logo(photographer, Some(reason)).await?);
        }
        read => read?,
    };
    let made = tokio::task::spawn_blocking(move || proofsheet_render::brand_logo(&uploaded))
        .await
        .map_err(|e| JobError::Ours(format!("logo task failed: {e}")))?;
    let logo = match made {
        Ok(logo) => logo,
        Err(RenderError::LogoInvalid(why)) => {
            let reason = format!(
                "This logo can't be used: {why}. Please upload a PNG of at most 4000 × 4000 \
                 pixels."
            );
            tracing::info!(%photographer, reason, "brand logo refused");
            return Ok(store.refuse_brand_logo(photographer, Some(&reason)).await?);
        }
        Err(e) if e.is_rejection() => {
            let reason = format!("This logo can't be used: {e}");
            return Ok(store.refuse_brand_logo(photographer, Some(&reason)).await?);
        }
        Err(e) => return Err(JobError::Ours(e.to_string())),
    };
    let digest = Sha256::digest(&logo.png);
    let file = LogoFile::parse(&hex::encode(&digest[..16]))
        .map_err(|e| JobError::Ours(format!("logo file name: {e}")))?;
    store
        .put_object(
            &object_keys::brand_logo(photographer, &file),
            logo.png,
            "image/png",
        )
        .await?;
    let shown = BrandLogo {
        file,
        width: logo.width,
        height: logo.height,
    };
    store.set_brand_logo(photographer, Some(&shown)).await?;
    tracing::info!(%photographer, file = shown.file.as_str(), "brand logo shown");
    Ok(())
}

/// A photo's upload landed: check it is the file that was announced, render it, keep it as the
/// original and settle the photo. `originals/` is written only here, from the bytes validated,
/// so no upload URL can replace a validated original. The upload itself is left in place (a
/// lifecycle rule removes it a day later): while it is there, S3 refuses every replay of its
/// URL (`If-None-Match: *`), and a duplicate delivery reads the very same bytes.
async fn ingest_upload(
    app: &App,
    gallery_id: GalleryId,
    photo_id: PhotoId,
) -> Result<(), JobError> {
    match make_ready(app, gallery_id, photo_id).await {
        Ok(()) => Ok(()),
        Err(NotReady::Rejected { code, reason }) => {
            Ok(reject(app, gallery_id, photo_id, code, &reason).await?)
        }
        Err(NotReady::Failed(error)) => Err(error),
    }
}

async fn make_ready(app: &App, gallery_id: GalleryId, photo_id: PhotoId) -> Result<(), NotReady> {
    let store = app.store();
    let upload_key = object_keys::upload(gallery_id, photo_id);
    let Some(photo) = store.photo(gallery_id, photo_id).await? else {
        // Deleted meanwhile; an upload URL still valid may have put a file back after.
        return Ok(
            drop_files_of_deleted_photo(app, gallery_id, photo_id, "before its event").await?,
        );
    };
    if photo.status != PhotoStatus::Uploading {
        // A redelivered event. The original ingest kept is another key, untouched whatever the
        // upload key holds. A ready photo is in its gallery's arrangement, though: the delivery
        // that made it ready may have stopped before appending it.
        if photo.status == PhotoStatus::Ready {
            store.append_to_manual_order(gallery_id, photo_id).await?;
        }
        tracing::info!(%photo_id, status = ?photo.status, "nothing to do (redelivery or settled)");
        return Ok(());
    }
    let Some(gallery) = store.gallery(gallery_id).await? else {
        return Ok(());
    };
    let upload = match store
        .object(&upload_key, app.config().max_upload_bytes)
        .await
    {
        Ok(upload) => upload,
        // Gone with a delete of the photo that is still under way.
        Err(StoreError::NotFound) => return Ok(()),
        Err(StoreError::TooLarge { .. }) => {
            return Err(NotReady::Rejected {
                code: "too_large",
                reason: "The file is larger than the upload limit.".into(),
            });
        }
        Err(e) => return Err(e.into()),
    };
    UploadMismatch::check(
        photo.size,
        &photo.content_type,
        upload.bytes.len() as u64,
        upload.content_type.as_deref(),
        proofsheet_render::media_type(&upload.bytes),
    )
    .map_err(|mismatch| NotReady::Rejected {
        code: mismatch.code(),
        reason: mismatch.to_string(),
    })?;
    let (original, rendered) = render(app, &gallery, photo_id, upload.bytes).await?;
    let renditions = rendered.map_err(|reason| NotReady::Rejected {
        code: reason.code(),
        reason: reason.to_string(),
    })?;
    // Kept before the photo is ready, so a ready photo always has its original.
    store
        .put_object(
            &object_keys::original(gallery_id, photo_id),
            original,
            &photo.content_type,
        )
        .await?;
    write_renditions(app, renditions.files).await?;
    // Ready, with when it was taken, and in the indexes of the clients' orders, in one write.
    store
        .mark_photo_ready(
            &photo,
            renditions.width,
            renditions.height,
            renditions.captured_at,
            &renditions.grid_widths,
        )
        .await?;
    // A gallery the photographer arranged shows a new photo last.
    store.append_to_manual_order(gallery_id, photo_id).await?;
    if !drop_files_if_deleted_while_rendering(app, gallery_id, photo_id).await? {
        tracing::info!(
            %photo_id,
            width = renditions.width,
            height = renditions.height,
            captured_at = renditions.captured_at,
            "photo ready"
        );
    }
    Ok(())
}

/// A ready photo's renditions made again from its original (its gallery's watermark changed).
async fn rerender_photo(
    app: &App,
    gallery_id: GalleryId,
    photo_id: PhotoId,
) -> Result<(), JobError> {
    let store = app.store();
    let Some(photo) = store.photo(gallery_id, photo_id).await? else {
        return Ok(
            drop_files_of_deleted_photo(app, gallery_id, photo_id, "before its event").await?,
        );
    };
    if !photo.status.has_renditions() {
        tracing::info!(%photo_id, status = ?photo.status, "nothing to re-render");
        return Ok(());
    }
    let Some(gallery) = store.gallery(gallery_id).await? else {
        return Ok(());
    };
    let original = match store
        .object_bytes(
            &object_keys::original(gallery_id, photo_id),
            app.config().max_upload_bytes,
        )
        .await
    {
        Ok(bytes) => bytes,
        Err(StoreError::NotFound) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let renditions = match render(app, &gallery, photo_id, original).await?.1 {
        Ok(renditions) => renditions,
        // It rendered at ingest; it keeps the renditions it has.
        Err(reason) => {
            tracing::warn!(%photo_id, code = reason.code(), "re-render refused a ready photo");
            return Ok(());
        }
    };
    write_renditions(app, renditions.files).await?;
    // A photo rendered before the grid's sizes existed has them from now on.
    if photo.grid_widths != renditions.grid_widths {
        store
            .record_grid_widths(gallery_id, photo_id, &renditions.grid_widths)
            .await?;
    }
    drop_files_if_deleted_while_rendering(app, gallery_id, photo_id).await?;
    Ok(())
}

/// A photo's rendered files with its size and capture time.
struct Rendered {
    width: u32,
    height: u32,
    captured_at: Option<u64>,
    /// The widths of its grid sizes, narrowest first.
    grid_widths: Vec<u32>,
    files: Vec<RenditionFile>,
}

/// One rendition to store: its key, bytes and media type.
struct RenditionFile {
    key: String,
    bytes: Vec<u8>,
    content_type: &'static str,
}

/// Renders `bytes` off the async threads with the gallery's watermark, handing the bytes back.
/// A failure on our side is an error (the message is retried); a bad image is a verdict.
async fn render(
    app: &App,
    gallery: &GalleryRecord,
    photo_id: PhotoId,
    bytes: Vec<u8>,
) -> Result<(Vec<u8>, Result<Rendered, RenderError>), JobError> {
    let watermark = crate::watermark::gallery_watermark(app, gallery).await?;
    let (bytes, rendered) = tokio::task::spawn_blocking(move || {
        let rendered = render_renditions(&bytes, &watermark, &DecodeLimits::default());
        (bytes, rendered)
    })
    .await
    .map_err(|e| JobError::Ours(format!("render task failed: {e}")))?;
    let (gallery_id, photo_id) = (gallery.id, photo_id);
    let rendered = match rendered {
        Ok(r) => {
            let jpeg = |size, look, bytes| RenditionFile {
                key: object_keys::rendition(gallery_id, photo_id, size, look),
                bytes,
                content_type: "image/jpeg",
            };
            let mut files = vec![
                jpeg(Thumbnail, Clean, r.thumbnail.jpeg),
                jpeg(Thumbnail, Watermarked, r.thumbnail_watermarked.jpeg),
                jpeg(Preview, Clean, r.preview.jpeg),
                jpeg(Preview, Watermarked, r.preview_watermarked.jpeg),
            ];
            let grid_widths = r.grid.iter().map(|size| size.width).collect();
            let looks = [(Clean, r.grid), (Watermarked, r.grid_watermarked)];
            for (look, sizes) in looks {
                files.extend(sizes.into_iter().map(|size| RenditionFile {
                    key: object_keys::grid_rendition(gallery_id, photo_id, size.width, look),
                    bytes: size.webp,
                    content_type: "image/webp",
                }));
            }
            Ok(Rendered {
                width: r.width,
                height: r.height,
                captured_at: r.captured_at,
                grid_widths,
                files,
            })
        }
        Err(failure) if !failure.is_rejection() => {
            return Err(JobError::Ours(format!(
                "rendering failed on our side: {failure}"
            )));
        }
        Err(reason) => Err(reason),
    };
    Ok((bytes, rendered))
}

/// Writes a photo's renditions, a few at a time: a dozen small PUTs one after another would
/// spend most of their time waiting on round trips.
async fn write_renditions(app: &App, files: Vec<RenditionFile>) -> Result<(), StoreError> {
    use futures::{StreamExt as _, TryStreamExt as _};
    futures::stream::iter(files)
        .map(|file| async move {
            app.store()
                .put_object(&file.key, file.bytes, file.content_type)
                .await
        })
        .buffer_unordered(4)
        .try_collect()
        .await
}

/// Removes every file of a photo whose record is gone, so none outlives it unseen. `seen` says
/// when the delete was noticed, for the log.
async fn drop_files_of_deleted_photo(
    app: &App,
    gallery_id: GalleryId,
    photo_id: PhotoId,
    seen: &'static str,
) -> Result<(), StoreError> {
    tracing::info!(%photo_id, seen, "photo was deleted; dropping its files");
    app.store()
        .delete_objects(&object_keys::photo_objects(gallery_id, photo_id))
        .await
}

/// After writing a photo's files: a delete that ran while we rendered removed its files before
/// ours were written, so drop them again. `true` when it did.
async fn drop_files_if_deleted_while_rendering(
    app: &App,
    gallery_id: GalleryId,
    photo_id: PhotoId,
) -> Result<bool, StoreError> {
    if app.store().photo(gallery_id, photo_id).await?.is_some() {
        return Ok(false);
    }
    drop_files_of_deleted_photo(app, gallery_id, photo_id, "while rendering").await?;
    Ok(true)
}

/// Settles a photo as rejected, with a code and a reason for the photographer. Its upload stays
/// until the lifecycle rule removes it, so its URL can't put another file there meanwhile: a
/// new file means a new upload request.
async fn reject(
    app: &App,
    gallery: GalleryId,
    photo: PhotoId,
    code: &str,
    reason: &str,
) -> Result<(), StoreError> {
    tracing::info!(photo_id = %photo, code, "photo rejected");
    app.store()
        .mark_photo_rejected(gallery, photo, code, reason)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use aws_lambda_events::event::sqs::SqsEvent;

    use super::*;

    #[test]
    fn the_sample_upload_event_is_an_upload() {
        let event: SqsEvent =
            serde_json::from_str(include_str!("../../../events/sqs-s3-object-created.json"))
                .unwrap();
        let body = event.records[0].body.as_deref().unwrap();
        let IngestMessage::S3(notification) = serde_json::from_str(body).unwrap() else {
            panic!("an S3 notification read as a job");
        };
        let key = &notification.object_keys()[0];
        assert!(object_keys::parse_upload(key).is_some(), "{key}");
    }

    #[test]
    fn our_jobs_are_read_as_jobs() {
        let body =
            r#"{"job":"rerender_gallery","gallery_id":"0190a8d2-8e5c-7c3e-9d55-111111111111"}"#;
        let message: IngestMessage = serde_json::from_str(body).unwrap();
        assert!(matches!(
            message,
            IngestMessage::Job(Message::RerenderGallery { .. })
        ));
    }

    #[test]
    fn anything_else_is_unreadable() {
        for body in [r#"{"rerender":{}}"#, r#"{"Records":"x"}"#, "[]", "not json"] {
            assert!(
                serde_json::from_str::<IngestMessage>(body).is_err(),
                "{body}"
            );
        }
    }
}
