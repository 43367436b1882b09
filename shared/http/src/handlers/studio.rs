//! The photographer's studio (`/studio`): its page, and signing in and out through an emailed
//! link (the rules are `proofsheet_policy::studio`'s). The studio's session then calls the
//! photographer's routes like an API key does (`photographer::authenticate`).

use std::time::Duration;

use lambda_http::{Body, Request, Response};
use proofsheet_app::App;
use proofsheet_app::secrets::{new_studio_secret, studio_secret_hash_of};
use proofsheet_policy::{Email, PhotographerId, SignInLink, StudioSession};
use proofsheet_store::{PhotographerRecord, SignInLinkRecord, StudioSessionRecord};
use serde::Deserialize;

use crate::ApiError;
use crate::handlers::base_url;
use crate::handlers::client::sign_in;
use crate::http_io::{json, json_or_form_body, no_content, path_param};
use crate::pages;
use crate::views::timestamp;

/// See [`SignInLink::ANSWER_NOT_BEFORE_MS`].
const SIGN_IN_ANSWER_AFTER: Duration = Duration::from_millis(SignInLink::ANSWER_NOT_BEFORE_MS);

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = SignInLinkRequest)]
#[serde(deny_unknown_fields)]
pub(crate) struct AskForLink {
    /// The photographer's email.
    email: String,
}

/// `POST /studio/sign-in`: emails a sign-in link when the address is a photographer's. The
/// answer is the same, in the same time, whether it is or not.
pub(crate) async fn request_link(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let answer_after = tokio::time::Instant::now() + SIGN_IN_ANSWER_AFTER;
    let input: AskForLink = json_or_form_body(app, &req)?;
    let email = Email::parse(&input.email)?;
    let result = send_link_if_known(app, &req, &email).await;
    if tokio::time::Instant::now() > answer_after {
        // Only a photographer's address reaches SES: an answer this late may tell.
        tracing::warn!("a sign-in request took longer than the answer's floor");
    }
    tokio::time::sleep_until(answer_after).await;
    result?;
    if pages::wants_html(&req) {
        let page = pages::StudioSignInPage {
            sent: true,
            minutes: SignInLink::LIFETIME_SECS / 60,
        };
        return pages::html(202, &page, None);
    }
    json(
        202,
        &serde_json::json!({
            "message": format!(
                "if {email} is a photographer's address, a sign-in link is on its way to it; \
                 it works once, for {} minutes",
                SignInLink::LIFETIME_SECS / 60
            )
        }),
    )
}

async fn send_link_if_known(app: &App, req: &Request, email: &Email) -> Result<(), ApiError> {
    let now = app.now();
    let source = sign_in::source(app, req)?;
    let email_tag = app.secrets()?.source_tag(&format!("studio-email:{email}"));
    let may_send = app
        .store()
        .count_sign_in_request(&source, &email_tag, now)
        .await?
        .map_err(|retry_after_secs| ApiError::TooManyAttempts { retry_after_secs })?;
    if !may_send {
        tracing::info!("this address was sent its share of sign-in links; none sent");
        return Ok(());
    }
    let Some(id) = app.store().photographer_for_email(email).await? else {
        return Ok(());
    };
    // From here on only a photographer's address gets anywhere: a failure (SES refusing a
    // recipient, a throttled send) is logged, never answered, or the answer would tell.
    if let Err(error) = send_link(app, req, id).await {
        tracing::error!(%error, photographer = %id, "sign-in link not sent");
    }
    Ok(())
}

async fn send_link(app: &App, req: &Request, id: PhotographerId) -> Result<(), ApiError> {
    let Some(photographer) = app.store().photographer(id).await? else {
        return Ok(());
    };
    proofsheet_app::admin::email_sign_in_link(app, &photographer, &base_url(app, req))
        .await
        .map_err(|e| ApiError::Internal(format!("sign-in email: {e}")))?;
    tracing::info!(photographer = %id, "sign-in link sent");
    Ok(())
}

