//! What is stored, as plain serde records. Keys (`PK`, `SK`, `GSI1*`) are added by the
//! functions that write each entity, from [`keys`], and ignored when reading back.

use std::collections::BTreeSet;

use proofsheet_policy::{
    AccessSettings, AskFingerprint, ClientLoginId, DownloadRequestId, DownloadStatus, Email,
    GalleryDefaults, GalleryId, GrantId, GrantOrigin, ListName, Milestone, NotificationId,
    PersonName, PhotoId, PhotographerId, Resolution, Slug, Title, WatermarkSettings, expiry::Due,
    photo_order::PhotoOrder,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PhotographerRecord {
    pub id: PhotographerId,
    pub name: PersonName,
    pub email: Email,
    pub slug: Slug,
    pub created_at: u64,
    /// The login page's former addresses, still claimed and leading to it, oldest first
    /// (`proofsheet_policy::LoginPageAddress`).
    #[serde(default)]
    pub former_slugs: Vec<Slug>,
    /// The hash of the one link that may confirm a change of `email`, while one is pending
    /// (`proofsheet_policy::EmailChange`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_change_link: Option<String>,
    /// How their client pages look (`proofsheet_policy::Brand`).
    #[serde(default)]
    pub brand: proofsheet_policy::Brand,
    /// Their logo on client pages and emails, as ingest made it from their upload.
    #[serde(default)]
    pub logo: Option<proofsheet_policy::BrandLogo>,
    /// Why their last uploaded logo can't be shown, until they upload another.
    #[serde(default)]
    pub logo_refused: Option<String>,
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
    /// When the gallery's links stop working; `None` never. (Not `expires_at`: that is the
    /// table's TTL attribute, and DynamoDB would delete the gallery once the date passed.)
    #[serde(default)]
    pub expiry: Option<u64>,
    /// When `expiry` was last set: reminders whose moment had already passed then are not
    /// sent late.
    #[serde(default)]
    pub expiry_set_at: Option<u64>,
    /// The order its photos are shown in.
    #[serde(default)]
    pub photo_order: PhotoOrder,
    /// The photo shown for the gallery (the login overview's card, the page's header); `None`
    /// means the first in order.
    #[serde(default)]
    pub cover_photo_id: Option<PhotoId>,
    /// The day its photographs were taken, shown on its cover; `None` shows no date.
    #[serde(default)]
    pub event_date: Option<proofsheet_policy::EventDate>,
    /// Set by a delete before it looks for sub-galleries, so none is created under a gallery on
    /// its way out (creating one checks its parent's revision, which the mark moves). Taken
    /// back when the delete is refused; a delete that stopped midway leaves it, and deleting
    /// again finishes the job.
    #[serde(default)]
    pub deleting: bool,
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
    /// When it was taken (EXIF DateTimeOriginal, Unix seconds), read at ingest; `None` when the
    /// file doesn't say (the upload time stands in when ordering).
    #[serde(default)]
    pub captured_at: Option<u64>,
    /// The widths of its grid sizes (WebP, `object_keys::grid_rendition`), narrowest first;
    /// empty for a photo rendered before they existed, which the grid shows by its thumbnail.
    #[serde(default)]
    pub grid_widths: Vec<u32>,
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
    /// Photos charged against the download limit; written only together with the download
    /// request that charged them.
    #[serde(default)]
    pub downloads_used: u32,
    /// Download requests accepted so far: every acceptance writes it over the value it read,
    /// so each decision (charges, the cap on waiting requests) rests on every earlier one.
    #[serde(default)]
    pub download_requests: u64,
    #[serde(default)]
    pub origin: GrantOrigin,
    /// The client login this link was released to (origin `login`): it goes with the login.
    #[serde(default)]
    pub login_id: Option<ClientLoginId>,
    pub created_at: u64,
    /// This link's own end, earlier than its gallery's (it can only shorten it); `None` follows
    /// the gallery.
    #[serde(default)]
    pub expiry: Option<u64>,
    /// When `expiry` was last set (see [`GalleryRecord::expiry_set_at`]).
    #[serde(default)]
    pub expiry_set_at: Option<u64>,
}

/// A long-term client's login on the photographer's login page. Its access code is stored only
/// as its argon2id hash (the key of its [`AccessCodeClaim`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClientLoginRecord {
    pub id: ClientLoginId,
    pub owner_id: PhotographerId,
    pub name: PersonName,
    pub email: Option<Email>,
    /// The photographer's own note; never shown to the client.
    pub note: Option<String>,
    pub code_hash: String,
    /// Bumped by every new code, ending the sessions opened with the old one.
    pub code_version: u32,
    /// Bumped by every change; a change is written only over the revision it read.
    pub revision: u64,
    /// Set when the photographer deletes the login: it opens nothing from then on, while its
    /// galleries' links are being removed.
    #[serde(default)]
    pub revoked: bool,
    pub created_at: u64,
}

