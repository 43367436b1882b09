//! The words for what the route table does not say about a route: its tag, summary and
//! description, its request and success bodies, its query parameters and headers, and the
//! refusals particular to it. Each route's description is written next to its handler, in its
//! module's `doc` (`Route::describe` finds it); a new route does not compile until it has one.
//!
//! Refusals every route of a kind shares are not listed: the generator adds them from the route
//! itself (see `shared_refusals` in the parent module).
//!
//! A handler module's `doc` imports everything here (`use crate::openapi::describe::*`), so the
//! names a description uses are re-exported below.

pub(crate) use proofsheet_policy::favourites::{MAX_LISTS, MAX_PHOTOS_PER_LIST};
pub(crate) use proofsheet_policy::{
    AccessCode, Invalid, LoginSessionClaims, MAX_PHOTOS_PER_REQUEST, UnlockThrottle,
};
pub(crate) use proofsheet_store::{Conflict, StoreError};
pub(crate) use utoipa::openapi::path::Parameter;
use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
use utoipa::openapi::{Object, Required};
use utoipa::openapi::{RefOr, Schema};

pub(crate) use super::Schemas;
pub(crate) use super::bodies::{
    ApiKeyList, ClientLoginList, GalleryList, LoginSession, PhotoList, PrivateGrantCreated,
    PrivateGrantList, ReleaseList, Session,
};
pub(crate) use super::{route_name, string_schema};
pub(crate) use crate::Route;
pub(crate) use crate::handlers::client::Unlock;
pub(crate) use crate::handlers::client::downloads::CreateRequest;
pub(crate) use crate::handlers::client::identify::Identify;
pub(crate) use crate::handlers::client::logins::LogIn;
pub(crate) use crate::handlers::photographer::access::SettingsInput;
pub(crate) use crate::handlers::photographer::galleries::{CreateGallery, UpdateGallery};
pub(crate) use crate::handlers::photographer::logins::{CreateClientLogin, UpdateClientLogin};
pub(crate) use crate::handlers::photographer::photos::{
    ArrangePhotos, ArrangementView, CreateLogoUpload, CreateUpload,
};
pub(crate) use crate::views::{
    CheckEmailView, DownloadManagerView, DownloadRequestListView, DownloadRequestView,
    FavouritesView, GalleryFavouritesView, VisitorLinkView,
};
pub(crate) use crate::views::{
    ClientGalleryView, GalleryView, GeneralAccessView, GrantView, UploadView,
};
pub(crate) use crate::views::{
    ClientLoginView, GalleryActivityView, MyGalleriesView, NotificationListView, ReleaseView,
};
pub(crate) use crate::{ApiError, ConflictCode};

/// The groups operations are listed under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tag {
    Galleries,
    Photos,
    Access,
    Watermark,
    Logins,
    Activity,
    Client,
    Studio,
    Account,
}

impl Tag {
    pub(crate) const ALL: [Tag; 9] = [
        Tag::Galleries,
        Tag::Photos,
        Tag::Access,
        Tag::Watermark,
        Tag::Logins,
        Tag::Activity,
        Tag::Client,
        Tag::Studio,
        Tag::Account,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Tag::Galleries => "galleries",
            Tag::Photos => "photos",
            Tag::Access => "access",
            Tag::Watermark => "watermark",
            Tag::Logins => "logins",
            Tag::Activity => "activity",
            Tag::Client => "client",
            Tag::Studio => "studio",
            Tag::Account => "account",
        }
    }

    pub(crate) fn description(self) -> &'static str {
        match self {
            Tag::Galleries => "Galleries and sub-galleries (photographer).",
            Tag::Photos => "Photo uploads and listing (photographer).",
            Tag::Access => "General and private links (photographer).",
            Tag::Watermark => "The photographer's watermark logo.",
            Tag::Logins => "Client logins and the galleries released to them (photographer).",
            Tag::Activity => "What clients did, and the milestones the photographer is told of.",
            Tag::Client => "What a client does with a link (no account).",
            Tag::Studio => {
                "The photographer's studio: signing in through an emailed link, and its session."
            }
            Tag::Account => {
                "The photographer's own account: name, login page, sign-in address (photographer)."
            }
        }
    }
}

