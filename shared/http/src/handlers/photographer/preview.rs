//! The photographer's preview: exactly what one client sees of a gallery.

use lambda_http::{Body, Request, Response};
use proofsheet_policy::{ClientLoginId, GrantId, Invalid, PhotographerId};
use proofsheet_store::{GalleryRecord, GrantKind, GrantRecord};

use super::access::general_grant;
use super::owned_gallery;
use crate::ApiError;
use crate::handlers::client::{gallery_view, live_grant};
use crate::http_io::json;
use crate::query::{Shape, Text};
use proofsheet_app::App;

/// `?as=`: whose view.
const VIEWER: Text = Text {
    name: "as",
    description: "Whose view: `general` (the default), `grant:<grant id>` or `login:<login id>`.",
    shape: Shape::Pattern("^(general|grant:[0-9a-f-]{36}|login:[0-9a-f-]{36})$"),
};

/// `GET /galleries/{gallery_id}/preview?as=general|grant:<id>|login:<id>`: the client's own
/// view (same photos, same looks presigned, same navigation), without their password and
/// without counting as their activity.
pub(crate) async fn preview(
    app: &App,
    owner: PhotographerId,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let gallery = owned_gallery(app, owner, &req).await?;
    let grant = viewer(app, owner, &gallery, VIEWER.read(&req).as_deref()).await?;
    json(200, &gallery_view(app, &req, &grant, gallery, false).await?)
}

/// The link whose view `as` names: the general link, one of the gallery's private links, or
/// the link the gallery was released to a client login with.
async fn viewer(
    app: &App,
    owner: PhotographerId,
    gallery: &GalleryRecord,
    as_whom: Option<&str>,
) -> Result<GrantRecord, ApiError> {
    let invalid = || {
        Invalid::new(
            "as",
            "must be `general`, `grant:<grant id>` or `login:<login id>`",
        )
    };
    match as_whom.map(|raw| raw.split_once(':').unwrap_or((raw, ""))) {
        None | Some(("general", "")) => general_grant(app, gallery).await,
        Some(("grant", id)) => {
            let id = GrantId::parse(id).map_err(|_| invalid())?;
            // A link that opens nothing any more (its login revoked) previews nothing.
            match live_grant(app, id).await {
                Ok(grant) if grant.gallery_id == gallery.id && grant.kind == GrantKind::Private => {
                    Ok(grant)
                }
                Ok(_) | Err(ApiError::NotFound) => Err(ApiError::NotFound),
                Err(e) => Err(e),
            }
        }
        Some(("login", id)) => {
            let id = ClientLoginId::parse(id).map_err(|_| invalid())?;
            let login = app.store().client_login(id).await?;
            if !login.is_some_and(|l| l.owner_id == owner && !l.revoked) {
                return Err(ApiError::NotFound);
            }
            let release = app
                .store()
                .release(id, gallery.id)
                .await?
                .ok_or(ApiError::NotFound)?;
            app.store()
                .grant(release.grant_id)
                .await?
                .ok_or(ApiError::NotFound)
        }
        Some(_) => Err(invalid().into()),
    }
}

/// How the OpenAPI description tells this module's routes (`openapi::describe`).
pub(crate) mod doc {
    use crate::openapi::describe::*;

    pub(crate) fn preview() -> Described {
        OperationDoc {
            tag: Tag::Access,
            summary: "Preview a gallery as one client sees it",
            description: Some(
                "`?as=general` (the default), `?as=grant:<grant id>` (a private link of this \
                 gallery) or `?as=login:<login id>` (a client login it is released to): the \
                 view that client gets from `GET /g/{token}` (the same photos, looks, \
                 permissions and navigation), without their password, and not counted as their \
                 activity. Pages with `limit` and `cursor` like the client's."
                    .into(),
            ),
            paged: true,
            validates: true,
            request: None,
            success: returns(
                200,
                "The client's view.",
                Schemas::body::<ClientGalleryView>,
            ),
            refusals: vec![],
        }
        .taking(super::VIEWER.doc())
    }
}
