//! What the photographer's routes answer: galleries, photos, links and their settings, client
//! logins, favourites, activity and notifications.

use proofsheet_policy::photo_order::PhotoOrder;
use proofsheet_policy::{AccessSettings, Milestone, Resolution, WatermarkSettings};
use proofsheet_store::{
    ApiKeyRecord, ClientLoginRecord, GalleryRecord, GrantOrigin, GrantRecord, PhotoRecord,
    PhotoStatus, PhotographerRecord, ReleaseRecord,
};
use serde::Serialize;
use std::collections::BTreeSet;
use utoipa::ToSchema;

use super::*;

/// The settings of one link, as shown to the photographer.
#[derive(Serialize, ToSchema)]
#[schema(as = AccessSettings)]
pub(crate) struct SettingsView {
    /// Clients are shown only watermarked renditions.
    pub watermark: bool,
    /// Whether the link has a password (the password itself is never returned).
    pub password_set: bool,
    pub downloads_enabled: bool,
    /// `null` is unlimited.
    #[schema(required, maximum = 100000)]
    pub download_limit: Option<u32>,
    #[schema(value_type = BTreeSet<crate::openapi::values::Resolution>)]
    pub download_resolutions: BTreeSet<Resolution>,
    pub downloads_watermarked: bool,
}

impl From<&AccessSettings> for SettingsView {
    fn from(s: &AccessSettings) -> Self {
        Self {
            watermark: s.watermark,
            password_set: s.password.is_some(),
            downloads_enabled: s.downloads_enabled,
            download_limit: s.download_limit,
            download_resolutions: s.download_resolutions.clone(),
            downloads_watermarked: s.downloads_watermarked,
        }
    }
}

/// The gallery's general (public) link and its settings.
#[derive(Serialize, ToSchema)]
#[schema(as = GeneralAccess)]
pub(crate) struct GeneralAccessView {
    #[serde(flatten)]
    pub settings: SettingsView,
    /// `<public base URL>/g/<token>`.
    #[schema(format = "uri")]
    pub link: String,
}

