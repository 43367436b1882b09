//! Grants: the links into a gallery and their settings.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, Put, ReturnValue, ReturnValuesOnConditionCheckFailure,
    TransactWriteItem,
};
use proofsheet_policy::{AccessSettings, Email, GalleryId, GrantId};

use crate::items::{
    Item, condition_failed, item_refusing_update, item_with_keys, key, n, record, records, s,
};
use crate::records::{ClientClaim, keys};
use crate::retry;
use crate::{Conflict, GrantKind, GrantRecord, Store, StoreError};

/// What one email address holds on a gallery: a grant (private access), a revoked one, or nothing.
#[derive(Debug, Clone)]
pub enum EmailsAccess {
    None,
    Grant(Box<GrantRecord>),
    /// The photographer revoked its grant.
    Revoked,
}

impl Store {
    pub(crate) fn grant_item(&self, grant: &GrantRecord) -> Result<Item, StoreError> {
        let index_sk = match grant.kind {
            GrantKind::General => "GENERAL".to_owned(),
            GrantKind::Private => keys::private_grant_index(grant.id),
        };
        item_with_keys(
            grant,
            &[
                ("PK", keys::grant(grant.id)),
                ("SK", keys::GRANT.into()),
                ("GSI1PK", keys::gallery(grant.gallery_id)),
                ("GSI1SK", index_sk),
            ],
        )
    }

    pub async fn grant(&self, id: GrantId) -> Result<Option<GrantRecord>, StoreError> {
        self.get(keys::grant(id), keys::GRANT).await
    }

    /// A gallery's private grants, oldest first.
    pub async fn private_grants_of(
        &self,
        gallery: GalleryId,
    ) -> Result<Vec<GrantRecord>, StoreError> {
        let items = self
            .query_all(
                Some("GSI1"),
                "GSI1PK = :pk AND begins_with(GSI1SK, :private)",
                HashMap::from([
                    (":pk".into(), s(keys::gallery(gallery))),
                    (":private".into(), s("PRIVATE#")),
                ]),
            )
            .await?;
        records(items)
    }

    /// What a client's email has on a gallery.
    pub async fn client_access(
        &self,
        gallery: GalleryId,
        email: &Email,
    ) -> Result<EmailsAccess, StoreError> {
        let claim: Option<ClientClaim> = self
            .get(keys::gallery(gallery), &keys::client(email))
            .await?;
        Ok(match claim {
            None => EmailsAccess::None,
            Some(claim) if claim.revoked => EmailsAccess::Revoked,
            Some(claim) => match self.grant(claim.grant_id).await? {
                Some(grant) => EmailsAccess::Grant(Box::new(grant)),
                // Claim and grant are written and revoked together; a claim alone is corrupt.
                None => return Err(StoreError::Corrupt("client claim without grant".into())),
            },
        })
    }

    /// Creates a client's private grant: only while the gallery exists, and only one per client
    /// email and gallery (`Conflict::ClientHasAccess`), so a retried request grants nothing twice.
    /// Whether it may take the claim a revoked grant left is the policy's
    /// ([`GrantOrigin::may_follow_a_revoked_grant`]).
    pub async fn create_private_grant(&self, grant: &GrantRecord) -> Result<(), StoreError> {
        let mut claim = self.claim_put(grant, "attribute_not_exists(PK)")?;
        if grant.origin.may_follow_a_revoked_grant() {
            claim = claim
                .condition_expression("attribute_not_exists(PK) OR revoked = :true")
                .expression_attribute_values(":true", AttributeValue::Bool(true));
        }
        #[derive(Clone, Copy, PartialEq)]
        enum Write {
            GalleryExists,
            Grant,
            Claim,
        }
        let actions = vec![
            (Write::GalleryExists, self.gallery_exists(grant.gallery_id)?),
            (Write::Grant, self.put_new(self.grant_item(grant)?)?),
            (
                Write::Claim,
                TransactWriteItem::builder()
                    .put(claim.build().map_err(|e| StoreError::Aws(e.to_string()))?)
                    .build(),
            ),
        ];
        match self.transact_named(actions).await? {
            Ok(()) => Ok(()),
            Err(refused) if refused.by(Write::GalleryExists) => Err(StoreError::NotFound),
            Err(refused) if refused.by(Write::Claim) => {
                Err(StoreError::Conflict(Conflict::ClientHasAccess))
            }
            Err(_) => Err(StoreError::Conflict(Conflict::GrantExists)),
        }
    }

