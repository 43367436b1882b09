//! The order a gallery's photos are shown in: file names compared as people read them, the
//! index keys that make each order a range of one index, and the photographer's own arrangement.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use crate::{Invalid, PhotoId};

/// The order a gallery's photos are shown in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhotoOrder {
    /// When each photo was taken (EXIF DateTimeOriginal), else when it was uploaded.
    #[default]
    CaptureTime,
    /// By file name, numbers by value: `IMG_2` before `IMG_10`.
    Filename,
    /// As the photographer arranged them.
    Manual,
}

/// Compares file names as people read them: case aside, and runs of digits by their value
/// (`IMG_2.jpg` before `IMG_10.jpg`; `a01` and `a1` are the same number, the shorter first).
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.chars().peekable(), b.chars().peekable());
    loop {
        match (a.peek().copied(), b.peek().copied()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let (m, n) = (digits(&mut a), digits(&mut b));
                let (m_value, n_value) = (m.trim_start_matches('0'), n.trim_start_matches('0'));
                let by_value = m_value
                    .len()
                    .cmp(&n_value.len())
                    .then_with(|| m_value.cmp(n_value))
                    .then_with(|| m.len().cmp(&n.len()));
                if by_value != Ordering::Equal {
                    return by_value;
                }
            }
            (Some(x), Some(y)) => {
                let by_letter = x.to_lowercase().cmp(y.to_lowercase());
                if by_letter != Ordering::Equal {
                    return by_letter;
                }
                a.next();
                b.next();
            }
        }
    }
}

fn digits(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> String {
    let mut run = String::new();
    while let Some(c) = chars.next_if(char::is_ascii_digit) {
        run.push(c);
    }
    run
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn file_names_sort_as_people_read_them() {
        let mut names = vec![
            "IMG_10.jpg",
            "img_2.jpg",
            "IMG_1.jpg",
            "DSC_0099.jpg",
            "DSC_100.jpg",
            "IMG_02.jpg",
            "IMG.jpg",
        ];
        names.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            names,
            [
                "DSC_0099.jpg",
                "DSC_100.jpg",
                "IMG.jpg",
                "IMG_1.jpg",
                "img_2.jpg",
                "IMG_02.jpg",
                "IMG_10.jpg",
            ]
        );
        assert_eq!(natural_cmp("a", "a"), Ordering::Equal);
        assert_eq!(natural_cmp("a", "ab"), Ordering::Less);
        assert_eq!(
            natural_cmp("99999999999999999999999", "100000000000000000000000"),
            Ordering::Less,
            "numbers longer than any integer type"
        );
    }

    #[test]
    fn photo_order_is_named_in_snake_case() {
        assert_eq!(
            serde_json::to_string(&PhotoOrder::CaptureTime).unwrap(),
            "\"capture_time\""
        );
        assert_eq!(PhotoOrder::default(), PhotoOrder::CaptureTime);
    }

    proptest! {
        #[test]
        fn numbers_in_names_compare_by_value(prefix in "[a-zA-Z_]{0,6}", m in 0u64..100_000, n in 0u64..100_000) {
            let (a, b) = (format!("{prefix}{m}.jpg"), format!("{prefix}{n}.jpg"));
            prop_assert_eq!(natural_cmp(&a, &b), m.cmp(&n));
        }

        #[test]
        fn the_order_is_a_total_order(a in "[a-c0-9_]{0,6}", b in "[a-c0-9_]{0,6}", c in "[a-c0-9_]{0,6}") {
            prop_assert_eq!(natural_cmp(&a, &b), natural_cmp(&b, &a).reverse());
            if natural_cmp(&a, &b) != Ordering::Greater && natural_cmp(&b, &c) != Ordering::Greater {
                prop_assert_ne!(natural_cmp(&a, &c), Ordering::Greater);
            }
        }
    }
}

/// The moment a photo sorts by in capture order: when it was taken, else when it was uploaded.
pub fn capture_moment(captured_at: Option<u64>, uploaded_at: u64) -> u64 {
    captured_at.unwrap_or(uploaded_at)
}

/// The largest moment a capture key can hold (12 digits: the year 33658).
const MAX_CAPTURE_MOMENT: u64 = 999_999_999_999;

/// A photo's place in capture order as a string that sorts byte-wise as the order does: the
/// moment ([`capture_moment`], zero-padded), then the photo id for photos of the same second
/// (ids are time-ordered: upload order breaks the tie).
pub fn capture_order_key(moment: u64, photo: PhotoId) -> String {
    format!("{:012}#{photo}", moment.min(MAX_CAPTURE_MOMENT))
}

/// A photo's place in file-name order as a string that sorts byte-wise as the order does:
/// [`natural_sort_key`] of its name, a space, then the photo id for names that compare equal.
/// The space sorts before every byte a natural key can start an element with, so a name that is
/// a prefix of another still sorts first.
pub fn filename_order_key(name: &str, photo: PhotoId) -> String {
    let mut key = natural_sort_key(name);
    key.push(' ');
    key.push_str(&photo.to_string());
    key
}