/// A parent gallery's pointer to one of its sub-galleries, in the parent's partition (a
/// photographer-only sort key, before `META`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ChildPointer {
    pub child_id: GalleryId,
}

/// The item that reserves an access code on a photographer's login page and finds its login.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct AccessCodeClaim {
    pub login_id: ClientLoginId,
}

/// A gallery released to a client login: the login's own link into it. One per login and
/// gallery (the item's key), written together with the grant.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReleaseRecord {
    pub login_id: ClientLoginId,
    pub gallery_id: GalleryId,
    pub grant_id: GrantId,
    pub released_at: u64,
    /// When the client was emailed about it (at most once per release). Absent until then, so
    /// a condition can test for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emailed_at: Option<u64>,
}

/// One of a client's favourites lists. Its photos are a string set, so adding and removing are
/// idempotent and its size can be checked in a condition.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FavouriteListRecord {
    pub grant_id: GrantId,
    pub gallery_id: GalleryId,
    pub name: String,
    #[serde(default, with = "serde_dynamo::string_set")]
    pub photos: BTreeSet<PhotoId>,
}

/// An accepted download request: what the client asked for, what it cost, and how far its ZIP
/// has come. Written in the same transaction as the grant's new `downloads_used`, so a charge
/// without its request (or the other way round) never exists.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DownloadRequestRecord {
    pub id: DownloadRequestId,
    pub grant_id: GrantId,
    pub gallery_id: GalleryId,
    pub owner_id: PhotographerId,
    pub resolution: Resolution,
    /// Whether the files carry the watermark: the link's setting when the request was accepted.
    pub watermarked: bool,
    pub photos: Vec<PhotoId>,
    /// The photos this request charged (not downloaded before it).
    pub charged: Vec<PhotoId>,
    /// The grant's `downloads_used` once this request was accepted.
    pub used_after: u32,
    pub status: DownloadStatus,
    #[serde(default)]
    pub photos_done: u32,
    pub created_at: u64,
    /// When its message went on the download queue; `None` until then.
    #[serde(default)]
    pub enqueued_at: Option<u64>,
    /// How often a worker claimed it; the latest claim's number is its token (only that worker
    /// may record progress or the outcome).
    #[serde(default)]
    pub attempts: u32,
    /// While a worker renders it: when that worker's claim lapses, so a worker that died is
    /// replaced by the next delivery of the message.
    #[serde(default)]
    pub lease_until: Option<u64>,
    /// The ZIPs, once ready: one, or several when the photos exceed the size of one.
    #[serde(default)]
    pub zips: Vec<ZipFileRecord>,
    /// Photos that could not be rendered: left out of the ZIP, their charge given back.
    #[serde(default)]
    pub left_out: Vec<LeftOutPhoto>,
    /// When it became ready or failed.
    #[serde(default)]
    pub finished_at: Option<u64>,
    /// Until when its download links work.
    #[serde(default)]
    pub links_expire_at: Option<u64>,
    /// When the client was emailed about it.
    #[serde(default)]
    pub emailed_at: Option<u64>,
    /// What the request asked for, so a retry under its `Idempotency-Key` is checked to ask
    /// for the same; `None` on requests stored before this was kept.
    #[serde(default)]
    pub ask: Option<AskFingerprint>,
}

/// One ZIP of a download request, as stored in S3.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZipFileRecord {
    pub key: String,
    /// The name the client's browser saves it under.
    pub file_name: String,
    pub photos: u32,
    pub bytes: u64,
}

/// A photo left out of a download, and why (a render error code, or `missing`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeftOutPhoto {
    pub photo_id: PhotoId,
    pub filename: String,
    pub reason: String,
}

/// The item that reserves a unique value for a photographer (a slug, an API key's hash). Written
/// with `attribute_not_exists`, so each value is taken once.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PhotographerClaim {
    pub photographer_id: PhotographerId,
}

