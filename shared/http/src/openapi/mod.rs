//! The API's OpenAPI description, from the code.

pub(crate) mod values;
