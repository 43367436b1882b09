//! The cryptography behind links, sessions, API keys and passwords.
//!
//! - Share-link verifiers: HMAC-SHA256 of the grant id under a key derived from `SECRET_KEY`.
//!   The table holds no token material; the photographer can be shown a link again; rotating a
//!   link means a new grant id. Checked in constant time.
//! - Client sessions: HMAC-SHA256 over the claims (grant, expiry, password version).
//! - Download links: HMAC-SHA256 over (grant, request, ZIP number) under their own derived key.
//! - API keys: 256 random bits, stored as SHA-256 (they are high-entropy, so a fast hash is right).
//! - Passwords: argon2id with the crate's defaults (m = 19 MiB, t = 2, p = 1: OWASP's minimum),
//!   run on the blocking pool so a hash never stalls other requests.
//! - Client-login access codes: argon2id too, with the same parameters, but salted per
//!   photographer with a keyed salt (HMAC of the photographer id under a key derived from
//!   `SECRET_KEY`) instead of a random one per code: the login page finds a login by its code
//!   alone, so the hash must be computable from the code. The table holds only that hash; without
//!   the secret key nothing can be precomputed, and with it each guess still costs an argon2id.
//! - Client-login sessions: HMAC-SHA256 over the claims (login, expiry, code version), under
//!   their own derived key.

use argon2::password_hash::{PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Argon2, PasswordHash as PhcHash};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use proofsheet_policy::tokens::DownloadLinkToken;
use proofsheet_policy::{
    AccessCode, DownloadRequestId, GrantId, LinkToken, LoginSessionClaims, PasswordHash,
    PhotographerId, SessionClaims,
};
use rand::RngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this never fails.
    let mut mac = HmacSha256::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// Keys derived from the deployment's `SECRET_KEY`, one per purpose.
#[derive(Clone)]
pub struct Secrets {
    link_key: [u8; 32],
    session_key: [u8; 32],
    source_key: [u8; 32],
    download_key: [u8; 32],
    access_code_key: [u8; 32],
    login_session_key: [u8; 32],
}

impl Secrets {
    pub fn new(secret_key: &[u8]) -> Self {
        Self {
            link_key: hmac(secret_key, &[b"proofsheet/share-link/v1"]),
            session_key: hmac(secret_key, &[b"proofsheet/client-session/v1"]),
            source_key: hmac(secret_key, &[b"proofsheet/unlock-source/v1"]),
            download_key: hmac(secret_key, &[b"proofsheet/download-link/v1"]),
            access_code_key: hmac(secret_key, &[b"proofsheet/access-code-salt/v1"]),
            login_session_key: hmac(secret_key, &[b"proofsheet/login-session/v1"]),
        }
    }

    /// The token of a grant's link.
    pub fn link_token(&self, grant_id: GrantId) -> LinkToken {
        LinkToken {
            grant_id,
            verifier: hmac(&self.link_key, &[grant_id.as_uuid().as_bytes()]),
        }
    }

    /// Whether a presented token was issued by us, in constant time.
    pub fn token_is_authentic(&self, token: &LinkToken) -> bool {
        let expected = self.link_token(token.grant_id);
        expected.verifier.ct_eq(&token.verifier).into()
    }

    /// An opaque tag for a network source, so try counters never store an address: keyed, so
    /// the small IPv4 space can't be hashed through to find it.
    pub fn source_tag(&self, source: &str) -> String {
        URL_SAFE_NO_PAD.encode(&hmac(&self.source_key, &[source.as_bytes()])[..16])
    }

    /// An opaque tag for a known device (the earlier session it shows), for its try counter:
    /// keyed like a source's, and never equal to one.
    pub fn device_tag(&self, device: &str) -> String {
        self.source_tag(&format!("device:{device}"))
    }

    /// The download link token of ZIP number `zip` of a request.
    pub fn download_link(
        &self,
        grant_id: GrantId,
        request_id: DownloadRequestId,
        zip: u16,
    ) -> DownloadLinkToken {
        let signed = DownloadLinkToken::signed_bytes(grant_id, request_id, zip);
        DownloadLinkToken {
            grant_id,
            request_id,
            zip,
            verifier: hmac(&self.download_key, &[&signed]),
        }
    }

    /// Whether a presented download link was issued by us, in constant time.
    pub fn download_link_is_authentic(&self, token: &DownloadLinkToken) -> bool {
        let expected = self.download_link(token.grant_id, token.request_id, token.zip);
        expected.verifier.ct_eq(&token.verifier).into()
    }

