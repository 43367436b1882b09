//! Photo uploads (presigned PUTs; ingest happens on the S3 event), the photographer's own order
//! of a gallery's photos, and the watermark logo.

use std::time::Duration;

use lambda_http::{Body, Request, Response};
use proofsheet_policy::photo_order::{PhotoOrder, manual_arrangement};
use proofsheet_policy::{
    Invalid, PhotoId, PhotographerId, UploadRequest, ViewRendition, cursor_after,
};
use proofsheet_store::object_keys::{self, RenditionSize};
use proofsheet_store::{GalleryRecord, Overwrite, PhotoRecord, PhotoStatus, PresignedRequest};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::owned_gallery;
use crate::handlers::requested_page;
use crate::http_io::{json, json_body, no_content, path_param};
use crate::query::Choice;
use crate::views::{PhotoView, UploadView, system_timestamp};
use proofsheet_app::App;

use crate::ApiError;

/// Long enough for a large file on a slow connection, short enough to be useless if leaked.
const UPLOAD_URL_TTL: Duration = Duration::from_secs(15 * 60);

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = PhotoUploadRequest)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateUpload {
    /// The file's name; only its last path component is kept (at most 255 characters). Never
    /// part of a storage key.
    #[schema(min_length = 1)]
    filename: String,
    /// `image/jpeg` (or `image/jpg`) or `image/png`, case-insensitive.
    #[schema(examples("image/jpeg", "image/png"))]
    content_type: String,
    /// Exact size in bytes; at most the deployment's MAX_UPLOAD_BYTES (default 52428800). The
    /// upload must be exactly this size.
    #[schema(minimum = 1)]
    size: u64,
}

fn upload_view(photo_id: Option<PhotoId>, presigned: PresignedRequest) -> UploadView {
    UploadView {
        photo_id: photo_id.map(|id| id.to_string()),
        upload_url: presigned.url,
        upload_method: presigned.method,
        upload_headers: presigned.headers.into_iter().collect(),
        expires_at: system_timestamp(presigned.expires_at),
    }
}

pub(crate) async fn create_upload(
    app: &App,
    owner: PhotographerId,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let input: CreateUpload = json_body(&req)?;
    let gallery = owned_gallery(app, owner, &req).await?;
    let upload = UploadRequest::parse(
        &input.filename,
        &input.content_type,
        input.size,
        app.config().max_upload_bytes,
    )?;
    let photo = PhotoRecord {
        id: PhotoId::from_uuid(Uuid::now_v7()),
        gallery_id: gallery.id,
        owner_id: owner,
        filename: upload.filename,
        content_type: upload.content_type.mime().to_owned(),
        size: upload.size,
        status: PhotoStatus::Uploading,
        rejection_code: None,
        rejection_reason: None,
        width: None,
        height: None,
        created_at: app.now(),
        captured_at: None,
        grid_widths: Vec::new(),
    };
    app.store().create_photo(&photo).await?;
    let presigned = app
        .store()
        .presign_upload(
            &object_keys::upload(gallery.id, photo.id),
            photo.content_type.as_str(),
            photo.size,
            Overwrite::Refuse,
            UPLOAD_URL_TTL,
        )
        .await?;
    json(201, &upload_view(Some(photo.id), presigned))
}

/// `?order=` of a gallery's photo list.
const LIST_ORDER: Choice = Choice {
    name: "order",
    values: &["upload", "gallery"],
    description: "`upload`: every photo, any status, in upload order. `gallery`: the photos \
                  clients see (`ready`), in the gallery's order (its `photo_order`), as its \
                  clients page through them.",
};

