//! The functions' HTTP routes on one port, for the local runner and the browser tests: each
//! request goes through [`dispatch`] exactly as API Gateway and the route's Lambda would run it.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::{Body as AxumBody, to_bytes};
use axum::extract::ConnectInfo;
use axum::response::Response as AxumResponse;
use lambda_http::Body;
use proofsheet_app::App;

use crate::{ApiError, dispatch, from_source_ip};

/// API Gateway's payload limit, as near as matters here.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Every route, served through [`dispatch`]. Serve it with connect info
/// (`into_make_service_with_connect_info::<SocketAddr>()`), which stands in for API Gateway's
/// record of the caller's address.
pub fn router(app: Arc<App>) -> axum::Router {
    axum::Router::new().fallback(move |req: axum::extract::Request| {
        let app = app.clone();
        async move { serve(&app, req).await }
    })
}

/// One HTTP request through `App::dispatch`, exactly as API Gateway + Lambda would run it.
async fn serve(app: &App, req: axum::extract::Request) -> AxumResponse {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(peer)| peer.ip());
    let (parts, body) = req.into_parts();
    let bytes = match to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        // API Gateway refuses large bodies before a function runs; here the refusal is ours,
        // so it is the API's own error, with the headers every answer carries.
        Err(_) => {
            return into_axum(
                ApiError::BodyTooLarge {
                    limit_bytes: MAX_BODY_BYTES,
                }
                .into_response(),
            );
        }
    };
    let body = if bytes.is_empty() {
        Body::Empty
    } else {
        Body::Binary(bytes.to_vec())
    };
    let mut req = http::Request::from_parts(parts, body);
    if let Some(ip) = peer {
        req = from_source_ip(req, ip);
    }
    into_axum(dispatch(app, req).await)
}

fn into_axum(response: lambda_http::Response<Body>) -> AxumResponse {
    let (parts, body) = response.into_parts();
    let body = match body {
        Body::Empty => AxumBody::empty(),
        Body::Text(text) => AxumBody::from(text),
        Body::Binary(bytes) => AxumBody::from(bytes),
        _ => AxumBody::empty(),
    };
    AxumResponse::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use proofsheet_app::Config;

    use super::*;

    fn offline_app() -> App {
        let sdk = aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .build();
        let vars = HashMap::from([
            ("TABLE_NAME", "t"),
            ("BUCKET_NAME", "b"),
            ("SENDER_EMAIL", "studio@example.com"),
            ("SECRET_KEY", "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE"),
        ]);
        let config = Config::from_lookup(|k| vars.get(k).map(|v| (*v).to_owned())).unwrap();
        App::new(&sdk, config)
    }

    #[tokio::test]
    async fn an_oversized_body_is_a_json_error_with_the_security_headers() {
        let req = axum::extract::Request::builder()
            .method("POST")
            .uri("/galleries")
            .body(AxumBody::from(vec![b'x'; MAX_BODY_BYTES + 1]))
            .unwrap();
        let response = serve(&offline_app(), req).await;
        assert_eq!(response.status(), 413);
        let headers = response.headers().clone();
        assert_eq!(headers["referrer-policy"], "no-referrer");
        assert_eq!(headers["cache-control"], "no-store");
        assert_eq!(headers["content-type"], "application/json");
        let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(json["error"], "body_too_large");
        assert!(
            json["message"].as_str().unwrap().contains("1048576"),
            "{json}"
        );
    }
}
