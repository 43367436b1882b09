//! The studio's sign-in links and sessions (see `proofsheet_policy::studio`). Both are stored
//! under their secret's SHA-256 (hex) only, and expire by the table's TTL (`expires_at`) as well
//! as by the policy's check, which TTL's lazy deletion can't replace.

use aws_sdk_dynamodb::types::ReturnValue;
use proofsheet_policy::{Email, Guesser, PhotographerId, TryBudget};
use serde::{Deserialize, Serialize};

use crate::galleries::primary_key;
use crate::items::{Item, item_with_keys, key, record};
use crate::records::{PhotographerClaim, keys};
use crate::{Store, StoreError, UnlockReservation};

/// A sign-in link that was asked for: whose, and until when.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignInLinkRecord {
    pub photographer_id: PhotographerId,
    /// Unix seconds; also the item's TTL.
    pub expires_at: u64,
    /// The address it was sent to: it signs in only while that is the photographer's. (Links
    /// made before it was kept have none.)
    #[serde(default)]
    pub sent_to: Option<Email>,
    /// When it confirms an address change (`proofsheet_policy::EmailChange`), the address it
    /// replaces: signing in with it makes `sent_to` the photographer's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<Email>,
}

impl SignInLinkRecord {
    /// The new address this link confirms, if it confirms a change.
    pub fn confirms(&self) -> Option<(&Email, &Email)> {
        Some((self.replaces.as_ref()?, self.sent_to.as_ref()?))
    }
}

/// An open studio session: whose, and until when.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StudioSessionRecord {
    pub photographer_id: PhotographerId,
    /// Unix seconds; also the item's TTL.
    pub expires_at: u64,
    pub created_at: u64,
}

impl Store {
    /// The photographer who signs in with `email`, if any.
    pub async fn photographer_for_email(
        &self,
        email: &Email,
    ) -> Result<Option<PhotographerId>, StoreError> {
        let claim: Option<PhotographerClaim> = self
            .get(keys::photographer_email(email), keys::EMAIL)
            .await?;
        Ok(claim.map(|c| c.photographer_id))
    }

    /// Counts one sign-in link asked for from `source_tag` and, when the source may ask, one
    /// sent to `email_tag` (both opaque tags). `Err(retry_after_secs)` when the source has
    /// asked its share this window; `Ok(false)` when the address has been sent its share (the
    /// caller answers as usual and sends nothing).
    pub async fn count_sign_in_request(
        &self,
        source_tag: &str,
        email_tag: &str,
        now: u64,
    ) -> Result<Result<bool, u64>, StoreError> {
        if let Err(retry_after_secs) = self
            .count_studio_try(TryBudget::StudioSignIn, source_tag, now)
            .await?
        {
            return Ok(Err(retry_after_secs));
        }
        Ok(Ok(self
            .count_studio_try(TryBudget::StudioSignInEmail, email_tag, now)
            .await?
            .is_ok()))
    }

    async fn count_studio_try(
        &self,
        budget: TryBudget,
        tag: &str,
        now: u64,
    ) -> Result<Result<(), u64>, StoreError> {
        match self
            .reserve_studio_try(budget, &Guesser::new_device(tag), now)
            .await?
        {
            UnlockReservation::Reserved(_) => Ok(Ok(())),
            UnlockReservation::Throttled { retry_after_secs } => Ok(Err(retry_after_secs)),
            // A studio counter is its own item: it is never missing.
            UnlockReservation::NotFound => Ok(Err(1)),
        }
    }

    /// Keeps a new sign-in link (by its secret's hash) until it is used or ends.
    pub async fn save_sign_in_link(
        &self,
        hash_hex: &str,
        link: &SignInLinkRecord,
    ) -> Result<(), StoreError> {
        let item = item_with_keys(
            link,
            &[
                ("PK", keys::sign_in_link(hash_hex)),
                ("SK", keys::SIGN_IN_LINK.into()),
            ],
        )?;
        self.put_if_new(item).await
    }

