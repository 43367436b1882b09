//! One function per route, grouped by audience: parse → policy → store → respond.

pub(crate) mod client;
pub(crate) mod photographer;

use std::collections::HashMap;

use lambda_http::{Body, Request, RequestExt, Response};
use proofsheet_app::App;
use proofsheet_policy::PhotoPage;
use tracing::Instrument;

use crate::http_io::{query_param, with_security_headers};
use crate::routes::match_route;
use crate::{ApiError, Endpoint, Handler};

/// Routes a request by method and path, as API Gateway does in AWS, then handles it: what the
/// local runner and the tests do.
pub async fn dispatch(app: &App, req: Request) -> Response<Body> {
    match match_route(req.method(), req.uri().path()) {
        Some((route, params)) => {
            let by_name: HashMap<String, String> = params.into_iter().collect();
            handle(app, route.endpoint(), req.with_path_parameters(by_name)).await
        }
        None => ApiError::NoRoute.into_response(),
    }
}

/// Handles a request already routed to `endpoint`: what each Lambda function does.
pub async fn handle(app: &App, endpoint: Endpoint, req: Request) -> Response<Body> {
    // Never the path: for client routes it holds the share token.
    let span = tracing::info_span!(
        "request",
        route = ?endpoint.route,
        method = %req.method(),
        photographer = tracing::field::Empty,
    );
    async move {
        let response = match endpoint.handler {
            Handler::Client(handler) => handler(app, req).await,
            Handler::Photographer(handler) => match photographer::authenticate(app, &req).await {
                Ok(owner) => handler(app, owner, req).await,
                Err(e) => Err(e),
            },
        };
        let response = with_security_headers(response.unwrap_or_else(ApiError::into_response));
        tracing::info!(status = response.status().as_u16(), "answered");
        response
    }
    .instrument(span)
    .await
}

/// The page of photos asked for with `?limit=` and `?cursor=`.
fn requested_page(req: &Request) -> Result<PhotoPage, ApiError> {
    Ok(PhotoPage::parse(
        query_param(req, "limit").as_deref(),
        query_param(req, "cursor").as_deref(),
    )?)
}
