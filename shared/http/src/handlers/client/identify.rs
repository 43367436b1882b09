//! Email capture on the general link: a visitor who wants to keep favourites or download gives an
//! email and gets a private link of their own, whose settings copy the general ones of now.
//!
//! A link is only ever handed to the caller when it was made for this very call. When the email
//! has a link already (the photographer's invitation, often with generous settings, or an earlier
//! capture), it goes to that inbox instead: typing an address proves nothing about owning it. An
//! email whose grant the photographer revoked gets nothing, and the caller can't tell. A visitor
//! grant proves nothing either, so the photographer sharing with its email replaces it.

use lambda_http::{Body, Request, Response};
use proofsheet_app::App;
use proofsheet_app::email::VisitorLink;
use proofsheet_policy::{Email, SessionClaims, UnlockThrottle};
use proofsheet_store::{
    Conflict, EmailsAccess, GalleryRecord, GrantKind, GrantRecord, StoreError, UnlockReservation,
};
use serde::Deserialize;

use super::{OpenLink, authorize_client};
use crate::handlers::{email_sender, link, link_path, send_email};
use crate::http_io::{json, json_body, source_ip};
use crate::pages;
use crate::views::{CheckEmailView, VisitorLinkView};
use crate::{ApiError, ConflictCode};

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = IdentifyRequest)]
#[serde(deny_unknown_fields)]
pub(crate) struct Identify {
    /// Where the visitor's own link is sent (trimmed, compared in lower case).
    #[schema(format = "email")]
    email: String,
}

pub(crate) async fn identify(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let OpenLink {
        grant: general,
        gallery,
    } = authorize_client(app, &req).await?;
    let input: Identify = json_body(&req)?;
    if general.kind != GrantKind::General {
        return Err(ApiError::conflict(
            ConflictCode::AlreadyPersonal,
            "this link is already personal: favourites and downloads work on it directly",
        ));
    }
    let email = Email::parse(&input.email)?;
    count_capture(app, &req, &general).await?;

    if let Some(answer) = already_known(app, &req, &general, &gallery, &email).await? {
        return Ok(answer);
    }
    let grant = GrantRecord::new_visitor(&gallery, email.clone(), &general, app.now());
    match app.store().create_private_grant(&grant).await {
        Ok(()) => {}
        // The same email, captured by a concurrent call a moment ago: one grant, by email.
        Err(StoreError::Conflict(Conflict::ClientHasAccess)) => {
            return already_known(app, &req, &general, &gallery, &email)
                .await?
                .ok_or(ApiError::Internal("client claim without access".into()));
        }
        Err(e) => return Err(e.into()),
    }

    let link = link(app, &req, grant.id)?;
    email_link(app, &req, &general, &gallery, &grant, &link).await?;
    // The caller unlocked the general link with its password, which the copy keeps.
    let session = grant.settings.password_protected().then(|| {
        let claims = SessionClaims {
            grant_id: grant.id,
            expires_at: app.now() + app.config().client_session_ttl.as_secs(),
            password_version: grant.password_version,
        };
        app.secrets().map(|secrets| secrets.sign_session(&claims))
    });
    let session = session.transpose()?;
    let mut response = json(
        201,
        &VisitorLinkView {
            grant_id: grant.id.to_string(),
            link,
            session: session.clone(),
        },
    )?;
    // A page that unlocked the general link with its cookie moves on to the new link: the new
    // link's session goes into the new link's cookie.
    let from_page = pages::cookie(&req, pages::LINK_SESSION_COOKIE).is_some();
    if let Some(session) = session.filter(|_| from_page) {
        let path = link_path(app, grant.id)?;
        let ttl = app.config().client_session_ttl.as_secs();
        let cookie = pages::session_cookie(app, pages::LINK_SESSION_COOKIE, &path, &session, ttl)?;
        response.headers_mut().insert("set-cookie", cookie);
    }
    Ok(response)
}

/// Counts this capture against the caller's budget and the link's ceiling: each capture sends
/// an email and says whether an address has access, so they are limited like password guesses.
async fn count_capture(app: &App, req: &Request, general: &GrantRecord) -> Result<(), ApiError> {
    let source = app
        .secrets()?
        .source_tag(&UnlockThrottle::source(source_ip(req)));
    match app
        .store()
        .reserve_identify_attempt(general.id, &source, app.now())
        .await?
    {
        UnlockReservation::Reserved(_) => Ok(()),
        UnlockReservation::Throttled { retry_after_secs } => {
            Err(ApiError::TooManyAttempts { retry_after_secs })
        }
        UnlockReservation::NotFound => Err(ApiError::NotFound),
    }
}

/// The answer for an email the gallery knows already, if it does: its link goes to the inbox,
/// never to the caller. An email whose grant the photographer revoked is sent nothing, and the
/// caller can't tell the difference.
async fn already_known(
    app: &App,
    req: &Request,
    general: &GrantRecord,
    gallery: &GalleryRecord,
    email: &Email,
) -> Result<Option<Response<Body>>, ApiError> {
    match app.store().client_access(gallery.id, email).await? {
        EmailsAccess::None => return Ok(None),
        EmailsAccess::Revoked => {}
        EmailsAccess::Grant(existing) => {
            let link = link(app, req, existing.id)?;
            email_link(app, req, general, gallery, &existing, &link).await?;
        }
    }
    json(
        202,
        &CheckEmailView {
            status: "check_email",
            message: "this email has a link to the gallery already; we sent it there",
        },
    )
    .map(Some)
}

/// Emails a grant its link, within the address's share of capture emails on the general
/// link `via` (beyond it, nothing is sent and the caller is told nothing different).
async fn email_link(
    app: &App,
    req: &Request,
    via: &GrantRecord,
    gallery: &GalleryRecord,
    grant: &GrantRecord,
    link: &str,
) -> Result<(), ApiError> {
    let Some(to) = grant.email.clone() else {
        return Ok(());
    };
    let email_tag = app.secrets()?.source_tag(&format!("email:{to}"));
    if !app
        .store()
        .count_identify_email(via.id, &email_tag, app.now())
        .await?
    {
        tracing::info!(grant_id = %grant.id, "capture email withheld: the address had its share");
        return Ok(());
    }
    let sender = email_sender(app, req, gallery).await;
    let message = VisitorLink {
        photographer: &sender.name,
        look: &sender.look,
        gallery_title: &gallery.title,
        link,
    };
    match message.to(to) {
        Ok(email) => {
            send_email(app, &email, grant.id).await;
        }
        Err(e) => tracing::error!(error = %e, grant_id = %grant.id, "link email not rendered"),
    }
    Ok(())
}

/// How the OpenAPI description tells this module's routes (`openapi::describe`).
pub(crate) mod doc {
    use crate::openapi::describe::*;

    pub(crate) fn identify() -> Described {
        OperationDoc {
            tag: Tag::Client,
            summary: "Give an email on the general link to get a private link (client)",
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
                "The visitor's new private link (also emailed).",
                Schemas::body::<VisitorLinkView>,
            ),
            refusals: vec![
                password_required(),
                Refusal {
                    errors: vec![ApiError::conflict(ConflictCode::AlreadyPersonal, "")],
                    description: "This is a private link already.",
                },
                Refusal {
                    errors: vec![ApiError::TooManyAttempts {
                        retry_after_secs: 1,
                    }],
                    description: "Too many captures from this network address, or from all \
                        together, on this link; wait `Retry-After` seconds.",
                },
            ],
        }
        .also_answering(returns(
            202,
            "The email has a link to this gallery already: it was sent there, not returned.",
            Schemas::body::<CheckEmailView>,
        ))
    }
}
