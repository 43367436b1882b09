//! Client logins, their access codes and the galleries released to them.
//!
//! A login's access code is unique on its photographer's login page: its hash is the key of a
//! claim item in the photographer's partition, written `attribute_not_exists` together with the
//! login (or a new code), so two logins can never share one. A released gallery is an item in the
//! login's partition plus a private grant of origin `login`, written in one transaction that also
//! checks the login is live and the gallery exists, so a release never outlives its login.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, Put, ReturnValue, TransactWriteItem, Update,
};
use proofsheet_policy::{ClientLoginId, GalleryId, PhotographerId, Slug};

use crate::items::{Item, built, condition_failed, item_with_keys, key, n, records, s};
use crate::records::{AccessCodeClaim, PhotographerClaim, keys};
use crate::{ClientLoginRecord, Conflict, GrantRecord, ReleaseRecord, Store, StoreError};

impl Store {
    fn login_item(&self, login: &ClientLoginRecord) -> Result<Item, StoreError> {
        item_with_keys(
            login,
            &[
                ("PK", keys::login(login.id)),
                ("SK", keys::LOGIN.into()),
                ("GSI1PK", keys::logins_of(login.owner_id)),
                ("GSI1SK", keys::login(login.id)),
            ],
        )
    }

    fn code_claim(&self, login: &ClientLoginRecord) -> Result<TransactWriteItem, StoreError> {
        let claim = item_with_keys(
            &AccessCodeClaim { login_id: login.id },
            &[
                ("PK", keys::photographer(login.owner_id)),
                ("SK", keys::access_code(&login.code_hash)),
            ],
        )?;
        self.put_new(claim)
    }

    /// Creates a login with its code's claim; a code another login of the photographer has is
    /// `Conflict::AccessCodeTaken`.
    pub async fn create_client_login(&self, login: &ClientLoginRecord) -> Result<(), StoreError> {
        #[derive(Clone, Copy, PartialEq)]
        enum Write {
            Login,
            CodeClaim,
        }
        let actions = vec![
            (Write::Login, self.put_new(self.login_item(login)?)?),
            (Write::CodeClaim, self.code_claim(login)?),
        ];
        match self.transact_named(actions).await? {
            Ok(()) => Ok(()),
            Err(refused) if refused.by(Write::CodeClaim) => {
                Err(StoreError::Conflict(Conflict::AccessCodeTaken))
            }
            Err(_) => Err(StoreError::Conflict(Conflict::LoginExists)),
        }
    }

    /// A login, revoked or not.
    pub async fn client_login(
        &self,
        id: ClientLoginId,
    ) -> Result<Option<ClientLoginRecord>, StoreError> {
        self.get(keys::login(id), keys::LOGIN).await
    }

    /// A photographer's live logins, oldest first.
    pub async fn client_logins_of(
        &self,
        owner: PhotographerId,
    ) -> Result<Vec<ClientLoginRecord>, StoreError> {
        let items = self
            .query_all(
                Some("GSI1"),
                "GSI1PK = :pk",
                HashMap::from([(":pk".into(), s(keys::logins_of(owner)))]),
            )
            .await?;
        let logins: Vec<ClientLoginRecord> = records(items)?;
        Ok(logins.into_iter().filter(|l| !l.revoked).collect())
    }

    /// The login an access code hash opens on a photographer's page, if any.
    pub async fn login_for_code(
        &self,
        owner: PhotographerId,
        code_hash: &str,
    ) -> Result<Option<ClientLoginId>, StoreError> {
        let claim: Option<AccessCodeClaim> = self
            .get(keys::photographer(owner), &keys::access_code(code_hash))
            .await?;
        Ok(claim.map(|c| c.login_id))
    }

    /// The photographer whose login page this is.
    pub async fn photographer_for_slug(
        &self,
        slug: &Slug,
    ) -> Result<Option<PhotographerId>, StoreError> {
        let claim: Option<PhotographerClaim> = self.get(keys::slug(slug), keys::SLUG).await?;
        Ok(claim.map(|c| c.photographer_id))
    }

