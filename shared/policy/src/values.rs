//! Small validated values. Each can only be built through `parse`, so an invalid one can't exist.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::Invalid;

/// Characters that would let a value break out of an email header (CWE-93) or a log line.
fn has_control_chars(s: &str) -> bool {
    s.chars().any(char::is_control)
}

macro_rules! string_value {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                Self::parse(&raw).map_err(serde::de::Error::custom)
            }
        }
    };
}

/// A gallery title: 1 to 200 characters, no control characters (it reaches email subjects).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Title(String);
string_value!(Title);

impl Title {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let title = raw.trim();
        if title.is_empty() {
            return Err(Invalid::new("title", "must not be empty"));
        }
        if title.chars().count() > Self::MAX_CHARS {
            return Err(Invalid::new("title", "must be at most 200 characters"));
        }
        if has_control_chars(title) {
            return Err(Invalid::new("title", "must not contain control characters"));
        }
        Ok(Self(title.to_owned()))
    }
}

/// A person's display name (a client's or a photographer's): 1 to 100 characters, one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct PersonName(String);
string_value!(PersonName);

impl PersonName {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let name = raw.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(Invalid::new("name", "must be 1 to 100 characters"));
        }
        if has_control_chars(name) {
            return Err(Invalid::new("name", "must not contain control characters"));
        }
        Ok(Self(name.to_owned()))
    }
}

/// An email address, normalised to lower case so one client is one grant per gallery.
///
/// Deliberately simple (RFC 5321 lengths, one `@`, a dotted domain, no whitespace or control
/// characters): the real check is that SES delivers it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Email(String);
string_value!(Email);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let email = raw.trim().to_lowercase();
        let bad = || Invalid::new("email", "must be a valid email address");
        if email.len() > 254 || has_control_chars(&email) || email.chars().any(char::is_whitespace)
        {
            return Err(bad());
        }
        let (local, domain) = email.split_once('@').ok_or_else(bad)?;
        let domain_ok = domain.contains('.')
            && !domain.contains('@')
            && domain.split('.').all(|label| {
                !label.is_empty() && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if local.is_empty()
            || local.len() > 64
            || !domain_ok
            || email.contains(['<', '>', ',', ';', '"'])
        {
            return Err(bad());
        }
        Ok(Self(email))
    }
}

/// The url-safe name of a photographer's client-login page: 3 to 40 of `a-z`, `0-9` and `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Slug(String);
string_value!(Slug);

impl Slug {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let ok_chars = raw
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !(3..=40).contains(&raw.len()) || !ok_chars || raw.starts_with('-') || raw.ends_with('-')
        {
            return Err(Invalid::new(
                "slug",
                "must be 3 to 40 characters of a-z, 0-9 and '-', not starting or ending with '-'",
            ));
        }
        Ok(Self(raw.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_normalised_and_header_injection_is_refused() {
        assert_eq!(
            Email::parse(" Ann@Example.COM ").unwrap().as_str(),
            "ann@example.com"
        );
        for bad in [
            "ann@example.com\r\nBcc: x@evil.com",
            "ann",
            "@example.com",
            "ann@localhost",
            "ann@ex ample.com",
            "a,b@example.com",
            "ann@example..com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn titles_are_trimmed_one_line_and_bounded() {
        assert_eq!(
            Title::parse("  Smith wedding ").unwrap().as_str(),
            "Smith wedding"
        );
        assert!(Title::parse("   ").is_err());
        assert!(Title::parse("a\nb").is_err());
        assert!(Title::parse(&"x".repeat(201)).is_err());
        assert!(Title::parse(&"é".repeat(200)).is_ok());
    }

    #[test]
    fn slugs_are_url_safe() {
        assert!(Slug::parse("anna-photo").is_ok());
        for bad in ["An", "anna photo", "-anna", "anna/..", "ANNA"] {
            assert!(Slug::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
