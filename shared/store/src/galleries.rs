//! Galleries and the items that live and die with them.

use std::collections::HashMap;

use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, DeleteRequest, ReturnValuesOnConditionCheckFailure,
    TransactWriteItem, WriteRequest,
};
use proofsheet_policy::photo_order::PhotoOrder;
use proofsheet_policy::{ClientLoginId, GalleryId, PhotoPage, PhotographerId};

use crate::items::{Item, condition_failed, item_with_keys, key, n, records, s};
use crate::records::{ChildPointer, keys};
use crate::retry;
use crate::{Conflict, GalleryRecord, GrantRecord, PhotoRecord, PhotosPage, Store, StoreError};

/// A sub-gallery's parent as read to make the sub-gallery from: its record and its general
/// link, whose settings the sub-gallery starts with.
#[derive(Debug, Clone)]
pub struct ParentAsRead {
    pub gallery: GalleryRecord,
    pub general: GrantRecord,
}

/// DynamoDB's BatchWriteItem limit.
const BATCH_LIMIT: usize = 25;

impl Store {
    pub(crate) fn gallery_item(&self, gallery: &GalleryRecord) -> Result<Item, StoreError> {
        item_with_keys(
            gallery,
            &[
                ("PK", keys::gallery(gallery.id)),
                ("SK", keys::META.into()),
                ("GSI1PK", keys::owner(gallery.owner_id)),
                ("GSI1SK", keys::gallery(gallery.id)),
            ],
        )
    }

    /// Creates a gallery together with its general link, all or nothing. A sub-gallery names
    /// `parent`, the parent as it was read when the sub-gallery was made from it, and is
    /// created only while that parent exists, belongs to the same photographer (else
    /// `NotFound`, and no orphan child is left behind) and neither it nor its general link has
    /// changed since (else `Conflict::ConcurrentUpdate`: read the parent again and make the
    /// sub-gallery again; see [`Self::create_subgallery`]).
    pub async fn create_gallery(
        &self,
        gallery: &GalleryRecord,
        general: &GrantRecord,
        parent: Option<&ParentAsRead>,
    ) -> Result<(), StoreError> {
        if gallery.parent_id != parent.map(|p| p.gallery.id) {
            return Err(StoreError::Corrupt(
                "a sub-gallery is created with the parent it was made from".into(),
            ));
        }
        #[derive(Clone, Copy, PartialEq)]
        enum Write {
            Gallery,
            GeneralGrant,
            ParentUnchanged,
            ParentsPointer,
        }
        let mut actions = vec![
            (Write::Gallery, self.put_new(self.gallery_item(gallery)?)?),
            (
                Write::GeneralGrant,
                self.put_new(self.grant_item(general)?)?,
            ),
        ];
        if let Some(parent) = parent {
            let unchanged = self.parent_unchanged(parent, gallery.owner_id)?;
            actions.extend(
                unchanged
                    .into_iter()
                    .map(|check| (Write::ParentUnchanged, check)),
            );
            let pointer = self.put_new(self.child_item(parent.gallery.id, gallery.id)?)?;
            actions.push((Write::ParentsPointer, pointer));
        }
        match self.transact_named(actions).await? {
            Ok(()) => Ok(()),
            Err(refused)
                if refused.by(Write::ParentUnchanged) || refused.by(Write::ParentsPointer) =>
            {
                // Changed, or gone (or someone else's): only a fresh read tells which.
                let parent = parent.map(|p| p.gallery.id);
                match self.gallery_if_present(parent).await? {
                    Some(now) if now.owner_id == gallery.owner_id => {
                        Err(StoreError::Conflict(Conflict::ConcurrentUpdate))
                    }
                    _ => Err(StoreError::NotFound),
                }
            }
            Err(_) => Err(StoreError::Conflict(Conflict::GalleryExists)),
        }
    }

