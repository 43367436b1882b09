//! What each client did in a gallery (views, favourites, every download request), and the
//! photographer's notifications of milestones.

use futures::future::try_join_all;
use lambda_http::{Body, Request, Response};
use proofsheet_policy::activity::spreadsheet_cell;
use proofsheet_policy::text::one_line;
use proofsheet_policy::{
    DownloadStatus, Invalid, NOTIFICATION_PAGE, NotificationId, PhotographerId, Resolution,
    attachment_disposition,
};
use proofsheet_store::{ClientActivity, DownloadRequestRecord, GrantRecord, MilestoneRecord};
use serde::Serialize;
use utoipa::ToSchema;

use super::owned_gallery;
use crate::ApiError;
use crate::http_io::{json, no_content, path_param};
use crate::query::{Choice, Limit, Shape, Text};
use crate::views::{
    ClientActivityView, DownloadActivityView, FavouriteActivityView, GalleryActivityView,
    MilestoneView, NotificationListView, NotificationView, ProgressView, shown_if_any, timestamp,
};
use proofsheet_app::App;

/// `?format=` of a gallery's activity.
const ACTIVITY_FORMAT: Choice = Choice {
    name: "format",
    values: &["json", "csv"],
    description: "a spreadsheet, as text/csv.",
};

pub(crate) async fn gallery_activity(
    app: &App,
    owner: PhotographerId,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let as_csv = ACTIVITY_FORMAT.read(&req)? == "csv";
    let gallery = owned_gallery(app, owner, &req).await?;
    let (grants, milestones) = tokio::try_join!(
        app.store().private_grants_of(gallery.id),
        app.store().gallery_milestones(gallery.id),
    )?;
    let activities = try_join_all(
        grants
            .iter()
            .map(|grant| app.store().client_activity(grant.id)),
    )
    .await?;
    let clients: Vec<ClientActivityView> = grants
        .iter()
        .zip(&activities)
        .map(|(grant, activity)| {
            let reached = milestones.get(&grant.client_key()).map(Vec::as_slice);
            client_view(grant, activity, reached.unwrap_or_default())
        })
        .collect();
    if as_csv {
        return csv_response(&gallery.title, &clients);
    }
    json(
        200,
        &GalleryActivityView {
            gallery_id: gallery.id.to_string(),
            clients,
        },
    )
}

fn client_view(
    grant: &GrantRecord,
    activity: &ClientActivity,
    milestones: &[MilestoneRecord],
) -> ClientActivityView {
    ClientActivityView {
        grant_id: grant.id.to_string(),
        name: grant.name.as_ref().map(ToString::to_string),
        email: grant.email.as_ref().map(ToString::to_string),
        login_id: grant.login_id.map(|id| id.to_string()),
        origin: grant.origin,
        first_view_at: activity.views.first_view_at.map(timestamp),
        last_view_at: activity.views.last_view_at.map(timestamp),
        view_count: activity.views.view_count,
        favourites: FavouriteActivityView {
            lists: activity.favourite_lists,
            photos: activity.favourite_photos.len(),
        },
        downloads: DownloadActivityView {
            requests: activity.download_requests,
            photos: activity.downloaded_photos.len(),
            resolutions: activity.resolutions.iter().copied().collect(),
        },
        milestones: milestones
            .iter()
            .map(|m| MilestoneView {
                milestone: m.milestone,
                reached_at: timestamp(m.reached_at),
            })
            .collect(),
    }
}

