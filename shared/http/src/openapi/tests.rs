//! The generated document against the routes, the handlers and the error mapping.

use std::collections::BTreeSet;

use lambda_http::Body;
use proofsheet_policy::{
    AccessSettings, GalleryRules, PasswordHash, PersonName, SessionClaims, Title, UploadRequest,
    WatermarkSettings, WatermarkUpdate,
};
use proofsheet_store::{Conflict, StoreError};
use serde_json::{Value, json};

use super::*;

fn doc() -> Value {
    serde_json::to_value(document()).unwrap()
}

fn property<'a>(doc: &'a Value, schema: &str, field: &str) -> &'a Value {
    let found = &doc["components"]["schemas"][schema]["properties"][field];
    assert!(found.is_object(), "no property {schema}.{field}");
    found
}

/// Every error code some response of the document lists.
fn documented_codes(doc: &Value) -> BTreeSet<String> {
    fn collect(value: &Value, codes: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                if let Some(list) = map
                    .get("properties")
                    .and_then(|p| p.get("error"))
                    .and_then(|e| e.get("enum"))
                    .and_then(Value::as_array)
                {
                    codes.extend(list.iter().filter_map(Value::as_str).map(str::to_owned));
                }
                map.values().for_each(|v| collect(v, codes));
            }
            Value::Array(items) => items.iter().for_each(|v| collect(v, codes)),
            _ => {}
        }
    }
    let mut codes = BTreeSet::new();
    collect(doc, &mut codes);
    codes
}

#[test]
fn every_route_is_an_operation_with_its_function_as_id() {
    let doc = doc();
    for spec in ROUTES {
        let op = &doc["paths"][spec.path][spec.method.to_lowercase()];
        assert_eq!(
            op["operationId"], spec.function,
            "{} {}",
            spec.method, spec.path
        );
    }
}

#[test]
fn the_error_schema_is_the_body_errors_have() {
    let doc = doc();
    let schema = &doc["components"]["schemas"]["Error"];
    let declared: BTreeSet<&str> = schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let required: BTreeSet<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    let samples = [
        ApiError::BadJson("x".into()),
        Invalid::new("title", "must not be empty").into(),
        ApiError::Unauthorized,
        ApiError::TooManyAttempts {
            retry_after_secs: 3,
        },
        ApiError::NotFound,
        StoreError::Conflict(Conflict::SlugTaken).into(),
        ApiError::Internal("x".into()),
    ];
    for error in samples {
        let invalid = matches!(error, ApiError::Invalid(_));
        let Body::Text(text) = error.into_response().into_body() else {
            panic!("an error body is text");
        };
        let body: Value = serde_json::from_str(&text).unwrap();
        let keys: BTreeSet<&str> = body
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert!(
            keys.is_subset(&declared),
            "{keys:?} not all in {declared:?}"
        );
        assert!(
            required.is_subset(&keys),
            "{keys:?} lacks some of {required:?}"
        );
        assert_eq!(keys.contains("field"), invalid, "{body}");
    }
}

/// Conflict codes the handlers write as literals must each be documented somewhere.
#[test]
fn every_conflict_code_is_documented() {
    let documented = documented_codes(&doc());
    let missing: Vec<_> = crate::ConflictCode::HANDLERS_OWN
        .iter()
        .map(|code| code.as_str())
        .filter(|code| !documented.contains(*code))
        .collect();
    assert!(
        missing.is_empty(),
        "undocumented conflict codes: {missing:?}"
    );
}

#[test]
fn documented_error_codes_are_the_errors_own() {
    let documented = documented_codes(&doc());
    for error in [
        ApiError::BadJson(String::new()),
        ApiError::Unauthorized,
        ApiError::PasswordRequired,
        ApiError::WrongPassword,
        ApiError::TooManyAttempts {
            retry_after_secs: 1,
        },
        ApiError::NotFound,
        ApiError::Internal(String::new()),
        Invalid::new("x", "y").into(),
    ] {
        let (_, code) = error.status_and_code();
        assert!(documented.contains(code), "{code} is documented nowhere");
    }
}