/// The stored hash of the path's sign-in secret; anything that can't be one is spent.
fn link_hash(req: &Request) -> Result<String, ApiError> {
    studio_secret_hash_of(&path_param(req, "secret")?).ok_or(ApiError::SignInLinkSpent)
}

/// `GET /studio/sign-in/{secret}`: the link's page, whose one button signs in. Opening it
/// spends nothing, so a mail scanner fetching the link leaves it working.
pub(crate) async fn sign_in_page(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let hash = link_hash(&req)?;
    let (link, photographer) = live_link(app, &hash, app.now()).await?;
    let confirms_email = link.confirms().map(|(_, to)| to.to_string());
    if pages::wants_html(&req) {
        let page = pages::StudioConfirmPage {
            email: photographer.email.to_string(),
            confirms_email,
            action: req.uri().path().to_owned(),
        };
        return pages::html(200, &page, None);
    }
    json(
        200,
        &serde_json::json!({
            "email": photographer.email.as_str(),
            "confirms_email": confirms_email,
            "expires_at": timestamp(link.expires_at),
        }),
    )
}

/// `POST /studio/sign-in/{secret}`: spends the link and opens a new session in the studio's
/// cookie. The session is always a new one, made here: whatever session the browser brought
/// (someone else's, planted) is ended, never adopted.
pub(crate) async fn sign_in(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let hash = link_hash(&req)?;
    // Another site's page is refused before the link is touched, whatever it posts (a
    // text/plain form has no body to check): it must not sign a browser in to its account.
    if pages::is_cross_site(&req, &pages::own_origin(app, &req)) {
        return Err(ApiError::CrossSiteForm);
    }
    // The page's form has no fields; a script may send `{}` or nothing.
    if pages::is_form_post(&req) || !req.body().is_empty() {
        let _: NoFields = json_or_form_body(app, &req)?;
    }
    let now = app.now();
    let photographer = spend_link(app, &hash, now).await?;
    if let Some((owner, brought)) = brought_session(app, &req) {
        app.store().end_studio_session(owner, &brought).await?;
    }
    let (secret, session_hash) = new_studio_secret();
    let session = StudioSessionRecord {
        photographer_id: photographer.id,
        expires_at: now + StudioSession::LIFETIME_SECS,
        created_at: now,
    };
    // Only while the address the link came through is still the account's (an address change
    // or a deletion committing meanwhile ends every session it finds, and this one is either
    // among them or never opened).
    if !app
        .store()
        .open_studio_session(&session_hash, &session, &photographer.email)
        .await?
    {
        return Err(ApiError::SignInLinkSpent);
    }
    tracing::info!(photographer = %photographer.id, "signed in to the studio");
    let value = format!("{}.{secret}", photographer.id);
    let cookie = pages::studio_cookie(app, &value, StudioSession::LIFETIME_SECS)?;
    if pages::is_form_post(&req) {
        return pages::see_other("/studio", cookie);
    }
    let mut response = json(
        200,
        &serde_json::json!({
            "name": photographer.name.as_str(),
            "email": photographer.email.as_str(),
            "expires_at": timestamp(session.expires_at),
        }),
    )?;
    response.headers_mut().insert("set-cookie", cookie);
    Ok(response)
}

/// A sign-in link (by its hash) that still signs in at `now`, and whom it signs in; left where
/// it is. A link sent to an address the photographer has left signs in nobody, and one that
/// confirms a change must be the change still pending (not superseded, nor cancelled).
async fn live_link(
    app: &App,
    hash: &str,
    now: u64,
) -> Result<(SignInLinkRecord, PhotographerRecord), ApiError> {
    let link = app
        .store()
        .sign_in_link(hash)
        .await?
        .filter(|link| SignInLink::is_live(link.expires_at, now))
        .ok_or(ApiError::SignInLinkSpent)?;
    let photographer = app
        .store()
        .photographer(link.photographer_id)
        .await?
        .ok_or(ApiError::SignInLinkSpent)?;
    if !SignInLink::still_signs_in(
        link.sent_to.as_ref(),
        link.replaces.as_ref(),
        &photographer.email,
        photographer.email_change_link.as_deref() == Some(hash),
    ) {
        return Err(ApiError::SignInLinkSpent);
    }
    Ok((link, photographer))
}

