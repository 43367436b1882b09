//! The route table in `routes.rs` is the source of truth; this test fails as soon as the OpenAPI
//! description, the SAM template or the Lambda binaries disagree with it (a route added, removed
//! or renamed in one place only).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use proofsheet_http::ROUTES;
use serde_json::Value;

/// (method, path, function) triples.
type Routes = BTreeSet<(String, String, String)>;

const HTTP_METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn workspace_file(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn read(relative: &str) -> String {
    let path = workspace_file(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn openapi() -> Value {
    serde_json::from_str(&read("openapi.json")).expect("openapi.json is not valid JSON")
}

fn code_routes() -> Routes {
    ROUTES
        .iter()
        .map(|r| {
            (
                r.method.to_owned(),
                r.path.to_owned(),
                r.function.to_owned(),
            )
        })
        .collect()
}

/// Fails with both one-sided differences listed, so a mismatch says exactly what to fix.
fn assert_same(what: &str, code: &Routes, other: &Routes) {
    let missing: Vec<_> = code.difference(other).collect();
    let extra: Vec<_> = other.difference(code).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{what} disagrees with ROUTES\n  in ROUTES only: {missing:#?}\n  in {what} only: {extra:#?}"
    );
}

/// The functions that serve no route: queue workers and scheduled jobs.
const WORKERS: &[&str] = &[
    "ingest-photo",
    "resend-download-requests",
    "send-expiry-reminders",
    "prepare-downloads",
];

#[test]
fn every_route_is_an_openapi_operation_and_vice_versa() {
    let spec = openapi();
    let paths = spec["paths"]
        .as_object()
        .expect("openapi.json has no paths");
    let mut operations = Routes::new();
    for (path, item) in paths {
        for method in HTTP_METHODS {
            if let Some(op) = item.get(*method) {
                let id = op["operationId"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
                operations.insert((method.to_uppercase(), path.clone(), id.to_owned()));
            }
        }
    }
    assert_same("openapi.json", &code_routes(), &operations);
}

#[test]
fn every_path_placeholder_is_a_declared_path_parameter() {
    let spec = openapi();
    let resolve = |p: &Value| match p["$ref"].as_str() {
        Some(r) => spec
            .pointer(r.trim_start_matches('#'))
            .cloned()
            .unwrap_or(Value::Null),
        None => p.clone(),
    };
    for route in ROUTES {
        let item = &spec["paths"][route.path];
        let op = &item[route.method.to_lowercase()];
        let declared: BTreeSet<String> = [&item["parameters"], &op["parameters"]]
            .into_iter()
            .filter_map(Value::as_array)
            .flatten()
            .map(resolve)
            .filter(|p| p["in"] == "path")
            .filter_map(|p| p["name"].as_str().map(str::to_owned))
            .collect();
        let placeholders: BTreeSet<String> = route
            .path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            .map(str::to_owned)
            .collect();
        assert_eq!(
            declared, placeholders,
            "{} {}: path parameters",
            route.method, route.path
        );
    }
}

#[test]
fn every_ref_resolves_to_a_component() {
    fn collect<'a>(value: &'a Value, refs: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    refs.push(r);
                }
                map.values().for_each(|v| collect(v, refs));
            }
            Value::Array(items) => items.iter().for_each(|v| collect(v, refs)),
            _ => {}
        }
    }
    let spec = openapi();
    let mut refs = Vec::new();
    collect(&spec, &mut refs);
    assert!(!refs.is_empty(), "openapi.json has no $ref at all");
    let broken: BTreeSet<&str> = refs
        .into_iter()
        .filter(|r| {
            !r.starts_with("#/components/") || spec.pointer(r.trim_start_matches('#')).is_none()
        })
        .collect();
    assert!(broken.is_empty(), "unresolved $refs: {broken:#?}");
}

/// What the SAM template declares: each function resource's `Binary` and its HttpApi events.
struct TemplateFunction {
    binary: Option<String>,
    /// (method, path) of each HttpApi event.
    events: Vec<(Option<String>, Option<String>)>,
}

