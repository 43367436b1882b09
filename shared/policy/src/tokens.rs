//! Links and client sessions.
//!
//! A link is `/g/{token}` with `token = base64url(grant_id ‖ verifier)`: the grant id
//! (public, 128 bits) finds the grant with one key lookup, and the 256-bit verifier proves the
//! holder was given the link. The verifier is derived by the caller with a keyed MAC, so the
//! table holds no token material at all and the photographer can be shown the link again. This
//! module only knows the formats and the rules; the MACs are computed where the key lives.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

use crate::{ClientLoginId, DownloadRequestId, GrantId};

const VERIFIER_LEN: usize = 32;
const MAC_LEN: usize = 32;

/// The capability in a link.
#[derive(Clone, PartialEq, Eq)]
pub struct LinkToken {
    pub grant_id: GrantId,
    pub verifier: [u8; VERIFIER_LEN],
}

impl LinkToken {
    pub fn encode(&self) -> String {
        let mut raw = Vec::with_capacity(16 + VERIFIER_LEN);
        raw.extend_from_slice(self.grant_id.as_uuid().as_bytes());
        raw.extend_from_slice(&self.verifier);
        URL_SAFE_NO_PAD.encode(raw)
    }

    /// `None` for anything that isn't a well-formed token; callers answer 404 either way, so a
    /// malformed token and an unknown one look the same from outside.
    pub fn parse(raw: &str) -> Option<Self> {
        if raw.len() != 64 {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(raw).ok()?;
        let (id, verifier) = bytes.split_at_checked(16)?;
        Some(Self {
            grant_id: GrantId::from_uuid(Uuid::from_slice(id).ok()?),
            verifier: verifier.try_into().ok()?,
        })
    }
}

impl std::fmt::Debug for LinkToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LinkToken({}, <verifier redacted>)", self.grant_id)
    }
}

/// The capability in a download link, `/d/{token}`: which ZIP of which request of which grant,
/// and a 256-bit MAC over the three. The link outlives the worker's short-lived credentials
/// because it points at our API, which checks the grant and the link's lifetime on every use
/// and only then hands out a minutes-long presigned S3 URL.
#[derive(Clone, PartialEq, Eq)]
pub struct DownloadLinkToken {
    pub grant_id: GrantId,
    pub request_id: DownloadRequestId,
    /// Which ZIP of the request, from 1.
    pub zip: u16,
    pub verifier: [u8; VERIFIER_LEN],
}

impl DownloadLinkToken {
    const LEN: usize = 16 + 16 + 2 + VERIFIER_LEN;

    /// The bytes the verifier covers.
    pub fn signed_bytes(grant_id: GrantId, request_id: DownloadRequestId, zip: u16) -> [u8; 34] {
        let mut bytes = [0u8; 34];
        bytes[..16].copy_from_slice(grant_id.as_uuid().as_bytes());
        bytes[16..32].copy_from_slice(request_id.as_uuid().as_bytes());
        bytes[32..].copy_from_slice(&zip.to_be_bytes());
        bytes
    }

    pub fn encode(&self) -> String {
        let mut raw = Vec::with_capacity(Self::LEN);
        raw.extend_from_slice(&Self::signed_bytes(
            self.grant_id,
            self.request_id,
            self.zip,
        ));
        raw.extend_from_slice(&self.verifier);
        URL_SAFE_NO_PAD.encode(raw)
    }

    /// `None` for anything that isn't a well-formed token (answered 404 like an unknown one).
    pub fn parse(raw: &str) -> Option<Self> {
        // 66 bytes are exactly 88 base64 characters.
        if raw.len() != 88 {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(raw).ok()?;
        if bytes.len() != Self::LEN {
            return None;
        }
        Some(Self {
            grant_id: GrantId::from_uuid(Uuid::from_slice(&bytes[..16]).ok()?),
            request_id: DownloadRequestId::from_uuid(Uuid::from_slice(&bytes[16..32]).ok()?),
            zip: u16::from_be_bytes([bytes[32], bytes[33]]),
            verifier: bytes[34..].try_into().ok()?,
        })
    }
}

impl std::fmt::Debug for DownloadLinkToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "DownloadLinkToken({}, {}, zip {}, <verifier redacted>)",
            self.grant_id, self.request_id, self.zip
        )
    }
}

