//! What each client did (views, favourites, downloads, milestones) and the photographer's
//! notifications.
//!
//! A view is one `UpdateItem` on the client's own activity item (`ADD`, so concurrent views all
//! count; one item per client, so a busy gallery has no hot key), issued alongside the view's
//! own read. Its milestone is tried by every view until it is recorded. A milestone is a
//! claim item (in the gallery, keyed by the client: a new link for the same client reaches
//! nothing twice) written together with its notification and the photographer's unread count,
//! in one transaction: whoever wins it notifies, so retries and races never notify twice.

use std::collections::{BTreeSet, HashMap};

use aws_sdk_dynamodb::types::{ReturnValue, TransactWriteItem, Update};
use proofsheet_policy::{
    GalleryId, GrantId, Milestone, NotificationId, PhotoId, PhotographerId, Resolution,
};
use serde::{Deserialize, Serialize};

use crate::items::{Item, built, item_with_keys, key, n, record, s};
use crate::records::keys;
use crate::{GrantRecord, Store, StoreError};

/// How often and when a client opened their gallery.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ViewCount {
    #[serde(default)]
    pub view_count: u64,
    pub first_view_at: Option<u64>,
    pub last_view_at: Option<u64>,
    /// Whether the first view's milestone is recorded: until it is, every view tries again, so
    /// a failure in between loses nothing.
    #[serde(default)]
    pub first_view_told: bool,
}

/// A milestone a client reached in a gallery, and when (and through which link).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MilestoneRecord {
    /// [`GrantRecord::client_key`] of the link it was reached through.
    pub client: String,
    pub milestone: Milestone,
    pub reached_at: u64,
    pub grant_id: GrantId,
}

/// What one client did through their link, read from the link's partition.
#[derive(Debug, Clone, Default)]
pub struct ClientActivity {
    pub views: ViewCount,
    pub favourite_lists: usize,
    /// Distinct photos on any of their lists.
    pub favourite_photos: BTreeSet<PhotoId>,
    pub download_requests: usize,
    /// Distinct photos in any of their accepted requests.
    pub downloaded_photos: BTreeSet<PhotoId>,
    pub resolutions: BTreeSet<Resolution>,
}

/// A notification to the photographer: a client reached a milestone.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NotificationRecord {
    pub id: NotificationId,
    pub owner_id: PhotographerId,
    pub milestone: Milestone,
    pub gallery_id: GalleryId,
    pub gallery_title: String,
    pub grant_id: GrantId,
    /// The client as the photographer knows them: name and email, or whichever there is.
    pub client: String,
    pub created_at: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_at: Option<u64>,
}

/// The parts of the items of a link's partition the activity reads.
#[derive(Deserialize)]
struct ListPhotos {
    #[serde(default, with = "serde_dynamo::string_set")]
    photos: BTreeSet<PhotoId>,
}

#[derive(Deserialize)]
struct RequestPhotos {
    photos: Vec<PhotoId>,
    resolution: Resolution,
}

#[derive(Default, Deserialize)]
struct Unread {
    #[serde(default)]
    unread: i64,
}