/// The template uses CloudFormation tags (`!Ref`, `!Sub`, `!GetAtt`, …) that a generic YAML
/// parser refuses without custom tag handling, so this scans lines instead: a resource is a
/// two-space-indented key under `Resources:`, and within it `Binary:`, `Type: HttpApi`,
/// `Method:` and `Path:` are recognised by their keys. That is all the structure needed here,
/// and the template's layout (one key per line) is what `sam` and humans write anyway.
fn template_functions(text: &str) -> Vec<(String, TemplateFunction)> {
    let mut in_resources = false;
    let mut functions = Vec::new();
    let mut current: Option<(String, TemplateFunction)> = None;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if indent == 0 {
            in_resources = trimmed == "Resources:";
            functions.extend(current.take());
            continue;
        }
        if !in_resources {
            continue;
        }
        if indent == 2 {
            functions.extend(current.take());
            let name = trimmed.trim_end_matches(':').to_owned();
            current = Some((
                name,
                TemplateFunction {
                    binary: None,
                    events: Vec::new(),
                },
            ));
            continue;
        }
        let Some((_, function)) = current.as_mut() else {
            continue;
        };
        let Some((key, value)) = trimmed.split_once(':') else {
            continue;
        };
        let value = value.trim().trim_matches('"').trim_matches('\'').to_owned();
        match key {
            "Binary" => function.binary = Some(value),
            "Type" if value == "HttpApi" => function.events.push((None, None)),
            "Method" => {
                if let Some(event) = function.events.last_mut() {
                    event.0 = Some(value.to_uppercase());
                }
            }
            "Path" => {
                if let Some(event) = function.events.last_mut() {
                    event.1 = Some(value);
                }
            }
            _ => {}
        }
    }
    functions.extend(current);
    functions
}

/// The template's HttpApi events as (method, path, binary), and all its binaries.
fn template_routes(text: &str) -> (Routes, BTreeSet<String>) {
    let mut events = Routes::new();
    let mut binaries = BTreeSet::new();
    for (resource, function) in template_functions(text) {
        if let Some(binary) = &function.binary {
            binaries.insert(binary.clone());
        }
        for event in &function.events {
            let (Some(method), Some(path)) = event else {
                panic!("{resource}: an HttpApi event without Method or Path: {event:?}");
            };
            let binary = function
                .binary
                .clone()
                .unwrap_or_else(|| panic!("{resource} has an HttpApi event but no Binary"));
            events.insert((method.clone(), path.clone(), binary));
        }
    }
    (events, binaries)
}

#[test]
fn every_route_is_a_template_function_with_its_http_event_and_vice_versa() {
    let (events, binaries) = template_routes(&read("../../infra/template.yaml"));
    assert_same("infra/template.yaml", &code_routes(), &events);
    for worker in WORKERS {
        assert!(
            binaries.contains(*worker),
            "infra/template.yaml has no function with Binary: {worker}"
        );
    }
}

/// The line scan must notice a changed path, method or binary, not just parse the happy case.
#[test]
fn the_template_scan_sees_edits() {
    let text = read("../../infra/template.yaml");
    let (events, _) = template_routes(&text);
    for (from, to) in [
        ("Path: /watermark-logo", "Path: /watermark-logos"),
        ("Method: PATCH", "Method: PUT"),
        ("Binary: view-gallery", "Binary: show-gallery"),
    ] {
        assert!(text.contains(from), "the template no longer has {from:?}");
        let (edited, _) = template_routes(&text.replacen(from, to, 1));
        assert_ne!(events, edited, "editing {from:?} went unnoticed");
    }
}

#[test]
fn every_function_has_its_binary_and_every_binary_a_function() {
    let bin_dir = workspace_file("../../functions/src/bin");
    let on_disk: BTreeSet<String> = std::fs::read_dir(&bin_dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", bin_dir.display()))
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".rs").map(str::to_owned)
        })
        .collect();
    let expected: BTreeSet<String> = ROUTES
        .iter()
        .map(|r| r.function.to_owned())
        .chain(WORKERS.iter().map(|w| (*w).to_owned()))
        .collect();
    let missing: Vec<_> = expected.difference(&on_disk).collect();
    let extra: Vec<_> = on_disk.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "functions/src/bin disagrees with ROUTES (+ the workers)\n  missing: {missing:?}\n  without a route: {extra:?}"
    );
    // What each route's binary holds is generated (tests/generated.rs checks it).
}
