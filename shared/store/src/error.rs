use aws_sdk_dynamodb::error::{DisplayErrorContext, SdkError};

/// What can go wrong in the store. Condition failures are named outcomes, never generic errors,
/// so the HTTP layer can answer 404/409 instead of 500.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness or state condition failed: which one, as a value of its own.
    #[error("conflict: {}", .0.code())]
    Conflict(Conflict),
    /// An object is larger than the caller is willing to read.
    #[error("object larger than {limit_bytes} bytes")]
    TooLarge { limit_bytes: u64 },
    #[error("AWS call failed: {0}")]
    Aws(String),
    #[error("stored data unreadable: {0}")]
    Corrupt(String),
}

/// The conditions a write can fail on, each a state of the data the caller can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    /// Another photographer has this slug.
    SlugTaken,
    /// Another photographer signs in with this email.
    EmailTaken,
    /// The client already has a private grant on this gallery.
    ClientHasAccess,
    /// The record changed between read and write more often than the retries allow.
    ConcurrentUpdate,
    /// A record with this freshly generated id exists already (an id collision).
    PhotographerExists,
    GalleryExists,
    PhotoExists,
    GrantExists,
    LoginExists,
    /// Another client login of the photographer has this access code.
    AccessCodeTaken,
    /// The gallery was released to this login before.
    AlreadyReleased,
    /// The photographer's account is being deleted: nothing new may let anyone in.
    AccountClosing,
}

impl Conflict {
    /// Stable snake_case code for the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::SlugTaken => "slug_taken",
            Self::EmailTaken => "email_taken",
            Self::ClientHasAccess => "client_has_access",
            Self::ConcurrentUpdate => "concurrent_update",
            Self::PhotographerExists => "photographer_exists",
            Self::GalleryExists => "gallery_exists",
            Self::PhotoExists => "photo_exists",
            Self::GrantExists => "grant_exists",
            Self::LoginExists => "login_exists",
            Self::AccessCodeTaken => "access_code_taken",
            Self::AlreadyReleased => "already_released",
            Self::AccountClosing => "account_closing",
        }
    }
}

impl<E, R> From<SdkError<E, R>> for StoreError
where
    E: std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    fn from(err: SdkError<E, R>) -> Self {
        StoreError::Aws(DisplayErrorContext(err).to_string())
    }
}

impl From<serde_dynamo::Error> for StoreError {
    fn from(err: serde_dynamo::Error) -> Self {
        StoreError::Corrupt(err.to_string())
    }
}
