//! The photographer's own account: their name, their login page's address, and the address
//! they sign in with (changed only from the studio, confirmed from the new address:
//! `proofsheet_policy::EmailChange`).

use lambda_http::{Body, Request, Response};
use proofsheet_app::App;
use proofsheet_app::admin::AdminError;
use proofsheet_policy::{
    AccentColour, Brand, Email, EmailChange, FontPairing, Invalid, PersonName, PhotographerId, Slug,
};
use proofsheet_store::{Conflict, PhotographerRecord, StoreError, object_keys};
use serde::Deserialize;

use crate::ApiError;
use crate::handlers::photographer::photos::{CreateLogoUpload, logo_upload};
use crate::handlers::{base_url, studio};
use crate::http_io::{json, json_body, no_content, present};
use crate::views::AccountView;

// Every field: absent keeps the current value (see `present`).
#[serde_with::apply(_ => #[serde(default, deserialize_with = "present")])]
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = AccountUpdate)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateAccount {
    /// The name clients see (1 to 100 characters).
    #[schema(nullable = false)]
    name: Option<String>,
    /// The login page's address, `/p/<slug>`: 3 to 40 lowercase letters, digits and dashes.
    /// The old address keeps leading to the new one, and stays the photographer's (the last
    /// three old addresses do). A client logged in on the old address logs in again on the new
    /// one.
    #[schema(nullable = false)]
    slug: Option<String>,
    /// The colour of buttons and highlights on the client pages, `#rrggbb`, dark enough for
    /// white text on it (contrast 4.5:1 or more); `null` for Proofsheet's own.
    #[schema(value_type = Option<String>, pattern = "^#[0-9a-fA-F]{6}$")]
    accent_colour: Option<Option<String>>,
    /// The typefaces of the client pages: the device's own, or one of three pairs served from
    /// this API's own files.
    #[schema(value_type = crate::openapi::values::FontPairing)]
    font_pairing: Option<FontPairing>,
    /// Where clients' "Contact" link writes to; `null` for the address you sign in with.
    #[schema(value_type = Option<String>, format = "email")]
    contact_email: Option<Option<String>>,
}

impl UpdateAccount {
    /// The brand with this change applied, checked; `None` when it changes no part of it.
    fn brand(&self, read: &Brand) -> Result<Option<Brand>, ApiError> {
        if self.accent_colour.is_none()
            && self.font_pairing.is_none()
            && self.contact_email.is_none()
        {
            return Ok(None);
        }
        let mut brand = read.clone();
        if let Some(accent) = &self.accent_colour {
            brand.accent = accent.as_deref().map(AccentColour::parse).transpose()?;
        }
        if let Some(fonts) = self.font_pairing {
            brand.fonts = fonts;
        }
        if let Some(contact) = &self.contact_email {
            brand.contact_email = contact
                .as_deref()
                .map(|raw| Email::parse(raw).map_err(|e| Invalid::new("contact_email", e.reason)))
                .transpose()?;
        }
        Ok(Some(brand))
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = EmailChangeRequest)]
#[serde(deny_unknown_fields)]
pub(crate) struct ChangeEmail {
    /// The address to sign in with from now on. It becomes the photographer's when the link
    /// sent there is used.
    #[schema(format = "email")]
    email: String,
}

async fn profile(app: &App, owner: PhotographerId) -> Result<PhotographerRecord, ApiError> {
    app.store()
        .photographer(owner)
        .await?
        .ok_or(ApiError::Unauthorized)
}

fn view(app: &App, req: &Request, photographer: &PhotographerRecord) -> AccountView {
    let base = base_url(app, req);
    let login_page = format!("{base}/p/{}", photographer.slug);
    AccountView::new(photographer, login_page, &base)
}

/// `GET /account`.
pub(crate) async fn get(
    app: &App,
    owner: PhotographerId,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let photographer = profile(app, owner).await?;
    json(200, &view(app, &req, &photographer))
}

/// `PATCH /account`: the name, the login page's address and the client pages' look.
pub(crate) async fn update(
    app: &App,
    owner: PhotographerId,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let input: UpdateAccount = json_body(&req)?;
    let name = input.name.as_deref().map(PersonName::parse).transpose()?;
    let slug = input.slug.as_deref().map(Slug::parse).transpose()?;
    let read = profile(app, owner).await?;
    let brand = input.brand(&read.brand)?;
    app.store()
        .update_profile(&read, name.as_ref(), slug.as_ref(), brand.as_ref())
        .await?;
    if slug.as_ref().is_some_and(|slug| *slug != read.slug) {
        tracing::info!(from = %read.slug, "login page moved");
    }
    json(200, &view(app, &req, &profile(app, owner).await?))
}

