//! A client's favourites: named lists of photos they pick for the photographer.

use lambda_http::{Body, Request, Response};
use proofsheet_app::App;
use proofsheet_policy::{ListName, Milestone, PhotoId};

use super::{private_grant, requested_photo_id, visible_photo};
use crate::ApiError;
use crate::handlers::milestones;
use crate::http_io::{json, no_content};
use crate::query::{Shape, Text};
use crate::views::{FavouriteListView, FavouritesView};

/// `?list=`: which of the client's lists (add and remove both take it).
const LIST: Text = Text {
    name: "list",
    description: "The list's name: trimmed, 1 to 60 printable characters; `Favourites` when \
                  absent.",
    shape: Shape::Chars {
        max: ListName::MAX_CHARS,
    },
};

/// The list a request names with `?list=`, or the default one.
fn requested_list(req: &Request) -> Result<ListName, ApiError> {
    Ok(ListName::or_default(LIST.read(req).as_deref())?)
}

pub(crate) async fn list(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let grant = private_grant(app, &req).await?;
    let lists = app.store().favourite_lists(grant.id).await?;
    // Photos deleted since they were picked drop out; the rest keep the gallery's order.
    let photos = app.store().gallery_photos(grant.gallery_id).await?;
    let views = lists
        .into_iter()
        .map(|list| {
            let photo_ids = photos
                .iter()
                .filter(|p| p.status.visible_to_clients() && list.photos.contains(&p.id))
                .map(|p| p.id.to_string())
                .collect();
            FavouriteListView {
                name: list.name,
                photo_ids,
            }
        })
        .collect();
    json(200, &FavouritesView { lists: views })
}

pub(crate) async fn add(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let grant = private_grant(app, &req).await?;
    let list = requested_list(&req)?;
    let photo = visible_photo(app, &grant, &req).await?;
    let started_a_list = app.store().add_favourite(&grant, &list, photo.id).await??;
    if started_a_list {
        milestones::reached(app, &grant, Milestone::FavouritesListCreated).await;
    }
    no_content()
}

pub(crate) async fn remove(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let grant = private_grant(app, &req).await?;
    let list = requested_list(&req)?;
    // A photo deleted meanwhile can still be taken off a list.
    let photo: PhotoId = requested_photo_id(&req)?;
    app.store().remove_favourite(grant.id, &list, photo).await?;
    no_content()
}

/// How the OpenAPI description tells this module's routes (`openapi::describe`).
pub(crate) mod doc {
    use crate::openapi::describe::*;

    pub(crate) fn list() -> OperationDoc {
        OperationDoc {
            tag: Tag::Client,
            summary: "The client's favourites lists (client)",
            description: None,
            paged: false,
            validates: false,
            request: None,
            success: returns(200, "The lists by name.", Schemas::body::<FavouritesView>),
            refusals: own_link(vec![], ON_GENERAL_LINK),
        }
    }

    pub(crate) fn add() -> Described {
        OperationDoc {
            tag: Tag::Client,
            summary: "Add a photo to a favourites list (client)",
            description: Some(format!(
                "`?list=<name>` names the list (created on first use; `Favourites` when absent; \
                 trimmed, 1 to 60 printable characters). At most {MAX_LISTS} lists and \
                 {MAX_PHOTOS_PER_LIST} photos a list. Adding a photo that is there already \
                 succeeds."
            )),
            paged: false,
            validates: true,
            request: None,
            success: no_content(),
            refusals: own_link(vec![], ON_GENERAL_LINK),
        }
        .taking(super::LIST.doc())
    }

    pub(crate) fn remove() -> Described {
        OperationDoc {
            tag: Tag::Client,
            summary: "Remove a photo from a favourites list (client)",
            description: Some(
                "`?list=<name>` as for adding. Removing what isn't there succeeds; a list \
                 left empty is gone."
                    .into(),
            ),
            paged: false,
            validates: true,
            request: None,
            success: no_content(),
            refusals: own_link(vec![], ON_GENERAL_LINK),
        }
        .taking(super::LIST.doc())
    }
}
