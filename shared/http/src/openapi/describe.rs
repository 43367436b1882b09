//! What the route table does not say about a route: its tag, summary and description, its request
//! and success bodies, and the refusals particular to it. The match is exhaustive: a new route
//! does not compile until it is described here.
//!
//! Refusals every route of a kind shares are not listed: the generator adds them from the route
//! itself (see `shared_refusals` in the parent module).

use proofsheet_policy::favourites::{MAX_LISTS, MAX_PHOTOS_PER_LIST};
use proofsheet_policy::{
    AccessCode, Invalid, LoginSessionClaims, MAX_PHOTOS_PER_REQUEST, UnlockThrottle,
};
use proofsheet_store::{Conflict, StoreError};
use utoipa::openapi::{RefOr, Schema};

use super::Schemas;
use super::bodies::{
    ClientLoginList, GalleryList, LoginSession, PhotoList, PrivateGrantCreated, PrivateGrantList,
    ReleaseList, Session,
};
use crate::handlers::client::Unlock;
use crate::handlers::client::downloads::CreateRequest;
use crate::handlers::client::identify::Identify;
use crate::handlers::client::logins::LogIn;
use crate::handlers::photographer::access::SettingsInput;
use crate::handlers::photographer::galleries::{CreateGallery, UpdateGallery};
use crate::handlers::photographer::logins::{CreateClientLogin, UpdateClientLogin};
use crate::handlers::photographer::photos::{
    ArrangePhotos, ArrangementView, CreateLogoUpload, CreateUpload,
};
use crate::views::{
    AccountView, ClientLoginView, GalleryActivityView, MyGalleriesView, NotificationListView,
    ReleaseView,
};
use crate::views::{
    CheckEmailView, DownloadManagerView, DownloadRequestListView, DownloadRequestView,
    FavouritesView, GalleryFavouritesView, VisitorLinkView,
};
use crate::views::{ClientGalleryView, GalleryView, GeneralAccessView, GrantView, UploadView};
use crate::{ApiError, Route};

/// The groups operations are listed under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tag {
    Galleries,
    Photos,
    Access,
    Watermark,
    Logins,
    Activity,
    Client,
}

impl Tag {
    pub(super) const ALL: [Tag; 7] = [
        Tag::Galleries,
        Tag::Photos,
        Tag::Access,
        Tag::Watermark,
        Tag::Logins,
        Tag::Activity,
        Tag::Client,
    ];

