//! What responses look like. Views are built from records and never carry secrets: a password
//! appears only as `password_set`, tokens only inside links the caller is entitled to.

use std::collections::BTreeSet;
use std::time::SystemTime;

use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use proofsheet_policy::{AccessSettings, Resolution, WatermarkSettings};
use proofsheet_store::{GalleryRecord, GrantRecord, PhotoRecord, PhotoStatus};
use serde::Serialize;

/// RFC 3339, UTC.
pub(crate) fn timestamp(unix_secs: u64) -> String {
    DateTime::from_secs(unix_secs as i64)
        .fmt(Format::DateTime)
        .unwrap_or_default()
}

pub(crate) fn system_timestamp(at: SystemTime) -> String {
    DateTime::from(at).fmt(Format::DateTime).unwrap_or_default()
}

#[derive(Serialize)]
pub(crate) struct SettingsView {
    pub watermark: bool,
    pub password_set: bool,
    pub downloads_enabled: bool,
    pub download_limit: Option<u32>,
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

#[derive(Serialize)]
pub(crate) struct GeneralAccessView {
    #[serde(flatten)]
    pub settings: SettingsView,
    pub link: String,
}

#[derive(Serialize)]
pub(crate) struct GrantView {
    pub grant_id: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub link: String,
    pub settings: SettingsView,
    pub usage: UsageView,
    pub created_at: String,
}

#[derive(Serialize)]
pub(crate) struct UsageView {
    pub downloads_used: u32,
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
            created_at: timestamp(grant.created_at),
        }
    }
}

#[derive(Serialize)]
pub(crate) struct GalleryView {
    pub id: String,
    pub title: String,
    pub parent_id: Option<String>,
    pub navigation_to_subgalleries: bool,
    pub watermark: WatermarkSettings,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subgalleries: Option<Vec<SubgalleryView>>,
}

#[derive(Serialize)]
pub(crate) struct SubgalleryView {
    pub id: String,
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
            subgalleries: None,
        }
    }
}

#[derive(Serialize)]
pub(crate) struct PhotoView {
    pub photo_id: String,
    pub filename: String,
    pub content_type: String,
    pub size: u64,
    pub status: PhotoStatus,
    pub rejection_code: Option<String>,
    pub rejection_reason: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub thumbnail_url: Option<String>,
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

#[derive(Serialize)]
pub(crate) struct UploadView {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub photo_id: Option<String>,
    pub upload_url: String,
    pub upload_method: String,
    /// Headers the upload must carry exactly as given: they are part of the signature.
    pub upload_headers: std::collections::BTreeMap<String, String>,
    pub expires_at: String,
}

#[derive(Serialize)]
pub(crate) struct ClientPhotoView {
    pub photo_id: String,
    pub filename: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub thumbnail_url: String,
    pub preview_url: String,
}

#[derive(Serialize)]
pub(crate) struct ClientGalleryView {
    pub title: String,
    pub settings: proofsheet_policy::ClientPermissions,
    pub photos: Vec<ClientPhotoView>,
    /// Where the next page starts; `None` on the last page.
    pub next_cursor: Option<String>,
}
