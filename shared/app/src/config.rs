//! Configuration from the environment, read once per cold start.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

/// Everything the handlers need to know about their deployment.
#[derive(Clone)]
pub struct Config {
    pub table: String,
    pub bucket: String,
    pub sender_email: String,
    /// Where clients open links: `<base>/g/<token>`, no trailing slash. `None`: the API's own
    /// URL, taken from the request's host (API Gateway's domain in AWS).
    pub public_base_url: Option<String>,
    /// At least 32 random bytes; share-link verifiers and session MACs are derived from it.
    /// Given inline (`SECRET_KEY`: the local runner and tests), or read from SSM Parameter Store
    /// at start (`SECRET_KEY_PARAMETER`: in AWS, so the key is in no function's configuration),
    /// and only by the functions that need it.
    pub secret_key: Option<Vec<u8>>,
    /// The name of the SecureString parameter holding the key.
    pub secret_key_parameter: Option<String>,
    /// The ingest queue, for re-rendering photos when a gallery's watermark changes. Without
    /// it, a new watermark reaches only photos uploaded afterwards.
    pub ingest_queue_url: Option<String>,
    /// The download queue the ZIP worker reads. Without it, accepted download requests wait
    /// (recorded, charged, marked unsent) until the resend sweep finds the queue configured.
    pub download_queue_url: Option<String>,
    pub max_upload_bytes: u64,
    pub client_session_ttl: Duration,
    /// How long presigned S3 URLs for viewing live.
    pub view_url_ttl: Duration,
    /// How long a download link (`/d/{token}`) works after its ZIP is ready. The bucket's
    /// lifecycle rule on `zips/` must keep ZIPs at least this long (SAM sets both from one
    /// parameter).
    pub download_link_ttl: Duration,
    /// JPEG quality of rendered downloads.
    pub download_jpeg_quality: u8,
    /// Largest ZIP; a bigger download is split into several, each with its own link.
    pub download_zip_max_bytes: u64,
    /// How long a download worker's claim on a request lasts: the function's timeout and a
    /// margin, so a worker that died is replaced, and a live one never is.
    pub download_lease: Duration,
    /// How many days before a link expires its client is reminded (`EXPIRY_REMINDER_DAYS`,
    /// e.g. `7,1`, the default).
    pub reminder_days: proofsheet_policy::expiry::ReminderDays,
}

const DAY_SECS: u64 = 24 * 60 * 60;

/// Why a function cannot start. Each kind names what to fix: the variable, or the parameter.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {0} is not set")]
    Missing(&'static str),
    #[error("environment variable {0} is invalid: {1}")]
    Invalid(&'static str, String),
    /// The SSM parameter named by `SECRET_KEY_PARAMETER` can't be read or holds no usable key:
    /// the variable may be right and the parameter (or the function's access to it) wrong.
    #[error("SSM parameter {parameter} (SECRET_KEY_PARAMETER) {reason}")]
    SecretKeyParameter { parameter: String, reason: String },
}

impl ConfigError {
    /// The environment variable to look at.
    pub fn variable(&self) -> &'static str {
        match self {
            Self::Missing(name) | Self::Invalid(name, _) => name,
            Self::SecretKeyParameter { .. } => "SECRET_KEY_PARAMETER",
        }
    }

    /// The SSM parameter to look at, when the variable names one.
    pub fn parameter(&self) -> Option<&str> {
        match self {
            Self::SecretKeyParameter { parameter, .. } => Some(parameter),
            Self::Missing(_) | Self::Invalid(..) => None,
        }
    }
}

