//! The client's pages: the same routes answer a browser with HTML (askama templates, checked at
//! compile time and HTML-escaped) and anything else with JSON. Pages work without JavaScript for
//! the grid, the password form and the login form; `assets/app.js` adds the lightbox,
//! favourites and the download tray on top, through the JSON routes.
//!
//! Every page carries a strict Content-Security-Policy: scripts and styles only from our own
//! `/static/` files (no inline script or style), images from ourselves and the bucket the
//! presigned URLs point at, nothing third-party.

pub(crate) mod assets;
mod brand;
mod templates;

pub(crate) use brand::{PageBrand, style_source};

use askama::Template;
use cookie::{Cookie, SameSite};
use headers_accept::Accept;
use lambda_http::http::HeaderValue;
use lambda_http::{Body, Request, Response};
use mediatype::{MediaType, names};
use proofsheet_app::App;
use proofsheet_policy::SessionClaims;
use proofsheet_policy::text::without_hidden;

pub(crate) use templates::*;

use crate::ApiError;

/// The cookie that carries a password-protected link's session in a browser, scoped to that
/// link's path (`/g/{token}`), so each link has its own.
pub(crate) const LINK_SESSION_COOKIE: &str = "ps_link";
/// The cookie that carries a client login's session, scoped to the login page (`/p/{slug}`).
pub(crate) const LOGIN_SESSION_COOKIE: &str = "ps_login";

/// The cookie that carries a photographer's studio session, for the whole API: the studio's
/// script calls the photographer's routes with it. Over HTTPS its name has the `__Host-`
/// prefix, so no other host (a sibling subdomain) can set one that shadows it; plain HTTP (the
/// local runner) can't have the prefix.
pub(crate) fn studio_session_cookie(app: &App) -> &'static str {
    if cookies_are_secure(app) {
        "__Host-ps_studio"
    } else {
        "ps_studio"
    }
}

/// Whether cookies are `Secure`: always, unless the configured base URL is plain HTTP.
fn cookies_are_secure(app: &App) -> bool {
    app.config()
        .public_base_url
        .as_deref()
        .is_none_or(|base| base.starts_with("https://"))
}

/// Whether the request is a browser's page navigation (it asks for HTML first) or one of the
/// pages' form posts: those get pages; everything else, `fetch` included, gets JSON.
pub(crate) fn wants_html(req: &Request) -> bool {
    if is_form_post(req) {
        return true;
    }
    // JSON first: what API clients and `fetch` send (`*/*`, or nothing) gets JSON; browsers
    // ask for text/html above anything else for a navigation. A header that does not parse
    // gets JSON too.
    const ANSWERED: &[MediaType] = &[
        MediaType::new(names::APPLICATION, names::JSON),
        MediaType::new(names::TEXT, names::HTML),
    ];
    req.headers()
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .and_then(|accept| accept.parse::<Accept>().ok())
        .and_then(|accept| accept.negotiate(ANSWERED).cloned())
        .is_some_and(|answer| answer == ANSWERED[1])
}

/// Whether a parameter of an `Accept-Encoding` entry is `q=0`: a refusal. (No well-kept small
/// crate parses Accept-Encoding; this is the one rule we need of it.)
fn refuses(parameter: &str) -> bool {
    parameter
        .strip_prefix("q=")
        .and_then(|q| q.parse::<f32>().ok())
        .is_some_and(|q| q == 0.0)
}

