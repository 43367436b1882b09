//! The photographer's API keys, for scripts and the command line: made (shown once), listed
//! and revoked with the studio's session only (`Audience::StudioSession`), never with a key.

use lambda_http::{Body, Request, Response};
use proofsheet_app::App;
use proofsheet_app::secrets::new_api_key;
use proofsheet_policy::{ApiKeyName, PhotographerId, StudioSession, key_hint, may_add_key};
use proofsheet_store::ApiKeyRecord;
use serde::Deserialize;
use uuid::Uuid;

use crate::ApiError;
use crate::handlers::studio;
use crate::http_io::{json, json_body, no_content, path_param};
use crate::views::{ApiKeyView, CreatedApiKeyView};

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = ApiKeyCreate)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateApiKey {
    /// What the key is for ("Lightroom export", "studio laptop"): 1 to 60 characters on one
    /// line.
    #[schema(min_length = 1, max_length = 60)]
    name: String,
}

pub(crate) async fn list(
    app: &App,
    owner: PhotographerId,
    _req: Request,
) -> Result<Response<Body>, ApiError> {
    let keys = app.store().api_keys_of(owner).await?;
    let views: Vec<ApiKeyView> = keys.iter().map(ApiKeyView::from).collect();
    json(200, &serde_json::json!({ "keys": views }))
}

pub(crate) async fn create(
    app: &App,
    owner: PhotographerId,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let input: CreateApiKey = json_body(&req)?;
    let name = ApiKeyName::parse(&input.name)?;
    // A key outlives the session that made it: only a recent sign-in makes one.
    let opened_at = studio::session_opened_at(app, &req)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    if !StudioSession::is_recent(opened_at, app.now()) {
        return Err(ApiError::RecentSignInRequired);
    }
    may_add_key(app.store().api_keys_of(owner).await?.len())?;
    let (key, key_sha256) = new_api_key();
    let made = ApiKeyRecord {
        key_id: Uuid::now_v7(),
        photographer_id: owner,
        name: name.as_str().to_owned(),
        hint: key_hint(&key),
        key_sha256,
        created_at: app.now(),
    };
    app.store().create_api_key(&made).await?;
    tracing::info!(key_id = %made.key_id, "API key made");
    json(
        201,
        &CreatedApiKeyView {
            key: ApiKeyView::from(&made),
            api_key: key,
        },
    )
}

pub(crate) async fn revoke(
    app: &App,
    owner: PhotographerId,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let key_id = Uuid::parse_str(&path_param(&req, "key_id")?).map_err(|_| ApiError::NotFound)?;
    app.store().revoke_api_key(owner, key_id).await?;
    tracing::info!(%key_id, "API key revoked");
    no_content()
}

/// How the OpenAPI description tells this module's routes (`openapi::describe`).
pub(crate) mod doc {
    use super::CreateApiKey;
    use crate::openapi::describe::*;
    use crate::views::CreatedApiKeyView;

    /// Every key route's own refusal: an API key instead of the studio's session.
    fn key_refused() -> Vec<Refusal> {
        vec![Refusal {
            errors: vec![ApiError::StudioSessionRequired],
            description: "Called with an API key: keys are made and revoked in the studio.",
        }]
    }

    /// A change's: that, or the session's cookie sent from another site's page.
    fn change_refused() -> Vec<Refusal> {
        vec![Refusal {
            errors: vec![
                ApiError::StudioSessionRequired,
                proofsheet_policy::CrossSiteWrite::NotFromTheStudio.into(),
            ],
            description: "Called with an API key (keys are made and revoked in the studio), or \
                with the studio's cookie but not from the studio's own page.",
        }]
    }

    pub(crate) fn list() -> OperationDoc {
        OperationDoc {
            tag: Tag::Studio,
            summary: "List the photographer's API keys",
            description: Some(
                "Each key's name, last four characters and age; never the key. With the studio's \
                 session only: an API key is refused (403 `studio_session_required`)."
                    .into(),
            ),
            paged: false,
            validates: false,
            request: None,
            success: returns(200, "Oldest first.", Schemas::body::<ApiKeyList>),
            refusals: key_refused(),
        }
    }

    pub(crate) fn create() -> OperationDoc {
        OperationDoc {
            tag: Tag::Studio,
            summary: "Make an API key",
            description: Some(
                "For a script or the command line. The key is in this answer only: it is stored \
                 as its SHA-256. At most 10 keys (422 on `name`). With the studio's session \
                 only: a key can't make another key, so revoking a leaked key ends it for good. \
                 The session must have been opened in the last 15 minutes (else 403 \
                 `recent_sign_in_required`): a key outlives it, so one left open can't make one."
                    .into(),
            ),
            paged: false,
            validates: true,
            request: Some(Schemas::body::<CreateApiKey>),
            success: returns(
                201,
                "The key, shown this once, and how it is listed.",
                Schemas::body::<CreatedApiKeyView>,
            ),
            refusals: vec![Refusal {
                errors: vec![
                    ApiError::StudioSessionRequired,
                    proofsheet_policy::CrossSiteWrite::NotFromTheStudio.into(),
                    ApiError::RecentSignInRequired,
                ],
                description: "Called with an API key (keys are made and revoked in the studio), \
                    with the studio's cookie but not from the studio's own page, or with a \
                    session opened too long ago (sign in again).",
            }],
        }
    }

    pub(crate) fn revoke() -> OperationDoc {
        OperationDoc {
            tag: Tag::Studio,
            summary: "Revoke an API key",
            description: Some(
                "It stops working at once. Another photographer's key, or one already revoked, is \
                 404."
                    .into(),
            ),
            paged: false,
            validates: false,
            request: None,
            success: no_content(),
            refusals: change_refused(),
        }
    }
}
