//! A gallery's life: when its links stop working, when clients are reminded of that (the expiry
//! sweep and every link check call these), and in which order its photos are shown.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use crate::Invalid;

const DAY_SECS: u64 = 24 * 60 * 60;

/// When a client's link stops working: the gallery's date, or the grant's own when it is
/// earlier. A grant's date can only shorten the gallery's, never lengthen it.
pub fn effective_expiry(gallery: Option<u64>, grant: Option<u64>) -> Option<u64> {
    match (gallery, grant) {
        (Some(g), Some(own)) => Some(g.min(own)),
        (date, None) | (None, date) => date,
    }
}

/// Whether a link whose effective expiry is `expires_at` has stopped working at `now`.
pub fn is_expired(expires_at: Option<u64>, now: u64) -> bool {
    expires_at.is_some_and(|at| now >= at)
}

/// The latest expiry a photographer can set (1 January 2100): a later date is a typo, and "never"
/// is `null`.
pub const LATEST_EXPIRY: u64 = 4_102_444_800;

/// An expiry date the photographer chose, checked: any moment up to [`LATEST_EXPIRY`]. A date
/// already past is allowed: it closes the links now, and moving it forward opens them again.
pub fn check_expiry(field: &'static str, at: u64) -> Result<u64, Invalid> {
    if at > LATEST_EXPIRY {
        return Err(Invalid::new(
            field,
            "must be before 2100 (or null for no expiry)",
        ));
    }
    Ok(at)
}

/// What falls due on a link's way to its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Due {
    /// Remind every client whose link ends then, `days` ahead.
    Reminder { days: u32 },
    /// Tell the photographer the gallery has expired.
    Expired,
}

impl Due {
    /// Short and stable, for keys: `7d`, `expired`.
    pub fn tag(self) -> String {
        match self {
            Self::Reminder { days } => format!("{days}d"),
            Self::Expired => "expired".to_owned(),
        }
    }
}

/// How many days before a gallery expires its clients are reminded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderDays(Vec<u32>);

impl Default for ReminderDays {
    /// A week ahead, and the day before.
    fn default() -> Self {
        Self(vec![7, 1])
    }
}

impl ReminderDays {
    /// The most reminders a client gets per date: more would be spam.
    pub const MAX: usize = 5;
    /// The furthest ahead a reminder may go.
    pub const MAX_DAYS: u32 = 90;

    /// From configuration: comma-separated whole days (`"7,1"`), each 1 to 90, at most 5.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let invalid = || {
            Invalid::new(
                "EXPIRY_REMINDER_DAYS",
                format!(
                    "comma-separated whole days from 1 to {}, at most {}",
                    Self::MAX_DAYS,
                    Self::MAX
                ),
            )
        };
        let mut days = raw
            .split(',')
            .map(|d| d.trim().parse::<u32>().map_err(|_| invalid()))
            .collect::<Result<Vec<_>, _>>()?;
        if days.is_empty() || days.len() > Self::MAX {
            return Err(invalid());
        }
        if days.iter().any(|d| !(1..=Self::MAX_DAYS).contains(d)) {
            return Err(invalid());
        }
        // Furthest first; a day named twice is one reminder.
        days.sort_unstable_by(|a, b| b.cmp(a));
        days.dedup();
        Ok(Self(days))
    }

    pub fn days(&self) -> &[u32] {
        &self.0
    }

    /// When each reminder for `expires_at` falls due, furthest first. A reminder whose moment
    /// was already past when the date was set (`set_at`) is not sent: a gallery set to expire in
    /// two days gets its one-day reminder, not a late "one week left".
    pub fn due_times(&self, expires_at: u64, set_at: u64) -> Vec<(u32, u64)> {
        self.0
            .iter()
            .filter_map(|&days| {
                let due = expires_at.checked_sub(u64::from(days) * DAY_SECS)?;
                (due >= set_at).then_some((days, due))
            })
            .collect()
    }
}

/// Whether a reminder of `days` ahead still tells the truth at `now` for a link ending at
/// `expires_at`: more than `days - 1` days are left (a sweep that ran late, or a schedule
/// written again, must not promise a week when a day is left; the nearer reminder covers it).
pub fn reminder_is_timely(days: u32, expires_at: u64, now: u64) -> bool {
    let left = expires_at.saturating_sub(now);
    left > u64::from(days.saturating_sub(1)) * DAY_SECS
}

