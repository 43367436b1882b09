//! One error type for every route, and the one place where errors become HTTP.

use lambda_http::http::HeaderValue;
use lambda_http::{Body, Response};
use proofsheet_policy::text::one_line;
use proofsheet_policy::{AlreadyDownloaded, DownloadRefusal, FavouritesFull, Invalid};
use proofsheet_store::{Conflict, StoreError};

use crate::http_io::{json_text, with_security_headers};
use crate::pages;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("the request body is not valid JSON for this route: {0}")]
    BadJson(String),
    #[error("{0}")]
    Invalid(#[from] Invalid),
    #[error("a valid API key is required (Authorization: Bearer <key>), or the studio's session")]
    Unauthorized,
    /// A change carried the studio's session cookie, but not from the studio's own script.
    #[error("{0}")]
    CrossSiteWrite(#[from] proofsheet_policy::CrossSiteWrite),
    /// A route for the studio's session only, called with an API key: a key can't make or
    /// revoke keys, or change the address that signs in.
    #[error(
        "API keys and the sign-in address are changed in the studio (signed in by email), never with an API key"
    )]
    StudioSessionRequired,
    /// A new sign-in address or API key asked with a session opened too long ago
    /// (`proofsheet_policy::StudioSession::is_recent`).
    #[error(
        "this needs a recent sign-in: sign in again with an emailed link, then do it within {minutes} minutes",
        minutes = proofsheet_policy::StudioSession::RECENT_SECS / 60
    )]
    RecentSignInRequired,
    /// One answer for a sign-in link that is unknown, used or past its time.
    #[error("this sign-in link has been used or has expired: ask for a new one at /studio")]
    SignInLinkSpent,
    #[error(
        "this gallery is password protected: unlock it and send the session as Authorization: Bearer <session>"
    )]
    PasswordRequired,
    #[error("the password is not correct")]
    WrongPassword,
    #[error(
        "log in on your photographer's login page first and send the session as Authorization: Bearer <session>"
    )]
    LoginRequired,
    /// One answer for a wrong code, an unknown page and a revoked login, so none can be told
    /// apart.
    #[error("this access code does not open anything here; check it and try again")]
    WrongAccessCode,
    #[error("too many attempts; try again in {retry_after_secs} seconds")]
    TooManyAttempts { retry_after_secs: u64 },
    #[error(
        "this is the gallery's general link: give your email (POST /g/{{token}}/identify) to get your own link, which keeps favourites and downloads"
    )]
    EmailRequired,
    #[error("downloads are turned off for this gallery")]
    DownloadsDisabled,
    #[error(
        "this Idempotency-Key was sent with another request: send a new key for a new request, the same body for a retry"
    )]
    IdempotencyKeyReused,
    #[error("the download limit would be passed: {remaining} photos remain")]
    DownloadLimitReached { remaining: u32 },
    #[error("not found")]
    NotFound,
    #[error("this download link has expired: ask for the photos again in your gallery")]
    DownloadLinkExpired,
    #[error(
        "this gallery expired on {}: ask {} for access again",
        .0.expired_on,
        .0.contact_line()
    )]
    GalleryExpired(Box<ExpiredGallery>),
    #[error("{message}")]
    Conflict { code: ConflictCode, message: String },
    #[error("the form is not filled in as this page expects: {0}")]
    BadForm(String),
    #[error("this form can only be sent from its own page")]
    CrossSiteForm,
    #[error("no route for this method and path")]
    NoRoute,
    #[error("request bodies are limited to {limit_bytes} bytes")]
    BodyTooLarge { limit_bytes: usize },
    /// Details are logged, never sent: they may name internal resources.
    #[error("internal error")]
    Internal(String),
}

/// What a 409 says happened: one name each, which the answer's `error` field and the OpenAPI
/// description both read from here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictCode {
    GalleryHasSubgalleries,
    ReleasedToLogin,
    PasswordNotSet,
    AlreadyPersonal,
    TooManyPending,
    AlreadyDownloaded,
    /// A write the store refused, under the store's own code.
    Store(Conflict),
}

impl ConflictCode {
    /// Every code a handler answers itself (a test checks each is documented).
    pub const HANDLERS_OWN: [Self; 6] = [
        Self::GalleryHasSubgalleries,
        Self::ReleasedToLogin,
        Self::PasswordNotSet,
        Self::AlreadyPersonal,
        Self::TooManyPending,
        Self::AlreadyDownloaded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::GalleryHasSubgalleries => "gallery_has_subgalleries",
            Self::ReleasedToLogin => "released_to_login",
            Self::PasswordNotSet => "password_not_set",
            Self::AlreadyPersonal => "already_personal",
            Self::TooManyPending => "too_many_pending",
            Self::AlreadyDownloaded => "already_downloaded",
            Self::Store(conflict) => conflict.code(),
        }
    }
}

