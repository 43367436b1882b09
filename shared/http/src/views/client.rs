//! What a client's routes answer: the gallery behind a link, favourites, the download manager
//! and its requests, and a client login's overview.

use proofsheet_policy::{AccessSettings, DownloadState, DownloadStatus, DownloadUsage, Resolution};
use proofsheet_store::DownloadRequestRecord;
use serde::Serialize;
use utoipa::ToSchema;

use super::*;

#[derive(Serialize, ToSchema)]
#[schema(as = ClientPhoto)]
pub(crate) struct ClientPhotoView {
    #[schema(format = "uuid")]
    pub photo_id: String,
    #[serde(serialize_with = "shown")]
    pub filename: String,
    #[schema(required)]
    pub width: Option<u32>,
    #[schema(required)]
    pub height: Option<u32>,
    /// Short-lived presigned GET.
    #[schema(format = "uri")]
    pub thumbnail_url: String,
    /// Short-lived presigned GET.
    #[schema(format = "uri")]
    pub preview_url: String,
    /// The photo at the grid's sizes (WebP, short-lived presigned GETs), narrowest first: a
    /// `srcset` for a tile or a cover. Empty for a photo rendered before they existed; its
    /// thumbnail stands in.
    pub grid: Vec<GridSizeView>,
}

/// The photographer as their galleries present them.
#[derive(Serialize, ToSchema)]
#[schema(as = PhotographerBrand)]
pub(crate) struct PhotographerBrandView {
    #[serde(serialize_with = "shown")]
    pub name: String,
    /// Where clients write to them.
    #[schema(format = "email")]
    pub contact_email: String,
    /// Their pages' accent colour (`#rrggbb`); `null`: Proofsheet's own.
    #[schema(required, value_type = Option<String>)]
    pub accent_colour: Option<proofsheet_policy::AccentColour>,
    #[schema(value_type = crate::openapi::values::FontPairing)]
    pub font_pairing: proofsheet_policy::FontPairing,
    /// Their logo; `null`: their name stands alone.
    #[schema(required)]
    pub logo: Option<LogoView>,
}

/// A photographer's logo: a PNG at a lasting address (emails show it too).
#[derive(Serialize, ToSchema)]
#[schema(as = Logo)]
pub(crate) struct LogoView {
    #[schema(format = "uri")]
    pub url: String,
    /// Its size in pixels (at most 800 × 200); show it at most 48 px high for a sharp header.
    pub width: u32,
    pub height: u32,
    /// Its address on this origin, for our own pages.
    #[serde(skip)]
    pub path: String,
    #[serde(skip)]
    pub logo: proofsheet_policy::BrandLogo,
}

impl LogoView {
    /// `owner`'s logo at its address under `base` (the public base URL).
    pub fn new(
        owner: proofsheet_policy::PhotographerId,
        logo: &proofsheet_policy::BrandLogo,
        base: &str,
    ) -> Self {
        let path = logo.path(owner);
        Self {
            url: format!("{base}{path}"),
            width: logo.width,
            height: logo.height,
            path,
            logo: logo.clone(),
        }
    }
}

impl PhotographerBrandView {
    /// `base`: the public base URL the logo's address starts with.
    pub fn new(photographer: &proofsheet_store::PhotographerRecord, base: &str) -> Self {
        let brand = &photographer.brand;
        Self {
            logo: photographer
                .logo
                .as_ref()
                .map(|logo| LogoView::new(photographer.id, logo, base)),
            name: photographer.name.to_string(),
            contact_email: brand
                .contact_email
                .as_ref()
                .unwrap_or(&photographer.email)
                .to_string(),
            accent_colour: brand.accent.clone(),
            font_pairing: brand.fonts,
        }
    }
}

/// One of a photo's grid sizes.
#[derive(Serialize, ToSchema)]
#[schema(as = GridSize)]
pub(crate) struct GridSizeView {
    /// In pixels; the height follows the photo's ratio.
    pub width: u32,
    /// WebP; short-lived presigned GET.
    #[schema(format = "uri")]
    pub url: String,
}

#[derive(Serialize, ToSchema)]
#[schema(as = ClientGallery)]
pub(crate) struct ClientGalleryView {
    #[serde(serialize_with = "shown")]
    pub title: String,
    #[schema(value_type = crate::openapi::values::ClientPermissions)]
    pub settings: proofsheet_policy::ClientPermissions,
    /// Ready photos only, in the gallery's `photo_order`, one page at a time. URLs point to watermarked
    /// renditions when the link's `watermark` is on, to clean ones otherwise.
    pub photos: Vec<ClientPhotoView>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    #[schema(required)]
    pub next_cursor: Option<String>,
    /// Until when this link works (the gallery's date, or the link's own when earlier); `null`
    /// when it doesn't expire.
    #[schema(required, format = DateTime)]
    pub expires_at: Option<String>,
    /// Where this viewer can go from here; on the first page only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub navigation: Option<NavigationView>,
    /// The gallery's cover: the photo the photographer chose, else the first in order; on the
    /// first page of a gallery with photos only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub cover: Option<ClientPhotoView>,
    /// The day its photographs were taken (`YYYY-MM-DD`); `null` when the photographer gave none.
    #[schema(required, value_type = Option<String>, format = Date)]
    pub event_date: Option<proofsheet_policy::EventDate>,
    /// Whose gallery it is, and how their pages look.
    pub photographer: PhotographerBrandView,
}

