//! The download manager: a client's selection, and their download requests with what each
//! charged.
//!
//! # How a limit holds under any timing, for any number of photos
//!
//! What a grant has downloaded is not a per-photo mark written next to the charge (a transaction
//! holds at most 100 items, a gallery may have 2,000 photos): it is the union of the photos
//! the grant's accepted requests charged (`DLJOB#…` items under the grant; every photo of a
//! request is charged by it or by an earlier one). Accepting a request is one
//! transaction of at most three items, however many photos it holds:
//!
//! 1. the grant: `downloads_used := used_after` and `download_requests := n + 1`, only if
//!    `downloads_used`, `download_requests` (= n) and `settings_revision` are still what the
//!    decision was computed from (precomputed values; no arithmetic in the condition) and the
//!    grant exists;
//! 2. the request itself, `attribute_not_exists`, carrying its photos and the ones it charged;
//! 3. the selection, losing the photos the request took.
//!
//! The decision is computed (by the policy) from the grant read *first* and the requests read
//! *after* it, both strongly consistent. A request committed before the grant was read is in
//! the requests read; one committed after it moved `download_requests`, so the condition on (1)
//! fails and the decision is made again from fresh reads. Every accepted request moves the
//! counter, even one that charges nothing, so decisions are serialised per grant: every charged
//! photo is counted exactly once, `downloads_used` never passes the limit the decision saw, and
//! the cap on requests waiting for their ZIP holds. A limit changed meanwhile moves
//! `settings_revision`, which fails the write too.
//!
//! A request id derived from the client's `Idempotency-Key` makes a retry find the request
//! recorded by the first try (read before deciding; the `attribute_not_exists` on (2) catches a
//! retry racing the first try), so it is never charged twice.
//!
//! Requests are written with `GSI1PK = DLJOB#UNSENT` until their message is on the download
//! queue: a sparse index of requests whose message never went out, which the resend sweep reads.

use std::collections::{BTreeSet, HashMap};

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::types::{KeysAndAttributes, TransactWriteItem, Update};
use proofsheet_policy::{
    DownloadRequestId, DownloadStatus, GalleryId, GrantId, MAX_PHOTOS_PER_REQUEST, PhotoId,
};
use serde::Deserialize;

use crate::items::{Item, condition_failed, item_with_keys, key, n, record, records, s};
use crate::records::{DownloadRequestRecord, keys};
use crate::retry::Retry;
use crate::{Conflict, GrantRecord, PhotoRecord, Store, StoreError};

/// What a download decision is made from.
#[derive(Debug, Clone)]
pub struct DownloadLedger {
    /// Read first.
    pub grant: GrantRecord,
    /// Every photo of the grant's accepted requests, read after the grant.
    pub downloaded: BTreeSet<PhotoId>,
    pub selected: BTreeSet<PhotoId>,
    /// Requests still waiting for their ZIP (queued or rendering).
    pub pending: usize,
}

/// The part of a request a ledger reads: what it charged, and whether it is done.
#[derive(Deserialize)]
struct ChargeRecord {
    #[serde(default)]
    charged: Vec<PhotoId>,
    status: DownloadStatus,
}

/// A recorded download request: this call's, or the one an earlier try with the same
/// `Idempotency-Key` recorded. A new one carries what else its decision told (`T`).
#[derive(Debug, Clone)]
pub enum RecordedDownload<T> {
    New(DownloadRequestRecord, T),
    Earlier(DownloadRequestRecord),
}

#[derive(Default, Deserialize)]
struct Selection {
    #[serde(default, with = "serde_dynamo::string_set")]
    photos: BTreeSet<PhotoId>,
}

impl Store {
    /// A gallery's photos, every one of them, in upload order.
    pub async fn gallery_photos(&self, gallery: GalleryId) -> Result<Vec<PhotoRecord>, StoreError> {
        let items = self.query_prefix(keys::gallery(gallery), "PHOTO#").await?;
        records(items)
    }