    /// Gives a visitor's email to the photographer's new grant `new`: the visitor grant `old`
    /// (made on the general link, where nobody proved they own the address) goes, its link
    /// stops working, and its favourites move to `new`. One transaction for the swap, so the
    /// email never has two grants or none.
    pub async fn replace_visitor_grant(
        &self,
        old: &GrantRecord,
        new: &GrantRecord,
    ) -> Result<(), StoreError> {
        let delete_old = Delete::builder()
            .table_name(&self.resources.table)
            .set_key(Some(key(keys::grant(old.id), keys::GRANT)))
            .condition_expression("attribute_exists(PK) AND origin = :origin")
            .expression_attribute_values(":origin", serde_dynamo::to_attribute_value(old.origin)?)
            .build()
            .map_err(|e| StoreError::Aws(e.to_string()))?;
        let claim = self
            .claim_put(
                new,
                "grant_id = :old AND (attribute_not_exists(revoked) OR revoked = :live)",
            )?
            .expression_attribute_values(":old", s(old.id.to_string()))
            .expression_attribute_values(":live", AttributeValue::Bool(false))
            .build()
            .map_err(|e| StoreError::Aws(e.to_string()))?;
        #[derive(Clone, Copy, PartialEq)]
        enum Write {
            GalleryExists,
            VisitorGrant,
            Claim,
            Grant,
        }
        let actions = vec![
            (Write::GalleryExists, self.gallery_exists(new.gallery_id)?),
            (
                Write::VisitorGrant,
                TransactWriteItem::builder().delete(delete_old).build(),
            ),
            (
                Write::Claim,
                TransactWriteItem::builder().put(claim).build(),
            ),
            (Write::Grant, self.put_new(self.grant_item(new)?)?),
        ];
        match self.transact_named(actions).await? {
            Ok(()) => {}
            Err(refused) if refused.by(Write::GalleryExists) => return Err(StoreError::NotFound),
            Err(refused) if refused.by(Write::Grant) => {
                return Err(StoreError::Conflict(Conflict::GrantExists));
            }
            // The visitor grant changed hands meanwhile: the caller reads the claim again.
            Err(_) => return Err(StoreError::Conflict(Conflict::ClientHasAccess)),
        }
        // The old link is dead; its lists move over, then what is left of it goes. A failure
        // here loses favourites, never access.
        for list in self.favourite_lists(old.id).await? {
            self.copy_favourite_list(new, &list).await?;
        }
        // And its views: the same client, seen through the link the photographer sent.
        let views: Option<Item> = self
            .ddb()
            .get_item()
            .table_name(&self.resources.table)
            .set_key(Some(key(keys::grant(old.id), keys::ACTIVITY)))
            .consistent_read(true)
            .send()
            .await?
            .item;
        if let Some(mut views) = views {
            views.insert("PK".into(), s(keys::grant(new.id)));
            let copied = self
                .ddb()
                .put_item()
                .table_name(&self.resources.table)
                .set_item(Some(views))
                // Views through the new link already: those stand.
                .condition_expression("attribute_not_exists(PK)")
                .send()
                .await;
            match copied {
                Err(e) if condition_failed(&e) => {}
                other => {
                    other?;
                }
            }
        }
        self.delete_partition(&keys::grant(old.id)).await
    }

    /// The claim of `grant`'s email for it, written only if `condition` holds.
    fn claim_put(
        &self,
        grant: &GrantRecord,
        condition: &str,
    ) -> Result<aws_sdk_dynamodb::types::builders::PutBuilder, StoreError> {
        let email = grant
            .email
            .as_ref()
            .ok_or_else(|| StoreError::Corrupt("private grant without email".into()))?;
        let claim = item_with_keys(
            &ClientClaim {
                grant_id: grant.id,
                revoked: false,
            },
            &[
                ("PK", keys::gallery(grant.gallery_id)),
                ("SK", keys::client(email)),
            ],
        )?;
        Ok(Put::builder()
            .table_name(&self.resources.table)
            .set_item(Some(claim))
            .condition_expression(condition))
    }

    /// A transaction's check that a gallery still exists (its META).
    pub(crate) fn gallery_exists(
        &self,
        gallery: GalleryId,
    ) -> Result<TransactWriteItem, StoreError> {
        let check = ConditionCheck::builder()
            .table_name(&self.resources.table)
            .set_key(Some(key(keys::gallery(gallery), keys::META)))
            .condition_expression("attribute_exists(PK)")
            .build()
            .map_err(|e| StoreError::Aws(e.to_string()))?;
        Ok(TransactWriteItem::builder().condition_check(check).build())
    }

    /// Changes a grant's settings (`grant` as read) with `change` and returns the grant as
    /// stored. When another change lands between the read and the write, `change` is applied
    /// again to the fresh settings: concurrent changes all land, none is lost. A password change
    /// (`ends_sessions`) bumps the password version, ending older sessions.
    pub async fn change_grant_settings<E: From<StoreError>>(
        &self,
        grant: GrantRecord,
        ends_sessions: bool,
        change: impl Fn(&AccessSettings) -> Result<AccessSettings, E>,
    ) -> Result<GrantRecord, E> {
        let id = grant.id;
        let (_, stored) = retry::reapply_after_lost_races(
            grant,
            |read: &GrantRecord| change(&read.settings),
            |read, settings| async move {
                self.write_grant_settings(&read, &settings, ends_sessions)
                    .await
            },
            || async move { self.grant(id).await?.ok_or(StoreError::NotFound) },
        )
        .await?;
        Ok(stored)
    }

