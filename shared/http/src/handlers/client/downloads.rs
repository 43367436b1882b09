//! The download manager: the client selects photos, then asks for them as one ZIP. What a
//! request may take and cost is the policy's (`proofsheet_policy::downloads`); the store writes
//! the charge so that no timing gets past the limit.

use std::collections::BTreeSet;
use std::time::Duration;

use lambda_http::{Body, Request, Response};
use proofsheet_app::App;
use proofsheet_policy::archive::attachment_disposition;
use proofsheet_policy::tokens::DownloadLinkToken;
use proofsheet_policy::{
    AskFingerprint, DownloadChoice, DownloadRequestId, DownloadSnapshot, DownloadStatus,
    DownloadUsage, IdempotencyKey, Invalid, Milestone, PhotoId, Resolution, downloads,
};
use proofsheet_store::{DownloadRequestRecord, GrantRecord, RecordedDownload};
use serde::Deserialize;
use uuid::Uuid;

use super::{private_grant, requested_photo_id, visible_photo};
use crate::ApiError;
use crate::handlers::{download_links, milestones};
use crate::http_io::{excerpt, json, json_body, no_content, path_param, present, redirect};
use crate::views::{
    DownloadManagerView, DownloadRequestListView, DownloadRequestView, ManagedPhotoView,
};

fn usage(grant: &GrantRecord) -> DownloadUsage {
    DownloadUsage {
        used: grant.downloads_used,
        limit: grant.settings.download_limit,
    }
}

pub(crate) async fn manager(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let grant = private_grant(app, &req).await?;
    let ledger = app.store().download_ledger(grant).await?;
    let photos = downloads::manager_states(&ledger.selected, &ledger.downloaded)
        .into_iter()
        .map(|(photo, state)| ManagedPhotoView {
            photo_id: photo.to_string(),
            state,
        })
        .collect();
    json(
        200,
        &DownloadManagerView::new(&ledger.grant.settings, usage(&ledger.grant), photos),
    )
}

pub(crate) async fn select(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let grant = private_grant(app, &req).await?;
    if !grant.settings.downloads_enabled {
        return Err(ApiError::DownloadsDisabled);
    }
    let photo = visible_photo(app, &grant, &req).await?;
    if !app.store().select_for_download(grant.id, photo.id).await? {
        return Err(Invalid::new(
            "photo_id",
            format!(
                "at most {} photos can be selected",
                proofsheet_policy::MAX_PHOTOS_PER_REQUEST
            ),
        )
        .into());
    }
    no_content()
}

pub(crate) async fn unselect(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let grant = private_grant(app, &req).await?;
    let photo = requested_photo_id(&req)?;
    let ledger = app.store().download_ledger(grant).await?;
    downloads::may_unselect(photo, &ledger.downloaded)?;
    app.store()
        .unselect_for_download(ledger.grant.id, photo)
        .await?;
    no_content()
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = DownloadRequestInput)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateRequest {
    #[schema(value_type = crate::openapi::values::Resolution)]
    resolution: Resolution,
    /// The photos to download; when absent (and `all` is not set), the selected ones.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Vec<String>>, nullable = false)]
    photo_ids: Option<Vec<String>>,
    /// Every ready photo of the gallery ("download full gallery"); not with `photo_ids`.
    #[serde(default)]
    all: bool,
}

impl CreateRequest {
    fn choice(&self) -> Result<DownloadChoice, ApiError> {
        match (&self.photo_ids, self.all) {
            (Some(_), true) => Err(Invalid::new("all", "give either `all` or `photo_ids`").into()),
            (None, true) => Ok(DownloadChoice::All),
            (None, false) => Ok(DownloadChoice::Selected),
            (Some(ids), false) => {
                let photos = ids
                    .iter()
                    .map(|id| {
                        PhotoId::parse(id).map_err(|_| {
                            Invalid::new(
                                "photo_ids",
                                format!("{:?} is not a photo id", excerpt(id)),
                            )
                        })
                    })
                    .collect::<Result<BTreeSet<PhotoId>, Invalid>>()?;
                Ok(DownloadChoice::Photos(photos))
            }
        }
    }
}

