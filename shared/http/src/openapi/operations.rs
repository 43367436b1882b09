//! What the route table does not say about a route: its tag, summary and description, its request
//! and success bodies, and the refusals particular to it. The match is exhaustive: a new route
//! does not compile until it is described here.
//!
//! Refusals every route of a kind shares are not listed: the generator adds them from the route
//! itself (see `shared_refusals` in the parent module).

use proofsheet_policy::UnlockThrottle;
use proofsheet_store::{Conflict, StoreError};
use utoipa::openapi::{RefOr, Schema};

use super::Schemas;
use super::bodies::{GalleryList, PhotoList, PrivateGrantCreated, PrivateGrantList, Session};
use crate::handlers::client::Unlock;
use crate::handlers::photographer::access::SettingsInput;
use crate::handlers::photographer::galleries::{CreateGallery, UpdateGallery};
use crate::handlers::photographer::photos::{CreateLogoUpload, CreateUpload};
use crate::views::{ClientGalleryView, GalleryView, GeneralAccessView, GrantView, UploadView};
use crate::{ApiError, Route};

/// The groups operations are listed under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tag {
    Galleries,
    Photos,
    Access,
    Watermark,
    Client,
}

impl Tag {
    pub(super) const ALL: [Tag; 5] = [
        Tag::Galleries,
        Tag::Photos,
        Tag::Access,
        Tag::Watermark,
        Tag::Client,
    ];

    pub(super) fn name(self) -> &'static str {
        match self {
            Tag::Galleries => "galleries",
            Tag::Photos => "photos",
            Tag::Access => "access",
            Tag::Watermark => "watermark",
            Tag::Client => "client",
        }
    }

    pub(super) fn description(self) -> &'static str {
        match self {
            Tag::Galleries => "Galleries and sub-galleries (photographer).",
            Tag::Photos => "Photo uploads and listing (photographer).",
            Tag::Access => "General and private links (photographer).",
            Tag::Watermark => "The photographer's watermark logo.",
            Tag::Client => "What a client does with a link (no account).",
        }
    }
}

/// A body's schema: adds what it needs to the components and returns what the operation shows.
pub(super) type Body = fn(&mut Schemas) -> RefOr<Schema>;

pub(super) struct Success {
    pub status: u16,
    pub description: &'static str,
    pub body: Option<Body>,
}

/// Refusals of one status particular to a route. Status and codes are the errors' own (see
/// `ApiError::status_and_code`), so they cannot drift from what the handler answers.
pub(super) struct Refusal {
    pub errors: Vec<ApiError>,
    pub description: &'static str,
}

pub(super) struct OperationDoc {
    pub tag: Tag,
    pub summary: &'static str,
    pub description: Option<String>,
    /// Takes `limit` and `cursor` (and so may refuse them with a 422).
    pub paged: bool,
    /// Checks values beyond their JSON types (a 422 `invalid_request` naming the field).
    pub validates: bool,
    pub request: Option<Body>,
    pub success: Success,
    pub refusals: Vec<Refusal>,
}

/// The refusal of a settings change that lost to other changes every time it was retried.
const SETTINGS_KEPT_CHANGING: &str = "The link's settings kept changing under this request (other \
     changes kept landing first); nothing of this change was applied, and sending it again is safe.";

fn returns(status: u16, description: &'static str, body: Body) -> Success {
    Success {
        status,
        description,
        body: Some(body),
    }
}

fn no_content() -> Success {
    Success {
        status: 204,
        description: "Done; no body.",
        body: None,
    }
}

fn store_conflict(conflict: Conflict) -> ApiError {
    StoreError::Conflict(conflict).into()
}

fn id_collision(conflict: Conflict) -> Refusal {
    Refusal {
        errors: vec![store_conflict(conflict)],
        description: "Id collision (practically never).",
    }
}

fn kept_changing(description: &'static str) -> Refusal {
    Refusal {
        errors: vec![store_conflict(Conflict::ConcurrentUpdate)],
        description,
    }
}

const SETTINGS_CHANGE: &str = "Absent fields keep their current value. For `password` and \
    `download_limit`, `null` clears (no password / unlimited); `null` on any other field is \
    refused (400).";