fn number(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn length(v: &Value) -> usize {
    v.as_u64().unwrap_or_else(|| panic!("not a length: {v}")) as usize
}

/// The gallery bounds the document states are the policy's.
#[test]
fn documented_gallery_limits_are_the_policys() {
    let doc = doc();
    for schema in ["Gallery", "GalleryCreate", "GalleryUpdate"] {
        let title = property(&doc, schema, "title");
        assert_eq!(title["maxLength"], json!(Title::MAX_CHARS), "{schema}");
        assert!(Title::parse(&"t".repeat(Title::MAX_CHARS)).is_ok());
        assert!(Title::parse(&"t".repeat(Title::MAX_CHARS + 1)).is_err());
    }
    let parent = property(&doc, "GalleryCreate", "parent_id")["description"].to_string();
    assert!(parent.contains(&format!("at most {} levels", GalleryRules::MAX_LEVELS)));
}

/// The watermark bounds the document states are the ones `WatermarkSettings::apply` keeps.
#[test]
fn documented_watermark_limits_are_the_policys() {
    let doc = doc();
    let base = WatermarkSettings::default();
    let apply = |update: WatermarkUpdate| base.apply(update).is_ok();
    for schema in ["WatermarkSettings", "WatermarkUpdate"] {
        let opacity = property(&doc, schema, "opacity");
        let min = number(&opacity["minimum"]);
        assert_eq!(min, WatermarkSettings::MIN_OPACITY);
        assert!(apply(WatermarkUpdate {
            opacity: Some(min),
            ..Default::default()
        }));
        assert!(!apply(WatermarkUpdate {
            opacity: Some(min - 0.01),
            ..Default::default()
        }));
        let scale = property(&doc, schema, "scale");
        let (min, max) = (number(&scale["minimum"]), number(&scale["maximum"]));
        for (value, ok) in [
            (min, true),
            (max, true),
            (min - 0.01, false),
            (max + 0.01, false),
        ] {
            let update = WatermarkUpdate {
                scale: Some(value),
                ..Default::default()
            };
            assert_eq!(apply(update), ok, "{schema}.scale = {value}");
        }
    }
    let text = property(&doc, "WatermarkUpdate", "text");
    let max = length(&text["maxLength"]);
    for (chars, ok) in [(max, true), (max + 1, false)] {
        let update = WatermarkUpdate {
            text: Some(Some("w".repeat(chars))),
            ..Default::default()
        };
        assert_eq!(apply(update), ok, "watermark text of {chars}");
    }
}

/// The access bounds the document states (limits, passwords, names, logos, sessions) are the
/// policy's.
#[test]
fn documented_access_limits_are_the_policys() {
    let doc = doc();
    for (schema, field) in [
        ("AccessSettings", "download_limit"),
        ("AccessSettingsInput", "download_limit"),
        ("PrivateGrantCreate", "download_limit"),
    ] {
        let limit = property(&doc, schema, field);
        assert_eq!(
            limit["maximum"],
            json!(AccessSettings::MAX_DOWNLOAD_LIMIT),
            "{schema}"
        );
    }
    let password = property(&doc, "AccessSettingsInput", "password");
    let (min, max) = (
        length(&password["minLength"]),
        length(&password["maxLength"]),
    );
    for (chars, ok) in [(min - 1, false), (min, true), (max, true), (max + 1, false)] {
        let result = PasswordHash::check_plaintext(&"p".repeat(chars));
        assert_eq!(result.is_ok(), ok, "password of {chars}");
    }
    let name = property(&doc, "PrivateGrantCreate", "name");
    let max = length(&name["maxLength"]);
    assert!(PersonName::parse(&"n".repeat(max)).is_ok());
    assert!(PersonName::parse(&"n".repeat(max + 1)).is_err());

    let logo = property(&doc, "LogoUploadRequest", "size");
    assert_eq!(logo["maximum"], json!(UploadRequest::MAX_LOGO_BYTES));

    let session = property(&doc, "Session", "expires_at")["description"].to_string();
    let hours = SessionClaims::DEFAULT_TTL_SECS / 3600;
    assert!(session.contains(&format!("{hours} hours")), "{session}");
}

/// The path and query patterns the document states match what the API gives out: cursors (the
/// longest one too) and link tokens.
#[test]
fn documented_patterns_match_what_the_api_gives_out() {
    let doc = doc();
    let pattern = |path: &str, method: &str, name: &str| {
        let parameters = [
            &doc["paths"][path]["parameters"],
            &doc["paths"][path][method]["parameters"],
        ];
        let found = parameters
            .into_iter()
            .filter_map(Value::as_array)
            .flatten()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{method} {path}: no parameter {name}"));
        found["schema"]["pattern"].as_str().unwrap().to_owned()
    };
    // Both patterns are base64url of a length or a range: `^[A-Za-z0-9_-]{N}$`, `{M,N}`.
    let matches = |pattern: &str, value: &str| {
        let lengths = pattern
            .strip_prefix("^[A-Za-z0-9_-]{")
            .and_then(|rest| rest.strip_suffix("}$"))
            .unwrap_or_else(|| panic!("not a base64url pattern: {pattern}"));
        let (min, max): (usize, usize) = match lengths.split_once(',') {
            Some((min, max)) => (min.parse().unwrap(), max.parse().unwrap()),
            None => (lengths.parse().unwrap(), lengths.parse().unwrap()),
        };
        let base64url = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        (min..=max).contains(&value.len()) && value.chars().all(base64url)
    };
    let photo = proofsheet_policy::PhotoId::from_uuid(uuid::Uuid::max());
    let cursor = proofsheet_policy::cursor_after(photo);
    assert!(
        matches(&pattern("/g/{token}", "get", "cursor"), &cursor),
        "{cursor}"
    );
    // The longest: a file-name order's key at its cap.
    let long = proofsheet_policy::paging::Cursor::Indexed {
        order: proofsheet_policy::paging::IndexedOrder::Filename,
        key: format!("{} {}", "9".repeat(900), uuid::Uuid::max()),
    };
    let long = proofsheet_policy::cursor_after(long);
    assert!(
        matches(&pattern("/g/{token}", "get", "cursor"), &long),
        "{} characters",
        long.len()
    );
    let token = proofsheet_policy::LinkToken {
        grant_id: proofsheet_policy::GrantId::from_uuid(uuid::Uuid::max()),
        verifier: [0xff; 32],
    }
    .encode();
    assert!(
        matches(&pattern("/g/{token}", "get", "token"), &token),
        "{token}"
    );
}

/// A value of the schema's type, for building bodies.
fn sample(doc: &Value, schema: &Value) -> Value {
    if let Some(reference) = schema["$ref"].as_str() {
        return sample(doc, doc.pointer(reference.trim_start_matches('#')).unwrap());
    }
    if let Some(first) = schema["enum"].get(0) {
        return first.clone();
    }
    let kind = match &schema["type"] {
        Value::Array(kinds) => kinds[0].clone(),
        kind => kind.clone(),
    };
    match kind.as_str() {
        Some("string") => json!("x"),
        Some("integer") => json!(1),
        Some("number") => json!(0.5),
        Some("boolean") => json!(true),
        Some("array") => json!([]),
        Some("object") => json!({}),
        other => panic!("no sample for type {other:?}"),
    }
}

/// What the schema of `T` says about absent fields, `null` and unknown fields is what `T`'s
/// deserializer does (the `present` fields: absent keeps, `null` clears or is refused).
fn reads_as_documented<T: serde::de::DeserializeOwned + ToSchema>() {
    let doc = doc();
    let name = T::name();
    let schema = &doc["components"]["schemas"][name.as_ref()];
    let properties = schema["properties"].as_object().unwrap();
    let required: BTreeSet<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().map(|v| v.as_str().unwrap()).collect())
        .unwrap_or_default();
    let base: serde_json::Map<String, Value> = required
        .iter()
        .map(|field| (field.to_string(), sample(&doc, &properties[*field])))
        .collect();
    let reads = |body: &serde_json::Map<String, Value>| {
        serde_json::from_value::<T>(Value::Object(body.clone())).is_ok()
    };
    assert!(reads(&base), "{name}: {base:?} is refused");
    for (field, property) in properties {
        let nullable = property["type"]
            .as_array()
            .is_some_and(|kinds| kinds.contains(&json!("null")));
        let mut with_null = base.clone();
        with_null.insert(field.clone(), Value::Null);
        assert_eq!(reads(&with_null), nullable, "{name}.{field}: null");
        let mut with_value = base.clone();
        with_value.insert(field.clone(), sample(&doc, property));
        assert!(reads(&with_value), "{name}.{field}: {with_value:?}");
        if required.contains(field.as_str()) {
            let mut without = base.clone();
            without.remove(field);
            assert!(
                !reads(&without),
                "{name}.{field} is required but may be absent"
            );
        }
    }
    let mut unknown = base.clone();
    unknown.insert("no_such_field".into(), json!(1));
    assert_eq!(
        reads(&unknown),
        schema["additionalProperties"] != json!(false),
        "{name}: unknown fields"
    );
}

