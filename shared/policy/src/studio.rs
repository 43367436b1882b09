//! The photographer's studio (`/studio`): signing in through an emailed link, the session that
//! follows, and when a call made with that session may change anything.
//!
//! A photographer never handles an API key in the browser. They type their email; when it is a
//! photographer's, a one-time sign-in link goes there. The link's page asks them to press "Sign
//! in" (a mail scanner that fetches every link must not spend it); the press spends it and opens
//! a session, kept in an `HttpOnly` cookie. The link's and the session's secrets are random
//! (256 bits, made by the caller) and stored only as their SHA-256, so the table can't sign
//! anyone in. Each is a record of its own, so signing out ends one session at once and "sign out
//! everywhere" ends them all.

use crate::Email;

/// A one-time sign-in link's rules.
pub struct SignInLink;

impl SignInLink {
    /// Long enough to switch to the mail app and back; short enough that an old email in an
    /// inbox someone else reads later opens nothing.
    pub const LIFETIME_SECS: u64 = 15 * 60;

    /// Whether a link made to end at `expires_at` still signs in at `now`. It signs in once:
    /// the store takes it away as it is used.
    pub fn is_live(expires_at: u64, now: u64) -> bool {
        now < expires_at
    }

    /// Whether a link sent to `sent_to` still signs in a photographer whose address is now
    /// `current`. A link that confirms an address change (`replaces`: the address it changes)
    /// does only while it is the photographer's one pending change (`pending_is_this`) and the
    /// address is still the one it replaces; any other only while the address it went to is
    /// still theirs (an address left signs in nobody). A link that doesn't say where it went
    /// (made before links did, at most its lifetime ago) signs in nobody.
    pub fn still_signs_in(
        sent_to: Option<&Email>,
        replaces: Option<&Email>,
        current: &Email,
        pending_is_this: bool,
    ) -> bool {
        match replaces {
            Some(replaced) => pending_is_this && replaced == current,
            None => sent_to == Some(current),
        }
    }

    /// Asking for a link is never answered sooner than this: sending one to a photographer's
    /// address takes longer than finding that an address is nobody's, and the answer's timing
    /// must not tell the two apart.
    pub const ANSWER_NOT_BEFORE_MS: u64 = 600;
}

/// A studio session's rules.
pub struct StudioSession;

impl StudioSession {
    /// Photographers check their galleries a few times a week; a fortnight of not signing in
    /// again, after which the emailed link is one click away.
    pub const LIFETIME_SECS: u64 = 14 * 24 * 60 * 60;

    pub fn is_live(expires_at: u64, now: u64) -> bool {
        now < expires_at
    }

    /// What would outlive the session in someone else's hands (a new sign-in address, an API
    /// key) takes a session opened this recently: signing in again is one emailed link away,
    /// and a session left open on a shared computer, or a stolen cookie, can do neither.
    pub const RECENT_SECS: u64 = 15 * 60;

    /// Whether a session opened at `opened_at` is a recent one at `now`.
    pub fn is_recent(opened_at: u64, now: u64) -> bool {
        now.saturating_sub(opened_at) < Self::RECENT_SECS
    }
}

/// Changing the address a photographer signs in with. The new address must show it is theirs:
/// the change is a sign-in link sent there, and it happens as that link signs in; until then
/// the old address still signs in. Because the address is what signs in, asking for a change
/// takes a session opened moments ago (signing in again is one emailed link away): a session
/// left open on a shared computer, or a stolen cookie, can't move the account to another inbox.
/// The old address is told at once. One change is pending at a time: asking again (after a
/// typo) makes the earlier link worthless, and "sign out everywhere" cancels it. Once it
/// happens, the address left signs in nobody: its unused links stop working and the sessions
/// opened before end.
pub struct EmailChange;

impl EmailChange {
    /// Whether a session opened at `opened_at` may ask for a change at `now`: a recent one.
    pub fn may_ask(opened_at: u64, now: u64) -> bool {
        StudioSession::is_recent(opened_at, now)
    }
}

/// A login page's address (its slug) can move. The addresses it leaves keep leading to it and
/// stay the photographer's, so nobody else can take one and catch the clients who still use an
/// old link or bookmark (with their access codes). Only the last few: past those, the oldest is
/// given back, so one account can't hoard names by moving over and over.
pub struct LoginPageAddress;

impl LoginPageAddress {
    /// How many former addresses a page keeps.
    pub const FORMER_KEPT: usize = 3;

    /// The page moves from `current` to `to`, having kept `former` (oldest first): the former
    /// addresses it keeps after (`to` is no longer one; `current` now is), and the one it gives
    /// back, if any.
    pub fn moved<T: PartialEq + Clone>(current: &T, former: &[T], to: &T) -> (Vec<T>, Option<T>) {
        let mut kept: Vec<T> = former
            .iter()
            .filter(|address| *address != to && *address != current)
            .cloned()
            .collect();
        kept.push(current.clone());
        let given_back = (kept.len() > Self::FORMER_KEPT).then(|| kept.remove(0));
        (kept, given_back)
    }
}

