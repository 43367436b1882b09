//! What responses look like. Views are built from records and never carry secrets: a password
//! appears only as `password_set`, tokens only inside links the caller is entitled to. Names one
//! person wrote and another reads (titles, file names, people's names and addresses, list
//! names, notes) are written out as `proofsheet_policy::text` shows them, so a name stored
//! before that rule can't hide or turn around what it says either.

use std::time::SystemTime;

use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use proofsheet_policy::WatermarkSettings;
use proofsheet_policy::text::{one_line, without_hidden};
use serde::{Serialize, Serializer};

mod client;
mod photographer;

pub(crate) use client::*;
pub(crate) use photographer::*;

/// A name as it may be shown (see the module docs); views kept beside their handler use these too.
fn shown<S: Serializer>(name: &str, out: S) -> Result<S::Ok, S::Error> {
    out.serialize_str(&one_line(name))
}

pub(crate) fn shown_if_any<S: Serializer>(
    name: &Option<String>,
    out: S,
) -> Result<S::Ok, S::Error> {
    match name {
        Some(name) => shown(name, out),
        None => out.serialize_none(),
    }
}

/// A watermark with its text as it may be shown.
fn shown_watermark<S: Serializer>(mark: &WatermarkSettings, out: S) -> Result<S::Ok, S::Error> {
    WatermarkSettings {
        text: mark.text.as_deref().map(|text| one_line(text).into_owned()),
        ..mark.clone()
    }
    .serialize(out)
}

/// Text of several lines (a note), as it may be shown: its line breaks kept.
fn shown_lines_if_any<S: Serializer>(text: &Option<String>, out: S) -> Result<S::Ok, S::Error> {
    match text {
        Some(text) => out.serialize_str(&without_hidden(text)),
        None => out.serialize_none(),
    }
}

/// RFC 3339, UTC.
pub(crate) fn timestamp(unix_secs: u64) -> String {
    DateTime::from_secs(unix_secs as i64)
        .fmt(Format::DateTime)
        .unwrap_or_default()
}

pub(crate) fn system_timestamp(at: SystemTime) -> String {
    DateTime::from(at).fmt(Format::DateTime).unwrap_or_default()
}
