//! A client login's side: the login page (`POST /p/{slug}/login`) and the overview of every
//! gallery released to the login (`GET /me/galleries`).

use futures::future::try_join_all;
use lambda_http::{Body, Request, Response};
use proofsheet_policy::expiry::LinkLife;
use proofsheet_policy::{
    AccessCode, ClientLoginId, Guesser, LoginSessionClaims, PhotographerId, Slug,
};
use proofsheet_store::{ClientLoginRecord, PhotosSummary, ReleaseRecord};
use serde::Deserialize;
use uuid::Uuid;

use crate::handlers::{base_url, cover_view, link};
use crate::http_io::{bearer, json, json_or_form_body, path_param};
use crate::pages;
use crate::views::{MyGalleriesView, MyGalleryView, PhotographerBrandView, timestamp};
use proofsheet_app::App;

use crate::ApiError;

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = ClientLoginRequest)]
#[serde(deny_unknown_fields)]
pub(crate) struct LogIn {
    /// As the photographer gave it: case, spaces and dashes don't matter, nor do `O`/`0` and
    /// `I`/`L`/`1`.
    access_code: String,
}

/// What a try whose page or code can't match anything hashes, so that every refusal costs the
/// same argon2id as a real check.
fn nobody() -> PhotographerId {
    PhotographerId::from_uuid(Uuid::nil())
}

pub(crate) async fn log_in(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let input: LogIn = json_or_form_body(app, &req)?;
    let secrets = app.secrets()?;
    let now = app.now();
    // A malformed slug is visibly no page: refused at once, with the same answer.
    let page = Slug::parse(&path_param(&req, "slug")?).map_err(|_| ApiError::WrongAccessCode)?;
    let owner = app.store().photographer_for_slug(&page).await?;
    // A former address of a page is that page: its tries are counted on the page's address now
    // (one budget, however often it moved), and a form posted there lands on it.
    let page = match owner {
        Some(owner) => app
            .store()
            .photographer(owner)
            .await?
            .map_or(page, |photographer| photographer.slug),
        None => page,
    };
    // A device that logged in to this page recently (it sends its earlier session, even
    // expired) meets a higher ceiling than new devices, and a budget of its own.
    let known_device = match (
        owner,
        login_session(&req).and_then(|s| secrets.open_login_session(s)),
    ) {
        (Some(owner), Some(earlier)) => live_login(app, earlier.login_id)
            .await?
            .filter(|login| {
                login.owner_id == owner && earlier.marks_known_device(login.code_version, now)
            })
            .map(|login| secrets.device_tag(&format!("login:{}", login.id))),
        _ => None,
    };

    // An unknown page is counted like a real one.
    let source = super::sign_in::source(app, &req)?;
    let guesser = Guesser {
        source: &source,
        known_device: known_device.as_deref(),
    };
    let reservation = app
        .store()
        .reserve_login_attempt(&page, &guesser, now)
        .await?;
    // Every path of the check hashes once and reads one claim, so a wrong code, an unknown page
    // and a revoked login take the same time and get the same answer.
    let login = super::sign_in::check_secret(app, reservation, ApiError::WrongAccessCode, async {
        let typed = AccessCode::typed(&input.access_code);
        let could_match = typed.is_some() && owner.is_some();
        let code = typed.unwrap_or_else(|| AccessCode::generate([0; 16]));
        let owner_or_nobody = owner.unwrap_or_else(nobody);
        let hash = secrets
            .access_code_hash(owner_or_nobody, &code)
            .await
            .map_err(ApiError::Internal)?;
        let found = app.store().login_for_code(owner_or_nobody, &hash).await?;
        let login = match found {
            Some(id) if could_match => live_login(app, id).await?,
            _ => None,
        };
        // The login must still have this very code: a claim read just before a new code
        // replaced it opens nothing.
        login
            .filter(|l| Some(l.owner_id) == owner && l.code_hash == hash)
            .ok_or(ApiError::WrongAccessCode)
    })
    .await?;
    let claims = LoginSessionClaims {
        login_id: login.id,
        expires_at: now + LoginSessionClaims::DEFAULT_TTL_SECS,
        code_version: login.code_version,
    };
    // A page's form goes back to the login page, which now lists the client's galleries.
    let mut more = serde_json::Map::new();
    more.insert("name".into(), login.name.to_string().into());
    super::sign_in::Session {
        signed: secrets.sign_login_session(&claims),
        expires_at: claims.expires_at,
        ttl_secs: LoginSessionClaims::DEFAULT_TTL_SECS,
        cookie: pages::LOGIN_SESSION_COOKIE,
        page: Some(&format!("/p/{page}")),
    }
    .answer(app, &req, more)
}

async fn live_login(app: &App, id: ClientLoginId) -> Result<Option<ClientLoginRecord>, ApiError> {
    Ok(app.store().client_login(id).await?.filter(|l| !l.revoked))
}