    /// Creates a sub-gallery under `parent` (as read) from what `make` gives for it, made again
    /// from a fresh read of the parent whenever the parent or its general link changed
    /// meanwhile: a sub-gallery starts from its parent as it was when it was written, so a
    /// password set on the parent a moment before is never missed. A parent deleted meanwhile
    /// is `NotFound`.
    pub async fn create_subgallery<E: From<StoreError>>(
        &self,
        parent: ParentAsRead,
        make: impl Fn(&ParentAsRead) -> Result<(GalleryRecord, GrantRecord), E>,
    ) -> Result<(GalleryRecord, GrantRecord), E> {
        let id = parent.gallery.id;
        let (_, made) = retry::reapply_after_lost_races(
            parent,
            make,
            |parent, (gallery, general)| async move {
                self.create_gallery(&gallery, &general, Some(&parent))
                    .await
                    .map(|()| (gallery, general))
            },
            || async move { self.parent_as_read(id).await },
        )
        .await?;
        Ok(made)
    }

    /// A gallery and its general link, read to make a sub-gallery from.
    pub async fn parent_as_read(&self, id: GalleryId) -> Result<ParentAsRead, StoreError> {
        let gallery = self.gallery(id).await?.ok_or(StoreError::NotFound)?;
        // Only a gallery delete that stopped midway leaves a gallery without its general link.
        let general = self
            .grant(gallery.general_grant_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(ParentAsRead { gallery, general })
    }

    async fn gallery_if_present(
        &self,
        id: Option<GalleryId>,
    ) -> Result<Option<GalleryRecord>, StoreError> {
        match id {
            Some(id) => self.gallery(id).await,
            None => Ok(None),
        }
    }

    /// The checks that `parent` is still as read: its record (owner and revision) and its
    /// general link's settings.
    fn parent_unchanged(
        &self,
        parent: &ParentAsRead,
        owner: PhotographerId,
    ) -> Result<[TransactWriteItem; 2], StoreError> {
        // Records written before revisions existed have no attribute: they are revision 0.
        let at = |attribute: &str, value: u64| {
            if value == 0 {
                format!("(attribute_not_exists({attribute}) OR {attribute} = :revision)")
            } else {
                format!("{attribute} = :revision")
            }
        };
        let gallery = ConditionCheck::builder()
            .table_name(&self.resources.table)
            .set_key(Some(key(keys::gallery(parent.gallery.id), keys::META)))
            .condition_expression(format!(
                "attribute_exists(PK) AND owner_id = :owner AND {}",
                at("revision", parent.gallery.revision)
            ))
            .expression_attribute_values(":owner", s(owner.to_string()))
            .expression_attribute_values(":revision", n(parent.gallery.revision))
            .build()
            .map_err(|e| StoreError::Aws(e.to_string()))?;
        let general = ConditionCheck::builder()
            .table_name(&self.resources.table)
            .set_key(Some(key(keys::grant(parent.general.id), keys::GRANT)))
            .condition_expression(format!(
                "attribute_exists(PK) AND {}",
                at("settings_revision", parent.general.settings_revision)
            ))
            .expression_attribute_values(":revision", n(parent.general.settings_revision))
            .build()
            .map_err(|e| StoreError::Aws(e.to_string()))?;
        Ok([gallery, general]
            .map(|check| TransactWriteItem::builder().condition_check(check).build()))
    }

    /// The parent's pointer to a sub-gallery: its children are one query of its partition.
    fn child_item(&self, parent: GalleryId, child: GalleryId) -> Result<Item, StoreError> {
        item_with_keys(
            &ChildPointer { child_id: child },
            &[("PK", keys::gallery(parent)), ("SK", keys::child(child))],
        )
    }

    /// A gallery's direct sub-galleries, oldest first: one query of the parent's partition,
    /// then each child's META (in parallel). A child deleted meanwhile is left out.
    pub async fn children_of(&self, parent: GalleryId) -> Result<Vec<GalleryRecord>, StoreError> {
        let pointers: Vec<ChildPointer> = records(
            self.query_prefix(keys::gallery(parent), keys::CHILD_PREFIX)
                .await?,
        )?;
        let children =
            futures::future::try_join_all(pointers.iter().map(|p| self.gallery(p.child_id)))
                .await?;
        Ok(children.into_iter().flatten().collect())
    }

    /// Writes the pointer of every sub-gallery of `owner` to its parent (idempotent): for
    /// sub-galleries created before pointers existed.
    pub async fn index_subgalleries(&self, owner: PhotographerId) -> Result<usize, StoreError> {
        let mut written = 0;
        for gallery in self.galleries_of(owner).await? {
            if let Some(parent) = gallery.parent_id {
                self.ddb()
                    .put_item()
                    .table_name(&self.resources.table)
                    .set_item(Some(self.child_item(parent, gallery.id)?))
                    .send()
                    .await?;
                written += 1;
            }
        }
        Ok(written)
    }

    pub async fn gallery(&self, id: GalleryId) -> Result<Option<GalleryRecord>, StoreError> {
        self.get(keys::gallery(id), keys::META).await
    }

    /// Every gallery of a photographer, oldest first.
    pub async fn galleries_of(
        &self,
        owner: PhotographerId,
    ) -> Result<Vec<GalleryRecord>, StoreError> {
        let items = self
            .query_all(
                Some("GSI1"),
                "GSI1PK = :pk",
                HashMap::from([(":pk".into(), s(keys::owner(owner)))]),
            )
            .await?;
        records(items)
    }

    /// Changes a gallery (`gallery` as read) with `change`, re-applied to a fresh read whenever
    /// another change landed first, so none is lost. Returns the gallery as it was just before
    /// the change that was stored, and as stored.
    pub async fn change_gallery<E: From<StoreError>>(
        &self,
        gallery: GalleryRecord,
        change: impl Fn(&GalleryRecord) -> Result<GalleryRecord, E>,
    ) -> Result<(GalleryRecord, GalleryRecord), E> {
        let id = gallery.id;
        retry::reapply_after_lost_races(
            gallery,
            change,
            |_, changed| async move { self.update_gallery(&changed).await },
            || async move { self.gallery(id).await?.ok_or(StoreError::NotFound) },
        )
        .await
    }

    /// Replaces a gallery's record if it is still at the revision it was read at
    /// (`gallery.revision`), and returns it as stored, one revision on. A gallery deleted
    /// meanwhile is `NotFound`; one changed meanwhile is `Conflict::ConcurrentUpdate`: read
    /// it again and re-apply the change.
    pub async fn update_gallery(
        &self,
        gallery: &GalleryRecord,
    ) -> Result<GalleryRecord, StoreError> {
        let expected = gallery.revision;
        let stored = GalleryRecord {
            revision: expected + 1,
            ..gallery.clone()
        };
        // Galleries written before revisions existed have no attribute: they are revision 0.
        let condition = if expected == 0 {
            "attribute_exists(PK) AND (attribute_not_exists(revision) OR revision = :expected)"
        } else {
            "attribute_exists(PK) AND revision = :expected"
        };
        let result = self
            .ddb()
            .put_item()
            .table_name(&self.resources.table)
            .set_item(Some(self.gallery_item(&stored)?))
            .condition_expression(condition)
            .expression_attribute_values(":expected", n(expected))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match result {
            Ok(_) => Ok(stored),
            // The old item comes back only if there was one: then it changed, else it's gone.
            Err(e) if condition_failed(&e) => match e.as_service_error() {
                Some(PutItemError::ConditionalCheckFailedException(failed))
                    if failed.item().is_some_and(|item| !item.is_empty()) =>
                {
                    Err(StoreError::Conflict(Conflict::ConcurrentUpdate))
                }
                _ => Err(StoreError::NotFound),
            },
            Err(e) => Err(e.into()),
        }
    }

    /// One page of `gallery`'s photos (those `keep` accepts) in the gallery's order: what a
    /// client's visit reads, once its link has read the gallery. A cursor made in another order
    /// than the gallery's now is never read as a place in it: the answer is the new order's first
    /// page, marked `restarted` (see the `order` module).
    pub async fn photos_in_order(
        &self,
        gallery: &GalleryRecord,
        page: PhotoPage,
        keep: impl Fn(&PhotoRecord) -> bool,
    ) -> Result<PhotosPage, StoreError> {
        let PhotoPage { limit, after } = page;
        let (id, wanted) = (gallery.id, gallery.photo_order);
        if let Some(cursor) = &after {
            match cursor.order() {
                Some(order) if order == wanted => {
                    let page = self.page_in_order(id, order, Some(cursor), limit, &keep);
                    if let Some(page) = page.await? {
                        return Ok(page);
                    }
                }
                // A manual order without an arrangement reads in capture order: a capture-order
                // cursor goes on until the photographer arranges the photos.
                Some(PhotoOrder::CaptureTime) if wanted == PhotoOrder::Manual => {
                    let arranged = self.page_in_order(id, wanted, None, limit, &keep).await?;
                    if let Some(arranged) = arranged {
                        return Ok(PhotosPage {
                            restarted: true,
                            ..arranged
                        });
                    }
                    let by_capture = PhotoOrder::CaptureTime;
                    let page = self.page_in_order(id, by_capture, Some(cursor), limit, &keep);
                    if let Some(page) = page.await? {
                        return Ok(page);
                    }
                }
                _ => {}
            }
        }
        let first = self.first_page_in(id, wanted, limit, &keep).await?;
        Ok(PhotosPage {
            restarted: after.is_some(),
            ..first
        })
    }

    /// Deletes a gallery's items: its links first (so they stop working at once), then what each
    /// link kept, the gallery, its photos and client claims. Objects in S3 are removed by the caller, first (so
    /// a failure midway leaves a gallery that can be deleted again). Deleting again is harmless.
    pub async fn delete_gallery(&self, gallery: &GalleryRecord) -> Result<(), StoreError> {
        let id = gallery.id;
        let grants = self
            .query_all(
                Some("GSI1"),
                "GSI1PK = :pk",
                HashMap::from([(":pk".into(), s(keys::gallery(id)))]),
            )
            .await?;
        self.delete_keys(grants.iter().filter_map(primary_key).collect())
            .await?;
        // Then what each link kept (favourites, download requests, try counters), and the
        // release a client login's link belongs to.
        for grant in grants
            .iter()
            .filter(|item| sort_key(item) == Some(keys::GRANT))
        {
            if let Some(pk) = grant.get("PK").and_then(|v| v.as_s().ok()) {
                self.delete_partition(pk).await?;
            }
            let login = grant.get("login_id").and_then(|v| v.as_s().ok());
            if let Some(login) = login.and_then(|l| ClientLoginId::parse(l).ok()) {
                let release = key(keys::login(login), keys::release(id));
                self.delete_keys(vec![release]).await?;
            }
        }
        let own = self
            .query_all(
                None,
                "PK = :pk",
                HashMap::from([(":pk".into(), s(keys::gallery(id)))]),
            )
            .await?;
        // META last: until it goes, the gallery is listed, so a delete that fails midway can
        // be finished by deleting again.
        let (meta, rest): (Vec<Item>, Vec<Item>) = own
            .iter()
            .filter_map(primary_key)
            .partition(|k| sort_key(k) == Some(keys::META));
        self.delete_keys(rest).await?;
        self.delete_keys(meta).await?;
        // Its parent's pointer last: a pointer to a gone gallery is skipped when read.
        match gallery.parent_id {
            Some(parent) => {
                self.delete_keys(vec![key(keys::gallery(parent), keys::child(id))])
                    .await
            }
            None => Ok(()),
        }
    }

    /// Deletes every item of a partition (a revoked link's favourites, downloads and counters).
    pub(crate) async fn delete_partition(&self, pk: &str) -> Result<(), StoreError> {
        let items = self
            .query_all(None, "PK = :pk", HashMap::from([(":pk".into(), s(pk))]))
            .await?;
        self.delete_keys(items.iter().filter_map(primary_key).collect())
            .await
    }

    async fn delete_keys(&self, keys: Vec<Item>) -> Result<(), StoreError> {
        for chunk in keys.chunks(BATCH_LIMIT) {
            let mut pending: Vec<WriteRequest> = chunk
                .iter()
                .map(|k| {
                    let delete = DeleteRequest::builder()
                        .set_key(Some(k.clone()))
                        .build()
                        .map_err(|e| StoreError::Aws(e.to_string()))?;
                    Ok(WriteRequest::builder().delete_request(delete).build())
                })
                .collect::<Result<_, StoreError>>()?;
            // BatchWriteItem may leave some requests unprocessed under load: send them again.
            for attempt in 0..8u32 {
                if pending.is_empty() {
                    break;
                }
                if attempt > 0 {
                    tokio::time::sleep(std::time::Duration::from_millis(50 << attempt.min(4)))
                        .await;
                }
                let out = self
                    .ddb()
                    .batch_write_item()
                    .request_items(&self.resources.table, pending)
                    .send()
                    .await?;
                pending = out
                    .unprocessed_items
                    .and_then(|mut m| m.remove(&self.resources.table))
                    .unwrap_or_default();
            }
            if !pending.is_empty() {
                return Err(StoreError::Aws("delete left unprocessed items".into()));
            }
        }
        Ok(())
    }

    /// Items matching a key condition in key order, starting after `start`, each handed to
    /// `visit` until it wants no more (returns `false`) or the items end. `batch` is each
    /// request's `Limit`; DynamoDB may answer fewer (1 MB per response) and still have more.
    pub(crate) async fn query_from(
        &self,
        key_condition: &str,
        values: HashMap<String, AttributeValue>,
        mut start: Option<Item>,
        batch: i32,
        mut visit: impl FnMut(Item) -> Result<bool, StoreError>,
    ) -> Result<(), StoreError> {
        loop {
            let out = self
                .ddb()
                .query()
                .table_name(&self.resources.table)
                .key_condition_expression(key_condition)
                .set_expression_attribute_values(Some(values.clone()))
                .consistent_read(true)
                .limit(batch)
                .set_exclusive_start_key(start.take())
                .send()
                .await?;
            for item in out.items.unwrap_or_default() {
                if !visit(item)? {
                    return Ok(());
                }
            }
            match out.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return Ok(()),
            }
        }
    }

