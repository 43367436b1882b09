//! How fast a secret may be guessed: a link's password and a login page's access codes. Budgets
//! of tries per source, per known device and per link or page, and the windows they are counted
//! in. The store reserves tries with conditional writes; this module only decides.

use std::net::{IpAddr, Ipv6Addr};

/// Guessing is budgeted per window for every identity that can guess:
/// - per source (one network address), so a guesser spends only their own tries;
/// - per link (or login page), a ceiling that still caps new devices spread over many addresses;
/// - per known device: a device that opened the link (or logged in to the page) recently under
///   its current secret (see [`crate::SessionClaims::marks_known_device`]) has a budget of its
///   own, from any address, so whoever keeps or finds a client's old session can't guess without
///   bound from many addresses; and it is spared the new devices' ceiling, so guessers spread
///   over many addresses, who fill that ceiling, can't lock returning clients out.
///
/// Where known devices can be made at will, they meet no shared ceiling: anyone who knows a
/// link's password opens a new session, a new known device, each time they unlock, so a
/// ceiling on known devices would only let one visitor lock every returning client out, while
/// bounding no guess worth bounding (each of them already holds the password). On a login page
/// a known device is one client login, and making more takes other clients' codes: there known
/// devices count towards a page-wide ceiling of their own, higher than new devices'.
///
/// Tries are reserved atomically *before* the slow hash check, so concurrent guesses can't slip
/// past, and a right secret gives its try back: only wrong tries use the budgets up, so a
/// wedding's guests unlocking at once from the venue's one address don't lock each other out.
/// The window is short: any lockout lasts minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnlockThrottle {
    pub max_attempts: u32,
}

/// A budget a try is counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryBudget {
    /// The tries of one source on one link.
    Source,
    /// The tries of one known device on one link, from any source.
    Device,
    /// The tries of all new devices together on one link.
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
    /// Wrong access codes of one known device (a client login's earlier session) on one login
    /// page, from any source.
    LoginDevice,
    /// Wrong access codes of all new devices together on one login page: a ceiling on guessing
    /// spread over many addresses.
    LoginPage,
    /// Wrong access codes of all devices together on one login page, as a known device meets
    /// it: the count of [`Self::LoginPage`], a higher bound.
    LoginPageForKnownDevices,
    /// Requests for a studio sign-in link from one source, whatever the address: each may
    /// send an email, so a source can't make the studio mail the world.
    StudioSignIn,
    /// Sign-in links one address may be sent. When it is spent the request still answers as
    /// usual, it just sends nothing: the answer never tells a known address from another, and
    /// a flood of requests fills no inbox.
    StudioSignInEmail,
}

/// Whose tries a budget counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountedFor {
    /// The source's (or, for [`TryBudget::IdentifyEmail`], the address's) own.
    Source,
    /// The known device's own.
    Device,
    /// Everyone's on the link or page together.
    Everyone,
}

impl TryBudget {
    pub fn throttle(self) -> UnlockThrottle {
        match self {
            Self::Source => UnlockThrottle::PER_SOURCE,
            Self::Device => UnlockThrottle::PER_DEVICE,
            Self::Link => UnlockThrottle::PER_LINK,
            Self::Identify => UnlockThrottle::IDENTIFY_PER_SOURCE,
            Self::IdentifyLink => UnlockThrottle::IDENTIFY_PER_LINK,
            Self::IdentifyEmail => UnlockThrottle::IDENTIFY_EMAILS_PER_ADDRESS,
            Self::LoginSource => UnlockThrottle::LOGIN_PER_SOURCE,
            Self::LoginDevice => UnlockThrottle::LOGIN_PER_DEVICE,
            Self::LoginPage => UnlockThrottle::LOGIN_PER_PAGE,
            Self::LoginPageForKnownDevices => UnlockThrottle::LOGIN_PER_PAGE_FOR_KNOWN_DEVICES,
            Self::StudioSignIn => UnlockThrottle::STUDIO_SIGN_IN_PER_SOURCE,
            Self::StudioSignInEmail => UnlockThrottle::STUDIO_SIGN_IN_EMAILS_PER_ADDRESS,
        }
    }

    pub fn counted_for(self) -> CountedFor {
        match self {
            Self::Source
            | Self::Identify
            | Self::IdentifyEmail
            | Self::LoginSource
            | Self::StudioSignIn
            | Self::StudioSignInEmail => CountedFor::Source,
            Self::Device | Self::LoginDevice => CountedFor::Device,
            Self::Link | Self::IdentifyLink | Self::LoginPage | Self::LoginPageForKnownDevices => {
                CountedFor::Everyone
            }
        }
    }
}

/// Who makes a try, as the budgets count it: always a network source, and a known device when
/// the request shows one. Both are opaque tags: counters never store an address or a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Guesser<'a> {
    pub source: &'a str,
    pub known_device: Option<&'a str>,
}