/// The item that reserves a client's email in a gallery: one private grant per client. A
/// revoked grant leaves its claim behind, marked, so the general link can't hand the email a
/// new grant; the photographer can still share with it again.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ClientClaim {
    pub grant_id: GrantId,
    #[serde(default)]
    pub revoked: bool,
}

impl GalleryRecord {
    /// A new gallery starting with `defaults` (see [`proofsheet_policy::GalleryRules`]), and its general link.
    /// `depth` comes from [`proofsheet_policy::GalleryRules::subgallery`] (0 without a parent).
    pub fn new(
        owner_id: PhotographerId,
        parent_id: Option<GalleryId>,
        depth: u8,
        title: &Title,
        defaults: GalleryDefaults,
        now: u64,
    ) -> (Self, GrantRecord) {
        let gallery = Self {
            id: GalleryId::from_uuid(Uuid::now_v7()),
            owner_id,
            parent_id,
            depth,
            title: title.to_string(),
            navigation_to_subgalleries: defaults.navigation_to_subgalleries,
            watermark: defaults.watermark,
            general_grant_id: GrantId::from_uuid(Uuid::now_v7()),
            created_at: now,
            revision: 0,
            expiry: defaults.expiry,
            expiry_set_at: defaults.expiry.map(|_| now),
            photo_order: PhotoOrder::default(),
            cover_photo_id: None,
            event_date: None,
            deleting: false,
        };
        let general = GrantRecord::new(
            gallery.general_grant_id,
            &gallery,
            GrantKind::General,
            defaults.general_access,
            now,
        );
        (gallery, general)
    }
}

impl GrantRecord {
    /// Who the client of this link is, for milestones: the login it was released to, else its
    /// email, else the link itself.
    pub fn client_key(&self) -> String {
        match (self.login_id, &self.email) {
            (Some(login), _) => format!("login:{login}"),
            (None, Some(email)) => format!("email:{email}"),
            (None, None) => format!("grant:{}", self.id),
        }
    }

    /// A client's private link to `gallery`, with `settings` already resolved against the
    /// general link's.
    pub fn new_private(
        gallery: &GalleryRecord,
        email: Email,
        name: Option<PersonName>,
        settings: AccessSettings,
        now: u64,
    ) -> Self {
        let id = GrantId::from_uuid(Uuid::now_v7());
        Self {
            email: Some(email),
            name,
            ..Self::new(id, gallery, GrantKind::Private, settings, now)
        }
    }

    /// The link of a client login into `gallery`, with `settings` already resolved
    /// ([`proofsheet_policy::logins::release_settings`]).
    pub fn new_release(
        gallery: &GalleryRecord,
        login: &ClientLoginRecord,
        settings: AccessSettings,
        now: u64,
    ) -> Self {
        let id = GrantId::from_uuid(Uuid::now_v7());
        Self {
            email: login.email.clone(),
            name: Some(login.name.clone()),
            origin: GrantOrigin::Login,
            login_id: Some(login.id),
            ..Self::new(id, gallery, GrantKind::Private, settings, now)
        }
    }

    /// The private link of a visitor who gave their email on the general link `general`.
    pub fn new_visitor(
        gallery: &GalleryRecord,
        email: Email,
        general: &GrantRecord,
        now: u64,
    ) -> Self {
        let settings = AccessSettings::for_identified_visitor(&general.settings);
        Self {
            origin: GrantOrigin::Visitor,
            ..Self::new_private(gallery, email, None, settings, now)
        }
    }

    /// A new link: nobody named, no password tried, nothing downloaded, nothing revised yet.
    fn new(
        id: GrantId,
        gallery: &GalleryRecord,
        kind: GrantKind,
        settings: AccessSettings,
        now: u64,
    ) -> Self {
        Self {
            id,
            gallery_id: gallery.id,
            owner_id: gallery.owner_id,
            kind,
            email: None,
            name: None,
            settings,
            settings_revision: 0,
            password_version: 0,
            unlock_attempts: 0,
            unlock_window_started_at: 0,
            downloads_used: 0,
            download_requests: 0,
            origin: GrantOrigin::Photographer,
            login_id: None,
            created_at: now,
            expiry: None,
            expiry_set_at: None,
        }
    }
}

/// Key builders, one place for the table design in the crate docs.
pub(crate) mod keys {
    use super::*;

