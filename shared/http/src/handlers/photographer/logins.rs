//! Client logins: long-term clients with an access code, and the galleries released to them.

use lambda_http::{Body, Request, Response};
use proofsheet_policy::logins::{parse_note, release_settings};
use proofsheet_policy::{
    AccessCode, ClientLoginId, Email, GalleryId, Invalid, PersonName, PhotographerId,
};
use proofsheet_store::{
    ClientLoginRecord, Conflict, GalleryRecord, GrantRecord, ReleaseRecord, Retry, StoreError,
};
use serde::Deserialize;
use uuid::Uuid;

use super::access::{SettingsInput, general_grant};
use super::owned_gallery;
use crate::handlers::{base_url, link, send_email};
use crate::http_io::{excerpt, json, json_body, no_content, path_param, present};
use crate::views::{ClientLoginView, ReleaseView};
use proofsheet_app::App;
use proofsheet_app::email::{EmailLook, GalleryReleased};
use proofsheet_app::secrets::new_access_code;

use crate::ApiError;

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = ClientLoginCreate)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateClientLogin {
    /// The client's name, as the photographer knows them (1 to 100 characters).
    name: String,
    /// A code of the photographer's choosing: at least 8 letters and digits (spaces and dashes
    /// between are ignored, `O`/`0` and `I`/`L`/`1` count as one), unique among the
    /// photographer's logins, and hard to guess by zxcvbn's estimate of its parts (repeats,
    /// runs, keyboard rows, common passwords, words, names, dates, the client's own name or
    /// email with or without accents) multiplied together: four unrelated words pass,
    /// `password-2024-1234` doesn't (422 on `access_code`, saying why). Absent: a 12-character
    /// code is generated.
    access_code: Option<String>,
    /// Where the client is told about galleries released to them.
    #[schema(format = "email")]
    email: Option<String>,
    /// The photographer's own note (up to 1000 characters), never shown to the client.
    note: Option<String>,
}