/// The activity as a spreadsheet: RFC 4180 (the csv crate quotes), one row per client, every
/// cell kept from being read as a formula.
fn csv_response(title: &str, clients: &[ClientActivityView]) -> Result<Response<Body>, ApiError> {
    let failed = |e: csv::Error| ApiError::Internal(format!("activity export: {e}"));
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    out.write_record([
        "name",
        "email",
        "origin",
        "first_view_at",
        "last_view_at",
        "views",
        "favourite_lists",
        "favourite_photos",
        "download_requests",
        "downloaded_photos",
        "resolutions",
        "milestones",
    ])
    .map_err(failed)?;
    for client in clients {
        let resolutions: Vec<&str> = client
            .downloads
            .resolutions
            .iter()
            .map(|r| r.as_str())
            .collect();
        let milestones: Vec<&str> = client
            .milestones
            .iter()
            .map(|m| m.milestone.as_str())
            .collect();
        // Names as they are shown anywhere (see `proofsheet_policy::text`): one line, hiding
        // nothing, turning nothing around.
        let shown =
            |name: &Option<String>| one_line(name.as_deref().unwrap_or_default()).into_owned();
        let row = [
            shown(&client.name),
            shown(&client.email),
            serde_json::to_value(client.origin)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            client.first_view_at.clone().unwrap_or_default(),
            client.last_view_at.clone().unwrap_or_default(),
            client.view_count.to_string(),
            client.favourites.lists.to_string(),
            client.favourites.photos.to_string(),
            client.downloads.requests.to_string(),
            client.downloads.photos.to_string(),
            resolutions.join(" "),
            milestones.join(" "),
        ];
        out.write_record(row.iter().map(|cell| spreadsheet_cell(cell)))
            .map_err(failed)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| ApiError::Internal(format!("activity export: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| ApiError::Internal(e.to_string()))?;
    Response::builder()
        .status(200)
        .header("content-type", "text/csv; charset=utf-8")
        .header(
            "content-disposition",
            attachment_disposition(&format!("{title} - activity.csv")),
        )
        .body(Body::Text(text))
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// `?limit=` and `?cursor=` of the notifications.
const NOTIFICATIONS_LIMIT: Limit = Limit {
    size: NOTIFICATION_PAGE,
    items: "Notifications",
};
const NOTIFICATIONS_CURSOR: Text = Text {
    name: "cursor",
    description: "The `next_cursor` of the previous page.",
    shape: Shape::Uuid,
};

pub(crate) async fn notifications(
    app: &App,
    owner: PhotographerId,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let limit = NOTIFICATIONS_LIMIT.read(&req)?;
    let after = NOTIFICATIONS_CURSOR
        .read(&req)
        .map(|raw| NotificationId::parse(&raw).map_err(|_| Invalid::new("cursor", "unknown")))
        .transpose()?;
    let (page, unread) = tokio::try_join!(
        app.store().notifications(owner, limit, after),
        app.store().unread_notifications(owner),
    )?;
    let (notes, next) = page;
    json(
        200,
        &NotificationListView {
            notifications: notes
                .iter()
                .map(|n| NotificationView {
                    notification_id: n.id.to_string(),
                    milestone: n.milestone,
                    message: format!(
                        "{} {} in \"{}\"",
                        n.client,
                        n.milestone.sentence(),
                        n.gallery_title
                    ),
                    client: n.client.clone(),
                    gallery_id: n.gallery_id.to_string(),
                    gallery_title: n.gallery_title.clone(),
                    grant_id: n.grant_id.to_string(),
                    created_at: timestamp(n.created_at),
                    read: n.read_at.is_some(),
                })
                .collect(),
            unread,
            next_cursor: next.map(|id| id.to_string()),
        },
    )
}

pub(crate) async fn read_notification(
    app: &App,
    owner: PhotographerId,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let id = NotificationId::parse(&path_param(&req, "notification_id")?)
        .map_err(|_| ApiError::NotFound)?;
    app.store()
        .mark_notification_read(owner, id, app.now())
        .await?;
    no_content()
}

/// `GET /galleries/{gallery_id}/downloads`: every download request of the gallery's clients,
/// newest first, each with the client who made it.
pub(crate) async fn downloads(
    app: &App,
    owner: PhotographerId,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let gallery = owned_gallery(app, owner, &req).await?;
    let grants = app.store().private_grants_of(gallery.id).await?;
    let per_grant = try_join_all(
        grants
            .iter()
            .map(|grant| app.store().download_requests_of(grant.id)),
    )
    .await?;
    let mut requests: Vec<(&GrantRecord, &DownloadRequestRecord)> = grants
        .iter()
        .zip(&per_grant)
        .flat_map(|(grant, theirs)| theirs.iter().map(move |request| (grant, request)))
        .collect();
    // Newest first, as each client's own list is.
    requests.sort_by_key(|(_, request)| std::cmp::Reverse((request.created_at, request.id)));
    json(
        200,
        &GalleryDownloadsView {
            gallery_id: gallery.id.to_string(),
            requests: requests
                .into_iter()
                .map(|(grant, request)| GalleryDownloadView::new(grant, request))
                .collect(),
        },
    )
}

/// Every download request of a gallery's clients.
#[derive(Serialize, ToSchema)]
#[schema(as = GalleryDownloads)]
pub(crate) struct GalleryDownloadsView {
    #[schema(format = "uuid")]
    pub gallery_id: String,
    /// Newest first.
    pub requests: Vec<GalleryDownloadView>,
}

/// One download request, with the client who made it. The ZIPs' links are the client's: they
/// are not shown here.
#[derive(Serialize, ToSchema)]
#[schema(as = GalleryDownloadRequest)]
pub(crate) struct GalleryDownloadView {
    /// The client's private link.
    #[schema(format = "uuid")]
    pub grant_id: String,
    #[schema(required)]
    #[serde(serialize_with = "shown_if_any")]
    pub name: Option<String>,
    #[schema(required, format = "email")]
    #[serde(serialize_with = "shown_if_any")]
    pub email: Option<String>,
    #[schema(format = "uuid")]
    pub request_id: String,
    #[schema(value_type = crate::openapi::values::DownloadStatus)]
    pub status: DownloadStatus,
    #[schema(value_type = crate::openapi::values::Resolution)]
    pub resolution: Resolution,
    pub watermarked: bool,
    /// How many photos it asked for.
    pub photos: u32,
    /// Photos it counted against the client's limit (the others were downloaded before).
    pub charged: u32,
    #[schema(inline)]
    pub progress: ProgressView,
    /// Photos that could not be prepared: not in the ZIP, and not counted.
    pub left_out: u32,
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl GalleryDownloadView {
    fn new(grant: &GrantRecord, request: &DownloadRequestRecord) -> Self {
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Self {
            grant_id: grant.id.to_string(),
            name: grant.name.as_ref().map(ToString::to_string),
            email: grant.email.as_ref().map(ToString::to_string),
            request_id: request.id.to_string(),
            status: request.status,
            resolution: request.resolution,
            watermarked: request.watermarked,
            photos: count(request.photos.len()),
            charged: count(request.charged.len()),
            progress: ProgressView {
                done: request.photos_done,
                total: count(request.photos.len()),
            },
            left_out: count(request.left_out.len()),
            created_at: timestamp(request.created_at),
        }
    }
}

/// How the OpenAPI description tells this module's routes (`openapi::describe`).
pub(crate) mod doc {
    use crate::openapi::describe::*;

    pub(crate) fn gallery_activity() -> Described {
        OperationDoc {
            tag: Tag::Activity,
            summary: "Every client's activity in a gallery",
            description: Some(
                "Per private link (made by the photographer, by a visitor who gave an email on \
                 the general link, or by a release to a client login): views by people (first, last, count; link previews of chat apps \
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
        }
        .taking(super::ACTIVITY_FORMAT.doc())
    }

    pub(crate) fn notifications() -> Described {
        OperationDoc {
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
        }
        .taking(super::NOTIFICATIONS_LIMIT.doc())
        .taking(super::NOTIFICATIONS_CURSOR.doc())
    }

    pub(crate) fn read_notification() -> OperationDoc {
        OperationDoc {
            tag: Tag::Activity,
            summary: "Mark a notification read",
            description: Some("Marking it again changes nothing.".into()),
            paged: false,
            validates: false,
            request: None,
            success: no_content(),
            refusals: vec![],
        }
    }

    pub(crate) fn downloads() -> OperationDoc {
        OperationDoc {
            tag: Tag::Activity,
            summary: "List a gallery's download requests",
            description: Some(
                "Every request the gallery's clients made, newest first, with the client (their \
                 private link, name and email) and how far it got. The ZIPs' links are the \
                 client's and are not shown."
                    .into(),
            ),
            paged: false,
            validates: false,
            request: None,
            success: returns(
                200,
                "The requests.",
                Schemas::body::<super::GalleryDownloadsView>,
            ),
            refusals: vec![],
        }
    }
}