    pub const PROFILE: &str = "PROFILE";
    pub const META: &str = "META";
    pub const GRANT: &str = "GRANT";
    pub const SLUG: &str = "SLUG";
    pub const API_KEY: &str = "APIKEY";
    pub const EMAIL: &str = "EMAIL";
    pub const SIGN_IN_LINK: &str = "SIGNIN";
    pub const STUDIO_SESSION_PREFIX: &str = "STUDIOSESSION#";

    pub fn photographer(id: PhotographerId) -> String {
        format!("PHOTOGRAPHER#{id}")
    }
    pub fn slug(slug: &Slug) -> String {
        format!("SLUG#{slug}")
    }
    pub fn api_key(hash_hex: &str) -> String {
        format!("APIKEY#{hash_hex}")
    }
    /// An API key's record, in its photographer's partition.
    pub const API_KEY_RECORD_PREFIX: &str = "APIKEY#";
    pub fn api_key_record(key_id: uuid::Uuid) -> String {
        format!("{API_KEY_RECORD_PREFIX}{key_id}")
    }
    /// Which photographer signs in with an email address (one each).
    pub fn photographer_email(email: &Email) -> String {
        format!("EMAIL#{}", email.as_str())
    }
    /// A studio sign-in link, by its secret's SHA-256 (hex).
    pub fn sign_in_link(hash_hex: &str) -> String {
        format!("SIGNIN#{hash_hex}")
    }
    /// A studio session, by its secret's SHA-256 (hex), in its photographer's partition.
    pub fn studio_session(hash_hex: &str) -> String {
        format!("{STUDIO_SESSION_PREFIX}{hash_hex}")
    }
    /// Sign-in links asked for from a source, or sent to an address, by an opaque tag.
    pub const STUDIO_SIGN_IN: &str = "STUDIOSIGNIN";
    pub fn studio_sign_ins_from(source_tag: &str) -> String {
        format!("SOURCE#{source_tag}")
    }
    pub fn studio_sign_ins_to(email_tag: &str) -> String {
        format!("EMAIL#{email_tag}")
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
    /// A known device's password-try counter on a grant (`device` is an opaque tag).
    pub fn unlock_device(device: &str) -> String {
        format!("UNLOCKDEVICE#{device}")
    }
    pub fn private_grant_index(id: GrantId) -> String {
        format!("PRIVATE#{id}")
    }
    /// A source's email captures on a general link (`source` is already an opaque tag).
    pub fn identify_source(source: &str) -> String {
        format!("IDENTIFY#{source}")
    }
    pub const FAVOURITE_LIST_PREFIX: &str = "FAVLIST#";
    pub fn favourite_list(name: &ListName) -> String {
        format!("{FAVOURITE_LIST_PREFIX}{}", name.as_str())
    }
    /// A gallery's lists in GSI1, by client: `FAVLIST#<grant>#<name>`.
    pub fn favourite_list_index(grant: GrantId, name: &ListName) -> String {
        format!("{FAVOURITE_LIST_PREFIX}{grant}#{}", name.as_str())
    }
    pub const DOWNLOAD_SELECTION: &str = "DLSELECTION";
    /// `DLJOB#`: the name download requests had before; kept so stored items still read.
    pub const DOWNLOAD_REQUEST_PREFIX: &str = "DLJOB#";
    pub fn download_request(id: DownloadRequestId) -> String {
        format!("{DOWNLOAD_REQUEST_PREFIX}{id}")
    }
    /// A client's view count, in their link's partition.
    pub const ACTIVITY: &str = "ACTIVITY";
    /// A milestone a client reached in a gallery, in the gallery's partition (photographer-only:
    /// sorts before `META`), keyed by the client, not their link: a new link for the same
    /// client (re-released, re-invited) reaches nothing twice.
    pub const MILESTONE_PREFIX: &str = "ACT#";
    pub fn milestone(client: &str, milestone: Milestone) -> String {
        format!("{MILESTONE_PREFIX}{client}#{milestone}")
    }
    pub const NOTIFICATION_PREFIX: &str = "NOTE#";
    pub fn notification(id: NotificationId) -> String {
        format!("{NOTIFICATION_PREFIX}{id}")
    }
    /// A photographer's unread notification count, in their partition.
    pub const UNREAD: &str = "UNREAD";
    pub const CHILD_PREFIX: &str = "CHILD#";
    pub fn child(id: GalleryId) -> String {
        format!("{CHILD_PREFIX}{id}")
    }
    pub const LOGIN: &str = "LOGIN";
    pub fn login(id: ClientLoginId) -> String {
        format!("LOGIN#{id}")
    }
    /// A photographer's logins in GSI1.
    pub fn logins_of(owner: PhotographerId) -> String {
        format!("LOGINS#{owner}")
    }
    /// An access code's claim, in its photographer's partition (the hash is base64url).
    pub fn access_code(hash: &str) -> String {
        format!("CODE#{hash}")
    }
    pub const RELEASE_PREFIX: &str = "RELEASE#";
    pub fn release(gallery: GalleryId) -> String {
        format!("{RELEASE_PREFIX}{gallery}")
    }
    /// A login page's try counters (by slug, so an unknown page is counted like a real one).
    pub fn login_page(slug: &Slug) -> String {
        format!("LOGINPAGE#{slug}")
    }
    /// A source's access-code tries on a login page (`tag` is opaque; `*` is the page's own).
    pub fn login_tries(tag: &str) -> String {
        format!("TRIES#{tag}")
    }
    /// A known device's access-code tries on a login page (`tag` is opaque).
    pub fn login_device_tries(tag: &str) -> String {
        format!("DEVICETRIES#{tag}")
    }
    /// Download requests whose message has not gone out yet, in GSI1 (a sparse index: the
    /// attribute is removed once the message is sent).
    pub const UNSENT_DOWNLOADS: &str = "DLJOB#UNSENT";
    /// Everything due on the way to an expiry date, in GSI1 by due time (sparse: removed when
    /// handled).
    pub const EXPIRY_DUE: &str = "EXPIRY#DUE";
    /// Due for the date `expires_at`, in the gallery's partition (photographer-only: sorts
    /// before `META`) or the link's.
    pub fn expiry_due(expires_at: u64, due: Due) -> String {
        format!("EXPIRY#{expires_at:012}#{}", due.tag())
    }
    /// A client's reminder for a date, claimed by whoever sends it, in their link's partition.
    pub fn reminded(expires_at: u64, due: Due) -> String {
        format!("REMINDED#{expires_at:012}#{}", due.tag())
    }
    /// The photographer's notice that a gallery expired at this date, in its partition.
    pub fn expired_notice(expires_at: u64) -> String {
        format!("EXPIRED#{expires_at:012}")
    }
}

#[cfg(test)]
mod new_records {
    use super::*;
    use proofsheet_policy::GalleryRules;

