//! How a photographer's client pages look: their accent colour, a pair of typefaces from a
//! small fixed set (served from our own files, never a font service), and where the "Contact"
//! link writes to. Every choice keeps the pages readable: an accent carries white text on it,
//! so one too light for that is refused.

use serde::{Deserialize, Serialize};

use crate::{Email, Invalid};

/// The photographer's look; the default is Proofsheet's own.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Brand {
    /// Buttons, toggles and highlights; `None`: Proofsheet's red. Read leniently: a stored
    /// colour the rules no longer accept reads as none, rather than making the account
    /// unreadable (every page of the photographer's, and the studio where they would fix it).
    #[serde(default, deserialize_with = "accent_if_still_accepted")]
    pub accent: Option<AccentColour>,
    #[serde(default)]
    pub fonts: FontPairing,
    /// Where clients' "Contact" link writes to; `None`: the address the photographer signs in
    /// with.
    #[serde(default)]
    pub contact_email: Option<Email>,
}

fn accent_if_still_accepted<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<AccentColour>, D::Error> {
    let stored = Option::<String>::deserialize(d)?;
    Ok(stored.and_then(|raw| AccentColour::parse(&raw).ok()))
}

/// An accent colour, `#rrggbb` in lower case, dark enough for white text on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AccentColour(String);

impl AccentColour {
    /// WCAG's minimum contrast for text (AA): buttons print white on the accent, and the
    /// accent also colours text on the page's near-white paper.
    pub const MIN_CONTRAST: f64 = 4.5;

    /// `#rrggbb` or `#rgb`, any case.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let refused = |why: String| Invalid::new("accent_colour", why);
        let hex = raw
            .trim()
            .strip_prefix('#')
            .filter(|hex| hex.len() == 6 || hex.len() == 3)
            .filter(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| refused("must be a colour written #rrggbb, like #a3322a".into()))?;
        let hex = if hex.len() == 3 {
            hex.chars().flat_map(|c| [c, c]).collect()
        } else {
            hex.to_owned()
        };
        let colour = Self(format!("#{}", hex.to_ascii_lowercase()));
        let contrast = colour.contrast_with_white();
        if contrast < Self::MIN_CONTRAST {
            return Err(refused(format!(
                "is too light for white text on it: its contrast is {contrast:.1}:1, and \
                 text needs {:.1}:1; choose a darker shade",
                Self::MIN_CONTRAST
            )));
        }
        Ok(colour)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// WCAG 2's contrast ratio between this colour and white.
    pub fn contrast_with_white(&self) -> f64 {
        let channel = |at: usize| {
            let value = u8::from_str_radix(&self.0[at..at + 2], 16).unwrap_or(0);
            let c = f64::from(value) / 255.0;
            if c <= 0.040_45 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
        1.05 / (luminance + 0.05)
    }
}

impl TryFrom<String> for AccentColour {
    type Error = Invalid;
    fn try_from(raw: String) -> Result<Self, Invalid> {
        Self::parse(&raw)
    }
}

impl From<AccentColour> for String {
    fn from(colour: AccentColour) -> String {
        colour.0
    }
}

impl std::fmt::Display for AccentColour {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A heading typeface and a text typeface that go together, or the device's own.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FontPairing {
    /// The device's interface font throughout: nothing to download.
    #[default]
    System,
    /// Playfair Display over Source Sans 3: a magazine's high-contrast serif.
    Editorial,
    /// Cormorant Garamond over Lato: a light, classical serif for weddings.
    Classic,
    /// Montserrat over Inter: geometric and plain.
    Modern,
}

impl FontPairing {
    pub const ALL: [Self; 4] = [Self::System, Self::Editorial, Self::Classic, Self::Modern];
}

/// The photographer's logo as their client pages and emails show it: a PNG made from the one
/// they uploaded, at most [`BrandLogo::MAX_WIDTH`] × [`BrandLogo::MAX_HEIGHT`], named by its
/// content. An emailed logo must keep showing for as long as the email is kept, so a file is
/// never replaced: a new logo is a new file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrandLogo {
    pub file: LogoFile,
    pub width: u32,
    pub height: u32,
}

impl BrandLogo {
    /// Room for a wide wordmark; a header shows it at most 48 px high, so 200 stays sharp at 4×.
    pub const MAX_WIDTH: u32 = 800;
    pub const MAX_HEIGHT: u32 = 200;

    /// Where it is served to pages and emails: under its photographer, so their logos go with
    /// their account.
    pub fn path(&self, owner: crate::PhotographerId) -> String {
        format!("/brand/{owner}/{}.png", self.file.as_str())
    }

