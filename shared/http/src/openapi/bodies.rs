//! Bodies that have no type of their own in the handlers: errors (built in `error.rs`), lists and
//! a few small objects the handlers write with `json!`, and the private-grant request the
//! handler reads field by field. Each mirrors the code named on it; keep them in step.

use serde::Serialize;
use utoipa::openapi::schema::AdditionalProperties;
use utoipa::openapi::{Object, ObjectBuilder, RefOr, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::handlers::photographer::access::SettingsInput;
use crate::views::{
    ApiKeyView, ClientLoginView, GrantView, ListedGalleryView, PhotoView, ReleaseView,
};

// Mirrors the body `ApiError::into_response` writes.
/// Every error response. `error` is a stable machine-readable code; `message` is for humans.
/// `field` names the offending input and is present only on 422 `invalid_request`.
#[derive(Serialize, ToSchema)]
#[schema(as = Error)]
pub(crate) struct ErrorBody {
    #[schema(examples("not_found"))]
    pub error: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(
        nullable = false,
        examples("title", "watermark.opacity", "download_resolutions")
    )]
    pub field: Option<String>,
}

// Mirrors the body of `handlers::photographer::api_keys::list`.
#[derive(Serialize, ToSchema)]
pub(crate) struct ApiKeyList {
    /// Oldest first.
    pub keys: Vec<ApiKeyView>,
}

// Mirrors the body of `handlers::photographer::galleries::list`.
#[derive(Serialize, ToSchema)]
pub(crate) struct GalleryList {
    /// All of the photographer's galleries and sub-galleries (flat, oldest first; nest them by
    /// `parent_id`), each with its photo count and cover.
    pub galleries: Vec<ListedGalleryView>,
}

// Mirrors the body of `handlers::photographer::photos::list`.
#[derive(Serialize, ToSchema)]
pub(crate) struct PhotoList {
    /// In the order asked for (`order`), one page at a time.
    pub photos: Vec<PhotoView>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    #[schema(required)]
    pub next_cursor: Option<String>,
}

// Mirrors the body of `handlers::photographer::access::list_private`.
#[derive(Serialize, ToSchema)]
pub(crate) struct PrivateGrantList {
    /// Oldest first.
    pub grants: Vec<GrantView>,
}

// Mirrors the body of `handlers::photographer::access::create_private`: the grant's view plus
// `email_sent`.
#[derive(Serialize, ToSchema)]
pub(crate) struct PrivateGrantCreated {
    #[serde(flatten)]
    pub grant: GrantView,
    /// Whether the invitation email was accepted by SES. The grant exists either way; on
    /// `false`, pass the link on another way.
    pub email_sent: bool,
}

// Mirrors the body of `handlers::client::unlock_gallery`.
#[derive(Serialize, ToSchema)]
pub(crate) struct Session {
    /// Send as `Authorization: Bearer <session>` to the link's routes. Ends when it expires or
    /// when the link's password is changed or removed.
    pub session: String,
    /// 12 hours after unlocking unless configured otherwise (CLIENT_SESSION_TTL_SECONDS).
    #[schema(format = DateTime)]
    pub expires_at: String,
}

// Mirrors the body of `handlers::photographer::logins::list`.
#[derive(Serialize, ToSchema)]
pub(crate) struct ClientLoginList {
    /// Oldest first.
    pub logins: Vec<ClientLoginView>,
}

// Mirrors the body of `handlers::photographer::logins::list_releases`.
#[derive(Serialize, ToSchema)]
pub(crate) struct ReleaseList {
    /// In the order of their gallery ids (creation order).
    pub galleries: Vec<ReleaseView>,
}

// Mirrors the body of `handlers::client::logins::log_in`.
#[derive(Serialize, ToSchema)]
pub(crate) struct LoginSession {
    /// Send as `Authorization: Bearer <session>` to `GET /me/galleries`. Ends when it expires,
    /// when the photographer sets a new code, or when the login is deleted.
    pub session: String,
    #[schema(format = DateTime)]
    pub expires_at: String,
    /// The client's name, as the photographer entered it.
    pub name: String,
}

/// The body of `PUT /client-logins/{login_id}/galleries/{gallery_id}`: `include_subgalleries`,
/// then the settings of [`SettingsInput`] (the handler takes the flag out and reads the rest as
/// settings). The body may be empty.
pub(crate) fn release_input() -> Object {
    let RefOr::T(Schema::Object(mut settings)) = SettingsInput::schema() else {
        unreachable!("SettingsInput is an object schema")
    };
    settings.properties.insert(
        "include_subgalleries".into(),
        ObjectBuilder::new()
            .schema_type(Type::Boolean)
            .description(Some(
                "Release the gallery's current sub-galleries too, each with its own general \
                 settings.",
            ))
            .default(Some(false.into()))
            .into(),
    );
    settings.description = Some(
        "Optional. The release's settings (absent fields: the gallery's general settings, \
         without their password) and `include_subgalleries`."
            .into(),
    );
    settings
}

/// The body of `POST /galleries/{gallery_id}/private-access`: the client, then the settings of
/// [`SettingsInput`] (the handler takes `email` and `name` out and reads the rest as settings).
pub(crate) fn private_grant_create() -> Object {
    let RefOr::T(Schema::Object(settings)) = SettingsInput::schema() else {
        unreachable!("SettingsInput is a plain object")
    };
    let email = ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::Email,
        )))
        .max_length(Some(254))
        .description(Some(
            "Normalised to lower case; one grant per client email and gallery. A missing or \
             non-string email is a 422 on `email`.",
        ));
    let name = ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            Type::String,
            Type::Null,
        ]))
        .min_length(Some(1))
        .max_length(Some(100))
        .description(Some(
            "The client's display name, used in the invitation email.",
        ));
    let mut body = ObjectBuilder::new()
        .description(Some(
            "The client plus any settings for their link. Settings not given are copied from the \
             gallery's general-access settings of this moment (a copy: later general changes \
             don't reach the grant). Unknown fields are a 400 `invalid_json`.",
        ))
        .property("email", email)
        .required("email")
        .property("name", name);
    for (field, schema) in settings.properties {
        body = body.property(field, schema);
    }
    for field in settings.required {
        body = body.required(field);
    }
    body.additional_properties(Some(AdditionalProperties::FreeForm(false)))
        .build()
}