/// The longest natural key, in bytes: with the separator and a photo id it stays under
/// DynamoDB's 1024-byte limit for a sort key.
pub const NATURAL_KEY_MAX_BYTES: usize = 900;

/// A file name as a string whose byte order is [`natural_cmp`]'s, so an index can sort by it:
/// each character lowercased, each run of digits as the length of its value (itself
/// length-prefixed), the value without leading zeros, then the number of leading zeros. Every
/// element is prefix-free and starts with a byte above a space: `!` escapes the characters up
/// to `!`, numbers start with a digit (between the characters below `0` and those above `9`, as
/// in `natural_cmp`), and `İ`, the one character whose lowercase is two (`i` and a combining
/// dot), is `i` followed by U+10FFFF, so it sorts after `i` whatever follows.
///
/// Agrees with `natural_cmp` for every name without U+10FFFF (a noncharacter) whose key fits
/// [`NATURAL_KEY_MAX_BYTES`] (any name of up to 255 characters below U+10000; longer keys are
/// cut at an element, and names that agree that far are ordered by photo id).
pub fn natural_sort_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len() + 8);
    let mut chars = name.chars().peekable();
    while let Some(&c) = chars.peek() {
        let element_start = key.len();
        if c.is_ascii_digit() {
            let run = digits(&mut chars);
            let value = run.trim_start_matches('0');
            push_count(&mut key, value.len());
            key.push_str(value);
            push_count(&mut key, run.len() - value.len());
        } else {
            chars.next();
            match c {
                '\0'..='!' => {
                    key.push('!');
                    key.push(char::from_u32(u32::from(c) + 1).unwrap_or('"'));
                }
                '\u{130}' => key.push_str("i\u{10FFFF}"),
                _ => key.extend(c.to_lowercase()),
            }
        }
        if key.len() > NATURAL_KEY_MAX_BYTES {
            key.truncate(element_start);
            break;
        }
    }
    key
}

/// A count as its decimal digits, after one digit saying how many there are: shorter numbers
/// sort first, so the strings sort as the numbers do.
fn push_count(key: &mut String, n: usize) {
    let decimal = n.to_string();
    key.push(char::from(b'0' + decimal.len().min(9) as u8));
    key.push_str(&decimal);
}

/// The most photos a manual order holds: its list is one DynamoDB item (400 KB).
pub const MAX_MANUAL_PHOTOS: usize = 9_000;

/// The photographer's arrangement of a gallery: the photos `named` (ids as sent), then every
/// other ready photo in capture order. `ready` holds each ready photo with its
/// [`capture_moment`]. A name that is not a ready photo of the gallery (malformed, unknown,
/// another gallery's, still uploading) or comes twice is refused, naming its position.
pub fn manual_arrangement(
    named: &[String],
    ready: &[(PhotoId, u64)],
) -> Result<Vec<PhotoId>, Invalid> {
    let refuse = |reason: String| Invalid::new("photo_ids", reason);
    if named.len() > MAX_MANUAL_PHOTOS || ready.len() > MAX_MANUAL_PHOTOS {
        return Err(refuse(format!(
            "a manual order holds at most {MAX_MANUAL_PHOTOS} photos"
        )));
    }
    let moments: std::collections::HashMap<PhotoId, u64> = ready.iter().copied().collect();
    let mut placed = std::collections::HashSet::with_capacity(named.len());
    let mut order = Vec::with_capacity(ready.len());
    for (i, raw) in named.iter().enumerate() {
        let quoted: String = raw.chars().take(40).collect();
        let id = PhotoId::parse(raw)
            .ok()
            .filter(|id| moments.contains_key(id))
            .ok_or_else(|| {
                refuse(format!(
                    "[{i}] {quoted:?} is not a ready photo of this gallery"
                ))
            })?;
        if !placed.insert(id) {
            return Err(refuse(format!("[{i}] {quoted:?} is named twice")));
        }
        order.push(id);
    }
    let mut rest: Vec<(u64, PhotoId)> = ready
        .iter()
        .filter(|(id, _)| !placed.contains(id))
        .map(|&(id, moment)| (moment, id))
        .collect();
    rest.sort_unstable();
    order.extend(rest.into_iter().map(|(_, id)| id));
    Ok(order)
}

#[cfg(test)]
mod order_tests {
    use super::*;
    use proptest::prelude::*;
    use uuid::Uuid;

    fn id(n: u128) -> PhotoId {
        PhotoId::from_uuid(Uuid::from_u128(n))
    }

