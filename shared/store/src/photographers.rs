//! Photographers, their unique login-page slugs and email addresses, and their API keys.

use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem, Update};
use proofsheet_policy::{Email, PersonName, PhotographerId, Slug};

use crate::items::{Item, built, item_with_keys, key, record};
use crate::records::{PhotographerClaim, keys};
use crate::{ApiKeyRecord, Conflict, PhotographerRecord, Store, StoreError};

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
    /// `read`. A new slug is claimed in the same transaction; the old claim stays theirs, so the
    /// old address leads to the new page and nobody else can take it over (and catch the
    /// clients who still use it). Taking back an old slug of their own is allowed.
    /// `Conflict::SlugTaken` when another photographer has it, `ConcurrentUpdate` when the slug
    /// changed since `read`.
    pub async fn update_profile(
        &self,
        read: &PhotographerRecord,
        name: Option<&PersonName>,
        slug: Option<&Slug>,
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
        if let Some(slug) = slug {
            sets.push("#slug = :slug");
            update = update.expression_attribute_values(":slug", value(slug)?);
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
        match self.transact_named(actions).await? {
            Ok(()) => Ok(()),
            Err(refused) if refused.by(Write::Slug) => {
                Err(StoreError::Conflict(Conflict::SlugTaken))
            }
            Err(_) => Err(StoreError::Conflict(Conflict::ConcurrentUpdate)),
        }
    }

    /// Makes `to` the address photographer `read` signs in with, spending the sign-in link
    /// (by its hash) that confirmed it, all or nothing: the profile's address, the old
    /// address's claim given up (it signs in nobody), the new one's taken. `Ok(false)` when the
    /// link was already spent, or the address changed since `read` (another change won);
    /// `Conflict::EmailTaken` when another photographer signs in with `to` by now.
    pub async fn change_sign_in_email(
        &self,
        link_hash: &str,
        read: &PhotographerRecord,
        to: &Email,
    ) -> Result<bool, StoreError> {
        let spend_link = built(
            Delete::builder()
                .table_name(&self.resources.table)
                .set_key(Some(key(keys::sign_in_link(link_hash), keys::SIGN_IN_LINK)))
                .condition_expression("attribute_exists(PK) AND photographer_id = :me")
                .expression_attribute_values(":me", value(&read.id)?)
                .build(),
        )?;
        let profile = built(
            Update::builder()
                .table_name(&self.resources.table)
                .set_key(Some(key(keys::photographer(read.id), keys::PROFILE)))
                .update_expression("SET email = :to")
                .condition_expression("attribute_exists(PK) AND email = :from")
                .expression_attribute_values(":to", value(to)?)
                .expression_attribute_values(":from", value(&read.email)?)
                .build(),
        )?;
        // A photographer made before addresses had claims has none to give up.
        let give_up_old = built(
            Delete::builder()
                .table_name(&self.resources.table)
                .set_key(Some(key(
                    keys::photographer_email(&read.email),
                    keys::EMAIL,
                )))
                .condition_expression("attribute_not_exists(PK) OR photographer_id = :me")
                .expression_attribute_values(":me", value(&read.id)?)
                .build(),
        )?;
        let claim = item_with_keys(
            &PhotographerClaim {
                photographer_id: read.id,
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
