//! The application: configuration, derived keys, the store and the clock, built once per cold
//! start and shared by every handler and worker of a function.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use proofsheet_policy::{DownloadRequestId, GrantId, PhotographerId};
use proofsheet_store::{Store, StoreError};

use crate::config::secret_key_from_parameter;
use crate::email::Sender;
use crate::secrets::Secrets;
use crate::{Config, ConfigError};

/// Whether a function's code uses the deployment's secret key (links, sessions, try counters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKeyUse {
    Needed,
    NotNeeded,
}

/// A function asked for the secret key without loading it: a wiring mistake, never a client's.
#[derive(Debug, thiserror::Error)]
#[error("this function has no secret key")]
pub struct NoSecretKey;

/// Why a worker's email could have no link: deployment settings, never a client's doing.
#[derive(Debug, thiserror::Error)]
pub enum NoEmailedLinks {
    #[error("PUBLIC_BASE_URL is not set: the email would have no link")]
    NoPublicUrl,
    #[error("SECRET_KEY is not set: no link can be signed")]
    NoSecretKey,
}

/// The links a worker puts in an email. With no request to take a domain from, they point at
/// the configured public URL.
#[derive(Clone, Copy)]
pub struct EmailedLinks<'a> {
    base: &'a str,
    secrets: &'a Secrets,
}

impl EmailedLinks<'_> {
    /// A client's link to their gallery (`/g/{token}`).
    pub fn gallery(&self, grant: GrantId) -> String {
        format!(
            "{}/g/{}",
            self.base,
            self.secrets.link_token(grant).encode()
        )
    }

    /// The link to ZIP number `zip` of a download request (`/d/{token}`).
    pub fn zip(&self, grant: GrantId, request: DownloadRequestId, zip: u16) -> String {
        let token = self.secrets.download_link(grant, request, zip);
        format!("{}/d/{}", self.base, token.encode())
    }
}

/// What time it is, in whole Unix seconds: the system's clock, or one a test sets and moves
/// (so tests of expiry and try windows don't sleep).
#[derive(Debug, Clone, Default)]
pub struct Clock {
    fixed: Option<Arc<AtomicU64>>,
}

impl Clock {
    pub fn system() -> Self {
        Self::default()
    }

    /// A clock that stands at `unix_secs` until moved.
    pub fn fixed(unix_secs: u64) -> Self {
        Self {
            fixed: Some(Arc::new(AtomicU64::new(unix_secs))),
        }
    }

    pub fn now(&self) -> u64 {
        match &self.fixed {
            Some(at) => at.load(Ordering::SeqCst),
            None => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or_default(),
        }
    }

    /// Moves a fixed clock on (every copy of it sees the move). The system clock moves itself.
    pub fn advance(&self, secs: u64) {
        if let Some(at) = &self.fixed {
            at.fetch_add(secs, Ordering::SeqCst);
        }
    }
}

pub struct App {
    store: Store,
    config: Config,
    /// `None` in a function that makes and checks no links or sessions: it never reads the key.
    secrets: Option<Secrets>,
    clock: Clock,
}

impl App {
    pub fn new(sdk_config: &aws_config::SdkConfig, config: Config) -> Self {
        let store = Store::new(sdk_config, config.resources());
        Self::with_store(store, config)
    }

    /// An app over a store built elsewhere (the tests add SDK interceptors to theirs).
    pub fn with_store(store: Store, config: Config) -> Self {
        let secrets = config.secret_key.as_deref().map(Secrets::new);
        Self {
            store,
            config,
            secrets,
            clock: Clock::system(),
        }
    }

    /// The same app reading the time from `clock`.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Configuration from the environment, AWS clients from `aws-config` (which honours
    /// `AWS_ENDPOINT_URL`, so a local emulator is just an environment variable away).
    pub async fn from_env(secret_key: SecretKeyUse) -> Result<Self, ConfigError> {
        Self::from_lookup(secret_key, |name| std::env::var(name).ok()).await
    }

    /// The same, with our variables from `get` (tests pass a map). AWS's own settings, such as
    /// `AWS_ENDPOINT_URL`, still come from the environment.
    pub async fn from_lookup(
        secret_key: SecretKeyUse,
        get: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let config = Config::from_lookup(get)?;
        let sdk_config = proofsheet_store::load_sdk_config().await;
        Self::load(&sdk_config, config, secret_key).await
    }

    /// An app for one function: a function that uses the secret key reads it now, from
    /// `SECRET_KEY_PARAMETER` unless given inline, and fails to start without it.
    pub async fn load(
        sdk_config: &aws_config::SdkConfig,
        mut config: Config,
        secret_key: SecretKeyUse,
    ) -> Result<Self, ConfigError> {
        if secret_key == SecretKeyUse::Needed && config.secret_key.is_none() {
            let name = config
                .secret_key_parameter
                .as_deref()
                .ok_or(ConfigError::Missing("SECRET_KEY_PARAMETER"))?;
            config.secret_key = Some(secret_key_from_parameter(sdk_config, name).await?);
        }
        Ok(Self::new(sdk_config, config))
    }

    /// The keys behind links and sessions. Only the functions whose routes use them load the
    /// secret key ([`SecretKeyUse`]), so elsewhere this is an error.
    pub fn secrets(&self) -> Result<&Secrets, NoSecretKey> {
        self.secrets.as_ref().ok_or(NoSecretKey)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Now, in Unix seconds, by this app's clock.
    pub fn now(&self) -> u64 {
        self.clock.now()
    }

    /// What a worker's emails link to.
    pub fn emailed_links(&self) -> Result<EmailedLinks<'_>, NoEmailedLinks> {
        Ok(EmailedLinks {
            base: (self.config.public_base_url.as_deref()).ok_or(NoEmailedLinks::NoPublicUrl)?,
            secrets: self.secrets().map_err(|_| NoEmailedLinks::NoSecretKey)?,
        })
    }

    /// Who a worker's email to a client comes from: the photographer's name as a client reads it
    /// mid-sentence ("contact …"), or "your photographer" for an account that is gone, and how
    /// their emails look.
    pub async fn email_sender(&self, owner: PhotographerId) -> Result<Sender, StoreError> {
        let base = self.config.public_base_url.as_deref().unwrap_or_default();
        Ok(match self.store.photographer(owner).await? {
            Some(photographer) => Sender::of(&photographer, base),
            None => Sender::gone("your photographer"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_moves_only_when_told_and_every_copy_sees_it() {
        let clock = Clock::fixed(1_000);
        let copy = clock.clone();
        assert_eq!(clock.now(), 1_000);
        copy.advance(61);
        assert_eq!(clock.now(), 1_061);
    }

    #[test]
    fn the_system_clock_is_now() {
        let before = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let now = Clock::system().now();
        assert!(now >= before && now <= before + 5);
    }
}