    /// Its size shown at most `height` high and `width` wide, keeping its shape (never larger
    /// than the file, never under 1 px).
    pub fn shown_within(&self, width: u32, height: u32) -> (u32, u32) {
        let (w, h) = (f64::from(self.width.max(1)), f64::from(self.height.max(1)));
        let fit = (f64::from(width) / w).min(f64::from(height) / h).min(1.0);
        let side = |v: f64| ((v * fit).round() as u32).max(1);
        (side(w), side(h))
    }
}

/// A logo file's name: 32 lower-case hex digits, the first 128 bits of its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LogoFile(String);

impl LogoFile {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let named = raw.len() == 32 && raw.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if named {
            Ok(Self(raw.to_owned()))
        } else {
            Err(Invalid::new("file", "is not a logo file's name"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<LogoFile> for String {
    fn from(file: LogoFile) -> Self {
        file.0
    }
}

impl TryFrom<String> for LogoFile {
    type Error = Invalid;

    fn try_from(raw: String) -> Result<Self, Invalid> {
        Self::parse(&raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_colour_is_written_one_way() {
        assert_eq!(AccentColour::parse("#A3322A").unwrap().as_str(), "#a3322a");
        assert_eq!(AccentColour::parse(" #234 ").unwrap().as_str(), "#223344");
        // Nothing but a colour is one: the pages put it in their style block.
        for bad in [
            "a3322a",
            "#a3322",
            "#a3322ag",
            "red",
            "",
            "#",
            "#1234",
            "red}body{display:none",
            "#123456;}",
        ] {
            assert_eq!(
                AccentColour::parse(bad).unwrap_err().field,
                "accent_colour",
                "{bad}"
            );
        }
    }

    #[test]
    fn a_colour_too_light_for_white_text_is_refused_with_its_contrast() {
        // Proofsheet's own red, black and a dark teal pass; yellow and a light pink do not.
        for dark in ["#a3322a", "#000000", "#1f5f5b"] {
            assert!(AccentColour::parse(dark).is_ok(), "{dark}");
        }
        let light = AccentColour::parse("#ffd700").unwrap_err();
        assert!(light.reason.contains("1.4:1"), "{}", light.reason);
        assert!(AccentColour::parse("#f4a6b8").is_err());
        // Pure white against white is 1:1; black is 21:1.
        assert!((AccentColour("#ffffff".into()).contrast_with_white() - 1.0).abs() < 1e-9);
        assert!((AccentColour("#000000".into()).contrast_with_white() - 21.0).abs() < 1e-9);
    }

    #[test]
    fn a_brand_reads_back_as_written_and_an_old_record_is_the_default() {
        let brand = Brand {
            accent: Some(AccentColour::parse("#1f5f5b").unwrap()),
            fonts: FontPairing::Classic,
            contact_email: Some(Email::parse("hello@anna.example").unwrap()),
        };
        let json = serde_json::to_string(&brand).unwrap();
        assert_eq!(serde_json::from_str::<Brand>(&json).unwrap(), brand);
        assert_eq!(
            serde_json::from_str::<Brand>("{}").unwrap(),
            Brand::default()
        );
        // A stored colour the rules no longer accept reads as none: the account stays readable.
        let stale: Brand =
            serde_json::from_str(r##"{"accent":"#ffff00","fonts":"modern"}"##).unwrap();
        assert_eq!(stale.accent, None);
        assert_eq!(stale.fonts, FontPairing::Modern);
    }

    proptest! {
        #[test]
        fn every_accepted_colour_carries_white_text(r in 0u8.., g in 0u8.., b in 0u8..) {
            let raw = format!("#{r:02X}{g:02x}{b:02x}");
            match AccentColour::parse(&raw) {
                Ok(colour) => prop_assert!(colour.contrast_with_white() >= 4.5),
                Err(refused) => prop_assert!(refused.reason.contains("too light")),
            }
        }
    }

    #[test]
    fn a_logo_file_is_named_by_128_bits_of_hex_and_nothing_else() {
        let name = "0123456789abcdef0123456789abcdef";
        assert_eq!(LogoFile::parse(name).unwrap().as_str(), name);
        for bad in [
            "0123456789ABCDEF0123456789ABCDEF",
            "0123456789abcdef0123456789abcde",
            "0123456789abcdef0123456789abcdef0",
            "../../logos/0123456789abcdef0123",
            "0123456789abcdef0123456789abcdeg",
            "",
        ] {
            assert!(LogoFile::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_logo_is_shown_within_its_box_in_its_own_shape_and_never_enlarged() {
        let logo = |width, height| BrandLogo {
            file: LogoFile::parse("0123456789abcdef0123456789abcdef").unwrap(),
            width,
            height,
        };
        assert_eq!(logo(800, 200).shown_within(240, 48), (192, 48));
        assert_eq!(logo(800, 100).shown_within(240, 48), (240, 30));
        assert_eq!(logo(40, 20).shown_within(240, 48), (40, 20));
        assert_eq!(logo(800, 1).shown_within(240, 48), (240, 1));
    }
}