pub(super) fn describe(route: Route) -> OperationDoc {
    let body = Schemas::body::<GalleryView>;
    match route {
        Route::CreateGallery => OperationDoc {
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
            success: returns(201, "The new gallery.", body),
            refusals: vec![id_collision(Conflict::GalleryExists)],
        },
        Route::ListGalleries => OperationDoc {
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
        },
        Route::GetGallery => OperationDoc {
            tag: Tag::Galleries,
            summary: "Get a gallery with its sub-galleries",
            description: None,
            paged: false,
            validates: false,
            request: None,
            success: returns(200, "The gallery, with `subgalleries`.", body),
            refusals: vec![],
        },
        Route::UpdateGallery => OperationDoc {
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
            success: returns(200, "The updated gallery (without `subgalleries`).", body),
            refusals: vec![kept_changing(
                "The gallery kept changing under this request (other changes kept landing \
                 first); nothing of this change was applied, and sending it again is safe.",
            )],
        },
        Route::DeleteGallery => OperationDoc {
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
                errors: vec![ApiError::conflict("gallery_has_subgalleries", "")],
                description: "The gallery still has sub-galleries.",
            }],
        },
        Route::CreatePhotoUpload => OperationDoc {
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
        },
        Route::ListPhotos => OperationDoc {
            tag: Tag::Photos,
            summary: "List a gallery's photos",
            description: None,
            paged: true,
            validates: false,
            request: None,
            success: returns(200, "The photos, any status.", Schemas::body::<PhotoList>),
            refusals: vec![],
        },
        Route::DeletePhoto => OperationDoc {
            tag: Tag::Photos,
            summary: "Delete a photo and its files",
            description: None,
            paged: false,
            validates: false,
            request: None,
            success: no_content(),
            refusals: vec![],
        },
        Route::PutGeneralAccess => OperationDoc {
            tag: Tag::Access,
            summary: "Change the general link's settings",
            description: Some(format!(
                "Despite PUT, a partial update: {SETTINGS_CHANGE} Existing private grants are \
                 not affected. Changing or removing the password ends the link's client sessions."
            )),
            paged: false,
            validates: true,
            request: Some(Schemas::body::<SettingsInput>),
            success: returns(
                200,
                "The general link with its new settings.",
                Schemas::body::<GeneralAccessView>,
            ),
            refusals: vec![kept_changing(SETTINGS_KEPT_CHANGING)],
        },
        Route::GetGeneralAccess => OperationDoc {
            tag: Tag::Access,
            summary: "Get the general link and its settings",
            description: None,
            paged: false,
            validates: false,
            request: None,
            success: returns(200, "The general link.", Schemas::body::<GeneralAccessView>),
            refusals: vec![],
        },
        Route::CreatePrivateAccess => OperationDoc {
            tag: Tag::Access,
            summary: "Give a client a private link",
            description: Some(
                "Creates the client's grant and emails them the link (see `email_sent`).".into(),
            ),
            paged: false,
            validates: true,
            request: Some(Schemas::private_grant_create),
            success: returns(201, "The new grant.", Schemas::body::<PrivateGrantCreated>),
            refusals: vec![Refusal {
                errors: vec![
                    store_conflict(Conflict::ClientHasAccess),
                    store_conflict(Conflict::GrantExists),
                ],
                description: "The client already has a grant on this gallery \
                    (`client_has_access`: change or revoke it instead), or an id collision \
                    (`grant_exists`).",
            }],
        },
        Route::ListPrivateAccess => OperationDoc {
            tag: Tag::Access,
            summary: "List the gallery's private links",
            description: None,
            paged: false,
            validates: false,
            request: None,
            success: returns(
                200,
                "The private grants.",
                Schemas::body::<PrivateGrantList>,
            ),
            refusals: vec![],
        },
        Route::UpdatePrivateAccess => OperationDoc {
            tag: Tag::Access,
            summary: "Change a private link's settings",
            description: Some(format!(
                "{SETTINGS_CHANGE} Changing or removing the password ends the link's client \
                 sessions."
            )),
            paged: false,
            validates: true,
            request: Some(Schemas::body::<SettingsInput>),
            success: returns(
                200,
                "The grant with its new settings.",
                Schemas::body::<GrantView>,
            ),
            refusals: vec![kept_changing(SETTINGS_KEPT_CHANGING)],
        },
        Route::DeletePrivateAccess => OperationDoc {
            tag: Tag::Access,
            summary: "Revoke a private link",
            description: Some(
                "The link stops working at once, and the client's email may be granted again."
                    .into(),
            ),
            paged: false,
            validates: false,
            request: None,
            success: no_content(),
            refusals: vec![],
        },
        Route::CreateLogoUpload => OperationDoc {
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
        },
        Route::ViewGallery => OperationDoc {
            tag: Tag::Client,
            summary: "Open a shared gallery (client)",
            description: Some(format!(
                "What the link shows: the gallery's title, the link's permissions and its ready \
                 photos. A password-protected link needs `Authorization: Bearer <session>` from \
                 {}.",
                super::route_name(Route::UnlockGallery)
            )),
            paged: true,
            validates: false,
            request: None,
            success: returns(
                200,
                "The gallery as this client sees it.",
                Schemas::body::<ClientGalleryView>,
            ),
            refusals: vec![Refusal {
                errors: vec![ApiError::PasswordRequired],
                description: "The link is password protected and no live session for its \
                    current password was sent.",
            }],
        },
        Route::UnlockGallery => OperationDoc {
            tag: Tag::Client,
            summary: "Unlock a password-protected link (client)",
            description: Some(format!(
                "Exchanges the link's password for a session. At most {per_source} wrong tries \
                 per network address (IPv6: per /64) and {per_link} from all addresses together, \
                 per link per {window} minutes; a right password uses up no try. A device that \
                 unlocked this link before may send its earlier session (even expired) as \
                 `Authorization: Bearer <session>`: it is then held to its own address's budget \
                 only, so guessers elsewhere can't lock it out. Needs no credentials besides the \
                 token.",
                per_source = UnlockThrottle::PER_SOURCE.max_attempts,
                per_link = UnlockThrottle::PER_LINK.max_attempts,
                window = UnlockThrottle::WINDOW_SECS / 60,
            )),
            paged: false,
            validates: false,
            request: Some(Schemas::body::<Unlock>),
            success: returns(200, "A session for this link.", Schemas::body::<Session>),
            refusals: vec![
                Refusal {
                    errors: vec![ApiError::WrongPassword],
                    description: "The password is not correct.",
                },
                Refusal {
                    errors: vec![ApiError::conflict("password_not_set", "")],
                    description: "The link has no password: open it directly.",
                },
                Refusal {
                    errors: vec![ApiError::TooManyAttempts {
                        retry_after_secs: 1,
                    }],
                    description: "Too many tries on this link; wait `Retry-After` seconds.",
                },
            ],
        },
    }
}
