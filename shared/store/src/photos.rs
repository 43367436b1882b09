//! Photos: created when an upload is granted, settled once by the ingest worker.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use proofsheet_policy::paging::Cursor;
use proofsheet_policy::photo_order::{PhotoOrder, capture_moment, natural_cmp};
use proofsheet_policy::{GalleryId, PhotoId, PhotoPage};

use crate::items::{Item, condition_failed, item_with_keys, key, n, numbers, record, s};
use crate::order::order_index_keys;
use crate::records::keys;
use crate::{Conflict, GalleryRecord, PhotoRecord, PhotoStatus, Store, StoreError};

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
        #[derive(Clone, Copy, PartialEq)]
        enum Write {
            GalleryExists,
            Photo,
        }
        let actions = vec![
            (Write::GalleryExists, self.gallery_exists(photo.gallery_id)?),
            (Write::Photo, self.put_new(item)?),
        ];
        match self.transact_named(actions).await? {
            Ok(()) => Ok(()),
            Err(refused) if refused.by(Write::GalleryExists) => Err(StoreError::NotFound),
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

    /// One page of a gallery's photos in upload order (the photographer's list): the first
    /// `page.limit` that `keep` accepts, after the photo of `page.after`. A cursor of another
    /// order (a client's) starts from the first photo.
    pub async fn photos_page(
        &self,
        gallery: GalleryId,
        page: PhotoPage,
        keep: impl Fn(&PhotoRecord) -> bool,
    ) -> Result<PhotosPage, StoreError> {
        let mut collector = PageCollector::new(page.limit, keep);
        let start = match page.after {
            Some(Cursor::Upload(after)) => Some(key(keys::gallery(gallery), keys::photo(after))),
            _ => None,
        };
        self.query_from(
            "PK = :pk AND begins_with(SK, :photo)",
            photo_range(gallery),
            start,
            query_batch(page.limit),
            |item| {
                let photo: PhotoRecord = record(item)?;
                let cursor = Cursor::Upload(photo.id);
                Ok(collector.offer(photo, cursor))
            },
        )
        .await?;
        Ok(collector.finish())
    }

    /// The gallery, how many of its photos clients see, and its cover: the photo the
    /// photographer chose (`cover_photo_id`) while it is ready, else the first in the
    /// gallery's order. One read of the gallery and one of its photos (in parallel), and of
    /// its arrangement when that decides the cover. `None` when the gallery is gone.
    pub async fn visible_photos_summary(
        &self,
        gallery: GalleryId,
    ) -> Result<Option<PhotosSummary>, StoreError> {
        let (stored, items) = tokio::try_join!(
            self.gallery(gallery),
            self.query_prefix(keys::gallery(gallery), "PHOTO#")
        )?;
        let Some(gallery) = stored else {
            return Ok(None);
        };
        self.summary_from(gallery, items).await.map(Some)
    }

    /// [`Store::visible_photos_summary`] of a gallery already read (the studio's list of
    /// every gallery has them all from one query): one read of its photos, and of its
    /// arrangement when that decides the cover.
    pub async fn photos_summary(
        &self,
        gallery: GalleryRecord,
    ) -> Result<PhotosSummary, StoreError> {
        let items = self
            .query_prefix(keys::gallery(gallery.id), "PHOTO#")
            .await?;
        self.summary_from(gallery, items).await
    }

    async fn summary_from(
        &self,
        gallery: GalleryRecord,
        items: Vec<Item>,
    ) -> Result<PhotosSummary, StoreError> {
        let mut visible = Vec::with_capacity(items.len());
        for item in items {
            let photo: PhotoRecord = record(item)?;
            if photo.status.visible_to_clients() {
                visible.push(photo);
            }
        }
        let count = u32::try_from(visible.len()).unwrap_or(u32::MAX);
        let chosen = gallery
            .cover_photo_id
            .and_then(|id| visible.iter().position(|p| p.id == id));
        let cover = match chosen {
            Some(at) => Some(visible.swap_remove(at)),
            None => self.first_in_order(&gallery, visible).await?,
        };
        Ok(PhotosSummary {
            gallery,
            photo_count: count,
            cover,
        })
    }

    /// The first of `visible` in the gallery's order.
    async fn first_in_order(
        &self,
        gallery: &GalleryRecord,
        visible: Vec<PhotoRecord>,
    ) -> Result<Option<PhotoRecord>, StoreError> {
        if visible.is_empty() {
            return Ok(None);
        }
        let by_capture = |p: &PhotoRecord| (capture_moment(p.captured_at, p.created_at), p.id);
        match gallery.photo_order {
            PhotoOrder::CaptureTime => Ok(visible.into_iter().min_by_key(by_capture)),
            PhotoOrder::Filename => Ok(visible
                .into_iter()
                .min_by(|a, b| natural_cmp(&a.filename, &b.filename).then(a.id.cmp(&b.id)))),
            PhotoOrder::Manual => {
                let arranged = self.manual_order(gallery.id).await?;
                let at: HashMap<PhotoId, usize> =
                    visible.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
                let first = arranged
                    .and_then(|arranged| arranged.photo_ids.iter().find_map(|id| at.get(id)))
                    .copied();
                let mut visible = visible;
                Ok(match first {
                    Some(at) => Some(visible.swap_remove(at)),
                    // No arrangement: a manual order reads in capture order.
                    None => visible.into_iter().min_by_key(by_capture),
                })
            }
        }
    }

    /// Settles an uploading `photo` as ready, with its size and when it was taken, and puts it
    /// in the indexes of the client's orders, all in one write. Returns `false` when it was
    /// already settled (a redelivered event) or is gone (deleted while it was processed).
    pub async fn mark_photo_ready(
        &self,
        photo: &PhotoRecord,
        width: u32,
        height: u32,
        captured_at: Option<u64>,
        grid_widths: &[u32],
    ) -> Result<bool, StoreError> {
        let mut update = "SET #status = :ready, width = :w, height = :h, grid_widths = :grid, \
             GSI1PK = :GSI1PK, GSI1SK = :GSI1SK, GSI2PK = :GSI2PK, GSI2SK = :GSI2SK"
            .to_owned();
        let mut values = HashMap::from([
            (":ready".into(), status(PhotoStatus::Ready)?),
            (":w".into(), n(width)),
            (":h".into(), n(height)),
            (":grid".into(), numbers(grid_widths)),
        ]);
        for (name, value) in order_index_keys(photo, captured_at) {
            values.insert(format!(":{name}"), s(value));
        }
        if let Some(at) = captured_at {
            update.push_str(", captured_at = :taken");
            values.insert(":taken".into(), n(at));
        }
        self.settle_photo(photo.gallery_id, photo.id, &update, values)
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

    /// Notes the grid sizes a ready photo now has (written again from its original); `false`
    /// when the photo is gone or no longer ready.
    pub async fn record_grid_widths(
        &self,
        gallery: GalleryId,
        photo: PhotoId,
        grid_widths: &[u32],
    ) -> Result<bool, StoreError> {
        let result = self
            .ddb()
            .update_item()
            .table_name(&self.resources.table)
            .set_key(Some(key(keys::gallery(gallery), keys::photo(photo))))
            .update_expression("SET grid_widths = :grid")
            .condition_expression("#status = :ready")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":ready", status(PhotoStatus::Ready)?)
            .expression_attribute_values(":grid", numbers(grid_widths))
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

/// A page of a gallery's photos, in the order it was read in.
#[derive(Debug, Clone)]
pub struct PhotosPage {
    pub photos: Vec<PhotoRecord>,
    /// Where the page's last photo is, when more follow it: the next page starts after it.
    pub next_after: Option<Cursor>,
    /// The cursor asked for was made in another order than the gallery's now (the photographer
    /// changed it, or rearranged a manual order, in between): this is the first page of the
    /// gallery's order, not the page after the cursor.
    pub restarted: bool,
}

/// A gallery with what a card of it shows (see [`Store::visible_photos_summary`]).
#[derive(Debug, Clone)]
pub struct PhotosSummary {
    pub gallery: GalleryRecord,
    pub photo_count: u32,
    pub cover: Option<PhotoRecord>,
}

/// Gathers one page from photos offered in order (each with the cursor of its place), and
/// notices whether one more follows (so the last page says so, instead of a cursor to an empty
/// page).
pub(crate) struct PageCollector<K> {
    limit: usize,
    keep: K,
    photos: Vec<PhotoRecord>,
    last: Option<Cursor>,
    more: bool,
}

impl<K: Fn(&PhotoRecord) -> bool> PageCollector<K> {
    pub(crate) fn new(limit: usize, keep: K) -> Self {
        Self {
            limit,
            keep,
            photos: Vec::with_capacity(limit.min(PhotoPage::SIZE.max)),
            last: None,
            more: false,
        }
    }

    /// Takes a photo at `place` if it belongs on the page; `false` once the page is full and
    /// known to be followed by another.
    pub(crate) fn offer(&mut self, photo: PhotoRecord, place: Cursor) -> bool {
        if !(self.keep)(&photo) {
            return true;
        }
        if self.photos.len() == self.limit {
            self.more = true;
            return false;
        }
        self.photos.push(photo);
        self.last = Some(place);
        true
    }

    /// How many photos the page holds so far.
    pub(crate) fn len(&self) -> usize {
        self.photos.len()
    }

    pub(crate) fn finish(self) -> PhotosPage {
        PhotosPage {
            photos: self.photos,
            next_after: if self.more { self.last } else { None },
            restarted: false,
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
