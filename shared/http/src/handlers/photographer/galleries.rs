//! Galleries and sub-galleries.

use futures::{StreamExt, TryStreamExt};
use lambda_http::{Body, Request, Response};
use proofsheet_policy::gallery::ParentRefused;
use proofsheet_policy::photo_order::PhotoOrder;
use proofsheet_policy::{
    EventDate, GalleryId, GalleryRules, Invalid, ParentGallery, PhotoId, PhotographerId, Position,
    Title, ViewRendition, WatermarkMode, WatermarkUpdate,
};
use proofsheet_store::object_keys;
use proofsheet_store::{DueFor, GalleryRecord, StoreError};
use serde::Deserialize;

use super::owned_gallery;
use crate::handlers::cover_view;
use crate::http_io::{json, json_body, no_content, parse_timestamp, present};
use crate::views::{GalleryView, ListedGalleryView, SubgalleryView};
use proofsheet_app::App;

use crate::{ApiError, ConflictCode};

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = GalleryCreate)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateGallery {
    /// Trimmed; 1 to 200 characters, no control characters.
    #[schema(min_length = 1, max_length = 200)]
    title: String,
    /// Create a sub-gallery of this gallery (one of the caller's; at most 3 levels below a
    /// top-level gallery). An unknown or foreign parent is a 422 on `parent_id`. A sub-gallery
    /// never starts wider open than its parent: its general link starts with a copy of the
    /// parent's general-access settings at this moment (password included), and it takes the
    /// parent's watermark and expiry date; change any of them afterwards.
    #[schema(format = "uuid")]
    parent_id: Option<String>,
    /// The day its photographs were taken (`YYYY-MM-DD`), shown on its cover. A sub-gallery
    /// without one takes its parent's.
    #[schema(format = Date)]
    event_date: Option<String>,
}

pub(crate) async fn create(
    app: &App,
    owner: PhotographerId,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let input: CreateGallery = json_body(&req)?;
    let title = Title::parse(&input.title)?;
    let event_date = input
        .event_date
        .as_deref()
        .map(EventDate::parse)
        .transpose()?;
    let now = app.now();
    let Some(raw_parent) = input.parent_id else {
        let (mut gallery, general) =
            GalleryRecord::new(owner, None, 0, &title, GalleryRules::defaults(), now);
        gallery.event_date = event_date;
        app.store().create_gallery(&gallery, &general, None).await?;
        return json(201, &GalleryView::from(&gallery));
    };
    let no_parent = || Invalid::new("parent_id", "no such gallery");
    let parent_id = GalleryId::parse(&raw_parent).map_err(|_| no_parent())?;
    let parent = match app.store().parent_as_read(parent_id).await {
        Err(StoreError::NotFound) => return Err(no_parent().into()),
        read => read?,
    };
    let made = app
        .store()
        .create_subgallery(parent, |parent| {
            let (depth, defaults) = GalleryRules::subgallery(
                ParentGallery {
                    owner: parent.gallery.owner_id,
                    depth: parent.gallery.depth,
                    being_deleted: parent.gallery.deleting,
                    watermark: &parent.gallery.watermark,
                    general_access: &parent.general.settings,
                    expiry: parent.gallery.expiry,
                },
                owner,
            )
            .map_err(|refused| match refused {
                ParentRefused::NotFound => no_parent(),
                ParentRefused::TooDeep => Invalid::new(
                    "parent_id",
                    format!(
                        "sub-galleries nest at most {} levels deep",
                        GalleryRules::MAX_LEVELS
                    ),
                ),
            })?;
            let (mut gallery, general) =
                GalleryRecord::new(owner, Some(parent.gallery.id), depth, &title, defaults, now);
            gallery.event_date = event_date.or(parent.gallery.event_date);
            Ok::<_, ApiError>((gallery, general))
        })
        .await;
    let (gallery, _) = match made {
        // The parent was deleted after we read it: the same answer as if it never existed.
        Err(ApiError::NotFound) => return Err(no_parent().into()),
        made => made?,
    };
    // Its parent's closing date is its own: its clients are reminded before it too.
    if let (Some(at), Some(set_at)) = (gallery.expiry, gallery.expiry_set_at) {
        let subject = DueFor {
            gallery_id: gallery.id,
            grant_id: None,
        };
        schedule_reminders(app, subject, at, set_at).await?;
    }
    json(201, &GalleryView::from(&gallery))
}