/// A form of our pages posted (`application/x-www-form-urlencoded`), not a JSON call.
pub(crate) fn is_form_post(req: &Request) -> bool {
    req.headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

/// Whether the browser says the request comes from another origin's page: `Sec-Fetch-Site`, or
/// for browsers without it, an `Origin` other than ours (`own_origin`). Our forms refuse those,
/// so no other site can log a visitor in to a login of its choosing.
pub(crate) fn is_cross_site(req: &Request, own_origin: &str) -> bool {
    let header = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
    match (header("sec-fetch-site"), header("origin")) {
        // A sibling subdomain ("same-site") is another site's page too.
        (Some(site), _) => site != "same-origin",
        (None, Some(origin)) => origin != own_origin,
        (None, None) => false,
    }
}

/// An HTML answer with the page headers: a strict CSP whose `img-src` names `image_origin` (the
/// bucket's, for presigned URLs), and `Vary: Accept`, since the same URL also answers JSON.
pub(crate) fn html(
    status: u16,
    page: &impl Template,
    image_origin: Option<&str>,
) -> Result<Response<Body>, ApiError> {
    styled_html(status, page, image_origin, None)
}

/// [`html`] for a page with a style block of its own, allowed by `style_source` (its hash).
pub(crate) fn styled_html(
    status: u16,
    page: &impl Template,
    image_origin: Option<&str>,
    style_source: Option<&str>,
) -> Result<Response<Body>, ApiError> {
    let images = match image_origin {
        Some(origin) => format!("'self' {origin}"),
        None => "'self'".to_owned(),
    };
    let styles = match style_source {
        Some(source) => format!("'self' {source}"),
        None => "'self'".to_owned(),
    };
    render(status, page, &images, "'self'", &styles, "")
}

/// The studio's page: its script also sends uploads straight to the bucket (presigned PUTs)
/// and shows the bucket's thumbnails, so both `connect-src` and `img-src` name the bucket's
/// origin.
pub(crate) fn studio_html(
    page: &impl Template,
    bucket_origin: &str,
) -> Result<Response<Body>, ApiError> {
    let sources = format!("'self' {bucket_origin}");
    // Its script builds every element itself and never writes markup from a string: with
    // Trusted Types required and no policy allowed, any such write would be refused.
    render(
        200,
        page,
        &sources,
        &sources,
        "'self'",
        "; require-trusted-types-for 'script'; trusted-types 'none'",
    )
}

fn render(
    status: u16,
    page: &impl Template,
    images: &str,
    connect: &str,
    styles: &str,
    more: &str,
) -> Result<Response<Body>, ApiError> {
    let rendered = page
        .render()
        .map_err(|e| ApiError::Internal(format!("page template: {e}")))?;
    // Every page shows names (titles, file names in alt text, people's names), some stored
    // before they were cleaned: in one place for every page and field, nothing that draws
    // nothing reaches the browser (see `proofsheet_policy::text`). Markup and our own words
    // have no such character, so only names change.
    let text = without_hidden(&rendered).into_owned();
    let policy = format!(
        "default-src 'none'; script-src 'self'; style-src {styles}; img-src {images}; \
         font-src 'self'; connect-src {connect}; form-action 'self'; base-uri 'none'; \
         frame-ancestors 'none'{more}"
    );
    Response::builder()
        .status(status)
        .header("content-type", "text/html; charset=utf-8")
        .header("content-security-policy", policy)
        .header("vary", "Accept")
        .body(Body::Text(text))
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// The origin (`scheme://host[:port]`) of the page's images, the presigned URLs of the bucket:
/// what its `img-src` must allow. A page without images allows none from elsewhere.
pub(crate) fn image_origin<'u>(mut urls: impl Iterator<Item = &'u str>) -> Option<String> {
    urls.next().and_then(origin_of)
}

/// Whether the browser takes gzip (`Accept-Encoding`).
pub(crate) fn accepts_gzip(req: &Request) -> bool {
    req.headers()
        .get_all("accept-encoding")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let gzip = parts.next().is_some_and(|c| c.eq_ignore_ascii_case("gzip"));
            gzip && !parts.any(refuses)
        })
}

/// A page or a page's static file, gzipped: a gallery's first page carries two presigned URLs
/// per photo, and the signing credentials they repeat compress away (API Gateway's HTTP APIs
/// compress nothing themselves). JSON is never compressed: its answers carry sessions, which
/// must not share a compressed body with anything a caller could choose.
pub(crate) fn gzipped(response: Response<Body>) -> Response<Body> {
    /// Smaller bodies gain nothing worth a header.
    const MIN_BYTES: usize = 1024;
    const COMPRESSIBLE: [&[u8]; 4] = [b"text/html", b"text/css", b"text/javascript", b"image/svg"];
    let compressible = response
        .headers()
        .get("content-type")
        .is_some_and(|v| COMPRESSIBLE.iter().any(|t| v.as_bytes().starts_with(t)));
    let bytes: &[u8] = match response.body() {
        Body::Text(text) => text.as_bytes(),
        Body::Binary(bytes) => bytes,
        _ => return response,
    };
    if !compressible || bytes.len() < MIN_BYTES {
        return response;
    }
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    if std::io::Write::write_all(&mut encoder, bytes).is_err() {
        return response;
    }
    let Ok(bytes) = encoder.finish() else {
        return response;
    };
    let (mut parts, _) = response.into_parts();
    parts
        .headers
        .insert("content-encoding", HeaderValue::from_static("gzip"));
    let vary = match parts.headers.get("vary") {
        Some(_) => "Accept, Accept-Encoding",
        None => "Accept-Encoding",
    };
    parts.headers.insert("vary", HeaderValue::from_static(vary));
    Response::from_parts(parts, Body::Binary(bytes))
}