/// A body's schema: adds what it needs to the components and returns what the operation shows.
pub(crate) type Body = fn(&mut Schemas) -> RefOr<Schema>;

pub(crate) struct Success {
    pub status: u16,
    pub description: &'static str,
    pub body: Option<Body>,
}

/// Refusals of one status particular to a route. Status and codes are the errors' own (see
/// `ApiError::status_and_code`), so they cannot drift from what the handler answers.
pub(crate) struct Refusal {
    pub errors: Vec<ApiError>,
    pub description: &'static str,
}

pub(crate) struct OperationDoc {
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
pub(crate) const SETTINGS_KEPT_CHANGING: &str = "The link's settings kept changing under this request (other \
     changes kept landing first); nothing of this change was applied, and sending it again is safe.";

pub(crate) fn returns(status: u16, description: &'static str, body: Body) -> Success {
    Success {
        status,
        description,
        body: Some(body),
    }
}

pub(crate) fn no_content() -> Success {
    Success {
        status: 204,
        description: "Done; no body.",
        body: None,
    }
}

pub(crate) fn store_conflict(conflict: Conflict) -> ApiError {
    StoreError::Conflict(conflict).into()
}

pub(crate) fn id_collision(conflict: Conflict) -> Refusal {
    Refusal {
        errors: vec![store_conflict(conflict)],
        description: "Id collision (practically never).",
    }
}

pub(crate) fn kept_changing(description: &'static str) -> Refusal {
    Refusal {
        errors: vec![store_conflict(Conflict::ConcurrentUpdate)],
        description,
    }
}

pub(crate) fn password_required() -> Refusal {
    Refusal {
        errors: vec![ApiError::PasswordRequired],
        description: "The link is password protected and no live session for its current \
            password was sent.",
    }
}

/// What a route that keeps something for one client refuses: the password, and the general link
/// (plus whatever else it refuses with 403).
pub(crate) fn own_link(mut forbidden: Vec<ApiError>, description: &'static str) -> Vec<Refusal> {
    forbidden.insert(0, ApiError::EmailRequired);
    vec![
        password_required(),
        Refusal {
            errors: forbidden,
            description,
        },
    ]
}

pub(crate) const ON_GENERAL_LINK: &str = "`email_required`: this is the gallery's general link; give an email \
    to `POST /g/{token}/identify` and use the private link it returns.";

pub(crate) const ON_GENERAL_LINK_OR_OFF: &str = "`email_required`: this is the gallery's general link; give an \
    email to `POST /g/{token}/identify` and use the private link it returns. \
    `downloads_disabled`: the link allows no downloads.";

pub(crate) const SETTINGS_CHANGE: &str = "Absent fields keep their current value. For `password` and \
    `download_limit`, `null` clears (no password / unlimited); `null` on any other field is \
    refused (400).";

/// A route's description with what few routes add: successes besides the main one, and query
/// parameters or headers (each declared once, in the route's `doc`).
pub(crate) struct Described {
    pub doc: OperationDoc,
    pub also: Vec<Success>,
    pub parameters: Vec<Parameter>,
}

impl From<OperationDoc> for Described {
    fn from(doc: OperationDoc) -> Self {
        Self {
            doc,
            also: Vec::new(),
            parameters: Vec::new(),
        }
    }
}

impl OperationDoc {
    /// The route also answers `success`.
    pub(crate) fn also_answering(self, success: Success) -> Described {
        Described::from(self).also_answering(success)
    }

    /// The route reads `parameter` (from its query or its headers).
    pub(crate) fn taking(self, parameter: Parameter) -> Described {
        Described::from(self).taking(parameter)
    }
}

impl Described {
    pub(crate) fn also_answering(mut self, success: Success) -> Self {
        self.also.push(success);
        self
    }

    pub(crate) fn taking(mut self, parameter: Parameter) -> Self {
        self.parameters.push(parameter);
        self
    }
}

/// An optional query parameter or header.
pub(crate) fn optional_parameter(
    name: &str,
    place: ParameterIn,
    description: &str,
    schema: Object,
) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(place)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(schema))
        .build()
}

pub(crate) use utoipa::openapi::path::ParameterIn as In;
