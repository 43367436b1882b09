//! The download worker: turns an accepted download request into ZIPs in S3 and emails the
//! client their links.
//!
//! 1. **Claim** the request (see `proofsheet_store`'s `download_requests` module): a finished one
//!    only gets its email if that never went out, one leased to a live worker is left to it,
//!    a missing one (grant revoked) is dropped.
//! 2. **Render** the photos in parallel (as many at once as the function has cores; each goes
//!    into the ZIP as soon as it is done, so the ZIP's order is the order they finished): the original bytes untouched for `original` without watermark, else a
//!    rendition from the cache (`download-renditions/`, keyed by resolution, watermark
//!    fingerprint and quality) or rendered now and cached. A photo that can't be rendered
//!    (deleted, corrupt, a bomb) is left out and its charge given back.
//! 3. **Stream** them into ZIPs ([`zip_stream`]) uploaded in parts ([`s3_sink`]), split at the
//!    configured size. Progress is written at most every [`PROGRESS_EVERY`].
//! 4. **Finish**: the outcome, the refund and the links' lifetime in one transaction, written
//!    only if this worker's claim still stands; then the email, then `emailed_at`.
//!
//! At-least-once: a redelivered message finds the request finished (no second ZIP, no second
//! email); a worker that died leaves its lease to lapse and the message's next delivery
//! renders again, mostly from the rendition cache, into the same keys.

pub mod s3_sink;
pub mod zip_stream;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use proofsheet_app::email::{DownloadReady, ZipLink, human_date};
use proofsheet_app::messages::Message;
use proofsheet_app::{App, SecretKeyUse};
use proofsheet_policy::archive::{entry_names, zip_file_name};
use proofsheet_policy::expiry::LinkLife;
use proofsheet_policy::{
    DownloadRequestId, DownloadStatus, GrantId, PhotoId, Resolution, downloads,
};
use proofsheet_render::{
    DecodeLimits, DownloadSpec, PreparedWatermark, RenderError, render_download,
};
use proofsheet_store::{
    DownloadClaim, DownloadRequestRecord, Finish, FinishedDownload, GalleryRecord, LeftOutPhoto,
    PhotoRecord, Retry, Store, StoreError, ZipFileRecord, object_keys,
};
use sha2::{Digest, Sha256};

use crate::runner::{JobError, Worker};
use s3_sink::{PART_SIZE, S3ZipSink};
use zip_stream::{Entry, EntryContent, PackError, ZipStreamer, streamed};

/// The download worker, run by [`crate::runner`].
pub struct PrepareDownloads;

/// Renders photos on the blocking threads, at most one per core at a time. The stream feeding
/// it runs [`RenderPool::lookahead`] photos ahead (fetching their originals), so when one photo
/// takes long the other cores go on with the next ones instead of waiting for it.
#[derive(Clone)]
pub struct RenderPool {
    permits: Arc<tokio::sync::Semaphore>,
    size: usize,
}

impl RenderPool {
    pub fn new(size: usize) -> Self {
        let size = size.max(1);
        Self {
            permits: Arc::new(tokio::sync::Semaphore::new(size)),
            size,
        }
    }

    /// One render per core of this machine (Lambda gives a core per 1,769 MB).
    pub fn per_core() -> Self {
        Self::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    }

    /// How many photos the stream should have under way at once.
    pub fn lookahead(&self) -> usize {
        self.size * 2
    }

    /// `original` rendered for download; `Err` only when the render task itself died.
    pub async fn render(
        &self,
        original: Vec<u8>,
        spec: DownloadSpec,
        watermark: Option<Arc<PreparedWatermark>>,
    ) -> Result<Result<proofsheet_render::Rendition, RenderError>, JobError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| JobError::Ours(format!("the render pool closed: {e}")))?;
        tokio::task::spawn_blocking(move || {
            render_download(
                &original,
                spec,
                watermark.as_deref(),
                &DecodeLimits::default(),
            )
        })
        .await
        .map_err(|e| JobError::Ours(format!("render task failed: {e}")))
    }
}

