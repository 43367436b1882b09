//! Small validated values. Each can only be built through `parse`, so an invalid one can't exist.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::Invalid;
use crate::text::one_line_name;

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

        /// What was stored: parsed as today's rule says, or, when an earlier rule accepted
        /// what today's refuses (a name of hidden characters only, an address with one), kept
        /// as it was stored rather than made unreadable. Wherever it is shown, it is shown
        /// safely (see [`crate::text`]).
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                Ok(Self::parse(&raw).unwrap_or(Self(raw)))
            }
        }
    };
}

/// A gallery title: 1 to 200 characters on one line (it reaches email subjects), with a visible
/// one, kept without hidden characters (see [`crate::text`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Title(String);
string_value!(Title);

impl Title {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let title = one_line_name(raw).map_err(|unfit| Invalid::new("title", unfit.reason()))?;
        if title.chars().count() > Self::MAX_CHARS {
            return Err(Invalid::new("title", "must be at most 200 characters"));
        }
        Ok(Self(title))
    }
}

/// A person's display name (a client's or a photographer's): 1 to 100 characters on one line,
/// with a visible one, kept without hidden characters (see [`crate::text`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct PersonName(String);
string_value!(PersonName);

impl PersonName {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let name = one_line_name(raw).map_err(|unfit| Invalid::new("name", unfit.reason()))?;
        if name.chars().count() > 100 {
            return Err(Invalid::new("name", "must be 1 to 100 characters"));
        }
        Ok(Self(name))
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
        // An address is an identifier, not a name: one with a space, a control or a hidden
        // character (which would make it read as another address) is refused, not cleaned.
        if email.len() > 254 || !email.chars().all(crate::text::is_visible) {
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

/// The day a gallery's photographs were taken (a wedding, a session), which its cover shows: a
/// calendar date without a time or a zone, since "the wedding was on 14 June" is the same day
/// wherever the client opens it. Between 1900 and 2099: old prints are scanned, and a later
/// year is a typing mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct EventDate(chrono::NaiveDate);

impl EventDate {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let refused = || Invalid::new("event_date", "must be a date as YYYY-MM-DD, 1900 to 2099");
        // Exactly `YYYY-MM-DD`: chrono alone would take "2026-6-4" or a signed year.
        let shaped = raw.len() == 10
            && raw.char_indices().all(|(i, c)| {
                if i == 4 || i == 7 {
                    c == '-'
                } else {
                    c.is_ascii_digit()
                }
            });
        if !shaped {
            return Err(refused());
        }
        let day = chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| refused())?;
        if !(1900..=2099).contains(&chrono::Datelike::year(&day)) {
            return Err(refused());
        }
        Ok(Self(day))
    }

    /// As the cover says it: "14 June 2026".
    pub fn spoken(self) -> String {
        self.0.format("%-d %B %Y").to_string()
    }
}

impl fmt::Display for EventDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

impl From<EventDate> for String {
    fn from(date: EventDate) -> Self {
        date.to_string()
    }
}

impl TryFrom<String> for EventDate {
    type Error = Invalid;

    fn try_from(raw: String) -> Result<Self, Invalid> {
        Self::parse(&raw)
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
            "ann\u{202E}moc.x@example.com",
            "ann\u{200B}@example.com",
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
    fn names_and_titles_are_kept_without_hidden_characters_and_must_show_something() {
        assert_eq!(
            Title::parse("Smith\u{202E}gnidew").unwrap().as_str(),
            "Smithgnidew"
        );
        assert_eq!(
            PersonName::parse("\u{FEFF}Carol\u{200B}").unwrap().as_str(),
            "Carol"
        );
        assert_eq!(PersonName::parse("مريم").unwrap().as_str(), "مريم");
        for invisible in ["\u{200B}", "\u{3164}\u{3164}", "\u{202E}"] {
            assert_eq!(Title::parse(invisible).unwrap_err().field, "title");
            assert_eq!(PersonName::parse(invisible).unwrap_err().field, "name");
        }
        assert!(PersonName::parse("Carol\r\nBcc: x@evil.com").is_err());
    }

    /// A record written before today's rule stays readable, and reads as clean as the rule
    /// can make it.
    #[test]
    fn stored_values_stay_readable() {
        let read = |json: &str| serde_json::from_str::<PersonName>(json).unwrap();
        assert_eq!(read(r#""Carol\u200b""#).as_str(), "Carol");
        assert_eq!(read(r#""\u200b""#).as_str(), "\u{200B}");
        let email: Email = serde_json::from_str(r#""ann\u200b@example.com""#).unwrap();
        assert_eq!(email.as_str(), "ann\u{200B}@example.com");
    }

    #[test]
    fn slugs_are_url_safe() {
        assert!(Slug::parse("anna-photo").is_ok());
        for bad in ["An", "anna photo", "-anna", "anna/..", "ANNA"] {
            assert!(Slug::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn an_event_date_is_a_real_day_written_one_way() {
        let day = EventDate::parse("2026-06-14").unwrap();
        assert_eq!(day.to_string(), "2026-06-14");
        assert_eq!(day.spoken(), "14 June 2026");
        assert_eq!(
            EventDate::parse("1900-01-01").unwrap().spoken(),
            "1 January 1900"
        );
        for bad in [
            "2026-02-30",
            "2026-6-14",
            "14/06/2026",
            "2026-06-14T10:00:00Z",
            "+2026-06-14",
            "1899-12-31",
            "2100-01-01",
            "",
            "２０２６-06-14",
        ] {
            assert_eq!(
                EventDate::parse(bad).unwrap_err().field,
                "event_date",
                "{bad:?}"
            );
        }
        let stored: EventDate = serde_json::from_str(r#""2024-02-29""#).unwrap();
        assert_eq!(serde_json::to_string(&stored).unwrap(), r#""2024-02-29""#);
    }
}
