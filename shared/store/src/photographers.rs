//! Photographers, their unique login-page slugs and email addresses, and their API keys; a
//! profile's changes, and an account's removal.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, Put, TransactWriteItem, Update,
};
use proofsheet_policy::{BrandLogo, Email, LoginPageAddress, PersonName, PhotographerId, Slug};

use crate::items::{Item, built, condition_failed, item_with_keys, key, record, s};
use crate::records::{PhotographerClaim, keys};
use crate::{ApiKeyRecord, Conflict, PhotographerRecord, SignInLinkRecord, Store, StoreError};

const NEW_ITEM: &str = "attribute_not_exists(PK)";

impl Store {
    pub(crate) fn put_new(&self, item: Item) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(&self.resources.table)
            .set_item(Some(item))
            .condition_expression(NEW_ITEM)
            .build()
            .map_err(|e| StoreError::Aws(e.to_string()))?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// Creates a photographer with their slug, email and first API key, all or nothing. A taken
    /// slug is `Conflict::SlugTaken`, a taken email `Conflict::EmailTaken`.
    pub async fn create_photographer(
        &self,
        photographer: &PhotographerRecord,
        first_key: &ApiKeyRecord,
    ) -> Result<(), StoreError> {
        let profile = item_with_keys(
            photographer,
            &[
                ("PK", keys::photographer(photographer.id)),
                ("SK", keys::PROFILE.into()),
            ],
        )?;
        let claim = PhotographerClaim {
            photographer_id: photographer.id,
        };
        let slug = item_with_keys(
            &claim,
            &[
                ("PK", keys::slug(&photographer.slug)),
                ("SK", keys::SLUG.into()),
            ],
        )?;
        let email = item_with_keys(
            &claim,
            &[
                ("PK", keys::photographer_email(&photographer.email)),
                ("SK", keys::EMAIL.into()),
            ],
        )?;

        #[derive(Clone, Copy, PartialEq)]
        enum Write {
            Profile,
            Slug,
            ApiKey,
            Email,
        }
        let [key_claim, key_record] = self.new_api_key_writes(first_key)?;
        let actions = vec![
            (Write::Profile, self.put_new(profile)?),
            (Write::Slug, self.put_new(slug)?),
            (Write::ApiKey, key_claim),
            (Write::ApiKey, key_record),
            (Write::Email, self.put_new(email)?),
        ];
        match self.transact_named(actions).await? {
            Ok(()) => Ok(()),
            Err(refused) if refused.by(Write::Slug) => {
                Err(StoreError::Conflict(Conflict::SlugTaken))
            }
            Err(refused) if refused.by(Write::Email) => {
                Err(StoreError::Conflict(Conflict::EmailTaken))
            }
            Err(_) => Err(StoreError::Conflict(Conflict::PhotographerExists)),
        }
    }