/// What a client session (opened by a link's password) vouches for: this link, until then,
/// under this password. Sent as `Authorization: Bearer <session>`, never in a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionClaims {
    pub grant_id: GrantId,
    /// Unix seconds.
    pub expires_at: u64,
    /// The link's password version when the session was opened.
    pub password_version: u32,
}

impl SessionClaims {
    /// How long a session lasts unless configured otherwise: a working day of proofing.
    pub const DEFAULT_TTL_SECS: u64 = 12 * 60 * 60;

    /// The bytes the session MAC covers.
    pub fn signed_bytes(&self) -> Vec<u8> {
        session_bytes(
            self.grant_id.as_uuid(),
            self.expires_at,
            self.password_version,
        )
    }

    pub fn encode(&self, mac: &[u8; MAC_LEN]) -> String {
        encode_session(self.signed_bytes(), mac)
    }

    /// The claims and the MAC that must be checked against them.
    pub fn parse(raw: &str) -> Option<(Self, [u8; MAC_LEN])> {
        let (id, expires_at, password_version, mac) = parse_session(raw)?;
        let claims = Self {
            grant_id: GrantId::from_uuid(id),
            expires_at,
            password_version,
        };
        Some((claims, mac))
    }

    /// How long after its session ended a device still counts as one that unlocked the link:
    /// a client back within a week is spared the link's ceiling; an older session is just a
    /// string someone may have kept or leaked.
    pub const KNOWN_DEVICE_GRACE_SECS: u64 = 7 * 24 * 60 * 60;

    /// Whether an authentic session shows its device unlocked `grant_id`, under the password it
    /// has now (`password_version`), recently: live, or expired less than
    /// [`Self::KNOWN_DEVICE_GRACE_SECS`] ago. It opens nothing; it only spares the device the
    /// link's try ceiling (see [`crate::UnlockThrottle`]). A session from before a password change
    /// marks nothing: a former visitor, or whoever holds a leaked session, guesses under the
    /// ceiling like anyone else.
    pub fn marks_known_device(&self, grant_id: GrantId, password_version: u32, now: u64) -> bool {
        self.grant_id == grant_id
            && self.password_version == password_version
            && now
                < self
                    .expires_at
                    .saturating_add(Self::KNOWN_DEVICE_GRACE_SECS)
    }

    /// Whether an authentic session still opens `grant_id` whose password is now at
    /// `password_version`.
    pub fn admits(&self, grant_id: GrantId, password_version: u32, now: u64) -> bool {
        self.grant_id == grant_id
            && self.password_version == password_version
            && now < self.expires_at
    }
}

/// What a client login's session (`POST /p/{slug}/login`) proves: this login, until
/// `expires_at`, under the access code of `code_version`. Signed like [`SessionClaims`], under
/// a key of its own, so neither can stand in for the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginSessionClaims {
    pub login_id: ClientLoginId,
    pub expires_at: u64,
    pub code_version: u32,
}

impl LoginSessionClaims {
    /// Long-term clients log in once in a while, not every visit.
    pub const DEFAULT_TTL_SECS: u64 = 30 * 24 * 60 * 60;

    pub fn signed_bytes(&self) -> Vec<u8> {
        session_bytes(self.login_id.as_uuid(), self.expires_at, self.code_version)
    }

    pub fn encode(&self, mac: &[u8; MAC_LEN]) -> String {
        encode_session(self.signed_bytes(), mac)
    }

