//! One function per route: parse → policy → store → respond.

mod access;
mod client;
mod galleries;
mod photos;

use lambda_http::{Body, Request, Response};
use proofsheet_policy::{GalleryId, PhotoPage, PhotographerId};
use proofsheet_store::GalleryRecord;

use crate::http_io::{bearer, path_param, query_param};
use crate::secrets::api_key_hash;
use crate::{ApiError, App, Route};

pub(crate) async fn handle(
    app: &App,
    route: Route,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    match route {
        Route::ViewGallery => return client::view_gallery(app, req).await,
        Route::UnlockGallery => return client::unlock_gallery(app, req).await,
        _ => {}
    }
    let owner = authenticate(app, &req).await?;
    match route {
        Route::CreateGallery => galleries::create(app, owner, req).await,
        Route::ListGalleries => galleries::list(app, owner).await,
        Route::GetGallery => galleries::get(app, owner, req).await,
        Route::UpdateGallery => galleries::update(app, owner, req).await,
        Route::DeleteGallery => galleries::delete(app, owner, req).await,
        Route::CreatePhotoUpload => photos::create_upload(app, owner, req).await,
        Route::ListPhotos => photos::list(app, owner, req).await,
        Route::DeletePhoto => photos::delete(app, owner, req).await,
        Route::CreateLogoUpload => photos::create_logo_upload(app, owner, req).await,
        Route::PutGeneralAccess => access::put_general(app, owner, req).await,
        Route::GetGeneralAccess => access::get_general(app, owner, req).await,
        Route::CreatePrivateAccess => access::create_private(app, owner, req).await,
        Route::ListPrivateAccess => access::list_private(app, owner, req).await,
        Route::UpdatePrivateAccess => access::update_private(app, owner, req).await,
        Route::DeletePrivateAccess => access::delete_private(app, owner, req).await,
        Route::ViewGallery | Route::UnlockGallery => Err(ApiError::NoRoute),
    }
}

/// The photographer whose API key the request carries.
async fn authenticate(app: &App, req: &Request) -> Result<PhotographerId, ApiError> {
    let key = bearer(req).ok_or(ApiError::Unauthorized)?;
    let photographer = app
        .store
        .photographer_for_api_key(&api_key_hash(key))
        .await?
        .ok_or(ApiError::Unauthorized)?;
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
    match app.store.gallery(id).await? {
        Some(gallery) if gallery.owner_id == owner => Ok(gallery),
        _ => Err(ApiError::NotFound),
    }
}

/// The page of photos asked for with `?limit=` and `?cursor=`.
fn requested_page(req: &Request) -> Result<PhotoPage, ApiError> {
    Ok(PhotoPage::parse(
        query_param(req, "limit").as_deref(),
        query_param(req, "cursor").as_deref(),
    )?)
}