    /// Renames the photographer and/or moves their login page to `slug`, from the profile as
    /// `read`, in one transaction. A new address is claimed; the one left stays theirs among
    /// the page's former addresses, and past `LoginPageAddress::FORMER_KEPT` the oldest claim is
    /// given back (`proofsheet_policy::LoginPageAddress`). Going back to a former address is
    /// allowed. `Conflict::SlugTaken` when another photographer has it, `ConcurrentUpdate` when
    /// the page moved since `read`.
    pub async fn update_profile(
        &self,
        read: &PhotographerRecord,
        name: Option<&PersonName>,
        slug: Option<&Slug>,
        brand: Option<&proofsheet_policy::Brand>,
    ) -> Result<(), StoreError> {
        let slug = slug.filter(|slug| **slug != read.slug);
        let mut sets = Vec::new();
        let mut update = Update::builder()
            .table_name(&self.resources.table)
            .set_key(Some(key(keys::photographer(read.id), keys::PROFILE)))
            .condition_expression("attribute_exists(PK) AND #slug = :read_slug")
            .expression_attribute_names("#slug", "slug")
            .expression_attribute_values(":read_slug", value(&read.slug)?);
        if let Some(name) = name {
            sets.push("#name = :name");
            update = update
                .expression_attribute_names("#name", "name")
                .expression_attribute_values(":name", value(name)?);
        }
        if let Some(brand) = brand.filter(|brand| **brand != read.brand) {
            sets.push("brand = :brand");
            update = update.expression_attribute_values(":brand", value(brand)?);
        }
        let mut given_back = None;
        if let Some(slug) = slug {
            let (former, released) = LoginPageAddress::moved(&read.slug, &read.former_slugs, slug);
            given_back = released;
            sets.push("#slug = :slug, former_slugs = :former");
            update = update
                .expression_attribute_values(":slug", value(slug)?)
                .expression_attribute_values(":former", value(&former)?);
        }
        if sets.is_empty() {
            return Ok(());
        }
        let update = built(
            update
                .update_expression(format!("SET {}", sets.join(", ")))
                .build(),
        )?;
        #[derive(Clone, Copy, PartialEq)]
        enum Write {
            Profile,
            Slug,
            GivenBack,
        }
        let mut actions = vec![(
            Write::Profile,
            TransactWriteItem::builder().update(update).build(),
        )];
        if let Some(slug) = slug {
            let claim = item_with_keys(
                &PhotographerClaim {
                    photographer_id: read.id,
                },
                &[("PK", keys::slug(slug)), ("SK", keys::SLUG.into())],
            )?;
            let claim = built(
                Put::builder()
                    .table_name(&self.resources.table)
                    .set_item(Some(claim))
                    .condition_expression("attribute_not_exists(PK) OR photographer_id = :me")
                    .expression_attribute_values(":me", value(&read.id)?)
                    .build(),
            )?;
            actions.push((Write::Slug, TransactWriteItem::builder().put(claim).build()));
        }
        if let Some(old) = &given_back {
            let release = built(
                Delete::builder()
                    .table_name(&self.resources.table)
                    .set_key(Some(key(keys::slug(old), keys::SLUG)))
                    .condition_expression("attribute_not_exists(PK) OR photographer_id = :me")
                    .expression_attribute_values(":me", value(&read.id)?)
                    .build(),
            )?;
            actions.push((
                Write::GivenBack,
                TransactWriteItem::builder().delete(release).build(),
            ));
        }
        match self.transact_named(actions).await? {
            Ok(()) => Ok(()),
            Err(refused) if refused.by(Write::Slug) => {
                Err(StoreError::Conflict(Conflict::SlugTaken))
            }
            Err(_) => Err(StoreError::Conflict(Conflict::ConcurrentUpdate)),
        }
    }

    /// Keeps a link that confirms an address change (by its hash) as the photographer's one
    /// pending change, so an earlier one no longer confirms anything; only while the profile's
    /// address is still the one the link replaces (else `ConcurrentUpdate`).
    pub async fn save_email_change_link(
        &self,
        hash_hex: &str,
        link: &SignInLinkRecord,
    ) -> Result<(), StoreError> {
        let from = link.replaces.as_ref().ok_or_else(|| {
            StoreError::Corrupt("an address change's link replaces nothing".into())
        })?;
        let item = item_with_keys(
            link,
            &[
                ("PK", keys::sign_in_link(hash_hex)),
                ("SK", keys::SIGN_IN_LINK.into()),
            ],
        )?;
        let pending = built(
            Update::builder()
                .table_name(&self.resources.table)
                .set_key(Some(key(
                    keys::photographer(link.photographer_id),
                    keys::PROFILE,
                )))
                .update_expression("SET email_change_link = :link")
                .condition_expression("attribute_exists(PK) AND email = :from")
                .expression_attribute_values(":link", s(hash_hex))
                .expression_attribute_values(":from", value(from)?)
                .build(),
        )?;
        let actions = vec![
            self.put_new(item)?,
            TransactWriteItem::builder().update(pending).build(),
        ];
        match self.transact(actions).await? {
            Ok(()) => Ok(()),
            Err(_) => Err(StoreError::Conflict(Conflict::ConcurrentUpdate)),
        }
    }

    /// A check, in a transaction, that the photographer's account is open (there, and not being
    /// deleted) and, with `email`, still signs in with that address.
    pub(crate) fn account_open(
        &self,
        id: PhotographerId,
        email: Option<&Email>,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut check = ConditionCheck::builder()
            .table_name(&self.resources.table)
            .set_key(Some(key(keys::photographer(id), keys::PROFILE)))
            .condition_expression("attribute_exists(PK) AND attribute_not_exists(closing)");
        if let Some(email) = email {
            check = check
                .condition_expression(
                    "attribute_exists(PK) AND attribute_not_exists(closing) AND email = :email",
                )
                .expression_attribute_values(":email", value(email)?);
        }
        Ok(TransactWriteItem::builder()
            .condition_check(built(check.build())?)
            .build())
    }