    #[test]
    fn natural_keys_sort_names_as_people_read_them() {
        let mut names = vec![
            "IMG_10.jpg",
            "img_2.jpg",
            "IMG_1.jpg",
            "DSC_0099.jpg",
            "DSC_100.jpg",
            "IMG_02.jpg",
            "IMG.jpg",
            "IMG 3.jpg",
            "IMG!3.jpg",
        ];
        names.sort_by_key(|n| natural_sort_key(n));
        let mut by_cmp = names.clone();
        by_cmp.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(names, by_cmp);
        assert_eq!(
            names[..7],
            [
                "DSC_0099.jpg",
                "DSC_100.jpg",
                "IMG 3.jpg",
                "IMG!3.jpg",
                "IMG.jpg",
                "IMG_1.jpg",
                "img_2.jpg",
            ]
        );
        assert_eq!(natural_sort_key("IMG_2.jpg"), "img_11210.jpg");
    }

    #[test]
    fn a_capital_dotted_i_sorts_after_i_whatever_follows() {
        for (a, b) in [
            ("iz", "İa"),
            ("i\u{5d0}", "İ"),
            ("i\u{307}", "İ"),
            ("İ", "j"),
        ] {
            assert_eq!(natural_cmp(a, b), Ordering::Less, "{a} {b}");
            assert!(natural_sort_key(a) < natural_sort_key(b), "{a} {b}");
        }
    }

    #[test]
    fn long_names_keep_keys_within_dynamodbs_limit() {
        for name in [
            "😀".repeat(255),
            "İ".repeat(255),
            "9".repeat(255),
            "a".repeat(255),
        ] {
            let key = filename_order_key(&name, id(u128::MAX));
            assert!(key.len() <= 1024, "{}", key.len());
        }
        // Numbers of any length compare by value.
        let (short, long) = ("9".repeat(200), format!("1{}", "0".repeat(200)));
        assert!(natural_sort_key(&short) < natural_sort_key(&long));
    }

    #[test]
    fn capture_keys_sort_by_moment_then_id() {
        assert!(capture_order_key(99, id(2)) < capture_order_key(100, id(1)));
        assert!(capture_order_key(100, id(1)) < capture_order_key(100, id(2)));
        assert_eq!(capture_moment(None, 5), 5);
        assert_eq!(capture_moment(Some(3), 5), 3);
        assert_eq!(capture_order_key(u64::MAX, id(1)).len(), 12 + 1 + 36);
    }

    #[test]
    fn an_arrangement_puts_the_named_first_and_the_rest_in_capture_order() {
        let ready = [(id(1), 30), (id(2), 10), (id(3), 20), (id(4), 10)];
        let named = [id(3).to_string(), id(1).to_string()];
        assert_eq!(
            manual_arrangement(&named, &ready).unwrap(),
            [id(3), id(1), id(2), id(4)]
        );
        assert_eq!(
            manual_arrangement(&[], &ready).unwrap(),
            [id(2), id(4), id(3), id(1)]
        );
    }

    #[test]
    fn an_arrangement_refuses_unknown_malformed_and_repeated_ids() {
        let ready = [(id(1), 1), (id(2), 2)];
        for named in [
            vec![id(9).to_string()],
            vec!["not an id".to_owned()],
            vec![id(1).to_string(), id(2).to_string(), id(1).to_string()],
        ] {
            let refused = manual_arrangement(&named, &ready).unwrap_err();
            assert_eq!(refused.field, "photo_ids", "{named:?}");
        }
        let too_many = vec![id(1).to_string(); MAX_MANUAL_PHOTOS + 1];
        assert!(manual_arrangement(&too_many, &ready).is_err());
    }

    proptest! {
        #[test]
        fn natural_keys_sort_as_natural_cmp(
            a in "[a-cA-C0-9 !._#~éÉßİ\u{5d0}\u{307}]{0,10}",
            b in "[a-cA-C0-9 !._#~éÉßİ\u{5d0}\u{307}]{0,10}",
        ) {
            prop_assert_eq!(natural_sort_key(&a).cmp(&natural_sort_key(&b)), natural_cmp(&a, &b));
        }

        #[test]
        fn filename_keys_break_ties_by_photo_id(
            a in "[a-bA-B0-2 !.]{0,6}",
            b in "[a-bA-B0-2 !.]{0,6}",
            x in any::<u128>(),
            y in any::<u128>(),
        ) {
            let expected = natural_cmp(&a, &b).then(id(x).cmp(&id(y)));
            prop_assert_eq!(filename_order_key(&a, id(x)).cmp(&filename_order_key(&b, id(y))), expected);
        }

        #[test]
        fn capture_keys_sort_as_moment_then_id(m in 0u64..2_000_000_000_000, n in 0u64..2_000_000_000_000, x in any::<u128>(), y in any::<u128>()) {
            let capped = |v: u64| v.min(MAX_CAPTURE_MOMENT);
            let expected = capped(m).cmp(&capped(n)).then(id(x).cmp(&id(y)));
            prop_assert_eq!(capture_order_key(m, id(x)).cmp(&capture_order_key(n, id(y))), expected);
        }
    }
}
