//! The one way anything here loads its AWS settings.

use aws_config::{BehaviorVersion, SdkConfig};
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};

/// AWS settings from the environment as `aws-config` reads them (region, credentials,
/// `AWS_ENDPOINT_URL` for a local emulator), with an HTTPS client on rustls over *ring*.
///
/// The SDK's default client uses aws-lc-rs instead, which put about 1 MB of cryptography into
/// every function's binary (we need TLS 1.2/1.3 to AWS endpoints, nothing FIPS or
/// post-quantum) and was the slowest dependency to compile for arm64. Without the SDK's
/// `default-https-client` feature there is no implicit client: a configuration loaded any
/// other way fails its first call with "no HTTP client", so everything loads it here.
pub async fn load_sdk_config() -> SdkConfig {
    let https = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https();
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(https)
        .load()
        .await
}
