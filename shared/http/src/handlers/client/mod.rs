//! The client's side: no account, the token in the path is the capability. Every client route
//! goes through [`authorize_client`], so a password protects all of them alike; favourites and
//! downloads go through [`private_grant`] on top, so they belong to one client.

pub(crate) mod downloads;
pub(crate) mod favourites;
pub(crate) mod identify;
pub(crate) mod logins;
pub(crate) mod sign_in;

use futures::future::try_join_all;
use lambda_http::{Body, Request, Response};
use proofsheet_policy::expiry::LinkLife;
use proofsheet_policy::{ClientPermissions, Guesser, LinkToken, SessionClaims, cursor_after};
use proofsheet_policy::{GalleryRules, Viewer, activity};
use proofsheet_policy::{GrantId, PhotoId, ViewRendition};
use proofsheet_store::object_keys::{self, RenditionSize};
use proofsheet_store::{EmailsAccess, GalleryRecord, GrantKind, GrantRecord, PhotoRecord};
use serde::Deserialize;

use crate::handlers::{base_url, grid_view, link, milestones, requested_page};
use crate::http_io::{bearer, json, json_or_form_body, path_param};
use crate::pages;
use crate::views::{
    ClientGalleryView, ClientPhotoView, NavigationView, NeighbourView, PhotographerBrandView,
    timestamp,
};
use proofsheet_app::App;
use proofsheet_app::secrets::verify_password;

use crate::error::ExpiredGallery;
use crate::{ApiError, ConflictCode};

/// A link that opens its gallery: the grant, and the gallery it was read with.
pub(crate) struct OpenLink {
    pub grant: GrantRecord,
    pub gallery: GalleryRecord,
}

/// The link behind a token, if the token is authentic and the link is live and unexpired.
/// Unknown, forged and revoked tokens are all plain 404s.
async fn link_for_token(app: &App, req: &Request) -> Result<OpenLink, ApiError> {
    let token = LinkToken::parse(&path_param(req, "token")?).ok_or(ApiError::NotFound)?;
    if !app.secrets()?.token_is_authentic(&token) {
        return Err(ApiError::NotFound);
    }
    open_link(app, token.grant_id).await
}

/// A grant that still opens its gallery. A link released to a client login goes with the login:
/// from the moment the login is revoked, even while its links are still being deleted.
pub(crate) async fn live_grant(app: &App, id: GrantId) -> Result<GrantRecord, ApiError> {
    let grant = app.store().grant(id).await?.ok_or(ApiError::NotFound)?;
    if let Some(login) = grant.login_id {
        match app.store().client_login(login).await? {
            Some(login) if !login.revoked => {}
            _ => return Err(ApiError::NotFound),
        }
    }
    Ok(grant)
}