pub(crate) async fn list(
    app: &App,
    owner: PhotographerId,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let in_gallery_order = LIST_ORDER.read(&req)? == "gallery";
    let page = requested_page(&req)?;
    let gallery = owned_gallery(app, owner, &req).await?;
    let page = if in_gallery_order {
        let shown = |p: &PhotoRecord| p.status.visible_to_clients();
        app.store().photos_in_order(&gallery, page, shown).await?
    } else {
        app.store().photos_page(gallery.id, page, |_| true).await?
    };
    let mut views = Vec::with_capacity(page.photos.len());
    for photo in &page.photos {
        let thumbnail = if photo.status.has_renditions() {
            let key = object_keys::rendition(
                gallery.id,
                photo.id,
                RenditionSize::Thumbnail,
                ViewRendition::Clean,
            );
            Some(
                app.store()
                    .presign_download(&key, app.config().view_url_ttl)
                    .await?,
            )
        } else {
            None
        };
        views.push(PhotoView::new(photo, thumbnail));
    }
    json(
        200,
        &serde_json::json!({
            "photos": views,
            "next_cursor": page.next_after.map(cursor_after),
        }),
    )
}

pub(crate) async fn delete(
    app: &App,
    owner: PhotographerId,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let gallery = owned_gallery(app, owner, &req).await?;
    let photo_id =
        PhotoId::parse(&path_param(&req, "photo_id")?).map_err(|_| ApiError::NotFound)?;
    if app.store().photo(gallery.id, photo_id).await?.is_none() {
        return Err(ApiError::NotFound);
    }
    // Files before the record: if this fails midway, the photo is still listed and deleting it
    // again finishes the job, rather than leaving files no record points to.
    app.store()
        .delete_objects(&object_keys::photo_objects(gallery.id, photo_id))
        .await?;
    app.store()
        .delete_prefix(&object_keys::photo_download_prefix(gallery.id, photo_id))
        .await?;
    app.store().delete_photo(gallery.id, photo_id).await?;
    no_content()
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = PhotoOrderRequest)]
#[serde(deny_unknown_fields)]
pub(crate) struct ArrangePhotos {
    /// Ready photos of the gallery in the order clients are to see them, each once. Ready
    /// photos not named follow in capture order; photos that become ready later come last.
    #[schema(value_type = Vec<String>)]
    photo_ids: Vec<String>,
}

/// A gallery's photos as the photographer arranged them.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = PhotoArrangement)]
pub(crate) struct ArrangementView {
    /// Always `manual`: the gallery's `photo_order` now.
    #[schema(value_type = crate::openapi::values::PhotoOrder)]
    photo_order: PhotoOrder,
    /// Every ready photo of the gallery, in the order clients see them.
    #[schema(value_type = Vec<String>)]
    photo_ids: Vec<String>,
}

/// `PUT /galleries/{gallery_id}/order`: the photographer's own order of the gallery's ready
/// photos, which the gallery then follows (`photo_order` becomes `manual`).
pub(crate) async fn arrange(
    app: &App,
    owner: PhotographerId,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let input: ArrangePhotos = json_body(&req)?;
    let gallery = owned_gallery(app, owner, &req).await?;
    let ready = app.store().ready_photo_moments(gallery.id).await?;
    let arrangement = manual_arrangement(&input.photo_ids, &ready)?;
    // The arrangement first: a gallery in manual order always has the one it shows.
    let stored = app.store().arrange_photos(gallery.id, &arrangement).await?;
    if gallery.photo_order != PhotoOrder::Manual {
        app.store()
            .change_gallery(gallery, |gallery| {
                Ok::<_, ApiError>(GalleryRecord {
                    photo_order: PhotoOrder::Manual,
                    ..gallery.clone()
                })
            })
            .await?;
    }
    json(
        200,
        &ArrangementView {
            photo_order: PhotoOrder::Manual,
            photo_ids: stored.iter().map(PhotoId::to_string).collect(),
        },
    )
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = LogoUploadRequest)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateLogoUpload {
    /// Must be `image/png` (for its transparency).
    #[schema(examples("image/png"))]
    content_type: String,
    /// Exact size in bytes, at most 2 MiB.
    #[schema(minimum = 1, maximum = 2097152)]
    size: u64,
}

pub(crate) async fn create_logo_upload(
    app: &App,
    owner: PhotographerId,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let upload = json_body::<CreateLogoUpload>(&req)?.checked()?;
    // A new logo replaces the old one; it is validated each time it is used.
    logo_upload(app, &upload, &object_keys::logo(owner)).await
}

impl CreateLogoUpload {
    pub(crate) fn checked(&self) -> Result<UploadRequest, Invalid> {
        UploadRequest::parse_logo(&self.content_type, self.size)
    }
}