/// `POST /account/logo`: a presigned PUT for the logo on the photographer's client pages and
/// emails. Ingest makes it into the logo shown (`logo` in `GET /account`), or says why it can't
/// (`logo_refused`); until then the logo shown before stays.
pub(crate) async fn create_logo_upload(
    app: &App,
    owner: PhotographerId,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let upload = json_body::<CreateLogoUpload>(&req)?.checked()?;
    // An earlier refusal is about an earlier file: the studio waits for this one's answer.
    app.store().refuse_brand_logo(owner, None).await?;
    logo_upload(app, &upload, &object_keys::brand_logo_upload(owner)).await
}

/// `DELETE /account/logo`: the pages and emails show the photographer's name alone again. An
/// upload not yet made into a logo goes first, so a late or repeated event can't bring one back;
/// the files made stay, for the emails already sent.
pub(crate) async fn remove_logo(
    app: &App,
    owner: PhotographerId,
    _req: Request,
) -> Result<Response<Body>, ApiError> {
    app.store()
        .delete_objects(&[object_keys::brand_logo_upload(owner)])
        .await?;
    app.store().set_brand_logo(owner, None).await?;
    no_content()
}

/// `POST /account/email`: emails a link that makes the address the photographer's sign-in
/// address to that address, and tells the current one. The session must be a recent one.
pub(crate) async fn change_email(
    app: &App,
    owner: PhotographerId,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let input: ChangeEmail = json_body(&req)?;
    let email = Email::parse(&input.email)?;
    let opened_at = studio::session_opened_at(app, &req)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    if !EmailChange::may_ask(opened_at, app.now()) {
        return Err(ApiError::RecentSignInRequired);
    }
    let photographer = profile(app, owner).await?;
    if email == photographer.email {
        return Err(Invalid::new("email", "is already the address you sign in with").into());
    }
    // Counted before anything is looked up, with the sign-in emails' share per address: a
    // session can neither mail an inbox over and over nor test addresses without end.
    let source = app
        .secrets()?
        .source_tag(&format!("studio-account:{owner}"));
    let email_tag = app.secrets()?.source_tag(&format!("studio-email:{email}"));
    let may_send = app
        .store()
        .count_sign_in_request(&source, &email_tag, app.now())
        .await?
        .map_err(|retry_after_secs| ApiError::TooManyAttempts { retry_after_secs })?;
    if !may_send {
        return Err(ApiError::TooManyAttempts {
            retry_after_secs: proofsheet_policy::UnlockThrottle::WINDOW_SECS,
        });
    }
    if app
        .store()
        .photographer_for_email(&email)
        .await?
        .is_some_and(|other| other != owner)
    {
        return Err(StoreError::Conflict(Conflict::EmailTaken).into());
    }
    proofsheet_app::admin::email_address_change(app, &photographer, &email, &base_url(app, &req))
        .await
        .map_err(|e| match e {
            // The address changed meanwhile (a pending change confirmed): 409, nothing pending.
            AdminError::Store(store) => ApiError::from(store),
            other => ApiError::Internal(format!("address change email: {other}")),
        })?;
    tracing::info!("sign-in address change asked; the link went to the new address");
    json(
        202,
        &serde_json::json!({
            "pending_email": email.as_str(),
            "message": format!(
                "a link to confirm it is on its way to {email}; until it is used (within {} \
                 minutes), {} still signs you in",
                proofsheet_policy::SignInLink::LIFETIME_SECS / 60,
                photographer.email
            ),
        }),
    )
}

/// How the OpenAPI description tells this module's routes (`openapi::describe`).
pub(crate) mod doc {
    use proofsheet_policy::{SignInLink, StudioSession, UnlockThrottle};

    use super::{ChangeEmail, UpdateAccount};
    use crate::openapi::describe::*;
    use crate::views::AccountView;

    pub(crate) fn get() -> OperationDoc {
        OperationDoc {
            tag: Tag::Account,
            summary: "The photographer's own profile and login page",
            description: None,
            paged: false,
            validates: false,
            request: None,
            success: returns(200, "The profile.", Schemas::body::<AccountView>),
            refusals: vec![],
        }
    }