/// Spends the sign-in link (by its hash) and returns whom it signs in. A link sent to an
/// address the photographer has left signs in nobody. A link that confirms a new address makes
/// it the photographer's as it is spent, in one transaction (of two uses racing, one gets it;
/// a superseded, cancelled or outdated one changes nothing and signs nobody in), and ends the
/// sessions opened before: the address they came through is no longer the account's.
async fn spend_link(app: &App, hash: &str, now: u64) -> Result<PhotographerRecord, ApiError> {
    let (link, photographer) = live_link(app, hash, now).await?;
    let Some((from, to)) = link.confirms() else {
        app.store()
            .take_sign_in_link(hash)
            .await?
            .ok_or(ApiError::SignInLinkSpent)?;
        return Ok(photographer);
    };
    if !app
        .store()
        .change_sign_in_email(hash, photographer.id, from, to)
        .await?
    {
        return Err(ApiError::SignInLinkSpent);
    }
    let ended = app.store().end_studio_sessions_of(photographer.id).await?;
    tracing::info!(photographer = %photographer.id, ended, "sign-in address changed");
    Ok(PhotographerRecord {
        email: to.clone(),
        email_change_link: None,
        ..photographer
    })
}

/// The sign-in form's fields.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoFields {}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[schema(as = SignOutRequest)]
#[serde(deny_unknown_fields)]
pub(crate) struct SignOut {
    /// Ends every session of the photographer, on every device, not just this one.
    #[serde(default, deserialize_with = "crate::http_io::flag")]
    everywhere: bool,
}

/// `POST /studio/sign-out`: ends this session (or, with `everywhere`, all the photographer's)
/// and makes the browser forget it. Only the studio's own page or script may: a form from
/// another site can't sign a photographer out.
pub(crate) async fn sign_out(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    // A form is refused from another site's page (`json_or_form_body`); a script's call needs
    // what the studio's own script sends.
    let form = pages::is_form_post(&req);
    let input: SignOut = if form || !req.body().is_empty() {
        json_or_form_body(app, &req)?
    } else {
        SignOut::default()
    };
    if !form {
        cookie_call(&req).may_change_things(&pages::own_origin(app, &req))?;
    }
    if let Some((photographer, hash)) = brought_session(app, &req) {
        // Everywhere takes a live session: a stolen, expired one ends nothing but itself.
        if input.everywhere && session_is_live(app, photographer, &hash).await? {
            // A change of address someone asked from one of those sessions goes with them
            // (first: should ending the sessions fail, signing out again still cancels it).
            app.store().cancel_email_change(photographer).await?;
            let ended = app.store().end_studio_sessions_of(photographer).await?;
            tracing::info!(%photographer, ended, "signed out everywhere");
        }
        app.store().end_studio_session(photographer, &hash).await?;
    }
    let forget = pages::cleared_cookie(app, pages::studio_session_cookie(app), "/")?;
    let mut response = if pages::is_form_post(&req) {
        pages::see_other("/studio", forget)?
    } else {
        let mut response = no_content()?;
        response.headers_mut().insert("set-cookie", forget);
        response
    };
    // The browser forgets what the studio kept in it (an interrupted upload's file names): the
    // next person at this computer finds none of it.
    response.headers_mut().insert(
        "clear-site-data",
        lambda_http::http::HeaderValue::from_static("\"storage\""),
    );
    Ok(response)
}

/// `GET /studio`: the studio with a live session, else its sign-in form.
pub(crate) async fn page(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    match signed_in(app, &req).await? {
        Some(photographer) => {
            // The page's uploads go to the bucket, and its thumbnails come from there.
            let bucket = app.store().bucket_origin().await?;
            pages::studio_html(
                &pages::StudioPage {
                    name: photographer.name.to_string(),
                    email: photographer.email.to_string(),
                    max_upload_bytes: app.config().max_upload_bytes,
                },
                &bucket,
            )
        }
        None => pages::html(
            200,
            &pages::StudioSignInPage {
                sent: false,
                minutes: SignInLink::LIFETIME_SECS / 60,
            },
            None,
        ),
    }
}

