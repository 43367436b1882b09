//! The API's OpenAPI 3.1 description, generated from the code: paths, methods, operation ids and
//! authentication from the route table ([`ROUTES`]), bodies from the request and view types (their
//! `ToSchema` derives and doc comments), error statuses and codes from [`ApiError`] itself. What
//! the code cannot say (summaries, descriptions, query parameters, which refusals a route makes)
//! is written next to each handler, in its module's `doc`, in the words of `describe.rs`.
//!
//! `shared/http/openapi.json` is this document, committed for users and tools; a test fails when
//! the two differ. Regenerate it with
//! `UPDATE_GENERATED=1 cargo test -p proofsheet-http --test generated`.

mod bodies;
pub(crate) mod describe;
pub(crate) mod values;

use std::collections::BTreeMap;

use proofsheet_policy::Invalid;
use utoipa::ToSchema;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{
    HttpMethod, Operation, OperationBuilder, Parameter, ParameterBuilder, ParameterIn,
};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{AdditionalProperties, ArrayItems};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::server::ServerBuilder;
use utoipa::openapi::tag::TagBuilder;
use utoipa::openapi::{
    AllOfBuilder, ComponentsBuilder, Content, InfoBuilder, LicenseBuilder, Object, ObjectBuilder,
    OpenApi, OpenApiBuilder, Paths, Ref, RefOr, Required, Response, ResponseBuilder, Responses,
    Schema, Type,
};

use crate::handlers::photographer::access::SettingsInput;
use crate::{ApiError, Audience, ROUTES, Route, RouteSpec};
use bodies::ErrorBody;
use describe::{Described, OperationDoc, Refusal, Tag};

const DESCRIPTION: &str = "Proofsheet is a serverless photo-gallery backend for photographers. \
    Photographers (authenticated by API key) create galleries, upload photos through presigned \
    S3 URLs and share them: one general link per gallery, plus personal links per client, each \
    with its own watermark, password and download settings. Clients open links at `/g/{token}`; \
    a password-protected link is first unlocked for a session. Long-term clients get a client \
    login: an access code for the photographer's login page (`/p/{slug}`) that opens every \
    gallery released to them.";

const JSON: &str = "application/json";
const API_KEY: &str = "apiKey";
const CLIENT_SESSION: &str = "clientSession";
const LOGIN_SESSION: &str = "loginSession";

/// The description of the API as the code defines it.
pub fn document() -> OpenApi {
    let mut schemas = Schemas::default();
    let shared = SharedRefusal::ALL.map(|refusal| (refusal, refusal.response(&mut schemas)));

    let mut paths = Paths::new();
    for spec in ROUTES {
        let operation = operation(spec, spec.route.describe(), &mut schemas);
        paths.add_path_operation(spec.path, vec![http_method(spec.method)], operation);
    }
    for (path, item) in &mut paths.paths {
        let parameters: Vec<Parameter> = placeholders(path).map(path_parameter).collect();
        item.parameters = (!parameters.is_empty()).then_some(parameters);
    }

    let mut components = ComponentsBuilder::new()
        .security_scheme(
            API_KEY,
            bearer("The photographer's API key: `Authorization: Bearer <key>`."),
        )
        .security_scheme(
            CLIENT_SESSION,
            bearer(&format!(
                "A client session from {}: `Authorization: Bearer <session>`. Needed only for \
                 password-protected links.",
                route_name(Route::UnlockGallery)
            )),
        )
        .security_scheme(
            LOGIN_SESSION,
            bearer(&format!(
                "A client login's session from {}: `Authorization: Bearer <session>`.",
                route_name(Route::LogIn)
            )),
        );
    for (refusal, response) in shared {
        components = components.response(refusal.name(), response);
    }
    for (name, schema) in schemas.0 {
        components = components.schema(name, schema);
    }

    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Proofsheet API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(format!(
                    "{DESCRIPTION}\n\nEvery error is JSON `{{\"error\": code, \"message\": \
                     text}}` (plus `field` on {invalid}). An unknown method or path is a \
                     {no_route}. Responses carry `Cache-Control: no-store`.",
                    invalid = ApiError::from(Invalid::new("field", ""))
                        .status_and_code()
                        .0,
                    no_route = status_and_code(&ApiError::NoRoute),
                )))
                .license(Some(
                    LicenseBuilder::new()
                        .name(env!("CARGO_PKG_LICENSE"))
                        .identifier(Some(env!("CARGO_PKG_LICENSE")))
                        .build(),
                ))
                .build(),
        )
        .servers(Some([ServerBuilder::new()
            .url("http://127.0.0.1:3000")
            .description(Some(
                "Local runner (`scripts/dev`); in AWS, the stack's `ApiUrl` output.",
            ))
            .build()]))
        .security(Some([SecurityRequirement::new(API_KEY, [""; 0])]))
        .tags(Some(Tag::ALL.map(|tag| {
            TagBuilder::new()
                .name(tag.name())
                .description(Some(tag.description()))
                .build()
        })))
        .paths(paths)
        .components(Some(components.build()))
        .build()
}