impl ApiError {
    pub fn conflict(code: ConflictCode, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
        }
    }

    pub fn status_and_code(&self) -> (u16, &'static str) {
        match self {
            Self::BadJson(_) => (400, "invalid_json"),
            Self::Invalid(_) => (422, "invalid_request"),
            Self::Unauthorized => (401, "unauthorized"),
            Self::PasswordRequired => (401, "password_required"),
            Self::WrongPassword => (401, "wrong_password"),
            Self::LoginRequired => (401, "login_required"),
            Self::WrongAccessCode => (401, "wrong_access_code"),
            Self::TooManyAttempts { .. } => (429, "too_many_attempts"),
            Self::EmailRequired => (403, "email_required"),
            Self::DownloadsDisabled => (403, "downloads_disabled"),
            Self::DownloadLimitReached { .. } => (403, "download_limit_reached"),
            Self::IdempotencyKeyReused => (422, "idempotency_key_reused"),
            Self::NotFound => (404, "not_found"),
            Self::DownloadLinkExpired | Self::GalleryExpired(_) => (410, "expired"),
            Self::Conflict { code, .. } => (409, code.as_str()),
            Self::BadForm(_) => (400, "invalid_form"),
            Self::CrossSiteForm => (403, "cross_site_form"),
            Self::CrossSiteWrite(_) => (403, "cross_site_write"),
            Self::StudioSessionRequired => (403, "studio_session_required"),
            Self::RecentSignInRequired => (403, "recent_sign_in_required"),
            Self::SignInLinkSpent => (410, "sign_in_link_spent"),
            Self::NoRoute => (404, "no_route"),
            Self::BodyTooLarge { .. } => (413, "body_too_large"),
            Self::Internal(_) => (500, "internal"),
        }
    }

    fn log(&self) {
        let (status, code) = self.status_and_code();
        if let Self::Internal(detail) = self {
            tracing::error!(error = %detail, "request failed");
        } else {
            tracing::info!(status, code, "request refused");
        }
    }

    pub fn into_response(self) -> Response<Body> {
        let (status, code) = self.status_and_code();
        self.log();
        // A message may name the photographer, or quote the input: shown as names are.
        let message = self.to_string();
        let mut body = serde_json::json!({ "error": code, "message": one_line(&message) });
        if let Self::Invalid(invalid) = &self {
            body["field"] = invalid.field.into();
        }
        if let Self::DownloadLimitReached { remaining } = &self {
            body["remaining"] = (*remaining).into();
        }
        if let Self::GalleryExpired(expired) = &self {
            body["expired_at"] = expired.expired_at.clone().into();
            body["photographer"] = serde_json::json!({
                "name": one_line(&expired.photographer),
                "email": expired.email.as_deref().map(one_line),
            });
        }
        let mut response = json_text(status, body.to_string());
        if let Self::TooManyAttempts { retry_after_secs } = self {
            response
                .headers_mut()
                .insert("retry-after", HeaderValue::from(retry_after_secs));
        }
        with_security_headers(response)
    }

    /// Whether the page of this refusal shows whose link or login page it is: a password, a
    /// code or a date stands in the way, not a link that doesn't exist (which says nothing).
    pub(crate) fn page_shows_brand(&self) -> bool {
        matches!(
            self,
            Self::PasswordRequired
                | Self::WrongPassword
                | Self::TooManyAttempts { .. }
                | Self::GalleryExpired(_)
                | Self::WrongAccessCode
                | Self::LoginRequired
        )
    }

    /// The error as a page, for a browser on a client route (`path`): the password or login
    /// form again where a password or code is what is missing or wrong, else a plain message;
    /// in the photographer's look (`brand`) where [`Self::page_shows_brand`]. Same status as the
    /// JSON answer.
    pub(crate) fn into_page(self, path: &str, brand: Option<pages::PageBrand>) -> Response<Body> {
        let (status, _) = self.status_and_code();
        self.log();
        let problem = match &self {
            Self::WrongPassword => Some("That password is not right. Try again.".to_owned()),
            Self::WrongAccessCode => {
                Some("That code doesn't open anything here. Check it and try again.".to_owned())
            }
            Self::TooManyAttempts { retry_after_secs } => Some(format!(
                "Too many tries. Wait {} minutes, then try again.",
                retry_after_secs.div_ceil(60)
            )),
            _ => None,
        };
        let brand = brand.filter(|_| self.page_shows_brand());
        let styles = brand.as_ref().and_then(|b| pages::style_source(&b.css));
        let styles = styles.as_deref();
        let rendered = match (&self, pages::page_root(path)) {
            (
                Self::PasswordRequired | Self::WrongPassword | Self::TooManyAttempts { .. },
                Some(("g", link)),
            ) => pages::styled_html(
                status,
                &pages::PasswordPage {
                    brand,
                    action: format!("{link}/unlock"),
                    problem,
                },
                None,
                styles,
            ),
            (
                Self::WrongAccessCode | Self::TooManyAttempts { .. } | Self::LoginRequired,
                Some(("p", page)),
            ) => pages::styled_html(
                status,
                &pages::LoginPage {
                    brand,
                    action: format!("{page}/login"),
                    problem,
                },
                None,
                styles,
            ),
            _ => pages::styled_html(status, &self.message_page(brand), None, styles),
        };
        let mut response = rendered.unwrap_or_else(|e| {
            e.log();
            json_text(
                500,
                r#"{"error":"internal","message":"internal error"}"#.into(),
            )
        });
        if let Self::TooManyAttempts { retry_after_secs } = self {
            response
                .headers_mut()
                .insert("retry-after", HeaderValue::from(retry_after_secs));
        }
        with_security_headers(response)
    }

    fn message_page(&self, brand: Option<pages::PageBrand>) -> pages::MessagePage {
        let (heading, text) = match self {
            Self::NotFound | Self::NoRoute => (
                "This link no longer works",
                "Ask your photographer for a new link.".to_owned(),
            ),
            Self::SignInLinkSpent => (
                "This sign-in link no longer works",
                format!(
                    "It has been used, or its {} minutes are over. Ask for a new one in the studio (/studio).",
                    proofsheet_policy::SignInLink::LIFETIME_SECS / 60
                ),
            ),
            Self::DownloadLinkExpired => (
                "This download link has expired",
                "Open your gallery and ask for the photos again.".to_owned(),
            ),
            Self::GalleryExpired(expired) => (
                "This gallery has expired",
                format!(
                    "It was open until {}. To see it again, contact {}.",
                    expired.expired_on,
                    expired.contact_line()
                ),
            ),
            Self::Internal(_) => (
                "Something went wrong",
                "Please try again in a moment.".to_owned(),
            ),
            // The API's messages are for developers; a person gets what to do.
            _ => (
                "This did not work",
                "Go back and try again. If it keeps happening, ask your photographer.".to_owned(),
            ),
        };
        let contact = match self {
            Self::GalleryExpired(expired) => expired
                .email
                .clone()
                .map(|email| (expired.photographer.clone(), email)),
            _ => None,
        };
        pages::MessagePage {
            brand,
            heading,
            text,
            contact,
        }
    }
}