    /// Writes settings computed from the revision in `read`; `Conflict::ConcurrentUpdate` if
    /// they changed since.
    async fn write_grant_settings(
        &self,
        read: &GrantRecord,
        settings: &AccessSettings,
        ends_sessions: bool,
    ) -> Result<GrantRecord, StoreError> {
        // The password version is only ever changed with the settings, so the condition on the
        // revision also guards it.
        let password_version = read.password_version + u32::from(ends_sessions);
        // Grants written before revisions existed have none: they count as revision 0.
        let unchanged = if read.settings_revision == 0 {
            "(settings_revision = :revision OR attribute_not_exists(settings_revision))"
        } else {
            "settings_revision = :revision"
        };
        let result = self
            .ddb()
            .update_item()
            .table_name(&self.resources.table)
            .set_key(Some(key(keys::grant(read.id), keys::GRANT)))
            .update_expression(
                "SET settings = :settings, settings_revision = :next, password_version = :password_version",
            )
            .condition_expression(format!("attribute_exists(PK) AND {unchanged}"))
            .expression_attribute_values(":settings", serde_dynamo::to_attribute_value(settings)?)
            .expression_attribute_values(":revision", n(read.settings_revision))
            .expression_attribute_values(":next", n(read.settings_revision + 1))
            .expression_attribute_values(":password_version", n(password_version))
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match result {
            Ok(out) => record(out.attributes.unwrap_or_default()),
            Err(e) if condition_failed(&e) => match item_refusing_update(&e) {
                Some(_) => Err(StoreError::Conflict(Conflict::ConcurrentUpdate)),
                None => Err(StoreError::NotFound),
            },
            Err(e) => Err(e.into()),
        }
    }

    /// Sets a link's own expiry (`None`: it follows its gallery) and returns the grant as
    /// stored. The date is the link's alone, so it is written over whatever else changed.
    /// Setting the date it already has changes nothing (its reminders stay as scheduled).
    pub async fn set_grant_expiry(
        &self,
        grant: &GrantRecord,
        expires_at: Option<u64>,
        now: u64,
    ) -> Result<GrantRecord, StoreError> {
        if grant.expiry == expires_at {
            return Ok(grant.clone());
        }
        let update = self
            .ddb()
            .update_item()
            .table_name(&self.resources.table)
            .set_key(Some(key(keys::grant(grant.id), keys::GRANT)))
            .condition_expression("attribute_exists(PK)")
            .return_values(ReturnValue::AllNew);
        let update = match expires_at {
            Some(at) => update
                .update_expression("SET #expiry = :at, expiry_set_at = :now")
                .expression_attribute_names("#expiry", "expiry")
                .expression_attribute_values(":at", n(at))
                .expression_attribute_values(":now", n(now)),
            None => update
                .update_expression("REMOVE #expiry, expiry_set_at")
                .expression_attribute_names("#expiry", "expiry"),
        };
        match update.send().await {
            Ok(out) => record(out.attributes.unwrap_or_default()),
            Err(e) if condition_failed(&e) => Err(StoreError::NotFound),
            Err(e) => Err(e.into()),
        }
    }

    /// Revokes a private grant; the link stops working at once. Its client's claim stays,
    /// marked revoked: the photographer may share with the email again, the general link may
    /// not give it a new grant. Its favourites, download requests and counters are deleted
    /// after it.
    pub async fn delete_private_grant(&self, grant: &GrantRecord) -> Result<(), StoreError> {
        let delete = Delete::builder()
            .table_name(&self.resources.table)
            .set_key(Some(key(keys::grant(grant.id), keys::GRANT)))
            .condition_expression("attribute_exists(PK)")
            .build()
            .map_err(|e| StoreError::Aws(e.to_string()))?;
        let tombstone = self
            .claim_put(grant, "attribute_exists(PK)")?
            .item("revoked", AttributeValue::Bool(true));
        let actions = vec![
            TransactWriteItem::builder().delete(delete).build(),
            TransactWriteItem::builder()
                .put(
                    tombstone
                        .build()
                        .map_err(|e| StoreError::Aws(e.to_string()))?,
                )
                .build(),
        ];
        self.transact(actions)
            .await?
            .map_err(|_| StoreError::NotFound)?;
        // The link is dead now; what it kept goes after it (a failure here leaves items no link
        // reaches, never a live link without its data).
        self.delete_partition(&keys::grant(grant.id)).await
    }
}