pub(crate) async fn list(
    app: &App,
    owner: PhotographerId,
    _req: Request,
) -> Result<Response<Body>, ApiError> {
    let galleries = app.store().galleries_of(owner).await?;
    // Each card's count and cover: one query per gallery, a few at a time.
    let views: Vec<ListedGalleryView> = futures::stream::iter(galleries)
        .map(|gallery| listed(app, gallery))
        .buffered(LISTED_AT_ONCE)
        .try_collect()
        .await?;
    json(200, &serde_json::json!({ "galleries": views }))
}

/// How many galleries' photos the list reads at once.
const LISTED_AT_ONCE: usize = 8;

async fn listed(app: &App, gallery: GalleryRecord) -> Result<ListedGalleryView, ApiError> {
    let summary = app.store().photos_summary(gallery).await?;
    let cover = match &summary.cover {
        Some(photo) => Some(cover_view(app, photo, ViewRendition::Clean).await?),
        None => None,
    };
    Ok(ListedGalleryView {
        gallery: GalleryView::from(&summary.gallery),
        photo_count: summary.photo_count,
        cover,
    })
}

pub(crate) async fn get(
    app: &App,
    owner: PhotographerId,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let gallery = owned_gallery(app, owner, &req).await?;
    let children = subgalleries(app, &gallery).await?;
    let mut view = GalleryView::from(&gallery);
    view.subgalleries = Some(
        children
            .iter()
            .map(|c| SubgalleryView {
                id: c.id.to_string(),
                title: c.title.clone(),
            })
            .collect(),
    );
    json(200, &view)
}

async fn subgalleries(app: &App, gallery: &GalleryRecord) -> Result<Vec<GalleryRecord>, ApiError> {
    Ok(app.store().children_of(gallery.id).await?)
}

/// A partial update: absent fields keep their value (`null` is refused: 400).
// Every field: absent keeps the current value (see `present`).
#[serde_with::apply(_ => #[serde(default, deserialize_with = "present")])]
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = GalleryUpdate)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateGallery {
    #[schema(nullable = false, min_length = 1, max_length = 200)]
    title: Option<String>,
    #[schema(nullable = false)]
    navigation_to_subgalleries: Option<bool>,
    #[schema(nullable = false)]
    watermark: Option<WatermarkInput>,
    /// When the gallery's client links stop working (RFC 3339, before 2100), or `null` for
    /// never. A date already past closes them now; moving it forward opens them again. Each
    /// client is reminded by email before it (`EXPIRY_REMINDER_DAYS`, default 7 and 1 days).
    #[schema(value_type = Option<String>, format = DateTime)]
    expires_at: Option<Option<String>>,
    /// The order clients see the photos in.
    #[schema(value_type = crate::openapi::values::PhotoOrder)]
    photo_order: Option<PhotoOrder>,
    /// The photo shown for the gallery (a ready photo of it), or `null` for the first in order.
    #[schema(value_type = Option<String>, format = "uuid")]
    cover_photo_id: Option<Option<String>>,
    /// The day its photographs were taken (`YYYY-MM-DD`), shown on its cover; `null` for none.
    #[schema(value_type = Option<String>, format = Date)]
    event_date: Option<Option<String>>,
}

/// A partial watermark change: absent fields keep their value. `text: null` returns to the
/// default "© <photographer name>"; `null` on any other field is refused (400). Range errors name
/// the field as `watermark.opacity`, `watermark.scale` or `watermark.text`.
// Every field: absent keeps the current value (see `present`).
#[serde_with::apply(_ => #[serde(default, deserialize_with = "present")])]
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = WatermarkUpdate)]
#[serde(deny_unknown_fields)]
pub(crate) struct WatermarkInput {
    #[schema(value_type = crate::openapi::values::WatermarkMode)]
    mode: Option<WatermarkMode>,
    /// One line of 1 to 100 characters, no control characters, not only spaces.
    #[schema(value_type = Option<String>, min_length = 1, max_length = 100)]
    text: Option<Option<String>>,
    #[schema(value_type = crate::openapi::values::WatermarkPosition)]
    position: Option<Position>,
    #[schema(nullable = false, minimum = 0.1, maximum = 1.0)]
    opacity: Option<f64>,
    #[schema(nullable = false, minimum = 0.05, maximum = 1.0)]
    scale: Option<f64>,
}