    pub fn parse(raw: &str) -> Option<(Self, [u8; MAC_LEN])> {
        let (id, expires_at, code_version, mac) = parse_session(raw)?;
        let claims = Self {
            login_id: ClientLoginId::from_uuid(id),
            expires_at,
            code_version,
        };
        Some((claims, mac))
    }

    /// Whether an authentic session still opens the login whose code is now at `code_version`:
    /// a new code ends every session opened with the old one.
    pub fn admits(&self, code_version: u32, now: u64) -> bool {
        self.code_version == code_version && now < self.expires_at
    }

    /// Whether an authentic session shows its device logged in to this login, under its current
    /// code, recently: live, or expired less than [`SessionClaims::KNOWN_DEVICE_GRACE_SECS`] ago.
    /// It opens nothing; it spares the device the login page's ceiling, so guessers spread over
    /// many addresses can't lock returning clients out (as for links).
    pub fn marks_known_device(&self, code_version: u32, now: u64) -> bool {
        self.code_version == code_version
            && now
                < self
                    .expires_at
                    .saturating_add(SessionClaims::KNOWN_DEVICE_GRACE_SECS)
    }
}

/// Both kinds of session are an id, an expiry and a version, then their MAC.
fn session_bytes(id: &Uuid, expires_at: u64, version: u32) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(28);
    bytes.extend_from_slice(id.as_bytes());
    bytes.extend_from_slice(&expires_at.to_be_bytes());
    bytes.extend_from_slice(&version.to_be_bytes());
    bytes
}

fn encode_session(mut signed: Vec<u8>, mac: &[u8; MAC_LEN]) -> String {
    signed.extend_from_slice(mac);
    URL_SAFE_NO_PAD.encode(signed)
}