/// The header the studio's own script sends with every call. A form on another site cannot
/// send a header at all, and another site's script can only with CORS's permission, which this
/// API never gives: a call carrying it comes from a page of ours.
pub const STUDIO_HEADER: &str = "x-proofsheet-studio";

/// How a call that carries the studio's session cookie came, as far as CSRF is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CookieCall<'a> {
    pub method: &'a str,
    /// Whether [`STUDIO_HEADER`] came along.
    pub studio_header: bool,
    /// `Sec-Fetch-Site`, as the browser set it.
    pub fetch_site: Option<&'a str>,
    /// `Origin`, as the browser set it.
    pub origin: Option<&'a str>,
}

/// Why a call with the studio's cookie may not change anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CrossSiteWrite {
    #[error("a change made with the studio's session must come from the studio's own script")]
    NotFromTheStudio,
    #[error("a change made with the studio's session must come from the studio's own origin")]
    FromAnotherSite,
}

impl CookieCall<'_> {
    /// Whether the call may act with the cookie's session. Reads may: the browser shows their
    /// answer to its own user only. A change (any other method) needs the studio's header, and
    /// the browser's own word that the page was ours: `Sec-Fetch-Site: same-origin` where it
    /// says so, else an `Origin` equal to `own_origin` where it sends one. A sibling subdomain
    /// ("same-site") is another site.
    pub fn may_change_things(&self, own_origin: &str) -> Result<(), CrossSiteWrite> {
        if matches!(self.method, "GET" | "HEAD") {
            return Ok(());
        }
        if !self.studio_header {
            return Err(CrossSiteWrite::NotFromTheStudio);
        }
        let ours = match (self.fetch_site, self.origin) {
            (Some(site), _) => site == "same-origin",
            (None, Some(origin)) => origin == own_origin,
            (None, None) => true,
        };
        if ours {
            Ok(())
        } else {
            Err(CrossSiteWrite::FromAnotherSite)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const OURS: &str = "https://photos.example.com";

    fn call<'a>(
        method: &'a str,
        studio_header: bool,
        fetch_site: Option<&'a str>,
        origin: Option<&'a str>,
    ) -> CookieCall<'a> {
        CookieCall {
            method,
            studio_header,
            fetch_site,
            origin,
        }
    }

    #[test]
    fn a_moved_page_keeps_its_last_addresses_and_gives_back_the_oldest() {
        let moved =
            |current, former: &[&'static str], to| LoginPageAddress::moved(&current, former, &to);
        assert_eq!(moved("a", &[], "b"), (vec!["a"], None));
        assert_eq!(moved("b", &["a"], "c"), (vec!["a", "b"], None));
        // Going back to a former address: it is the page's again, not a former one.
        assert_eq!(moved("c", &["a", "b"], "a"), (vec!["b", "c"], None));
        assert_eq!(
            moved("d", &["a", "b", "c"], "e"),
            (vec!["b", "c", "d"], Some("a"))
        );
    }

    proptest! {
        /// However the page moves, it keeps at most `FORMER_KEPT` former addresses, never its
        /// current one, each once; and an address leaves the kept ones only by being given back
        /// or becoming the page's again.
        #[test]
        fn former_addresses_stay_few_distinct_and_accounted_for(
            moves in proptest::collection::vec(0u8..8, 1..40)
        ) {
            let mut current = 100u8;
            let mut former: Vec<u8> = Vec::new();
            for to in moves {
                if to == current {
                    continue;
                }
                let (kept, given_back) = LoginPageAddress::moved(&current, &former, &to);
                prop_assert!(kept.len() <= LoginPageAddress::FORMER_KEPT);
                prop_assert!(!kept.contains(&to));
                prop_assert!(kept.contains(&current));
                let mut distinct = kept.clone();
                distinct.sort_unstable();
                distinct.dedup();
                prop_assert_eq!(distinct.len(), kept.len());
                for address in &former {
                    prop_assert!(
                        kept.contains(address) || *address == to || given_back == Some(*address)
                    );
                }
                current = to;
                former = kept;
            }
        }
    }

    #[test]
    fn a_link_signs_in_only_while_its_address_is_the_photographers() {
        let old = Email::parse("anna@old.example").unwrap();
        let new = Email::parse("anna@new.example").unwrap();
        let typo = Email::parse("anna@nwe.example").unwrap();
        // A sign-in link to the address the photographer has: yes; once they moved: no.
        assert!(SignInLink::still_signs_in(Some(&old), None, &old, false));
        assert!(!SignInLink::still_signs_in(Some(&old), None, &new, false));
        // One that doesn't say where it went.
        assert!(!SignInLink::still_signs_in(None, None, &new, false));
        // The pending change's link, from the address it replaces.
        assert!(SignInLink::still_signs_in(
            Some(&new),
            Some(&old),
            &old,
            true
        ));
        // Superseded (asked again, or cancelled), or the address moved since.
        assert!(!SignInLink::still_signs_in(
            Some(&typo),
            Some(&old),
            &old,
            false
        ));
        assert!(!SignInLink::still_signs_in(
            Some(&typo),
            Some(&old),
            &new,
            true
        ));
    }

    #[test]
    fn an_address_change_needs_a_recent_sign_in() {
        let opened = 1_000_000;
        assert!(EmailChange::may_ask(opened, opened));
        assert!(EmailChange::may_ask(
            opened,
            opened + StudioSession::RECENT_SECS - 1
        ));
        assert!(!EmailChange::may_ask(
            opened,
            opened + StudioSession::RECENT_SECS
        ));
        assert!(!EmailChange::may_ask(opened, opened + 14 * 24 * 3600));
        // A clock that went back a little still counts the session as recent.
        assert!(EmailChange::may_ask(opened, opened - 5));
    }

    #[test]
    fn the_studios_own_calls_may_change_things() {
        let own = call("POST", true, Some("same-origin"), Some(OURS));
        assert_eq!(own.may_change_things(OURS), Ok(()));
        // A browser that sends neither header (older ones) is trusted on the studio's header.
        assert_eq!(
            call("DELETE", true, None, None).may_change_things(OURS),
            Ok(())
        );
        assert_eq!(
            call("PATCH", true, None, Some(OURS)).may_change_things(OURS),
            Ok(())
        );
    }

    #[test]
    fn a_change_from_another_page_is_refused() {
        use CrossSiteWrite::*;
        // Another site's form: no header can come along.
        let form = call(
            "POST",
            false,
            Some("cross-site"),
            Some("https://evil.example"),
        );
        assert_eq!(form.may_change_things(OURS), Err(NotFromTheStudio));
        // Even a same-origin form (an injected one) sends no header.
        let plain = call("POST", false, Some("same-origin"), Some(OURS));
        assert_eq!(plain.may_change_things(OURS), Err(NotFromTheStudio));
        // A header from a sibling subdomain's script, or a foreign Origin without Fetch Metadata.
        let sibling = call(
            "PUT",
            true,
            Some("same-site"),
            Some("https://a.example.com"),
        );
        assert_eq!(sibling.may_change_things(OURS), Err(FromAnotherSite));
        let foreign = call("DELETE", true, None, Some("https://evil.example"));
        assert_eq!(foreign.may_change_things(OURS), Err(FromAnotherSite));
        // Fetch Metadata wins over an Origin that claims to be ours.
        let lying = call("POST", true, Some("cross-site"), Some(OURS));
        assert_eq!(lying.may_change_things(OURS), Err(FromAnotherSite));
    }

    proptest! {
        /// Reads are answered whatever came along: they change nothing.
        #[test]
        fn reads_are_never_refused(
            header in any::<bool>(),
            site in proptest::option::of("[a-z-]{0,12}"),
            origin in proptest::option::of("[a-z:/.]{0,20}"),
            method in prop_oneof![Just("GET"), Just("HEAD")],
        ) {
            let read = call(method, header, site.as_deref(), origin.as_deref());
            prop_assert_eq!(read.may_change_things(OURS), Ok(()));
        }

        /// With the studio's header, a change is allowed only where the browser says the page
        /// was ours: `Sec-Fetch-Site: same-origin`, or without it our own `Origin`, or neither.
        #[test]
        fn with_the_header_only_our_own_pages_may_change_things(
            site in proptest::option::of(prop_oneof![
                Just("same-origin".to_owned()),
                Just("same-site".to_owned()),
                Just("cross-site".to_owned()),
                Just("none".to_owned()),
                "[a-z-]{0,12}",
            ]),
            origin in proptest::option::of(prop_oneof![
                Just(OURS.to_owned()),
                Just("https://evil.example".to_owned()),
                Just("null".to_owned()),
                "[a-z:/.]{0,20}",
            ]),
        ) {
            let write = call("POST", true, site.as_deref(), origin.as_deref());
            let ours = match (site.as_deref(), origin.as_deref()) {
                (Some(site), _) => site == "same-origin",
                (None, Some(origin)) => origin == OURS,
                (None, None) => true,
            };
            prop_assert_eq!(write.may_change_things(OURS).is_ok(), ours);
        }

        /// No change is allowed without the studio's header, whatever else is claimed.
        #[test]
        fn no_change_without_the_studios_header(
            site in proptest::option::of("[a-z-]{0,12}"),
            origin in proptest::option::of("[a-z:/.]{0,20}"),
            method in prop_oneof![Just("POST"), Just("PUT"), Just("PATCH"), Just("DELETE")],
        ) {
            let write = call(method, false, site.as_deref(), origin.as_deref());
            prop_assert_eq!(write.may_change_things(OURS), Err(CrossSiteWrite::NotFromTheStudio));
        }
    }

    #[test]
    fn links_and_sessions_end_at_their_time() {
        assert!(SignInLink::is_live(1_000, 999));
        assert!(!SignInLink::is_live(1_000, 1_000));
        assert!(StudioSession::is_live(1_000, 999));
        assert!(!StudioSession::is_live(1_000, 1_000));
    }
}