pub(crate) async fn update(
    app: &App,
    owner: PhotographerId,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let input: UpdateGallery = json_body(&req)?;
    let expires_at = input
        .expires_at
        .as_ref()
        .map(|raw| {
            raw.as_deref()
                .map(|at| expiry_date("expires_at", at))
                .transpose()
        })
        .transpose()?;
    let read = owned_gallery(app, owner, &req).await?;
    let cover = match &input.cover_photo_id {
        Some(Some(raw)) => Some(Some(cover_photo(app, &read, raw).await?)),
        Some(None) => Some(None),
        None => None,
    };
    let now = app.now();
    // A PATCH is a delta: when another write lands between our read and our write, the store
    // applies it again to the fresh gallery.
    let (before, gallery) = app
        .store()
        .change_gallery(read, |gallery| input.apply(gallery, expires_at, cover, now))
        .await?;
    if gallery.watermark != before.watermark {
        app.rerender_galleries(&[gallery.id]).await?;
    }
    // Written each time the date is sent, so a retried request finishes the schedule; the
    // reminders already sent are remembered by their claims.
    if let (Some(Some(at)), Some(set_at)) = (expires_at, gallery.expiry_set_at) {
        let subject = DueFor {
            gallery_id: gallery.id,
            grant_id: None,
        };
        schedule_reminders(app, subject, at, set_at).await?;
    }
    json(200, &GalleryView::from(&gallery))
}

/// An expiry date as sent (RFC 3339), checked by the policy.
pub(crate) fn expiry_date(field: &'static str, raw: &str) -> Result<u64, ApiError> {
    let at = parse_timestamp(raw).ok_or_else(|| {
        Invalid::new(
            field,
            "must be a date and time in RFC 3339 (2027-06-30T18:00:00Z)",
        )
    })?;
    Ok(proofsheet_policy::expiry::check_expiry(field, at)?)
}

/// Lists what falls due before `subject`'s date `expires_at` (set at `set_at`): its clients'
/// reminders and, for a gallery's own date, the photographer's notice when it passes.
pub(crate) async fn schedule_reminders(
    app: &App,
    subject: DueFor,
    expires_at: u64,
    set_at: u64,
) -> Result<(), ApiError> {
    let tell_photographer = subject.grant_id.is_none();
    let reminders = &app.config().reminder_days;
    let due = reminders.schedule(expires_at, set_at, tell_photographer);
    Ok(app
        .store()
        .schedule_expiry(subject, expires_at, &due)
        .await?)
}

/// The cover the photographer named: one of this gallery's photos that clients can see.
async fn cover_photo(app: &App, gallery: &GalleryRecord, raw: &str) -> Result<PhotoId, ApiError> {
    let refused = || Invalid::new("cover_photo_id", "must be a ready photo of this gallery");
    let id = PhotoId::parse(raw).map_err(|_| refused())?;
    match app.store().photo(gallery.id, id).await? {
        Some(photo) if photo.status.visible_to_clients() => Ok(id),
        _ => Err(refused().into()),
    }
}

impl UpdateGallery {
    /// The gallery with this change applied (`expires_at` and `cover` already checked);
    /// validation errors name the field.
    fn apply(
        &self,
        gallery: &GalleryRecord,
        expires_at: Option<Option<u64>>,
        cover: Option<Option<PhotoId>>,
        now: u64,
    ) -> Result<GalleryRecord, ApiError> {
        let mut next = gallery.clone();
        // The same date again changes nothing: its reminders stay as scheduled.
        if let Some(at) = expires_at.filter(|at| *at != gallery.expiry) {
            next.expiry = at;
            next.expiry_set_at = at.map(|_| now);
        }
        if let Some(order) = self.photo_order {
            next.photo_order = order;
        }
        if let Some(cover) = cover {
            next.cover_photo_id = cover;
        }
        if let Some(title) = &self.title {
            next.title = Title::parse(title)?.to_string();
        }
        if let Some(date) = &self.event_date {
            next.event_date = date.as_deref().map(EventDate::parse).transpose()?;
        }
        if let Some(navigation) = self.navigation_to_subgalleries {
            next.navigation_to_subgalleries = navigation;
        }
        if let Some(w) = &self.watermark {
            next.watermark = next.watermark.apply(WatermarkUpdate {
                mode: w.mode,
                text: w.text.clone(),
                position: w.position,
                opacity: w.opacity,
                scale: w.scale,
            })?;
        }
        Ok(next)
    }
}

