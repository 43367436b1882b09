//! One function per route, grouped by audience: parse → policy → store → respond.

pub(crate) mod client;
pub(crate) mod milestones;
pub(crate) mod photographer;
pub(crate) mod studio;

use std::collections::HashMap;

use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use proofsheet_app::App;
use proofsheet_app::email::Sender;
use proofsheet_policy::{GrantId, PhotoPage, ViewRendition};
use proofsheet_store::object_keys::{self, RenditionSize};
use proofsheet_store::{DownloadRequestRecord, GalleryRecord, OutgoingEmail, PhotoRecord};
use tracing::Instrument;

use crate::http_io::with_security_headers;
use crate::pages;
use crate::query::{Limit, Shape, Text};
use crate::routes::match_route;
use crate::views::{CoverView, GridSizeView};
use crate::{ApiError, Endpoint, Handler};

/// Routes a request by method and path, as API Gateway does in AWS, then handles it: what the
/// local runner and the tests do.
pub async fn dispatch(app: &App, req: Request) -> Response<Body> {
    match match_route(req.method(), req.uri().path()) {
        Some((route, params)) => {
            let by_name: HashMap<String, String> = params.into_iter().collect();
            handle(app, route.endpoint(), req.with_path_parameters(by_name)).await
        }
        None if pages::wants_html(&req) => ApiError::NoRoute.into_page(req.uri().path(), None),
        None => ApiError::NoRoute.into_response(),
    }
}

/// Handles a request already routed to `endpoint`: what each Lambda function does.
pub async fn handle(app: &App, endpoint: Endpoint, req: Request) -> Response<Body> {
    // Never the path: for client routes it holds the link's token.
    let span = tracing::info_span!(
        "request",
        route = ?endpoint.route,
        method = %req.method(),
        photographer = tracing::field::Empty,
        grant = tracing::field::Empty,
    );
    async move {
        let mut gzip = false;
        let response = match endpoint.handler {
            Handler::Client(handler) => {
                // A browser on a client route gets its refusal as a page.
                let page_path = pages::wants_html(&req).then(|| req.uri().path().to_owned());
                gzip = pages::accepts_gzip(&req);
                handler(app, req).await.map_err(|e| (e, page_path))
            }
            Handler::Photographer(handler) => {
                match photographer::authenticate(app, &req, endpoint.route.spec().audience).await {
                    Ok(owner) => handler(app, owner, req).await,
                    Err(e) => Err(e),
                }
                .map_err(|e| (e, None))
            }
        };
        let response = match response {
            Ok(response) => response,
            Err((e, Some(path))) => {
                let brand = match e.page_shows_brand() {
                    true => pages::error_page_brand(app, &path).await,
                    false => None,
                };
                e.into_page(&path, brand)
            }
            Err((e, None)) => e.into_response(),
        };
        let mut response = with_security_headers(response);
        if gzip {
            response = pages::gzipped(response);
        }
        tracing::info!(status = response.status().as_u16(), "answered");
        response
    }
    .instrument(span)
    .await
}

/// `?limit=` of the routes that answer a page of photos.
pub(crate) const PHOTO_LIMIT: Limit = Limit {
    size: PhotoPage::SIZE,
    items: "Photos",
};

/// `?cursor=` of the routes that answer a page of photos.
pub(crate) const PHOTO_CURSOR: Text = Text {
    name: "cursor",
    description: "The `next_cursor` of the previous page, as given (opaque). Without it, the \
                  first page. A cursor this API did not give out is a 422 naming `cursor`; one \
                  given out before the gallery's photo order changed starts again at the first \
                  page.",
    shape: Shape::Pattern("^[A-Za-z0-9_-]{13,1400}$"),
};

/// The page of photos asked for with `?limit=` and `?cursor=`.
fn requested_page(req: &Request) -> Result<PhotoPage, ApiError> {
    Ok(PhotoPage::parse(
        PHOTO_LIMIT.raw(req).as_deref(),
        PHOTO_CURSOR.read(req).as_deref(),
    )?)
}