impl Config {
    /// The AWS resources this deployment's store works on.
    pub fn resources(&self) -> proofsheet_store::Resources {
        proofsheet_store::Resources {
            table: self.table.clone(),
            bucket: self.bucket.clone(),
            sender_email: self.sender_email.clone(),
        }
    }

    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// The same rules over any source of variables (tests pass a map).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let required = |name: &'static str| {
            get(name)
                .filter(|v| !v.is_empty())
                .ok_or(ConfigError::Missing(name))
        };
        // Every number has a range: a value past it would overflow a timestamp or make S3 refuse
        // every presigned URL, so it fails the start instead, with its name.
        let number = |name: &'static str, default: u64, range: std::ops::RangeInclusive<u64>| {
            let value = match get(name).filter(|v| !v.is_empty()) {
                None => default,
                Some(v) => v
                    .parse::<u64>()
                    .map_err(|e| ConfigError::Invalid(name, e.to_string()))?,
            };
            if range.contains(&value) {
                Ok(value)
            } else {
                Err(ConfigError::Invalid(
                    name,
                    format!("must be from {} to {}", range.start(), range.end()),
                ))
            }
        };
        let secret_key = get("SECRET_KEY")
            .filter(|v| !v.is_empty())
            .map(|v| parse_secret_key(&v).map_err(|why| ConfigError::Invalid("SECRET_KEY", why)))
            .transpose()?;
        Ok(Self {
            table: required("TABLE_NAME")?,
            bucket: required("BUCKET_NAME")?,
            sender_email: required("SENDER_EMAIL")?,
            public_base_url: get("PUBLIC_BASE_URL")
                .filter(|v| !v.is_empty())
                .map(|v| v.trim_end_matches('/').to_owned()),
            secret_key,
            secret_key_parameter: get("SECRET_KEY_PARAMETER").filter(|v| !v.is_empty()),
            ingest_queue_url: get("INGEST_QUEUE_URL").filter(|v| !v.is_empty()),
            download_queue_url: get("DOWNLOAD_QUEUE_URL").filter(|v| !v.is_empty()),
            // One presigned PUT carries at most 5 GiB.
            max_upload_bytes: number("MAX_UPLOAD_BYTES", 50 * 1024 * 1024, 1..=5 << 30)?,
            client_session_ttl: Duration::from_secs(number(
                "CLIENT_SESSION_TTL_SECONDS",
                proofsheet_policy::SessionClaims::DEFAULT_TTL_SECS,
                1..=30 * DAY_SECS,
            )?),
            // SigV4 presigning allows at most 7 days.
            view_url_ttl: Duration::from_secs(number(
                "VIEW_URL_TTL_SECONDS",
                3600,
                1..=7 * DAY_SECS,
            )?),
            download_link_ttl: Duration::from_secs(
                number("DOWNLOAD_LINK_TTL_DAYS", 7, 1..=365)? * DAY_SECS,
            ),
            download_jpeg_quality: number("DOWNLOAD_JPEG_QUALITY", 90, 1..=100)? as u8,
            // ZIP64 is written when needed; the floor only keeps a ZIP from being absurdly small.
            download_zip_max_bytes: number("DOWNLOAD_ZIP_MAX_BYTES", 2 << 30, 64 << 10..=64 << 30)?,
            download_lease: Duration::from_secs(number(
                "DOWNLOAD_LEASE_SECONDS",
                960,
                30..=12 * 60 * 60,
            )?),
            reminder_days: match get("EXPIRY_REMINDER_DAYS").filter(|v| !v.is_empty()) {
                None => Default::default(),
                Some(raw) => proofsheet_policy::expiry::ReminderDays::parse(&raw)
                    .map_err(|e| ConfigError::Invalid("EXPIRY_REMINDER_DAYS", e.reason))?,
            },
        })
    }
}

/// A secret key as configured: base64 (standard or URL-safe) of at least 32 bytes. The error
/// says what is wrong with it, for the caller to say where it came from.
pub(crate) fn parse_secret_key(raw: &str) -> Result<Vec<u8>, String> {
    let raw = raw.trim();
    let key = URL_SAFE_NO_PAD
        .decode(raw.trim_end_matches('='))
        .or_else(|_| STANDARD.decode(raw))
        .map_err(|_| "not base64".to_owned())?;
    if key.len() < 32 {
        return Err("must decode to at least 32 bytes".into());
    }
    Ok(key)
}

