//! When a client's link stops working, and when its client and the photographer are told so
//! before and after: the rules the expiry sweep and every link check call.

use serde::{Deserialize, Serialize};

use crate::Invalid;

const DAY_SECS: u64 = 24 * 60 * 60;

/// When a client's link stops working, and whether it has: the gallery's date, or the link's
/// own when that is earlier (a link's date can only shorten the gallery's, never lengthen it).
/// Everything that lets a client in, shows them a date or builds for them asks this one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkLife {
    /// `None`: the link never closes by date.
    pub ends: Option<u64>,
}

impl LinkLife {
    pub fn of(gallery_expiry: Option<u64>, link_expiry: Option<u64>) -> Self {
        let ends = match (gallery_expiry, link_expiry) {
            (Some(gallery), Some(own)) => Some(gallery.min(own)),
            (date, None) | (None, date) => date,
        };
        Self { ends }
    }

    /// When the link closed, if it has by `now`.
    pub fn closed_at(self, now: u64) -> Option<u64> {
        self.ends.filter(|at| now >= *at)
    }

    pub fn is_open(self, now: u64) -> bool {
        self.closed_at(now).is_none()
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grant_can_only_shorten_the_gallerys_date() {
        let ends = |gallery, link| LinkLife::of(gallery, link).ends;
        assert_eq!(ends(Some(100), Some(50)), Some(50));
        assert_eq!(ends(Some(100), Some(500)), Some(100));
        assert_eq!(ends(None, Some(500)), Some(500));
        assert_eq!(ends(Some(100), None), Some(100));
        assert_eq!(ends(None, None), None);
        let dated = LinkLife::of(Some(100), None);
        assert!(dated.is_open(99));
        assert_eq!(dated.closed_at(100), Some(100));
        assert!(LinkLife::of(None, None).is_open(u64::MAX));
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
}
