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
mod refusals;

use refusals::{SharedRefusal, particular_response};
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
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
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
    S3 URLs and share them: one general link per gallery, plus a private link per client, each \
    with its own watermark, password and download settings. Clients open links at `/g/{token}`; \
    a password-protected link is first unlocked for a session. Long-term clients get a client \
    login: an access code for the photographer's login page (`/p/{slug}`) that opens every \
    gallery released to them.";

const JSON: &str = "application/json";
const API_KEY: &str = "apiKey";
const CLIENT_SESSION: &str = "clientSession";
const LOGIN_SESSION: &str = "loginSession";
const STUDIO_SESSION: &str = "studioSession";

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
            STUDIO_SESSION,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "__Host-ps_studio",
                &format!(
                    "The studio's session, from {} (`ps_studio` over plain HTTP, locally): the \
                     photographer's routes take it instead \
                     of an API key. A call that changes anything must also send the `{}` \
                     header, from the studio's own origin.",
                    route_name(Route::SignIn),
                    proofsheet_policy::STUDIO_HEADER,
                ),
            ))),
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
                "The link's token: 64 base64url characters (grant id and verifier). \
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
        "key_id" => (
            Some(
                "One of the caller's API keys (`GET /api-keys`; another photographer's is a 404).",
            ),
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
        "secret" => (
            Some(
                "A studio sign-in link's secret: 43 base64url characters (256 random bits), \
                 from the emailed link. Unknown, used and expired ones are all 410.",
            ),
            string_schema()
                .min_length(Some(43))
                .max_length(Some(43))
                .pattern(Some("^[A-Za-z0-9_-]{43}$"))
                .build(),
        ),
        "file" => (
            Some(
                "A file name as pages and emails link it: a static file's \
                 `<name>.<content hash>.<extension>`, a logo's `<content hash>.png`.",
            ),
            string_schema().max_length(Some(100)).build(),
        ),
        "photographer_id" => (
            Some("The photographer whose logo it is (a logo's `url` gives it)."),
            uuid_schema(),
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
        Audience::Photographer => vec![
            SecurityRequirement::new(API_KEY, [""; 0]),
            SecurityRequirement::new(STUDIO_SESSION, [""; 0]),
        ],
        Audience::StudioSession => vec![SecurityRequirement::new(STUDIO_SESSION, [""; 0])],
        // Signing in needs nothing; the studio's page and signing out read the session.
        Audience::Studio => vec![
            SecurityRequirement::default(),
            SecurityRequirement::new(STUDIO_SESSION, [""; 0]),
        ],
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

#[cfg(test)]
mod tests;