/// `scheme://host[:port]` of a URL.
pub(crate) fn origin_of(url: &str) -> Option<String> {
    let parsed: lambda_http::http::Uri = url.parse().ok()?;
    Some(format!(
        "{}://{}",
        parsed.scheme_str()?,
        parsed.authority()?.as_str()
    ))
}

/// `Set-Cookie` for a session cookie of our pages: HttpOnly (no script reads it), SameSite=Lax
/// (sent when a link in an email is clicked, never with another site's posts), limited to
/// `path`, and Secure whenever the service is served over HTTPS. The browser keeps it for the
/// session's life and the grace after it in which an expired session still marks the device as
/// known ([`SessionClaims::KNOWN_DEVICE_GRACE_SECS`]), so a returning client is spared the
/// link's or page's try ceiling as an API client showing its old session is.
pub(crate) fn session_cookie(
    app: &App,
    name: &str,
    path: &str,
    value: &str,
    session_ttl_secs: u64,
) -> Result<HeaderValue, ApiError> {
    let max_age_secs = session_ttl_secs + SessionClaims::KNOWN_DEVICE_GRACE_SECS;
    set_cookie(app, name, value, path, max_age_secs)
}

/// `Set-Cookie` for a studio session: the whole API's, since the studio's script calls the
/// photographer's routes with it.
pub(crate) fn studio_cookie(
    app: &App,
    secret: &str,
    ttl_secs: u64,
) -> Result<HeaderValue, ApiError> {
    set_cookie(app, studio_session_cookie(app), secret, "/", ttl_secs)
}

/// Our own origin (`scheme://host[:port]`), as browsers name it in `Origin`.
pub(crate) fn own_origin(app: &App, req: &Request) -> String {
    let base = crate::handlers::base_url(app, req);
    origin_of(&base).unwrap_or(base)
}

/// `Set-Cookie` that makes the browser forget cookie `name` of `path`.
pub(crate) fn cleared_cookie(app: &App, name: &str, path: &str) -> Result<HeaderValue, ApiError> {
    set_cookie(app, name, "", path, 0)
}

fn set_cookie(
    app: &App,
    name: &str,
    value: &str,
    path: &str,
    max_age_secs: u64,
) -> Result<HeaderValue, ApiError> {
    let secure = cookies_are_secure(app);
    let max_age = i64::try_from(max_age_secs).map_err(|e| ApiError::Internal(e.to_string()))?;
    let cookie = Cookie::build((name, value))
        .path(path)
        .max_age(cookie::time::Duration::seconds(max_age))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .build();
    HeaderValue::from_str(&cookie.to_string()).map_err(|e| ApiError::Internal(e.to_string()))
}

/// The value of cookie `name` in the request, if it sent one.
pub(crate) fn cookie<'r>(req: &'r Request, name: &str) -> Option<&'r str> {
    req.headers()
        .get_all("cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name)
        .and_then(|cookie| cookie.value_raw())
        .filter(|value| !value.is_empty())
}

/// The answer to a page's form that opened a session: back to the page at `path`, the session
/// in the page's cookie `name`.
pub(crate) fn signed_in(
    app: &App,
    name: &str,
    path: &str,
    session: &str,
    session_ttl_secs: u64,
) -> Result<Response<Body>, ApiError> {
    see_other(
        path,
        session_cookie(app, name, path, session, session_ttl_secs)?,
    )
}