    #[test]
    fn a_new_gallery_has_the_defaults_and_a_general_link_to_itself() {
        let owner = PhotographerId::from_uuid(Uuid::now_v7());
        let title = Title::parse("Wedding").unwrap();
        let (gallery, general) =
            GalleryRecord::new(owner, None, 0, &title, GalleryRules::defaults(), 1_000);
        let defaults = GalleryRules::defaults();
        assert_eq!(gallery.general_grant_id, general.id);
        assert_eq!(gallery.watermark, defaults.watermark);
        assert!(gallery.navigation_to_subgalleries);
        assert_eq!((general.gallery_id, general.owner_id), (gallery.id, owner));
        assert_eq!(general.kind, GrantKind::General);
        assert_eq!(general.settings, defaults.general_access);
        assert_eq!((general.email.as_ref(), general.created_at), (None, 1_000));
    }

    #[test]
    fn a_new_private_link_names_its_client_and_starts_from_zero() {
        let owner = PhotographerId::from_uuid(Uuid::now_v7());
        let title = Title::parse("Wedding").unwrap();
        let (gallery, general) =
            GalleryRecord::new(owner, None, 0, &title, GalleryRules::defaults(), 1_000);
        let email = Email::parse("ann@example.com").unwrap();
        let grant = GrantRecord::new_private(
            &gallery,
            email.clone(),
            None,
            general.settings.clone(),
            2_000,
        );
        assert_ne!(grant.id, general.id);
        assert_eq!(grant.kind, GrantKind::Private);
        assert_eq!(grant.email, Some(email));
        assert_eq!((grant.gallery_id, grant.owner_id), (gallery.id, owner));
        let counters = (
            grant.settings_revision,
            grant.password_version,
            grant.unlock_attempts,
            grant.unlock_window_started_at,
            grant.downloads_used,
        );
        assert_eq!(counters, (0, 0, 0, 0, 0));
    }
}