/// A cached rendition is at most this large: a JPEG of the largest photo decoding allows
/// (120 MP) takes well under 3 bytes a pixel.
const MAX_CACHED_RENDITION_BYTES: u64 = 360 << 20;

/// Progress is written at most this often: often enough for a progress bar, rarely enough
/// that a big download doesn't spend its time writing it.
pub const PROGRESS_EVERY: Duration = Duration::from_secs(3);

impl Worker for PrepareDownloads {
    type Message = Message;
    const NAME: &'static str = "download";
    // The emailed links are signed.
    const SECRET_KEY: SecretKeyUse = SecretKeyUse::Needed;

    async fn handle(app: &App, message: Message) -> Result<(), JobError> {
        match message {
            Message::PrepareDownload {
                grant_id,
                request_id,
            } => prepare(app, grant_id, request_id).await,
            // Ingest requests have their own queue; one here was sent to the wrong queue.
            other => Err(JobError::Unreadable(format!(
                "not a download request: {other:?}"
            ))),
        }
    }
}

impl From<PackError> for JobError {
    fn from(e: PackError) -> Self {
        Self::Ours(e.0)
    }
}

async fn prepare(
    app: &App,
    grant_id: GrantId,
    request_id: DownloadRequestId,
) -> Result<(), JobError> {
    let lease = app.config().download_lease.as_secs();
    let request = match app
        .store()
        .claim_download_request(grant_id, request_id, app.now(), lease)
        .await?
    {
        DownloadClaim::Claimed(request) => request,
        DownloadClaim::Finished(request) => {
            if request.emailed_at.is_none() {
                // The worker that finished it stopped before its email went out.
                email_client(app, &request).await?;
            } else {
                tracing::info!(%request_id, "already delivered; nothing to do");
            }
            return Ok(());
        }
        DownloadClaim::Busy => {
            // Its worker is alive; if it dies, its own message comes back after the lease.
            tracing::info!(%request_id, "another worker is on it; this delivery is dropped");
            return Ok(());
        }
        DownloadClaim::Missing => {
            tracing::info!(%request_id, "the request is gone (grant revoked or gallery deleted)");
            return Ok(());
        }
    };
    if downloads::out_of_attempts(request.attempts) {
        return give_up(app, &request).await;
    }
    let Some(gallery) = app.store().gallery(request.gallery_id).await? else {
        return Ok(());
    };
    // The gallery (or the link) closed while the request waited: its links would answer 410,
    // so nothing is built, the charge is given back and the client told.
    let link_expiry = match app.store().grant(request.grant_id).await? {
        Some(grant) => grant.expiry,
        None => return Ok(()),
    };
    if !LinkLife::of(gallery.expiry, link_expiry).is_open(app.now()) {
        tracing::info!(%request_id, "the gallery expired before the request was prepared");
        return fail_every_photo(app, &request, "gallery_expired").await;
    }
    tracing::info!(%request_id, attempt = request.attempts, photos = request.photos.len(), "rendering");
    let watermark = if request.watermarked {
        let watermark = crate::watermark::gallery_watermark(app, &gallery).await?;
        let fingerprint = fingerprint(&watermark);
        let prepared = PreparedWatermark::new(&watermark)
            .map_err(|e| JobError::Ours(format!("the gallery's watermark is unusable: {e}")))?;
        Some((Arc::new(prepared), fingerprint))
    } else {
        None
    };
    let render = RenderSettings {
        resolution: request.resolution,
        quality: app.config().download_jpeg_quality,
        watermark,
        max_original_bytes: app.config().max_upload_bytes,
    };

    // Links are dated from before the ZIPs were written, so the lifecycle rule that expires
    // ZIPs after as many days (from their creation) never removes one while its link lives.
    let started_at = app.now();
    let mut sink = S3ZipSink::new(app.store().clone(), gallery.id, request.id);
    let packed = pack(app, &request, &gallery, &render, &mut sink).await;
    let packed = match packed {
        Ok(packed) => packed,
        Err(error) => {
            sink.abandon().await;
            return Err(error);
        }
    };
    finish(app, &request, &gallery, packed, started_at).await
}

