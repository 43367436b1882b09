//! General access (the gallery's public link) and private access (one link per client).

use std::collections::BTreeSet;

use lambda_http::{Body, Request, Response};
use proofsheet_policy::{
    AccessSettings, Email, GrantId, Invalid, PasswordHash, PasswordUpdate, PersonName,
    PhotographerId, Resolution, SettingsChange,
};
use proofsheet_store::{
    Conflict, DueFor, EmailsAccess, GalleryRecord, GrantKind, GrantRecord, StoreError,
};
use serde::Deserialize;

use super::galleries::{expiry_date, schedule_reminders};
use super::owned_gallery;
use crate::handlers::{email_sender, link, send_email};
use crate::http_io::{json, json_body, no_content, path_param, present};
use crate::views::{GeneralAccessView, GrantView, SettingsView};
use proofsheet_app::App;
use proofsheet_app::email::Invitation;
use proofsheet_app::secrets::hash_password;

use crate::{ApiError, ConflictCode};

/// Settings as sent by the photographer; absent fields keep their value, `null` clears.
// Every field: absent keeps the current value (see `present`).
#[serde_with::apply(_ => #[serde(default, deserialize_with = "present")])]
#[derive(Deserialize, Default, Clone, utoipa::ToSchema)]
#[schema(
    as = AccessSettingsInput,
    description = "Absent fields keep their current value. For `password` and `download_limit`, \
        `null` clears (no password / unlimited); `null` on any other field is refused (400)."
)]
#[serde(deny_unknown_fields)]
pub(crate) struct SettingsInput {
    /// Show clients only watermarked renditions (thumbnails and previews).
    #[schema(nullable = false)]
    watermark: Option<bool>,
    /// A new link password (4 to 128 characters; stored only as an argon2id hash), or `null` to
    /// remove it. Setting or removing a password ends every client session opened with the old
    /// one.
    #[schema(value_type = Option<String>, min_length = 4, max_length = 128)]
    password: Option<Option<String>>,
    #[schema(nullable = false)]
    downloads_enabled: Option<bool>,
    /// Number of photos the client may download; `null` means unlimited.
    #[schema(value_type = Option<u32>, maximum = 100000)]
    download_limit: Option<Option<u32>>,
    /// Sizes the client may download (a set: duplicates are ignored). Must not be empty while
    /// downloads are enabled.
    #[schema(value_type = Vec<crate::openapi::values::Resolution>)]
    download_resolutions: Option<BTreeSet<Resolution>>,
    #[schema(nullable = false)]
    downloads_watermarked: Option<bool>,
}

impl SettingsInput {
    /// Whether the input changes nothing (every field absent).
    pub(crate) fn is_empty(&self) -> bool {
        self.watermark.is_none()
            && self.password.is_none()
            && self.downloads_enabled.is_none()
            && self.download_limit.is_none()
            && self.download_resolutions.is_none()
            && self.downloads_watermarked.is_none()
    }

    /// The change this input asks for; a new password is hashed here, never stored plain.
    pub(crate) async fn into_change(self) -> Result<SettingsChange, ApiError> {
        let password = match self.password {
            None => PasswordUpdate::Keep,
            Some(None) => PasswordUpdate::Remove,
            Some(Some(plaintext)) => {
                PasswordHash::check_plaintext(&plaintext)?;
                PasswordUpdate::Set(hash_password(plaintext).await.map_err(ApiError::Internal)?)
            }
        };
        Ok(SettingsChange {
            watermark: self.watermark,
            password,
            downloads_enabled: self.downloads_enabled,
            download_limit: self.download_limit,
            download_resolutions: self.download_resolutions,
            downloads_watermarked: self.downloads_watermarked,
        })
    }
}

/// Applies the photographer's change to a grant's settings and stores the result. The change is
/// a delta, so if another change lands first it is applied again on top: both land.
pub(crate) async fn change_settings(
    app: &App,
    grant: GrantRecord,
    input: SettingsInput,
) -> Result<GrantRecord, ApiError> {
    let change = input.into_change().await?;
    let ends_sessions = change.ends_sessions();
    app.store()
        .change_grant_settings(grant, ends_sessions, |settings| {
            settings.apply(change.clone()).map_err(ApiError::from)
        })
        .await
}

pub(crate) async fn general_grant(
    app: &App,
    gallery: &GalleryRecord,
) -> Result<GrantRecord, ApiError> {
    app.store()
        .grant(gallery.general_grant_id)
        .await?
        // Only a gallery delete that stopped midway leaves a gallery without its general link:
        // the gallery is on its way out, and deleting it again finishes the job.
        .ok_or(ApiError::NotFound)
}

fn general_view(
    app: &App,
    req: &Request,
    grant: &GrantRecord,
) -> Result<GeneralAccessView, ApiError> {
    Ok(GeneralAccessView {
        settings: SettingsView::from(&grant.settings),
        link: link(app, req, grant.id)?,
    })
}