// Absent fields keep their value; `null` clears `email` and `note`.
#[serde_with::apply(_ => #[serde(default, deserialize_with = "present")])]
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[schema(
    as = ClientLoginUpdate,
    description = "Absent fields keep their value; `null` clears `email` and `note`. A new code \
        (`access_code` or `new_access_code`) is shown once in the response and ends the \
        client's sessions; the old code stops working."
)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateClientLogin {
    #[schema(nullable = false)]
    name: Option<String>,
    #[schema(value_type = Option<String>, format = "email")]
    email: Option<Option<String>>,
    #[schema(value_type = Option<String>)]
    note: Option<Option<String>>,
    /// A new code of the photographer's choosing (same rules as at creation).
    #[schema(nullable = false)]
    access_code: Option<String>,
    /// `true`: generate a new code.
    #[schema(nullable = false)]
    new_access_code: Option<bool>,
}

/// The live login named in the path, if `owner` has it. A revoked one is gone already.
async fn owned_login(
    app: &App,
    owner: PhotographerId,
    req: &Request,
) -> Result<ClientLoginRecord, ApiError> {
    match owned_login_even_revoked(app, owner, req).await? {
        login if !login.revoked => Ok(login),
        _ => Err(ApiError::NotFound),
    }
}

async fn owned_login_even_revoked(
    app: &App,
    owner: PhotographerId,
    req: &Request,
) -> Result<ClientLoginRecord, ApiError> {
    let id = ClientLoginId::parse(&path_param(req, "login_id")?).map_err(|_| ApiError::NotFound)?;
    match app.store().client_login(id).await? {
        Some(login) if login.owner_id == owner => Ok(login),
        _ => Err(ApiError::NotFound),
    }
}

pub(crate) async fn create(
    app: &App,
    owner: PhotographerId,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let input: CreateClientLogin = json_body(&req)?;
    let name = PersonName::parse(&input.name)?;
    let email = input.email.as_deref().map(Email::parse).transpose()?;
    let note = input.note.as_deref().map(parse_note).transpose()?;
    let chosen = input
        .access_code
        .as_deref()
        .map(|raw| AccessCode::parse_chosen(raw, &name, email.as_ref()))
        .transpose()?;
    let secrets = app.secrets()?;
    // A generated code taken already is a 1-in-2^59 event: draw again rather than refuse.
    let mut tries = Retry::NEW_DRAW.tries();
    while tries.next().await {
        let code = chosen.clone().unwrap_or_else(new_access_code);
        let code_hash = secrets
            .access_code_hash(owner, &code)
            .await
            .map_err(ApiError::Internal)?;
        let login = ClientLoginRecord {
            id: ClientLoginId::from_uuid(Uuid::now_v7()),
            owner_id: owner,
            name: name.clone(),
            email: email.clone(),
            note: note.clone(),
            code_hash,
            code_version: 0,
            revision: 0,
            revoked: false,
            created_at: app.now(),
        };
        match app.store().create_client_login(&login).await {
            Ok(()) => {
                return json(201, &ClientLoginView::new(&login, Some(code.shown()), 0));
            }
            Err(StoreError::Conflict(Conflict::AccessCodeTaken)) if chosen.is_none() => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Internal(
        "every generated access code was taken already".into(),
    ))
}

pub(crate) async fn list(
    app: &App,
    owner: PhotographerId,
    _req: Request,
) -> Result<Response<Body>, ApiError> {
    let logins = app.store().client_logins_of(owner).await?;
    let releases =
        futures::future::try_join_all(logins.iter().map(|l| app.store().releases_of(l.id))).await?;
    let views: Vec<ClientLoginView> = logins
        .iter()
        .zip(&releases)
        .map(|(login, released)| ClientLoginView::new(login, None, released.len()))
        .collect();
    json(200, &serde_json::json!({ "logins": views }))
}

pub(crate) async fn get(
    app: &App,
    owner: PhotographerId,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let login = owned_login(app, owner, &req).await?;
    let released = app.store().releases_of(login.id).await?.len();
    json(200, &ClientLoginView::new(&login, None, released))
}

pub(crate) async fn update(
    app: &App,
    owner: PhotographerId,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let input: UpdateClientLogin = json_body(&req)?;
    let name = input.name.as_deref().map(PersonName::parse).transpose()?;
    let email = match input.email {
        None => None,
        Some(None) => Some(None),
        Some(Some(raw)) => Some(Some(Email::parse(&raw)?)),
    };
    let note = match input.note {
        None => None,
        Some(None) => Some(None),
        Some(Some(raw)) => Some(Some(parse_note(&raw)?)),
    };
    let new_code = match (input.access_code, input.new_access_code) {
        (Some(_), Some(true)) => {
            return Err(Invalid::new(
                "access_code",
                "give a code or ask for a new one (new_access_code), not both",
            )
            .into());
        }
        (Some(raw), _) => {
            // Guessable by the name and address the login will have once this change is made.
            let current = owned_login(app, owner, &req).await?;
            let client = name.as_ref().unwrap_or(&current.name);
            let address = email
                .as_ref()
                .map_or(current.email.as_ref(), Option::as_ref);
            Some(AccessCode::parse_chosen(&raw, client, address)?)
        }
        (None, Some(true)) => Some(new_access_code()),
        (None, _) => None,
    };
    let new_hash = match &new_code {
        Some(code) => Some(
            app.secrets()?
                .access_code_hash(owner, code)
                .await
                .map_err(ApiError::Internal)?,
        ),
        None => None,
    };
    // Another change landing first is read again and this one applied on top of it.
    let mut tries = Retry::LOST_RACE.tries();
    while tries.next().await {
        let read = owned_login(app, owner, &req).await?;
        let mut changed = read.clone();
        if let Some(name) = &name {
            changed.name = name.clone();
        }
        if let Some(email) = &email {
            changed.email = email.clone();
        }
        if let Some(note) = &note {
            changed.note = note.clone();
        }
        if let Some(hash) = &new_hash
            && *hash != read.code_hash
        {
            changed.code_hash = hash.clone();
            changed.code_version += 1;
        }
        changed.revision += 1;
        match app.store().update_client_login(&read, &changed).await {
            Ok(()) => {
                // Released links carry the client's email (downloads are emailed there) and name.
                if changed.email != read.email || changed.name != read.name {
                    app.store().refresh_release_grants(&changed).await?;
                }
                let released = app.store().releases_of(changed.id).await?.len();
                let shown = new_code.as_ref().map(AccessCode::shown);
                return json(200, &ClientLoginView::new(&changed, shown, released));
            }
            Err(StoreError::Conflict(Conflict::ConcurrentUpdate)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(StoreError::Conflict(Conflict::ConcurrentUpdate).into())
}

pub(crate) async fn delete(
    app: &App,
    owner: PhotographerId,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    // A revoked login is one whose deletion stopped midway: deleting again finishes it. A new
    // code set meanwhile is read again, so its claim goes too.
    let mut tries = Retry::LOST_RACE.tries();
    while tries.next().await {
        let login = owned_login_even_revoked(app, owner, &req).await?;
        match app.store().revoke_client_login(&login).await {
            Err(StoreError::Conflict(Conflict::ConcurrentUpdate)) => continue,
            done => {
                done?;
                return no_content();
            }
        }
    }
    Err(StoreError::Conflict(Conflict::ConcurrentUpdate).into())
}

/// What a release asks for beyond the settings.
struct ReleaseInput {
    settings: SettingsInput,
    include_subgalleries: bool,
}

fn release_input(req: &Request) -> Result<ReleaseInput, ApiError> {
    let mut body: serde_json::Map<String, serde_json::Value> = if req.body().is_empty() {
        serde_json::Map::new()
    } else {
        json_body(req)?
    };
    let include_subgalleries = match body.remove("include_subgalleries") {
        None | Some(serde_json::Value::Null) => false,
        Some(serde_json::Value::Bool(include)) => include,
        Some(_) => {
            return Err(Invalid::new("include_subgalleries", "must be true or false").into());
        }
    };
    let settings: SettingsInput = serde_json::from_value(body.into())
        .map_err(|e| ApiError::BadJson(excerpt(&e.to_string())))?;
    Ok(ReleaseInput {
        settings,
        include_subgalleries,
    })
}

/// A release as made or found: new ones are emailed about.
enum Released {
    New(ReleaseRecord, GrantRecord),
    Existing(ReleaseRecord, GrantRecord),
}

/// Releases `gallery` to `login` with the settings `settings_for` gives from the gallery's
/// general ones, or finds the release made before.
async fn release_one(
    app: &App,
    login: &ClientLoginRecord,
    gallery: &GalleryRecord,
    input: Option<&SettingsInput>,
) -> Result<Released, ApiError> {
    if let Some(found) = existing_release(app, login, gallery.id).await? {
        return Ok(found);
    }
    let general = general_grant(app, gallery).await?;
    let change = match input {
        Some(input) => input.clone().into_change().await?,
        None => Default::default(),
    };
    let settings = release_settings(&general.settings, change)?;
    let now = app.now();
    let grant = GrantRecord::new_release(gallery, login, settings, now);
    let release = ReleaseRecord {
        login_id: login.id,
        gallery_id: gallery.id,
        grant_id: grant.id,
        released_at: now,
        emailed_at: None,
    };
    match app.store().release_gallery(&release, &grant).await {
        Ok(()) => Ok(Released::New(release, grant)),
        // Released by a concurrent call: that one stands.
        Err(StoreError::Conflict(Conflict::AlreadyReleased)) => {
            existing_release(app, login, gallery.id)
                .await?
                .ok_or(ApiError::NotFound)
        }
        Err(e) => Err(e.into()),
    }
}

async fn existing_release(
    app: &App,
    login: &ClientLoginRecord,
    gallery: GalleryId,
) -> Result<Option<Released>, ApiError> {
    let Some(release) = app.store().release(login.id, gallery).await? else {
        return Ok(None);
    };
    let grant = app
        .store()
        .grant(release.grant_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Some(Released::Existing(release, grant)))
}

pub(crate) async fn release(
    app: &App,
    owner: PhotographerId,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let input = release_input(&req)?;
    let login = owned_login(app, owner, &req).await?;
    let gallery = owned_gallery(app, owner, &req).await?;
    let (status, release, mut grant) =
        match release_one(app, &login, &gallery, Some(&input.settings)).await? {
            Released::New(release, grant) => (201, release, grant),
            Released::Existing(release, grant) => (200, release, grant),
        };
    // Released before: the settings given now change that release's link.
    if status == 200 && !input.settings.is_empty() {
        grant = super::access::change_settings(app, grant, input.settings).await?;
    }

    // Sub-galleries are released with their own general settings, never the parent's. Those
    // released now are named in the parent's email, or, when the parent's went out before,
    // emailed on their own.
    let parent_emailed_before = release.emailed_at.is_some();
    let mut subgalleries = Vec::new();
    let mut new_subgalleries = 0;
    if input.include_subgalleries {
        for sub in descendants(app, gallery.id).await? {
            match release_one(app, &login, &sub, None).await? {
                Released::New(sub_release, grant) => {
                    if parent_emailed_before {
                        email_release(app, &req, &login, &sub, &sub_release, 0).await?;
                    } else {
                        app.store()
                            .mark_release_emailed(&sub_release, app.now())
                            .await?;
                        new_subgalleries += 1;
                    }
                    subgalleries.push((sub, sub_release, grant));
                }
                Released::Existing(sub_release, grant) => {
                    subgalleries.push((sub, sub_release, grant))
                }
            }
        }
    }

    let email_sent = email_release(app, &req, &login, &gallery, &release, new_subgalleries).await?;
    let mut view = ReleaseView::new(&gallery, &release, &grant, link(app, &req, grant.id)?);
    view.email_sent = Some(email_sent);
    view.subgalleries = subgalleries
        .iter()
        .map(|(sub, release, grant)| {
            Ok(ReleaseView::new(
                sub,
                release,
                grant,
                link(app, &req, grant.id)?,
            ))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    json(status, &view)
}

/// Every gallery below `parent`, parents before their children.
async fn descendants(app: &App, parent: GalleryId) -> Result<Vec<GalleryRecord>, ApiError> {
    let mut found = Vec::new();
    let mut frontier = vec![parent];
    while let Some(id) = frontier.pop() {
        for child in app.store().children_of(id).await? {
            frontier.push(child.id);
            found.push(child);
        }
    }
    Ok(found)
}

/// Emails the login's client about a release, once per release (a retried release whose email
/// went out sends nothing). `false` when there is nobody to email or SES refused.
async fn email_release(
    app: &App,
    req: &Request,
    login: &ClientLoginRecord,
    gallery: &GalleryRecord,
    release: &ReleaseRecord,
    subgalleries: usize,
) -> Result<bool, ApiError> {
    let Some(to) = login.email.clone() else {
        return Ok(false);
    };
    if release.emailed_at.is_some() || !app.store().mark_release_emailed(release, app.now()).await?
    {
        return Ok(false);
    }
    let photographer = app.store().photographer(login.owner_id).await?;
    let Some(photographer) = photographer else {
        return Ok(false);
    };
    let base = base_url(app, req);
    let login_page = format!("{base}/p/{}", photographer.slug);
    let look = EmailLook::of(&photographer, &base);
    let news = GalleryReleased {
        photographer: photographer.name.as_str(),
        look: &look,
        client_name: login.name.as_str(),
        gallery_title: &gallery.title,
        subgalleries,
        login_page: &login_page,
    };
    let email = news
        .to(to)
        .map_err(|e| ApiError::Internal(format!("release email not rendered: {e}")))?;
    Ok(send_email(app, &email, release.grant_id).await)
}

pub(crate) async fn withdraw(
    app: &App,
    owner: PhotographerId,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let login = owned_login(app, owner, &req).await?;
    let gallery =
        GalleryId::parse(&path_param(&req, "gallery_id")?).map_err(|_| ApiError::NotFound)?;
    let release = app
        .store()
        .release(login.id, gallery)
        .await?
        .ok_or(ApiError::NotFound)?;
    app.store().withdraw_gallery(&release).await?;
    no_content()
}

pub(crate) async fn list_releases(
    app: &App,
    owner: PhotographerId,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let login = owned_login(app, owner, &req).await?;
    let mut views = Vec::new();
    for release in app.store().releases_of(login.id).await? {
        let (gallery, grant) = (
            app.store().gallery(release.gallery_id).await?,
            app.store().grant(release.grant_id).await?,
        );
        // A gallery deleted since takes its link with it.
        if let (Some(gallery), Some(grant)) = (gallery, grant) {
            let link = link(app, &req, grant.id)?;
            views.push(ReleaseView::new(&gallery, &release, &grant, link));
        }
    }
    json(200, &serde_json::json!({ "galleries": views }))
}

/// How the OpenAPI description tells this module's routes (`openapi::describe`).
pub(crate) mod doc {
    use crate::openapi::describe::*;

    pub(crate) fn create() -> OperationDoc {
        OperationDoc {
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
        }
    }

    pub(crate) fn list() -> OperationDoc {
        OperationDoc {
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
        }
    }

    pub(crate) fn get() -> OperationDoc {
        OperationDoc {
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
        }
    }

    pub(crate) fn update() -> OperationDoc {
        OperationDoc {
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
        }
    }

    pub(crate) fn delete() -> OperationDoc {
        OperationDoc {
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
        }
    }

    pub(crate) fn release() -> Described {
        OperationDoc {
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
        }
        .also_answering(returns(
            200,
            "Released before: that release (with any settings given now applied to its link).",
            Schemas::body::<ReleaseView>,
        ))
    }

    pub(crate) fn withdraw() -> OperationDoc {
        OperationDoc {
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
        }
    }

    pub(crate) fn list_releases() -> OperationDoc {
        OperationDoc {
            tag: Tag::Logins,
            summary: "List the galleries released to a client login",
            description: None,
            paged: false,
            validates: false,
            request: None,
            success: returns(200, "The releases.", Schemas::body::<ReleaseList>),
            refusals: vec![],
        }
    }
}