/// The neighbouring galleries a client can open from this one: its parent and its sub-galleries,
/// when the photographer allows navigation between them.
#[derive(Serialize, ToSchema)]
#[schema(as = Navigation)]
pub(crate) struct NavigationView {
    /// Back up to the parent gallery; `null` at the top, or when navigation is off.
    #[schema(required)]
    pub parent: Option<NeighbourView>,
    /// Oldest first; empty when there are none, or navigation is off.
    pub subgalleries: Vec<NeighbourView>,
}

/// A neighbouring gallery and the link this viewer opens it with: their own link there if they
/// have one, else its general link (with its own password and watermark).
#[derive(Serialize, ToSchema)]
#[schema(as = Neighbour)]
pub(crate) struct NeighbourView {
    #[serde(serialize_with = "shown")]
    pub title: String,
    #[schema(format = "uri")]
    pub link: String,
    /// A sub-gallery's cover, in the look its link shows; absent for the parent, and where the
    /// link asks a password, has closed, or has no photos yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub cover: Option<ClientPhotoView>,
}

/// One of the client's favourites lists.
#[derive(Serialize, ToSchema)]
#[schema(as = FavouriteList)]
pub(crate) struct FavouriteListView {
    /// 1 to 60 characters; `Favourites` is the list used when none is named.
    #[serde(serialize_with = "shown")]
    pub name: String,
    /// In the order they were uploaded.
    #[schema(value_type = Vec<String>)]
    pub photo_ids: Vec<String>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = Favourites)]
pub(crate) struct FavouritesView {
    /// By name. A list exists while it holds a photo.
    pub lists: Vec<FavouriteListView>,
}

/// A visitor's new private link.
#[derive(Serialize, ToSchema)]
#[schema(as = VisitorLink)]
pub(crate) struct VisitorLinkView {
    #[schema(format = "uuid")]
    pub grant_id: String,
    /// The visitor's own link (also emailed to them); use it from now on.
    #[schema(format = "uri")]
    pub link: String,
    /// When the link has a password (copied from the general link): a session for the new link,
    /// so the visitor need not type it again.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub session: Option<String>,
}

/// The link went to the address instead of the caller.
#[derive(Serialize, ToSchema)]
#[schema(as = CheckEmail)]
pub(crate) struct CheckEmailView {
    #[schema(pattern = "^check_email$")]
    pub status: &'static str,
    pub message: &'static str,
}

#[derive(Serialize, ToSchema)]
#[schema(as = ManagedPhoto)]
pub(crate) struct ManagedPhotoView {
    #[schema(format = "uuid")]
    pub photo_id: String,
    #[schema(value_type = crate::openapi::values::DownloadState)]
    pub state: DownloadState,
}

/// The client's download manager.
#[derive(Serialize, ToSchema)]
#[schema(as = DownloadManager)]
pub(crate) struct DownloadManagerView {
    pub downloads_enabled: bool,
    /// What a request may ask for; empty when downloads are off.
    #[schema(value_type = Vec<crate::openapi::values::Resolution>)]
    pub resolutions: Vec<Resolution>,
    /// Whether downloaded files carry the watermark.
    pub watermarked: bool,
    /// Photos this link may download in all; `null` is unlimited.
    #[schema(required)]
    pub limit: Option<u32>,
    /// Photos downloaded so far (each counts once, whatever the resolution).
    pub used: u32,
    /// `null` when unlimited.
    #[schema(required)]
    pub remaining: Option<u32>,
    /// Downloaded photos, and selected ones not downloaded yet.
    pub photos: Vec<ManagedPhotoView>,
}

