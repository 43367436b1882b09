//! API keys, for a photographer's scripts and the command line. The studio makes, lists and
//! revokes them, signed in by email: a key can't make another key, so a leaked one is ended by
//! revoking it, never outlived by keys it made.

use serde::Serialize;

use crate::Invalid;
use crate::text::one_line_name;

/// Keys a photographer may have at once: one per script or computer is plenty, and a short
/// list is one that gets read.
pub const MAX_API_KEYS: usize = 10;

/// What the photographer calls a key ("Lightroom export", "studio laptop"): 1 to 60 characters
/// on one line, with a visible one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ApiKeyName(String);

impl ApiKeyName {
    pub const MAX_CHARS: usize = 60;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let name = one_line_name(raw).map_err(|unfit| Invalid::new("name", unfit.reason()))?;
        if name.chars().count() > Self::MAX_CHARS {
            return Err(Invalid::new("name", "must be at most 60 characters"));
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether one more key may be made beside `existing`.
pub fn may_add_key(existing: usize) -> Result<(), Invalid> {
    if existing >= MAX_API_KEYS {
        return Err(Invalid::new(
            "name",
            format!("at most {MAX_API_KEYS} keys: revoke one you no longer use first"),
        ));
    }
    Ok(())
}

/// The end of a key that tells it apart in a list (`…x7Qa`): four characters of 256 random
/// bits give nothing away.
pub fn key_hint(key: &str) -> String {
    let tail: Vec<char> = key.chars().rev().take(4).collect();
    tail.into_iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_named_on_one_visible_line_of_at_most_60_characters() {
        assert_eq!(
            ApiKeyName::parse("  Lightroom export ").unwrap().as_str(),
            "Lightroom export"
        );
        assert!(ApiKeyName::parse(&"k".repeat(60)).is_ok());
        for refused in ["", "   ", "two\nlines", "\u{200B}"] {
            assert_eq!(
                ApiKeyName::parse(refused).unwrap_err().field,
                "name",
                "{refused:?}"
            );
        }
        assert!(ApiKeyName::parse(&"k".repeat(61)).is_err());
    }

    #[test]
    fn ten_keys_at_most() {
        assert!(may_add_key(0).is_ok());
        assert!(may_add_key(MAX_API_KEYS - 1).is_ok());
        assert_eq!(may_add_key(MAX_API_KEYS).unwrap_err().field, "name");
    }

    #[test]
    fn a_hint_is_the_keys_last_four_characters() {
        assert_eq!(key_hint("ps_abcdefgh"), "efgh");
        assert_eq!(key_hint("ab"), "ab");
    }
}
