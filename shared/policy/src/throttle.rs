//! How fast a link's password may be guessed: budgets of tries per source and per link, and
//! the windows they are counted in. The store reserves tries with conditional writes; this
//! module only decides.

use std::net::{IpAddr, Ipv6Addr};

/// Password guessing on a link is budgeted twice per window: per source (one network address),
/// so a guesser spends only their own tries; and per link, a ceiling that still caps a guesser
/// spread over many addresses. Tries are reserved atomically *before* the slow hash check, so
/// concurrent guesses can't slip past, and a right password gives its try back: only wrong
/// tries use the budgets up, so a wedding's guests unlocking at once from the venue's one
/// address don't lock each other out. A device that unlocked the link recently under its
/// current password (see [`crate::SessionClaims::marks_known_device`]) skips the link's ceiling, so a
/// guesser spread over many addresses can't lock returning clients out. The window is short: any lockout lasts
/// minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnlockThrottle {
    pub max_attempts: u32,
}

/// A budget a password try is counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryBudget {
    /// The tries of one source on one link.
    Source,
    /// The tries of all sources together on one link.
    Link,
    /// Email captures (`identify`) of one source on one general link: each sends an email and
    /// tells whether an address already has access, so they are budgeted like guesses.
    Identify,
    /// Email captures of all sources together on one general link: a ceiling on the emails a
    /// link can be made to send, however many addresses a sender cycles through.
    IdentifyLink,
    /// Emails one address may be sent through captures on one link. When it is spent the
    /// capture still answers as usual, it just sends nothing: a flood of captures can neither
    /// fill an inbox nor lock the address's owner out with a refusal.
    IdentifyEmail,
    /// Wrong access codes of one source on one photographer's login page.
    LoginSource,
    /// Wrong access codes of all sources together on one login page: a ceiling on guessing
    /// spread over many addresses.
    LoginPage,
}

impl TryBudget {
    pub fn throttle(self) -> UnlockThrottle {
        match self {
            Self::Source => UnlockThrottle::PER_SOURCE,
            Self::Link => UnlockThrottle::PER_LINK,
            Self::Identify => UnlockThrottle::IDENTIFY_PER_SOURCE,
            Self::IdentifyLink => UnlockThrottle::IDENTIFY_PER_LINK,
            Self::IdentifyEmail => UnlockThrottle::IDENTIFY_EMAILS_PER_ADDRESS,
            Self::LoginSource => UnlockThrottle::LOGIN_PER_SOURCE,
            Self::LoginPage => UnlockThrottle::LOGIN_PER_PAGE,
        }
    }
}

// One source can never use up a link's budget on its own.
const _: () =
    assert!(UnlockThrottle::PER_SOURCE.max_attempts < UnlockThrottle::PER_LINK.max_attempts);
const _: () = assert!(
    UnlockThrottle::LOGIN_PER_SOURCE.max_attempts < UnlockThrottle::LOGIN_PER_PAGE.max_attempts
);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnlockVerdict {
    /// Count this try in the current window.
    CountInWindow,
    /// The window is over: start a new one with this try.
    StartWindow,
    /// Too many tries: come back after this many seconds.
    Wait { retry_after_secs: u64 },
}

impl UnlockThrottle {
    /// Wrong tries one source may make on one link per window.
    pub const PER_SOURCE: Self = Self { max_attempts: 10 };
    /// Wrong tries all sources together may make on one link per window.
    pub const PER_LINK: Self = Self { max_attempts: 50 };
    /// Email captures one source may make on one general link per window.
    pub const IDENTIFY_PER_SOURCE: Self = Self { max_attempts: 10 };
    /// Email captures all sources together may make on one general link per window: room for
    /// a wedding's guests arriving at once, not for a spam run.
    pub const IDENTIFY_PER_LINK: Self = Self { max_attempts: 100 };
    /// Capture emails one address may be sent through one link per window.
    pub const IDENTIFY_EMAILS_PER_ADDRESS: Self = Self { max_attempts: 3 };
    /// Wrong access codes one source may try on one login page per window.
    pub const LOGIN_PER_SOURCE: Self = Self { max_attempts: 10 };
    /// Wrong access codes all sources together may try on one login page per window. Right
    /// codes give their try back, so clients logging in never use it up; with 59-bit codes, even
    /// a full ceiling every window for a year finds none.
    pub const LOGIN_PER_PAGE: Self = Self { max_attempts: 100 };
    pub const WINDOW_SECS: u64 = 15 * 60;

    pub fn verdict(
        &self,
        attempts_in_window: u32,
        window_started_at: u64,
        now: u64,
    ) -> UnlockVerdict {
        let window_ends = Self::window_end(window_started_at);
        if now >= window_ends {
            UnlockVerdict::StartWindow
        } else if attempts_in_window < self.max_attempts {
            UnlockVerdict::CountInWindow
        } else {
            UnlockVerdict::Wait {
                retry_after_secs: window_ends - now,
            }
        }
    }