    /// Writes `changed` over `read` (the same login as read): only if nobody changed it since
    /// (`Conflict::ConcurrentUpdate`) and it is live (`NotFound`). A new code swaps the claims in
    /// the same transaction (`Conflict::AccessCodeTaken` when another login has it).
    pub async fn update_client_login(
        &self,
        read: &ClientLoginRecord,
        changed: &ClientLoginRecord,
    ) -> Result<(), StoreError> {
        let put = built(
            Put::builder()
                .table_name(&self.resources.table)
                .set_item(Some(self.login_item(changed)?))
                .condition_expression("revision = :read AND revoked = :live")
                .expression_attribute_values(":read", n(read.revision))
                .expression_attribute_values(":live", AttributeValue::Bool(false))
                .build(),
        )?;
        #[derive(Clone, Copy, PartialEq)]
        enum Write {
            Login,
            OldCodeClaim,
            NewCodeClaim,
        }
        let mut actions = vec![(Write::Login, TransactWriteItem::builder().put(put).build())];
        if changed.code_hash != read.code_hash {
            let old_claim = built(
                Delete::builder()
                    .table_name(&self.resources.table)
                    .set_key(Some(key(
                        keys::photographer(read.owner_id),
                        keys::access_code(&read.code_hash),
                    )))
                    .build(),
            )?;
            actions.push((
                Write::OldCodeClaim,
                TransactWriteItem::builder().delete(old_claim).build(),
            ));
            actions.push((Write::NewCodeClaim, self.code_claim(changed)?));
        }
        match self.transact_named(actions).await? {
            Ok(()) => Ok(()),
            Err(refused) if refused.by(Write::NewCodeClaim) => {
                Err(StoreError::Conflict(Conflict::AccessCodeTaken))
            }
            Err(_) => match self.client_login(read.id).await? {
                Some(login) if !login.revoked => {
                    Err(StoreError::Conflict(Conflict::ConcurrentUpdate))
                }
                _ => Err(StoreError::NotFound),
            },
        }
    }

    /// Revokes a login (`login` as read): from this call on its code opens nothing, its sessions
    /// and its galleries' links end (the login reads as revoked), then those links are deleted,
    /// then the login. The revocation is written only over the code it read, so a new code set
    /// meanwhile can't leave its claim behind (`Conflict::ConcurrentUpdate`: read again). A
    /// call that stops midway leaves a revoked login that deleting again finishes.
    pub async fn revoke_client_login(&self, login: &ClientLoginRecord) -> Result<(), StoreError> {
        if !login.revoked {
            let revoke = built(
                Update::builder()
                    .table_name(&self.resources.table)
                    .set_key(Some(key(keys::login(login.id), keys::LOGIN)))
                    .update_expression("SET revoked = :revoked")
                    .condition_expression("attribute_exists(PK) AND code_hash = :hash")
                    .expression_attribute_values(":revoked", AttributeValue::Bool(true))
                    .expression_attribute_values(":hash", s(login.code_hash.clone()))
                    .build(),
            )?;
            let claim = built(
                Delete::builder()
                    .table_name(&self.resources.table)
                    .set_key(Some(key(
                        keys::photographer(login.owner_id),
                        keys::access_code(&login.code_hash),
                    )))
                    .build(),
            )?;
            let actions = vec![
                TransactWriteItem::builder().update(revoke).build(),
                TransactWriteItem::builder().delete(claim).build(),
            ];
            if self.transact(actions).await?.is_err() {
                return match self.client_login(login.id).await? {
                    Some(_) => Err(StoreError::Conflict(Conflict::ConcurrentUpdate)),
                    None => Err(StoreError::NotFound),
                };
            }
        }
        // Releases can't be added to a revoked login, so this list is final.
        for release in self.releases_of(login.id).await? {
            self.delete_release_grant(&release).await?;
        }
        self.delete_partition(&keys::login(login.id)).await
    }

    /// Releases a gallery to a login: the release item and its grant, only while the login is
    /// live and the gallery exists. `Conflict::AlreadyReleased` when it was released before (the
    /// caller reads that release); `NotFound` when the login or gallery is gone.
    pub async fn release_gallery(
        &self,
        release: &ReleaseRecord,
        grant: &GrantRecord,
    ) -> Result<(), StoreError> {
        let login_live = built(
            ConditionCheck::builder()
                .table_name(&self.resources.table)
                .set_key(Some(key(keys::login(release.login_id), keys::LOGIN)))
                .condition_expression("attribute_exists(PK) AND revoked = :live")
                .expression_attribute_values(":live", AttributeValue::Bool(false))
                .build(),
        )?;
        let item = item_with_keys(
            release,
            &[
                ("PK", keys::login(release.login_id)),
                ("SK", keys::release(release.gallery_id)),
            ],
        )?;
        #[derive(Clone, Copy, PartialEq)]
        enum Write {
            LoginLive,
            GalleryExists,
            Release,
            Grant,
        }
        let actions = vec![
            (
                Write::LoginLive,
                TransactWriteItem::builder()
                    .condition_check(login_live)
                    .build(),
            ),
            (
                Write::GalleryExists,
                self.gallery_exists(release.gallery_id)?,
            ),
            (Write::Release, self.put_new(item)?),
            (Write::Grant, self.put_new(self.grant_item(grant)?)?),
        ];
        match self.transact_named(actions).await? {
            Ok(()) => Ok(()),
            Err(refused) if refused.by(Write::LoginLive) || refused.by(Write::GalleryExists) => {
                Err(StoreError::NotFound)
            }
            Err(refused) if refused.by(Write::Release) => {
                Err(StoreError::Conflict(Conflict::AlreadyReleased))
            }
            Err(_) => Err(StoreError::Conflict(Conflict::GrantExists)),
        }
    }