    /// A sign-in link, left where it is (its page shows it; only signing in spends it).
    pub async fn sign_in_link(
        &self,
        hash_hex: &str,
    ) -> Result<Option<SignInLinkRecord>, StoreError> {
        self.get(keys::sign_in_link(hash_hex), keys::SIGN_IN_LINK)
            .await
    }

    /// Takes a sign-in link away, returning it if it was there: of two uses racing, one gets
    /// it. Whether it is still live is the caller's question (the item may outlive its time).
    pub async fn take_sign_in_link(
        &self,
        hash_hex: &str,
    ) -> Result<Option<SignInLinkRecord>, StoreError> {
        let out = self
            .ddb()
            .delete_item()
            .table_name(&self.resources.table)
            .set_key(Some(key(keys::sign_in_link(hash_hex), keys::SIGN_IN_LINK)))
            .return_values(ReturnValue::AllOld)
            .send()
            .await?;
        out.attributes.map(record).transpose()
    }

    /// Opens a studio session (by its secret's hash), in its photographer's partition: "sign
    /// out everywhere" finds every one with a consistent read. Only while the account is open
    /// and signs in with `email`, the address the sign-in came through, checked in the same
    /// transaction: a session is either there before an address change or a deletion (which
    /// end it) or never opened; `Ok(false)` then.
    pub async fn open_studio_session(
        &self,
        hash_hex: &str,
        session: &StudioSessionRecord,
        email: &Email,
    ) -> Result<bool, StoreError> {
        let item = item_with_keys(
            session,
            &[
                ("PK", keys::photographer(session.photographer_id)),
                ("SK", keys::studio_session(hash_hex)),
            ],
        )?;
        #[derive(Clone, Copy, PartialEq)]
        enum Write {
            Session,
            Account,
        }
        let writes = vec![
            (Write::Session, self.put_new(item)?),
            (
                Write::Account,
                self.account_open(session.photographer_id, Some(email))?,
            ),
        ];
        match self.transact_named(writes).await? {
            Ok(()) => Ok(true),
            Err(refused) if refused.by(Write::Account) => Ok(false),
            Err(_) => Err(StoreError::Aws("a new session's hash exists".into())),
        }
    }

    /// The session of `photographer` a cookie's secret (by its hash) opened, if it is stored.
    pub async fn studio_session(
        &self,
        photographer: PhotographerId,
        hash_hex: &str,
    ) -> Result<Option<StudioSessionRecord>, StoreError> {
        self.get(
            keys::photographer(photographer),
            &keys::studio_session(hash_hex),
        )
        .await
    }

    /// Writes an item that must not exist yet (a secret's hash never repeats; if it ever did,
    /// the write fails rather than hand one secret's record to another).
    async fn put_if_new(&self, item: Item) -> Result<(), StoreError> {
        self.ddb()
            .put_item()
            .table_name(&self.resources.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await?;
        Ok(())
    }

    /// Ends one session; ending it again does nothing.
    pub async fn end_studio_session(
        &self,
        photographer: PhotographerId,
        hash_hex: &str,
    ) -> Result<(), StoreError> {
        self.ddb()
            .delete_item()
            .table_name(&self.resources.table)
            .set_key(Some(key(
                keys::photographer(photographer),
                keys::studio_session(hash_hex),
            )))
            .send()
            .await?;
        Ok(())
    }

    /// Ends every session of a photographer (read consistently: one opened a moment ago is
    /// among them); the number ended.
    pub async fn end_studio_sessions_of(
        &self,
        photographer: PhotographerId,
    ) -> Result<usize, StoreError> {
        let items = self
            .query_prefix(
                keys::photographer(photographer),
                keys::STUDIO_SESSION_PREFIX,
            )
            .await?;
        // One by one: a photographer has a few sessions, and DeleteItem alone can't write.
        self.delete_each(&items).await
    }

    /// Deletes each of `items` (by its key), one by one; how many.
    pub(crate) async fn delete_each(&self, items: &[Item]) -> Result<usize, StoreError> {
        for key in items.iter().filter_map(primary_key) {
            self.ddb()
                .delete_item()
                .table_name(&self.resources.table)
                .set_key(Some(key))
                .send()
                .await?;
        }
        Ok(items.len())
    }
}
