//! Photographers, their unique login-page slugs and email addresses, and their API keys.

use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use proofsheet_policy::PhotographerId;

use crate::items::{Item, item_with_keys, key, record};
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
