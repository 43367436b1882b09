//! Pages of a gallery's photos: how many per page, and where the next page starts.
//!
//! A cursor is opaque to clients: base64url (no padding) of where the last page ended, in the
//! order that page was read in. A page starts strictly after that place, so a photo deleted
//! between two requests neither repeats nor hides the photos after it:
//!
//! - upload order (the photographer's list): the 16 bytes of the last photo id;
//! - capture time or file name (a client's view): `C` or `F`, then the last photo's key in that
//!   order's index (see [`crate::photo_order::capture_order_key`] and
//!   [`crate::photo_order::filename_order_key`]; it ends with the photo's id);
//! - the photographer's manual order: `M`, the arrangement's revision (8 bytes) and how many
//!   of its entries were read (4 bytes).
//!
//! A cursor says which order it was made in, so a cursor from one order is never read as a
//! place in another: a gallery whose order changed between two pages starts its new order from
//! the beginning (see `Store::photos_in_order`).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

use crate::photo_order::PhotoOrder;
use crate::{Invalid, PhotoId};

/// How many items a page holds: `default` unless the `limit` query parameter asks for another
/// count, from 1 to `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageSize {
    pub default: usize,
    pub max: usize,
}

impl PageSize {
    /// The count asked for (`None`: none was), or why it is refused.
    pub fn parse(self, limit: Option<&str>) -> Result<usize, Invalid> {
        match limit {
            None => Ok(self.default),
            Some(raw) => raw
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=self.max).contains(n))
                .ok_or_else(|| {
                    Invalid::new(
                        "limit",
                        format!("must be a whole number from 1 to {}", self.max),
                    )
                }),
        }
    }
}

/// A page of the photographer's notifications: a screenful, and never so many that the unread
/// count and the page disagree for long.
pub const NOTIFICATION_PAGE: PageSize = PageSize {
    default: 20,
    max: 100,
};

/// Which page of photos to answer: at most `limit`, after `after` (from the start if `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoPage {
    pub limit: usize,
    pub after: Option<Cursor>,
}

/// Where a page ended, in the order it was read in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Cursor {
    /// Upload order: after this photo.
    Upload(PhotoId),
    /// Capture time or file name order: after this key of the order's index.
    Indexed { order: IndexedOrder, key: String },
    /// The photographer's arrangement at `revision`: after its first `read` entries.
    Manual { revision: u64, read: u32 },
}

/// The orders read from an index of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IndexedOrder {
    CaptureTime,
    Filename,
}

impl From<PhotoId> for Cursor {
    fn from(photo: PhotoId) -> Self {
        Self::Upload(photo)
    }
}

impl Cursor {
    /// The gallery order this cursor continues; `None` for upload order (no client order).
    pub fn order(&self) -> Option<PhotoOrder> {
        match self {
            Self::Upload(_) => None,
            Self::Indexed {
                order: IndexedOrder::CaptureTime,
                ..
            } => Some(PhotoOrder::CaptureTime),
            Self::Indexed {
                order: IndexedOrder::Filename,
                ..
            } => Some(PhotoOrder::Filename),
            Self::Manual { .. } => Some(PhotoOrder::Manual),
        }
    }

    fn encode(&self) -> Vec<u8> {
        match self {
            Self::Upload(photo) => photo.as_uuid().as_bytes().to_vec(),
            Self::Indexed { order, key } => {
                let mut bytes = Vec::with_capacity(1 + key.len());
                bytes.push(match order {
                    IndexedOrder::CaptureTime => b'C',
                    IndexedOrder::Filename => b'F',
                });
                bytes.extend_from_slice(key.as_bytes());
                bytes
            }
            Self::Manual { revision, read } => {
                let mut bytes = Vec::with_capacity(MANUAL_LEN);
                bytes.push(b'M');
                bytes.extend_from_slice(&revision.to_be_bytes());
                bytes.extend_from_slice(&read.to_be_bytes());
                bytes
            }
        }
    }

    fn decode(bytes: &[u8]) -> Option<Self> {
        if let Ok(id) = <[u8; 16]>::try_from(bytes) {
            return Some(Self::Upload(PhotoId::from_uuid(Uuid::from_bytes(id))));
        }
        let (&tag, rest) = bytes.split_first()?;
        let indexed = |order| {
            // An index key ends with a photo id (36 characters), and fits a DynamoDB sort key.
            let key = std::str::from_utf8(rest).ok()?;
            (INDEX_KEY_LEN.contains(&key.len())).then(|| Self::Indexed {
                order,
                key: key.to_owned(),
            })
        };
        match tag {
            b'C' => indexed(IndexedOrder::CaptureTime),
            b'F' => indexed(IndexedOrder::Filename),
            b'M' if bytes.len() == MANUAL_LEN => Some(Self::Manual {
                revision: u64::from_be_bytes(rest[..8].try_into().ok()?),
                read: u32::from_be_bytes(rest[8..].try_into().ok()?),
            }),
            _ => None,
        }
    }
}