    /// The budgets a try is counted against, in order: the source's first, so a guesser locked
    /// out by their own never touches the link's; a known device skips the link's ceiling.
    pub fn budgets(known_device: bool) -> &'static [TryBudget] {
        if known_device {
            &[TryBudget::Source]
        } else {
            &[TryBudget::Source, TryBudget::Link]
        }
    }

    /// The budgets an access-code try on a login page is counted against, the source's first; a
    /// device that logged in to this page recently skips the page's ceiling.
    pub fn login_budgets(known_device: bool) -> &'static [TryBudget] {
        if known_device {
            &[TryBudget::LoginSource]
        } else {
            &[TryBudget::LoginSource, TryBudget::LoginPage]
        }
    }

    /// Windows that started before this instant are over.
    pub fn window_cutoff(now: u64) -> u64 {
        now.saturating_sub(Self::WINDOW_SECS)
    }

    pub fn window_end(window_started_at: u64) -> u64 {
        window_started_at.saturating_add(Self::WINDOW_SECS)
    }

    /// The source a try is counted against: an IPv4 address, or the /64 network of an IPv6
    /// address (one subscriber's usual allocation, whose addresses a guesser can cycle through).
    /// Tries from an unknown address share one source.
    pub fn source(ip: Option<IpAddr>) -> String {
        match ip.map(|ip| ip.to_canonical()) {
            Some(IpAddr::V4(v4)) => v4.to_string(),
            Some(IpAddr::V6(v6)) => {
                let network = u128::from(v6) & !(u128::MAX >> 64);
                format!("{}/64", Ipv6Addr::from(network))
            }
            None => "unknown".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Within one window, never more than MAX_ATTEMPTS tries are let through.
        #[test]
        fn at_most_max_attempts_per_window(start in 0u64..1_000_000, offsets in proptest::collection::vec(0u64..UnlockThrottle::WINDOW_SECS, 0..200), per_source in any::<bool>()) {
            let throttle = if per_source { UnlockThrottle::PER_SOURCE } else { UnlockThrottle::PER_LINK };
            let mut attempts = 1; // the try that started the window
            let mut allowed = 1;
            let mut sorted = offsets;
            sorted.sort_unstable();
            for offset in sorted {
                match throttle.verdict(attempts, start, start + offset) {
                    UnlockVerdict::CountInWindow => { attempts += 1; allowed += 1; }
                    UnlockVerdict::StartWindow => unreachable!("still inside the window"),
                    UnlockVerdict::Wait { retry_after_secs } => {
                        prop_assert!(retry_after_secs <= UnlockThrottle::WINDOW_SECS);
                    }
                }
            }
            prop_assert!(allowed <= throttle.max_attempts);
        }
    }

    #[test]
    fn a_lockout_ends_with_its_window() {
        let throttle = UnlockThrottle::PER_SOURCE;
        let max = throttle.max_attempts;
        assert_eq!(
            throttle.verdict(max, 1000, 1000 + 60),
            UnlockVerdict::Wait {
                retry_after_secs: 840
            }
        );
        assert_eq!(
            throttle.verdict(max, 1000, 1000 + UnlockThrottle::WINDOW_SECS),
            UnlockVerdict::StartWindow
        );
    }

    #[test]
    fn a_known_device_skips_only_the_login_pages_ceiling() {
        assert_eq!(
            UnlockThrottle::login_budgets(false),
            [TryBudget::LoginSource, TryBudget::LoginPage]
        );
        assert_eq!(
            UnlockThrottle::login_budgets(true),
            [TryBudget::LoginSource]
        );
    }

    #[test]
    fn a_known_device_skips_only_the_link_ceiling() {
        assert_eq!(
            UnlockThrottle::budgets(false),
            [TryBudget::Source, TryBudget::Link]
        );
        assert_eq!(UnlockThrottle::budgets(true), [TryBudget::Source]);
    }

    #[test]
    fn ipv4_addresses_are_sources_of_their_own_and_ipv6_counts_per_64() {
        let source = |ip: &str| UnlockThrottle::source(Some(ip.parse().unwrap()));
        assert_eq!(source("203.0.113.7"), "203.0.113.7");
        assert_ne!(source("203.0.113.7"), source("203.0.113.8"));
        assert_eq!(source("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(
            source("2001:db8:1:2:aaaa::1"),
            source("2001:db8:1:2:ffff:1:2:3")
        );
        assert_ne!(source("2001:db8:1:2::1"), source("2001:db8:1:3::1"));
        assert_eq!(
            source("::ffff:203.0.113.7"),
            "203.0.113.7",
            "IPv4-mapped is IPv4"
        );
        assert_eq!(UnlockThrottle::source(None), "unknown");
    }
}
