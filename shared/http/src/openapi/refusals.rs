//! The refusals of the document: the error body narrowed to each response's codes, the
//! refusals a route shows because of what it is (`SharedRefusal`), and those particular to it.

use super::*;

/// The error body, its `error` narrowed to these codes.
pub(super) fn error_schema(codes: &[&str], schemas: &mut Schemas, field_required: bool) -> Schema {
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

pub(super) fn error_response(
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

pub(super) fn particular_response(refusal: &Refusal, schemas: &mut Schemas) -> (u16, Response) {
    error_response(refusal.description, &refusal.errors, schemas)
}

/// Refusals many routes share, described once under `components/responses` and added to a route
/// from what the route is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SharedRefusal {
    InvalidJson,
    Unauthorized,
    CrossSiteWrite,
    NotFound,
    InvalidRequest,
    Internal,
}

impl SharedRefusal {
    pub(super) const ALL: [SharedRefusal; 6] = [
        SharedRefusal::InvalidJson,
        SharedRefusal::Unauthorized,
        SharedRefusal::CrossSiteWrite,
        SharedRefusal::NotFound,
        SharedRefusal::InvalidRequest,
        SharedRefusal::Internal,
    ];

    pub(super) fn name(self) -> &'static str {
        match self {
            SharedRefusal::InvalidJson => "InvalidJson",
            SharedRefusal::Unauthorized => "Unauthorized",
            SharedRefusal::CrossSiteWrite => "CrossSiteWrite",
            SharedRefusal::NotFound => "NotFound",
            SharedRefusal::InvalidRequest => "InvalidRequest",
            SharedRefusal::Internal => "Internal",
        }
    }

    pub(super) fn sample(self) -> ApiError {
        match self {
            SharedRefusal::InvalidJson => ApiError::BadJson(String::new()),
            SharedRefusal::Unauthorized => ApiError::Unauthorized,
            SharedRefusal::CrossSiteWrite => {
                ApiError::CrossSiteWrite(proofsheet_policy::CrossSiteWrite::NotFromTheStudio)
            }
            SharedRefusal::NotFound => ApiError::NotFound,
            SharedRefusal::InvalidRequest => Invalid::new("field", "").into(),
            SharedRefusal::Internal => ApiError::Internal(String::new()),
        }
    }

    pub(super) fn description(self) -> &'static str {
        match self {
            SharedRefusal::InvalidJson => {
                "The body is missing, is not JSON, has the wrong types, or has unknown fields."
            }
            SharedRefusal::Unauthorized => {
                "No valid photographer API key (`Authorization: Bearer <key>`) and no live \
                 studio session."
            }
            SharedRefusal::CrossSiteWrite => {
                "A change made with the studio's session cookie that did not come from the \
                 studio's own script (no `x-proofsheet-studio` header, or another origin)."
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
    pub(super) fn applies(self, spec: &RouteSpec, doc: &OperationDoc) -> bool {
        match self {
            SharedRefusal::InvalidJson => doc.request.is_some(),
            SharedRefusal::Unauthorized => matches!(
                spec.audience,
                Audience::Photographer | Audience::StudioSession
            ),
            // The studio-session routes name it with their own 403 (`studio_session_required`).
            SharedRefusal::CrossSiteWrite => {
                spec.audience == Audience::Photographer && spec.method != "GET"
            }
            // The login page answers an unknown page like a wrong code (401), never 404; a
            // sign-in link that opens nothing is 410.
            SharedRefusal::NotFound => {
                placeholders(spec.path).next().is_some()
                    && spec.route != Route::LogIn
                    && spec.audience != Audience::Studio
            }
            SharedRefusal::InvalidRequest => doc.validates || doc.paged,
            SharedRefusal::Internal => true,
        }
    }

    pub(super) fn response(self, schemas: &mut Schemas) -> Response {
        error_response(self.description(), &[self.sample()], schemas).1
    }
}