/// The photographer and the stored hash of the studio session the request's cookie carries,
/// if it can be one: `<photographer id>.<secret>`, so the session is found in its
/// photographer's partition.
fn brought_session(app: &App, req: &Request) -> Option<(PhotographerId, String)> {
    let value = pages::cookie(req, pages::studio_session_cookie(app))?;
    let (id, secret) = value.split_once('.')?;
    Some((
        PhotographerId::parse(id).ok()?,
        studio_secret_hash_of(secret)?,
    ))
}

async fn session_is_live(
    app: &App,
    photographer: PhotographerId,
    hash: &str,
) -> Result<bool, ApiError> {
    Ok(app
        .store()
        .studio_session(photographer, hash)
        .await?
        .is_some_and(|session| {
            session.photographer_id == photographer
                && StudioSession::is_live(session.expires_at, app.now())
        }))
}

/// When the request's live studio session was opened (`EmailChange` asks for a recent one).
pub(crate) async fn session_opened_at(app: &App, req: &Request) -> Result<Option<u64>, ApiError> {
    let Some((photographer, hash)) = brought_session(app, req) else {
        return Ok(None);
    };
    Ok(app
        .store()
        .studio_session(photographer, &hash)
        .await?
        .filter(|session| {
            session.photographer_id == photographer
                && StudioSession::is_live(session.expires_at, app.now())
        })
        .map(|session| session.created_at))
}

/// The photographer whose live studio session the request's cookie carries.
pub(crate) async fn signed_in(
    app: &App,
    req: &Request,
) -> Result<Option<PhotographerRecord>, ApiError> {
    let Some(id) = session_photographer(app, req).await? else {
        return Ok(None);
    };
    Ok(app.store().photographer(id).await?)
}

/// The photographer of the request's live studio session, without reading their profile.
pub(crate) async fn session_photographer(
    app: &App,
    req: &Request,
) -> Result<Option<PhotographerId>, ApiError> {
    let Some((photographer, hash)) = brought_session(app, req) else {
        return Ok(None);
    };
    Ok(session_is_live(app, photographer, &hash)
        .await?
        .then_some(photographer))
}

/// How the request came, as the studio's CSRF rule reads it.
pub(crate) fn cookie_call(req: &Request) -> proofsheet_policy::CookieCall<'_> {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    proofsheet_policy::CookieCall {
        method: req.method().as_str(),
        studio_header: req.headers().contains_key(proofsheet_policy::STUDIO_HEADER),
        fetch_site: header("sec-fetch-site"),
        origin: header("origin"),
    }
}

pub(crate) mod doc {
    use proofsheet_policy::{SignInLink, StudioSession, UnlockThrottle};

    use super::{AskForLink, SignOut};
    use crate::openapi::describe::*;

    pub(crate) fn page() -> OperationDoc {
        OperationDoc {
            tag: Tag::Studio,
            summary: "The studio (HTML, for browsers)",
            description: Some(
                "With a live studio session (the `__Host-ps_studio` cookie), the studio; without, the \
                 form that asks for a sign-in link (`POST /studio/sign-in`)."
                    .into(),
            ),
            paged: false,
            validates: false,
            request: None,
            success: Success {
                status: 200,
                description: "An HTML page (`text/html`): the studio, or its sign-in form.",
                body: None,
            },
            refusals: Vec::new(),
        }
    }