    /// The stored form of an access code on `owner`'s login page: argon2id under the
    /// photographer's keyed salt, base64url. The same code gives the same hash, so a login is
    /// found by it; it is computed off the async threads.
    pub async fn access_code_hash(
        &self,
        owner: PhotographerId,
        code: &AccessCode,
    ) -> Result<String, String> {
        let salt: [u8; 16] = hmac(&self.access_code_key, &[owner.as_uuid().as_bytes()])[..16]
            .try_into()
            .unwrap_or_else(|_| unreachable!());
        let folded = code.folded().to_owned();
        tokio::task::spawn_blocking(move || {
            let mut hash = [0u8; 32];
            Argon2::default()
                .hash_password_into(folded.as_bytes(), &salt, &mut hash)
                .map_err(|e| e.to_string())?;
            Ok(URL_SAFE_NO_PAD.encode(hash))
        })
        .await
        .map_err(|e| e.to_string())?
    }

    pub fn sign_login_session(&self, claims: &LoginSessionClaims) -> String {
        claims.encode(&hmac(&self.login_session_key, &[&claims.signed_bytes()]))
    }

    /// The claims of an authentic login session; `None` for forged or malformed ones.
    pub fn open_login_session(&self, raw: &str) -> Option<LoginSessionClaims> {
        let (claims, mac) = LoginSessionClaims::parse(raw)?;
        let expected = hmac(&self.login_session_key, &[&claims.signed_bytes()]);
        bool::from(expected.ct_eq(&mac)).then_some(claims)
    }

    pub fn sign_session(&self, claims: &SessionClaims) -> String {
        claims.encode(&hmac(&self.session_key, &[&claims.signed_bytes()]))
    }

    /// The claims of an authentic session; `None` for forged or malformed ones.
    pub fn open_session(&self, raw: &str) -> Option<SessionClaims> {
        let (claims, mac) = SessionClaims::parse(raw)?;
        let expected = hmac(&self.session_key, &[&claims.signed_bytes()]);
        bool::from(expected.ct_eq(&mac)).then_some(claims)
    }
}

/// A new photographer API key (shown once) and the hash that is stored.
pub fn new_api_key() -> (String, String) {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let key = format!("ps_{}", URL_SAFE_NO_PAD.encode(bytes));
    let hash = api_key_hash(&key);
    (key, hash)
}

/// SHA-256 of an API key, hex: the only form in which keys are stored.
pub fn api_key_hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// A new secret for a studio sign-in link or session: 256 random bits, base64url (43
/// characters), given only to its holder, and the hash that is stored.
pub fn new_studio_secret() -> (String, String) {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let secret = URL_SAFE_NO_PAD.encode(bytes);
    let hash = studio_secret_hash(&secret);
    (secret, hash)
}

/// The stored form of a studio secret: SHA-256, hex, as for API keys (a fast hash is right for
/// 256 random bits; argon2id is for what people choose). `None` for what can't be a secret of
/// ours, which is looked up nowhere.
pub fn studio_secret_hash_of(raw: &str) -> Option<String> {
    let well_formed = raw.len() == 43
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    well_formed.then(|| studio_secret_hash(raw))
}

fn studio_secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A new client-login access code from the OS's randomness.
pub fn new_access_code() -> AccessCode {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    AccessCode::generate(bytes)
}

/// A fresh 256-bit secret for `SECRET_KEY`, base64url.
pub fn new_secret_key() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Hashes a password with argon2id off the async threads.
pub async fn hash_password(plaintext: String) -> Result<PasswordHash, String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(plaintext.as_bytes(), &salt)
            .map(|h| PasswordHash::from_phc(h.to_string()))
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