impl DownloadManagerView {
    pub fn new(
        settings: &AccessSettings,
        usage: DownloadUsage,
        photos: Vec<ManagedPhotoView>,
    ) -> Self {
        let permissions = proofsheet_policy::ClientPermissions::from(settings);
        Self {
            downloads_enabled: permissions.downloads_enabled,
            resolutions: permissions.download_resolutions,
            watermarked: permissions.downloads_watermarked,
            limit: usage.limit,
            used: usage.used,
            remaining: usage.remaining(),
            photos,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub(crate) struct ProgressView {
    /// Photos in the ZIP so far.
    pub done: u32,
    pub total: u32,
}

/// One download request.
#[derive(Serialize, ToSchema)]
#[schema(as = DownloadRequest)]
pub(crate) struct DownloadRequestView {
    #[schema(format = "uuid")]
    pub request_id: String,
    #[schema(value_type = crate::openapi::values::DownloadStatus)]
    pub status: DownloadStatus,
    #[schema(value_type = crate::openapi::values::Resolution)]
    pub resolution: Resolution,
    pub watermarked: bool,
    #[schema(value_type = Vec<String>)]
    pub photos: Vec<String>,
    /// Photos this request counted against the limit (the others were downloaded before).
    pub charged: u32,
    #[schema(inline)]
    pub progress: ProgressView,
    /// The (first) ZIP's download link, once `ready`; `null` until then. The same link the
    /// client was emailed.
    #[schema(required, format = "uri")]
    pub link: Option<String>,
    /// Every ZIP of the request (a download past the size of one ZIP comes as several), once
    /// `ready`.
    pub zips: Vec<ZipView>,
    /// Photos that could not be prepared: not in the ZIP, and not counted.
    pub left_out: Vec<LeftOutView>,
    /// When the links stop working; `null` until `ready`.
    #[schema(required, format = DateTime)]
    pub links_expire_at: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
}

/// One ZIP of a download request.
#[derive(Serialize, ToSchema)]
#[schema(as = DownloadZip)]
pub(crate) struct ZipView {
    #[schema(format = "uri")]
    pub link: String,
    /// The name the browser saves it under.
    #[serde(serialize_with = "shown")]
    pub file_name: String,
    pub photos: u32,
    pub bytes: u64,
}

/// A photo left out of a download.
#[derive(Serialize, ToSchema)]
#[schema(as = LeftOutPhoto)]
pub(crate) struct LeftOutView {
    #[schema(format = "uuid")]
    pub photo_id: String,
    /// Empty when the photo was deleted.
    #[serde(serialize_with = "shown")]
    pub filename: String,
    /// `missing` (deleted), or why it could not be read (`corrupt`, `too_large`, …).
    pub reason: String,
}

impl DownloadRequestView {
    /// The view of `request`, with `links` its ZIPs' download links in order.
    pub fn new(request: &DownloadRequestRecord, links: Vec<String>) -> Self {
        let count =
            |photos: &[proofsheet_policy::PhotoId]| u32::try_from(photos.len()).unwrap_or(u32::MAX);
        let zips: Vec<ZipView> = request
            .zips
            .iter()
            .zip(links)
            .map(|(zip, link)| ZipView {
                link,
                file_name: zip.file_name.clone(),
                photos: zip.photos,
                bytes: zip.bytes,
            })
            .collect();
        Self {
            request_id: request.id.to_string(),
            status: request.status,
            resolution: request.resolution,
            watermarked: request.watermarked,
            photos: request.photos.iter().map(ToString::to_string).collect(),
            charged: count(&request.charged),
            progress: ProgressView {
                done: request.photos_done,
                total: count(&request.photos),
            },
            link: zips.first().map(|z| z.link.clone()),
            zips,
            left_out: request
                .left_out
                .iter()
                .map(|l| LeftOutView {
                    photo_id: l.photo_id.to_string(),
                    filename: l.filename.clone(),
                    reason: l.reason.clone(),
                })
                .collect(),
            links_expire_at: request.links_expire_at.map(timestamp),
            created_at: timestamp(request.created_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[schema(as = DownloadRequestList)]
pub(crate) struct DownloadRequestListView {
    /// Newest first.
    pub requests: Vec<DownloadRequestView>,
}

/// A gallery in a client login's overview.
#[derive(Serialize, ToSchema)]
#[schema(as = MyGallery)]
pub(crate) struct MyGalleryView {
    #[schema(format = "uuid")]
    pub gallery_id: String,
    #[serde(serialize_with = "shown")]
    pub title: String,
    /// The parent gallery, when this is a sub-gallery.
    #[schema(required, format = "uuid")]
    pub parent_id: Option<String>,
    /// Photos the client can see.
    pub photo_count: u32,
    /// The cover's thumbnail (presigned, short-lived), in the look this login may see; `null`
    /// while the gallery has no photos.
    #[schema(required)]
    pub cover: Option<CoverView>,
    /// Opens the gallery like a private link, with this login's settings for it.
    #[schema(format = "uri")]
    pub link: String,
    #[schema(format = DateTime)]
    pub released_at: String,
    /// Until when the link works; `null` when it doesn't expire.
    #[schema(required, format = DateTime)]
    pub expires_at: Option<String>,
    /// The link has expired: it answers 410, and the card has no cover.
    pub expired: bool,
    /// `expires_at` in Unix seconds, for the page's wording.
    #[serde(skip)]
    pub ends: Option<u64>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = Cover)]
pub(crate) struct CoverView {
    #[schema(format = "uuid")]
    pub photo_id: String,
    #[schema(format = "uri")]
    pub thumbnail_url: String,
    #[schema(required)]
    pub width: Option<u32>,
    #[schema(required)]
    pub height: Option<u32>,
    /// The cover's grid sizes (WebP), narrowest first, in the same look; empty for a photo
    /// rendered before they existed.
    pub grid: Vec<GridSizeView>,
}

/// A client login's overview: every gallery released to it.
#[derive(Serialize, ToSchema)]
#[schema(as = MyGalleries)]
pub(crate) struct MyGalleriesView {
    /// The client's name, as the photographer entered it.
    #[serde(serialize_with = "shown")]
    pub name: String,
    #[serde(serialize_with = "shown")]
    pub photographer: String,
    pub galleries: Vec<MyGalleryView>,
}
