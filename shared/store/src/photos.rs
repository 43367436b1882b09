//! Photos: created when an upload is granted, settled once by the ingest worker.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use proofsheet_policy::{GalleryId, PhotoId, PhotoPage};

use crate::items::{condition_failed, item_with_keys, key, n, record, s};
use crate::records::keys;
use crate::{Conflict, PhotoRecord, PhotoStatus, Store, StoreError};

impl Store {
    /// Creates a photo, only while its gallery exists: a gallery deleted meanwhile is
    /// `NotFound`, so no photo is left in a partition nobody can reach.
    pub async fn create_photo(&self, photo: &PhotoRecord) -> Result<(), StoreError> {
        let item = item_with_keys(
            photo,
            &[
                ("PK", keys::gallery(photo.gallery_id)),
                ("SK", keys::photo(photo.id)),
            ],
        )?;
        let actions = vec![self.gallery_exists(photo.gallery_id)?, self.put_new(item)?];
        match self.transact(actions).await? {
            Ok(()) => Ok(()),
            Err(failed) if failed.contains(&0) => Err(StoreError::NotFound),
            Err(_) => Err(StoreError::Conflict(Conflict::PhotoExists)),
        }
    }

    pub async fn photo(
        &self,
        gallery: GalleryId,
        photo: PhotoId,
    ) -> Result<Option<PhotoRecord>, StoreError> {
        self.get(keys::gallery(gallery), &keys::photo(photo)).await
    }

    /// One page of a gallery's photos in upload order: the first `page.limit` that `keep`
    /// accepts, after the photo `page.after`.
    pub async fn photos_page(
        &self,
        gallery: GalleryId,
        page: PhotoPage,
        keep: impl Fn(&PhotoRecord) -> bool,
    ) -> Result<PhotosPage, StoreError> {
        let mut collector = PageCollector::new(page.limit, keep);
        let start = page
            .after
            .map(|after| key(keys::gallery(gallery), keys::photo(after)));
        self.query_from(
            "PK = :pk AND begins_with(SK, :photo)",
            photo_range(gallery),
            start,
            query_batch(page.limit),
            |item| Ok(collector.offer(record(item)?)),
        )
        .await?;
        Ok(collector.finish())
    }

    /// How many photos of a gallery clients see, and the first of them (its cover until
    /// galleries have covers of their own).
    pub async fn visible_photos_summary(
        &self,
        gallery: GalleryId,
    ) -> Result<(u32, Option<PhotoRecord>), StoreError> {
        let items = self.query_prefix(keys::gallery(gallery), "PHOTO#").await?;
        let mut count = 0u32;
        let mut first = None;
        for item in items {
            let photo: PhotoRecord = record(item)?;
            if photo.status.visible_to_clients() {
                count += 1;
                first.get_or_insert(photo);
            }
        }
        Ok((count, first))
    }

    /// Settles an uploading photo as ready. Returns `false` when it was already settled (a
    /// redelivered event) or is gone (deleted while it was processed).
    pub async fn mark_photo_ready(
        &self,
        gallery: GalleryId,
        photo: PhotoId,
        width: u32,
        height: u32,
    ) -> Result<bool, StoreError> {
        self.settle_photo(
            gallery,
            photo,
            "SET #status = :ready, width = :w, height = :h",
            HashMap::from([
                (":ready".into(), status(PhotoStatus::Ready)?),
                (":w".into(), n(width)),
                (":h".into(), n(height)),
            ]),
        )
        .await
    }

    /// Settles an uploading photo as rejected, with a reason the photographer can read.
    pub async fn mark_photo_rejected(
        &self,
        gallery: GalleryId,
        photo: PhotoId,
        code: &str,
        reason: &str,
    ) -> Result<bool, StoreError> {
        self.settle_photo(
            gallery,
            photo,
            "SET #status = :rejected, rejection_code = :code, rejection_reason = :reason",
            HashMap::from([
                (":rejected".into(), status(PhotoStatus::Rejected)?),
                (":code".into(), s(code)),
                (":reason".into(), s(reason)),
            ]),
        )
        .await
    }

    async fn settle_photo(
        &self,
        gallery: GalleryId,
        photo: PhotoId,
        update: &str,
        mut values: HashMap<String, AttributeValue>,
    ) -> Result<bool, StoreError> {
        values.insert(":uploading".into(), status(PhotoStatus::Uploading)?);
        let result = self
            .ddb()
            .update_item()
            .table_name(&self.resources.table)
            .set_key(Some(key(keys::gallery(gallery), keys::photo(photo))))
            .update_expression(update)
            .condition_expression("#status = :uploading")
            .expression_attribute_names("#status", "status")
            .set_expression_attribute_values(Some(values))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if condition_failed(&e) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes a photo's record; `false` when there was none.
    pub async fn delete_photo(
        &self,
        gallery: GalleryId,
        photo: PhotoId,
    ) -> Result<bool, StoreError> {
        let out = self
            .ddb()
            .delete_item()
            .table_name(&self.resources.table)
            .set_key(Some(key(keys::gallery(gallery), keys::photo(photo))))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllOld)
            .send()
            .await?;
        Ok(out.attributes.is_some())
    }
}

/// A page of a gallery's photos, in upload order.
#[derive(Debug, Clone)]
pub struct PhotosPage {
    pub photos: Vec<PhotoRecord>,
    /// The page's last photo when more follow it: the next page starts after it.
    pub next_after: Option<PhotoId>,
}

/// Gathers one page from photos offered in key order, and notices whether one more follows
/// (so the last page says so, instead of a cursor to an empty page).
pub(crate) struct PageCollector<K> {
    limit: usize,
    keep: K,
    photos: Vec<PhotoRecord>,
    more: bool,
}

impl<K: Fn(&PhotoRecord) -> bool> PageCollector<K> {
    pub(crate) fn new(limit: usize, keep: K) -> Self {
        Self {
            limit,
            keep,
            photos: Vec::with_capacity(limit.min(PhotoPage::MAX_LIMIT)),
            more: false,
        }
    }

    /// Takes a photo if it belongs on the page; `false` once the page is full and known to
    /// be followed by another.
    pub(crate) fn offer(&mut self, photo: PhotoRecord) -> bool {
        if !(self.keep)(&photo) {
            return true;
        }
        if self.photos.len() == self.limit {
            self.more = true;
            return false;
        }
        self.photos.push(photo);
        true
    }

    pub(crate) fn finish(self) -> PhotosPage {
        let next_after = if self.more {
            self.photos.last().map(|p| p.id)
        } else {
            None
        };
        PhotosPage {
            photos: self.photos,
            next_after,
        }
    }
}

/// Items read per request: a page, the one after it, and the gallery's META on a first page.
/// Filtered-out photos can leave a batch short; reading goes on until the page is full.
pub(crate) fn query_batch(limit: usize) -> i32 {
    i32::try_from(limit.saturating_add(2)).unwrap_or(i32::MAX)
}

fn photo_range(gallery: GalleryId) -> HashMap<String, AttributeValue> {
    HashMap::from([
        (":pk".into(), s(keys::gallery(gallery))),
        (":photo".into(), s("PHOTO#")),
    ])
}

fn status(status: PhotoStatus) -> Result<AttributeValue, StoreError> {
    Ok(serde_dynamo::to_attribute_value(status)?)
}