/// Tag, revision, entries read.
const MANUAL_LEN: usize = 1 + 8 + 4;
/// The lengths an index key can have: at least a separator and a photo id, at most DynamoDB's
/// limit for a sort key.
const INDEX_KEY_LEN: std::ops::RangeInclusive<usize> = 37..=1024;

impl PhotoPage {
    /// Enough for a gallery page to fill a screen or two without a second request; at most
    /// 500, because every photo on a page gets presigned URLs: keep a response quick and small.
    pub const SIZE: PageSize = PageSize {
        default: 100,
        max: 500,
    };

    /// The page asked for by the `limit` and `cursor` query parameters, both optional.
    pub fn parse(limit: Option<&str>, cursor: Option<&str>) -> Result<Self, Invalid> {
        let limit = Self::SIZE.parse(limit)?;
        let after = cursor.map(decode_cursor).transpose()?;
        Ok(Self { limit, after })
    }
}

/// The cursor of the page that follows a page ending at `last` (a photo id: upload order).
pub fn cursor_after(last: impl Into<Cursor>) -> String {
    URL_SAFE_NO_PAD.encode(last.into().encode())
}

fn decode_cursor(raw: &str) -> Result<Cursor, Invalid> {
    let refused = || Invalid::new("cursor", "is not a cursor from a previous page");
    let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| refused())?;
    Cursor::decode(&bytes).ok_or_else(refused)
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

    #[test]
    fn a_cursor_says_which_order_it_was_made_in() {
        let photo = PhotoId::from_uuid(Uuid::now_v7());
        let capture = Cursor::Indexed {
            order: IndexedOrder::CaptureTime,
            key: crate::photo_order::capture_order_key(1_700_000_000, photo),
        };
        let filename = Cursor::Indexed {
            order: IndexedOrder::Filename,
            key: crate::photo_order::filename_order_key("IMG_2.jpg", photo),
        };
        let manual = Cursor::Manual {
            revision: 7,
            read: 300,
        };
        for (cursor, order) in [
            (Cursor::Upload(photo), None),
            (capture, Some(PhotoOrder::CaptureTime)),
            (filename, Some(PhotoOrder::Filename)),
            (manual, Some(PhotoOrder::Manual)),
        ] {
            let raw = cursor_after(cursor.clone());
            let parsed = PhotoPage::parse(None, Some(&raw)).unwrap().after.unwrap();
            assert_eq!(parsed.order(), order, "{raw}");
            assert_eq!(parsed, cursor);
        }
    }

    #[test]
    fn index_cursors_hold_a_whole_key_in_utf8() {
        let encode = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
        let mut not_utf8 = b"F".to_vec();
        not_utf8.extend_from_slice(&[0xFF; 40]);
        let mut too_short = b"C".to_vec();
        too_short.extend_from_slice(&[b'0'; 20]);
        let mut too_long = b"F".to_vec();
        too_long.extend_from_slice(&[b'a'; 1025]);
        let manual_short = b"M\0\0\0\0\0\0\0\x01\0\0\0".to_vec();
        for bytes in [not_utf8, too_short, too_long, manual_short, b"X".repeat(40)] {
            let err = PhotoPage::parse(None, Some(&encode(&bytes))).unwrap_err();
            assert_eq!(err.field, "cursor");
        }
    }

    proptest! {
        #[test]
        fn any_cursor_is_read_back_as_made(key in "[ -~é]{37,80}", revision in any::<u64>(), read in any::<u32>(), filename in any::<bool>()) {
            let order = if filename { IndexedOrder::Filename } else { IndexedOrder::CaptureTime };
            for cursor in [Cursor::Indexed { order, key: key.clone() }, Cursor::Manual { revision, read }] {
                let page = PhotoPage::parse(None, Some(&cursor_after(cursor.clone()))).unwrap();
                prop_assert_eq!(page.after, Some(cursor));
            }
        }

        #[test]
        fn a_cursor_names_exactly_the_photo_it_was_made_from(bytes in any::<[u8; 16]>()) {
            let id = PhotoId::from_uuid(Uuid::from_bytes(bytes));
            let page = PhotoPage::parse(None, Some(&cursor_after(id))).unwrap();
            prop_assert_eq!(page.after, Some(Cursor::Upload(id)));
        }

        #[test]
        fn any_accepted_cursor_is_the_one_its_photo_would_get(raw in "[A-Za-z0-9_-]{22}") {
            if let Ok(PhotoPage { after: Some(cursor), .. }) = PhotoPage::parse(None, Some(&raw)) {
                prop_assert_eq!(cursor_after(cursor), raw);
            }
        }
    }
}