/// Who a client whose gallery expired can ask, and since when.
#[derive(Debug)]
pub struct ExpiredGallery {
    /// RFC 3339, for programs.
    pub expired_at: String,
    /// As people read dates: `30 June 2027`.
    pub expired_on: String,
    pub photographer: String,
    pub email: Option<String>,
}

impl ExpiredGallery {
    /// `Ann Lee (ann@example.com)`, or the name alone.
    fn contact_line(&self) -> String {
        match &self.email {
            Some(email) => format!("{} ({email})", self.photographer),
            None => self.photographer.clone(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => Self::NotFound,
            // The photographer chose a code another of their logins has: their input to change.
            StoreError::Conflict(Conflict::AccessCodeTaken) => Self::Invalid(Invalid::new(
                "access_code",
                conflict_message(Conflict::AccessCodeTaken),
            )),
            StoreError::Conflict(conflict) => {
                Self::conflict(ConflictCode::Store(conflict), conflict_message(conflict))
            }
            // Handlers read no client-sized objects; a limit hit here is ours.
            StoreError::TooLarge { limit_bytes } => {
                Self::Internal(format!("an object is over {limit_bytes} bytes"))
            }
            StoreError::Aws(detail) | StoreError::Corrupt(detail) => Self::Internal(detail),
        }
    }
}

impl From<DownloadRefusal> for ApiError {
    fn from(refusal: DownloadRefusal) -> Self {
        let invalid = |field, reason: String| Self::Invalid(Invalid::new(field, reason));
        match refusal {
            DownloadRefusal::Disabled => Self::DownloadsDisabled,
            DownloadRefusal::LimitReached { remaining } => Self::DownloadLimitReached { remaining },
            DownloadRefusal::ResolutionNotAllowed(_) => invalid(
                "resolution",
                format!("{refusal}; see the download manager's `resolutions`"),
            ),
            DownloadRefusal::TooManyPending => {
                Self::conflict(ConflictCode::TooManyPending, refusal.to_string())
            }
            DownloadRefusal::NothingChosen
            | DownloadRefusal::UnknownPhoto(_)
            | DownloadRefusal::TooManyPhotos => invalid("photo_ids", refusal.to_string()),
        }
    }
}

impl From<FavouritesFull> for ApiError {
    fn from(full: FavouritesFull) -> Self {
        Self::Invalid(Invalid::new("list", format!("a client keeps {full}")))
    }
}

impl From<AlreadyDownloaded> for ApiError {
    fn from(err: AlreadyDownloaded) -> Self {
        Self::conflict(ConflictCode::AlreadyDownloaded, err.to_string())
    }
}

impl From<proofsheet_app::NoSecretKey> for ApiError {
    fn from(err: proofsheet_app::NoSecretKey) -> Self {
        Self::Internal(err.to_string())
    }
}

fn conflict_message(conflict: Conflict) -> &'static str {
    match conflict {
        Conflict::SlugTaken => "that login-page address is already another photographer's",
        Conflict::EmailTaken => "another photographer signs in with that email",
        Conflict::ClientHasAccess => {
            "this client already has private access to the gallery; change or revoke that grant instead"
        }
        Conflict::ConcurrentUpdate => {
            "other changes to the same thing kept landing at the same moment; send the request again"
        }
        Conflict::AccessCodeTaken => {
            "another of your client logins has this access code; choose another (or leave it out for a generated one)"
        }
        Conflict::AlreadyReleased => "this gallery is already released to this login",
        Conflict::AccountClosing => "this account is being deleted",
        Conflict::PhotographerExists
        | Conflict::LoginExists
        | Conflict::GalleryExists
        | Conflict::PhotoExists
        | Conflict::GrantExists => "the request conflicts with the current state",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(err: ApiError) -> (u16, serde_json::Value) {
        let response = err.into_response();
        let status = response.status().as_u16();
        let Body::Text(text) = response.into_body() else {
            panic!("not text")
        };
        (status, serde_json::from_str(&text).unwrap())
    }

    #[test]
    fn internal_details_stay_in_the_logs() {
        let (status, json) = body(ApiError::Internal("table prod-table is gone".into()));
        assert_eq!(status, 500);
        assert_eq!(json["error"], "internal");
        assert!(!json.to_string().contains("prod-table"));
    }

    #[test]
    fn errors_leak_nothing_through_referer_or_caches() {
        let response = ApiError::NotFound.into_response();
        assert_eq!(response.headers()["referrer-policy"], "no-referrer");
        assert_eq!(response.headers()["cache-control"], "no-store");
        assert_eq!(response.headers()["content-type"], "application/json");
    }

    #[test]
    fn store_conflicts_keep_their_code() {
        let (status, json) = body(StoreError::Conflict(Conflict::SlugTaken).into());
        assert_eq!((status, json["error"].as_str()), (409, Some("slug_taken")));
    }

    #[test]
    fn a_refusal_past_the_limit_says_what_remains() {
        let (status, json) = body(DownloadRefusal::LimitReached { remaining: 2 }.into());
        assert_eq!(status, 403);
        assert_eq!(json["error"], "download_limit_reached");
        assert_eq!(json["remaining"], 2);
        let (status, json) = body(DownloadRefusal::Disabled.into());
        assert_eq!(
            (status, json["error"].as_str()),
            (403, Some("downloads_disabled"))
        );
        let (status, json) = body(FavouritesFull::TooManyLists.into());
        assert_eq!((status, json["field"].as_str()), (422, Some("list")));
        assert_eq!(json["message"], "list: a client keeps at most 20 lists");
    }

    #[test]
    fn invalid_input_names_the_field() {
        let (status, json) = body(Invalid::new("title", "must not be empty").into());
        assert_eq!(status, 422);
        assert_eq!(json["field"], "title");
        assert_eq!(json["message"], "title: must not be empty");
    }
}
