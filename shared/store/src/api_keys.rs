//! A photographer's API keys: each is a claim under its SHA-256 (what authenticates a call)
//! and a record in the photographer's partition (what the studio lists and revokes), written
//! together and deleted together.

use aws_sdk_dynamodb::types::{Delete, TransactWriteItem};
use proofsheet_policy::PhotographerId;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::items::{item_with_keys, key, record};
use crate::records::{PhotographerClaim, keys};
use crate::{Conflict, Store, StoreError};

/// An API key as the studio lists it: its name, its last characters and its age; the key
/// itself is never stored, only its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyRecord {
    pub key_id: Uuid,
    pub photographer_id: PhotographerId,
    pub name: String,
    /// The key's last four characters, to tell keys apart.
    pub hint: String,
    /// The key's SHA-256 (hex): where its claim is.
    pub key_sha256: String,
    pub created_at: u64,
}

impl Store {
    /// The two writes of a new key: its claim (by hash) and its record.
    pub(crate) fn new_api_key_writes(
        &self,
        key_record: &ApiKeyRecord,
    ) -> Result<[TransactWriteItem; 2], StoreError> {
        let claim = PhotographerClaim {
            photographer_id: key_record.photographer_id,
        };
        let claim = item_with_keys(
            &claim,
            &[
                ("PK", keys::api_key(&key_record.key_sha256)),
                ("SK", keys::API_KEY.into()),
            ],
        )?;
        let listed = item_with_keys(
            key_record,
            &[
                ("PK", keys::photographer(key_record.photographer_id)),
                ("SK", keys::api_key_record(key_record.key_id)),
            ],
        )?;
        Ok([self.put_new(claim)?, self.put_new(listed)?])
    }

    /// Adds a key; it works at once. `Conflict::AccountClosing` once the account is being
    /// deleted: a key made then would outlive it.
    pub async fn create_api_key(&self, key_record: &ApiKeyRecord) -> Result<(), StoreError> {
        #[derive(Clone, Copy, PartialEq)]
        enum Write {
            Key,
            Account,
        }
        let [claim, listed] = self.new_api_key_writes(key_record)?;
        let writes = vec![
            (Write::Key, claim),
            (Write::Key, listed),
            (
                Write::Account,
                self.account_open(key_record.photographer_id, None)?,
            ),
        ];
        match self.transact_named(writes).await? {
            Ok(()) => Ok(()),
            Err(refused) if refused.by(Write::Account) => {
                Err(StoreError::Conflict(Conflict::AccountClosing))
            }
            // A new id and 256 random bits never repeat; if they ever did, nothing is written.
            Err(_) => Err(StoreError::Aws("a new API key's id or hash exists".into())),
        }
    }

    /// The photographer's keys, oldest first (read consistently: one made a moment ago is
    /// listed, one revoked is not).
    pub async fn api_keys_of(
        &self,
        photographer: PhotographerId,
    ) -> Result<Vec<ApiKeyRecord>, StoreError> {
        let items = self
            .query_prefix(
                keys::photographer(photographer),
                keys::API_KEY_RECORD_PREFIX,
            )
            .await?;
        let mut listed: Vec<ApiKeyRecord> =
            items.into_iter().map(record).collect::<Result<_, _>>()?;
        listed.sort_by_key(|k| (k.created_at, k.key_id));
        Ok(listed)
    }

    /// Revokes one of the photographer's keys: it stops working at once. `NotFound` for a key
    /// that isn't theirs, or is already revoked.
    pub async fn revoke_api_key(
        &self,
        photographer: PhotographerId,
        key_id: Uuid,
    ) -> Result<(), StoreError> {
        let listed: ApiKeyRecord = self
            .get(
                keys::photographer(photographer),
                &keys::api_key_record(key_id),
            )
            .await?
            .ok_or(StoreError::NotFound)?;
        let delete = |pk: String, sk: String| -> Result<TransactWriteItem, StoreError> {
            let delete = Delete::builder()
                .table_name(&self.resources.table)
                .set_key(Some(key(pk, &sk)))
                .condition_expression("attribute_exists(PK)")
                .build()
                .map_err(|e| StoreError::Aws(e.to_string()))?;
            Ok(TransactWriteItem::builder().delete(delete).build())
        };
        let writes = vec![
            delete(
                keys::photographer(photographer),
                keys::api_key_record(key_id),
            )?,
            delete(keys::api_key(&listed.key_sha256), keys::API_KEY.into())?,
        ];
        match self.transact(writes).await? {
            Ok(()) => Ok(()),
            // Revoked by another request meanwhile.
            Err(_) => Err(StoreError::NotFound),
        }
    }
}
