//! Query parameters, each declared once as a constant beside the handler that reads it: the
//! handler reads the request through the declaration, and the operation's OpenAPI description
//! shows the same declaration (`.taking(PARAMETER.doc())`), so a parameter's name, values and
//! bounds cannot differ between what is answered and what is documented.

use lambda_http::Request;
use proofsheet_policy::{Invalid, PageSize};
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};
use utoipa::openapi::{Required, SchemaFormat};

use crate::http_io::query_param;

/// One of a few words; the first is the default.
pub(crate) struct Choice {
    pub name: &'static str,
    pub values: &'static [&'static str],
    /// What the values other than the default do.
    pub description: &'static str,
}

impl Choice {
    /// The value asked for, the default when none was, or a refusal naming the parameter.
    pub fn read(&self, req: &Request) -> Result<&'static str, Invalid> {
        match query_param(req, self.name) {
            None => Ok(self.values[0]),
            Some(raw) => self
                .values
                .iter()
                .find(|value| **value == raw)
                .copied()
                .ok_or_else(|| Invalid::new(self.name, format!("must be {}", self.listed()))),
        }
    }

    /// "`a`, `b` or `c`".
    fn listed(&self) -> String {
        let quoted: Vec<String> = self.values.iter().map(|v| format!("`{v}`")).collect();
        match quoted.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        }
    }

    pub fn doc(&self) -> Parameter {
        let default = format!("`{}` (the default)", self.values[0]);
        let others: Vec<String> = self.values[1..].iter().map(|v| format!("`{v}`")).collect();
        let schema = string_schema().enum_values(Some(self.values.iter().copied()));
        optional(
            self.name,
            &format!("{default} or {}: {}", others.join(", "), self.description),
            schema.build(),
        )
    }
}

/// `limit`: how many items a page holds.
pub(crate) struct Limit {
    pub size: PageSize,
    /// What the page holds, capitalised: "Photos".
    pub items: &'static str,
}

impl Limit {
    /// The count as given, for a policy that reads it with others (`PhotoPage::parse`).
    pub fn raw(&self, req: &Request) -> Option<String> {
        query_param(req, "limit")
    }

    pub fn read(&self, req: &Request) -> Result<usize, Invalid> {
        self.size.parse(query_param(req, "limit").as_deref())
    }

    pub fn doc(&self) -> Parameter {
        let PageSize { default, max } = self.size;
        optional(
            "limit",
            &format!(
                "{} per page: 1 to {max} (default {default}). Anything else is a 422 naming \
                 `limit`.",
                self.items
            ),
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(1))
                .maximum(Some(max))
                .default(Some(default.into()))
                .build(),
        )
    }
}

/// Text whose reading belongs to the policy (a cursor, a list's name, whose view): the
/// declaration gives the name and the description; the policy's parser the meaning.
pub(crate) struct Text {
    pub name: &'static str,
    pub description: &'static str,
    pub shape: Shape,
}

/// The shape of a [`Text`] parameter, as the description shows it.
pub(crate) enum Shape {
    Uuid,
    Pattern(&'static str),
    Chars { max: usize },
}

impl Text {
    pub fn read(&self, req: &Request) -> Option<String> {
        query_param(req, self.name)
    }

    pub fn doc(&self) -> Parameter {
        let schema = match self.shape {
            Shape::Uuid => string_schema().format(Some(SchemaFormat::Custom("uuid".into()))),
            Shape::Pattern(pattern) => string_schema().pattern(Some(pattern)),
            Shape::Chars { max } => string_schema().min_length(Some(1)).max_length(Some(max)),
        };
        optional(self.name, self.description, schema.build())
    }
}

fn string_schema() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

fn optional(name: &str, description: &str, schema: Object) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(schema))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORMAT: Choice = Choice {
        name: "format",
        values: &["json", "csv", "txt"],
        description: "other shapes.",
    };

    fn request(query: &str) -> Request {
        http::Request::builder()
            .uri(format!("https://example.com/x{query}"))
            .body(lambda_http::Body::Empty)
            .expect("request")
    }

    #[test]
    fn a_choice_reads_its_values_and_defaults_to_the_first() {
        assert_eq!(FORMAT.read(&request("")), Ok("json"));
        assert_eq!(FORMAT.read(&request("?format=txt")), Ok("txt"));
        let refused = FORMAT.read(&request("?format=xml")).unwrap_err();
        assert_eq!(
            refused,
            Invalid::new("format", "must be `json`, `csv` or `txt`")
        );
    }

    #[test]
    fn a_limit_reads_within_its_bounds() {
        let limit = Limit {
            size: PageSize {
                default: 20,
                max: 100,
            },
            items: "Notes",
        };
        assert_eq!(limit.read(&request("")), Ok(20));
        assert_eq!(limit.read(&request("?limit=100")), Ok(100));
        for refused in ["?limit=0", "?limit=101", "?limit=ten", "?limit=-1"] {
            assert_eq!(
                limit.read(&request(refused)),
                Err(Invalid::new(
                    "limit",
                    "must be a whole number from 1 to 100"
                )),
                "{refused}"
            );
        }
    }
}
