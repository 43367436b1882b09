//! Grants: the links into a gallery and their settings.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{
    ConditionCheck, Delete, ReturnValue, ReturnValuesOnConditionCheckFailure, TransactWriteItem,
};
use proofsheet_policy::{AccessSettings, GalleryId, GrantId};

use crate::items::{
    Item, condition_failed, item_refusing_update, item_with_keys, key, n, record, records, s,
};
use crate::records::{ClientClaim, keys};
use crate::retry;
use crate::{Conflict, GrantKind, GrantRecord, Store, StoreError};

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

    /// Creates a client's private grant: only while the gallery exists, and only one per client
    /// email and gallery (`Conflict::ClientHasAccess`), so a retried request grants nothing twice.
    pub async fn create_private_grant(&self, grant: &GrantRecord) -> Result<(), StoreError> {
        let email = grant
            .email
            .as_ref()
            .ok_or_else(|| StoreError::Corrupt("private grant without email".into()))?;
        let gallery_exists = ConditionCheck::builder()
            .table_name(&self.resources.table)
            .set_key(Some(key(keys::gallery(grant.gallery_id), keys::META)))
            .condition_expression("attribute_exists(PK)")
            .build()
            .map_err(|e| StoreError::Aws(e.to_string()))?;
        let claim = item_with_keys(
            &ClientClaim { grant_id: grant.id },
            &[
                ("PK", keys::gallery(grant.gallery_id)),
                ("SK", keys::client(email)),
            ],
        )?;
        let actions = vec![
            TransactWriteItem::builder()
                .condition_check(gallery_exists)
                .build(),
            self.put_new(self.grant_item(grant)?)?,
            self.put_new(claim)?,
        ];
        match self.transact(actions).await? {
            Ok(()) => Ok(()),
            Err(failed) if failed.contains(&0) => Err(StoreError::NotFound),
            Err(failed) if failed.contains(&2) => {
                Err(StoreError::Conflict(Conflict::ClientHasAccess))
            }
            Err(_) => Err(StoreError::Conflict(Conflict::GrantExists)),
        }
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

    /// Revokes a private grant and frees its client's claim; the link stops working at once.
    pub async fn delete_private_grant(&self, grant: &GrantRecord) -> Result<(), StoreError> {
        let email = grant
            .email
            .as_ref()
            .ok_or_else(|| StoreError::Corrupt("private grant without email".into()))?;
        let delete = |pk: String, sk: String, condition: Option<&str>| {
            Delete::builder()
                .table_name(&self.resources.table)
                .set_key(Some(key(pk, sk)))
                .set_condition_expression(condition.map(str::to_owned))
                .build()
                .map(|d| TransactWriteItem::builder().delete(d).build())
                .map_err(|e| StoreError::Aws(e.to_string()))
        };
        let actions = vec![
            delete(
                keys::grant(grant.id),
                keys::GRANT.into(),
                Some("attribute_exists(PK)"),
            )?,
            delete(keys::gallery(grant.gallery_id), keys::client(email), None)?,
        ];
        self.transact(actions)
            .await?
            .map_err(|_| StoreError::NotFound)
    }
}