    /// The photos named, of one gallery, by key (BatchGetItem, 100 at a time): what a download
    /// of a few photos from a large gallery reads, instead of the whole gallery. Photos that
    /// don't exist are simply not returned; the order is not the order asked.
    pub async fn photos_by_id(
        &self,
        gallery: GalleryId,
        ids: &[PhotoId],
    ) -> Result<Vec<PhotoRecord>, StoreError> {
        let mut found = Vec::with_capacity(ids.len());
        // DynamoDB's BatchGetItem limit.
        for chunk in ids.chunks(100) {
            let mut keys: Vec<Item> = chunk
                .iter()
                .map(|id| key(keys::gallery(gallery), keys::photo(*id)))
                .collect();
            keys.dedup();
            // Under load some keys come back unprocessed: ask again for those.
            for attempt in 0..8u32 {
                if keys.is_empty() {
                    break;
                }
                if attempt > 0 {
                    tokio::time::sleep(std::time::Duration::from_millis(50 << attempt.min(4)))
                        .await;
                }
                let request = KeysAndAttributes::builder()
                    .set_keys(Some(std::mem::take(&mut keys)))
                    .consistent_read(true)
                    .build()
                    .map_err(|e| StoreError::Aws(e.to_string()))?;
                let out = self
                    .ddb()
                    .batch_get_item()
                    .request_items(&self.resources.table, request)
                    .send()
                    .await?;
                if let Some(items) = out
                    .responses
                    .and_then(|mut r| r.remove(&self.resources.table))
                {
                    found.extend(records::<PhotoRecord>(items)?);
                }
                keys = out
                    .unprocessed_keys
                    .and_then(|mut u| u.remove(&self.resources.table))
                    .map(|k| k.keys)
                    .unwrap_or_default();
            }
            if !keys.is_empty() {
                return Err(StoreError::Aws("photos left unread after 8 tries".into()));
            }
        }
        Ok(found)
    }

    /// What a decision about `grant` (as just read) needs, read after it.
    ///
    /// A photo is downloaded once some request charged it (a request's other photos were charged
    /// by earlier ones), so only `charged` is read: the bytes read grow with the photos
    /// downloaded, not with how often they were.
    pub async fn download_ledger(&self, grant: GrantRecord) -> Result<DownloadLedger, StoreError> {
        let items = self
            .ddb()
            .query()
            .table_name(&self.resources.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :requests)")
            .expression_attribute_values(":pk", s(keys::grant(grant.id)))
            .expression_attribute_values(":requests", s(keys::DOWNLOAD_REQUEST_PREFIX))
            .projection_expression("charged, #status")
            .expression_attribute_names("#status", "status")
            .consistent_read(true)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await?;
        let charges: Vec<ChargeRecord> = records(items)?;
        let pending = charges
            .iter()
            .filter(|c| matches!(c.status, DownloadStatus::Queued | DownloadStatus::Rendering))
            .count();
        let downloaded = charges.into_iter().flat_map(|c| c.charged).collect();
        let selection: Option<Selection> = self
            .get(keys::grant(grant.id), keys::DOWNLOAD_SELECTION)
            .await?;
        Ok(DownloadLedger {
            grant,
            downloaded,
            selected: selection.unwrap_or_default().photos,
            pending,
        })
    }

    /// A grant's download requests, newest first.
    pub async fn download_requests_of(
        &self,
        grant: GrantId,
    ) -> Result<Vec<DownloadRequestRecord>, StoreError> {
        let items = self
            .query_prefix(keys::grant(grant), keys::DOWNLOAD_REQUEST_PREFIX)
            .await?;
        let mut requests: Vec<DownloadRequestRecord> = records(items)?;
        requests.sort_by_key(|request| std::cmp::Reverse((request.created_at, request.id)));
        Ok(requests)
    }

    pub async fn download_request(
        &self,
        grant: GrantId,
        id: DownloadRequestId,
    ) -> Result<Option<DownloadRequestRecord>, StoreError> {
        self.get(keys::grant(grant), &keys::download_request(id))
            .await
    }

