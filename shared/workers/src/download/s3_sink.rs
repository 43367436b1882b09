//! A download's ZIPs into S3 with multipart uploads: each part goes up while the next photos
//! render, at most [`PARTS_IN_FLIGHT`] at a time, so memory stays at a few parts.

use std::collections::VecDeque;

use proofsheet_policy::{DownloadRequestId, GalleryId};
use proofsheet_store::{MultipartUpload, Store, StoreError, object_keys};
use tokio::task::JoinHandle;

use super::zip_stream::{PackError, ZipSink};

/// Parts uploading at once. Two keep the connection busy while a third fills.
pub const PARTS_IN_FLIGHT: usize = 2;

/// S3 takes at most 10,000 parts of at least 5 MiB (but the last); 8 MiB parts carry ZIPs up to
/// 80 GB, far past the largest download.
pub const PART_SIZE: usize = 8 << 20;

pub struct S3ZipSink {
    store: Store,
    gallery: GalleryId,
    request: DownloadRequestId,
    open: Option<MultipartUpload>,
    in_flight: VecDeque<JoinHandle<Result<(i32, String), StoreError>>>,
    next_part: i32,
    /// Keys of the ZIPs completed so far, in order.
    pub completed: Vec<String>,
}

impl S3ZipSink {
    pub fn new(store: Store, gallery: GalleryId, request: DownloadRequestId) -> Self {
        Self {
            store,
            gallery,
            request,
            open: None,
            in_flight: VecDeque::new(),
            next_part: 1,
            completed: Vec::new(),
        }
    }

    async fn wait_for_oldest_part(&mut self) -> Result<(), PackError> {
        let Some(handle) = self.in_flight.pop_front() else {
            return Ok(());
        };
        let part = handle
            .await
            .map_err(|e| PackError(format!("a part upload died: {e}")))?
            .map_err(|e| PackError(format!("a part upload failed: {e}")))?;
        if let Some(upload) = &mut self.open {
            upload.parts.push(part);
        }
        Ok(())
    }

    /// Drops an unfinished upload (after a failure), so S3 keeps no parts for it.
    pub async fn abandon(&mut self) {
        for handle in self.in_flight.drain(..) {
            handle.abort();
        }
        if let Some(upload) = self.open.take()
            && let Err(error) = self.store.abort_multipart(&upload).await
        {
            // The bucket's lifecycle rule drops incomplete uploads after a day.
            tracing::warn!(%error, key = upload.key, "could not abort a multipart upload");
        }
    }
}

impl ZipSink for S3ZipSink {
    async fn open(&mut self, number: usize) -> Result<(), PackError> {
        let key = object_keys::download_zip(self.gallery, self.request, number);
        let upload = self
            .store
            .start_multipart(&key, "application/zip")
            .await
            .map_err(|e| PackError(format!("starting the upload of {key} failed: {e}")))?;
        self.open = Some(upload);
        self.next_part = 1;
        Ok(())
    }

    async fn write(&mut self, bytes: Vec<u8>) -> Result<(), PackError> {
        if self.in_flight.len() >= PARTS_IN_FLIGHT {
            self.wait_for_oldest_part().await?;
        }
        let upload = self
            .open
            .clone()
            .ok_or_else(|| PackError("a part with no open upload".into()))?;
        let store = self.store.clone();
        let number = self.next_part;
        self.next_part += 1;
        self.in_flight.push_back(tokio::spawn(async move {
            let etag = store.upload_part(&upload, number, bytes).await?;
            Ok((number, etag))
        }));
        Ok(())
    }

    async fn close(&mut self) -> Result<(), PackError> {
        while !self.in_flight.is_empty() {
            self.wait_for_oldest_part().await?;
        }
        let upload = self
            .open
            .take()
            .ok_or_else(|| PackError("closing with no open upload".into()))?;
        self.store
            .complete_multipart(&upload)
            .await
            .map_err(|e| PackError(format!("completing {} failed: {e}", upload.key)))?;
        self.completed.push(upload.key);
        Ok(())
    }
}
