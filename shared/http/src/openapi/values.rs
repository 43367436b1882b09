//! Schemas of the policy crate's values as the API shows them.
//!
//! The policy crate stays free of schema machinery, so each value the API shows has its schema
//! here. A mirror is tied to its policy type twice: an exhaustive conversion from the policy type
//! (a new variant or field does not compile until it is mirrored here), and a test that serde
//! writes the same JSON for both (a renamed variant or field fails it).

use proofsheet_policy as policy;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa::openapi::{Object, ObjectBuilder, Type};

/// `web`: long edge 2048 px; `high`: long edge 4096 px; `original`: the uploaded file.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Resolution {
    Web,
    High,
    Original,
}

impl From<policy::Resolution> for Resolution {
    fn from(value: policy::Resolution) -> Self {
        match value {
            policy::Resolution::Web => Self::Web,
            policy::Resolution::High => Self::High,
            policy::Resolution::Original => Self::Original,
        }
    }
}

/// `capture_time` (the default): when each photo was taken (EXIF DateTimeOriginal), else when
/// it was uploaded; `filename`: by file name, numbers by value (`IMG_2` before `IMG_10`);
/// `manual`: as arranged with `PUT /galleries/{gallery_id}/order`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum PhotoOrder {
    CaptureTime,
    Filename,
    Manual,
}

impl From<policy::photo_order::PhotoOrder> for PhotoOrder {
    fn from(value: policy::photo_order::PhotoOrder) -> Self {
        match value {
            policy::photo_order::PhotoOrder::CaptureTime => Self::CaptureTime,
            policy::photo_order::PhotoOrder::Filename => Self::Filename,
            policy::photo_order::PhotoOrder::Manual => Self::Manual,
        }
    }
}

/// The client pages' typefaces: `system`, the device's own (nothing to download);
/// `editorial`, Playfair Display over Source Sans 3; `classic`, Cormorant Garamond over Lato;
/// `modern`, Montserrat over Inter. Served from this API's own files.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum FontPairing {
    System,
    Editorial,
    Classic,
    Modern,
}

impl From<policy::FontPairing> for FontPairing {
    fn from(value: policy::FontPairing) -> Self {
        match value {
            policy::FontPairing::System => Self::System,
            policy::FontPairing::Editorial => Self::Editorial,
            policy::FontPairing::Classic => Self::Classic,
            policy::FontPairing::Modern => Self::Modern,
        }
    }
}

/// `text`: a line of text; `logo`: the photographer's uploaded PNG logo (see
/// `POST /watermark-logo`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum WatermarkMode {
    Text,
    Logo,
}

impl From<policy::WatermarkMode> for WatermarkMode {
    fn from(value: policy::WatermarkMode) -> Self {
        match value {
            policy::WatermarkMode::Text => Self::Text,
            policy::WatermarkMode::Logo => Self::Logo,
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum WatermarkPosition {
    TopLeft,
    TopRight,
    BottomLeft,
    BottomRight,
    Center,
}

impl From<policy::Position> for WatermarkPosition {
    fn from(value: policy::Position) -> Self {
        match value {
            policy::Position::TopLeft => Self::TopLeft,
            policy::Position::TopRight => Self::TopRight,
            policy::Position::BottomLeft => Self::BottomLeft,
            policy::Position::BottomRight => Self::BottomRight,
            policy::Position::Center => Self::Center,
        }
    }
}

/// `uploading` until the original has been uploaded and processed; `ready` once renditions
/// exist; `rejected` if the file could not be processed (see `rejection_code` and
/// `rejection_reason`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum PhotoStatus {
    Uploading,
    Ready,
    Rejected,
}

impl From<policy::PhotoStatus> for PhotoStatus {
    fn from(value: policy::PhotoStatus) -> Self {
        match value {
            policy::PhotoStatus::Uploading => Self::Uploading,
            policy::PhotoStatus::Ready => Self::Ready,
            policy::PhotoStatus::Rejected => Self::Rejected,
        }
    }
}

/// `selected`: chosen for the next request, can be unselected; `downloaded`: in an accepted
/// request, paid for, stays for good.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum DownloadState {
    Selected,
    Downloaded,
}

impl From<policy::DownloadState> for DownloadState {
    fn from(value: policy::DownloadState) -> Self {
        match value {
            policy::DownloadState::Selected => Self::Selected,
            policy::DownloadState::Downloaded => Self::Downloaded,
        }
    }
}

/// `queued`: accepted, waiting for the worker; `rendering`: the ZIP is being made; `ready`:
/// `link` downloads it; `failed`: it could not be made (ask again: the photos stay paid for).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum DownloadStatus {
    Queued,
    Rendering,
    Ready,
    Failed,
}

impl From<policy::DownloadStatus> for DownloadStatus {
    fn from(value: policy::DownloadStatus) -> Self {
        match value {
            policy::DownloadStatus::Queued => Self::Queued,
            policy::DownloadStatus::Rendering => Self::Rendering,
            policy::DownloadStatus::Ready => Self::Ready,
            policy::DownloadStatus::Failed => Self::Failed,
        }
    }
}

/// A gallery's watermark, burnt into the watermarked renditions when a photo is ingested
/// (changes apply to photos ingested afterwards).
#[derive(Serialize, ToSchema)]
pub(crate) struct WatermarkSettings {
    mode: WatermarkMode,
    /// The text line; `null` means "© <photographer name>".
    #[schema(required)]
    text: Option<String>,
    position: WatermarkPosition,
    /// 0.1 is faint, 1 is opaque; fainter marks are refused, as they protect nothing.
    #[schema(minimum = 0.1, maximum = 1.0)]
    opacity: f64,
    /// The mark's width as a fraction of the photo's width.
    #[schema(minimum = 0.05, maximum = 1.0)]
    scale: f64,
}

