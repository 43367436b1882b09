//! The functions' HTTP routes on one port, for the local runner and the browser tests: each
//! request goes through [`dispatch`] exactly as API Gateway and the route's Lambda would run it.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body as AxumBody;
use axum::extract::ConnectInfo;
use axum::response::Response as AxumResponse;
use futures::StreamExt;
use http::HeaderValue;
use http::header::CONNECTION;
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
    let bytes = match read_body(body).await {
        BodyRead::Whole(bytes) => bytes,
        // API Gateway refuses large bodies before a function runs; here the refusal is ours,
        // so it is the API's own error, with the headers every answer carries. The body was
        // read to its end (so the client finishes sending and reads the answer), and the
        // connection then closes: hyper keeps one alive only when it has seen the body's end
        // itself, which races with our reading of it, so a client told nothing could find a
        // pooled connection cut under its next request.
        BodyRead::TooLarge => {
            let too_large = ApiError::BodyTooLarge {
                limit_bytes: MAX_BODY_BYTES,
            };
            return refused(too_large);
        }
        // The client stopped sending before its body's end: nothing of the connection can be
        // trusted to be in step any more.
        BodyRead::CutShort => {
            let cut_short = ApiError::BadJson("the body ended before its declared length".into());
            return refused(cut_short);
        }
    };
    let body = if bytes.is_empty() {
        Body::Empty
    } else {
        Body::Binary(bytes)
    };
    let mut req = http::Request::from_parts(parts, body);
    if let Some(ip) = peer {
        req = from_source_ip(req, ip);
    }
    into_axum(dispatch(app, req).await)
}

/// A refusal made here, before any route, through the one place every answer passes. The
/// connection closes, and says so, so the client opens a new one for its next request instead
/// of finding this one cut under it.
fn refused(error: ApiError) -> AxumResponse {
    let mut response = into_axum(error.into_response());
    response
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    response
}

/// How much of an oversized body is read and dropped before the answer.
const DRAIN_LIMIT_BYTES: usize = 64 * MAX_BODY_BYTES;

/// What reading a request's body gave.
enum BodyRead {
    Whole(Vec<u8>),
    /// Over [`MAX_BODY_BYTES`]: read to its end (up to [`DRAIN_LIMIT_BYTES`]) and dropped.
    TooLarge,
    /// The body broke off before its end (the client closed, or stopped sending).
    CutShort,
}

async fn read_body(body: AxumBody) -> BodyRead {
    let mut chunks = body.into_data_stream();
    let mut bytes = Vec::new();
    let mut read = 0usize;
    while let Some(chunk) = chunks.next().await {
        let Ok(chunk) = chunk else {
            return BodyRead::CutShort;
        };
        read = read.saturating_add(chunk.len());
        if read > DRAIN_LIMIT_BYTES {
            return BodyRead::TooLarge;
        }
        if read <= MAX_BODY_BYTES {
            bytes.extend_from_slice(&chunk);
        }
    }
    if read > MAX_BODY_BYTES {
        BodyRead::TooLarge
    } else {
        BodyRead::Whole(bytes)
    }
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
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["content-type"], "application/json");
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(json["error"], "body_too_large");
        assert!(
            json["message"].as_str().unwrap().contains("1048576"),
            "{json}"
        );
    }

    /// Found by the second probe, fixed: after a 413 the server stopped reading mid-body and cut
    /// the connection, so a client still sending failed, and a pooled client's next request on
    /// it too. Now the whole body is taken, the 413 arrives whole and says the connection
    /// closes, and the client's next request, on a new connection as that tells it, is
    /// answered.
    #[tokio::test]
    async fn after_a_413_the_client_reads_it_whole_and_its_next_request_is_answered() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let service =
            router(Arc::new(offline_app())).into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, service).await });

        let exchange = |request: Vec<u8>| async move {
            let (mut answers, mut requests) = tokio::net::TcpStream::connect(address)
                .await
                .unwrap()
                .into_split();
            // The sending half stays open until the answer is read: dropping it would
            // half-close the connection, and hyper (without half-close support) drops a
            // connection whose client half-closed before the answer was written, an empty
            // answer the loaded CI machine met.
            let sending =
                tokio::spawn(async move { requests.write_all(&request).await.map(|()| requests) });
            let mut received = Vec::new();
            tokio::time::timeout(
                std::time::Duration::from_secs(30),
                answers.read_to_end(&mut received),
            )
            .await
            .expect("the server answered and closed")
            .expect("the connection was not cut");
            sending
                .await
                .unwrap()
                .expect("every byte of the request was taken");
            String::from_utf8_lossy(&received).into_owned()
        };
        let oversized = 3 * MAX_BODY_BYTES;
        let mut request = format!(
            "POST /galleries HTTP/1.1\r\nhost: local\r\ncontent-type: application/json\r\n\
             content-length: {oversized}\r\n\r\n"
        )
        .into_bytes();
        request.extend(vec![b'x'; oversized]);
        let refused = exchange(request).await;
        assert!(refused.starts_with("HTTP/1.1 413 "), "{refused}");
        assert!(refused.contains("connection: close\r\n"), "{refused}");
        assert!(refused.ends_with("bytes\"}"), "the whole answer: {refused}");

        let next =
            exchange(b"GET /nowhere HTTP/1.1\r\nhost: local\r\nconnection: close\r\n\r\n".to_vec())
                .await;
        assert!(next.starts_with("HTTP/1.1 404 "), "{next}");
    }
}