/// [`document`] as the committed file holds it: pretty-printed JSON with a final newline.
pub fn document_json() -> String {
    let mut text = serde_json::to_string_pretty(&document())
        .unwrap_or_else(|e| unreachable!("an OpenAPI document always serializes: {e}"));
    text.push('\n');
    text
}

/// The component schemas the operations refer to, by name.
#[derive(Default)]
pub(crate) struct Schemas(BTreeMap<String, RefOr<Schema>>);

impl Schemas {
    fn add(&mut self, name: String, mut schema: RefOr<Schema>) {
        unwrap_descriptions(&mut schema);
        if let Some(existing) = self.0.get(&name) {
            assert!(
                *existing == schema,
                "two different types are both named {name} in the OpenAPI components"
            );
        }
        self.0.insert(name, schema);
    }

    /// `T` and every schema it refers to, as a reference to `T`.
    pub(crate) fn body<T: ToSchema>(&mut self) -> RefOr<Schema> {
        let mut referred = Vec::new();
        T::schemas(&mut referred);
        for (name, schema) in referred {
            self.add(name, schema);
        }
        self.add(T::name().into_owned(), T::schema());
        Ref::from_schema_name(T::name()).into()
    }

    pub(crate) fn private_grant_create(&mut self) -> RefOr<Schema> {
        let mut referred = Vec::new();
        SettingsInput::schemas(&mut referred);
        for (name, schema) in referred {
            self.add(name, schema);
        }
        let name = "PrivateGrantCreate";
        self.add(name.into(), bodies::private_grant_create().into());
        Ref::from_schema_name(name).into()
    }

    pub(crate) fn release_input(&mut self) -> RefOr<Schema> {
        let mut referred = Vec::new();
        SettingsInput::schemas(&mut referred);
        for (name, schema) in referred {
            self.add(name, schema);
        }
        let name = "ReleaseInput";
        self.add(name.into(), bodies::release_input().into());
        Ref::from_schema_name(name).into()
    }
}

