//! A photographer's brand as their client pages show it: their name and a contact link in the
//! header, their accent colour and typefaces in the page's style block (allowed by its hash).

use proofsheet_policy::FontPairing;

use super::assets;
use crate::views::PhotographerBrandView;

/// What a page needs of the photographer's brand.
pub(crate) struct PageBrand {
    pub name: String,
    /// The address of the header's "Contact" link.
    pub contact: String,
    /// Rules for the page's style block: the accent and the typefaces; empty for Proofsheet's
    /// own look.
    pub css: String,
    /// The typeface files, fetched at once with the page (`<link rel=preload>`).
    pub fonts: Vec<&'static str>,
    /// Their logo, shown in place of their name in the header (the name is its `alt`).
    pub logo: Option<PageLogo>,
}

/// A logo as a header shows it: from this origin (the page's `img-src 'self'`), at its size in
/// the header, so nothing moves when it arrives.
pub(crate) struct PageLogo {
    pub src: String,
    pub width: u32,
    pub height: u32,
}

impl PageLogo {
    /// How large a header shows a logo, in CSS pixels.
    const BOX: (u32, u32) = (200, 40);
}

impl From<&PhotographerBrandView> for PageBrand {
    fn from(brand: &PhotographerBrandView) -> Self {
        let mut css = String::new();
        // An `AccentColour` is `#rrggbb` (the policy's type): nothing else reaches the block.
        if let Some(accent) = &brand.accent_colour {
            css.push_str(&format!(":root{{--accent:{accent}}}"));
        }
        let (faces, fonts) = typefaces(brand.font_pairing);
        css.push_str(&faces);
        let logo = brand.logo.as_ref().map(|logo| {
            let (width, height) = logo.logo.shown_within(PageLogo::BOX.0, PageLogo::BOX.1);
            PageLogo {
                src: logo.path.clone(),
                width,
                height,
            }
        });
        Self {
            name: brand.name.clone(),
            contact: brand.contact_email.clone(),
            css,
            fonts,
            logo,
        }
    }
}

/// One typeface file.
struct Face {
    family: &'static str,
    file: &'static str,
    weight: u16,
}

/// The `@font-face` rules of a pairing and the stacks that use them (with the device's font
/// behind each, for what the Latin files don't hold), and its files.
///
/// `font-display: optional`: a typeface that has not arrived by the first paint (the page
/// preloads them, and they are cached for good after) is not swapped in later, so text never
/// moves under the reader (a layout shift).
fn typefaces(pairing: FontPairing) -> (String, Vec<&'static str>) {
    const SANS: &str = "system-ui, sans-serif";
    const SERIF: &str = "Georgia, serif";
    let (heading, text, faces): (String, String, &[Face]) = match pairing {
        FontPairing::System => return (String::new(), Vec::new()),
        FontPairing::Editorial => (
            format!("\"Playfair Display\", {SERIF}"),
            format!("\"Source Sans 3\", {SANS}"),
            &[
                Face {
                    family: "Playfair Display",
                    file: assets::PLAYFAIR_DISPLAY_600_WOFF2,
                    weight: 600,
                },
                Face {
                    family: "Source Sans 3",
                    file: assets::SOURCE_SANS_3_400_WOFF2,
                    weight: 400,
                },
                Face {
                    family: "Source Sans 3",
                    file: assets::SOURCE_SANS_3_600_WOFF2,
                    weight: 600,
                },
            ],
        ),
        FontPairing::Classic => (
            format!("\"Cormorant Garamond\", {SERIF}"),
            format!("Lato, {SANS}"),
            &[
                Face {
                    family: "Cormorant Garamond",
                    file: assets::CORMORANT_GARAMOND_600_WOFF2,
                    weight: 600,
                },
                Face {
                    family: "Lato",
                    file: assets::LATO_400_WOFF2,
                    weight: 400,
                },
                // Lato has no 600: its bold stands in for the pages' semibold.
                Face {
                    family: "Lato",
                    file: assets::LATO_700_WOFF2,
                    weight: 600,
                },
            ],
        ),
        FontPairing::Modern => (
            format!("Montserrat, {SANS}"),
            format!("Inter, {SANS}"),
            &[
                Face {
                    family: "Montserrat",
                    file: assets::MONTSERRAT_600_WOFF2,
                    weight: 600,
                },
                Face {
                    family: "Inter",
                    file: assets::INTER_400_WOFF2,
                    weight: 400,
                },
                Face {
                    family: "Inter",
                    file: assets::INTER_600_WOFF2,
                    weight: 600,
                },
            ],
        ),
    };
    let mut css: String = faces
        .iter()
        .map(|face| {
            format!(
                "@font-face{{font-family:\"{}\";src:url({}) format(\"woff2\");font-weight:{};\
                 font-display:optional}}",
                face.family, face.file, face.weight
            )
        })
        .collect();
    css.push_str(&format!(
        ":root{{--font-heading:{heading};--font-text:{text}}}"
    ));
    (css, faces.iter().map(|face| face.file).collect())
}

/// What a page's CSP adds to `style-src` for its style block `styles`: the block's own hash.
pub(crate) fn style_source(styles: &str) -> Option<String> {
    use sha2::Digest as _;
    (!styles.is_empty()).then(|| {
        let digest = sha2::Sha256::digest(styles.as_bytes());
        format!("'sha256-{}'", aws_smithy_types::base64::encode(digest))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brand(accent: Option<&str>, fonts: FontPairing) -> PhotographerBrandView {
        PhotographerBrandView {
            name: "Anna Lee".into(),
            contact_email: "anna@example.com".into(),
            accent_colour: accent.map(|raw| proofsheet_policy::AccentColour::parse(raw).unwrap()),
            font_pairing: fonts,
            logo: None,
        }
    }

    #[test]
    fn proofsheets_own_look_adds_no_style() {
        assert_eq!(PageBrand::from(&brand(None, FontPairing::System)).css, "");
    }

    #[test]
    fn a_pairing_names_our_own_files_and_the_accent_its_colour() {
        let css = PageBrand::from(&brand(Some("#1f5f5b"), FontPairing::Classic)).css;
        assert!(css.starts_with(":root{--accent:#1f5f5b}"), "{css}");
        assert_eq!(css.matches("@font-face").count(), 3, "{css}");
        assert!(css.contains(&format!("url({})", assets::CORMORANT_GARAMOND_600_WOFF2)));
        assert!(css.contains("--font-heading:\"Cormorant Garamond\", Georgia, serif"));
        for pairing in FontPairing::ALL {
            let css = PageBrand::from(&brand(None, pairing)).css;
            assert!(!css.contains("http"), "only our own files: {css}");
        }
    }
}