/// Reads the secret key from an SSM SecureString parameter: once per cold start.
pub(crate) async fn secret_key_from_parameter(
    sdk_config: &aws_config::SdkConfig,
    name: &str,
) -> Result<Vec<u8>, ConfigError> {
    let unusable = |reason: String| ConfigError::SecretKeyParameter {
        parameter: name.to_owned(),
        reason,
    };
    let out = aws_sdk_ssm::Client::new(sdk_config)
        .get_parameter()
        .name(name)
        .with_decryption(true)
        .send()
        .await
        .map_err(|e| {
            unusable(format!(
                "could not be read: {}",
                aws_sdk_ssm::error::DisplayErrorContext(e)
            ))
        })?;
    let value = out
        .parameter()
        .and_then(|p| p.value())
        .ok_or_else(|| unusable("has no value".into()))?;
    parse_secret_key(value).map_err(|why| unusable(format!("is invalid: {why}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    const FULL: &[(&str, &str)] = &[
        ("TABLE_NAME", "t"),
        ("BUCKET_NAME", "b"),
        ("SENDER_EMAIL", "studio@example.com"),
        ("PUBLIC_BASE_URL", "https://x.example/"),
        ("SECRET_KEY", "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE"),
    ];

    #[test]
    fn a_missing_variable_is_named() {
        let err = Config::from_lookup(env(&FULL[1..])).err().unwrap();
        assert_eq!(
            err.to_string(),
            "environment variable TABLE_NAME is not set"
        );
    }

    #[test]
    fn defaults_fill_the_optional_ones() {
        let config = Config::from_lookup(env(FULL)).unwrap();
        assert_eq!(config.public_base_url.as_deref(), Some("https://x.example"));
        assert_eq!(config.max_upload_bytes, 50 * 1024 * 1024);
        assert_eq!(config.secret_key.map(|k| k.len()), Some(32));
        assert_eq!(config.download_link_ttl, Duration::from_secs(7 * DAY_SECS));
        assert_eq!(config.download_jpeg_quality, 90);
        assert_eq!(config.download_zip_max_bytes, 2 << 30);
        assert_eq!(config.reminder_days.days(), [7, 1]);
    }

    #[test]
    fn a_function_without_the_secret_key_still_configures() {
        let config = Config::from_lookup(env(&FULL[..4])).unwrap();
        assert_eq!(config.secret_key, None);
        assert_eq!(config.secret_key_parameter, None);
    }

    #[test]
    fn numbers_out_of_their_range_fail_the_start_with_their_name() {
        for (name, value) in [
            ("CLIENT_SESSION_TTL_SECONDS", "18446744073709551615"),
            ("CLIENT_SESSION_TTL_SECONDS", "0"),
            ("VIEW_URL_TTL_SECONDS", "604801"),
            ("MAX_UPLOAD_BYTES", "0"),
            ("MAX_UPLOAD_BYTES", "5368709121"),
            ("DOWNLOAD_JPEG_QUALITY", "0"),
            ("DOWNLOAD_JPEG_QUALITY", "101"),
            ("DOWNLOAD_LINK_TTL_DAYS", "0"),
            ("DOWNLOAD_ZIP_MAX_BYTES", "1000"),
            ("EXPIRY_REMINDER_DAYS", "0"),
            ("EXPIRY_REMINDER_DAYS", "7,x"),
        ] {
            let mut pairs = FULL.to_vec();
            pairs.push((name, value));
            match Config::from_lookup(env(&pairs)) {
                Err(ConfigError::Invalid(named, _)) => assert_eq!(named, name),
                other => panic!("{name}={value}: {:?}", other.map(|_| ())),
            }
        }
        let mut pairs = FULL.to_vec();
        pairs.push(("VIEW_URL_TTL_SECONDS", "604800"));
        assert!(
            Config::from_lookup(env(&pairs)).is_ok(),
            "7 days is allowed"
        );
    }

    #[test]
    fn short_secrets_are_refused() {
        let mut pairs = FULL.to_vec();
        pairs[4] = ("SECRET_KEY", "c2hvcnQ");
        assert!(matches!(
            Config::from_lookup(env(&pairs)),
            Err(ConfigError::Invalid("SECRET_KEY", _))
        ));
    }
}
