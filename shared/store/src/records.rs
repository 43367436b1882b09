//! What is stored, as plain serde records. Keys (`PK`, `SK`, `GSI1*`) are added by the
//! functions that write each entity, from [`keys`], and ignored when reading back.

use proofsheet_policy::{
    AccessSettings, Email, GalleryId, GrantId, PersonName, PhotoId, PhotographerId, Slug,
    WatermarkSettings,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PhotographerRecord {
    pub id: PhotographerId,
    pub name: PersonName,
    pub email: Email,
    pub slug: Slug,
    pub created_at: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GalleryRecord {
    pub id: GalleryId,
    pub owner_id: PhotographerId,
    pub parent_id: Option<GalleryId>,
    /// 0 for a top-level gallery.
    pub depth: u8,
    pub title: String,
    pub navigation_to_subgalleries: bool,
    pub watermark: WatermarkSettings,
    pub general_grant_id: GrantId,
    pub created_at: u64,
    /// Bumped by every update; an update names the revision it read, so concurrent
    /// read-modify-writes can't silently overwrite each other. Galleries stored before it
    /// existed read as 0.
    #[serde(default)]
    pub revision: u64,
}

pub use proofsheet_policy::PhotoStatus;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PhotoRecord {
    pub id: PhotoId,
    pub gallery_id: GalleryId,
    pub owner_id: PhotographerId,
    pub filename: String,
    pub content_type: String,
    pub size: u64,
    pub status: PhotoStatus,
    /// Why ingest rejected the photo: a stable code (`truncated_image`, `size_mismatch`, …)
    /// and a sentence for the photographer.
    #[serde(default)]
    pub rejection_code: Option<String>,
    pub rejection_reason: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub created_at: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantKind {
    General,
    Private,
}

/// One link into a gallery: its general link, or one client's private link.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GrantRecord {
    pub id: GrantId,
    pub gallery_id: GalleryId,
    pub owner_id: PhotographerId,
    pub kind: GrantKind,
    pub email: Option<Email>,
    pub name: Option<PersonName>,
    pub settings: AccessSettings,
    /// Bumped by every settings change; a change is written only over the revision it was
    /// computed from, so concurrent changes never overwrite each other.
    #[serde(default)]
    pub settings_revision: u64,
    /// Bumped whenever the password changes, ending sessions opened with the old one.
    pub password_version: u32,
    #[serde(default)]
    pub unlock_attempts: u32,
    #[serde(default)]
    pub unlock_window_started_at: u64,
    #[serde(default)]
    pub downloads_used: u32,
    pub created_at: u64,
}

/// Key builders, one place for the table design in the crate docs.
pub(crate) mod keys {
    use super::*;

    pub const PROFILE: &str = "PROFILE";
    pub const META: &str = "META";
    pub const GRANT: &str = "GRANT";

    pub fn photographer(id: PhotographerId) -> String {
        format!("PHOTOGRAPHER#{id}")
    }
    pub fn slug(slug: &Slug) -> String {
        format!("SLUG#{slug}")
    }
    pub fn api_key(hash_hex: &str) -> String {
        format!("APIKEY#{hash_hex}")
    }
    pub fn gallery(id: GalleryId) -> String {
        format!("GALLERY#{id}")
    }
    pub fn owner(id: PhotographerId) -> String {
        format!("OWNER#{id}")
    }
    pub fn photo(id: PhotoId) -> String {
        format!("PHOTO#{id}")
    }
    pub fn client(email: &Email) -> String {
        format!("CLIENT#{email}")
    }
    pub fn grant(id: GrantId) -> String {
        format!("GRANT#{id}")
    }
    /// A source's password-try counter on a grant (`source` is already an opaque tag).
    pub fn unlock_source(source: &str) -> String {
        format!("UNLOCK#{source}")
    }
    pub fn private_grant_index(id: GrantId) -> String {
        format!("PRIVATE#{id}")
    }
}