    /// Cancels the photographer's pending address change, if any: its link confirms nothing.
    pub async fn cancel_email_change(&self, id: PhotographerId) -> Result<(), StoreError> {
        let out = self
            .ddb()
            .update_item()
            .table_name(&self.resources.table)
            .set_key(Some(key(keys::photographer(id), keys::PROFILE)))
            .update_expression("REMOVE email_change_link")
            .condition_expression("attribute_exists(PK)")
            .send()
            .await;
        match out {
            Ok(_) => Ok(()),
            // No profile, nothing pending.
            Err(err) if condition_failed(&err) => Ok(()),
            Err(err) => Err(err.into()),
        }
    }

    /// The logo the photographer's pages and emails show from now on (`None`: none), and no
    /// refusal of an earlier upload. A photographer who is gone is left alone.
    pub async fn set_brand_logo(
        &self,
        id: PhotographerId,
        logo: Option<&BrandLogo>,
    ) -> Result<(), StoreError> {
        match logo {
            Some(logo) => {
                let values = [(":logo", value(logo)?)];
                self.update_present_profile(id, "SET logo = :logo REMOVE logo_refused", values)
                    .await
            }
            None => {
                self.update_present_profile(id, "REMOVE logo, logo_refused", [])
                    .await
            }
        }
    }

    /// Why the photographer's last uploaded logo can't be shown (`None` forgets it, as a new
    /// upload starts); the logo shown before stays.
    pub async fn refuse_brand_logo(
        &self,
        id: PhotographerId,
        reason: Option<&str>,
    ) -> Result<(), StoreError> {
        match reason {
            Some(why) => {
                self.update_present_profile(id, "SET logo_refused = :why", [(":why", s(why))])
                    .await
            }
            None => {
                self.update_present_profile(id, "REMOVE logo_refused", [])
                    .await
            }
        }
    }

    /// One update of a profile; a photographer who is gone is left alone.
    async fn update_present_profile<const N: usize>(
        &self,
        id: PhotographerId,
        expression: &str,
        values: [(&str, AttributeValue); N],
    ) -> Result<(), StoreError> {
        let mut update = self
            .ddb()
            .update_item()
            .table_name(&self.resources.table)
            .set_key(Some(key(keys::photographer(id), keys::PROFILE)))
            .update_expression(expression)
            .condition_expression("attribute_exists(PK)");
        for (name, v) in values {
            update = update.expression_attribute_values(name, v);
        }
        match update.send().await {
            Ok(_) => Ok(()),
            Err(err) if condition_failed(&err) => Ok(()),
            Err(err) => Err(err.into()),
        }
    }

    /// Makes `to` the address photographer `id` signs in with, in place of `from`, spending the
    /// link (by its hash) that confirmed it, all or nothing: the profile's address (only while
    /// it is `from` and this link is the pending change), the old address's claim given up (it
    /// signs in nobody), the new one's taken. `Ok(false)` when the link is spent, superseded or
    /// cancelled, or the address is no longer `from`; `Conflict::EmailTaken` when another
    /// photographer signs in with `to` by now.
    pub async fn change_sign_in_email(
        &self,
        link_hash: &str,
        id: PhotographerId,
        from: &Email,
        to: &Email,
    ) -> Result<bool, StoreError> {
        if from == to {
            return Ok(false);
        }
        let spend_link = built(
            Delete::builder()
                .table_name(&self.resources.table)
                .set_key(Some(key(keys::sign_in_link(link_hash), keys::SIGN_IN_LINK)))
                .condition_expression("attribute_exists(PK) AND photographer_id = :me")
                .expression_attribute_values(":me", value(&id)?)
                .build(),
        )?;
        let profile = built(
            Update::builder()
                .table_name(&self.resources.table)
                .set_key(Some(key(keys::photographer(id), keys::PROFILE)))
                .update_expression("SET email = :to REMOVE email_change_link")
                .condition_expression(
                    "attribute_exists(PK) AND email = :from AND email_change_link = :link",
                )
                .expression_attribute_values(":to", value(to)?)
                .expression_attribute_values(":from", value(from)?)
                .expression_attribute_values(":link", s(link_hash))
                .build(),
        )?;
        // A photographer made before addresses had claims has none to give up.
        let give_up_old = built(
            Delete::builder()
                .table_name(&self.resources.table)
                .set_key(Some(key(keys::photographer_email(from), keys::EMAIL)))
                .condition_expression("attribute_not_exists(PK) OR photographer_id = :me")
                .expression_attribute_values(":me", value(&id)?)
                .build(),
        )?;
        let claim = item_with_keys(
            &PhotographerClaim {
                photographer_id: id,
            },
            &[
                ("PK", keys::photographer_email(to)),
                ("SK", keys::EMAIL.into()),
            ],
        )?;
        #[derive(Clone, Copy, PartialEq)]
        enum Write {
            Link,
            Profile,
            OldClaim,
            NewClaim,
        }
        let actions = vec![
            (
                Write::Link,
                TransactWriteItem::builder().delete(spend_link).build(),
            ),
            (
                Write::Profile,
                TransactWriteItem::builder().update(profile).build(),
            ),
            (
                Write::OldClaim,
                TransactWriteItem::builder().delete(give_up_old).build(),
            ),
            (Write::NewClaim, self.put_new(claim)?),
        ];
        match self.transact_named(actions).await? {
            Ok(()) => Ok(true),
            Err(refused) if refused.by(Write::Link) || refused.by(Write::Profile) => Ok(false),
            Err(refused) if refused.by(Write::NewClaim) => {
                Err(StoreError::Conflict(Conflict::EmailTaken))
            }
            Err(_) => Err(StoreError::Conflict(Conflict::ConcurrentUpdate)),
        }
    }

