//! A download request's life after it was accepted: a worker claims it, renders it, and records
//! the outcome, at least once and with no harm done twice.
//!
//! - **Claim.** A worker takes a request with one conditional update: `queued` → `rendering`, or
//!   a `rendering` request whose lease lapsed (its worker died) → `rendering` again. The claim
//!   bumps `attempts`; that number is the claim's token. A request that is `ready` or `failed`
//!   is finished (a redelivered message does nothing), one leased to a live worker is busy (a
//!   duplicated message does nothing: the live worker's own message comes back if it dies).
//! - **Progress and outcome** are written only while `attempts` is still the claim's, so a worker
//!   that was replaced can't overwrite its successor's result.
//! - **Refunds.** Photos left out are taken off the request's `charged` and the grant's
//!   `downloads_used` in the same transaction as the outcome, so a refund happens exactly once.
//!   A charge racing the refund fails its own condition (`downloads_used` moved) and is decided
//!   again from fresh reads (see the `downloads` module). The refund itself is written only while
//!   the grant's `download_requests` is what it was when the client's other requests were read
//!   (a photo another request holds uncharged keeps its charge), so a request accepted
//!   meanwhile makes the worker decide it again.

use aws_sdk_dynamodb::types::{
    AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update,
};
use proofsheet_policy::{DownloadRequestId, DownloadStatus, GrantId, PhotoId};

use crate::items::{condition_failed, item_refusing_update, key, n, record, s};
use crate::records::{DownloadRequestRecord, LeftOutPhoto, ZipFileRecord, keys};
use crate::{Store, StoreError};

/// What claiming a request for rendering found.
#[derive(Debug, Clone)]
pub enum DownloadClaim {
    /// This worker renders it now; `attempts` is the claim's token.
    Claimed(DownloadRequestRecord),
    /// Ready or failed already: a redelivery.
    Finished(DownloadRequestRecord),
    /// Another worker holds a live lease on it.
    Busy,
    /// No such request (its grant was revoked, or its gallery deleted).
    Missing,
}

/// What recording a request's outcome did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    Recorded,
    /// Another worker took the request over, or the request is gone.
    ClaimLost,
    /// The grant accepted another request (or is gone) since the refund was decided.
    GrantChanged,
}

/// How a claimed request ended.
#[derive(Debug, Clone)]
pub struct FinishedDownload {
    pub status: DownloadStatus,
    pub zips: Vec<ZipFileRecord>,
    pub left_out: Vec<LeftOutPhoto>,
    /// What the request still charges once the left-out photos are given back.
    pub charged: Vec<PhotoId>,
    /// How many photos the grant gets back.
    pub refunded: u32,
    pub photos_done: u32,
    pub finished_at: u64,
    pub links_expire_at: Option<u64>,
}

fn status(value: DownloadStatus) -> Result<AttributeValue, StoreError> {
    Ok(serde_dynamo::to_attribute_value(value)?)
}

fn build_err(e: impl std::fmt::Display) -> StoreError {
    StoreError::Aws(e.to_string())
}