pub(crate) async fn get_general(
    app: &App,
    owner: PhotographerId,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let gallery = owned_gallery(app, owner, &req).await?;
    let grant = general_grant(app, &gallery).await?;
    json(200, &general_view(app, &req, &grant)?)
}

pub(crate) async fn put_general(
    app: &App,
    owner: PhotographerId,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let input: SettingsInput = json_body(&req)?;
    let gallery = owned_gallery(app, owner, &req).await?;
    let grant = general_grant(app, &gallery).await?;
    let updated = change_settings(app, grant, input).await?;
    json(200, &general_view(app, &req, &updated)?)
}

pub(crate) async fn create_private(
    app: &App,
    owner: PhotographerId,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    // The body is the client's email and name plus any settings; split them so unknown
    // fields are still refused.
    let mut body: serde_json::Map<String, serde_json::Value> = json_body(&req)?;
    let email = match body.remove("email") {
        Some(serde_json::Value::String(raw)) => Email::parse(&raw)?,
        _ => return Err(Invalid::new("email", "is required").into()),
    };
    let name = match body.remove("name") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(raw)) => Some(PersonName::parse(&raw)?),
        Some(_) => return Err(Invalid::new("name", "must be a string").into()),
    };
    let expires_at = link_expiry(body.remove("expires_at"))?;
    let input: SettingsInput = settings_input(body)?;

    let gallery = owned_gallery(app, owner, &req).await?;
    let general = general_grant(app, &gallery).await?;
    let settings =
        AccessSettings::for_private_grant(&general.settings, input.into_change().await?)?;
    let grant = GrantRecord::new_private(&gallery, email, name, settings, app.now());
    match app.store().create_private_grant(&grant).await {
        Ok(()) => {}
        Err(StoreError::Conflict(Conflict::ClientHasAccess)) => {
            take_over_visitor_grant(app, &grant).await?
        }
        Err(e) => return Err(e.into()),
    }

    let grant = match expires_at {
        Some(at) => set_link_expiry(app, &grant, at).await?,
        None => grant,
    };
    let link = link(app, &req, grant.id)?;
    let email_sent = send_invitation(app, &req, &gallery, &grant, &link).await;
    let mut view = serde_json::to_value(GrantView::new(&grant, link))
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    view["email_sent"] = email_sent.into();
    json(201, &view)
}

/// The email already has a grant. If a visitor made it on the general link (nobody proved they
/// own the address), the photographer's grant replaces it: the visitor's link stops working, and
/// the real owner gets the invitation, with the favourites kept. A grant the photographer made
/// stays as it is (409).
async fn take_over_visitor_grant(app: &App, grant: &GrantRecord) -> Result<(), ApiError> {
    let taken = StoreError::Conflict(Conflict::ClientHasAccess);
    let Some(email) = &grant.email else {
        return Err(taken.into());
    };
    match app.store().client_access(grant.gallery_id, email).await? {
        EmailsAccess::Grant(visitor) if visitor.origin.yields_to_the_photographer() => {
            app.store().replace_visitor_grant(&visitor, grant).await?;
            Ok(())
        }
        _ => Err(taken.into()),
    }
}

/// Emails the client their link. The grant stands even if SES refuses (sandbox, bounce list):
/// the photographer sees `email_sent: false` and can pass the link on another way.
async fn send_invitation(
    app: &App,
    req: &Request,
    gallery: &GalleryRecord,
    grant: &GrantRecord,
    link: &str,
) -> bool {
    let Some(to) = grant.email.clone() else {
        return false;
    };
    let sender = email_sender(app, req, gallery).await;
    let invitation = Invitation {
        photographer: &sender.name,
        look: &sender.look,
        client_name: grant.name.as_ref().map(|n| n.as_str()),
        gallery_title: gallery.title.as_str(),
        link,
    };
    let email = match invitation.to(to) {
        Ok(email) => email,
        Err(e) => {
            tracing::error!(error = %e, grant_id = %grant.id, "invitation email not rendered");
            return false;
        }
    };
    send_email(app, &email, grant.id).await
}

pub(crate) async fn list_private(
    app: &App,
    owner: PhotographerId,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let gallery = owned_gallery(app, owner, &req).await?;
    let grants = app.store().private_grants_of(gallery.id).await?;
    let views = grants
        .iter()
        .map(|g| Ok(GrantView::new(g, link(app, &req, g.id)?)))
        .collect::<Result<Vec<GrantView>, ApiError>>()?;
    json(200, &serde_json::json!({ "grants": views }))
}

/// One private link with its settings, usage and link: what the studio shows of one client.
pub(crate) async fn get_private(
    app: &App,
    owner: PhotographerId,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let gallery = owned_gallery(app, owner, &req).await?;
    let grant = owned_private_grant(app, &gallery, &req).await?;
    json(200, &GrantView::new(&grant, link(app, &req, grant.id)?))
}