/// How a request's photos are rendered.
#[derive(Clone)]
struct RenderSettings {
    resolution: Resolution,
    quality: u8,
    /// The watermark and its fingerprint (for the cache key), when the files carry it.
    watermark: Option<(Arc<PreparedWatermark>, String)>,
    max_original_bytes: u64,
}

/// What went into the ZIPs.
struct Packed {
    zips: Vec<(String, zip_stream::ZipSummary)>,
    left_out: Vec<LeftOutPhoto>,
}

/// A photo of the request, with its name in the ZIP.
struct PhotoToZip {
    record: PhotoRecord,
    entry_name: String,
}

impl PhotoToZip {
    fn entry(&self, content: EntryContent) -> Entry {
        Entry {
            name: self.entry_name.clone(),
            modified: self.record.created_at,
            content,
        }
    }

    fn left_out(&self, reason: &str) -> LeftOutPhoto {
        LeftOutPhoto {
            photo_id: self.record.id,
            filename: self.record.filename.clone(),
            reason: reason.to_owned(),
        }
    }
}

async fn pack(
    app: &App,
    request: &DownloadRequestRecord,
    gallery: &GalleryRecord,
    render: &RenderSettings,
    sink: &mut S3ZipSink,
) -> Result<Packed, JobError> {
    // Only the request's photos are read, however large the gallery.
    let mut by_id: HashMap<PhotoId, PhotoRecord> = app
        .store()
        .photos_by_id(gallery.id, &request.photos)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut left_out = Vec::new();
    let mut photos = Vec::new();
    for &id in &request.photos {
        match by_id.remove(&id) {
            Some(record) if record.status.visible_to_clients() => photos.push(record),
            // Deleted since the request was accepted.
            _ => left_out.push(LeftOutPhoto {
                photo_id: id,
                filename: String::new(),
                reason: "missing".into(),
            }),
        }
    }
    let as_jpeg = !is_copy(render);
    let names = entry_names(photos.iter().map(|p| p.filename.as_str()), as_jpeg);
    let photos: Vec<PhotoToZip> = photos
        .into_iter()
        .zip(names)
        .map(|(record, entry_name)| PhotoToZip { record, entry_name })
        .collect();

    let mut packing = Packing {
        zips: ZipStreamer::new(sink, app.config().download_zip_max_bytes, PART_SIZE),
        left_out,
        last_progress: Instant::now(),
    };
    if is_copy(render) {
        // One at a time, each opened when its turn comes: a body left unread while others
        // are written would hold its connection open (and S3 drops idle ones).
        for photo in photos {
            let entry = copy_entry(app.store(), render, photo).await?;
            packing.place(app, request, entry).await?;
        }
    } else {
        let pool = RenderPool::per_core();
        let mut entries = futures::stream::iter(photos)
            // Each photo is its own task, so its S3 reads go on while the ZIP is written.
            .map(|photo| {
                let (store, pool, render) = (app.store().clone(), pool.clone(), render.clone());
                tokio::spawn(async move { rendered_entry(&store, &pool, &render, photo).await })
            })
            // In the order they finish: a slow photo holds up no core and no finished file.
            .buffer_unordered(pool.lookahead());
        while let Some(entry) = entries.next().await {
            let entry =
                entry.map_err(|e| JobError::Ours(format!("a photo's task died: {e}")))??;
            packing.place(app, request, entry).await?;
        }
    }
    let Packing { zips, left_out, .. } = packing;
    let (sink, summaries) = zips.finish().await?;
    Ok(Packed {
        zips: sink.completed.iter().cloned().zip(summaries).collect(),
        left_out,
    })
}

/// ZIPs being written, with what was left out and when progress was last noted.
struct Packing<'a> {
    zips: ZipStreamer<&'a mut S3ZipSink>,
    left_out: Vec<LeftOutPhoto>,
    last_progress: Instant,
}