impl Store {
    /// Counts one view of a client's link; the count as it now stands.
    pub async fn record_view(&self, grant: GrantId, now: u64) -> Result<ViewCount, StoreError> {
        let out = self
            .ddb()
            .update_item()
            .table_name(&self.resources.table)
            .set_key(Some(key(keys::grant(grant), keys::ACTIVITY)))
            .update_expression(
                "ADD view_count :one SET last_view_at = :now, \
                 first_view_at = if_not_exists(first_view_at, :now)",
            )
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":now", n(now))
            .return_values(ReturnValue::AllNew)
            .send()
            .await?;
        record(out.attributes.unwrap_or_default())
    }

    /// Notes that the first view's milestone is recorded, so later views stop trying.
    pub async fn mark_first_view_told(&self, grant: GrantId) -> Result<(), StoreError> {
        self.ddb()
            .update_item()
            .table_name(&self.resources.table)
            .set_key(Some(key(keys::grant(grant), keys::ACTIVITY)))
            .update_expression("SET first_view_told = :told")
            .expression_attribute_values(
                ":told",
                aws_sdk_dynamodb::types::AttributeValue::Bool(true),
            )
            .send()
            .await?;
        Ok(())
    }

    /// Records that the client of `grant` reached a milestone in its gallery, with the
    /// photographer's notification of it, if that client had not reached it there before
    /// (through any link); `false` (nothing written) when they had.
    pub async fn reach_milestone(
        &self,
        grant: &GrantRecord,
        notification: &NotificationRecord,
    ) -> Result<bool, StoreError> {
        let client = grant.client_key();
        let claim = item_with_keys(
            &MilestoneRecord {
                client: client.clone(),
                milestone: notification.milestone,
                reached_at: notification.created_at,
                grant_id: grant.id,
            },
            &[
                ("PK", keys::gallery(grant.gallery_id)),
                ("SK", keys::milestone(&client, notification.milestone)),
            ],
        )?;
        let mut actions = vec![self.put_new(claim)?];
        actions.extend(self.notification_writes(notification)?);
        Ok(self.transact(actions).await?.is_ok())
    }

    /// The writes that add a notification and count it unread, for a transaction that also
    /// claims what it is about (so it is written once).
    pub(crate) fn notification_writes(
        &self,
        notification: &NotificationRecord,
    ) -> Result<[TransactWriteItem; 2], StoreError> {
        let note = item_with_keys(
            notification,
            &[
                ("PK", keys::photographer(notification.owner_id)),
                ("SK", keys::notification(notification.id)),
            ],
        )?;
        let unread = built(
            Update::builder()
                .table_name(&self.resources.table)
                .set_key(Some(key(
                    keys::photographer(notification.owner_id),
                    keys::UNREAD,
                )))
                .update_expression("ADD unread :one")
                .expression_attribute_values(":one", n(1))
                .build(),
        )?;
        Ok([
            self.put_new(note)?,
            TransactWriteItem::builder().update(unread).build(),
        ])
    }

    /// What one client did through their link.
    pub async fn client_activity(&self, grant: GrantId) -> Result<ClientActivity, StoreError> {
        let items = self
            .query_all(
                None,
                "PK = :pk",
                HashMap::from([(":pk".into(), s(keys::grant(grant)))]),
            )
            .await?;
        let mut activity = ClientActivity::default();
        for item in items {
            let sk = item
                .get("SK")
                .and_then(|v| v.as_s().ok())
                .cloned()
                .unwrap_or_default();
            if sk == keys::ACTIVITY {
                activity.views = record(item)?;
            } else if sk.starts_with(keys::FAVOURITE_LIST_PREFIX) {
                let list: ListPhotos = record(item)?;
                activity.favourite_lists += 1;
                activity.favourite_photos.extend(list.photos);
            } else if sk.starts_with(keys::DOWNLOAD_REQUEST_PREFIX) {
                let request: RequestPhotos = record(item)?;
                activity.download_requests += 1;
                activity.downloaded_photos.extend(request.photos);
                activity.resolutions.insert(request.resolution);
            }
        }
        Ok(activity)
    }

    /// The milestones every client reached in a gallery, by [`GrantRecord::client_key`], each
    /// client's in the order they were reached.
    pub async fn gallery_milestones(
        &self,
        gallery: GalleryId,
    ) -> Result<HashMap<String, Vec<MilestoneRecord>>, StoreError> {
        let items = self
            .query_prefix(keys::gallery(gallery), keys::MILESTONE_PREFIX)
            .await?;
        let mut by_client: HashMap<String, Vec<MilestoneRecord>> = HashMap::new();
        for item in items {
            let reached: MilestoneRecord = record(item)?;
            by_client
                .entry(reached.client.clone())
                .or_default()
                .push(reached);
        }
        for reached in by_client.values_mut() {
            reached.sort_by_key(|m| (m.reached_at, m.milestone));
        }
        Ok(by_client)
    }

    /// A page of a photographer's notifications, newest first, after `after` (a notification
    /// id of an earlier page); the last one's id when more may follow.
    pub async fn notifications(
        &self,
        owner: PhotographerId,
        limit: usize,
        after: Option<NotificationId>,
    ) -> Result<(Vec<NotificationRecord>, Option<NotificationId>), StoreError> {
        let start: Option<Item> =
            after.map(|id| key(keys::photographer(owner), keys::notification(id)));
        let out = self
            .ddb()
            .query()
            .table_name(&self.resources.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :note)")
            .expression_attribute_values(":pk", s(keys::photographer(owner)))
            .expression_attribute_values(":note", s(keys::NOTIFICATION_PREFIX))
            .scan_index_forward(false)
            .limit(i32::try_from(limit + 1).unwrap_or(i32::MAX))
            .set_exclusive_start_key(start)
            .consistent_read(true)
            .send()
            .await?;
        let mut notes: Vec<NotificationRecord> = out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(record)
            .collect::<Result<_, _>>()?;
        // One read past the page says whether there is a next one.
        let next = if notes.len() > limit {
            notes.truncate(limit);
            notes.last().map(|n| n.id)
        } else {
            None
        };
        Ok((notes, next))
    }

    /// How many of a photographer's notifications are unread.
    pub async fn unread_notifications(&self, owner: PhotographerId) -> Result<u64, StoreError> {
        let unread: Option<Unread> = self.get(keys::photographer(owner), keys::UNREAD).await?;
        Ok(unread.unwrap_or_default().unread.max(0) as u64)
    }

    /// Marks a notification read (once: the unread count drops once). `NotFound` when the
    /// photographer has no such notification.
    pub async fn mark_notification_read(
        &self,
        owner: PhotographerId,
        id: NotificationId,
        now: u64,
    ) -> Result<(), StoreError> {
        let read = built(
            Update::builder()
                .table_name(&self.resources.table)
                .set_key(Some(key(keys::photographer(owner), keys::notification(id))))
                .update_expression("SET read_at = :now")
                .condition_expression("attribute_exists(PK) AND attribute_not_exists(read_at)")
                .expression_attribute_values(":now", n(now))
                .build(),
        )?;
        let unread = built(
            Update::builder()
                .table_name(&self.resources.table)
                .set_key(Some(key(keys::photographer(owner), keys::UNREAD)))
                .update_expression("ADD unread :minus_one")
                .expression_attribute_values(":minus_one", n(-1))
                .build(),
        )?;
        let actions = vec![
            TransactWriteItem::builder().update(read).build(),
            TransactWriteItem::builder().update(unread).build(),
        ];
        if self.transact(actions).await?.is_ok() {
            return Ok(());
        }
        // Read before, or not there at all.
        let note: Option<NotificationRecord> = self
            .get(keys::photographer(owner), &keys::notification(id))
            .await?;
        note.map(|_| ()).ok_or(StoreError::NotFound)
    }
}