/// One client's private link.
#[derive(Serialize, ToSchema)]
#[schema(as = PrivateGrant)]
pub(crate) struct GrantView {
    #[schema(format = "uuid")]
    pub grant_id: String,
    /// Always set for private grants.
    #[schema(required, format = "email")]
    #[serde(serialize_with = "shown_if_any")]
    pub email: Option<String>,
    #[schema(required)]
    #[serde(serialize_with = "shown_if_any")]
    pub name: Option<String>,
    /// `<public base URL>/g/<token>`; for this client only.
    #[schema(format = "uri")]
    pub link: String,
    pub settings: SettingsView,
    #[schema(inline)]
    pub usage: UsageView,
    /// `photographer`: shared by the photographer; `visitor`: a visitor of the general link gave
    /// this email to keep favourites or download (settings copied from the general link then);
    /// `login`: the gallery was released to the client login `login_id`.
    #[schema(value_type = String, pattern = "^(photographer|visitor|login)$")]
    pub origin: GrantOrigin,
    /// The client login this link belongs to (origin `login`), else `null`.
    #[schema(required, format = "uuid")]
    pub login_id: Option<String>,
    /// The link's own end (`null`: it follows the gallery's). The earlier of this and the
    /// gallery's `expires_at` is when it stops working.
    #[schema(required, format = DateTime)]
    pub expires_at: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct UsageView {
    pub downloads_used: u32,
    /// Same as `settings.download_limit`.
    #[schema(required)]
    pub download_limit: Option<u32>,
}

impl GrantView {
    pub fn new(grant: &GrantRecord, link: String) -> Self {
        Self {
            grant_id: grant.id.to_string(),
            email: grant.email.as_ref().map(ToString::to_string),
            name: grant.name.as_ref().map(ToString::to_string),
            link,
            settings: SettingsView::from(&grant.settings),
            usage: UsageView {
                downloads_used: grant.downloads_used,
                download_limit: grant.settings.download_limit,
            },
            origin: grant.origin,
            login_id: grant.login_id.map(|id| id.to_string()),
            expires_at: grant.expiry.map(timestamp),
            created_at: timestamp(grant.created_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[schema(as = Gallery)]
pub(crate) struct GalleryView {
    #[schema(format = "uuid")]
    pub id: String,
    #[schema(min_length = 1, max_length = 200)]
    #[serde(serialize_with = "shown")]
    pub title: String,
    /// The parent gallery of a sub-gallery; `null` for a top-level gallery.
    #[schema(required, format = "uuid")]
    pub parent_id: Option<String>,
    pub navigation_to_subgalleries: bool,
    #[schema(value_type = crate::openapi::values::WatermarkSettings)]
    #[serde(serialize_with = "shown_watermark")]
    pub watermark: WatermarkSettings,
    #[schema(format = DateTime)]
    pub created_at: String,
    /// When its client links stop working; `null` never.
    #[schema(required, format = DateTime)]
    pub expires_at: Option<String>,
    #[schema(value_type = crate::openapi::values::PhotoOrder)]
    pub photo_order: PhotoOrder,
    /// The cover the photographer chose; `null`: the first photo in order.
    #[schema(required, format = "uuid")]
    pub cover_photo_id: Option<String>,
    /// The day its photographs were taken (`YYYY-MM-DD`), shown on its cover; `null` for none.
    #[schema(required, value_type = Option<String>, format = Date)]
    pub event_date: Option<proofsheet_policy::EventDate>,
    /// Direct sub-galleries; only in the response of `GET /galleries/{gallery_id}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub subgalleries: Option<Vec<SubgalleryView>>,
}

/// An API key as listed: never the key itself.
#[derive(Serialize, ToSchema)]
#[schema(as = ApiKey)]
pub(crate) struct ApiKeyView {
    #[schema(format = "uuid")]
    pub key_id: String,
    #[serde(serialize_with = "shown")]
    pub name: String,
    /// The key's last four characters, to tell keys apart.
    pub hint: String,
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<&ApiKeyRecord> for ApiKeyView {
    fn from(k: &ApiKeyRecord) -> Self {
        Self {
            key_id: k.key_id.to_string(),
            name: k.name.clone(),
            hint: k.hint.clone(),
            created_at: timestamp(k.created_at),
        }
    }
}

/// A new API key: how it is listed, and the key, this once.
#[derive(Serialize, ToSchema)]
#[schema(as = ApiKeyMade)]
pub(crate) struct CreatedApiKeyView {
    #[serde(flatten)]
    pub key: ApiKeyView,
    /// Send as `Authorization: Bearer <api_key>`. Shown this once: only its SHA-256 is kept.
    pub api_key: String,
}

/// One gallery of the photographer's list, with what its card shows.
#[derive(Serialize, ToSchema)]
#[schema(as = ListedGallery)]
pub(crate) struct ListedGalleryView {
    #[serde(flatten)]
    pub gallery: GalleryView,
    /// How many of its photos clients see (those `ready`).
    pub photo_count: u32,
    /// Its cover (the chosen one, else the first in order) as a short-lived presigned GET of
    /// the clean thumbnail; `null` while it has no ready photo.
    #[schema(required)]
    pub cover: Option<CoverView>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = Subgallery)]
pub(crate) struct SubgalleryView {
    #[schema(format = "uuid")]
    pub id: String,
    #[serde(serialize_with = "shown")]
    pub title: String,
}

impl From<&GalleryRecord> for GalleryView {
    fn from(g: &GalleryRecord) -> Self {
        Self {
            id: g.id.to_string(),
            title: g.title.clone(),
            parent_id: g.parent_id.map(|p| p.to_string()),
            navigation_to_subgalleries: g.navigation_to_subgalleries,
            watermark: g.watermark.clone(),
            created_at: timestamp(g.created_at),
            expires_at: g.expiry.map(timestamp),
            photo_order: g.photo_order,
            cover_photo_id: g.cover_photo_id.map(|p| p.to_string()),
            event_date: g.event_date,
            subgalleries: None,
        }
    }
}

#[derive(Serialize, ToSchema)]
#[schema(as = Photo)]
pub(crate) struct PhotoView {
    #[schema(format = "uuid")]
    pub photo_id: String,
    #[serde(serialize_with = "shown")]
    pub filename: String,
    #[schema(schema_with = crate::openapi::values::photo_content_type)]
    pub content_type: String,
    /// Bytes, as declared when the upload was requested.
    #[schema(minimum = 1)]
    pub size: u64,
    #[schema(value_type = crate::openapi::values::PhotoStatus)]
    pub status: PhotoStatus,
    /// Why ingest rejected the photo, as a stable code: `truncated_image` (the file ends early),
    /// `corrupt`, `not_an_image`, `unsupported_format`, `too_large`, `limit_exceeded`,
    /// `size_mismatch` or `type_mismatch` (not the file that was announced), `decoder_panicked`.
    #[schema(required)]
    pub rejection_code: Option<String>,
    /// The same reason, as a sentence for the photographer.
    #[schema(required)]
    pub rejection_reason: Option<String>,
    /// Pixels; known once the photo is `ready`.
    #[schema(required)]
    pub width: Option<u32>,
    #[schema(required)]
    pub height: Option<u32>,
    /// Short-lived presigned GET of the clean (unwatermarked) thumbnail; only for `ready` photos.
    #[schema(required, format = "uri")]
    pub thumbnail_url: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl PhotoView {
    pub fn new(p: &PhotoRecord, thumbnail_url: Option<String>) -> Self {
        Self {
            photo_id: p.id.to_string(),
            filename: p.filename.clone(),
            content_type: p.content_type.clone(),
            size: p.size,
            status: p.status,
            rejection_code: p.rejection_code.clone(),
            rejection_reason: p.rejection_reason.clone(),
            width: p.width,
            height: p.height,
            thumbnail_url,
            created_at: timestamp(p.created_at),
        }
    }
}

/// A presigned S3 request. Send the file with `upload_method` to `upload_url` before
/// `expires_at`, carrying every header of `upload_headers` exactly as given (they are signed:
/// content type and length must match the request).
#[derive(Serialize, ToSchema)]
#[schema(as = Upload)]
pub(crate) struct UploadView {
    /// The photo being uploaded (status `uploading` until ingest). Absent for a logo upload.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, format = "uuid")]
    pub photo_id: Option<String>,
    #[schema(format = "uri")]
    pub upload_url: String,
    #[schema(examples("PUT"))]
    pub upload_method: String,
    /// Headers the upload must carry exactly as given: they are part of the signature.
    #[schema(schema_with = crate::openapi::values::upload_headers)]
    pub upload_headers: std::collections::BTreeMap<String, String>,
    /// 15 minutes after issue.
    #[schema(format = DateTime)]
    pub expires_at: String,
}

#[derive(Serialize, ToSchema)]
#[schema(as = FavouritePhoto)]
pub(crate) struct FavouritePhotoView {
    #[schema(format = "uuid")]
    pub photo_id: String,
    #[serde(serialize_with = "shown")]
    pub filename: String,
}

#[derive(Serialize, ToSchema)]
#[schema(as = ClientFavouriteList)]
pub(crate) struct ClientFavouriteListView {
    #[serde(serialize_with = "shown")]
    pub name: String,
    pub photos: Vec<FavouritePhotoView>,
    /// The photos' names without extensions, comma-separated: to paste into Lightroom's
    /// filename filter (so `DSC_0412.jpg` also finds `DSC_0412.NEF`).
    pub lightroom_filter: String,
}

/// One client's lists, as the photographer sees them.
#[derive(Serialize, ToSchema)]
#[schema(as = ClientFavourites)]
pub(crate) struct ClientFavouritesView {
    #[schema(format = "uuid")]
    pub grant_id: String,
    #[schema(required, format = "email")]
    #[serde(serialize_with = "shown_if_any")]
    pub email: Option<String>,
    #[schema(required)]
    #[serde(serialize_with = "shown_if_any")]
    pub name: Option<String>,
    pub lists: Vec<ClientFavouriteListView>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = GalleryFavourites)]
pub(crate) struct GalleryFavouritesView {
    /// Clients with at least one list, in the order they were given access.
    pub clients: Vec<ClientFavouritesView>,
}

/// A client login, as the photographer sees it. The access code appears only in the response
/// that set it.
#[derive(Serialize, ToSchema)]
#[schema(as = ClientLogin)]
pub(crate) struct ClientLoginView {
    #[schema(format = "uuid")]
    pub login_id: String,
    #[serde(serialize_with = "shown")]
    pub name: String,
    #[schema(required, format = "email")]
    #[serde(serialize_with = "shown_if_any")]
    pub email: Option<String>,
    #[schema(required)]
    #[serde(serialize_with = "shown_lines_if_any")]
    pub note: Option<String>,
    /// The new code, shown this once (creation, or a new code): it is stored only as a hash.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub access_code: Option<String>,
    /// Galleries released to this login.
    pub galleries_released: usize,
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl ClientLoginView {
    pub fn new(login: &ClientLoginRecord, access_code: Option<&str>, released: usize) -> Self {
        Self {
            login_id: login.id.to_string(),
            name: login.name.to_string(),
            email: login.email.as_ref().map(ToString::to_string),
            note: login.note.clone(),
            access_code: access_code.map(str::to_owned),
            galleries_released: released,
            created_at: timestamp(login.created_at),
        }
    }
}

/// A gallery released to a client login, with the login's own link into it.
#[derive(Serialize, ToSchema)]
#[schema(as = Release)]
pub(crate) struct ReleaseView {
    #[schema(format = "uuid")]
    pub gallery_id: String,
    #[serde(serialize_with = "shown")]
    pub title: String,
    #[schema(format = "uuid")]
    pub grant_id: String,
    /// The login's link into this gallery (what its overview opens).
    #[schema(format = "uri")]
    pub link: String,
    pub settings: SettingsView,
    #[schema(inline)]
    pub usage: UsageView,
    #[schema(format = DateTime)]
    pub released_at: String,
    /// Whether the client was emailed about this release just now (only in the response of
    /// the release itself; at most one email per release).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub email_sent: Option<bool>,
    /// Sub-galleries released along (`include_subgalleries`), each with its own settings.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(no_recursion)]
    pub subgalleries: Vec<ReleaseView>,
}

impl ReleaseView {
    pub fn new(
        gallery: &GalleryRecord,
        release: &ReleaseRecord,
        grant: &GrantRecord,
        link: String,
    ) -> Self {
        Self {
            gallery_id: gallery.id.to_string(),
            title: gallery.title.clone(),
            grant_id: grant.id.to_string(),
            link,
            settings: SettingsView::from(&grant.settings),
            usage: UsageView {
                downloads_used: grant.downloads_used,
                download_limit: grant.settings.download_limit,
            },
            released_at: timestamp(release.released_at),
            email_sent: None,
            subgalleries: Vec::new(),
        }
    }
}

/// The photographer's own profile.
#[derive(Serialize, ToSchema)]
#[schema(as = Account)]
pub(crate) struct AccountView {
    #[schema(format = "uuid")]
    pub id: String,
    #[serde(serialize_with = "shown")]
    pub name: String,
    #[schema(format = "email")]
    #[serde(serialize_with = "shown")]
    pub email: String,
    pub slug: String,
    /// Where client logins enter their access code: `<public base URL>/p/<slug>`.
    #[schema(format = "uri")]
    pub login_page: String,
    /// The login page's former addresses, oldest first: they lead to it, and nobody else can
    /// take them.
    pub former_slugs: Vec<String>,
    /// The client pages' accent colour; `null`: Proofsheet's own.
    #[schema(required)]
    pub accent_colour: Option<String>,
    #[schema(value_type = crate::openapi::values::FontPairing)]
    pub font_pairing: proofsheet_policy::FontPairing,
    /// Where clients' "Contact" link writes to; `null`: the address you sign in with.
    #[schema(required, format = "email")]
    pub contact_email: Option<String>,
    /// The logo on client pages and emails; `null`: the name alone.
    #[schema(required)]
    pub logo: Option<super::LogoView>,
    /// Why the last logo uploaded can't be shown, until another is uploaded; `null` otherwise.
    #[schema(required)]
    pub logo_refused: Option<String>,
}

impl AccountView {
    /// `base`: the public base URL the logo's address starts with.
    pub fn new(photographer: &PhotographerRecord, login_page: String, base: &str) -> Self {
        Self {
            id: photographer.id.to_string(),
            name: photographer.name.to_string(),
            email: photographer.email.to_string(),
            slug: photographer.slug.to_string(),
            login_page,
            former_slugs: photographer
                .former_slugs
                .iter()
                .map(ToString::to_string)
                .collect(),
            accent_colour: photographer.brand.accent.as_ref().map(ToString::to_string),
            font_pairing: photographer.brand.fonts,
            contact_email: photographer
                .brand
                .contact_email
                .as_ref()
                .map(ToString::to_string),
            logo: photographer
                .logo
                .as_ref()
                .map(|logo| super::LogoView::new(photographer.id, logo, base)),
            logo_refused: photographer.logo_refused.clone(),
        }
    }
}

/// Every client's activity in a gallery.
#[derive(Serialize, ToSchema)]
#[schema(as = GalleryActivity)]
pub(crate) struct GalleryActivityView {
    #[schema(format = "uuid")]
    pub gallery_id: String,
    /// One per private link (the photographer's, a visitor's who gave an email, a login's),
    /// oldest first. The general link's visitors are anonymous and not listed.
    pub clients: Vec<ClientActivityView>,
}

/// What one client did in the gallery.
#[derive(Serialize, ToSchema)]
#[schema(as = ClientActivity)]
pub(crate) struct ClientActivityView {
    #[schema(format = "uuid")]
    pub grant_id: String,
    #[schema(required)]
    #[serde(serialize_with = "shown_if_any")]
    pub name: Option<String>,
    #[schema(required, format = "email")]
    #[serde(serialize_with = "shown_if_any")]
    pub email: Option<String>,
    /// The client login, for a gallery released to one.
    #[schema(required, format = "uuid")]
    pub login_id: Option<String>,
    #[schema(value_type = String, pattern = "^(photographer|visitor|login)$")]
    pub origin: GrantOrigin,
    #[schema(required, format = DateTime)]
    pub first_view_at: Option<String>,
    #[schema(required, format = DateTime)]
    pub last_view_at: Option<String>,
    /// Opened by a person (link previews of chat apps and HEAD requests are not counted).
    pub view_count: u64,
    #[schema(inline)]
    pub favourites: FavouriteActivityView,
    #[schema(inline)]
    pub downloads: DownloadActivityView,
    /// In the order they were reached.
    pub milestones: Vec<MilestoneView>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct FavouriteActivityView {
    pub lists: usize,
    /// Distinct photos on any list.
    pub photos: usize,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct DownloadActivityView {
    /// Accepted download requests.
    pub requests: usize,
    /// Distinct photos in them.
    pub photos: usize,
    #[schema(value_type = Vec<crate::openapi::values::Resolution>)]
    pub resolutions: Vec<Resolution>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = MilestoneReached)]
pub(crate) struct MilestoneView {
    #[schema(value_type = String, pattern = "^(first_view|favourites_list_created|full_gallery_downloaded|limited_download_made|gallery_expired)$")]
    pub milestone: Milestone,
    #[schema(format = DateTime)]
    pub reached_at: String,
}

/// A page of the photographer's notifications.
#[derive(Serialize, ToSchema)]
#[schema(as = NotificationList)]
pub(crate) struct NotificationListView {
    /// Newest first.
    pub notifications: Vec<NotificationView>,
    /// Unread notifications in all.
    pub unread: u64,
    /// Pass as `cursor` for the next page; `null` on the last page.
    #[schema(required)]
    pub next_cursor: Option<String>,
}

/// A client reached a milestone.
#[derive(Serialize, ToSchema)]
#[schema(as = Notification)]
pub(crate) struct NotificationView {
    #[schema(format = "uuid")]
    pub notification_id: String,
    #[schema(value_type = String, pattern = "^(first_view|favourites_list_created|full_gallery_downloaded|limited_download_made|gallery_expired)$")]
    pub milestone: Milestone,
    /// One sentence for people: `Carol <carol@example.com> opened the gallery for the first
    /// time in "Smith wedding"`.
    #[serde(serialize_with = "shown")]
    pub message: String,
    #[serde(serialize_with = "shown")]
    pub client: String,
    #[schema(format = "uuid")]
    pub gallery_id: String,
    #[serde(serialize_with = "shown")]
    pub gallery_title: String,
    #[schema(format = "uuid")]
    pub grant_id: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    pub read: bool,
}
