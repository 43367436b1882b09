//! The order a client's view follows (the gallery's `photo_order`), each read a page at a time
//! with one request per page and no Scan:
//!
//! - **capture time** and **file name**: a ready photo is in one sparse index per order (GSI1
//!   under `BYCAPTURE#<gallery>`, GSI2 under `BYNAME#<gallery>`), its place in the order as the
//!   index's sort key (see `proofsheet_policy::photo_order::capture_order_key` and
//!   `filename_order_key`). The keys are written with the update that makes the photo ready, so
//!   uploading and rejected photos are never in them, and a deleted photo leaves them with its
//!   item. A page is a Query after the previous page's last key (`SK > :after`, not an
//!   `ExclusiveStartKey`: the photo it names may be gone). Index reads are eventually
//!   consistent: a photo made ready a moment ago may show a moment later.
//! - **manual**: the photographer's arrangement, one item in the gallery's partition
//!   (`MANUALORDER`, photographer-only: sorts before `META`) holding the photo ids as a list and
//!   a revision bumped by each arrangement. A page is an offset into the list, then BatchGetItem
//!   of its photos (deleted ones are skipped); a photo made ready later is appended by ingest
//!   (`NOT contains`, so once), so it comes last. A gallery set to manual with no arrangement
//!   yet reads in capture order.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use proofsheet_policy::paging::{Cursor, IndexedOrder};
use proofsheet_policy::photo_order::{
    MAX_MANUAL_PHOTOS, PhotoOrder, capture_moment, capture_order_key, filename_order_key,
};
use proofsheet_policy::{GalleryId, PhotoId, PhotographerId};
use serde::{Deserialize, Serialize};

use crate::items::{Item, condition_failed, key, n, record, s};
use crate::photos::{PageCollector, query_batch};
use crate::records::keys;
use crate::{PhotoRecord, PhotosPage, Store, StoreError};

/// The index of capture order (shared with other entities, under its own partition keys).
pub(crate) const CAPTURE_INDEX: &str = "GSI1";
/// The index of file-name order.
pub(crate) const NAME_INDEX: &str = "GSI2";
/// The arrangement's sort key in the gallery's partition.
pub(crate) const MANUAL_ORDER: &str = "MANUALORDER";

fn index_of(order: IndexedOrder) -> (&'static str, &'static str, &'static str) {
    match order {
        IndexedOrder::CaptureTime => (CAPTURE_INDEX, "GSI1PK", "GSI1SK"),
        IndexedOrder::Filename => (NAME_INDEX, "GSI2PK", "GSI2SK"),
    }
}

fn partition(order: IndexedOrder, gallery: GalleryId) -> String {
    match order {
        IndexedOrder::CaptureTime => format!("BYCAPTURE#{gallery}"),
        IndexedOrder::Filename => format!("BYNAME#{gallery}"),
    }
}

/// The index attributes a photo gets when it becomes ready: its place in capture order (taken
/// at `captured_at`, else uploaded at its `created_at`) and in file-name order.
pub(crate) fn order_index_keys(
    photo: &PhotoRecord,
    captured_at: Option<u64>,
) -> [(&'static str, String); 4] {
    let moment = capture_moment(captured_at, photo.created_at);
    [
        (
            "GSI1PK",
            partition(IndexedOrder::CaptureTime, photo.gallery_id),
        ),
        ("GSI1SK", capture_order_key(moment, photo.id)),
        (
            "GSI2PK",
            partition(IndexedOrder::Filename, photo.gallery_id),
        ),
        ("GSI2SK", filename_order_key(&photo.filename, photo.id)),
    ]
}

/// The photographer's arrangement of a gallery's photos.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ManualOrderRecord {
    pub gallery_id: GalleryId,
    pub photo_ids: Vec<PhotoId>,
    /// Bumped by every arrangement (not by ingest's appends, which move no photo): a cursor
    /// names the revision its offset counts in.
    pub revision: u64,
}

/// Where a read in one order starts: the first page, or after a cursor of that same order.
type Start<'a> = Option<&'a Cursor>;

impl Store {
    /// A page in `order` from `start` (a cursor of that order, or the first page). `None` when
    /// this order can't serve it: a manual order without an arrangement, or with another one
    /// than the cursor was made in.
    pub(crate) async fn page_in_order(
        &self,
        gallery: GalleryId,
        order: PhotoOrder,
        start: Start<'_>,
        limit: usize,
        keep: impl Fn(&PhotoRecord) -> bool,
    ) -> Result<Option<PhotosPage>, StoreError> {
        let indexed = |order| {
            let after = match start {
                Some(Cursor::Indexed { key, .. }) => Some(key.as_str()),
                _ => None,
            };
            self.indexed_page(gallery, order, after, limit, &keep)
        };
        match order {
            PhotoOrder::CaptureTime => Ok(Some(indexed(IndexedOrder::CaptureTime).await?)),
            PhotoOrder::Filename => Ok(Some(indexed(IndexedOrder::Filename).await?)),
            PhotoOrder::Manual => {
                let after = match start {
                    Some(Cursor::Manual { revision, read }) => Some((*revision, *read)),
                    _ => None,
                };
                self.manual_page(gallery, after, limit, &keep).await
            }
        }
    }