    pub(crate) fn update() -> OperationDoc {
        OperationDoc {
            tag: Tag::Account,
            summary: "Change the name or the login page's address",
            description: Some(format!(
                "Either field, or both. A new `slug` moves the login page to `/p/<slug>`; the old \
                 address keeps leading there and stays the photographer's (nobody else can take \
                 it and catch the clients who still use it), so going back to it later is \
                 allowed. The last {kept} old addresses are kept; the oldest past them is given \
                 back. Clients logged in on the old address log in again.",
                kept = proofsheet_policy::LoginPageAddress::FORMER_KEPT,
            )),
            paged: false,
            validates: true,
            request: Some(Schemas::body::<UpdateAccount>),
            success: returns(
                200,
                "The profile as it now is.",
                Schemas::body::<AccountView>,
            ),
            refusals: vec![Refusal {
                errors: vec![ApiError::from(proofsheet_store::StoreError::Conflict(
                    proofsheet_store::Conflict::SlugTaken,
                ))],
                description: "Another photographer's login page has this address.",
            }],
        }
    }

    pub(crate) fn create_logo_upload() -> OperationDoc {
        OperationDoc {
            tag: Tag::Account,
            summary: "Start an upload of the logo on client pages and emails",
            description: Some(
                "Returns a presigned PUT for a PNG (at most 2 MiB and 4000 × 4000 pixels); send \
                 the returned `upload_headers`. When it lands, its transparent margin is trimmed \
                 and it is made at most 800 × 200 pixels; `GET /account` then shows it as \
                 `logo`, or says in `logo_refused` why it can't be used (the logo shown before \
                 stays). Not the watermark's logo (`POST /watermark-logo`): a header usually \
                 wants the dark version of a mark, a watermark the light one."
                    .into(),
            ),
            paged: false,
            validates: true,
            request: Some(Schemas::body::<crate::handlers::photographer::photos::CreateLogoUpload>),
            success: returns(
                201,
                "Where and how to upload the logo (no `photo_id`).",
                Schemas::body::<crate::views::UploadView>,
            ),
            refusals: vec![],
        }
    }

    pub(crate) fn remove_logo() -> OperationDoc {
        OperationDoc {
            tag: Tag::Account,
            summary: "Stop showing the logo on client pages and emails",
            description: Some(
                "Pages and emails show the photographer's name alone again. Emails already sent \
                 keep their logo."
                    .into(),
            ),
            paged: false,
            validates: false,
            request: None,
            success: no_content(),
            refusals: vec![],
        }
    }

    pub(crate) fn change_email() -> OperationDoc {
        OperationDoc {
            tag: Tag::Account,
            summary: "Change the address the photographer signs in with",
            description: Some(format!(
                "Emails the new address a link that works once, within {minutes} minutes: \
                 signing in with it makes the address the photographer's, and the old one \
                 signs in nobody (its unused links stop working, and the sessions opened before \
                 end). The old address is told at once. One change is pending at a time: asking \
                 again makes the earlier link worthless, and signing out everywhere cancels it. \
                 With the studio's session \
                 only, opened within the last {recent} minutes (else 403 \
                 `recent_sign_in_required`: sign in again): an address change takes over the \
                 account, so a forgotten session or a leaked key can't. At most {per_email} \
                 emails per address per {window} minutes, sign-in links included.",
                minutes = SignInLink::LIFETIME_SECS / 60,
                recent = StudioSession::RECENT_SECS / 60,
                per_email = UnlockThrottle::STUDIO_SIGN_IN_EMAILS_PER_ADDRESS.max_attempts,
                window = UnlockThrottle::WINDOW_SECS / 60,
            )),
            paged: false,
            validates: true,
            request: Some(Schemas::body::<ChangeEmail>),
            success: Success {
                status: 202,
                description: "Asked: `pending_email` is the new address, `message` says what \
                    happens next.",
                body: None,
            },
            refusals: vec![
                Refusal {
                    errors: vec![
                        ApiError::StudioSessionRequired,
                        ApiError::RecentSignInRequired,
                        proofsheet_policy::CrossSiteWrite::NotFromTheStudio.into(),
                    ],
                    description: "Called with an API key, with a session opened too long ago, \
                        or with the studio's cookie but not from the studio's own page.",
                },
                Refusal {
                    errors: vec![ApiError::from(proofsheet_store::StoreError::Conflict(
                        proofsheet_store::Conflict::EmailTaken,
                    ))],
                    description: "Another photographer signs in with this address.",
                },
                Refusal {
                    errors: vec![ApiError::TooManyAttempts {
                        retry_after_secs: 1,
                    }],
                    description: "Too many emails to this address, or changes asked, lately; \
                        `Retry-After` says when to ask again.",
                },
            ],
        }
    }
}