/// A presigned PUT of a PNG logo to `key`, which a new one replaces.
pub(crate) async fn logo_upload(
    app: &App,
    upload: &UploadRequest,
    key: &str,
) -> Result<Response<Body>, ApiError> {
    let presigned = app
        .store()
        .presign_upload(
            key,
            upload.content_type.mime(),
            upload.size,
            Overwrite::Allow,
            UPLOAD_URL_TTL,
        )
        .await?;
    json(201, &upload_view(None, presigned))
}

/// How the OpenAPI description tells this module's routes (`openapi::describe`).
pub(crate) mod doc {
    use crate::openapi::describe::*;

    pub(crate) fn create_upload() -> OperationDoc {
        OperationDoc {
            tag: Tag::Photos,
            summary: "Start a photo upload",
            description: Some(
                "Registers a photo (status `uploading`) and returns a presigned PUT for its \
                 original. Send the file with the returned `upload_headers` (they include \
                 `If-None-Match: *`: the URL puts one file, and never replaces one); when it \
                 lands, ingest checks it is the announced type and size, renders thumbnail and \
                 preview, clean and watermarked, and the photo becomes `ready` (or `rejected`, \
                 with `rejection_code` and `rejection_reason`). A rejected photo is uploaded \
                 again through a new upload request."
                    .into(),
            ),
            paged: false,
            validates: true,
            request: Some(Schemas::body::<CreateUpload>),
            success: returns(
                201,
                "Where and how to upload the original.",
                Schemas::body::<UploadView>,
            ),
            refusals: vec![id_collision(Conflict::PhotoExists)],
        }
    }

    pub(crate) fn list() -> Described {
        OperationDoc {
            tag: Tag::Photos,
            summary: "List a gallery's photos",
            description: None,
            paged: true,
            validates: true,
            request: None,
            success: returns(
                200,
                "The photos, in the order asked for.",
                Schemas::body::<PhotoList>,
            ),
            refusals: vec![],
        }
        .taking(super::LIST_ORDER.doc())
    }

    pub(crate) fn delete() -> OperationDoc {
        OperationDoc {
            tag: Tag::Photos,
            summary: "Delete a photo and its files",
            description: None,
            paged: false,
            validates: false,
            request: None,
            success: no_content(),
            refusals: vec![],
        }
    }

    pub(crate) fn arrange() -> OperationDoc {
        OperationDoc {
            tag: Tag::Photos,
            summary: "Arrange a gallery's photos in an order of one's own",
            description: Some(
                "Clients then see the gallery's ready photos in this order: the gallery's \
                 `photo_order` becomes `manual`. Ready photos not named follow in capture order, \
                 and photos that become ready later come last. A client paging through the \
                 gallery meanwhile starts again from its first page. A `photo_ids` entry that is \
                 not a ready photo of this gallery, or comes twice, is a 422 naming `photo_ids`."
                    .into(),
            ),
            paged: false,
            validates: true,
            request: Some(Schemas::body::<ArrangePhotos>),
            success: returns(
                200,
                "The arrangement: every ready photo, in order.",
                Schemas::body::<ArrangementView>,
            ),
            refusals: vec![kept_changing(
                "The gallery kept changing under this request (other changes kept landing \
                 first); the arrangement was stored but the gallery's `photo_order` not set: \
                 sending it again is safe.",
            )],
        }
    }

    pub(crate) fn create_logo_upload() -> OperationDoc {
        OperationDoc {
            tag: Tag::Watermark,
            summary: "Start a watermark logo upload",
            description: Some(
                "Returns a presigned PUT for the photographer's PNG logo (replacing any previous \
                 one), used by galleries whose watermark `mode` is `logo`. Send the returned \
                 `upload_headers`. When the upload lands, every gallery in logo mode is \
                 re-rendered with it; a missing or unusable logo falls back to the text mark."
                    .into(),
            ),
            paged: false,
            validates: true,
            request: Some(Schemas::body::<CreateLogoUpload>),
            success: returns(
                201,
                "Where and how to upload the logo (no `photo_id`).",
                Schemas::body::<UploadView>,
            ),
            refusals: vec![],
        }
    }
}