/// A live grant whose link has not expired (its own date, or its gallery's when that is
/// earlier), with its gallery. The photographer's routes don't ask; the client's all do,
/// download links included.
pub(crate) async fn open_link(app: &App, id: GrantId) -> Result<OpenLink, ApiError> {
    let grant = live_grant(app, id).await?;
    let gallery = app
        .store()
        .gallery(grant.gallery_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    match LinkLife::of(gallery.expiry, grant.expiry).closed_at(app.now()) {
        Some(at) => Err(expired(app, &gallery, at).await),
        None => Ok(OpenLink { grant, gallery }),
    }
}

/// The refusal of a link that expired at `at`, naming whom to ask.
async fn expired(app: &App, gallery: &GalleryRecord, at: u64) -> ApiError {
    let photographer = match app.store().photographer(gallery.owner_id).await {
        Ok(found) => found,
        Err(error) => return error.into(),
    };
    ApiError::GalleryExpired(Box::new(ExpiredGallery {
        expired_at: timestamp(at),
        expired_on: proofsheet_app::email::human_day(at),
        photographer: photographer
            .as_ref()
            .map_or_else(|| "your photographer".to_owned(), |p| p.name.to_string()),
        email: photographer.map(|p| p.email.to_string()),
    }))
}

/// The link, once the request has shown everything it needs: the token, and for a
/// password-protected link a live session opened with the current password.
pub(crate) async fn authorize_client(app: &App, req: &Request) -> Result<OpenLink, ApiError> {
    let link = link_for_token(app, req).await?;
    let grant = &link.grant;
    record_grant(grant.id);
    if grant.settings.password_protected() {
        let secrets = app.secrets()?;
        let claims = link_session(req)
            .and_then(|session| secrets.open_session(session))
            .ok_or(ApiError::PasswordRequired)?;
        if !claims.admits(grant.id, grant.password_version, app.now()) {
            return Err(ApiError::PasswordRequired);
        }
    }
    Ok(link)
}

/// A link's session from the API's `Authorization` header, or from the page's cookie.
fn link_session(req: &Request) -> Option<&str> {
    bearer(req).or_else(|| pages::cookie(req, pages::LINK_SESSION_COOKIE))
}

/// The grant of a client's own link, authorized as [`authorize_client`] does. On the general
/// link, whatever a client keeps (favourites, downloads) first needs their email.
pub(crate) async fn private_grant(app: &App, req: &Request) -> Result<GrantRecord, ApiError> {
    let grant = authorize_client(app, req).await?.grant;
    match grant.kind {
        GrantKind::Private => Ok(grant),
        GrantKind::General => Err(ApiError::EmailRequired),
    }
}

/// The photo named in the path, if the client can see it: a ready photo of the grant's
/// gallery. Anything else (malformed, unknown, another gallery's, still uploading) is 404.
pub(crate) async fn visible_photo(
    app: &App,
    grant: &GrantRecord,
    req: &Request,
) -> Result<PhotoRecord, ApiError> {
    let id = requested_photo_id(req)?;
    match app.store().photo(grant.gallery_id, id).await? {
        Some(photo) if photo.status.visible_to_clients() => Ok(photo),
        _ => Err(ApiError::NotFound),
    }
}

pub(crate) fn requested_photo_id(req: &Request) -> Result<PhotoId, ApiError> {
    PhotoId::parse(&path_param(req, "photo_id")?).map_err(|_| ApiError::NotFound)
}

/// Logs which grant a client request acts for (never the token).
fn record_grant(grant: GrantId) {
    tracing::Span::current().record("grant", tracing::field::display(grant));
}

pub(crate) async fn view_gallery(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let OpenLink { grant, gallery } = authorize_client(app, &req).await?;
    let user_agent = req
        .headers()
        .get("user-agent")
        .and_then(|v| v.to_str().ok());
    let is_view = activity::counts_as_view(req.method().as_str(), user_agent);
    let ends = LinkLife::of(gallery.expiry, grant.expiry).ends;
    let view = gallery_view(app, &req, &grant, gallery, is_view).await?;
    if pages::wants_html(&req) {
        // Every image is the bucket's: the photos', the cover's, the sets' (a gallery of sets
        // alone has no photos of its own).
        let sets = view.navigation.iter().flat_map(|n| &n.subgalleries);
        let images = pages::image_origin(
            view.photos
                .iter()
                .chain(&view.cover)
                .chain(sets.filter_map(|set| set.cover.as_ref()))
                .map(|p| p.thumbnail_url.as_str()),
        );
        let page = pages::GalleryPage::new(view, grant.kind, req.uri().path(), ends);
        return pages::styled_html(
            200,
            &page,
            images.as_deref(),
            page.style_source().as_deref(),
        );
    }
    json(200, &view)
}

/// What the client of `grant` sees of its `gallery` (the page `req` asks for): the same for
/// the client and for the photographer's preview. A client's first page by a person
/// (`is_view`) on a private link is counted, alongside the page's read, never after it.
/// The reads: the page, and on a first page the neighbours, all at once.
pub(crate) async fn gallery_view(
    app: &App,
    req: &Request,
    grant: &GrantRecord,
    gallery: GalleryRecord,
    is_view: bool,
) -> Result<ClientGalleryView, ApiError> {
    let page = requested_page(req)?;
    let first_page = page.after.is_none();
    let counts = is_view && grant.kind == GrantKind::Private && first_page;
    let count_view = async {
        if counts {
            milestones::record_view(app, grant).await;
        }
    };
    let read = app
        .store()
        .photos_in_order(&gallery, page, |p| p.status.visible_to_clients());
    // The way up and down is read alongside the page: both need only the gallery.
    let neighbours = async {
        if first_page {
            navigation(app, req, grant, &gallery).await.map(Some)
        } else {
            Ok(None)
        }
    };
    // The first page also shows the cover and whose gallery it is.
    let cover = async {
        match gallery.cover_photo_id.filter(|_| first_page) {
            Some(id) => Ok::<_, ApiError>(
                app.store()
                    .photo(gallery.id, id)
                    .await?
                    .filter(|photo| photo.status.visible_to_clients()),
            ),
            None => Ok(None),
        }
    };
    let photographer = app.store().photographer(gallery.owner_id);
    let (page, (), navigation, cover, photographer) =
        tokio::join!(read, count_view, neighbours, cover, photographer);
    let (page, navigation) = (page?, navigation?);
    let cover = cover?;
    let photographer = photographer?.ok_or(ApiError::NotFound)?;
    // Only the look this link may see is ever presigned.
    let look = grant.settings.view_rendition();
    let mut views = Vec::with_capacity(page.photos.len());
    for photo in &page.photos {
        views.push(photo_view(app, photo, look).await?);
    }
    // The cover the photographer chose while clients can see it, else the first in order.
    let cover = match cover.or_else(|| page.photos.first().filter(|_| first_page).cloned()) {
        Some(photo) => Some(photo_view(app, &photo, look).await?),
        None => None,
    };
    Ok(ClientGalleryView {
        expires_at: LinkLife::of(gallery.expiry, grant.expiry)
            .ends
            .map(timestamp),
        title: gallery.title,
        settings: ClientPermissions::from(&grant.settings),
        photos: views,
        cover,
        event_date: gallery.event_date,
        photographer: PhotographerBrandView::new(&photographer, &base_url(app, req)),
        next_cursor: page.next_after.map(cursor_after),
        navigation,
    })
}

/// A photo as a client sees it, its renditions in `look` presigned.
async fn photo_view(
    app: &App,
    photo: &PhotoRecord,
    look: ViewRendition,
) -> Result<ClientPhotoView, ApiError> {
    let store = app.store();
    let ttl = app.config().view_url_ttl;
    let url = |size| object_keys::rendition(photo.gallery_id, photo.id, size, look);
    let grid = grid_view(app, photo, look).await?;
    Ok(ClientPhotoView {
        photo_id: photo.id.to_string(),
        filename: photo.filename.clone(),
        width: photo.width,
        height: photo.height,
        thumbnail_url: store
            .presign_download(&url(RenditionSize::Thumbnail), ttl)
            .await?,
        preview_url: store
            .presign_download(&url(RenditionSize::Preview), ttl)
            .await?,
        grid,
    })
}

/// Where the viewer of `grant` can go from `gallery`: up to its parent and down to its
/// sub-galleries, each through the link the policy picks ([`GalleryRules::neighbour_link`]).
async fn navigation(
    app: &App,
    req: &Request,
    grant: &GrantRecord,
    gallery: &GalleryRecord,
) -> Result<NavigationView, ApiError> {
    let parent = async {
        let Some(parent_id) = gallery.parent_id else {
            return Ok(None);
        };
        let Some(parent) = app.store().gallery(parent_id).await? else {
            return Ok(None);
        };
        let navigable = parent.navigation_to_subgalleries;
        neighbour(app, req, grant, &parent, navigable, false).await
    };
    let children = async {
        if !gallery.navigation_to_subgalleries {
            return Ok(Vec::new());
        }
        let children = app.store().children_of(gallery.id).await?;
        let links = try_join_all(
            children
                .iter()
                .map(|child| neighbour(app, req, grant, child, true, true)),
        )
        .await?;
        Ok::<_, ApiError>(links.into_iter().flatten().collect())
    };
    let (parent, subgalleries) = tokio::try_join!(parent, children)?;
    Ok(NavigationView {
        parent,
        subgalleries,
    })
}

/// `neighbour` as this viewer reaches it, if they can; `with_cover` for a sub-gallery, shown as
/// a set with its cover.
async fn neighbour(
    app: &App,
    req: &Request,
    grant: &GrantRecord,
    neighbour: &GalleryRecord,
    parent_navigation: bool,
    with_cover: bool,
) -> Result<Option<NeighbourView>, ApiError> {
    if !parent_navigation {
        return Ok(None);
    }
    let (viewer, own) = match (grant.kind, grant.login_id, &grant.email) {
        (GrantKind::General, _, _) => (Viewer::GeneralLink, None),
        (GrantKind::Private, Some(login), _) => (
            Viewer::Login,
            app.store()
                .release(login, neighbour.id)
                .await?
                .map(|r| r.grant_id),
        ),
        // A link found by email is the viewer's own only when the photographer sent both to
        // that address: an identified visitor's address was never checked, either way.
        (GrantKind::Private, None, Some(email)) if grant.origin.proves_its_email() => (
            Viewer::PrivateLink,
            match app.store().client_access(neighbour.id, email).await? {
                EmailsAccess::Grant(there) if there.origin.proves_its_email() => Some(there.id),
                _ => None,
            },
        ),
        (GrantKind::Private, None, _) => (Viewer::PrivateLink, None),
    };
    let Some(target) =
        GalleryRules::neighbour_link(parent_navigation, viewer, own, neighbour.general_grant_id)
    else {
        return Ok(None);
    };
    let cover = if with_cover {
        set_cover(app, neighbour, target).await?
    } else {
        None
    };
    Ok(Some(NeighbourView {
        title: neighbour.title.clone(),
        link: link(app, req, target)?,
        cover,
    }))
}

/// A sub-gallery's cover as its set shows it: in the look of the link the set opens, and none
/// where that link asks a password or has closed (the photo would show what the link guards).
async fn set_cover(
    app: &App,
    gallery: &GalleryRecord,
    target: GrantId,
) -> Result<Option<ClientPhotoView>, ApiError> {
    let (grant, summary) = tokio::try_join!(
        app.store().grant(target),
        app.store().photos_summary(gallery.clone())
    )?;
    let Some(grant) = grant else {
        return Ok(None);
    };
    let open = LinkLife::of(gallery.expiry, grant.expiry).is_open(app.now());
    match summary.cover {
        Some(photo) if open && !grant.settings.password_protected() => Ok(Some(
            photo_view(app, &photo, grant.settings.view_rendition()).await?,
        )),
        _ => Ok(None),
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = UnlockRequest)]
#[serde(deny_unknown_fields)]
pub(crate) struct Unlock {
    password: String,
}

pub(crate) async fn unlock_gallery(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let input: Unlock = json_or_form_body(app, &req)?;
    let grant = link_for_token(app, &req).await?.grant;
    let Some(hash) = grant.settings.password.clone() else {
        return Err(ApiError::conflict(
            ConflictCode::PasswordNotSet,
            "this gallery has no password; open it directly",
        ));
    };
    let now = app.now();
    let secrets = app.secrets()?;
    let source = sign_in::source(app, &req)?;
    // A device that unlocked this link recently, under its current password, meets a higher
    // ceiling than new devices, and a budget of its own (its earlier session names it).
    let known_device = link_session(&req)
        .and_then(|session| secrets.open_session(session))
        .filter(|earlier| earlier.marks_known_device(grant.id, grant.password_version, now))
        .map(|earlier| {
            secrets.device_tag(&format!("link:{}:{}", earlier.grant_id, earlier.expires_at))
        });
    let guesser = Guesser {
        source: &source,
        known_device: known_device.as_deref(),
    };
    let reservation = app
        .store()
        .reserve_unlock_attempt(grant.id, &guesser, now)
        .await?;
    sign_in::check_secret(app, reservation, ApiError::NotFound, async {
        match verify_password(input.password, hash).await {
            true => Ok(()),
            false => Err(ApiError::WrongPassword),
        }
    })
    .await?;
    let ttl = app.config().client_session_ttl.as_secs();
    let claims = SessionClaims {
        grant_id: grant.id,
        expires_at: now + ttl,
        password_version: grant.password_version,
    };
    // A page's form goes back to the link, the session in the link's cookie.
    let link = pages::page_root(req.uri().path()).map(|(_, link)| link);
    sign_in::Session {
        signed: secrets.sign_session(&claims),
        expires_at: claims.expires_at,
        ttl_secs: ttl,
        cookie: pages::LINK_SESSION_COOKIE,
        page: link,
    }
    .answer(app, &req, serde_json::Map::new())
}

/// How the OpenAPI description tells this module's routes (`openapi::describe`).
pub(crate) mod doc {
    use crate::openapi::describe::*;

    pub(crate) fn view_gallery() -> OperationDoc {
        OperationDoc {
            tag: Tag::Client,
            summary: "Open a shared gallery (client)",
            description: Some(format!(
                "What the link shows: the gallery's title, the link's permissions and its ready \
                 photos, in the gallery's `photo_order`. A password-protected link needs \
                 `Authorization: Bearer <session>` from {}. A `cursor` made before the \
                 photographer changed the order (or rearranged the photos) answers the first \
                 page of the new order.",
                route_name(Route::UnlockGallery)
            )),
            paged: true,
            validates: false,
            request: None,
            success: returns(
                200,
                "The gallery as this client sees it.",
                Schemas::body::<ClientGalleryView>,
            ),
            refusals: vec![Refusal {
                errors: vec![ApiError::PasswordRequired],
                description: "The link is password protected and no live session for its \
                    current password was sent.",
            }],
        }
    }

    pub(crate) fn unlock_gallery() -> OperationDoc {
        OperationDoc {
            tag: Tag::Client,
            summary: "Unlock a password-protected link (client)",
            description: Some(format!(
                "Exchanges the link's password for a session. At most {per_source} wrong tries \
                 per network address (IPv6: per /64) and {per_link} from new devices together, \
                 per link per {window} minutes; a right password uses up no try. A device that \
                 unlocked this link before may send its earlier session (even expired) as \
                 `Authorization: Bearer <session>`: it is then a known device, with {per_device} \
                 wrong tries of its own from any address and no share in the new devices' \
                 ceiling, so guessers elsewhere can't lock it out. Needs no credentials besides \
                 the token.",
                per_source = UnlockThrottle::PER_SOURCE.max_attempts,
                per_link = UnlockThrottle::PER_LINK.max_attempts,
                per_device = UnlockThrottle::PER_DEVICE.max_attempts,
                window = UnlockThrottle::WINDOW_SECS / 60,
            )),
            paged: false,
            validates: false,
            request: Some(Schemas::body::<Unlock>),
            success: returns(200, "A session for this link.", Schemas::body::<Session>),
            refusals: vec![
                Refusal {
                    errors: vec![ApiError::WrongPassword],
                    description: "The password is not correct.",
                },
                Refusal {
                    errors: vec![ApiError::conflict(ConflictCode::PasswordNotSet, "")],
                    description: "The link has no password: open it directly.",
                },
                Refusal {
                    errors: vec![ApiError::TooManyAttempts {
                        retry_after_secs: 1,
                    }],
                    description: "Too many tries on this link; wait `Retry-After` seconds.",
                },
            ],
        }
    }
}