    /// Removes a photographer's account, so nobody can act as them any more, and returns how
    /// many items went. The profile is marked as closing first. Then whatever lets someone in, wherever it is (a table scan: an
    /// operator's rare command): API key claims (those made before keys had records too),
    /// sign-in links, the email claim, and every login-page address (old ones, which lead to
    /// them, included). Then their partition: sessions, key records, notifications, access-code
    /// claims, and the profile last. Stopped midway, running it again finishes the job.
    /// Galleries and client logins are not touched: the caller sees there are none first.
    pub async fn delete_photographer(&self, id: PhotographerId) -> Result<usize, StoreError> {
        // Marked first: from here no key is made and no session opened (`account_open`), so
        // nothing made while this runs outlives it.
        let marked = self
            .ddb()
            .update_item()
            .table_name(&self.resources.table)
            .set_key(Some(key(keys::photographer(id), keys::PROFILE)))
            .update_expression("SET closing = :yes")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .send()
            .await;
        match marked {
            Ok(_) => {}
            Err(err) if condition_failed(&err) => return Err(StoreError::NotFound),
            Err(err) => return Err(err.into()),
        }
        let pointing_here: Vec<Item> = self
            .ddb()
            .scan()
            .table_name(&self.resources.table)
            .filter_expression("photographer_id = :me AND PK <> :partition")
            .expression_attribute_values(":me", value(&id)?)
            .expression_attribute_values(":partition", s(keys::photographer(id)))
            .consistent_read(true)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await?;
        let mut partition = self
            .query_all(
                None,
                "PK = :pk",
                HashMap::from([(":pk".into(), s(keys::photographer(id)))]),
            )
            .await?;
        // The profile last: while it is there, a stopped run is still the photographer's to
        // finish.
        partition.sort_by_key(|item| {
            item.get("SK")
                .and_then(|sk| sk.as_s().ok())
                .map(String::as_str)
                == Some(keys::PROFILE)
        });
        Ok(self.delete_each(&pointing_here).await? + self.delete_each(&partition).await?)
    }

    /// The photographer an API key belongs to (looked up by the key's SHA-256, hex).
    pub async fn photographer_for_api_key(
        &self,
        api_key_sha256: &str,
    ) -> Result<Option<PhotographerId>, StoreError> {
        let out = self
            .ddb()
            .get_item()
            .table_name(&self.resources.table)
            .set_key(Some(key(keys::api_key(api_key_sha256), keys::API_KEY)))
            .send()
            .await?;
        let claim: Option<PhotographerClaim> = out.item.map(record).transpose()?;
        Ok(claim.map(|c| c.photographer_id))
    }

    pub async fn photographer(
        &self,
        id: PhotographerId,
    ) -> Result<Option<PhotographerRecord>, StoreError> {
        self.get(keys::photographer(id), keys::PROFILE).await
    }

    /// One item by key, strongly consistent: a client must see the change the photographer just made.
    pub(crate) async fn get<T: serde::de::DeserializeOwned>(
        &self,
        pk: String,
        sk: &str,
    ) -> Result<Option<T>, StoreError> {
        let out = self
            .ddb()
            .get_item()
            .table_name(&self.resources.table)
            .set_key(Some(key(pk, sk)))
            .consistent_read(true)
            .send()
            .await?;
        out.item.map(record).transpose()
    }
}

/// A profile's field as the profile stores it.
fn value(field: &impl serde::Serialize) -> Result<AttributeValue, StoreError> {
    Ok(serde_dynamo::to_attribute_value(field)?)
}
