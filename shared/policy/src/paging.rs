//! Pages of a gallery's photos: how many per page, and where the next page starts.
//!
//! A cursor is opaque to clients: base64url (no padding) of the 16 bytes of the last photo id a
//! page held. The next page starts strictly after that photo, so a photo deleted between two
//! requests neither repeats nor hides the photos after it.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

use crate::{Invalid, PhotoId};

/// Which page of photos to answer: at most `limit`, after the photo `after` (from the start if
/// `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhotoPage {
    pub limit: usize,
    pub after: Option<PhotoId>,
}

impl PhotoPage {
    /// Enough for a gallery page to fill a screen or two without a second request.
    pub const DEFAULT_LIMIT: usize = 100;
    /// Every photo on a page gets presigned URLs: keep a response quick and small.
    pub const MAX_LIMIT: usize = 500;

    /// The page asked for by the `limit` and `cursor` query parameters, both optional.
    pub fn parse(limit: Option<&str>, cursor: Option<&str>) -> Result<Self, Invalid> {
        let limit = match limit {
            None => Self::DEFAULT_LIMIT,
            Some(raw) => raw
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=Self::MAX_LIMIT).contains(n))
                .ok_or_else(|| {
                    Invalid::new(
                        "limit",
                        format!("must be a whole number from 1 to {}", Self::MAX_LIMIT),
                    )
                })?,
        };
        let after = cursor.map(decode_cursor).transpose()?;
        Ok(Self { limit, after })
    }
}

/// The cursor of the page that follows a page ending with `last`.
pub fn cursor_after(last: PhotoId) -> String {
    URL_SAFE_NO_PAD.encode(last.as_uuid().as_bytes())
}

fn decode_cursor(raw: &str) -> Result<PhotoId, Invalid> {
    let refused = || Invalid::new("cursor", "is not a cursor from a previous page");
    let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| refused())?;
    let bytes: [u8; 16] = bytes.try_into().map_err(|_| refused())?;
    Ok(PhotoId::from_uuid(Uuid::from_bytes(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn defaults_to_the_first_page_of_a_hundred() {
        assert_eq!(
            PhotoPage::parse(None, None),
            Ok(PhotoPage {
                limit: 100,
                after: None
            })
        );
    }

    #[test]
    fn limits_outside_one_to_five_hundred_are_refused() {
        for raw in [
            "0",
            "501",
            "-1",
            "ten",
            "",
            "1.5",
            "99999999999999999999999",
        ] {
            let err = PhotoPage::parse(Some(raw), None).unwrap_err();
            assert_eq!(err.field, "limit", "{raw}");
        }
        assert_eq!(PhotoPage::parse(Some("1"), None).unwrap().limit, 1);
        assert_eq!(PhotoPage::parse(Some("500"), None).unwrap().limit, 500);
    }

    #[test]
    fn malformed_cursors_are_refused() {
        let valid = cursor_after(PhotoId::from_uuid(Uuid::now_v7()));
        for raw in [
            "",
            "not a cursor",
            "AAAA",
            &format!("{valid}=="),
            &format!("{valid}A"),
            &valid[1..],
        ] {
            let err = PhotoPage::parse(None, Some(raw)).unwrap_err();
            assert_eq!(err.field, "cursor", "{raw:?}");
        }
    }

    proptest! {
        #[test]
        fn a_cursor_names_exactly_the_photo_it_was_made_from(bytes in any::<[u8; 16]>()) {
            let id = PhotoId::from_uuid(Uuid::from_bytes(bytes));
            let page = PhotoPage::parse(None, Some(&cursor_after(id))).unwrap();
            prop_assert_eq!(page.after, Some(id));
        }

        #[test]
        fn any_accepted_cursor_is_the_one_its_photo_would_get(raw in "[A-Za-z0-9_-]{22}") {
            if let Ok(PhotoPage { after: Some(id), .. }) = PhotoPage::parse(None, Some(&raw)) {
                prop_assert_eq!(cursor_after(id), raw);
            }
        }
    }
}