fn parse_session(raw: &str) -> Option<(Uuid, u64, u32, [u8; MAC_LEN])> {
    let bytes = URL_SAFE_NO_PAD.decode(raw).ok()?;
    if bytes.len() != 28 + MAC_LEN {
        return None;
    }
    Some((
        Uuid::from_slice(&bytes[..16]).ok()?,
        u64::from_be_bytes(bytes[16..24].try_into().ok()?),
        u32::from_be_bytes(bytes[24..28].try_into().ok()?),
        bytes[28..].try_into().ok()?,
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn login_sessions_round_trip_and_end_with_a_new_code_or_their_time() {
        let claims = LoginSessionClaims {
            login_id: ClientLoginId::from_uuid(Uuid::from_u128(4)),
            expires_at: 1_000,
            code_version: 2,
        };
        let raw = claims.encode(&[3; 32]);
        assert_eq!(LoginSessionClaims::parse(&raw), Some((claims, [3; 32])));
        assert_eq!(LoginSessionClaims::parse(&raw[2..]), None);
        assert!(claims.admits(2, 999));
        assert!(!claims.admits(3, 999), "a new code ends it");
        assert!(!claims.admits(2, 1_000), "so does its time");
        // Expired, it still marks a known device for a week, under the same code only.
        assert!(claims.marks_known_device(2, 1_000 + 6 * 24 * 60 * 60));
        assert!(!claims.marks_known_device(2, 1_000 + 8 * 24 * 60 * 60));
        assert!(!claims.marks_known_device(3, 999));
    }

    #[test]
    fn download_link_tokens_round_trip_and_reject_tampering() {
        let token = DownloadLinkToken {
            grant_id: GrantId::from_uuid(Uuid::from_u128(7)),
            request_id: DownloadRequestId::from_uuid(Uuid::from_u128(9)),
            zip: 2,
            verifier: [5; 32],
        };
        let raw = token.encode();
        assert_eq!(DownloadLinkToken::parse(&raw), Some(token));
        assert_eq!(DownloadLinkToken::parse(&raw[1..]), None);
        assert_eq!(DownloadLinkToken::parse(&format!("{raw}A")), None);
        assert_eq!(DownloadLinkToken::parse("not a token"), None);
    }

    use super::*;
    use proptest::prelude::*;

    fn grant(n: u128) -> GrantId {
        GrantId::from_uuid(Uuid::from_u128(n))
    }

    proptest! {
        #[test]
        fn share_tokens_round_trip(id in any::<u128>(), verifier in any::<[u8; 32]>()) {
            let token = LinkToken { grant_id: grant(id), verifier };
            let encoded = token.encode();
            prop_assert_eq!(encoded.len(), 64);
            prop_assert!(encoded.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
            prop_assert_eq!(LinkToken::parse(&encoded), Some(token));
        }

        #[test]
        fn garbage_is_never_a_token(raw in ".{0,80}") {
            if let Some(token) = LinkToken::parse(&raw) {
                prop_assert_eq!(token.encode(), raw);
            }
        }

        #[test]
        fn sessions_round_trip(id in any::<u128>(), exp in any::<u64>(), version in any::<u32>(), mac in any::<[u8; 32]>()) {
            let claims = SessionClaims { grant_id: grant(id), expires_at: exp, password_version: version };
            prop_assert_eq!(SessionClaims::parse(&claims.encode(&mac)), Some((claims, mac)));
        }

    }

    #[test]
    fn a_recent_session_marks_a_known_device_but_opens_nothing() {
        let expired_yesterday = SessionClaims {
            grant_id: grant(1),
            expires_at: 1_000_000,
            password_version: 3,
        };
        let day_later = 1_000_000 + 24 * 60 * 60;
        assert!(expired_yesterday.marks_known_device(grant(1), 3, day_later));
        assert!(
            !expired_yesterday.admits(grant(1), 3, day_later),
            "but it opens nothing"
        );
        assert!(!expired_yesterday.marks_known_device(grant(2), 3, day_later));
    }

    #[test]
    fn only_a_recent_session_under_the_current_password_marks_a_known_device() {
        let session = SessionClaims {
            grant_id: grant(1),
            expires_at: 1_000_000,
            password_version: 3,
        };
        let grace_ends = 1_000_000 + SessionClaims::KNOWN_DEVICE_GRACE_SECS;
        assert!(session.marks_known_device(grant(1), 3, 999_999), "live");
        assert!(session.marks_known_device(grant(1), 3, grace_ends - 1));
        assert!(
            !session.marks_known_device(grant(1), 3, grace_ends),
            "too old"
        );
        assert!(
            !session.marks_known_device(grant(1), 4, 999_999),
            "issued under the password before the current one"
        );
    }

    proptest! {
        /// Whatever a session says, it spares the ceiling only for its own link, its password
        /// version, and within the grace period after its expiry.
        #[test]
        fn a_known_device_is_bounded_by_link_password_and_time(
            id in 0u128..3, exp in any::<u64>(), version in 0u32..3,
            link in 0u128..3, current in 0u32..3, now in any::<u64>(),
        ) {
            let session = SessionClaims { grant_id: grant(id), expires_at: exp, password_version: version };
            if session.marks_known_device(grant(link), current, now) {
                prop_assert_eq!(id, link);
                prop_assert_eq!(version, current);
                prop_assert!(now < exp.saturating_add(SessionClaims::KNOWN_DEVICE_GRACE_SECS));
            }
        }
    }

    #[test]
    fn sessions_die_with_their_password_or_their_time() {
        let claims = SessionClaims {
            grant_id: grant(1),
            expires_at: 100,
            password_version: 2,
        };
        assert!(claims.admits(grant(1), 2, 99));
        assert!(!claims.admits(grant(1), 2, 100), "expired");
        assert!(!claims.admits(grant(1), 3, 99), "password changed");
        assert!(!claims.admits(grant(2), 2, 99), "another link");
    }

    #[test]
    fn tokens_do_not_print_their_verifier() {
        let token = LinkToken {
            grant_id: grant(7),
            verifier: [0xAB; 32],
        };
        let printed = format!("{token:?}");
        assert!(!printed.contains("171") && !printed.to_lowercase().contains("abab"));
    }
}