impl ReminderDays {
    /// Everything due for a date `expires_at` set at `set_at`, each with its moment: the
    /// reminders still ahead and, for a gallery (`tell_photographer`), the notice at the end.
    pub fn schedule(
        &self,
        expires_at: u64,
        set_at: u64,
        tell_photographer: bool,
    ) -> Vec<(Due, u64)> {
        let mut due: Vec<(Due, u64)> = self
            .due_times(expires_at, set_at)
            .into_iter()
            .map(|(days, at)| (Due::Reminder { days }, at))
            .collect();
        if tell_photographer {
            due.push((Due::Expired, expires_at));
        }
        due
    }
}

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
    fn a_grant_can_only_shorten_the_gallerys_date() {
        assert_eq!(effective_expiry(Some(100), Some(50)), Some(50));
        assert_eq!(effective_expiry(Some(100), Some(500)), Some(100));
        assert_eq!(effective_expiry(None, Some(500)), Some(500));
        assert_eq!(effective_expiry(Some(100), None), Some(100));
        assert_eq!(effective_expiry(None, None), None);
        assert!(!is_expired(Some(100), 99));
        assert!(is_expired(Some(100), 100));
        assert!(!is_expired(None, u64::MAX));
    }

    #[test]
    fn reminders_default_to_a_week_and_a_day_before() {
        let days = ReminderDays::default();
        assert_eq!(days.days(), [7, 1]);
        let expires = 100 * DAY_SECS;
        assert_eq!(
            days.due_times(expires, 0),
            [(7, 93 * DAY_SECS), (1, 99 * DAY_SECS)]
        );
        // Set two days ahead: only the day-before reminder is still to come.
        assert_eq!(days.due_times(expires, 98 * DAY_SECS), [(1, 99 * DAY_SECS)]);
        assert!(days.due_times(DAY_SECS / 2, 0).is_empty());
    }

    #[test]
    fn a_gallery_date_schedules_its_reminders_and_the_photographers_notice() {
        let days = ReminderDays::default();
        let expires = 100 * DAY_SECS;
        assert_eq!(
            days.schedule(expires, 95 * DAY_SECS, true),
            [
                (Due::Reminder { days: 1 }, 99 * DAY_SECS),
                (Due::Expired, expires)
            ]
        );
        // A link's own date: its client is reminded, the photographer hears of galleries only.
        assert_eq!(
            days.schedule(expires, 0, false),
            [
                (Due::Reminder { days: 7 }, 93 * DAY_SECS),
                (Due::Reminder { days: 1 }, 99 * DAY_SECS)
            ]
        );
        assert_eq!(Due::Reminder { days: 7 }.tag(), "7d");
        assert_eq!(Due::Expired.tag(), "expired");
    }

    #[test]
    fn a_late_reminder_never_promises_more_time_than_is_left() {
        let expires = 100 * DAY_SECS;
        // On time, or up to a day late: still true.
        assert!(reminder_is_timely(7, expires, 93 * DAY_SECS));
        assert!(reminder_is_timely(7, expires, 94 * DAY_SECS - 1));
        assert!(!reminder_is_timely(7, expires, 94 * DAY_SECS));
        // Twelve hours left: only "tomorrow" is true.
        assert!(!reminder_is_timely(7, expires, expires - DAY_SECS / 2));
        assert!(reminder_is_timely(1, expires, expires - DAY_SECS / 2));
        assert!(!reminder_is_timely(1, expires, expires));
    }

    #[test]
    fn an_expiry_is_any_date_before_2100() {
        assert_eq!(check_expiry("expires_at", 0), Ok(0));
        assert_eq!(check_expiry("expires_at", LATEST_EXPIRY), Ok(LATEST_EXPIRY));
        let late = check_expiry("expires_at", LATEST_EXPIRY + 1).unwrap_err();
        assert_eq!(late.field, "expires_at");
    }

    #[test]
    fn reminder_days_come_from_configuration() {
        assert_eq!(
            ReminderDays::parse(" 1, 7,14,7").unwrap().days(),
            [14, 7, 1]
        );
        for bad in ["", "0", "91", "x", "1,2,3,4,5,6", "1,,2", "-1"] {
            assert!(ReminderDays::parse(bad).is_err(), "{bad:?}");
        }
    }

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

// ---------------------------------------------------------------------------------------------
// Photo order: the index keys that make each order a range of one index, and the photographer's
// own arrangement.
// ---------------------------------------------------------------------------------------------

use crate::PhotoId;

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