impl Packing<'_> {
    /// Puts a photo into the ZIP (or the left-out list), noting progress now and then. Fails
    /// when another worker took the request over (or it is gone): this one must stop.
    async fn place(
        &mut self,
        app: &App,
        request: &DownloadRequestRecord,
        entry: Result<Entry, LeftOutPhoto>,
    ) -> Result<(), JobError> {
        match entry {
            Ok(entry) => self.zips.add(entry).await?,
            Err(left) => self.left_out.push(left),
        }
        if self.last_progress.elapsed() >= PROGRESS_EVERY {
            self.last_progress = Instant::now();
            let still_ours = app
                .store()
                .note_download_progress(
                    request.grant_id,
                    request.id,
                    request.attempts,
                    self.zips.entries(),
                )
                .await?;
            if !still_ours {
                return Err(JobError::Ours(
                    "another worker took the request over, or it is gone".into(),
                ));
            }
        }
        Ok(())
    }
}

/// `original` without a watermark is the photographer's file, byte for byte.
fn is_copy(render: &RenderSettings) -> bool {
    downloads::is_copy(render.resolution, render.watermark.is_some())
}

/// The photographer's file, streamed from S3 into the ZIP as it arrives, or why it is left
/// out. `Err` only for faults worth a retry.
async fn copy_entry(
    store: &Store,
    render: &RenderSettings,
    photo: PhotoToZip,
) -> Result<Result<Entry, LeftOutPhoto>, JobError> {
    let key = object_keys::original(photo.record.gallery_id, photo.record.id);
    match store.object_reader(&key, render.max_original_bytes).await {
        Ok(reader) => {
            let len = reader.len;
            let chunks = futures::stream::unfold(reader, |mut reader| async move {
                let chunk = reader.next_chunk().await.transpose()?;
                Some((chunk, reader))
            });
            Ok(Ok(photo.entry(streamed(len, chunks))))
        }
        Err(StoreError::NotFound) => Ok(Err(photo.left_out("missing"))),
        Err(StoreError::TooLarge { .. }) => Ok(Err(photo.left_out("too_large"))),
        Err(e) => Err(e.into()),
    }
}

/// The photo rendered for download (from the cache, or rendered now and cached), or why it is
/// left out. `Err` only for faults worth a retry.
async fn rendered_entry(
    store: &Store,
    pool: &RenderPool,
    render: &RenderSettings,
    photo: PhotoToZip,
) -> Result<Result<Entry, LeftOutPhoto>, JobError> {
    let record = &photo.record;
    let original_key = object_keys::original(record.gallery_id, record.id);
    let watermark_fingerprint = render.watermark.as_ref().map(|(_, f)| f.as_str());
    let cache_key = object_keys::download_rendition(
        record.gallery_id,
        record.id,
        render.resolution.as_str(),
        watermark_fingerprint,
        render.quality,
    );
    // Our own rendition: it may be larger than the upload limit (an original-size render of a
    // large photo), so it is read under the cap of what a decoded photo can be.
    match store
        .object_bytes(&cache_key, MAX_CACHED_RENDITION_BYTES)
        .await
    {
        Ok(cached) => return Ok(Ok(photo.entry(EntryContent::Whole(cached)))),
        // Not cached (or absurdly large: rendered again, and the cache overwritten).
        Err(StoreError::NotFound | StoreError::TooLarge { .. }) => {}
        Err(e) => return Err(e.into()),
    }
    let original = match store
        .object_bytes(&original_key, render.max_original_bytes)
        .await
    {
        Ok(bytes) => bytes,
        Err(StoreError::NotFound) => return Ok(Err(photo.left_out("missing"))),
        Err(StoreError::TooLarge { .. }) => return Ok(Err(photo.left_out("too_large"))),
        Err(e) => return Err(e.into()),
    };
    let spec = DownloadSpec {
        long_edge: render.resolution.long_edge(),
        jpeg_quality: render.quality,
    };
    let watermark = render.watermark.as_ref().map(|(w, _)| Arc::clone(w));
    let rendered = pool.render(original, spec, watermark).await?;
    match rendered {
        Ok(rendition) => {
            store
                .put_object(&cache_key, rendition.jpeg.clone(), "image/jpeg")
                .await?;
            Ok(Ok(photo.entry(EntryContent::Whole(rendition.jpeg))))
        }
        Err(failure @ RenderError::Internal(_)) => Err(JobError::Ours(format!(
            "rendering {} failed on our side: {failure}",
            record.id
        ))),
        Err(reason) => {
            tracing::warn!(photo_id = %record.id, code = reason.code(), "left out of the download");
            Ok(Err(photo.left_out(reason.code())))
        }
    }
}