    pub(crate) fn request_link() -> OperationDoc {
        OperationDoc {
            tag: Tag::Studio,
            summary: "Ask for a sign-in link by email",
            description: Some(format!(
                "When the address is a photographer's, emails them a link to \
                 `/studio/sign-in/{{secret}}` that signs in once, within {minutes} minutes. \
                 The answer is the same, in the same time, whether the address is a \
                 photographer's or not. At most {per_source} requests per network address \
                 and {per_email} emails per address per {window} minutes (past those, the \
                 answer stays the same and nothing is sent).",
                minutes = SignInLink::LIFETIME_SECS / 60,
                per_source = UnlockThrottle::STUDIO_SIGN_IN_PER_SOURCE.max_attempts,
                per_email = UnlockThrottle::STUDIO_SIGN_IN_EMAILS_PER_ADDRESS.max_attempts,
                window = UnlockThrottle::WINDOW_SECS / 60,
            )),
            paged: false,
            validates: true,
            request: Some(Schemas::body::<AskForLink>),
            success: Success {
                status: 202,
                description: "Taken: `message` says what happens next.",
                body: None,
            },
            refusals: vec![Refusal {
                errors: vec![ApiError::TooManyAttempts {
                    retry_after_secs: 1,
                }],
                description: "Too many requests from this address; `Retry-After` says when \
                    to ask again.",
            }],
        }
    }

    pub(crate) fn sign_in_page() -> OperationDoc {
        OperationDoc {
            tag: Tag::Studio,
            summary: "A sign-in link's page (HTML, for browsers)",
            description: Some(
                "The emailed link opens a page with one button, which posts to the same path. \
                 Opening it spends nothing, so a mail scanner that fetches links can't use it \
                 up. As JSON: the address it signs in and until when."
                    .into(),
            ),
            paged: false,
            validates: false,
            request: None,
            success: Success {
                status: 200,
                description: "The page, or `{email, expires_at}`.",
                body: None,
            },
            refusals: vec![spent()],
        }
    }

    pub(crate) fn sign_in() -> Described {
        OperationDoc {
            tag: Tag::Studio,
            summary: "Sign in with a sign-in link",
            description: Some(format!(
                "Spends the link and opens a studio session of {days} days in the \
                 `__Host-ps_studio` cookie (`HttpOnly`, `SameSite=Lax`, `Secure`; `ps_studio` \
                 over plain HTTP, locally), ending any session the browser brought. With it, every \
                 photographer route answers as with an API key; a call that changes anything \
                 must also send the `x-proofsheet-studio` header from the studio's own origin. \
                 Another site's page is refused, whatever it posts.",
                days = StudioSession::LIFETIME_SECS / 86_400,
            )),
            paged: false,
            validates: false,
            request: None,
            success: Success {
                status: 200,
                description: "Signed in: `Set-Cookie` carries the session; the body names \
                    the photographer and when the session ends.",
                body: None,
            },
            refusals: vec![spent(), another_sites_form()],
        }
        .also_answering(to_the_studio(
            "A form post: `Location` is `/studio`; `Set-Cookie` carries the session.",
        ))
    }

    /// How the studio's own forms are answered.
    fn to_the_studio(cookie: &'static str) -> Success {
        Success {
            status: 303,
            description: cookie,
            body: None,
        }
    }

    pub(crate) fn sign_out() -> Described {
        OperationDoc {
            tag: Tag::Studio,
            summary: "Sign out of the studio",
            description: Some(
                "Ends the cookie's session, or with `everywhere` every session of the \
                 photographer, and clears the cookie. From the studio's own page or script \
                 only."
                    .into(),
            ),
            paged: false,
            validates: false,
            request: Some(Schemas::body::<SignOut>),
            success: Success {
                status: 204,
                description: "Signed out; `Set-Cookie` clears the session.",
                body: None,
            },
            refusals: vec![Refusal {
                errors: vec![
                    ApiError::CrossSiteWrite(proofsheet_policy::CrossSiteWrite::NotFromTheStudio),
                    ApiError::CrossSiteForm,
                ],
                description: "A script's call not from the studio's own (`cross_site_write`), \
                    or a form from another site's page (`cross_site_form`).",
            }],
        }
        .also_answering(to_the_studio(
            "A form post: `Location` is `/studio`; `Set-Cookie` clears the session.",
        ))
    }

    fn another_sites_form() -> Refusal {
        Refusal {
            errors: vec![ApiError::CrossSiteForm],
            description: "Sent from another site's page.",
        }
    }

    fn spent() -> Refusal {
        Refusal {
            errors: vec![ApiError::SignInLinkSpent],
            description: "The link is unknown, used, or past its time.",
        }
    }
}