    pub async fn release(
        &self,
        login: ClientLoginId,
        gallery: GalleryId,
    ) -> Result<Option<ReleaseRecord>, StoreError> {
        self.get(keys::login(login), &keys::release(gallery)).await
    }

    /// The galleries released to a login, in the order of their ids.
    pub async fn releases_of(
        &self,
        login: ClientLoginId,
    ) -> Result<Vec<ReleaseRecord>, StoreError> {
        let items = self
            .query_prefix(keys::login(login), keys::RELEASE_PREFIX)
            .await?;
        records(items)
    }

    /// Withdraws a released gallery: its link stops working, and what it kept goes after it.
    pub async fn withdraw_gallery(&self, release: &ReleaseRecord) -> Result<(), StoreError> {
        self.delete_release_grant(release).await
    }

    /// Deletes a release and its grant together, then what the grant kept (favourites, download
    /// requests). Gone already is fine: deleting again finishes an earlier call.
    async fn delete_release_grant(&self, release: &ReleaseRecord) -> Result<(), StoreError> {
        let delete = |pk: String, sk: String| {
            built(
                Delete::builder()
                    .table_name(&self.resources.table)
                    .set_key(Some(key(pk, sk)))
                    .build(),
            )
            .map(|d| TransactWriteItem::builder().delete(d).build())
        };
        let actions = vec![
            delete(
                keys::login(release.login_id),
                keys::release(release.gallery_id),
            )?,
            delete(keys::grant(release.grant_id), keys::GRANT.to_owned())?,
        ];
        self.transact(actions)
            .await?
            .map_err(|_| StoreError::Aws("unconditional delete refused".into()))?;
        self.delete_partition(&keys::grant(release.grant_id)).await
    }

    /// Gives every link released to `login` the login's current email and name (what download
    /// emails are sent to and the photographer sees), after the photographer changed them.
    pub async fn refresh_release_grants(
        &self,
        login: &ClientLoginRecord,
    ) -> Result<(), StoreError> {
        for release in self.releases_of(login.id).await? {
            let updated = self
                .ddb()
                .update_item()
                .table_name(&self.resources.table)
                .set_key(Some(key(keys::grant(release.grant_id), keys::GRANT)))
                .update_expression("SET email = :email, #name = :name")
                .condition_expression("attribute_exists(PK)")
                .expression_attribute_names("#name", "name")
                .expression_attribute_values(
                    ":email",
                    serde_dynamo::to_attribute_value(&login.email)?,
                )
                .expression_attribute_values(":name", s(login.name.to_string()))
                .send()
                .await;
            match updated {
                // Withdrawn meanwhile: nothing to keep in step.
                Err(e) if condition_failed(&e) => {}
                other => {
                    other?;
                }
            }
        }
        Ok(())
    }

    /// Marks a release's email as sent; `false` when it was already (or the release is gone),
    /// so a retried release never emails twice.
    pub async fn mark_release_emailed(
        &self,
        release: &ReleaseRecord,
        now: u64,
    ) -> Result<bool, StoreError> {
        let marked = self
            .ddb()
            .update_item()
            .table_name(&self.resources.table)
            .set_key(Some(key(
                keys::login(release.login_id),
                keys::release(release.gallery_id),
            )))
            .update_expression("SET emailed_at = :now")
            .condition_expression("attribute_exists(PK) AND attribute_not_exists(emailed_at)")
            .expression_attribute_values(":now", n(now))
            .return_values(ReturnValue::None)
            .send()
            .await;
        match marked {
            Ok(_) => Ok(true),
            Err(e) if condition_failed(&e) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
}
