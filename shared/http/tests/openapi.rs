//! `openapi.json` is generated from the code (`proofsheet_http::openapi`) and committed for users
//! and tools (`tests/generated.rs` checks the committed file is the generated one). These check
//! the generated document is well-formed OpenAPI 3.1.

use std::collections::BTreeSet;

use proofsheet_http::openapi::{document, document_json};
use serde_json::Value;

const HTTP_METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn generated() -> Value {
    serde_json::to_value(document()).expect("the document serializes")
}

#[test]
fn the_document_text_is_stable() {
    assert_eq!(document_json(), document_json());
    assert!(document_json().ends_with("}\n"));
}

/// Every `(pointer, value)` of a JSON tree.
fn walk<'a>(pointer: String, value: &'a Value, out: &mut Vec<(String, &'a Value)>) {
    out.push((pointer.clone(), value));
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let key = key.replace('~', "~0").replace('/', "~1");
                walk(format!("{pointer}/{key}"), child, out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                walk(format!("{pointer}/{i}"), child, out);
            }
        }
        _ => {}
    }
}

fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in HTTP_METHODS {
            if let Some(op) = item.get(*method) {
                found.push((method.to_string(), path.clone(), op));
            }
        }
    }
    found
}

#[test]
fn the_document_is_openapi_3_1() {
    let doc = generated();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    assert!(doc["paths"].as_object().is_some_and(|p| !p.is_empty()));
    let allowed_top: BTreeSet<&str> = [
        "openapi",
        "info",
        "jsonSchemaDialect",
        "servers",
        "paths",
        "webhooks",
        "components",
        "security",
        "tags",
        "externalDocs",
    ]
    .into();
    for key in doc.as_object().unwrap().keys() {
        assert!(
            allowed_top.contains(key.as_str()),
            "unknown top-level key {key}"
        );
    }
}

#[test]
fn every_ref_resolves() {
    let doc = generated();
    let mut nodes = Vec::new();
    walk(String::new(), &doc, &mut nodes);
    let mut refs = 0;
    for (at, node) in &nodes {
        if let Some(reference) = node.get("$ref") {
            refs += 1;
            let reference = reference.as_str().expect("$ref is a string");
            let pointer = reference
                .strip_prefix('#')
                .filter(|p| p.starts_with("/components/"))
                .unwrap_or_else(|| panic!("{at}: $ref {reference} is not a local component"));
            assert!(
                doc.pointer(pointer).is_some(),
                "{at}: $ref {reference} resolves to nothing"
            );
        }
    }
    assert!(refs > 0);
}

#[test]
fn every_component_schema_is_used() {
    let doc = generated();
    let text = serde_json::to_string(&doc["paths"]).unwrap()
        + &serde_json::to_string(&doc["components"]["responses"]).unwrap()
        + &serde_json::to_string(&doc["components"]["schemas"]).unwrap();
    for name in doc["components"]["schemas"].as_object().unwrap().keys() {
        let reference = format!("\"#/components/schemas/{name}\"");
        assert!(text.contains(&reference), "schema {name} is never used");
    }
}

#[test]
fn every_operation_is_complete() {
    let doc = generated();
    let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
    let tags: BTreeSet<&str> = doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    let mut ids = BTreeSet::new();
    for (method, path, op) in operations(&doc) {
        let at = format!("{method} {path}");
        let id = op["operationId"]
            .as_str()
            .unwrap_or_else(|| panic!("{at}: no operationId"));
        assert!(ids.insert(id.to_owned()), "{at}: operationId {id} twice");
        assert!(op["summary"].is_string(), "{at}: no summary");
        for tag in op["tags"]
            .as_array()
            .unwrap_or_else(|| panic!("{at}: no tags"))
        {
            assert!(
                tags.contains(tag.as_str().unwrap()),
                "{at}: undeclared tag {tag}"
            );
        }
        let security = op["security"]
            .as_array()
            .unwrap_or_else(|| panic!("{at}: no security"));
        for requirement in security {
            for scheme in requirement.as_object().unwrap().keys() {
                assert!(
                    schemes.contains_key(scheme),
                    "{at}: unknown scheme {scheme}"
                );
            }
        }
        let responses = op["responses"].as_object().unwrap();
        assert!(!responses.is_empty(), "{at}: no responses");
        assert!(
            // A redirect is the download link's and the log-out form's success.
            responses
                .keys()
                .any(|s| s.starts_with('2') || s.as_str() == "302" || s.as_str() == "303"),
            "{at}: no success response"
        );
        for (status, response) in responses {
            assert!(
                status.len() == 3 && status.parse::<u16>().is_ok_and(|s| (100..600).contains(&s)),
                "{at}: status {status}"
            );
            let response = match response["$ref"].as_str() {
                Some(r) => doc.pointer(r.trim_start_matches('#')).unwrap(),
                None => response,
            };
            assert!(
                response["description"].is_string(),
                "{at} {status}: no description"
            );
            if !status.starts_with('2') && !status.starts_with('3') {
                let schema = &response["content"]["application/json"]["schema"];
                assert!(
                    schema.to_string().contains("#/components/schemas/Error"),
                    "{at} {status}: an error response that is not an Error"
                );
            }
        }
        // A PUT or POST may carry no body when its path names all it does (adding a photo to a
        // set, marking a notification read): then it answers 204 and nothing else succeeds.
        let adds_what_its_path_names = (method == "put" || method == "post")
            && op.get("requestBody").is_none()
            && responses
                .keys()
                .filter(|s| s.starts_with('2'))
                .eq(["204"].iter());
        // A page's form without fields (log out) answers a 303 and takes no body either.
        let fieldless_form = op.get("requestBody").is_none() && responses.contains_key("303");
        if (method == "post" || method == "put" || method == "patch")
            && !adds_what_its_path_names
            && !fieldless_form
        {
            assert!(
                op["requestBody"]["content"]["application/json"]["schema"].is_object(),
                "{at}: no request body schema"
            );
        }
    }
}

#[test]
fn every_object_requires_only_its_properties() {
    let doc = generated();
    let mut nodes = Vec::new();
    walk(String::new(), &doc, &mut nodes);
    for (at, node) in nodes {
        let (Some(required), Some(properties)) = (
            node.get("required").and_then(Value::as_array),
            node.get("properties").and_then(Value::as_object),
        ) else {
            continue;
        };
        for name in required {
            let name = name.as_str().unwrap();
            // An allOf item may narrow a property the other item declares (`field` on 422s).
            let narrowing = at.contains("/allOf/");
            assert!(
                properties.contains_key(name) || narrowing,
                "{at}: requires {name}, which it does not declare"
            );
        }
    }
}