impl From<policy::WatermarkSettings> for WatermarkSettings {
    fn from(value: policy::WatermarkSettings) -> Self {
        let policy::WatermarkSettings {
            mode,
            text,
            position,
            opacity,
            scale,
        } = value;
        Self {
            mode: mode.into(),
            text,
            position: position.into(),
            opacity,
            scale,
        }
    }
}

/// What the link allows, as shown to the client (no secrets).
#[derive(Serialize, ToSchema)]
pub(crate) struct ClientPermissions {
    watermark: bool,
    password_protected: bool,
    downloads_enabled: bool,
    /// `null` when unlimited or when downloads are off.
    #[schema(required)]
    download_limit: Option<u32>,
    /// Empty when downloads are off.
    #[schema(value_type = std::collections::BTreeSet<Resolution>)]
    download_resolutions: Vec<Resolution>,
    downloads_watermarked: bool,
}

impl From<policy::ClientPermissions> for ClientPermissions {
    fn from(value: policy::ClientPermissions) -> Self {
        let policy::ClientPermissions {
            watermark,
            password_protected,
            downloads_enabled,
            download_limit,
            download_resolutions,
            downloads_watermarked,
        } = value;
        Self {
            watermark,
            password_protected,
            downloads_enabled,
            download_limit,
            download_resolutions: download_resolutions.into_iter().map(Into::into).collect(),
            downloads_watermarked,
        }
    }
}

/// The schema of an upload's `upload_headers`: header names to values.
pub(crate) fn upload_headers() -> Object {
    ObjectBuilder::new()
        .additional_properties(Some(ObjectBuilder::new().schema_type(Type::String)))
        .description(Some(
            "Headers the upload must carry exactly as given: they are part of the signature.",
        ))
        .examples([serde_json::json!({
            "content-length": "482113",
            "content-type": "image/jpeg",
        })])
        .build()
}

/// Every content type a photo can have, as its MIME type.
const PHOTO_CONTENT_TYPES: [policy::ContentType; 2] =
    [policy::ContentType::Jpeg, policy::ContentType::Png];

/// The schema of a photo's `content_type`: one of the MIME types the policy accepts.
pub(crate) fn photo_content_type() -> Object {
    // A new content type must be added to the list above before this compiles again.
    let _every_type_is_listed = |t: policy::ContentType| match t {
        policy::ContentType::Jpeg | policy::ContentType::Png => (),
    };
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(PHOTO_CONTENT_TYPES.map(policy::ContentType::mime)))
        .build()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde::de::DeserializeOwned;
    use serde_json::Value;
    use utoipa::PartialSchema;
    use utoipa::openapi::{RefOr, Schema};

    use super::*;

    /// The values a mirrored enum's schema lists.
    fn listed<T: PartialSchema>() -> Vec<Value> {
        match T::schema() {
            RefOr::T(Schema::Object(object)) => object.enum_values.unwrap_or_default(),
            _ => panic!("not a plain enum schema"),
        }
    }

    /// Every value the schema lists is one the policy type reads, and the mirror writes it
    /// back the same; with the exhaustive `From`, the lists are the same.
    fn same_enum<P, M>()
    where
        P: DeserializeOwned + Serialize + Into<M>,
        M: Serialize + PartialSchema,
    {
        let values = listed::<M>();
        assert!(!values.is_empty());
        for value in values {
            let policy: P = serde_json::from_value(value.clone())
                .unwrap_or_else(|e| panic!("{value} is not a policy value: {e}"));
            assert_eq!(serde_json::to_value(&policy).unwrap(), value);
            assert_eq!(serde_json::to_value(policy.into()).unwrap(), value);
        }
    }

    #[test]
    fn mirrored_enums_list_the_policy_values() {
        same_enum::<policy::Resolution, Resolution>();
        same_enum::<policy::WatermarkMode, WatermarkMode>();
        same_enum::<policy::Position, WatermarkPosition>();
        same_enum::<policy::PhotoStatus, PhotoStatus>();
        same_enum::<policy::photo_order::PhotoOrder, PhotoOrder>();
    }

    #[test]
    fn mirrored_structs_write_the_policy_json() {
        let watermark = policy::WatermarkSettings {
            text: Some("© Anna".into()),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(&watermark).unwrap(),
            serde_json::to_value(WatermarkSettings::from(watermark)).unwrap()
        );
        let permissions = policy::ClientPermissions {
            watermark: true,
            password_protected: false,
            downloads_enabled: true,
            download_limit: Some(3),
            download_resolutions: vec![policy::Resolution::Web],
            downloads_watermarked: false,
        };
        assert_eq!(
            serde_json::to_value(&permissions).unwrap(),
            serde_json::to_value(ClientPermissions::from(permissions)).unwrap()
        );
    }

    #[test]
    fn photo_content_types_are_the_ones_uploads_accept() {
        let listed: BTreeSet<String> = photo_content_type()
            .enum_values
            .unwrap()
            .into_iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
        let accepted: BTreeSet<String> = ["image/jpeg", "image/png"]
            .into_iter()
            .map(|raw| policy::ContentType::parse(raw).unwrap().mime().to_owned())
            .collect();
        assert_eq!(listed, accepted);
    }
}