/// The request's id, and whether an earlier try may have recorded it: derived from its
/// `Idempotency-Key` (so a retry finds the first try's request), or new.
fn request_id(req: &Request, grant: &GrantRecord) -> Result<(DownloadRequestId, bool), ApiError> {
    match req.headers().get("idempotency-key") {
        None => Ok((DownloadRequestId::from_uuid(Uuid::now_v7()), false)),
        Some(value) => {
            let raw = value
                .to_str()
                .map_err(|_| Invalid::new("Idempotency-Key", "must be visible ASCII characters"))?;
            Ok((IdempotencyKey::parse(raw)?.request_id(grant.id), true))
        }
    }
}

pub(crate) async fn create_request(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    // The link and its session first: a locked or dead link says so whatever the body.
    let grant = private_grant(app, &req).await?;
    let input: CreateRequest = json_body(&req)?;
    let choice = input.choice()?;
    let ask = AskFingerprint::of(input.resolution, &choice);
    let (id, may_be_a_retry) = request_id(&req, &grant)?;
    let ready: BTreeSet<PhotoId> = app
        .store()
        .gallery_photos(grant.gallery_id)
        .await?
        .iter()
        .filter(|p| p.status.visible_to_clients())
        .map(|p| p.id)
        .collect();
    let now = app.now();
    let limited = grant.settings.download_limit.is_some();
    let milestone_grant = grant.clone();
    let recorded = app
        .store()
        .record_download(grant, id, may_be_a_retry, |ledger| {
            let snapshot = DownloadSnapshot {
                usage: usage(&ledger.grant),
                downloaded: &ledger.downloaded,
                selected: &ledger.selected,
                ready: &ready,
                pending: ledger.pending,
            };
            let charge =
                downloads::charge(&ledger.grant.settings, input.resolution, &choice, snapshot)?;
            let request = DownloadRequestRecord {
                id,
                grant_id: ledger.grant.id,
                gallery_id: ledger.grant.gallery_id,
                owner_id: ledger.grant.owner_id,
                resolution: input.resolution,
                watermarked: ledger.grant.settings.downloads_watermarked,
                photos: charge.photos.into_iter().collect(),
                charged: charge.newly_charged.into_iter().collect(),
                used_after: charge.used_after,
                status: DownloadStatus::Queued,
                photos_done: 0,
                created_at: now,
                enqueued_at: None,
                attempts: 0,
                lease_until: None,
                zips: Vec::new(),
                left_out: Vec::new(),
                finished_at: None,
                links_expire_at: None,
                emailed_at: None,
                ask: Some(ask),
            };
            Ok::<_, ApiError>((request, charge.completes_gallery))
        })
        .await?;
    let request = match recorded {
        RecordedDownload::New(request, completes_gallery) => {
            app.enqueue_download(&request).await;
            for milestone in
                Milestone::of_download(limited, request.charged.len(), completes_gallery)
            {
                milestones::reached(app, &milestone_grant, milestone).await;
            }
            request
        }
        // The key named another request: this one is not its retry.
        RecordedDownload::Earlier(request) if !ask.repeats(request.ask) => {
            return Err(ApiError::IdempotencyKeyReused);
        }
        // A retry: the first try may have stopped before its message went out, or before it
        // told the photographer (a milestone is claimed once, so telling again is safe).
        RecordedDownload::Earlier(request) => {
            send_if_left_unsent(app, &request).await;
            for milestone in Milestone::of_download(limited, request.charged.len(), false) {
                milestones::reached(app, &milestone_grant, milestone).await;
            }
            request
        }
    };
    json(202, &request_view(app, &req, &request)?)
}

pub(crate) async fn list_requests(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let grant = private_grant(app, &req).await?;
    let requests = app.store().download_requests_of(grant.id).await?;
    json(
        200,
        &DownloadRequestListView {
            requests: requests
                .iter()
                .map(|request| request_view(app, &req, request))
                .collect::<Result<_, _>>()?,
        },
    )
}