/// A gallery's cover as its card shows it: the thumbnail of `look`, presigned (only the look
/// the viewer may see is ever presigned).
pub(crate) async fn cover_view(
    app: &App,
    photo: &PhotoRecord,
    look: ViewRendition,
) -> Result<CoverView, ApiError> {
    let key = object_keys::rendition(photo.gallery_id, photo.id, RenditionSize::Thumbnail, look);
    Ok(CoverView {
        photo_id: photo.id.to_string(),
        thumbnail_url: app
            .store()
            .presign_download(&key, app.config().view_url_ttl)
            .await?,
        width: photo.width,
        height: photo.height,
        grid: grid_view(app, photo, look).await?,
    })
}

/// A photo's grid sizes in `look`, presigned, narrowest first.
pub(crate) async fn grid_view(
    app: &App,
    photo: &PhotoRecord,
    look: ViewRendition,
) -> Result<Vec<GridSizeView>, ApiError> {
    let ttl = app.config().view_url_ttl;
    let mut grid = Vec::with_capacity(photo.grid_widths.len());
    for &width in &photo.grid_widths {
        let key = object_keys::grid_rendition(photo.gallery_id, photo.id, width, look);
        grid.push(GridSizeView {
            width,
            url: app.store().presign_download(&key, ttl).await?,
        });
    }
    Ok(grid)
}

/// The client-facing URL of a grant's link.
pub(crate) fn link(app: &App, req: &Request, grant_id: GrantId) -> Result<String, ApiError> {
    Ok(format!(
        "{}{}",
        base_url(app, req),
        link_path(app, grant_id)?
    ))
}

/// The path of a grant's link (`/g/{token}`): also its page's cookie path.
pub(crate) fn link_path(app: &App, grant_id: GrantId) -> Result<String, ApiError> {
    Ok(format!(
        "/g/{}",
        app.secrets()?.link_token(grant_id).encode()
    ))
}

/// The links to a download request's ZIPs (`/d/{token}`), in order: the same the client was
/// emailed.
pub(crate) fn download_links(
    app: &App,
    req: &Request,
    request: &DownloadRequestRecord,
) -> Result<Vec<String>, ApiError> {
    let secrets = app.secrets()?;
    let base = base_url(app, req);
    Ok((1..=request.zips.len())
        .map(|zip| {
            let token = secrets.download_link(request.grant_id, request.id, zip as u16);
            format!("{base}/d/{}", token.encode())
        })
        .collect())
}

/// Where links point: the configured public URL, else the domain this request was served on.
pub(crate) fn base_url(app: &App, req: &Request) -> String {
    match &app.config().public_base_url {
        Some(base) => base.clone(),
        None => format!("https://{}", served_domain(req)),
    }
}

/// The domain the request was served on: API Gateway's own record of it when there is one
/// (links are emailed, so never the client's `Host` header where something better exists),
/// else the `Host` header (the local runner), else `localhost`.
fn served_domain(req: &Request) -> String {
    let from_gateway = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context.domain_name.clone(),
        _ => None,
    };
    from_gateway
        .or_else(|| {
            req.headers()
                .get("host")
                .and_then(|h| h.to_str().ok())
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "localhost".to_owned())
}

/// Who a client's email about `gallery` comes from (their logo's address under this request's
/// base URL), or a neutral stand-in when the photographer can't be read.
pub(crate) async fn email_sender(app: &App, req: &Request, gallery: &GalleryRecord) -> Sender {
    match app.store().photographer(gallery.owner_id).await {
        Ok(Some(p)) => Sender::of(&p, &base_url(app, req)),
        _ => Sender::gone("Your photographer"),
    }
}

/// Sends an email about a grant; `false` (logged) when SES refused it. The grant stands either
/// way: emails are how links travel, not what makes them.
pub(crate) async fn send_email(app: &App, email: &OutgoingEmail, grant: GrantId) -> bool {
    match app.store().send_email(email).await {
        Ok(_) => true,
        Err(e) => {
            tracing::warn!(error = %e, grant_id = %grant, "email not sent");
            false
        }
    }
}