#[test]
fn request_schemas_read_as_the_handlers_read() {
    use crate::handlers::client::Unlock;
    use crate::handlers::photographer::galleries::{CreateGallery, UpdateGallery, WatermarkInput};
    use crate::handlers::photographer::photos::{CreateLogoUpload, CreateUpload};
    reads_as_documented::<CreateGallery>();
    reads_as_documented::<UpdateGallery>();
    reads_as_documented::<WatermarkInput>();
    reads_as_documented::<CreateUpload>();
    reads_as_documented::<CreateLogoUpload>();
    reads_as_documented::<SettingsInput>();
    reads_as_documented::<Unlock>();
}

#[test]
fn request_bodies_refuse_unknown_fields_as_the_handlers_do() {
    let doc = doc();
    for (method, path, op) in ROUTES.iter().map(|s| {
        (
            s.method,
            s.path,
            &doc["paths"][s.path][s.method.to_lowercase()],
        )
    }) {
        let Some(reference) = op["requestBody"]["content"][JSON]["schema"]["$ref"].as_str() else {
            continue;
        };
        let schema = doc.pointer(reference.trim_start_matches('#')).unwrap();
        assert_eq!(
            schema["additionalProperties"],
            json!(false),
            "{method} {path}: {reference}"
        );
    }
}
