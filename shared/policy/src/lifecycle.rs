//! A gallery's life (issue 11, first step: the rules, not yet wired to routes): when its links
//! stop working, when clients are reminded of that, and in which order its photos are shown.

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