pub(crate) async fn get_request(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let grant = private_grant(app, &req).await?;
    let id = DownloadRequestId::parse(&path_param(&req, "request_id")?)
        .map_err(|_| ApiError::NotFound)?;
    let request = app
        .store()
        .download_request(grant.id, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    send_if_left_unsent(app, &request).await;
    json(200, &request_view(app, &req, &request)?)
}

fn request_view(
    app: &App,
    req: &Request,
    request: &DownloadRequestRecord,
) -> Result<DownloadRequestView, ApiError> {
    Ok(DownloadRequestView::new(
        request,
        download_links(app, req, request)?,
    ))
}

/// `GET /d/{token}`: the download link the client was emailed. It stays ours for its whole
/// lifetime (days), while what it answers with is a presigned S3 URL of minutes: every use
/// checks that the grant still exists (revoked → 404), that its gallery has not expired for
/// it, and the link's lifetime (both → 410), and
/// the browser saves the ZIP under "<gallery> - <resolution>.zip". No session is needed: the
/// link is the capability, like the link it was sent for.
pub(crate) async fn open_zip(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let token = DownloadLinkToken::parse(&path_param(&req, "token")?).ok_or(ApiError::NotFound)?;
    if !app.secrets()?.download_link_is_authentic(&token) {
        return Err(ApiError::NotFound);
    }
    let store = app.store();
    // A link whose gallery expired stops serving its ZIPs; they go with the link's own lifetime.
    super::open_link(app, token.grant_id).await?;
    let request = store
        .download_request(token.grant_id, token.request_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let zip = usize::from(token.zip)
        .checked_sub(1)
        .and_then(|i| request.zips.get(i))
        .ok_or(ApiError::NotFound)?;
    if !downloads::link_is_live(request.links_expire_at, app.now()) {
        return Err(ApiError::DownloadLinkExpired);
    }
    let url = store
        .presign_attachment(
            &zip.key,
            &attachment_disposition(&zip.file_name),
            ZIP_URL_TTL,
        )
        .await?;
    redirect(&url)
}

/// How long the S3 URL a download link redirects to lives: long enough to start the
/// download (S3 checks the signature when a request starts, not while it streams).
const ZIP_URL_TTL: Duration = Duration::from_secs(5 * 60);

/// Sends a request whose message never went out (the accepting call stopped first), when the
/// policy says it is no longer that call's to send: a client retrying it or waiting on it is
/// asking for it.
async fn send_if_left_unsent(app: &App, request: &DownloadRequestRecord) {
    if downloads::left_unsent(
        request.status,
        request.enqueued_at,
        request.created_at,
        app.now(),
    ) {
        app.enqueue_download(request).await;
    }
}

/// How the OpenAPI description tells this module's routes (`openapi::describe`).
pub(crate) mod doc {
    use crate::openapi::describe::*;

    pub(crate) fn manager() -> OperationDoc {
        OperationDoc {
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
        }
    }

    pub(crate) fn select() -> OperationDoc {
        OperationDoc {
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
        }
    }

    pub(crate) fn unselect() -> OperationDoc {
        OperationDoc {
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
                    errors: vec![ApiError::conflict(ConflictCode::AlreadyDownloaded, "")],
                    description: "The photo was downloaded: it stays in the manager for good.",
                });
                refusals
            },
        }
    }

    pub(crate) fn create_request() -> Described {
        OperationDoc {
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
                        ApiError::conflict(ConflictCode::TooManyPending, ""),
                    ],
                    description: "`too_many_pending`: this link's earlier requests are still \
                        being prepared (at most 20 at once); ask again once one is ready. \
                        `concurrent_update`: other requests of this link kept landing first. \
                        Nothing was charged either way, and sending it again is safe.",
                });
                refusals
            },
        }
        .taking(optional_parameter(
            "Idempotency-Key",
            In::Header,
            "Makes retries safe: a request with the key of an earlier one returns that request \
             and charges nothing again. 1 to 255 visible ASCII characters.",
            string_schema()
                .min_length(Some(1))
                .max_length(Some(proofsheet_policy::IdempotencyKey::MAX_CHARS))
                .pattern(Some("^[!-~]{1,255}$"))
                .build(),
        ))
    }

    pub(crate) fn list_requests() -> OperationDoc {
        OperationDoc {
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
        }
    }

    pub(crate) fn get_request() -> OperationDoc {
        OperationDoc {
            tag: Tag::Client,
            summary: "A download request's status (client)",
            description: None,
            paged: false,
            validates: false,
            request: None,
            success: returns(200, "The request.", Schemas::body::<DownloadRequestView>),
            refusals: own_link(vec![], ON_GENERAL_LINK),
        }
    }

    pub(crate) fn open_zip() -> OperationDoc {
        OperationDoc {
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
        }
    }
}