    pub(super) fn name(self) -> &'static str {
        match self {
            Tag::Galleries => "galleries",
            Tag::Photos => "photos",
            Tag::Access => "access",
            Tag::Watermark => "watermark",
            Tag::Logins => "logins",
            Tag::Activity => "activity",
            Tag::Client => "client",
        }
    }

    pub(super) fn description(self) -> &'static str {
        match self {
            Tag::Galleries => "Galleries and sub-galleries (photographer).",
            Tag::Photos => "Photo uploads and listing (photographer).",
            Tag::Access => "General and private links (photographer).",
            Tag::Watermark => "The photographer's watermark logo.",
            Tag::Logins => "Client logins and the galleries released to them (photographer).",
            Tag::Activity => "What clients did, and the milestones the photographer is told of.",
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

fn password_required() -> Refusal {
    Refusal {
        errors: vec![ApiError::PasswordRequired],
        description: "The link is password protected and no live session for its current \
            password was sent.",
    }
}

/// What a route that keeps something for one client refuses: the password, and the general link
/// (plus whatever else it refuses with 403).
fn own_link(mut forbidden: Vec<ApiError>, description: &'static str) -> Vec<Refusal> {
    forbidden.insert(0, ApiError::EmailRequired);
    vec![
        password_required(),
        Refusal {
            errors: forbidden,
            description,
        },
    ]
}

const ON_GENERAL_LINK: &str = "`email_required`: this is the gallery's general link; give an email \
    to `POST /g/{token}/identify` and use the personal link it returns.";

const ON_GENERAL_LINK_OR_OFF: &str = "`email_required`: this is the gallery's general link; give an \
    email to `POST /g/{token}/identify` and use the personal link it returns. \
    `downloads_disabled`: the link allows no downloads.";

const SETTINGS_CHANGE: &str = "Absent fields keep their current value. For `password` and \
    `download_limit`, `null` clears (no password / unlimited); `null` on any other field is \
    refused (400).";

/// Successes a route answers besides its main one.
pub(super) fn other_successes(route: Route) -> Vec<Success> {
    match route {
        Route::ReleaseGallery => vec![returns(
            200,
            "Released before: that release (with any settings given now applied to its link).",
            Schemas::body::<ReleaseView>,
        )],
        Route::IdentifyVisitor => vec![returns(
            202,
            "The email has a link to this gallery already: it was sent there, not returned.",
            Schemas::body::<CheckEmailView>,
        )],
        _ => vec![],
    }
}

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
        Route::ArrangePhotos => OperationDoc {
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
                "Creates the client's grant and emails them the link (see `email_sent`). When \
                 the email has a grant a visitor made on the general link (`origin: visitor`: \
                 nobody proved they own the address), this grant replaces it: the visitor's link \
                 stops working, and its favourites move to the new one."
                    .into(),
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
                description: "The client already has a grant from the photographer on this \
                    gallery (`client_has_access`: change or revoke it instead), or an id collision \
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
                "The link stops working at once, and its favourites and download requests are \
                 deleted. The photographer may share with the email again; the general link \
                 can't give it a new link."
                    .into(),
            ),
            paged: false,
            validates: false,
            request: None,
            success: no_content(),
            refusals: vec![Refusal {
                errors: vec![ApiError::conflict("released_to_login", "")],
                description: "The link belongs to a client login: withdraw the gallery from \
                    the login instead.",
            }],
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
                 photos, in the gallery's `photo_order`. A password-protected link needs \
                 `Authorization: Bearer <session>` from {}. A `cursor` made before the \
                 photographer changed the order (or rearranged the photos) answers the first \
                 page of the new order.",
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
                 per network address (IPv6: per /64) and {per_link} from new devices together, \
                 per link per {window} minutes; a right password uses up no try. A device that \
                 unlocked this link before may send its earlier session (even expired) as \
                 `Authorization: Bearer <session>`: it is then a known device, with {per_device} \
                 wrong tries of its own from any address and no share in the new devices' \
                 ceiling, so guessers elsewhere can't lock it out. Needs no credentials besides \
                 the token.",
                per_source = UnlockThrottle::PER_SOURCE.max_attempts,
                per_link = UnlockThrottle::PER_LINK.max_attempts,
                per_device = UnlockThrottle::PER_DEVICE.max_attempts,
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
        Route::ListGalleryFavourites => OperationDoc {
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
        },
        Route::IdentifyVisitor => OperationDoc {
            tag: Tag::Client,
            summary: "Give an email on the general link to get a personal link (client)",
            description: Some(format!(
                "Favourites and downloads belong to one client, so on the general link they \
                 first need an email. This creates the visitor's own private link, whose \
                 settings are a copy of the general link's at this moment, and emails it to \
                 them as well. When the email has a link to the gallery already (the \
                 photographer shared it, or it was given here before), the link is emailed to \
                 that address and the answer is 202 `check_email`: a link is never handed to \
                 someone who has not shown they own the address. At most {per_source} per \
                 network address and {per_link} from all addresses together, per link per \
                 {window} minutes; one email address is sent at most {emails} such emails per \
                 window (beyond that the answer is the same, and nothing is sent).",
                per_source = UnlockThrottle::IDENTIFY_PER_SOURCE.max_attempts,
                per_link = UnlockThrottle::IDENTIFY_PER_LINK.max_attempts,
                emails = UnlockThrottle::IDENTIFY_EMAILS_PER_ADDRESS.max_attempts,
                window = UnlockThrottle::WINDOW_SECS / 60,
            )),
            paged: false,
            validates: true,
            request: Some(Schemas::body::<Identify>),
            success: returns(
                201,
                "The visitor's new personal link (also emailed).",
                Schemas::body::<VisitorLinkView>,
            ),
            refusals: vec![
                password_required(),
                Refusal {
                    errors: vec![ApiError::conflict("already_personal", "")],
                    description: "This is a personal link already.",
                },
                Refusal {
                    errors: vec![ApiError::TooManyAttempts {
                        retry_after_secs: 1,
                    }],
                    description: "Too many captures from this network address, or from all \
                        together, on this link; wait `Retry-After` seconds.",
                },
            ],
        },
        Route::ListFavourites => OperationDoc {
            tag: Tag::Client,
            summary: "The client's favourites lists (client)",
            description: None,
            paged: false,
            validates: false,
            request: None,
            success: returns(200, "The lists by name.", Schemas::body::<FavouritesView>),
            refusals: own_link(vec![], ON_GENERAL_LINK),
        },
        Route::AddFavourite => OperationDoc {
            tag: Tag::Client,
            summary: "Add a photo to a favourites list (client)",
            description: Some(format!(
                "`?list=<name>` names the list (created on first use; `Favourites` when absent; \
                 trimmed, 1 to 60 printable characters). At most {MAX_LISTS} lists and \
                 {MAX_PHOTOS_PER_LIST} photos a list. Adding a photo that is there already \
                 succeeds."
            )),
            paged: false,
            validates: true,
            request: None,
            success: no_content(),
            refusals: own_link(vec![], ON_GENERAL_LINK),
        },
        Route::RemoveFavourite => OperationDoc {
            tag: Tag::Client,
            summary: "Remove a photo from a favourites list (client)",
            description: Some(
                "`?list=<name>` as for adding. Removing what isn't there succeeds; a list \
                 left empty is gone."
                    .into(),
            ),
            paged: false,
            validates: true,
            request: None,
            success: no_content(),
            refusals: own_link(vec![], ON_GENERAL_LINK),
        },
        Route::GetDownloads => OperationDoc {
            tag: Tag::Client,
            summary: "The download manager (client)",
            description: Some(
                "Selected and downloaded photos, the limit and what remains of it. The \
                 photographer's changes to the link show at once."
                    .into(),
            ),
            paged: false,
            validates: false,
            request: None,
            success: returns(200, "The manager.", Schemas::body::<DownloadManagerView>),
            refusals: own_link(vec![], ON_GENERAL_LINK),
        },
        Route::SelectDownload => OperationDoc {
            tag: Tag::Client,
            summary: "Select a photo for download (client)",
            description: Some(format!(
                "Selecting is free; the limit counts at the request. At most \
                 {MAX_PHOTOS_PER_REQUEST} photos can be selected (one request's worth)."
            )),
            paged: false,
            validates: true,
            request: None,
            success: no_content(),
            refusals: own_link(vec![ApiError::DownloadsDisabled], ON_GENERAL_LINK_OR_OFF),
        },
        Route::UnselectDownload => OperationDoc {
            tag: Tag::Client,
            summary: "Unselect a photo (client)",
            description: Some("Unselecting what isn't selected succeeds.".into()),
            paged: false,
            validates: false,
            request: None,
            success: no_content(),
            refusals: {
                let mut refusals = own_link(vec![], ON_GENERAL_LINK);
                refusals.push(Refusal {
                    errors: vec![ApiError::conflict("already_downloaded", "")],
                    description: "The photo was downloaded: it stays in the manager for good.",
                });
                refusals
            },
        },
        Route::CreateDownloadRequest => OperationDoc {
            tag: Tag::Client,
            summary: "Ask for photos as a ZIP (client)",
            description: Some(format!(
                "Takes the selected photos, the `photo_ids` given, or with `all: true` every \
                 ready photo (at most {MAX_PHOTOS_PER_REQUEST}). A photo counts once against the \
                 limit, the first time it is in an accepted request, whatever the resolution; \
                 downloading it again is free. A request that would pass the limit is refused \
                 whole, with `remaining`. The ZIP is made in the background and its link \
                 emailed; follow `request_id` for its status. Send an `Idempotency-Key` header \
                 (1 to 255 visible ASCII characters) to make retries safe: a retry with the same \
                 key and the same body returns the same request and charges nothing again; the \
                 same key with another body is refused (`idempotency_key_reused`)."
            )),
            paged: false,
            // Its 422s are described below, with the reused key's.
            validates: false,
            request: Some(Schemas::body::<CreateRequest>),
            success: returns(
                202,
                "The request, accepted and queued.",
                Schemas::body::<DownloadRequestView>,
            ),
            refusals: {
                let mut refusals = own_link(
                    vec![
                        ApiError::DownloadsDisabled,
                        ApiError::DownloadLimitReached { remaining: 0 },
                    ],
                    "`email_required`: this is the gallery's general link; give an email to \
                     `POST /g/{token}/identify` first. `downloads_disabled`: the link allows no \
                     downloads. `download_limit_reached`: the request would pass the limit; \
                     `remaining` says how many photos still fit.",
                );
                refusals.push(Refusal {
                    errors: vec![
                        Invalid::new("photo_ids", "").into(),
                        ApiError::IdempotencyKeyReused,
                    ],
                    description: "`invalid_request`: a value breaks a rule; `field` names it \
                        (`Idempotency-Key` for a malformed key). `idempotency_key_reused`: the \
                        `Idempotency-Key` was sent before with another body (another resolution \
                        or other photos); a new request needs a new key. Nothing was charged \
                        either way.",
                });
                refusals.push(Refusal {
                    errors: vec![
                        store_conflict(Conflict::ConcurrentUpdate),
                        ApiError::conflict("too_many_pending", ""),
                    ],
                    description: "`too_many_pending`: this link's earlier requests are still \
                        being prepared (at most 20 at once); ask again once one is ready. \
                        `concurrent_update`: other requests of this link kept landing first. \
                        Nothing was charged either way, and sending it again is safe.",
                });
                refusals
            },
        },
        Route::ListDownloadRequests => OperationDoc {
            tag: Tag::Client,
            summary: "The client's download requests (client)",
            description: None,
            paged: false,
            validates: false,
            request: None,
            success: returns(
                200,
                "Newest first.",
                Schemas::body::<DownloadRequestListView>,
            ),
            refusals: own_link(vec![], ON_GENERAL_LINK),
        },
        Route::GetDownloadRequest => OperationDoc {
            tag: Tag::Client,
            summary: "A download request's status (client)",
            description: None,
            paged: false,
            validates: false,
            request: None,
            success: returns(200, "The request.", Schemas::body::<DownloadRequestView>),
            refusals: own_link(vec![], ON_GENERAL_LINK),
        },
        Route::OpenDownloadLink => OperationDoc {
            tag: Tag::Client,
            summary: "Download a ZIP (the link the client was emailed)",
            description: Some(
                "The token is the capability (no session needed). Each use checks that the \
                 client's link was not revoked (else 404) and that the download link has not \
                 expired, then redirects to a presigned S3 URL of a few minutes that saves \
                 the ZIP as \"<gallery title> - <resolution>.zip\"."
                    .into(),
            ),
            paged: false,
            validates: false,
            request: None,
            success: Success {
                status: 302,
                description: "`Location` is a presigned S3 URL of the ZIP, valid for 5 minutes.",
                body: None,
            },
            refusals: vec![Refusal {
                errors: vec![ApiError::DownloadLinkExpired],
                description: "The download link's lifetime is over (the ZIP is gone or going); \
                    ask for the photos again in the gallery.",
            }],
        },
        Route::CreateClientLogin => OperationDoc {
            tag: Tag::Logins,
            summary: "Create a client login",
            description: Some(format!(
                "A long-term client who logs in on the photographer's login page \
                 (`GET /account`'s `login_page`) with an access code and sees every gallery \
                 released to them. Without `access_code`, a {len}-character code is generated \
                 from an alphabet without look-alikes (no 0/O, 1/I/L). The code is in this \
                 response only: it is stored as an argon2id hash. A chosen code must have at \
                 least {min} letters and digits, be unique among the photographer's logins, and \
                 be hard to guess: at least {guesses} guesses, the product of the guesses zxcvbn \
                 estimates for each of its parts (repeats, runs, keyboard rows, common passwords, \
                 words, names, dates, the client's own name or email with or without accents, \
                 random characters), without zxcvbn's allowance for each further part. It is \
                 judged as written, as the login page compares it (look-alikes folded) and group \
                 by group as separated. Four unrelated words pass (`blue-house-42-tango`); \
                 `AAAAAAAA`, `ABCD1234`, `password-2024-1234` or the client's name and a year \
                 don't (422 on `access_code`, saying why).",
                len = AccessCode::GENERATED_LEN,
                min = AccessCode::MIN_CHOSEN_LEN,
                guesses = AccessCode::MIN_CHOSEN_GUESSES,
            )),
            paged: false,
            validates: true,
            request: Some(Schemas::body::<CreateClientLogin>),
            success: returns(
                201,
                "The new login, with its access code (shown this once).",
                Schemas::body::<ClientLoginView>,
            ),
            refusals: vec![id_collision(Conflict::LoginExists)],
        },
        Route::ListClientLogins => OperationDoc {
            tag: Tag::Logins,
            summary: "List the client logins",
            description: None,
            paged: false,
            validates: false,
            request: None,
            success: returns(
                200,
                "Oldest first; no codes.",
                Schemas::body::<ClientLoginList>,
            ),
            refusals: vec![],
        },
        Route::GetClientLogin => OperationDoc {
            tag: Tag::Logins,
            summary: "Get a client login",
            description: Some("The code can't be read back; set a new one instead.".into()),
            paged: false,
            validates: false,
            request: None,
            success: returns(
                200,
                "The login (no code).",
                Schemas::body::<ClientLoginView>,
            ),
            refusals: vec![],
        },
        Route::UpdateClientLogin => OperationDoc {
            tag: Tag::Logins,
            summary: "Change a client login or set a new access code",
            description: Some(
                "A new code (`access_code`, or `new_access_code: true` for a generated one) is \
                 returned this once; the old code stops working and the client's sessions end. \
                 The links of released galleries keep working."
                    .into(),
            ),
            paged: false,
            validates: true,
            request: Some(Schemas::body::<UpdateClientLogin>),
            success: returns(
                200,
                "The login, with `access_code` when a new one was set.",
                Schemas::body::<ClientLoginView>,
            ),
            refusals: vec![kept_changing(
                "The login kept changing under this request; nothing was applied, and sending \
                 it again is safe.",
            )],
        },
        Route::DeleteClientLogin => OperationDoc {
            tag: Tag::Logins,
            summary: "Delete (revoke) a client login",
            description: Some(
                "At once, its code opens nothing and its sessions end; then the links of every \
                 gallery released to it stop working, with their favourites and downloads."
                    .into(),
            ),
            paged: false,
            validates: false,
            request: None,
            success: no_content(),
            refusals: vec![],
        },
        Route::ReleaseGallery => OperationDoc {
            tag: Tag::Logins,
            summary: "Release a gallery to a client login",
            description: Some(format!(
                "Gives the login its own link into the gallery, with private-link settings: \
                 the gallery's general settings of this moment without their password (the \
                 access code is what the client proved), then the settings in the body. \
                 `include_subgalleries: true` releases the gallery's current sub-galleries too, \
                 each with its own general settings (never this gallery's). A login with an \
                 email is emailed once per release, pointing at the login page. Releasing again \
                 answers 200 with the release, and applies any settings given to its link. \
                 {SETTINGS_CHANGE}"
            )),
            paged: false,
            validates: true,
            request: Some(Schemas::release_input),
            success: returns(
                201,
                "The release and its link.",
                Schemas::body::<ReleaseView>,
            ),
            refusals: vec![Refusal {
                errors: vec![
                    store_conflict(Conflict::ConcurrentUpdate),
                    store_conflict(Conflict::GrantExists),
                ],
                description: "The released link's settings kept changing under this request \
                    (`concurrent_update`: sending it again is safe), or an id collision.",
            }],
        },
        Route::WithdrawGallery => OperationDoc {
            tag: Tag::Logins,
            summary: "Withdraw a gallery from a client login",
            description: Some(
                "The login's link into it stops working at once; its favourites and download \
                 requests are deleted."
                    .into(),
            ),
            paged: false,
            validates: false,
            request: None,
            success: no_content(),
            refusals: vec![],
        },
        Route::ListReleases => OperationDoc {
            tag: Tag::Logins,
            summary: "List the galleries released to a client login",
            description: None,
            paged: false,
            validates: false,
            request: None,
            success: returns(200, "The releases.", Schemas::body::<ReleaseList>),
            refusals: vec![],
        },
        Route::GetAccount => OperationDoc {
            tag: Tag::Logins,
            summary: "The photographer's own profile and login page",
            description: None,
            paged: false,
            validates: false,
            request: None,
            success: returns(200, "The profile.", Schemas::body::<AccountView>),
            refusals: vec![],
        },
        Route::PreviewGallery => OperationDoc {
            tag: Tag::Access,
            summary: "Preview a gallery as one client sees it",
            description: Some(
                "`?as=general` (the default), `?as=grant:<grant id>` (a private link of this \
                 gallery) or `?as=login:<login id>` (a client login it is released to): the \
                 view that client gets from `GET /g/{token}` (the same photos, looks, \
                 permissions and navigation), without their password, and not counted as their \
                 activity. Pages with `limit` and `cursor` like the client's."
                    .into(),
            ),
            paged: true,
            validates: true,
            request: None,
            success: returns(
                200,
                "The client's view.",
                Schemas::body::<ClientGalleryView>,
            ),
            refusals: vec![],
        },
        Route::GetGalleryActivity => OperationDoc {
            tag: Tag::Activity,
            summary: "Every client's activity in a gallery",
            description: Some(
                "Per private link (shared, captured on the general link, or released to a \
                 client login): views by people (first, last, count; link previews of chat apps \
                 and HEAD requests are not counted), favourites, downloads and the milestones \
                 reached. `?format=csv` answers the same as a spreadsheet (RFC 4180, UTF-8, one \
                 row per client; a cell that a spreadsheet would read as a formula is prefixed \
                 with `'`)."
                    .into(),
            ),
            paged: false,
            validates: true,
            request: None,
            success: returns(
                200,
                "The activity (or, with `?format=csv`, text/csv).",
                Schemas::body::<GalleryActivityView>,
            ),
            refusals: vec![],
        },
        Route::ListNotifications => OperationDoc {
            tag: Tag::Activity,
            summary: "The photographer's notifications",
            description: Some(
                "One per milestone a client reached (first view, favourites list created, full \
                 gallery downloaded, limited download made), each at most once per client and \
                 gallery; the photographer is emailed each too. Newest first, `limit` (1 to 100, \
                 default 20) at a time, with the unread count."
                    .into(),
            ),
            paged: false,
            validates: true,
            request: None,
            success: returns(
                200,
                "A page of notifications.",
                Schemas::body::<NotificationListView>,
            ),
            refusals: vec![],
        },
        Route::ReadNotification => OperationDoc {
            tag: Tag::Activity,
            summary: "Mark a notification read",
            description: Some("Marking it again changes nothing.".into()),
            paged: false,
            validates: false,
            request: None,
            success: no_content(),
            refusals: vec![],
        },
        Route::LogIn => OperationDoc {
            tag: Tag::Client,
            summary: "Log in with an access code (client login)",
            description: Some(format!(
                "Exchanges a client login's access code for a session of {days} days, sent as \
                 `Authorization: Bearer <session>` to `GET /me/galleries`. A wrong code, an \
                 unknown page and a revoked login all answer the same 401, in the same time. At \
                 most {per_source} wrong codes per network address (IPv6: per /64) and \
                 {per_page} from new devices together, per login page per {window} minutes; a \
                 right code uses up no try. A device that logged in here before may send its \
                 earlier session (even expired): it is then a known device, with {per_device} \
                 wrong codes of its own from any address and room up to {known} from all \
                 devices together.",
                days = LoginSessionClaims::DEFAULT_TTL_SECS / 86_400,
                per_source = UnlockThrottle::LOGIN_PER_SOURCE.max_attempts,
                per_page = UnlockThrottle::LOGIN_PER_PAGE.max_attempts,
                per_device = UnlockThrottle::LOGIN_PER_DEVICE.max_attempts,
                known = UnlockThrottle::LOGIN_PER_PAGE_FOR_KNOWN_DEVICES.max_attempts,
                window = UnlockThrottle::WINDOW_SECS / 60,
            )),
            paged: false,
            validates: false,
            request: Some(Schemas::body::<LogIn>),
            success: returns(
                200,
                "A session for this login.",
                Schemas::body::<LoginSession>,
            ),
            refusals: vec![
                Refusal {
                    errors: vec![ApiError::WrongAccessCode],
                    description: "The code opens nothing on this page.",
                },
                Refusal {
                    errors: vec![ApiError::TooManyAttempts {
                        retry_after_secs: 1,
                    }],
                    description: "Too many wrong codes from this address or on this page; \
                        `Retry-After` says when to try again.",
                },
            ],
        },
        Route::LogOut => OperationDoc {
            tag: Tag::Client,
            summary: "Log out on the login page (a browser's form)",
            description: Some(
                "The overview's button: answers `303` to the login page with the page's session \
                 cookie cleared. Sessions are signed, not stored; a new access code ends every \
                 session of the login for good. A form from another site's page is refused."
                    .into(),
            ),
            paged: false,
            validates: false,
            request: None,
            success: Success {
                status: 303,
                description: "`Location` is the login page; `Set-Cookie` clears the session.",
                body: None,
            },
            refusals: Vec::new(),
        },
        Route::LoginPage => OperationDoc {
            tag: Tag::Client,
            summary: "The photographer's login page (HTML, for browsers)",
            description: Some(
                "A page with the access-code form, which posts to `POST /p/{slug}/login` and \
                 keeps the session in a cookie for this page. With that cookie, the page lists \
                 the galleries released to the client instead (what `GET /me/galleries` gives \
                 as JSON)."
                    .into(),
            ),
            paged: false,
            validates: false,
            request: None,
            success: Success {
                status: 200,
                description: "An HTML page (`text/html`): the login form, or the client's galleries.",
                body: None,
            },
            refusals: Vec::new(),
        },
        Route::StaticAsset => OperationDoc {
            tag: Tag::Client,
            summary: "A static file of the client pages (CSS, JavaScript, icon)",
            description: Some(
                "Files are named after a hash of their content, so they are cached for good \
                 (`Cache-Control: public, max-age=31536000, immutable`). Any other name is a 404."
                    .into(),
            ),
            paged: false,
            validates: false,
            request: None,
            success: Success {
                status: 200,
                description: "The file, with its content type.",
                body: None,
            },
            refusals: Vec::new(),
        },
        Route::MyGalleries => OperationDoc {
            tag: Tag::Client,
            summary: "Every gallery released to the logged-in client",
            description: Some(
                "Needs the session of `POST /p/{slug}/login`. Each gallery opens through its \
                 `link` exactly like a private link, with the login's settings for it; galleries \
                 released later appear here without a new link."
                    .into(),
            ),
            paged: false,
            validates: false,
            request: None,
            success: returns(
                200,
                "The galleries, newest release first.",
                Schemas::body::<MyGalleriesView>,
            ),
            refusals: vec![Refusal {
                errors: vec![ApiError::LoginRequired],
                description: "No live session: none sent, expired, the code was changed since, \
                    or the login was deleted.",
            }],
        },
    }
}