/// A short, stable name for a watermark: a new text, logo, position, opacity or scale gives a
/// new one, so renditions cached with the old watermark are never served again.
fn fingerprint(watermark: &proofsheet_render::Watermark) -> String {
    let bytes = serde_json::to_vec(watermark).unwrap_or_default();
    hex::encode(&Sha256::digest(&bytes)[..8])
}

async fn finish(
    app: &App,
    request: &DownloadRequestRecord,
    gallery: &GalleryRecord,
    packed: Packed,
    started_at: u64,
) -> Result<(), JobError> {
    let now = app.now();
    let count = packed.zips.len();
    let zips: Vec<ZipFileRecord> = packed
        .zips
        .iter()
        .map(|(key, summary)| ZipFileRecord {
            key: key.clone(),
            file_name: zip_file_name(
                gallery.title.as_str(),
                request.resolution,
                (count > 1).then_some((summary.number, count)),
            ),
            photos: summary.entries,
            bytes: summary.bytes,
        })
        .collect();
    let photos_done = zips.iter().map(|z| z.photos).sum();
    let finished = FinishedDownload {
        status: if zips.is_empty() {
            DownloadStatus::Failed
        } else {
            DownloadStatus::Ready
        },
        // Decided with the refund, when recorded.
        charged: request.charged.clone(),
        refunded: 0,
        left_out: packed.left_out,
        photos_done,
        finished_at: now,
        links_expire_at: (!zips.is_empty())
            .then(|| started_at + app.config().download_link_ttl.as_secs()),
        zips,
    };
    record_and_email(app, request, finished).await
}

/// Records the outcome with its refund (the photos left out, but not those another of the
/// client's requests holds: see `give_back`), then emails the client.
async fn record_and_email(
    app: &App,
    request: &DownloadRequestRecord,
    mut finished: FinishedDownload,
) -> Result<(), JobError> {
    let store = app.store();
    let left_out: Vec<PhotoId> = finished.left_out.iter().map(|l| l.photo_id).collect();
    let mut recorded = false;
    let mut tries = Retry::DOWNLOAD_OUTCOME.tries();
    while tries.next().await {
        let Some(grant) = store.grant(request.grant_id).await? else {
            return forget_unrecorded(app, request, &finished).await;
        };
        // Read after the grant: a request accepted later moves its counter, and the write fails.
        let others = store.download_requests_of(request.grant_id).await?;
        let others_left_out: Vec<Vec<PhotoId>> = others
            .iter()
            .map(|other| other.left_out.iter().map(|l| l.photo_id).collect())
            .collect();
        let held_elsewhere = downloads::held_elsewhere(
            others
                .iter()
                .zip(&others_left_out)
                .filter(|(other, _)| other.id != request.id)
                .map(|(other, left_out)| downloads::OtherRequest {
                    status: other.status,
                    photos: &other.photos,
                    left_out,
                }),
        );
        (finished.charged, finished.refunded) =
            downloads::give_back(&request.charged, &left_out, &held_elsewhere);
        match store
            .finish_download_request(
                request.grant_id,
                request.id,
                request.attempts,
                &finished,
                grant.download_requests,
            )
            .await?
        {
            Finish::Recorded => {
                recorded = true;
                break;
            }
            Finish::ClaimLost => return forget_unrecorded(app, request, &finished).await,
            Finish::GrantChanged => continue,
        }
    }
    if !recorded {
        return Err(JobError::Ours(
            "the client's requests kept changing while the outcome was recorded".into(),
        ));
    }
    tracing::info!(
        request_id = %request.id,
        status = ?finished.status,
        zips = finished.zips.len(),
        photos = finished.photos_done,
        left_out = finished.left_out.len(),
        refunded = finished.refunded,
        "download finished"
    );
    let finished_job = DownloadRequestRecord {
        status: finished.status,
        photos_done: finished.photos_done,
        finished_at: Some(finished.finished_at),
        links_expire_at: finished.links_expire_at,
        zips: finished.zips,
        left_out: finished.left_out,
        charged: finished.charged,
        ..request.clone()
    };
    email_client(app, &finished_job).await
}

