//! What the photographer's clients picked: every list of a gallery, as JSON or as lines ready
//! for Lightroom's filename filter.

use lambda_http::{Body, Request, Response};
use proofsheet_app::App;
use proofsheet_policy::{PhotographerId, lightroom_filter};

use super::owned_gallery;
use crate::ApiError;
use crate::http_io::{json, text};
use crate::query::Choice;
use crate::views::{
    ClientFavouriteListView, ClientFavouritesView, FavouritePhotoView, GalleryFavouritesView,
};

/// `?format=` of the favourites lists.
const LISTS_FORMAT: Choice = Choice {
    name: "format",
    values: &["json", "txt"],
    description: "lines for Lightroom's filename filter, as text/plain.",
};

pub(crate) async fn list(
    app: &App,
    owner: PhotographerId,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let as_text = LISTS_FORMAT.read(&req)? == "txt";
    let gallery = owned_gallery(app, owner, &req).await?;
    let grants = app.store().private_grants_of(gallery.id).await?;
    let mut lists = app.store().gallery_favourite_lists(gallery.id).await?;
    lists.sort_by(|a, b| a.name.cmp(&b.name));
    let photos = app.store().gallery_photos(gallery.id).await?;

    // Lists of revoked grants are left behind in the index: only live clients are shown.
    let clients: Vec<ClientFavouritesView> = grants
        .iter()
        .map(|grant| ClientFavouritesView {
            grant_id: grant.id.to_string(),
            email: grant.email.as_ref().map(ToString::to_string),
            name: grant.name.as_ref().map(ToString::to_string),
            lists: lists
                .iter()
                .filter(|list| list.grant_id == grant.id)
                .map(|list| {
                    // In upload order; photos deleted since are left out.
                    let kept: Vec<_> = photos
                        .iter()
                        .filter(|p| list.photos.contains(&p.id))
                        .collect();
                    ClientFavouriteListView {
                        name: list.name.clone(),
                        lightroom_filter: lightroom_filter(
                            kept.iter().map(|p| p.filename.as_str()),
                        ),
                        photos: kept
                            .iter()
                            .map(|p| FavouritePhotoView {
                                photo_id: p.id.to_string(),
                                filename: p.filename.clone(),
                            })
                            .collect(),
                    }
                })
                .filter(|list| !list.photos.is_empty())
                .collect(),
        })
        .filter(|client| !client.lists.is_empty())
        .collect();

    if as_text {
        return text(200, lightroom_lines(&clients));
    }
    json(200, &GalleryFavouritesView { clients })
}

/// Two lines per list: a `#` heading naming the client and the list, then the photos' names
/// for Lightroom's filename filter (see [`lightroom_filter`]), to paste as they are.
fn lightroom_lines(clients: &[ClientFavouritesView]) -> String {
    let mut out = String::new();
    for client in clients {
        let who = match (&client.name, &client.email) {
            (Some(name), Some(email)) => format!("{name} <{email}>"),
            (None, Some(email)) => email.clone(),
            (Some(name), None) => name.clone(),
            (None, None) => client.grant_id.clone(),
        };
        for list in &client.lists {
            let count = match list.photos.len() {
                1 => "1 photo".to_owned(),
                n => format!("{n} photos"),
            };
            let heading = format!("{who}: {} ({count})", list.name);
            out.push_str(&format!(
                "# {}\n",
                proofsheet_policy::text::one_line(&heading)
            ));
            out.push_str(&list.lightroom_filter);
            out.push('\n');
        }
    }
    out
}

/// How the OpenAPI description tells this module's routes (`openapi::describe`).
pub(crate) mod doc {
    use crate::openapi::describe::*;

    pub(crate) fn list() -> Described {
        OperationDoc {
            tag: Tag::Access,
            summary: "What the gallery's clients picked as favourites",
            description: Some(
                "Every client's lists with the photos' filenames, in upload order. With \
                 `?format=txt` the answer is `text/plain` instead: for each list a `#` line \
                 naming the client and the list, then one line of the photos' names without \
                 extensions, comma-separated, to paste into Lightroom's filename filter (so \
                 `DSC_0412.jpg` also finds `DSC_0412.NEF`)."
                    .into(),
            ),
            paged: false,
            validates: true,
            request: None,
            success: returns(
                200,
                "The clients with at least one list.",
                Schemas::body::<GalleryFavouritesView>,
            ),
            refusals: vec![],
        }
        .taking(super::LISTS_FORMAT.doc())
    }
}