/// The private grant named in the path, if it belongs to this (owned) gallery.
async fn owned_private_grant(
    app: &App,
    gallery: &GalleryRecord,
    req: &Request,
) -> Result<GrantRecord, ApiError> {
    let id = GrantId::parse(&path_param(req, "grant_id")?).map_err(|_| ApiError::NotFound)?;
    match app.store().grant(id).await? {
        Some(grant) if grant.gallery_id == gallery.id && grant.kind == GrantKind::Private => {
            Ok(grant)
        }
        _ => Err(ApiError::NotFound),
    }
}

pub(crate) async fn update_private(
    app: &App,
    owner: PhotographerId,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    // The body is the link's settings plus its own expiry; split them so unknown fields are
    // still refused.
    let mut body: serde_json::Map<String, serde_json::Value> = json_body(&req)?;
    let expires_at = link_expiry(body.remove("expires_at"))?;
    let input: SettingsInput = settings_input(body)?;
    let gallery = owned_gallery(app, owner, &req).await?;
    let grant = owned_private_grant(app, &gallery, &req).await?;
    let mut updated = if input.is_empty() {
        grant
    } else {
        change_settings(app, grant, input).await?
    };
    if let Some(at) = expires_at {
        updated = set_link_expiry(app, &updated, at).await?;
    }
    json(200, &GrantView::new(&updated, link(app, &req, updated.id)?))
}

/// A link's own `expires_at` as sent: absent keeps it, `null` makes the link follow its
/// gallery, a date (RFC 3339) ends it then, or at the gallery's date if that is earlier.
fn link_expiry(raw: Option<serde_json::Value>) -> Result<Option<Option<u64>>, ApiError> {
    match raw {
        None => Ok(None),
        Some(serde_json::Value::Null) => Ok(Some(None)),
        Some(serde_json::Value::String(at)) => Ok(Some(Some(expiry_date("expires_at", &at)?))),
        Some(_) => {
            Err(Invalid::new("expires_at", "must be a date and time in RFC 3339, or null").into())
        }
    }
}

fn settings_input(
    body: serde_json::Map<String, serde_json::Value>,
) -> Result<SettingsInput, ApiError> {
    serde_json::from_value(body.into())
        .map_err(|e| ApiError::BadJson(crate::http_io::excerpt(&e.to_string())))
}

/// Sets a link's own date, and lists its client's reminders for it.
async fn set_link_expiry(
    app: &App,
    grant: &GrantRecord,
    expires_at: Option<u64>,
) -> Result<GrantRecord, ApiError> {
    let stored = app
        .store()
        .set_grant_expiry(grant, expires_at, app.now())
        .await?;
    if let (Some(at), Some(set_at)) = (stored.expiry, stored.expiry_set_at) {
        let subject = DueFor {
            gallery_id: stored.gallery_id,
            grant_id: Some(stored.id),
        };
        schedule_reminders(app, subject, at, set_at).await?;
    }
    Ok(stored)
}

pub(crate) async fn delete_private(
    app: &App,
    owner: PhotographerId,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let gallery = owned_gallery(app, owner, &req).await?;
    let grant = owned_private_grant(app, &gallery, &req).await?;
    if grant.login_id.is_some() {
        return Err(ApiError::conflict(
            ConflictCode::ReleasedToLogin,
            "this link belongs to a client login: withdraw the gallery from the login instead \
             (DELETE /client-logins/{login_id}/galleries/{gallery_id})",
        ));
    }
    app.store().delete_private_grant(&grant).await?;
    no_content()
}

/// How the OpenAPI description tells this module's routes (`openapi::describe`).
pub(crate) mod doc {
    use crate::openapi::describe::*;

    pub(crate) fn put_general() -> OperationDoc {
        OperationDoc {
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
        }
    }

    pub(crate) fn get_general() -> OperationDoc {
        OperationDoc {
            tag: Tag::Access,
            summary: "Get the general link and its settings",
            description: None,
            paged: false,
            validates: false,
            request: None,
            success: returns(200, "The general link.", Schemas::body::<GeneralAccessView>),
            refusals: vec![],
        }
    }

    pub(crate) fn create_private() -> OperationDoc {
        OperationDoc {
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
        }
    }

    pub(crate) fn list_private() -> OperationDoc {
        OperationDoc {
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
        }
    }

    pub(crate) fn get_private() -> OperationDoc {
        OperationDoc {
            tag: Tag::Access,
            summary: "Get one private link",
            description: Some(
                "Its settings, its own expiry, what its client has downloaded and the link \
                 itself, as the list shows each. A revoked link, or one of another gallery, is \
                 not found."
                    .into(),
            ),
            paged: false,
            validates: false,
            request: None,
            success: returns(200, "The private grant.", Schemas::body::<GrantView>),
            refusals: vec![],
        }
    }

    pub(crate) fn update_private() -> OperationDoc {
        OperationDoc {
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
        }
    }

    pub(crate) fn delete_private() -> OperationDoc {
        OperationDoc {
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
                errors: vec![ApiError::conflict(ConflictCode::ReleasedToLogin, "")],
                description: "The link belongs to a client login: withdraw the gallery from \
                    the login instead.",
            }],
        }
    }
}
