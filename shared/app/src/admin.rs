//! Operator actions that have no HTTP route (creating and deleting photographers), and the studio's
//! sign-in emails: the link the operator sends a new photographer and the sign-in route any
//! other, and the link that confirms a new sign-in address.

use proofsheet_policy::{Email, PersonName, PhotographerId, SignInLink, Slug, key_hint};
use proofsheet_store::{ApiKeyRecord, PhotographerRecord, SignInLinkRecord};
use uuid::Uuid;

use crate::App;
use crate::email::{StudioEmailChange, StudioSignIn};
use crate::secrets::{api_key_hash, new_api_key, new_studio_secret};

/// What the studio lists the key made with the photographer as.
pub const FIRST_KEY_NAME: &str = "First key (made with the account)";

/// Why an operator's command could not be carried out.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error(transparent)]
    Invalid(#[from] proofsheet_policy::Invalid),
    #[error(transparent)]
    Store(#[from] proofsheet_store::StoreError),
    #[error("the sign-in email could not be written: {0}")]
    Email(String),
    #[error("no photographer has this id")]
    UnknownPhotographer,
    #[error("INGEST_QUEUE_URL is not set: nothing would render the photos again")]
    NoIngestQueue,
    #[error(
        "the photographer still has {galleries} galleries and {logins} client logins: delete them first (in the studio, or with their API key), so no client link outlives the account"
    )]
    StillHasClients { galleries: usize, logins: usize },
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
        former_slugs: Vec::new(),
        email_change_link: None,
        brand: Default::default(),
        logo: None,
        logo_refused: None,
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
    let first_key = ApiKeyRecord {
        key_id: Uuid::now_v7(),
        photographer_id: photographer.id,
        name: FIRST_KEY_NAME.to_owned(),
        hint: key_hint(&key),
        key_sha256: hash,
        created_at: photographer.created_at,
    };
    app.store()
        .create_photographer(&photographer, &first_key)
        .await?;
    Ok((photographer, key))
}

/// Renders every ready photo of a photographer's galleries again from its original (through
/// the ingest queue, as a watermark change does): photos ingested before a rendition existed
/// (the grid's sizes) get it. Returns how many galleries were queued.
pub async fn render_again(app: &App, id: PhotographerId) -> Result<usize, AdminError> {
    if app.store().photographer(id).await?.is_none() {
        return Err(AdminError::UnknownPhotographer);
    }
    if app.config().ingest_queue_url.is_none() {
        return Err(AdminError::NoIngestQueue);
    }
    let galleries: Vec<_> = app
        .store()
        .galleries_of(id)
        .await?
        .into_iter()
        .map(|gallery| gallery.id)
        .collect();
    app.rerender_galleries(&galleries).await?;
    Ok(galleries.len())
}

/// Deletes a photographer's account: their sessions end, their API keys stop working, their
/// email and login page are free again, their logos (watermark and brand) are gone. Only once
/// they have no galleries and no client logins left (their clients' links and logins are theirs to end, with what they delete). Safe to run
/// again; returns how many items went.
pub async fn delete_photographer(app: &App, id: PhotographerId) -> Result<usize, AdminError> {
    if app.store().photographer(id).await?.is_none() {
        return Err(AdminError::UnknownPhotographer);
    }
    let (galleries, logins) = tokio::try_join!(
        app.store().galleries_of(id),
        app.store().client_logins_of(id),
    )?;
    if !galleries.is_empty() || !logins.is_empty() {
        return Err(AdminError::StillHasClients {
            galleries: galleries.len(),
            logins: logins.len(),
        });
    }
    let removed = app.store().delete_photographer(id).await?;
    // Their logos go too (whether they had any or not): the watermark's, and every brand logo
    // with its last upload (emails sent before now show the name in the logo's alt text).
    use proofsheet_store::object_keys;
    app.store()
        .delete_objects(&[object_keys::logo(id), object_keys::brand_logo_upload(id)])
        .await?;
    app.store()
        .delete_prefix(&object_keys::brand_logos(id))
        .await?;
    Ok(removed)
}

/// Emails `photographer` a single-use link into the studio at `base_url` (the deployment's
/// public address): how a photographer made by an operator first signs in, never seeing a key.
pub async fn email_sign_in_link(
    app: &App,
    photographer: &PhotographerRecord,
    base_url: &str,
) -> Result<(), AdminError> {
    let link = new_sign_in_link(app, photographer, base_url).await?;
    let message = StudioSignIn {
        photographer: photographer.name.as_str(),
        link: &link,
        minutes: SignInLink::LIFETIME_SECS / 60,
    }
    .to(photographer.email.clone())
    .map_err(|e| AdminError::Email(e.to_string()))?;
    app.store().send_email(&message).await?;
    Ok(())
}

/// Asks to make `new_email` the address `photographer` signs in with: it becomes the one
/// pending change (`EmailChange`), the old address is told, then a link that confirms it goes
/// to the new one.
pub async fn email_address_change(
    app: &App,
    photographer: &PhotographerRecord,
    new_email: &Email,
    base_url: &str,
) -> Result<(), AdminError> {
    let (secret, hash) = new_studio_secret();
    let link = SignInLinkRecord {
        photographer_id: photographer.id,
        expires_at: app.now() + SignInLink::LIFETIME_SECS,
        sent_to: Some(new_email.clone()),
        replaces: Some(photographer.email.clone()),
    };
    let address = link_address(base_url, &secret);
    let confirm = StudioEmailChange {
        photographer: photographer.name.as_str(),
        old_email: photographer.email.as_str(),
        new_email: new_email.as_str(),
        link: Some(&address),
        minutes: SignInLink::LIFETIME_SECS / 60,
    };
    let notice = StudioEmailChange {
        link: None,
        ..confirm
    };
    let to_new = confirm
        .to(new_email.clone())
        .map_err(|e| AdminError::Email(e.to_string()))?;
    let to_old = notice
        .to(photographer.email.clone())
        .map_err(|e| AdminError::Email(e.to_string()))?;
    // Pending first (nothing is sent if the address changed meanwhile), then the notice: a
    // change the old address wasn't told of never gets its link out.
    app.store().save_email_change_link(&hash, &link).await?;
    app.store().send_email(&to_old).await?;
    app.store().send_email(&to_new).await?;
    Ok(())
}

/// A new single-use link into the studio, sent to the photographer's address, in full.
async fn new_sign_in_link(
    app: &App,
    photographer: &PhotographerRecord,
    base_url: &str,
) -> Result<String, AdminError> {
    let (secret, hash) = new_studio_secret();
    let link = SignInLinkRecord {
        photographer_id: photographer.id,
        expires_at: app.now() + SignInLink::LIFETIME_SECS,
        sent_to: Some(photographer.email.clone()),
        replaces: None,
    };
    app.store().save_sign_in_link(&hash, &link).await?;
    Ok(link_address(base_url, &secret))
}

/// Where a studio link's secret is opened, at the deployment's public address.
fn link_address(base_url: &str, secret: &str) -> String {
    format!("{}/studio/sign-in/{secret}", base_url.trim_end_matches('/'))
}
