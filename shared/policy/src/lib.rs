//! Proofsheet's rules, as pure functions over plain data.
//!
//! This crate decides; it never does. It knows what a valid gallery title, email or link
//! looks like, how a client's effective access settings are resolved from the general ones, what a
//! client may see, and when password guessing must stop. It has no I/O, no clock and no randomness:
//! callers pass `now` and random bytes in, so every rule is unit- and property-testable. The store
//! enforces these decisions atomically in DynamoDB; the handlers only glue the two together.

pub mod access;
pub mod activity;
pub mod api_keys;
pub mod archive;
pub mod brand;
pub mod downloads;
pub mod expiry;
pub mod favourites;
pub mod gallery;
pub mod ids;
pub mod logins;
pub mod paging;
pub mod photo;
pub mod photo_order;
pub mod studio;
pub mod text;
pub mod throttle;
pub mod tokens;
pub mod upload;
pub mod values;

pub use access::{
    AccessSettings, ClientPermissions, GrantOrigin, PasswordHash, PasswordUpdate, Resolution,
    SettingsChange, ViewRendition,
};
pub use activity::Milestone;
pub use api_keys::{ApiKeyName, MAX_API_KEYS, key_hint, may_add_key};
pub use archive::{attachment_disposition, entry_names, zip_file_name};
pub use brand::{AccentColour, Brand, BrandLogo, FontPairing, LogoFile};
pub use downloads::{
    AlreadyDownloaded, AskFingerprint, DownloadCharge, DownloadChoice, DownloadRefusal,
    DownloadSnapshot, DownloadState, DownloadStatus, DownloadUsage, IdempotencyKey,
    MAX_PENDING_REQUESTS, MAX_PHOTOS_PER_REQUEST,
};
pub use favourites::{FavouritesFull, FavouritesSnapshot, ListName, lightroom_filter};
pub use gallery::{
    GalleryDefaults, GalleryRules, ParentGallery, Position, Viewer, WatermarkMode,
    WatermarkSettings, WatermarkUpdate,
};
pub use ids::{
    ClientLoginId, DownloadRequestId, GalleryId, GrantId, NotificationId, PhotoId, PhotographerId,
};
pub use logins::AccessCode;
pub use paging::{NOTIFICATION_PAGE, PageSize, PhotoPage, cursor_after};
pub use photo::{GRID_WIDTHS, MAX_GRID_LONG_EDGE, PhotoStatus, grid_step, grid_widths};
pub use studio::{
    CookieCall, CrossSiteWrite, EmailChange, LoginPageAddress, STUDIO_HEADER, SignInLink,
    StudioSession,
};
pub use throttle::{Guesser, TryBudget, UnlockThrottle, UnlockVerdict};
pub use tokens::{LinkToken, LoginSessionClaims, SessionClaims};
pub use upload::{ContentType, UploadMismatch, UploadRequest};
pub use values::{Email, EventDate, PersonName, Slug, Title};

/// Why a request was refused by a rule. `field` names the offending input for the client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct Invalid {
    pub field: &'static str,
    pub reason: String,
}

impl Invalid {
    pub fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self {
            field,
            reason: reason.into(),
        }
    }
}
