//! Operator actions that have no HTTP route: creating photographers.

use proofsheet_policy::{Email, PersonName, PhotographerId, Slug};
use proofsheet_store::PhotographerRecord;
use uuid::Uuid;

use crate::App;
use crate::secrets::{api_key_hash, new_api_key};

/// Why a photographer could not be created.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error(transparent)]
    Invalid(#[from] proofsheet_policy::Invalid),
    #[error(transparent)]
    Store(#[from] proofsheet_store::StoreError),
}

/// Creates a photographer and returns it with its API key, the only time the key is visible.
/// `api_key` lets the local runner use a known key (`DEV_API_KEY`); otherwise one is generated.
pub async fn create_photographer(
    app: &App,
    name: &str,
    email: &str,
    slug: &str,
    api_key: Option<String>,
) -> Result<(PhotographerRecord, String), AdminError> {
    let photographer = PhotographerRecord {
        id: PhotographerId::from_uuid(Uuid::new_v4()),
        name: PersonName::parse(name)?,
        email: Email::parse(email)?,
        slug: Slug::parse(slug)?,
        created_at: app.now(),
    };
    let (key, hash) = match api_key {
        Some(key) if key.len() >= 24 => {
            let hash = api_key_hash(&key);
            (key, hash)
        }
        Some(_) => {
            return Err(proofsheet_policy::Invalid::new(
                "api_key",
                "must be at least 24 characters",
            )
            .into());
        }
        None => new_api_key(),
    };
    app.store()
        .create_photographer(&photographer, &hash)
        .await?;
    Ok((photographer, key))
}