    /// The first page of `order`; a manual order without an arrangement reads in capture order.
    pub(crate) async fn first_page_in(
        &self,
        gallery: GalleryId,
        order: PhotoOrder,
        limit: usize,
        keep: impl Fn(&PhotoRecord) -> bool,
    ) -> Result<PhotosPage, StoreError> {
        if let Some(page) = self
            .page_in_order(gallery, order, None, limit, &keep)
            .await?
        {
            return Ok(page);
        }
        self.indexed_page(gallery, IndexedOrder::CaptureTime, None, limit, &keep)
            .await
    }

    /// A page of an order's index, after the key `after`.
    async fn indexed_page(
        &self,
        gallery: GalleryId,
        order: IndexedOrder,
        after: Option<&str>,
        limit: usize,
        keep: impl Fn(&PhotoRecord) -> bool,
    ) -> Result<PhotosPage, StoreError> {
        let (index, pk_name, sk_name) = index_of(order);
        let mut values = HashMap::from([(":pk".to_owned(), s(partition(order, gallery)))]);
        let condition = match after {
            Some(after) => {
                values.insert(":after".into(), s(after));
                "#pk = :pk AND #sk > :after"
            }
            None => "#pk = :pk",
        };
        let mut collector = PageCollector::new(limit, keep);
        let mut start: Option<Item> = None;
        'pages: loop {
            let mut query = self
                .ddb()
                .query()
                .table_name(&self.resources.table)
                .index_name(index)
                .key_condition_expression(condition)
                .expression_attribute_names("#pk", pk_name)
                .set_expression_attribute_values(Some(values.clone()))
                .limit(query_batch(limit))
                .set_exclusive_start_key(start.take());
            if after.is_some() {
                query = query.expression_attribute_names("#sk", sk_name);
            }
            let out = query.send().await?;
            for item in out.items.unwrap_or_default() {
                let Some(key) = item.get(sk_name).and_then(|v| v.as_s().ok()).cloned() else {
                    continue;
                };
                let cursor = Cursor::Indexed { order, key };
                if !collector.offer(record(item)?, cursor) {
                    break 'pages;
                }
            }
            match out.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => break,
            }
        }
        Ok(collector.finish())
    }

    /// A page of the arrangement after its first `after.1` entries, if it is still at revision
    /// `after.0`.
    async fn manual_page(
        &self,
        gallery: GalleryId,
        after: Option<(u64, u32)>,
        limit: usize,
        keep: impl Fn(&PhotoRecord) -> bool,
    ) -> Result<Option<PhotosPage>, StoreError> {
        let Some(arrangement) = self.manual_order(gallery).await? else {
            return Ok(None);
        };
        let mut at = match after {
            None => 0,
            Some((revision, read)) if revision == arrangement.revision => read as usize,
            Some(_) => return Ok(None),
        };
        let ids = &arrangement.photo_ids;
        let mut collector = PageCollector::new(limit, keep);
        'batches: while at < ids.len() {
            // The page and the photo after it, and a little more for photos deleted meanwhile.
            let wanted = (limit + 1).saturating_sub(collector.len());
            let end = ids.len().min(at + wanted + wanted / 8 + 2);
            let chunk = &ids[at..end];
            // BatchGetItem (consistent; it refuses a key named twice); deleted photos are
            // simply not found.
            let mut unique = chunk.to_vec();
            unique.sort_unstable();
            unique.dedup();
            let mut found: HashMap<PhotoId, PhotoRecord> = self
                .photos_by_id(gallery, &unique)
                .await?
                .into_iter()
                .map(|photo| (photo.id, photo))
                .collect();
            for (i, id) in chunk.iter().enumerate() {
                let Some(photo) = found.remove(id) else {
                    continue;
                };
                let cursor = Cursor::Manual {
                    revision: arrangement.revision,
                    read: u32::try_from(at + i + 1).unwrap_or(u32::MAX),
                };
                if !collector.offer(photo, cursor) {
                    break 'batches;
                }
            }
            at = end;
        }
        Ok(Some(collector.finish()))
    }

    /// Puts every ready photo of `owner`'s galleries in the order indexes (idempotent): for
    /// photos made ready before the indexes existed, which a client's view would otherwise
    /// leave out. Their capture time is unknown (ingest read no EXIF then): upload time stands
    /// in. Returns how many photos were indexed.
    pub async fn index_photo_orders(&self, owner: PhotographerId) -> Result<usize, StoreError> {
        let mut indexed = 0;
        for gallery in self.galleries_of(owner).await? {
            let items = self
                .query_prefix(keys::gallery(gallery.id), "PHOTO#")
                .await?;
            for item in items {
                if item.contains_key("GSI2SK") {
                    continue;
                }
                let photo: PhotoRecord = record(item)?;
                if !photo.status.visible_to_clients() {
                    continue;
                }
                let mut update = self
                    .ddb()
                    .update_item()
                    .table_name(&self.resources.table)
                    .set_key(Some(key(keys::gallery(gallery.id), keys::photo(photo.id))))
                    .update_expression(
                        "SET GSI1PK = :GSI1PK, GSI1SK = :GSI1SK, GSI2PK = :GSI2PK, GSI2SK = :GSI2SK",
                    )
                    .condition_expression("#status = :ready")
                    .expression_attribute_names("#status", "status")
                    .expression_attribute_values(
                        ":ready",
                        serde_dynamo::to_attribute_value(photo.status)?,
                    );
                for (name, value) in order_index_keys(&photo, photo.captured_at) {
                    update = update.expression_attribute_values(format!(":{name}"), s(value));
                }
                match update.send().await {
                    Ok(_) => indexed += 1,
                    // Deleted meanwhile.
                    Err(e) if condition_failed(&e) => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }
        Ok(indexed)
    }

    /// The gallery's arrangement, if the photographer made one.
    pub(crate) async fn manual_order(
        &self,
        gallery: GalleryId,
    ) -> Result<Option<ManualOrderRecord>, StoreError> {
        self.get(keys::gallery(gallery), MANUAL_ORDER).await
    }

    /// Every ready photo of a gallery with the moment it sorts by in capture order (a
    /// consistent read of its partition).
    pub async fn ready_photo_moments(
        &self,
        gallery: GalleryId,
    ) -> Result<Vec<(PhotoId, u64)>, StoreError> {
        let items = self.query_prefix(keys::gallery(gallery), "PHOTO#").await?;
        let mut ready = Vec::with_capacity(items.len());
        for item in items {
            let photo: PhotoRecord = record(item)?;
            if photo.status.visible_to_clients() {
                ready.push((
                    photo.id,
                    capture_moment(photo.captured_at, photo.created_at),
                ));
            }
        }
        Ok(ready)
    }

    /// Stores `photo_ids` as the gallery's arrangement (a new revision: cursors of the old one
    /// start over) and returns it as stored. A photo that became ready while the arrangement
    /// was being made, and so is in neither it nor (if it looked before this write) an
    /// arrangement ingest could append to, is appended now: read after the write, every ready
    /// photo is in the list.
    pub async fn arrange_photos(
        &self,
        gallery: GalleryId,
        photo_ids: &[PhotoId],
    ) -> Result<Vec<PhotoId>, StoreError> {
        let ids = serde_dynamo::to_attribute_value(photo_ids)?;
        self.ddb()
            .update_item()
            .table_name(&self.resources.table)
            .set_key(Some(key(keys::gallery(gallery), MANUAL_ORDER)))
            .update_expression(
                "SET photo_ids = :ids, gallery_id = :g, revision = if_not_exists(revision, :zero) + :one",
            )
            .expression_attribute_values(":ids", ids)
            .expression_attribute_values(":g", s(gallery.to_string()))
            .expression_attribute_values(":zero", n(0))
            .expression_attribute_values(":one", n(1))
            .return_values(ReturnValue::None)
            .send()
            .await?;
        let mut late: Vec<(u64, PhotoId)> = self
            .ready_photo_moments(gallery)
            .await?
            .into_iter()
            .filter(|(id, _)| !photo_ids.contains(id))
            .map(|(id, moment)| (moment, id))
            .collect();
        if late.is_empty() {
            return Ok(photo_ids.to_vec());
        }
        late.sort_unstable();
        for (_, id) in late {
            self.append_to_manual_order(gallery, id).await?;
        }
        Ok(self
            .manual_order(gallery)
            .await?
            .map(|stored| stored.photo_ids)
            .unwrap_or_default())
    }

    /// Appends a newly ready photo to the gallery's arrangement, if it has one and the photo is
    /// not in it yet (a redelivery appends nothing) and there is room: `true` when appended.
    pub async fn append_to_manual_order(
        &self,
        gallery: GalleryId,
        photo: PhotoId,
    ) -> Result<bool, StoreError> {
        let result = self
            .ddb()
            .update_item()
            .table_name(&self.resources.table)
            .set_key(Some(key(keys::gallery(gallery), MANUAL_ORDER)))
            .update_expression("SET photo_ids = list_append(photo_ids, :one)")
            .condition_expression(
                "attribute_exists(photo_ids) AND NOT contains(photo_ids, :id) AND size(photo_ids) < :max",
            )
            .expression_attribute_values(
                ":one",
                AttributeValue::L(vec![s(photo.to_string())]),
            )
            .expression_attribute_values(":id", s(photo.to_string()))
            .expression_attribute_values(":max", n(MAX_MANUAL_PHOTOS))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if condition_failed(&e) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
}