pub(crate) async fn delete(
    app: &App,
    owner: PhotographerId,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let gallery = owned_gallery(app, owner, &req).await?;
    // Marked first, then checked for sub-galleries: one created before the mark is found here,
    // and one made after it sees its parent changed (see `create_subgallery`) and is refused, so
    // no sub-gallery is left without its parent.
    let (_, marked) = app
        .store()
        .change_gallery(gallery, |g| {
            Ok::<_, ApiError>(GalleryRecord {
                deleting: true,
                ..g.clone()
            })
        })
        .await?;
    if !GalleryRules::can_delete(subgalleries(app, &marked).await?.len()) {
        app.store()
            .change_gallery(marked, |g| {
                Ok::<_, ApiError>(GalleryRecord {
                    deleting: false,
                    ..g.clone()
                })
            })
            .await?;
        return Err(ApiError::conflict(
            ConflictCode::GalleryHasSubgalleries,
            "delete or move this gallery's sub-galleries first",
        ));
    }
    // Files before items: if this fails midway, the gallery is still there to be deleted
    // again, rather than leaving files no record points to.
    for prefix in object_keys::gallery_prefixes(marked.id) {
        app.store().delete_prefix(&prefix).await?;
    }
    app.store().delete_gallery(&marked).await?;
    no_content()
}

/// How the OpenAPI description tells this module's routes (`openapi::describe`).
pub(crate) mod doc {
    use crate::openapi::describe::*;

    pub(crate) fn create() -> OperationDoc {
        OperationDoc {
            tag: Tag::Galleries,
            summary: "Create a gallery or sub-gallery",
            description: Some(
                "Creates a gallery with default watermark settings and a general link whose \
                 settings allow viewing only, watermarked (no password, downloads off)."
                    .into(),
            ),
            paged: false,
            validates: true,
            request: Some(Schemas::body::<CreateGallery>),
            success: returns(201, "The new gallery.", Schemas::body::<GalleryView>),
            refusals: vec![id_collision(Conflict::GalleryExists)],
        }
    }

    pub(crate) fn list() -> OperationDoc {
        OperationDoc {
            tag: Tag::Galleries,
            summary: "List the photographer's galleries",
            description: None,
            paged: false,
            validates: false,
            request: None,
            success: returns(
                200,
                "Every gallery and sub-gallery.",
                Schemas::body::<GalleryList>,
            ),
            refusals: vec![],
        }
    }

    pub(crate) fn get() -> OperationDoc {
        OperationDoc {
            tag: Tag::Galleries,
            summary: "Get a gallery with its sub-galleries",
            description: None,
            paged: false,
            validates: false,
            request: None,
            success: returns(
                200,
                "The gallery, with `subgalleries`.",
                Schemas::body::<GalleryView>,
            ),
            refusals: vec![],
        }
    }

    pub(crate) fn update() -> OperationDoc {
        OperationDoc {
            tag: Tag::Galleries,
            summary: "Update a gallery's title, navigation or watermark",
            description: Some(
                "Partial update: absent fields keep their value. When the watermark changes, \
                 every ready photo of the gallery is queued for re-rendering, so existing photos \
                 carry the new watermark shortly after; photos still uploading get it at ingest."
                    .into(),
            ),
            paged: false,
            validates: true,
            request: Some(Schemas::body::<UpdateGallery>),
            success: returns(
                200,
                "The updated gallery (without `subgalleries`).",
                Schemas::body::<GalleryView>,
            ),
            refusals: vec![kept_changing(
                "The gallery kept changing under this request (other changes kept landing \
                 first); nothing of this change was applied, and sending it again is safe.",
            )],
        }
    }

    pub(crate) fn delete() -> OperationDoc {
        OperationDoc {
            tag: Tag::Galleries,
            summary: "Delete a gallery, its photos and its links",
            description: Some(
                "Its links stop working at once; originals and renditions are deleted. A \
                 gallery with sub-galleries can't be deleted."
                    .into(),
            ),
            paged: false,
            validates: false,
            request: None,
            success: no_content(),
            refusals: vec![Refusal {
                errors: vec![ApiError::conflict(ConflictCode::GalleryHasSubgalleries, "")],
                description: "The gallery still has sub-galleries.",
            }],
        }
    }
}