    /// Adds a photo to the client's selection; `false` when the selection is full (it holds
    /// what one request may). Selecting a selected photo again does nothing.
    pub async fn select_for_download(
        &self,
        grant: GrantId,
        photo: PhotoId,
    ) -> Result<bool, StoreError> {
        let added = self
            .ddb()
            .update_item()
            .table_name(&self.resources.table)
            .set_key(Some(key(keys::grant(grant), keys::DOWNLOAD_SELECTION)))
            .update_expression("ADD photos :photo")
            .condition_expression(
                "attribute_not_exists(photos) OR contains(photos, :id) OR size(photos) < :max",
            )
            .expression_attribute_values(":photo", AttributeValue::Ss(vec![photo.to_string()]))
            .expression_attribute_values(":id", s(photo.to_string()))
            .expression_attribute_values(":max", n(MAX_PHOTOS_PER_REQUEST))
            .send()
            .await;
        match added {
            Ok(_) => Ok(true),
            Err(e) if condition_failed(&e) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Takes a photo out of the selection; taking out what isn't there does nothing.
    pub async fn unselect_for_download(
        &self,
        grant: GrantId,
        photo: PhotoId,
    ) -> Result<(), StoreError> {
        self.ddb()
            .update_item()
            .table_name(&self.resources.table)
            .set_key(Some(key(keys::grant(grant), keys::DOWNLOAD_SELECTION)))
            .update_expression("DELETE photos :photo")
            .expression_attribute_values(":photo", AttributeValue::Ss(vec![photo.to_string()]))
            .send()
            .await?;
        Ok(())
    }

    /// Records a download request with its charge, as `decide` makes it from the grant's ledger
    /// (`grant` as read just before). When a concurrent request or settings change lands first,
    /// the ledger is read again and `decide` runs again, so the decision always rests on what is
    /// stored. With `id` of an earlier try (`may_be_a_retry`: the id comes from the client's
    /// key), that try's request comes back and nothing is charged; a fresh id skips the lookup.
    /// `decide` may tell the caller more of its decision (`T`), which comes back with a new
    /// request: decided on the same ledger as the charge.
    pub async fn record_download<E: From<StoreError>, T>(
        &self,
        grant: GrantRecord,
        id: DownloadRequestId,
        may_be_a_retry: bool,
        decide: impl Fn(&DownloadLedger) -> Result<(DownloadRequestRecord, T), E>,
    ) -> Result<RecordedDownload<T>, E> {
        if may_be_a_retry && let Some(earlier) = self.download_request(grant.id, id).await? {
            return Ok(RecordedDownload::Earlier(earlier));
        }
        let grant_id = grant.id;
        let mut read = Some(self.download_ledger(grant).await?);
        let mut tries = Retry::DOWNLOAD_CHARGE.tries();
        while tries.next().await {
            // After a lost race, what the winner left is read once the wait is over.
            let ledger = match read.take() {
                Some(ledger) => ledger,
                None => {
                    let grant = self.grant(grant_id).await?.ok_or(StoreError::NotFound)?;
                    self.download_ledger(grant).await?
                }
            };
            let (request, told) = decide(&ledger)?;
            match self.commit_download(&ledger, &request).await? {
                Commit::Done => return Ok(RecordedDownload::New(request, told)),
                Commit::RequestExists => {
                    let earlier = self.download_request(grant_id, request.id).await?;
                    return Ok(RecordedDownload::Earlier(
                        earlier.ok_or(StoreError::NotFound)?,
                    ));
                }
                Commit::GrantChanged => {}
            }
        }
        Err(StoreError::Conflict(Conflict::ConcurrentUpdate).into())
    }

    /// The one transaction of the module docs.
    async fn commit_download(
        &self,
        ledger: &DownloadLedger,
        request: &DownloadRequestRecord,
    ) -> Result<Commit, StoreError> {
        let grant = &ledger.grant;
        // Grants stored before these attributes existed have neither: they count as 0.
        let unchanged = |attribute: &str, placeholder: &str, value: u64| {
            if value == 0 {
                format!("({attribute} = {placeholder} OR attribute_not_exists({attribute}))")
            } else {
                format!("{attribute} = {placeholder}")
            }
        };
        let charge = Update::builder()
            .table_name(&self.resources.table)
            .set_key(Some(key(keys::grant(grant.id), keys::GRANT)))
            .update_expression("SET downloads_used = :after, download_requests = :next")
            .condition_expression(format!(
                "attribute_exists(PK) AND {} AND {} AND {}",
                unchanged("downloads_used", ":before", grant.downloads_used.into()),
                unchanged("download_requests", ":requests", grant.download_requests),
                unchanged("settings_revision", ":revision", grant.settings_revision),
            ))
            .expression_attribute_values(":after", n(request.used_after))
            .expression_attribute_values(":before", n(grant.downloads_used))
            .expression_attribute_values(":requests", n(grant.download_requests))
            .expression_attribute_values(":next", n(grant.download_requests + 1))
            .expression_attribute_values(":revision", n(grant.settings_revision))
            .build()
            .map_err(|e| StoreError::Aws(e.to_string()))?;
        let item = item_with_keys(
            request,
            &[
                ("PK", keys::grant(grant.id)),
                ("SK", keys::download_request(request.id)),
                ("GSI1PK", keys::UNSENT_DOWNLOADS.to_owned()),
                ("GSI1SK", unsent_sort_key(request.created_at, request.id)),
            ],
        )?;
        #[derive(Clone, Copy, PartialEq)]
        enum Write {
            Charge,
            Request,
            Unselect,
        }
        let mut actions = vec![
            (
                Write::Charge,
                TransactWriteItem::builder().update(charge).build(),
            ),
            (Write::Request, self.put_new(item)?),
        ];
        let taken: Vec<String> = request
            .photos
            .iter()
            .filter(|p| ledger.selected.contains(p))
            .map(ToString::to_string)
            .collect();
        if !taken.is_empty() {
            let unselect = Update::builder()
                .table_name(&self.resources.table)
                .set_key(Some(key(keys::grant(grant.id), keys::DOWNLOAD_SELECTION)))
                .update_expression("DELETE photos :taken")
                .expression_attribute_values(":taken", AttributeValue::Ss(taken))
                .build()
                .map_err(|e| StoreError::Aws(e.to_string()))?;
            actions.push((
                Write::Unselect,
                TransactWriteItem::builder().update(unselect).build(),
            ));
        }
        Ok(match self.transact_named(actions).await? {
            Ok(()) => Commit::Done,
            Err(refused) if refused.by(Write::Request) => Commit::RequestExists,
            Err(_) => Commit::GrantChanged,
        })
    }

    /// Notes that a request's message is on the download queue (and takes it out of the unsent
    /// index). `false` when the request is gone.
    pub async fn mark_download_enqueued(
        &self,
        grant: GrantId,
        id: DownloadRequestId,
        now: u64,
    ) -> Result<bool, StoreError> {
        self.mark_download_request(
            grant,
            id,
            "SET enqueued_at = :now REMOVE GSI1PK, GSI1SK",
            now,
        )
        .await
    }

    /// Requests accepted before `before` whose message never went out, oldest first.
    pub async fn unsent_downloads(
        &self,
        before: u64,
    ) -> Result<Vec<DownloadRequestRecord>, StoreError> {
        let items = self
            .query_all(
                Some("GSI1"),
                "GSI1PK = :unsent AND GSI1SK < :before",
                HashMap::from([
                    (":unsent".into(), s(keys::UNSENT_DOWNLOADS)),
                    (":before".into(), s(format!("{before:012}"))),
                ]),
            )
            .await?;
        items.into_iter().map(record).collect()
    }
}

/// Sorts the unsent index by acceptance time (zero-padded, so strings sort as numbers).
fn unsent_sort_key(created_at: u64, id: DownloadRequestId) -> String {
    format!("{created_at:012}#{id}")
}

/// What committing a download request did.
enum Commit {
    Done,
    /// A request with this id was recorded first (a retry of the same request).
    RequestExists,
    /// The grant's usage or settings changed since they were read, or it is gone.
    GrantChanged,
}