    /// All items matching a key condition, following pages.
    /// Every item of partition `pk` whose sort key starts with `prefix` (the table, consistent).
    pub(crate) async fn query_prefix(
        &self,
        pk: String,
        prefix: &str,
    ) -> Result<Vec<Item>, StoreError> {
        self.query_all(
            None,
            "PK = :pk AND begins_with(SK, :prefix)",
            HashMap::from([(":pk".into(), s(pk)), (":prefix".into(), s(prefix))]),
        )
        .await
    }

    pub(crate) async fn query_all(
        &self,
        index: Option<&str>,
        key_condition: &str,
        values: HashMap<String, AttributeValue>,
    ) -> Result<Vec<Item>, StoreError> {
        self.ddb()
            .query()
            .table_name(&self.resources.table)
            .set_index_name(index.map(str::to_owned))
            .key_condition_expression(key_condition)
            .set_expression_attribute_values(Some(values))
            .set_consistent_read(index.is_none().then_some(true))
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(Into::into)
    }
}

fn sort_key(item: &Item) -> Option<&str> {
    item.get("SK")
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
}

pub(crate) fn primary_key(item: &Item) -> Option<Item> {
    let pk = item.get("PK")?.as_s().ok()?.clone();
    let sk = sort_key(item)?.to_owned();
    Some(key(pk, sk))
}