/// The login whose live session the request carries: signed by us, not expired, opened with the
/// login's current code, and the login not revoked.
pub(crate) async fn logged_in(app: &App, req: &Request) -> Result<ClientLoginRecord, ApiError> {
    let claims = login_session(req)
        .and_then(|session| app.secrets().ok()?.open_login_session(session))
        .ok_or(ApiError::LoginRequired)?;
    let login = live_login(app, claims.login_id)
        .await?
        .ok_or(ApiError::LoginRequired)?;
    if !claims.admits(login.code_version, app.now()) {
        return Err(ApiError::LoginRequired);
    }
    Ok(login)
}

/// `POST /p/{slug}/logout`, the overview's button: the browser forgets the page's session (a
/// session is signed, not stored: what ends it for good is a new access code).
pub(crate) async fn log_out(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let page = Slug::parse(&path_param(&req, "slug")?).map_err(|_| ApiError::NotFound)?;
    let _: LogOut = json_or_form_body(app, &req)?;
    let page_path = format!("/p/{page}");
    let forget = pages::cleared_cookie(app, pages::LOGIN_SESSION_COOKIE, &page_path)?;
    pages::see_other(&page_path, forget)
}

/// The log-out form has no fields.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LogOut {}

/// A login session from the API's `Authorization` header, or from the login page's cookie.
fn login_session(req: &Request) -> Option<&str> {
    bearer(req).or_else(|| pages::cookie(req, pages::LOGIN_SESSION_COOKIE))
}

pub(crate) async fn my_galleries(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let login = logged_in(app, &req).await?;
    json(200, &overview(app, &req, &login).await?)
}

/// `GET /p/{slug}`: the photographer's login page; once the browser holds a session for a login
/// of this photographer, the galleries released to it instead.
pub(crate) async fn login_page(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let page = Slug::parse(&path_param(&req, "slug")?).map_err(|_| ApiError::NotFound)?;
    let owner = app
        .store()
        .photographer_for_slug(&page)
        .await?
        .ok_or(ApiError::NotFound)?;
    let photographer = app
        .store()
        .photographer(owner)
        .await?
        .ok_or(ApiError::NotFound)?;
    // An address the photographer has left leads to the one they use now.
    if photographer.slug != page {
        return pages::moved_to(&format!("/p/{}", photographer.slug));
    }
    let logged_in_here = match logged_in(app, &req).await {
        Ok(login) if login.owner_id == owner => Some(login),
        _ => None,
    };
    if let Some(login) = logged_in_here {
        let overview = overview(app, &req, &login).await?;
        let covers = overview.galleries.iter().filter_map(|g| g.cover.as_ref());
        let images = pages::image_origin(covers.map(|c| c.thumbnail_url.as_str()));
        let brand = pages::PageBrand::from(&PhotographerBrandView::new(
            &photographer,
            &base_url(app, &req),
        ));
        let styles = pages::style_source(&brand.css);
        let page = pages::OverviewPage::new(overview, brand, &format!("/p/{page}"));
        return pages::styled_html(200, &page, images.as_deref(), styles.as_deref());
    }
    let brand = pages::PageBrand::from(&PhotographerBrandView::new(
        &photographer,
        &base_url(app, &req),
    ));
    let styles = pages::style_source(&brand.css);
    pages::styled_html(
        200,
        &pages::LoginPage {
            brand: Some(brand),
            action: format!("/p/{page}/login"),
            problem: None,
        },
        None,
        styles.as_deref(),
    )
}

/// Every gallery released to `login`, newest release first.
async fn overview(
    app: &App,
    req: &Request,
    login: &ClientLoginRecord,
) -> Result<MyGalleriesView, ApiError> {
    let (photographer, mut releases) = tokio::try_join!(
        app.store().photographer(login.owner_id),
        app.store().releases_of(login.id),
    )?;
    // Newest release first: what the photographer just added is what the client came for.
    // Grant ids are time-ordered and made at release.
    releases.sort_by_key(|release| std::cmp::Reverse(release.grant_id));
    let cards = try_join_all(releases.iter().map(|release| card(app, req, release))).await?;
    let galleries: Vec<MyGalleryView> = cards.into_iter().flatten().collect();
    Ok(MyGalleriesView {
        name: login.name.to_string(),
        photographer: photographer.map(|p| p.name.to_string()).unwrap_or_default(),
        galleries,
    })
}