impl<'a> Guesser<'a> {
    pub fn new_device(source: &'a str) -> Self {
        Self {
            source,
            known_device: None,
        }
    }

    pub fn known_device(source: &'a str, device: &'a str) -> Self {
        Self {
            source,
            known_device: Some(device),
        }
    }

    /// The tag a budget counts this guesser's tries under; `None` for everyone's budgets.
    pub fn tag(&self, budget: TryBudget) -> Option<&'a str> {
        match budget.counted_for() {
            CountedFor::Source => Some(self.source),
            CountedFor::Device => self.known_device,
            CountedFor::Everyone => None,
        }
    }
}

// One source or device can never use up a ceiling on its own, and known devices always have
// room above the new devices' ceiling.
const _: () = {
    use UnlockThrottle as T;
    assert!(T::PER_SOURCE.max_attempts < T::PER_LINK.max_attempts);
    assert!(T::PER_DEVICE.max_attempts < T::PER_LINK.max_attempts);
    assert!(T::LOGIN_PER_SOURCE.max_attempts < T::LOGIN_PER_PAGE.max_attempts);
    assert!(T::LOGIN_PER_DEVICE.max_attempts < T::LOGIN_PER_PAGE.max_attempts);
    assert!(T::LOGIN_PER_PAGE.max_attempts < T::LOGIN_PER_PAGE_FOR_KNOWN_DEVICES.max_attempts);
};

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
    /// Wrong tries one known device may make on one link per window, from any source.
    pub const PER_DEVICE: Self = Self { max_attempts: 10 };
    /// Wrong tries new devices together may make on one link per window.
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
    /// Wrong access codes one known device may try on one login page per window, from any
    /// source.
    pub const LOGIN_PER_DEVICE: Self = Self { max_attempts: 10 };
    /// Wrong access codes new devices together may try on one login page per window. Right
    /// codes give their try back, so clients logging in never use it up; with 59-bit codes, even
    /// a full ceiling every window for a year finds none.
    pub const LOGIN_PER_PAGE: Self = Self { max_attempts: 100 };
    /// Wrong access codes all devices together may try on one login page per window before
    /// known devices wait too.
    pub const LOGIN_PER_PAGE_FOR_KNOWN_DEVICES: Self = Self { max_attempts: 300 };
    /// Studio sign-in links asked for from one source per window.
    pub const STUDIO_SIGN_IN_PER_SOURCE: Self = Self { max_attempts: 10 };
    /// Studio sign-in links sent to one address per window: a photographer who lost one asks
    /// again, twice.
    pub const STUDIO_SIGN_IN_EMAILS_PER_ADDRESS: Self = Self { max_attempts: 3 };
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
            // A racing request may have read the clock after this one and started the window
            // a second "later" than now: the wait is never longer than a window.
            UnlockVerdict::Wait {
                retry_after_secs: window_ends - now.max(window_started_at),
            }
        }
    }

    /// The budgets a password try on a link is counted against, in order: the guesser's own
    /// first, so a guesser locked out by their own never touches the link's ceiling.
    pub fn budgets(guesser: &Guesser) -> &'static [TryBudget] {
        if guesser.known_device.is_some() {
            &[TryBudget::Source, TryBudget::Device]
        } else {
            &[TryBudget::Source, TryBudget::Link]
        }
    }

    /// The budgets an access-code try on a login page is counted against, in the same order.
    pub fn login_budgets(guesser: &Guesser) -> &'static [TryBudget] {
        if guesser.known_device.is_some() {
            &[
                TryBudget::LoginSource,
                TryBudget::LoginDevice,
                TryBudget::LoginPageForKnownDevices,
            ]
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
    use std::collections::HashMap;

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
    fn a_window_started_by_a_later_clock_reading_asks_no_longer_than_a_window() {
        // Seen under concurrency: another request read the clock a second after this one and
        // started the window at its own "now"; Retry-After said 901.
        let throttle = UnlockThrottle::PER_SOURCE;
        assert_eq!(
            throttle.verdict(throttle.max_attempts, 1001, 1000),
            UnlockVerdict::Wait {
                retry_after_secs: UnlockThrottle::WINDOW_SECS
            }
        );
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

    /// The store's reservation, as a model: a try is counted on each budget in turn, and given
    /// back to the earlier ones when a later one refuses. Counters are keyed as the store keys
    /// them: per source, per device, and one for everyone (both ceilings share it).
    fn reserve(
        counts: &mut HashMap<String, u32>,
        budgets: &[TryBudget],
        guesser: &Guesser,
    ) -> bool {
        let mut counted = Vec::new();
        for budget in budgets {
            let key = match guesser.tag(*budget) {
                Some(tag) => format!("{:?}:{tag}", budget.counted_for()),
                None => "everyone".to_owned(),
            };
            let count = counts.entry(key.clone()).or_default();
            if *count >= budget.throttle().max_attempts {
                for key in counted {
                    *counts.get_mut(&key).unwrap() -= 1;
                }
                return false;
            }
            *count += 1;
            counted.push(key);
        }
        true
    }

    fn guessers() -> impl Strategy<Value = Vec<(u8, Option<u8>)>> {
        // Few sources and devices, so budgets fill; `None`: a new device.
        proptest::collection::vec((0u8..30, proptest::option::of(0u8..8)), 0..600)
    }

    /// Wrong tries in one window, as `budgets` counts them for a link or a login page.
    fn wrong_tries_admitted(
        tries: &[(u8, Option<u8>)],
        budgets: fn(&Guesser) -> &'static [TryBudget],
    ) -> Vec<(String, Option<String>)> {
        let mut counts = HashMap::new();
        let mut admitted = Vec::new();
        for (source, device) in tries {
            let source = format!("s{source}");
            let device = device.map(|d| format!("d{d}"));
            let guesser = Guesser {
                source: &source,
                known_device: device.as_deref(),
            };
            if reserve(&mut counts, budgets(&guesser), &guesser) {
                admitted.push((source, device));
            }
        }
        admitted
    }

    fn most_per<K: Ord>(keys: impl Iterator<Item = K>) -> u32 {
        let mut counts = std::collections::BTreeMap::new();
        for key in keys {
            *counts.entry(key).or_insert(0) += 1;
        }
        counts.into_values().max().unwrap_or(0)
    }

    proptest! {
        /// Every identity that can guess is bounded in a window: each source, each known device
        /// (from any number of sources), and new devices together; on a login page, where known
        /// devices can't be made at will, everyone together too.
        #[test]
        fn every_identity_that_can_guess_is_bounded(tries in guessers(), login in any::<bool>()) {
            let (budgets, per_source, per_device, new_ceiling): (fn(&Guesser) -> &'static [TryBudget], _, _, _) = if login {
                (UnlockThrottle::login_budgets, UnlockThrottle::LOGIN_PER_SOURCE, UnlockThrottle::LOGIN_PER_DEVICE, UnlockThrottle::LOGIN_PER_PAGE)
            } else {
                (UnlockThrottle::budgets, UnlockThrottle::PER_SOURCE, UnlockThrottle::PER_DEVICE, UnlockThrottle::PER_LINK)
            };
            let admitted = wrong_tries_admitted(&tries, budgets);
            prop_assert!(most_per(admitted.iter().map(|(source, _)| source)) <= per_source.max_attempts);
            prop_assert!(most_per(admitted.iter().filter_map(|(_, device)| device.as_ref())) <= per_device.max_attempts);
            let from_new_devices = admitted.iter().filter(|(_, device)| device.is_none()).count();
            prop_assert!(from_new_devices <= new_ceiling.max_attempts as usize);
            if login {
                let ceiling = UnlockThrottle::LOGIN_PER_PAGE_FOR_KNOWN_DEVICES.max_attempts;
                prop_assert!(admitted.len() <= ceiling as usize);
            }
        }

        /// However many new devices guess, from however many sources, a known device trying from
        /// an address of its own still has its try.
        #[test]
        fn new_devices_never_lock_a_known_device_out(sources in proptest::collection::vec(0u8..200, 0..2000), login in any::<bool>()) {
            let budgets = if login { UnlockThrottle::login_budgets } else { UnlockThrottle::budgets };
            let mut tries: Vec<(u8, Option<u8>)> = sources.into_iter().map(|s| (s, None)).collect();
            let mut counts = HashMap::new();
            for (source, _) in tries.drain(..) {
                let source = format!("s{source}");
                reserve(&mut counts, budgets(&Guesser::new_device(&source)), &Guesser::new_device(&source));
            }
            let returning = Guesser::known_device("home", "client");
            prop_assert!(reserve(&mut counts, budgets(&returning), &returning));
        }
    }

    #[test]
    fn a_known_device_counts_on_its_own_budget_and_on_a_login_page_a_higher_ceiling() {
        let new = Guesser::new_device("s");
        let known = Guesser::known_device("s", "d");
        assert_eq!(
            UnlockThrottle::login_budgets(&new),
            [TryBudget::LoginSource, TryBudget::LoginPage]
        );
        assert_eq!(
            UnlockThrottle::login_budgets(&known),
            [
                TryBudget::LoginSource,
                TryBudget::LoginDevice,
                TryBudget::LoginPageForKnownDevices
            ]
        );
        assert_eq!(
            UnlockThrottle::budgets(&new),
            [TryBudget::Source, TryBudget::Link]
        );
        assert_eq!(
            UnlockThrottle::budgets(&known),
            [TryBudget::Source, TryBudget::Device]
        );
        assert_eq!(known.tag(TryBudget::Device), Some("d"));
        assert_eq!(known.tag(TryBudget::LoginSource), Some("s"));
        assert_eq!(known.tag(TryBudget::LoginPageForKnownDevices), None);
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
