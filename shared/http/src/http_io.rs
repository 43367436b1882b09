//! Reading requests and writing JSON responses.

use std::net::IpAddr;

use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext;
use lambda_http::aws_lambda_events::query_map::QueryMap;
use lambda_http::http::HeaderValue;
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::ApiError;

pub(crate) fn json_body<T: DeserializeOwned>(req: &Request) -> Result<T, ApiError> {
    let bytes: &[u8] = req.body().as_ref();
    if bytes.is_empty() {
        return Err(ApiError::BadJson("the body is empty".into()));
    }
    serde_json::from_slice(bytes).map_err(|e| ApiError::BadJson(excerpt(&e.to_string())))
}

/// The body of a JSON call, or of one of the pages' forms (`application/x-www-form-urlencoded`,
/// the same fields). A form from another site's page is refused: only our pages post forms.
pub(crate) fn json_or_form_body<T: DeserializeOwned>(
    app: &proofsheet_app::App,
    req: &Request,
) -> Result<T, ApiError> {
    if !crate::pages::is_form_post(req) {
        return json_body(req);
    }
    if crate::pages::is_cross_site(req, &crate::pages::own_origin(app, req)) {
        return Err(ApiError::CrossSiteForm);
    }
    serde_urlencoded::from_bytes(req.body().as_ref())
        .map_err(|e| ApiError::BadForm(excerpt(&e.to_string())))
}

/// At most the first 200 characters of a text that may quote the client's input (serde's
/// messages name unknown fields and variants): an answer never grows with the request.
pub(crate) fn excerpt(text: &str) -> String {
    const MAX_CHARS: usize = 200;
    match text.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

pub(crate) fn path_param(req: &Request, name: &str) -> Result<String, ApiError> {
    req.path_parameters()
        .first(name)
        .map(str::to_owned)
        .ok_or(ApiError::NotFound)
}

/// The caller's network address as API Gateway saw it (never a client-supplied header, which
/// anyone could vary to dodge a per-source limit). The functions sit behind an HTTP API only.
pub(crate) fn source_ip(req: &Request) -> Option<IpAddr> {
    let raw = match req.request_context_ref()? {
        RequestContext::ApiGatewayV2(context) => context.http.source_ip.as_deref(),
        _ => None,
    };
    raw?.parse().ok()
}

/// A request as API Gateway (HTTP API) hands it over from the network address `ip` (and, when
/// its URI is absolute, for that domain): for the local runner and tests, which serve requests
/// without API Gateway in front.
pub fn from_source_ip(req: Request, ip: IpAddr) -> Request {
    let mut context = ApiGatewayV2httpRequestContext::default();
    context.http.source_ip = Some(ip.to_string());
    // API Gateway records the domain it served; a request with a full URI names it.
    context.domain_name = req.uri().host().map(str::to_owned);
    req.with_request_context(RequestContext::ApiGatewayV2(context))
}

/// The first value of a query-string parameter, decoded. Read from the URI, which carries the
/// raw query string both from API Gateway (through `lambda_http`) and from the local runner.
pub(crate) fn query_param(req: &Request, name: &str) -> Option<String> {
    let query: QueryMap = req.uri().query()?.parse().ok()?;
    query.first(name).map(str::to_owned)
}

/// The token of an `Authorization: Bearer <token>` header.
pub(crate) fn bearer(req: &Request) -> Option<&str> {
    let value = req.headers().get("authorization")?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

pub(crate) fn json<T: Serialize>(status: u16, value: &T) -> Result<Response<Body>, ApiError> {
    let text = serde_json::to_string(value).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(json_text(status, text))
}

/// A JSON answer, success or error.
pub(crate) fn json_text(status: u16, text: String) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::Text(text))
        .unwrap_or_else(|_| {
            let mut failed = Response::new(Body::Empty);
            *failed.status_mut() = lambda_http::http::StatusCode::INTERNAL_SERVER_ERROR;
            failed
        })
}

/// A plain-text answer (UTF-8).
pub(crate) fn text(status: u16, text: String) -> Result<Response<Body>, ApiError> {
    Response::builder()
        .status(status)
        .header("content-type", "text/plain; charset=utf-8")
        .body(Body::Text(text))
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// A `302 Found` to `location`.
pub(crate) fn redirect(location: &str) -> Result<Response<Body>, ApiError> {
    Response::builder()
        .status(302)
        .header("location", location)
        .body(Body::Empty)
        .map_err(|e| ApiError::Internal(e.to_string()))
}

pub(crate) fn no_content() -> Result<Response<Body>, ApiError> {
    Response::builder()
        .status(204)
        .body(Body::Empty)
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// The one place that gives an answer the headers every answer carries, whatever its status,
/// body or origin (a handler, an error, the router, the local runner): client pages hold
/// capability links, so nothing may leak them through Referer or caches.
pub fn with_security_headers(mut response: Response<Body>) -> Response<Body> {
    let headers = response.headers_mut();
    headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    // JSON, pages and files alike are what their content type says, never sniffed into HTML.
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    // API Gateway answers only over HTTPS: browsers that saw it once never try plain HTTP on
    // this host again (two years). Browsers ignore it on answers that came over plain HTTP
    // (RFC 6797 §8.1), so the local runner's answers carry it harmlessly. Not for subdomains:
    // a photographer's own domain may serve other things.
    headers.insert(
        "strict-transport-security",
        HeaderValue::from_static("max-age=63072000"),
    );
    // Only the pages' static files, named by their hash and holding nothing of anyone's, say
    // they may be cached; nothing else does.
    headers
        .entry("cache-control")
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

/// Unix seconds of an RFC 3339 date and time (`2027-06-30T18:00:00Z`, any offset), if it is
/// one and not before 1970. Fractions of a second are dropped.
pub(crate) fn parse_timestamp(raw: &str) -> Option<u64> {
    let at = chrono::DateTime::parse_from_rfc3339(raw).ok()?;
    u64::try_from(at.timestamp()).ok()
}

/// `Some(value)` for a field that is present, `None` for an absent one. On an
/// `Option<Option<T>>` field, `null` is `Some(None)` ("clear it", where clearing means something);
/// on an `Option<T>` field, `null` is refused rather than silently meaning "leave it".
pub(crate) fn present<'de, T, D>(d: D) -> Result<Option<T>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    T::deserialize(d).map(Some)
}

/// A yes/no field that a JSON call sends as a boolean and a page's form as text (`true`, `on`).
pub(crate) fn flag<'de, D>(d: D) -> Result<bool, D::Error>
where
    D: serde::Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flag {
        Json(bool),
        Form(String),
    }
    match Flag::deserialize(d)? {
        Flag::Json(value) => Ok(value),
        Flag::Form(text) => match text.as_str() {
            "true" | "on" => Ok(true),
            "false" | "off" => Ok(false),
            _ => Err(serde::de::Error::custom("expected true or false")),
        },
    }
}