/// One released gallery's card; `None` when the gallery or its link is gone.
async fn card(
    app: &App,
    req: &Request,
    release: &ReleaseRecord,
) -> Result<Option<MyGalleryView>, ApiError> {
    // The gallery comes with its photos' count and cover (its chosen one, else its first).
    let (summary, grant) = tokio::try_join!(
        app.store().visible_photos_summary(release.gallery_id),
        app.store().grant(release.grant_id),
    )?;
    let (Some(summary), Some(grant)) = (summary, grant) else {
        return Ok(None);
    };
    let PhotosSummary {
        gallery,
        photo_count,
        cover,
    } = summary;
    let life = LinkLife::of(gallery.expiry, grant.expiry);
    let expired = !life.is_open(app.now());
    // An expired gallery shows nothing of its photos, here as behind its link.
    let cover = match cover.filter(|_| !expired) {
        Some(photo) => Some(cover_view(app, &photo, grant.settings.view_rendition()).await?),
        None => None,
    };
    Ok(Some(MyGalleryView {
        gallery_id: gallery.id.to_string(),
        title: gallery.title,
        parent_id: gallery.parent_id.map(|id| id.to_string()),
        photo_count,
        cover,
        link: link(app, req, grant.id)?,
        released_at: timestamp(release.released_at),
        expires_at: life.ends.map(timestamp),
        expired,
        ends: life.ends,
    }))
}

/// How the OpenAPI description tells this module's routes (`openapi::describe`).
pub(crate) mod doc {
    use crate::openapi::describe::*;

    pub(crate) fn login_page() -> OperationDoc {
        OperationDoc {
            tag: Tag::Client,
            summary: "The photographer's login page (HTML, for browsers)",
            description: Some(
                "A page with the access-code form, which posts to `POST /p/{slug}/login` and \
                 keeps the session in a cookie for this page. With that cookie, the page lists \
                 the galleries released to the client instead (what `GET /me/galleries` gives \
                 as JSON)."
                    .into(),
            ),
            paged: false,
            validates: false,
            request: None,
            success: Success {
                status: 200,
                description: "An HTML page (`text/html`): the login form, or the client's galleries.",
                body: None,
            },
            refusals: Vec::new(),
        }
    }

    pub(crate) fn log_in() -> OperationDoc {
        OperationDoc {
            tag: Tag::Client,
            summary: "Log in with an access code (client login)",
            description: Some(format!(
                "Exchanges a client login's access code for a session of {days} days, sent as \
                 `Authorization: Bearer <session>` to `GET /me/galleries`. A wrong code, an \
                 unknown page and a revoked login all answer the same 401, in the same time. At \
                 most {per_source} wrong codes per network address (IPv6: per /64) and \
                 {per_page} from new devices together, per login page per {window} minutes; a \
                 right code uses up no try. A device that logged in here before may send its \
                 earlier session (even expired): it is then a known device, with {per_device} \
                 wrong codes of its own from any address and room up to {known} from all \
                 devices together.",
                days = LoginSessionClaims::DEFAULT_TTL_SECS / 86_400,
                per_source = UnlockThrottle::LOGIN_PER_SOURCE.max_attempts,
                per_page = UnlockThrottle::LOGIN_PER_PAGE.max_attempts,
                per_device = UnlockThrottle::LOGIN_PER_DEVICE.max_attempts,
                known = UnlockThrottle::LOGIN_PER_PAGE_FOR_KNOWN_DEVICES.max_attempts,
                window = UnlockThrottle::WINDOW_SECS / 60,
            )),
            paged: false,
            validates: false,
            request: Some(Schemas::body::<LogIn>),
            success: returns(
                200,
                "A session for this login.",
                Schemas::body::<LoginSession>,
            ),
            refusals: vec![
                Refusal {
                    errors: vec![ApiError::WrongAccessCode],
                    description: "The code opens nothing on this page.",
                },
                Refusal {
                    errors: vec![ApiError::TooManyAttempts {
                        retry_after_secs: 1,
                    }],
                    description: "Too many wrong codes from this address or on this page; \
                        `Retry-After` says when to try again.",
                },
            ],
        }
    }

    pub(crate) fn log_out() -> OperationDoc {
        OperationDoc {
            tag: Tag::Client,
            summary: "Log out on the login page (a browser's form)",
            description: Some(
                "The overview's button: answers `303` to the login page with the page's session \
                 cookie cleared. Sessions are signed, not stored; a new access code ends every \
                 session of the login for good. A form from another site's page is refused."
                    .into(),
            ),
            paged: false,
            validates: false,
            request: None,
            success: Success {
                status: 303,
                description: "`Location` is the login page; `Set-Cookie` clears the session.",
                body: None,
            },
            refusals: Vec::new(),
        }
    }

    pub(crate) fn my_galleries() -> OperationDoc {
        OperationDoc {
            tag: Tag::Client,
            summary: "Every gallery released to the logged-in client",
            description: Some(
                "Needs the session of `POST /p/{slug}/login`. Each gallery opens through its \
                 `link` exactly like a private link, with the login's settings for it; galleries \
                 released later appear here without a new link."
                    .into(),
            ),
            paged: false,
            validates: false,
            request: None,
            success: returns(
                200,
                "The galleries, newest release first.",
                Schemas::body::<MyGalleriesView>,
            ),
            refusals: vec![Refusal {
                errors: vec![ApiError::LoginRequired],
                description: "No live session: none sent, expired, the code was changed since, \
                    or the login was deleted.",
            }],
        }
    }
}
