//! What falls due on the way to an expiry date: the clients' reminders and the photographer's
//! notice. Each is an item in the gallery's (or the link's own) partition, listed in GSI1 under
//! one key by due time until it is handled: the index is sparse, so a sweep reads only what is
//! still to do, never a Scan. Sending happens at most once per client, date and reminder: a
//! claim item decides, whatever the sweeps and retries.

use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use proofsheet_policy::expiry::Due;
use proofsheet_policy::{GalleryId, GrantId};
use serde::{Deserialize, Serialize};

use crate::items::{condition_failed, item_with_keys, key, record, s};
use crate::records::keys;
use crate::{GalleryRecord, NotificationRecord, Store, StoreError};

/// Whose date something is due for: a gallery's (all its clients), or one link's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueFor {
    pub gallery_id: GalleryId,
    /// `None` for the gallery's own date.
    pub grant_id: Option<GrantId>,
}

/// One thing due at `due_at` for the date `expiry`. (Not `expires_at`: that is the table's TTL
/// attribute, and DynamoDB would delete the item once the date passed.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueRecord {
    pub subject: DueFor,
    pub expiry: u64,
    pub due_at: u64,
    pub due: Due,
}

impl DueRecord {
    fn partition(&self) -> String {
        match self.subject.grant_id {
            Some(grant) => keys::grant(grant),
            None => keys::gallery(self.subject.gallery_id),
        }
    }

    fn sort_key(&self) -> String {
        keys::expiry_due(self.expiry, self.due)
    }
}

/// A claim: this was sent (or is being sent) for this date.
#[derive(Serialize, Deserialize)]
struct SentClaim {
    sent_at: u64,
}

impl Store {
    /// Lists `due` (moments from [`proofsheet_policy::expiry::ReminderDays::schedule`]) for
    /// `subject`'s date `expires_at`, all or none. Writing the same schedule again changes
    /// nothing that was sent: the claims remember it.
    pub async fn schedule_expiry(
        &self,
        subject: DueFor,
        expires_at: u64,
        due: &[(Due, u64)],
    ) -> Result<(), StoreError> {
        if due.is_empty() {
            return Ok(());
        }
        let mut actions = Vec::with_capacity(due.len());
        for &(due, due_at) in due {
            let record = DueRecord {
                subject,
                expiry: expires_at,
                due_at,
                due,
            };
            let item = item_with_keys(
                &record,
                &[
                    ("PK", record.partition()),
                    ("SK", record.sort_key()),
                    ("GSI1PK", keys::EXPIRY_DUE.to_owned()),
                    ("GSI1SK", due_index_key(&record)),
                ],
            )?;
            let put = Put::builder()
                .table_name(&self.resources.table)
                .set_item(Some(item))
                .build()
                .map_err(|e| StoreError::Aws(e.to_string()))?;
            actions.push(TransactWriteItem::builder().put(put).build());
        }
        match self.transact(actions).await? {
            Ok(()) => Ok(()),
            Err(_) => Err(StoreError::Aws(
                "an unconditional schedule write was refused".into(),
            )),
        }
    }

    /// What is due by `now`, the oldest first, at most `limit`.
    pub async fn due_by(&self, now: u64, limit: i32) -> Result<Vec<DueRecord>, StoreError> {
        let out = self
            .ddb()
            .query()
            .table_name(&self.resources.table)
            .index_name("GSI1")
            .key_condition_expression("GSI1PK = :due AND GSI1SK < :after")
            .expression_attribute_values(":due", s(keys::EXPIRY_DUE))
            // Keys start with the zero-padded moment: everything due at `now` sorts before this.
            .expression_attribute_values(":after", s(format!("{:012}", now + 1)))
            .limit(limit)
            .send()
            .await?;
        out.items
            .unwrap_or_default()
            .into_iter()
            .map(record)
            .collect()
    }

    /// Done with `due`: it leaves the index (and the table).
    pub async fn finish_due(&self, due: &DueRecord) -> Result<(), StoreError> {
        self.ddb()
            .delete_item()
            .table_name(&self.resources.table)
            .set_key(Some(key(due.partition(), due.sort_key())))
            .send()
            .await?;
        Ok(())
    }

    /// Claims the reminder `due` of `grant`'s client for the date `expires_at`: `true` once,
    /// for whoever sends it; `false` when it was claimed before.
    pub async fn claim_reminder(
        &self,
        grant: GrantId,
        expires_at: u64,
        due: Due,
        now: u64,
    ) -> Result<bool, StoreError> {
        let claim = item_with_keys(
            &SentClaim { sent_at: now },
            &[
                ("PK", keys::grant(grant)),
                ("SK", keys::reminded(expires_at, due)),
            ],
        )?;
        let put = self
            .ddb()
            .put_item()
            .table_name(&self.resources.table)
            .set_item(Some(claim))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await;
        match put {
            Ok(_) => Ok(true),
            Err(e) if condition_failed(&e) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Gives a claim back after the email could not be sent, so the next sweep tries again.
    pub async fn release_reminder(
        &self,
        grant: GrantId,
        expires_at: u64,
        due: Due,
    ) -> Result<(), StoreError> {
        self.ddb()
            .delete_item()
            .table_name(&self.resources.table)
            .set_key(Some(key(
                keys::grant(grant),
                keys::reminded(expires_at, due),
            )))
            .send()
            .await?;
        Ok(())
    }

    /// Records the photographer's notice that `gallery` expired at `expires_at`, once per
    /// gallery and date (`false`, nothing written, when it was recorded before).
    pub async fn notify_gallery_expired(
        &self,
        gallery: &GalleryRecord,
        expires_at: u64,
        notification: &NotificationRecord,
    ) -> Result<bool, StoreError> {
        let claim = item_with_keys(
            &SentClaim {
                sent_at: notification.created_at,
            },
            &[
                ("PK", keys::gallery(gallery.id)),
                ("SK", keys::expired_notice(expires_at)),
            ],
        )?;
        let mut actions = vec![self.put_new(claim)?];
        actions.extend(self.notification_writes(notification)?);
        Ok(self.transact(actions).await?.is_ok())
    }
}

/// GSI1's sort key: the moment first (zero-padded, so strings sort as numbers), then the item's
/// own key, so two things due at the same moment are two entries.
fn due_index_key(due: &DueRecord) -> String {
    format!("{:012}#{}#{}", due.due_at, due.partition(), due.sort_key())
}