/// Doc comments wrap at the code's line width; descriptions should not. A single line break
/// becomes a space; paragraphs stay apart.
fn unwrapped(text: &str) -> String {
    text.split("\n\n")
        .map(|paragraph| {
            paragraph
                .lines()
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn unwrap_description(description: &mut Option<String>) {
    if let Some(text) = description {
        *text = unwrapped(text);
    }
}

/// Unwraps every description in a schema, however deep.
fn unwrap_descriptions(schema: &mut RefOr<Schema>) {
    let schema = match schema {
        RefOr::Ref(reference) => {
            reference.description = unwrapped(&reference.description);
            return;
        }
        RefOr::T(schema) => schema,
    };
    match schema {
        Schema::Object(object) => {
            unwrap_description(&mut object.description);
            object.properties.values_mut().for_each(unwrap_descriptions);
            if let Some(AdditionalProperties::RefOr(values)) =
                object.additional_properties.as_deref_mut()
            {
                unwrap_descriptions(values);
            }
        }
        Schema::Array(array) => {
            unwrap_description(&mut array.description);
            if let ArrayItems::RefOrSchema(items) = &mut array.items {
                unwrap_descriptions(items);
            }
        }
        Schema::AllOf(all) => {
            unwrap_description(&mut all.description);
            all.items.iter_mut().for_each(unwrap_descriptions);
        }
        Schema::OneOf(one) => {
            unwrap_description(&mut one.description);
            one.items.iter_mut().for_each(unwrap_descriptions);
        }
        Schema::AnyOf(any) => {
            unwrap_description(&mut any.description);
            any.items.iter_mut().for_each(unwrap_descriptions);
        }
        _ => {}
    }
}

/// How documents name a route: `POST /g/{token}/unlock`.
pub(crate) fn route_name(route: Route) -> String {
    let spec = route.spec();
    format!("`{} {}`", spec.method, spec.path)
}

/// `404 no_route`, as the description of the API names errors.
fn status_and_code(error: &ApiError) -> String {
    let (status, code) = error.status_and_code();
    format!("{status} `{code}`")
}

fn bearer(description: &str) -> SecurityScheme {
    SecurityScheme::Http(
        HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(description))
            .build(),
    )
}

fn http_method(method: &str) -> HttpMethod {
    match method {
        "GET" => HttpMethod::Get,
        "POST" => HttpMethod::Post,
        "PUT" => HttpMethod::Put,
        "PATCH" => HttpMethod::Patch,
        "DELETE" => HttpMethod::Delete,
        "HEAD" => HttpMethod::Head,
        "OPTIONS" => HttpMethod::Options,
        other => panic!("the route table has a method OpenAPI does not know: {other}"),
    }
}

/// The `{name}` placeholders of a path template, in order.
fn placeholders(path: &str) -> impl Iterator<Item = &str> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
}

pub(crate) fn string_schema() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

pub(crate) fn uuid_schema() -> Object {
    string_schema()
        .format(Some(utoipa::openapi::SchemaFormat::Custom("uuid".into())))
        .build()
}

/// A path placeholder as a parameter. Every placeholder the route table uses is described here;
/// a new one fails the generator (and so the tests) until it is.
fn path_parameter(name: &str) -> Parameter {
    let (description, schema) = match name {
        "gallery_id" => (
            Some(
                "A gallery of the caller's. Another photographer's gallery, or a malformed id, \
                 is a 404.",
            ),
            uuid_schema(),
        ),
        "photo_id" => (None, uuid_schema()),
        "request_id" => (
            Some("A download request of this link (another link's is a 404)."),
            uuid_schema(),
        ),
        "grant_id" => (
            Some(
                "A private grant of this gallery (the general link's grant is not addressable \
                 here).",
            ),
            uuid_schema(),
        ),
        "token" => (
            Some(
                "The share token from a link: 64 base64url characters (grant id and verifier). \
                 Malformed, forged and revoked tokens are all 404.",
            ),
            string_schema()
                .min_length(Some(64))
                .max_length(Some(64))
                .pattern(Some("^[A-Za-z0-9_-]{64}$"))
                .build(),
        ),
        "notification_id" => (
            Some("One of the caller's notifications (another photographer's is a 404)."),
            uuid_schema(),
        ),
        "login_id" => (
            Some("A client login of the caller's (another photographer's is a 404)."),
            uuid_schema(),
        ),
        "slug" => (
            Some(
                "The photographer's login-page name (`GET /account`'s `slug`). Logging in on an \
                 unknown one is answered like a wrong code.",
            ),
            string_schema()
                .min_length(Some(3))
                .max_length(Some(40))
                .pattern(Some("^[a-z0-9][a-z0-9-]*[a-z0-9]$"))
                .build(),
        ),
        "file" => (
            Some("A file name as the pages link it: `<name>.<content hash>.<extension>`."),
            string_schema().max_length(Some(100)).build(),
        ),
        other => panic!("describe the path parameter {other} in openapi::path_parameter"),
    };
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .description(description)
        .schema(Some(schema))
        .build()
}

/// `limit` and `cursor`, for the routes that answer a page of photos.
fn page_parameters() -> [Parameter; 2] {
    use crate::handlers::{PHOTO_CURSOR, PHOTO_LIMIT};
    [PHOTO_LIMIT.doc(), PHOTO_CURSOR.doc()]
}

fn security(spec: &RouteSpec) -> Vec<SecurityRequirement> {
    match spec.route {
        // The login page takes the code in its body; the overview needs the login's session.
        Route::LogIn => return vec![SecurityRequirement::default()],
        Route::MyGalleries => return vec![SecurityRequirement::new(LOGIN_SESSION, [""; 0])],
        _ => {}
    }
    match spec.audience {
        Audience::Photographer => vec![SecurityRequirement::new(API_KEY, [""; 0])],
        // The token in the path is the capability; a session is needed only behind a password.
        Audience::Client => vec![
            SecurityRequirement::default(),
            SecurityRequirement::new(CLIENT_SESSION, [""; 0]),
        ],
    }
}

fn operation(spec: &RouteSpec, described: Described, schemas: &mut Schemas) -> Operation {
    let Described {
        doc,
        also,
        parameters,
    } = described;
    let mut responses = BTreeMap::<String, RefOr<Response>>::new();
    for success in std::iter::once(&doc.success).chain(&also) {
        let mut ok = ResponseBuilder::new().description(success.description);
        if let Some(body) = success.body {
            ok = ok
                .header(
                    "Cache-Control",
                    HeaderBuilder::new()
                        .schema(string_schema().enum_values(Some(["no-store"])).build())
                        .description(Some("Always `no-store`."))
                        .build(),
                )
                .content(JSON, Content::new(Some(body(schemas))));
        }
        responses.insert(success.status.to_string(), ok.build().into());
    }

    for refusal in SharedRefusal::ALL {
        if refusal.applies(spec, &doc) {
            let status = refusal.sample().status_and_code().0.to_string();
            let reference = Ref::new(format!("#/components/responses/{}", refusal.name()));
            let earlier = responses.insert(status.clone(), reference.into());
            assert!(
                earlier.is_none(),
                "{}: two {status} responses",
                spec.function
            );
        }
    }
    for refusal in &doc.refusals {
        let (status, response) = particular_response(refusal, schemas);
        let earlier = responses.insert(status.to_string(), response.into());
        assert!(
            earlier.is_none(),
            "{}: two {status} responses",
            spec.function
        );
    }

    let mut operation = OperationBuilder::new()
        .tag(doc.tag.name())
        .summary(Some(doc.summary))
        .description(doc.description)
        .operation_id(Some(spec.function))
        .securities(Some(security(spec)))
        .responses(Responses::from_iter(responses));
    if doc.paged {
        operation = operation.parameters(Some(page_parameters()));
    }
    if !parameters.is_empty() {
        operation = operation.parameters(Some(parameters));
    }
    if let Some(body) = doc.request {
        operation = operation.request_body(Some(
            RequestBodyBuilder::new()
                .required(Some(Required::True))
                .content(JSON, Content::new(Some(body(schemas))))
                .build(),
        ));
    }
    operation.build()
}

/// The error body, its `error` narrowed to these codes.
fn error_schema(codes: &[&str], schemas: &mut Schemas, field_required: bool) -> Schema {
    let mut narrowed = ObjectBuilder::new().property(
        "error",
        string_schema().enum_values(Some(codes.iter().copied())),
    );
    if field_required {
        narrowed = narrowed.required("field");
    }
    AllOfBuilder::new()
        .item(schemas.body::<ErrorBody>())
        .item(narrowed)
        .build()
        .into()
}

fn error_response(
    description: &str,
    errors: &[ApiError],
    schemas: &mut Schemas,
) -> (u16, Response) {
    let (status, _) = errors[0].status_and_code();
    let mut codes = Vec::new();
    for error in errors {
        let (other, code) = error.status_and_code();
        assert_eq!(other, status, "{code} is not a {status}: describe it apart");
        codes.push(code);
    }
    let field_required = errors.iter().all(|e| matches!(e, ApiError::Invalid(_)));
    let mut response = ResponseBuilder::new().description(description).content(
        JSON,
        Content::new(Some(error_schema(&codes, schemas, field_required))),
    );
    if errors
        .iter()
        .any(|e| matches!(e, ApiError::TooManyAttempts { .. }))
    {
        response = response.header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(
                    ObjectBuilder::new()
                        .schema_type(Type::Integer)
                        .minimum(Some(1)),
                )
                .description(Some("Seconds until the next password try is allowed."))
                .build(),
        );
    }
    (status, response.build())
}

