//! The application: configuration, derived keys and the store, built once per cold start.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use lambda_http::{Body, Request, RequestExt, Response};
use proofsheet_store::Store;
use tracing::Instrument;

use crate::config::secret_key_from_parameter;
use crate::http_io::with_security_headers;
use crate::routes::match_route;
use crate::secrets::Secrets;
use crate::{ApiError, Config, ConfigError, Route, handlers};

/// Whether a function's code uses the deployment's secret key (links, sessions, try counters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKeyUse {
    Needed,
    NotNeeded,
}

pub struct App {
    pub(crate) store: Store,
    pub(crate) config: Config,
    /// `None` in a function that makes and checks no links or sessions: it never reads the key.
    secrets: Option<Secrets>,
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
        }
    }

    /// Configuration from the environment, AWS clients from `aws-config` (which honours
    /// `AWS_ENDPOINT_URL`, so a local emulator is just an environment variable away).
    pub async fn from_env(secret_key: SecretKeyUse) -> Result<Self, ConfigError> {
        let config = Config::from_env()?;
        let sdk_config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
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
    /// secret key ([`Route::uses_secret_key`]), so elsewhere this is an internal error.
    pub(crate) fn secrets(&self) -> Result<&Secrets, ApiError> {
        self.secrets
            .as_ref()
            .ok_or_else(|| ApiError::Internal("this function has no secret key".into()))
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Routes a request by method and path, as API Gateway does in AWS, then handles it.
    pub async fn dispatch(&self, req: Request) -> Response<Body> {
        match match_route(req.method(), req.uri().path()) {
            Some((route, params)) => {
                let mut by_name: HashMap<String, String> = HashMap::new();
                by_name.extend(params);
                self.handle(route, req.with_path_parameters(by_name)).await
            }
            None => ApiError::NoRoute.into_response(),
        }
    }

    /// Handles a request already routed to `route`: what each Lambda function does.
    pub async fn handle(&self, route: Route, req: Request) -> Response<Body> {
        // Never the path: for client routes it holds the share token.
        let span = tracing::info_span!(
            "request",
            route = ?route,
            method = %req.method(),
            photographer = tracing::field::Empty,
        );
        async move {
            let response = handlers::handle(self, route, req)
                .await
                .unwrap_or_else(ApiError::into_response);
            let response = with_security_headers(response);
            tracing::info!(status = response.status().as_u16(), "answered");
            response
        }
        .instrument(span)
        .await
    }

    pub(crate) fn now() -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default()
    }

    /// The client-facing URL of a grant's link.
    pub(crate) fn link(
        &self,
        req: &Request,
        grant_id: proofsheet_policy::GrantId,
    ) -> Result<String, ApiError> {
        let token = self.secrets()?.share_token(grant_id).encode();
        Ok(match &self.config.public_base_url {
            Some(base) => format!("{base}/g/{token}"),
            None => {
                let host = req
                    .headers()
                    .get("host")
                    .and_then(|h| h.to_str().ok())
                    .unwrap_or("localhost");
                format!("https://{host}/g/{token}")
            }
        })
    }
}