/// The request failed on every earlier try (each ended in an error or a dead worker): it ends
/// as `failed`, everything it charged is given back, and the client is told. Without this it
/// would stay `rendering` for good, charged, and count against the client's pending requests.
async fn give_up(app: &App, request: &DownloadRequestRecord) -> Result<(), JobError> {
    tracing::error!(request_id = %request.id, attempts = request.attempts, "giving up on a download request");
    fail_every_photo(app, request, "could_not_prepare").await
}

/// Finishes a request with nothing in it, every photo left out for `reason` and its charge
/// given back, and tells the client.
async fn fail_every_photo(
    app: &App,
    request: &DownloadRequestRecord,
    reason: &str,
) -> Result<(), JobError> {
    let left_out: Vec<LeftOutPhoto> = request
        .photos
        .iter()
        .map(|&photo_id| LeftOutPhoto {
            photo_id,
            filename: String::new(),
            reason: reason.to_owned(),
        })
        .collect();
    let finished = FinishedDownload {
        status: DownloadStatus::Failed,
        zips: Vec::new(),
        left_out,
        charged: request.charged.clone(),
        refunded: 0,
        photos_done: 0,
        finished_at: app.now(),
        links_expire_at: None,
    };
    record_and_email(app, request, finished).await
}

/// Our outcome was not recorded: another worker took over (it writes the same keys, so its
/// ZIPs stand) or the request is gone (its ZIPs are dropped now, not left to the lifecycle).
async fn forget_unrecorded(
    app: &App,
    request: &DownloadRequestRecord,
    finished: &FinishedDownload,
) -> Result<(), JobError> {
    if app
        .store()
        .download_request(request.grant_id, request.id)
        .await?
        .is_some()
    {
        tracing::info!(request_id = %request.id, "another worker took the request over");
        return Ok(());
    }
    tracing::info!(request_id = %request.id, "the request went away while rendering; dropping its ZIPs");
    let keys: Vec<String> = finished.zips.iter().map(|z| z.key.clone()).collect();
    Ok(app.store().delete_objects(&keys).await?)
}

/// Emails the client their links (or the news that nothing could be prepared), then notes it.
async fn email_client(app: &App, request: &DownloadRequestRecord) -> Result<(), JobError> {
    let store = app.store();
    let Some(grant) = store.grant(request.grant_id).await? else {
        return Ok(());
    };
    let Some(recipient) = grant.email.clone() else {
        tracing::warn!(request_id = %request.id, "the grant has no email; the links are on the request");
        store
            .mark_download_emailed(request.grant_id, request.id, app.now())
            .await?;
        return Ok(());
    };
    let Some(gallery) = store.gallery(request.gallery_id).await? else {
        return Ok(());
    };
    let sender = app.email_sender(gallery.owner_id).await?;
    let links = app
        .emailed_links()
        .map_err(|e| JobError::Ours(e.to_string()))?;
    let zips = request
        .zips
        .iter()
        .enumerate()
        .map(|(i, zip)| ZipLink {
            label: zip.file_name.clone(),
            link: links.zip(request.grant_id, request.id, (i + 1) as u16),
        })
        .collect();
    let mail = DownloadReady {
        photographer: &sender.name,
        look: &sender.look,
        gallery_title: gallery.title.as_str(),
        resolution: request.resolution.as_str(),
        photos_asked: request.photos.len(),
        photos_ready: request.photos_done as usize,
        zips,
        left_out: request
            .left_out
            .iter()
            .map(|l| {
                if l.filename.is_empty() {
                    "a photo deleted since".to_owned()
                } else {
                    l.filename.clone()
                }
            })
            .collect(),
        expires: request.links_expire_at.map(human_date).unwrap_or_default(),
    }
    .to(recipient)
    .map_err(|e| JobError::Ours(format!("the email template failed: {e}")))?;
    store.send_email(&mail).await?;
    store
        .mark_download_emailed(request.grant_id, request.id, app.now())
        .await?;
    Ok(())
}