/// `303 See Other` to `location` (after a form post), setting `cookie`.
pub(crate) fn see_other(location: &str, cookie: HeaderValue) -> Result<Response<Body>, ApiError> {
    Response::builder()
        .status(303)
        .header("location", location)
        .header("set-cookie", cookie)
        .body(Body::Empty)
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// A page that has moved to `location`, for now (302: it may move again, so no browser keeps
/// the answer).
pub(crate) fn moved_to(location: &str) -> Result<Response<Body>, ApiError> {
    Response::builder()
        .status(302)
        .header("location", location)
        .header("cache-control", "no-store")
        .body(Body::Empty)
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// The link or login page a path belongs to (`/g/{token}` of `/g/{token}/unlock`), which is
/// where an error page's form posts to.
pub(crate) fn page_root(path: &str) -> Option<(&'static str, &str)> {
    let mut parts = path.splitn(4, '/');
    let (Some(""), Some(kind), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    if id.is_empty() {
        return None;
    }
    let kind = match kind {
        "g" => "g",
        "p" => "p",
        _ => return None,
    };
    Some((kind, &path[..kind.len() + id.len() + 2]))
}

/// The look of the photographer whose link or login page a refusal stands on (`path`): a link's
/// token that is ours and still has its grant, or a login page's address that is theirs. `None`
/// where the address names nobody, or they can't be read: the page is then Proofsheet's own.
pub(crate) async fn error_page_brand(app: &App, path: &str) -> Option<PageBrand> {
    let owner = match page_root(path)? {
        ("g", link) => {
            let token = proofsheet_policy::LinkToken::parse(link.strip_prefix("/g/")?)?;
            if !app.secrets().ok()?.token_is_authentic(&token) {
                return None;
            }
            let grant = app.store().grant(token.grant_id).await.ok()??;
            app.store().gallery(grant.gallery_id).await.ok()??.owner_id
        }
        (_, page) => {
            let slug = proofsheet_policy::Slug::parse(page.strip_prefix("/p/")?).ok()?;
            app.store().photographer_for_slug(&slug).await.ok()??
        }
    };
    let photographer = app.store().photographer(owner).await.ok()??;
    // Pages link the logo by its path on this origin: no base URL needed.
    Some(PageBrand::from(&crate::views::PhotographerBrandView::new(
        &photographer,
        "",
    )))
}

/// `GET /static/{file}`: the embedded assets, named by their content's hash, so cached for good.
pub(crate) async fn static_asset(_app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let name = crate::http_io::path_param(&req, "file")?;
    let asset = assets::FILES
        .iter()
        .find(|asset| asset.name == name)
        .ok_or(ApiError::NotFound)?;
    Response::builder()
        .status(200)
        .header("content-type", asset.content_type)
        .header("cache-control", "public, max-age=31536000, immutable")
        .body(Body::Binary(asset.bytes.to_vec()))
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// `GET /brand/{photographer_id}/{file}`: a photographer's logo, for their pages and the emails they send. Named
/// by its content (a new logo is a new file), so cached for good; emails keep pointing at it.
pub(crate) async fn brand_logo(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let owner = crate::http_io::path_param(&req, "photographer_id")?;
    let owner = proofsheet_policy::PhotographerId::parse(&owner).map_err(|_| ApiError::NotFound)?;
    let name = crate::http_io::path_param(&req, "file")?;
    let file = name
        .strip_suffix(".png")
        .and_then(|stem| proofsheet_policy::LogoFile::parse(stem).ok())
        .ok_or(ApiError::NotFound)?;
    let key = proofsheet_store::object_keys::brand_logo(owner, &file);
    let png = match app
        .store()
        .object_bytes(&key, proofsheet_policy::UploadRequest::MAX_LOGO_BYTES)
        .await
    {
        Err(proofsheet_store::StoreError::NotFound) => return Err(ApiError::NotFound),
        read => read?,
    };
    Response::builder()
        .status(200)
        .header("content-type", "image/png")
        .header("cache-control", "public, max-age=31536000, immutable")
        .body(Body::Binary(png))
        .map_err(|e| ApiError::Internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(headers: &[(&str, &str)]) -> Request {
        let mut builder = lambda_http::http::Request::builder().uri("/g/t");
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        builder.body(Body::Empty).unwrap()
    }

    #[test]
    fn a_browser_navigation_gets_html_and_fetch_gets_json() {
        let chromium = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        assert!(wants_html(&request(&[("accept", chromium)])));
        assert!(!wants_html(&request(&[("accept", "*/*")])));
        assert!(!wants_html(&request(&[("accept", "application/json")])));
        assert!(!wants_html(&request(&[])));
        assert!(!wants_html(&request(&[(
            "accept",
            "text/html;q=0, application/json"
        )])));
        assert!(wants_html(&request(&[(
            "content-type",
            "application/x-www-form-urlencoded"
        )])));
    }

    /// The q-values decide, not the order: old WebKit put text/html after XML.
    #[test]
    fn the_preferred_of_html_and_json_is_answered() {
        let webkit = "application/xml,application/xhtml+xml,text/html;q=0.9,text/plain;q=0.8,\
                      image/png,*/*;q=0.5";
        let wants = |accept: &str| wants_html(&request(&[("accept", accept)]));
        assert!(wants(webkit));
        assert!(wants("application/json;q=0.5, text/html"));
        assert!(!wants("text/html;q=0.5, application/json"));
        assert!(!wants("text/plain"));
        // Deliberate, with the negotiation: any text will do takes the page; a header that does
        // not parse as a whole gets JSON, whatever comes first in it.
        assert!(wants("text/*"));
        assert!(!wants("text/html, not a media type"));
        assert!(!wants("not a media type"));
    }

    #[test]
    fn pages_are_gzipped_for_browsers_that_take_it() {
        assert!(accepts_gzip(&request(&[(
            "accept-encoding",
            "gzip, deflate, br, zstd"
        )])));
        assert!(!accepts_gzip(&request(&[(
            "accept-encoding",
            "br, gzip;q=0"
        )])));
        assert!(!accepts_gzip(&request(&[])));
        let page = MessagePage {
            brand: None,
            heading: "This link no longer works",
            text: "Ask your photographer for a new link. ".repeat(40),
            contact: None,
        };
        let plain = html(404, &page, None).unwrap();
        let Body::Text(text) = plain.body() else {
            panic!("text")
        };
        let text = text.clone();
        let zipped = gzipped(plain);
        assert_eq!(zipped.status(), 404);
        assert_eq!(zipped.headers()["content-encoding"], "gzip");
        let Body::Binary(bytes) = zipped.body() else {
            panic!("binary")
        };
        assert!(
            bytes.len() < text.len() / 4,
            "{} of {}",
            bytes.len(),
            text.len()
        );
        let mut unzipped = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut unzipped)
            .unwrap();
        assert_eq!(unzipped, text);
        // JSON stays as it is.
        let json = crate::http_io::json_text(200, "x".repeat(4096));
        assert!(gzipped(json).headers().get("content-encoding").is_none());
    }

    #[test]
    fn cookies_are_found_by_exact_name() {
        let req = request(&[("cookie", "a=1; ps_link=abc; ps_link_other=x")]);
        assert_eq!(cookie(&req, "ps_link"), Some("abc"));
        assert_eq!(cookie(&req, "ps_login"), None);
        assert_eq!(cookie(&request(&[("cookie", "ps_link=")]), "ps_link"), None);
    }

    #[test]
    fn page_roots_are_the_link_or_login_page() {
        assert_eq!(page_root("/g/abc/unlock"), Some(("g", "/g/abc")));
        assert_eq!(page_root("/g/abc"), Some(("g", "/g/abc")));
        assert_eq!(page_root("/p/studio/login"), Some(("p", "/p/studio")));
        assert_eq!(page_root("/g/"), None);
        assert_eq!(page_root("/galleries/x"), None);
    }

    #[test]
    fn origins_keep_scheme_host_and_port_only() {
        assert_eq!(
            origin_of("http://127.0.0.1:5000/bucket/key?X-Amz-Signature=1").as_deref(),
            Some("http://127.0.0.1:5000")
        );
        assert_eq!(
            origin_of("https://b.s3.eu-west-1.amazonaws.com/k").as_deref(),
            Some("https://b.s3.eu-west-1.amazonaws.com")
        );
    }

    #[test]
    fn every_asset_is_named_by_its_hash() {
        for asset in assets::FILES {
            let parts: Vec<_> = asset.name.split('.').collect();
            assert_eq!(parts.len(), 3, "{}", asset.name);
            assert_eq!(parts[1].len(), 12, "{}", asset.name);
        }
        assert!(assets::APP_CSS.starts_with("/static/app."));
        assert!(assets::APP_JS.ends_with(".js"));
    }
}

/// How the OpenAPI description tells this module's routes (`openapi::describe`).
pub(crate) mod doc {
    use crate::openapi::describe::*;

    pub(crate) fn static_asset() -> OperationDoc {
        OperationDoc {
            tag: Tag::Client,
            summary: "A static file of the client pages (CSS, JavaScript, icon)",
            description: Some(
                "Files are named after a hash of their content, so they are cached for good \
                 (`Cache-Control: public, max-age=31536000, immutable`). Any other name is a 404."
                    .into(),
            ),
            paged: false,
            validates: false,
            request: None,
            success: Success {
                status: 200,
                description: "The file, with its content type.",
                body: None,
            },
            refusals: Vec::new(),
        }
    }

    pub(crate) fn brand_logo() -> OperationDoc {
        OperationDoc {
            tag: Tag::Client,
            summary: "A photographer's logo (PNG), as their pages and emails show it",
            description: Some(
                "The `logo.url` of `GET /account` and of a gallery's `photographer`. Named after \
                 its content, so cached for good (`Cache-Control: public, max-age=31536000, \
                 immutable`); a new logo has a new name. Any other name is a 404."
                    .into(),
            ),
            paged: false,
            validates: false,
            request: None,
            success: Success {
                status: 200,
                description: "The logo, `image/png`.",
                body: None,
            },
            refusals: Vec::new(),
        }
    }
}