impl Store {
    /// Claims a request for rendering for `lease_secs` from `now` (see the module docs).
    pub async fn claim_download_request(
        &self,
        grant: GrantId,
        id: DownloadRequestId,
        now: u64,
        lease_secs: u64,
    ) -> Result<DownloadClaim, StoreError> {
        let claimed = self
            .ddb()
            .update_item()
            .table_name(&self.resources.table)
            .set_key(Some(key(keys::grant(grant), keys::download_request(id))))
            .update_expression(
                "SET #status = :rendering, lease_until = :until, \
                 attempts = if_not_exists(attempts, :zero) + :one",
            )
            .condition_expression(
                "attribute_exists(PK) AND (#status = :queued OR (#status = :rendering AND \
                 (attribute_not_exists(lease_until) OR lease_until < :now)))",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":rendering", status(DownloadStatus::Rendering)?)
            .expression_attribute_values(":queued", status(DownloadStatus::Queued)?)
            .expression_attribute_values(":until", n(now.saturating_add(lease_secs)))
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":zero", n(0))
            .expression_attribute_values(":one", n(1))
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match claimed {
            Ok(out) => Ok(DownloadClaim::Claimed(record(
                out.attributes.unwrap_or_default(),
            )?)),
            Err(e) if condition_failed(&e) => {
                let Some(item) = item_refusing_update(&e) else {
                    return Ok(DownloadClaim::Missing);
                };
                let request: DownloadRequestRecord = record(item.clone())?;
                Ok(match request.status {
                    DownloadStatus::Ready | DownloadStatus::Failed => {
                        DownloadClaim::Finished(request)
                    }
                    DownloadStatus::Queued | DownloadStatus::Rendering => DownloadClaim::Busy,
                })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Records how many photos are in the ZIP so far. `false` when the claim `attempt` is no
    /// longer the request's (another worker took over, or the request is gone).
    pub async fn note_download_progress(
        &self,
        grant: GrantId,
        id: DownloadRequestId,
        attempt: u32,
        photos_done: u32,
    ) -> Result<bool, StoreError> {
        let noted = self
            .ddb()
            .update_item()
            .table_name(&self.resources.table)
            .set_key(Some(key(keys::grant(grant), keys::download_request(id))))
            .update_expression("SET photos_done = :done")
            .condition_expression("attempts = :attempt AND #status = :rendering")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":done", n(photos_done))
            .expression_attribute_values(":attempt", n(attempt))
            .expression_attribute_values(":rendering", status(DownloadStatus::Rendering)?)
            .send()
            .await;
        match noted {
            Ok(_) => Ok(true),
            Err(e) if condition_failed(&e) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Records the outcome of claim `attempt` and gives the grant back what `finished.refunded`
    /// says, in one transaction. A refund is written only while the grant's `download_requests`
    /// is still `requests_seen` (the count when the other requests were read to decide it), so
    /// a request accepted meanwhile makes the caller decide again. Nothing is written unless
    /// the outcome is [`Finish::Recorded`].
    pub async fn finish_download_request(
        &self,
        grant: GrantId,
        id: DownloadRequestId,
        attempt: u32,
        finished: &FinishedDownload,
        requests_seen: u64,
    ) -> Result<Finish, StoreError> {
        let charged: Vec<AttributeValue> =
            finished.charged.iter().map(|p| s(p.to_string())).collect();
        let outcome = Update::builder()
            .table_name(&self.resources.table)
            .set_key(Some(key(keys::grant(grant), keys::download_request(id))))
            .update_expression(
                "SET #status = :status, zips = :zips, left_out = :left_out, charged = :charged, \
                 photos_done = :done, finished_at = :finished, links_expire_at = :expires \
                 REMOVE lease_until",
            )
            .condition_expression("attempts = :attempt AND #status = :rendering")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":status", status(finished.status)?)
            .expression_attribute_values(":zips", serde_dynamo::to_attribute_value(&finished.zips)?)
            .expression_attribute_values(
                ":left_out",
                serde_dynamo::to_attribute_value(&finished.left_out)?,
            )
            .expression_attribute_values(":charged", AttributeValue::L(charged))
            .expression_attribute_values(":done", n(finished.photos_done))
            .expression_attribute_values(":finished", n(finished.finished_at))
            .expression_attribute_values(
                ":expires",
                serde_dynamo::to_attribute_value(finished.links_expire_at)?,
            )
            .expression_attribute_values(":attempt", n(attempt))
            .expression_attribute_values(":rendering", status(DownloadStatus::Rendering)?)
            .build()
            .map_err(build_err)?;
        #[derive(Clone, Copy, PartialEq)]
        enum Write {
            Outcome,
            Refund,
        }
        let mut actions = vec![(
            Write::Outcome,
            TransactWriteItem::builder().update(outcome).build(),
        )];
        if finished.refunded > 0 {
            let refund = Update::builder()
                .table_name(&self.resources.table)
                .set_key(Some(key(keys::grant(grant), keys::GRANT)))
                .update_expression("SET downloads_used = downloads_used - :refund")
                .condition_expression(
                    "attribute_exists(PK) AND downloads_used >= :refund AND \
                     (download_requests = :seen OR attribute_not_exists(download_requests))",
                )
                .expression_attribute_values(":refund", n(finished.refunded))
                .expression_attribute_values(":seen", n(requests_seen))
                .build()
                .map_err(build_err)?;
            actions.push((
                Write::Refund,
                TransactWriteItem::builder().update(refund).build(),
            ));
        }
        Ok(match self.transact_named(actions).await? {
            Ok(()) => Finish::Recorded,
            Err(refused) if refused.by(Write::Outcome) => Finish::ClaimLost,
            Err(_) => Finish::GrantChanged,
        })
    }

    /// Notes that the client was emailed about the request (so a redelivery does not email
    /// again). `false` when the request is gone.
    pub async fn mark_download_emailed(
        &self,
        grant: GrantId,
        id: DownloadRequestId,
        now: u64,
    ) -> Result<bool, StoreError> {
        self.mark_download_request(grant, id, "SET emailed_at = :now", now)
            .await
    }

    /// Sets a time on a request with `update` (which names it `:now`); `false` when the
    /// request is gone (the update creates nothing).
    pub(crate) async fn mark_download_request(
        &self,
        grant: GrantId,
        id: DownloadRequestId,
        update: &str,
        now: u64,
    ) -> Result<bool, StoreError> {
        let marked = self
            .ddb()
            .update_item()
            .table_name(&self.resources.table)
            .set_key(Some(key(keys::grant(grant), keys::download_request(id))))
            .update_expression(update)
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":now", n(now))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::None)
            .send()
            .await;
        match marked {
            Ok(_) => Ok(true),
            Err(e) if condition_failed(&e) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
}