fn particular_response(refusal: &Refusal, schemas: &mut Schemas) -> (u16, Response) {
    error_response(refusal.description, &refusal.errors, schemas)
}

/// Refusals many routes share, described once under `components/responses` and added to a route
/// from what the route is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SharedRefusal {
    InvalidJson,
    Unauthorized,
    NotFound,
    InvalidRequest,
    Internal,
}

impl SharedRefusal {
    const ALL: [SharedRefusal; 5] = [
        SharedRefusal::InvalidJson,
        SharedRefusal::Unauthorized,
        SharedRefusal::NotFound,
        SharedRefusal::InvalidRequest,
        SharedRefusal::Internal,
    ];

    fn name(self) -> &'static str {
        match self {
            SharedRefusal::InvalidJson => "InvalidJson",
            SharedRefusal::Unauthorized => "Unauthorized",
            SharedRefusal::NotFound => "NotFound",
            SharedRefusal::InvalidRequest => "InvalidRequest",
            SharedRefusal::Internal => "Internal",
        }
    }

    fn sample(self) -> ApiError {
        match self {
            SharedRefusal::InvalidJson => ApiError::BadJson(String::new()),
            SharedRefusal::Unauthorized => ApiError::Unauthorized,
            SharedRefusal::NotFound => ApiError::NotFound,
            SharedRefusal::InvalidRequest => Invalid::new("field", "").into(),
            SharedRefusal::Internal => ApiError::Internal(String::new()),
        }
    }

    fn description(self) -> &'static str {
        match self {
            SharedRefusal::InvalidJson => {
                "The body is missing, is not JSON, has the wrong types, or has unknown fields."
            }
            SharedRefusal::Unauthorized => {
                "No valid photographer API key (`Authorization: Bearer <key>`)."
            }
            SharedRefusal::NotFound => "No such resource (or it belongs to another photographer).",
            SharedRefusal::InvalidRequest => {
                "The JSON is well-formed but a value breaks a rule; `field` names it."
            }
            SharedRefusal::Internal => "Unexpected failure; details are logged, never returned.",
        }
    }

    /// Whether a route can answer this: every route that reads a body refuses bad JSON, every
    /// photographer route a missing key, every route with an id or token in its path an unknown
    /// one, and any route can fail.
    fn applies(self, spec: &RouteSpec, doc: &OperationDoc) -> bool {
        match self {
            SharedRefusal::InvalidJson => doc.request.is_some(),
            SharedRefusal::Unauthorized => spec.audience == Audience::Photographer,
            // The login page answers an unknown page like a wrong code (401), never 404.
            SharedRefusal::NotFound => {
                placeholders(spec.path).next().is_some() && spec.route != Route::LogIn
            }
            SharedRefusal::InvalidRequest => doc.validates || doc.paged,
            SharedRefusal::Internal => true,
        }
    }

    fn response(self, schemas: &mut Schemas) -> Response {
        error_response(self.description(), &[self.sample()], schemas).1
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use lambda_http::Body;
    use proofsheet_policy::{
        AccessSettings, GalleryRules, PasswordHash, PersonName, SessionClaims, Title,
        UploadRequest, WatermarkSettings, WatermarkUpdate,
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

    /// The numbers the document states are the policy's.
    #[test]
    fn documented_limits_are_the_policys() {
        let doc = doc();
        let number = |v: &Value| v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"));
        for schema in ["Gallery", "GalleryCreate", "GalleryUpdate"] {
            let title = property(&doc, schema, "title");
            assert_eq!(title["maxLength"], json!(Title::MAX_CHARS), "{schema}");
            assert!(Title::parse(&"t".repeat(Title::MAX_CHARS)).is_ok());
            assert!(Title::parse(&"t".repeat(Title::MAX_CHARS + 1)).is_err());
        }
        let parent = property(&doc, "GalleryCreate", "parent_id")["description"].to_string();
        assert!(parent.contains(&format!("at most {} levels", GalleryRules::MAX_LEVELS)));

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
        let max = text["maxLength"].as_u64().unwrap() as usize;
        for (chars, ok) in [(max, true), (max + 1, false)] {
            let update = WatermarkUpdate {
                text: Some(Some("w".repeat(chars))),
                ..Default::default()
            };
            assert_eq!(apply(update), ok, "watermark text of {chars}");
        }

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
            password["minLength"].as_u64().unwrap() as usize,
            password["maxLength"].as_u64().unwrap() as usize,
        );
        for (chars, ok) in [(min - 1, false), (min, true), (max, true), (max + 1, false)] {
            let result = PasswordHash::check_plaintext(&"p".repeat(chars));
            assert_eq!(result.is_ok(), ok, "password of {chars}");
        }
        let name = property(&doc, "PrivateGrantCreate", "name");
        let max = name["maxLength"].as_u64().unwrap() as usize;
        assert!(PersonName::parse(&"n".repeat(max)).is_ok());
        assert!(PersonName::parse(&"n".repeat(max + 1)).is_err());

        let logo = property(&doc, "LogoUploadRequest", "size");
        assert_eq!(logo["maximum"], json!(UploadRequest::MAX_LOGO_BYTES));

        // Path and query patterns: what the API gives out matches them.
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
        let token = proofsheet_policy::ShareToken {
            grant_id: proofsheet_policy::GrantId::from_uuid(uuid::Uuid::max()),
            verifier: [0xff; 32],
        }
        .encode();
        assert!(
            matches(&pattern("/g/{token}", "get", "token"), &token),
            "{token}"
        );

        let session = property(&doc, "Session", "expires_at")["description"].to_string();
        let hours = SessionClaims::DEFAULT_TTL_SECS / 3600;
        assert!(session.contains(&format!("{hours} hours")), "{session}");
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
        use crate::handlers::photographer::galleries::{
            CreateGallery, UpdateGallery, WatermarkInput,
        };
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
            let Some(reference) = op["requestBody"]["content"][JSON]["schema"]["$ref"].as_str()
            else {
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
}
