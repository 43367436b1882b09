//! The photographer's API: every handler here is given the photographer the request's API key
//! (or studio session) belongs to, and sees only that photographer's data.

pub(crate) mod access;
pub(crate) mod account;
pub(crate) mod activity;
pub(crate) mod api_keys;
pub(crate) mod favourites;
pub(crate) mod galleries;
pub(crate) mod logins;
pub(crate) mod photos;
pub(crate) mod preview;

use lambda_http::Request;
use proofsheet_app::App;
use proofsheet_app::secrets::api_key_hash;
use proofsheet_policy::{GalleryId, PhotographerId};
use proofsheet_store::GalleryRecord;

use crate::handlers::studio;
use crate::http_io::{bearer, path_param};
use crate::pages;
use crate::{ApiError, Audience};

/// The photographer whose API key the request carries or, without one, whose studio session
/// its cookie carries. A change made with the cookie must come from the studio's own script
/// (`proofsheet_policy::CookieCall`): another site can make a browser send the cookie, never
/// the studio's header.
///
/// A route for the studio's session only (`Audience::StudioSession`) takes no API key.
pub(crate) async fn authenticate(
    app: &App,
    req: &Request,
    audience: Audience,
) -> Result<PhotographerId, ApiError> {
    let key = bearer(req);
    if audience == Audience::StudioSession && key.is_some() {
        return Err(ApiError::StudioSessionRequired);
    }
    let photographer = match key {
        Some(key) => app
            .store()
            .photographer_for_api_key(&api_key_hash(key))
            .await?
            .ok_or(ApiError::Unauthorized)?,
        None => {
            let photographer = studio::session_photographer(app, req)
                .await?
                .ok_or(ApiError::Unauthorized)?;
            studio::cookie_call(req).may_change_things(&pages::own_origin(app, req))?;
            photographer
        }
    };
    tracing::Span::current().record("photographer", tracing::field::display(photographer));
    Ok(photographer)
}

/// The gallery named in the path, if `owner` owns it. Another photographer's gallery is
/// "not found", exactly like a missing one: ids reveal nothing across tenants.
async fn owned_gallery(
    app: &App,
    owner: PhotographerId,
    req: &Request,
) -> Result<GalleryRecord, ApiError> {
    let id = GalleryId::parse(&path_param(req, "gallery_id")?).map_err(|_| ApiError::NotFound)?;
    match app.store().gallery(id).await? {
        Some(gallery) if gallery.owner_id == owner => Ok(gallery),
        _ => Err(ApiError::NotFound),
    }
}