/// Checks a password against its hash off the async threads. A malformed hash never matches.
pub async fn verify_password(plaintext: String, hash: PasswordHash) -> bool {
    tokio::task::spawn_blocking(move || {
        PhcHash::new(hash.as_phc())
            .map(|parsed| {
                Argon2::default()
                    .verify_password(plaintext.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn grant(n: u128) -> GrantId {
        GrantId::from_uuid(Uuid::from_u128(n))
    }

    #[test]
    fn tokens_verify_only_under_their_key_and_grant() {
        let secrets = Secrets::new(&[7; 32]);
        let token = secrets.link_token(grant(1));
        assert!(secrets.token_is_authentic(&token));
        assert!(!Secrets::new(&[8; 32]).token_is_authentic(&token));
        let mut forged = token.clone();
        forged.grant_id = grant(2);
        assert!(!secrets.token_is_authentic(&forged));
        let mut flipped = token;
        flipped.verifier[31] ^= 1;
        assert!(!secrets.token_is_authentic(&flipped));
    }

    #[test]
    fn download_links_verify_only_for_their_grant_request_and_zip() {
        let secrets = Secrets::new(&[7; 32]);
        let request = DownloadRequestId::from_uuid(Uuid::from_u128(3));
        let link = secrets.download_link(grant(1), request, 1);
        let reread = DownloadLinkToken::parse(&link.encode()).unwrap();
        assert!(secrets.download_link_is_authentic(&reread));
        assert!(!Secrets::new(&[8; 32]).download_link_is_authentic(&link));
        let mut other_zip = link.clone();
        other_zip.zip = 2;
        assert!(!secrets.download_link_is_authentic(&other_zip));
        let mut other_grant = link.clone();
        other_grant.grant_id = grant(2);
        assert!(!secrets.download_link_is_authentic(&other_grant));
        // A link's verifier for the same grant is no download link's.
        let mut borrowed = link;
        borrowed.verifier = secrets.link_token(grant(1)).verifier;
        assert!(!secrets.download_link_is_authentic(&borrowed));
    }

    #[test]
    fn sessions_cannot_be_forged_or_altered() {
        let secrets = Secrets::new(&[7; 32]);
        let claims = SessionClaims {
            grant_id: grant(1),
            expires_at: 10,
            password_version: 0,
        };
        let session = secrets.sign_session(&claims);
        assert_eq!(secrets.open_session(&session), Some(claims));
        let longer = SessionClaims {
            expires_at: u64::MAX,
            ..claims
        };
        let (_, mac) = SessionClaims::parse(&session).unwrap();
        assert_eq!(secrets.open_session(&longer.encode(&mac)), None);
        assert_eq!(Secrets::new(&[9; 32]).open_session(&session), None);
    }

    #[tokio::test]
    async fn access_codes_hash_the_same_per_photographer_and_differ_across_keys_and_pages() {
        let secrets = Secrets::new(&[7; 32]);
        let owner = PhotographerId::from_uuid(Uuid::from_u128(1));
        let code = AccessCode::generate([5; 16]);
        let hash = secrets.access_code_hash(owner, &code).await.unwrap();
        assert_eq!(hash.len(), 43);
        assert!(!hash.contains(code.folded()));
        // Typed another way, the same code finds the same login.
        let typed = AccessCode::typed(&code.shown().to_lowercase()).unwrap();
        assert_eq!(secrets.access_code_hash(owner, &typed).await.unwrap(), hash);
        let other_owner = PhotographerId::from_uuid(Uuid::from_u128(2));
        assert_ne!(
            secrets.access_code_hash(other_owner, &code).await.unwrap(),
            hash
        );
        let other_key = Secrets::new(&[8; 32]);
        assert_ne!(
            other_key.access_code_hash(owner, &code).await.unwrap(),
            hash
        );
    }

    #[test]
    fn login_sessions_cannot_be_forged_or_pass_for_link_sessions() {
        let secrets = Secrets::new(&[7; 32]);
        let claims = LoginSessionClaims {
            login_id: proofsheet_policy::ClientLoginId::from_uuid(Uuid::from_u128(1)),
            expires_at: 10,
            code_version: 0,
        };
        let session = secrets.sign_login_session(&claims);
        assert_eq!(secrets.open_login_session(&session), Some(claims));
        assert_eq!(Secrets::new(&[9; 32]).open_login_session(&session), None);
        // Same length and layout as a link session, but signed under another key.
        assert_eq!(secrets.open_session(&session), None);
        let link_session = secrets.sign_session(&SessionClaims {
            grant_id: grant(1),
            expires_at: 10,
            password_version: 0,
        });
        assert_eq!(secrets.open_login_session(&link_session), None);
    }

    #[test]
    fn source_tags_are_stable_keyed_and_hide_the_address() {
        let secrets = Secrets::new(b"key one");
        let tag = secrets.source_tag("203.0.113.7");
        assert_eq!(tag, secrets.source_tag("203.0.113.7"));
        assert_ne!(tag, secrets.source_tag("203.0.113.8"));
        assert_ne!(tag, Secrets::new(b"key two").source_tag("203.0.113.7"));
        assert!(!tag.contains("203"));
    }

    #[test]
    fn api_keys_are_long_random_and_stored_hashed() {
        let (key, hash) = new_api_key();
        let (other, _) = new_api_key();
        assert_ne!(key, other);
        assert!(key.len() >= 46);
        assert_eq!(hash, api_key_hash(&key));
        assert_eq!(hash.len(), 64);
        assert!(!hash.contains(&key[3..]));
    }

    /// Stored keys are looked up by this form: it must stay lowercase hex SHA-256.
    #[test]
    fn an_api_key_hash_is_lowercase_hex_sha256() {
        assert_eq!(
            api_key_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[tokio::test]
    async fn passwords_hash_with_argon2id_and_verify() {
        let hash = hash_password("correct horse".into()).await.unwrap();
        assert!(hash.as_phc().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("correct horse".into(), hash.clone()).await);
        assert!(!verify_password("wrong horse".into(), hash).await);
        assert!(!verify_password("x".into(), PasswordHash::from_phc("garbage".into())).await);
    }
}
