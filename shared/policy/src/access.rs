//! Access settings: what a general link or a client's private link allows.
//!
//! The rules, in order of importance:
//! - A gallery's general link has its own settings; each private grant has its own, independent ones.
//! - A private grant starts as a *copy* of the general settings at the moment it is created, with
//!   whatever the photographer specified on top. Later changes to the general settings never reach
//!   existing grants (they are values, not references).
//! - When the effective `watermark` is on, the client is only ever given watermarked renditions.
//! - Changing or removing a password ends every session opened with the old one.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

use crate::Invalid;

/// A download size a client may be allowed to pick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// Long edge 2048 px: for screens and social media.
    Web,
    /// Long edge 4096 px: for prints up to about A3.
    High,
    /// The file as the photographer uploaded it.
    Original,
}

impl Resolution {
    /// Longest edge of a download at this resolution; `None` for the original file's size.
    pub fn long_edge(self) -> Option<u32> {
        match self {
            Self::Web => Some(2048),
            Self::High => Some(4096),
            Self::Original => None,
        }
    }

    /// The lowercase word used in file names and APIs: its serde name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Web => "web",
            Self::High => "high",
            Self::Original => "original",
        }
    }
}

/// An argon2id hash in PHC string format. The policy never sees a plaintext password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PasswordHash(String);

impl PasswordHash {
    pub fn from_phc(phc: String) -> Self {
        Self(phc)
    }

    pub fn as_phc(&self) -> &str {
        &self.0
    }

    /// Link passwords are chosen by people and shared by voice or message: allow short ones,
    /// refuse the empty string (use `null` to remove a password) and absurd lengths.
    pub fn check_plaintext(plaintext: &str) -> Result<(), Invalid> {
        let chars = plaintext.chars().count();
        if !(4..=128).contains(&chars) {
            return Err(Invalid::new("password", "must be 4 to 128 characters"));
        }
        Ok(())
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

/// The settings of one link: the general link of a gallery, or one client's private link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessSettings {
    pub watermark: bool,
    pub password: Option<PasswordHash>,
    pub downloads_enabled: bool,
    /// Number of photos the client may download; `None` is unlimited.
    pub download_limit: Option<u32>,
    pub download_resolutions: BTreeSet<Resolution>,
    pub downloads_watermarked: bool,
}

impl AccessSettings {
    /// Largest download limit a photographer can set; beyond it, "unlimited" is what they mean.
    pub const MAX_DOWNLOAD_LIMIT: u32 = 100_000;

    /// What a new gallery's general link allows: viewing only, watermarked. Nothing leaves the
    /// gallery until the photographer decides so.
    pub fn new_gallery_default() -> Self {
        Self {
            watermark: true,
            password: None,
            downloads_enabled: false,
            download_limit: None,
            download_resolutions: BTreeSet::from([Resolution::Web]),
            downloads_watermarked: true,
        }
    }

    /// These settings with the photographer's change applied, if the result is coherent.
    pub fn apply(&self, change: SettingsChange) -> Result<Self, Invalid> {
        let next = Self {
            watermark: change.watermark.unwrap_or(self.watermark),
            password: match change.password {
                PasswordUpdate::Keep => self.password.clone(),
                PasswordUpdate::Remove => None,
                PasswordUpdate::Set(hash) => Some(hash),
            },
            downloads_enabled: change.downloads_enabled.unwrap_or(self.downloads_enabled),
            download_limit: change.download_limit.unwrap_or(self.download_limit),
            download_resolutions: change
                .download_resolutions
                .unwrap_or_else(|| self.download_resolutions.clone()),
            downloads_watermarked: change
                .downloads_watermarked
                .unwrap_or(self.downloads_watermarked),
        };
        next.check()?;
        Ok(next)
    }

    /// A new private grant's settings: the general settings of this moment, overridden by what
    /// the photographer gave for this client.
    pub fn for_private_grant(general: &Self, overrides: SettingsChange) -> Result<Self, Invalid> {
        general.apply(overrides)
    }

    /// The settings of a visitor who gave their email on the general link: a copy of the general
    /// settings of this moment, nothing more (they proved nothing but an address).
    pub fn for_identified_visitor(general: &Self) -> Self {
        general.clone()
    }

    fn check(&self) -> Result<(), Invalid> {
        if self
            .download_limit
            .is_some_and(|l| l > Self::MAX_DOWNLOAD_LIMIT)
        {
            return Err(Invalid::new(
                "download_limit",
                format!(
                    "must be at most {} (or null for unlimited)",
                    Self::MAX_DOWNLOAD_LIMIT
                ),
            ));
        }
        if self.downloads_enabled && self.download_resolutions.is_empty() {
            return Err(Invalid::new(
                "download_resolutions",
                "must name at least one resolution when downloads are enabled",
            ));
        }
        Ok(())
    }

    /// Which renditions a client of this link is shown.
    pub fn view_rendition(&self) -> ViewRendition {
        if self.watermark {
            ViewRendition::Watermarked
        } else {
            ViewRendition::Clean
        }
    }

    pub fn password_protected(&self) -> bool {
        self.password.is_some()
    }
}

/// Who made a private link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantOrigin {
    /// The photographer shared the gallery with this client (grants from before origins were
    /// recorded are all of this kind).
    #[default]
    Photographer,
    /// A visitor of the general link gave this email to keep favourites or download: nobody
    /// proved they own the address.
    Visitor,
    /// The photographer released the gallery to a client login: the link belongs to the login
    /// and goes with it.
    Login,
}

impl GrantOrigin {
    /// Whether a new grant of this origin may take an email whose grant was revoked: the
    /// photographer may share with it again; the general link may not hand it a fresh link.
    pub fn may_follow_a_revoked_grant(self) -> bool {
        self == Self::Photographer
    }

    /// Whether the photographer sharing with this grant's email replaces it: a visitor's
    /// address was never proved, so the invitation goes to the address's real owner.
    pub fn yields_to_the_photographer(self) -> bool {
        self == Self::Visitor
    }

    /// Whether this grant's email is its holder's: the photographer sent the link there. A
    /// visitor typed an address nobody checked, so a grant found by that address is never
    /// "theirs" (nor is theirs anyone else's), e.g. when stepping to a neighbouring gallery.
    pub fn proves_its_email(self) -> bool {
        self == Self::Photographer
    }
}

/// The rendition a client's gallery view is built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewRendition {
    Watermarked,
    Clean,
}

/// What happens to a link's password.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum PasswordUpdate {
    #[default]
    Keep,
    Remove,
    Set(PasswordHash),
}

/// A change the photographer asks for; a `None` field keeps its current value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SettingsChange {
    pub watermark: Option<bool>,
    pub password: PasswordUpdate,
    pub downloads_enabled: Option<bool>,
    /// `Some(None)` sets the limit to unlimited.
    pub download_limit: Option<Option<u32>>,
    pub download_resolutions: Option<BTreeSet<Resolution>>,
    pub downloads_watermarked: Option<bool>,
}

impl SettingsChange {
    /// Sessions are bound to the password they were opened with: a new or removed password
    /// ends them.
    pub fn ends_sessions(&self) -> bool {
        !matches!(self.password, PasswordUpdate::Keep)
    }
}

/// What a client may do through a link, as shown to that client (no secrets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientPermissions {
    pub watermark: bool,
    pub password_protected: bool,
    pub downloads_enabled: bool,
    pub download_limit: Option<u32>,
    /// Empty when downloads are off: there is nothing to choose from.
    pub download_resolutions: Vec<Resolution>,
    pub downloads_watermarked: bool,
}

impl From<&AccessSettings> for ClientPermissions {
    fn from(settings: &AccessSettings) -> Self {
        let resolutions = if settings.downloads_enabled {
            settings.download_resolutions.iter().copied().collect()
        } else {
            Vec::new()
        };
        Self {
            watermark: settings.watermark,
            password_protected: settings.password_protected(),
            downloads_enabled: settings.downloads_enabled,
            download_limit: settings
                .download_limit
                .filter(|_| settings.downloads_enabled),
            download_resolutions: resolutions,
            downloads_watermarked: settings.downloads_watermarked,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::collection::btree_set;
    use proptest::option;
    use proptest::prelude::*;

    fn resolution() -> impl Strategy<Value = Resolution> {
        prop_oneof![
            Just(Resolution::Web),
            Just(Resolution::High),
            Just(Resolution::Original)
        ]
    }

    fn password() -> impl Strategy<Value = Option<PasswordHash>> {
        option::of("[a-z]{8}".prop_map(|s| PasswordHash::from_phc(format!("$argon2id$v=19${s}"))))
    }

    prop_compose! {
        fn settings()(
            watermark in any::<bool>(),
            password in password(),
            downloads_enabled in any::<bool>(),
            download_limit in option::of(0..=AccessSettings::MAX_DOWNLOAD_LIMIT),
            download_resolutions in btree_set(resolution(), 1..=3),
            downloads_watermarked in any::<bool>(),
        ) -> AccessSettings {
            AccessSettings { watermark, password, downloads_enabled, download_limit,
                download_resolutions, downloads_watermarked }
        }
    }

    prop_compose! {
        fn change()(
            watermark in option::of(any::<bool>()),
            password in prop_oneof![
                Just(PasswordUpdate::Keep),
                Just(PasswordUpdate::Remove),
                "[a-z]{8}".prop_map(|s| PasswordUpdate::Set(PasswordHash::from_phc(s))),
            ],
            downloads_enabled in option::of(any::<bool>()),
            download_limit in option::of(option::of(0..=AccessSettings::MAX_DOWNLOAD_LIMIT)),
            download_resolutions in option::of(btree_set(resolution(), 1..=3)),
            downloads_watermarked in option::of(any::<bool>()),
        ) -> SettingsChange {
            SettingsChange { watermark, password, downloads_enabled, download_limit,
                download_resolutions, downloads_watermarked }
        }
    }

    proptest! {
        /// Every field a private grant names wins; every field it leaves out is the general one.
        #[test]
        fn private_overrides_general_field_by_field(general in settings(), overrides in change()) {
            let grant = AccessSettings::for_private_grant(&general, overrides.clone()).unwrap();
            prop_assert_eq!(grant.watermark, overrides.watermark.unwrap_or(general.watermark));
            prop_assert_eq!(grant.downloads_enabled, overrides.downloads_enabled.unwrap_or(general.downloads_enabled));
            prop_assert_eq!(grant.download_limit, overrides.download_limit.unwrap_or(general.download_limit));
            prop_assert_eq!(&grant.download_resolutions, overrides.download_resolutions.as_ref().unwrap_or(&general.download_resolutions));
            prop_assert_eq!(grant.downloads_watermarked, overrides.downloads_watermarked.unwrap_or(general.downloads_watermarked));
            let expected_password = match &overrides.password {
                PasswordUpdate::Keep => general.password.clone(),
                PasswordUpdate::Remove => None,
                PasswordUpdate::Set(hash) => Some(hash.clone()),
            };
            prop_assert_eq!(grant.password, expected_password);
        }

        /// A grant copies the general settings of its creation moment: changing the general
        /// settings afterwards leaves it exactly as it was.
        #[test]
        fn grants_keep_the_defaults_of_their_creation_moment(
            general in settings(), overrides in change(), later in change(),
        ) {
            let grant = AccessSettings::for_private_grant(&general, overrides).unwrap();
            let before = grant.clone();
            let general_later = general.apply(later).unwrap();
            prop_assert_eq!(&grant, &before);
            // A grant created now copies the new general settings instead.
            let new_grant = AccessSettings::for_private_grant(&general_later, SettingsChange::default()).unwrap();
            prop_assert_eq!(new_grant, general_later);
        }

        /// An empty change is the identity, so a retried PATCH with no fields changes nothing.
        #[test]
        fn an_empty_change_keeps_everything(current in settings()) {
            prop_assert_eq!(current.apply(SettingsChange::default()).unwrap(), current);
        }

        /// When the link is watermarked, the client sees only watermarked renditions.
        #[test]
        fn watermark_decides_the_rendition(current in settings()) {
            let expected = if current.watermark { ViewRendition::Watermarked } else { ViewRendition::Clean };
            prop_assert_eq!(current.view_rendition(), expected);
        }

        /// A client is never told of resolutions or limits it can't use.
        #[test]
        fn permissions_hide_downloads_when_off(current in settings()) {
            let shown = ClientPermissions::from(&current);
            if !current.downloads_enabled {
                prop_assert!(shown.download_resolutions.is_empty());
                prop_assert_eq!(shown.download_limit, None);
            }
            prop_assert_eq!(shown.password_protected, current.password.is_some());
        }
    }

    #[test]
    fn resolutions_name_themselves_as_serde_does_and_size_their_downloads() {
        let all = [Resolution::Web, Resolution::High, Resolution::Original];
        for resolution in all {
            let json = serde_json::to_string(&resolution).unwrap();
            assert_eq!(json, format!("\"{}\"", resolution.as_str()));
        }
        let edges = all.map(Resolution::long_edge);
        assert_eq!(edges, [Some(2048), Some(4096), None]);
    }

    #[test]
    fn downloads_on_need_a_resolution() {
        let general = AccessSettings::new_gallery_default();
        let change = SettingsChange {
            downloads_enabled: Some(true),
            download_resolutions: Some(BTreeSet::new()),
            ..SettingsChange::default()
        };
        assert_eq!(
            general.apply(change).unwrap_err().field,
            "download_resolutions"
        );
    }

    #[test]
    fn absurd_limits_are_refused() {
        let change = SettingsChange {
            download_limit: Some(Some(AccessSettings::MAX_DOWNLOAD_LIMIT + 1)),
            ..SettingsChange::default()
        };
        let err = AccessSettings::new_gallery_default()
            .apply(change)
            .unwrap_err();
        assert_eq!(err.field, "download_limit");
    }

    #[test]
    fn only_password_changes_end_sessions() {
        assert!(!SettingsChange::default().ends_sessions());
        let remove = SettingsChange {
            password: PasswordUpdate::Remove,
            ..Default::default()
        };
        assert!(remove.ends_sessions());
    }

    #[test]
    fn only_visitor_grants_give_way_and_only_the_photographer_returns_after_a_revocation() {
        assert!(GrantOrigin::Photographer.may_follow_a_revoked_grant());
        assert!(!GrantOrigin::Visitor.may_follow_a_revoked_grant());
        assert!(GrantOrigin::Visitor.yields_to_the_photographer());
        assert!(!GrantOrigin::Photographer.yields_to_the_photographer());
    }

    #[test]
    fn only_the_photographers_invitation_proves_an_email() {
        assert!(GrantOrigin::Photographer.proves_its_email());
        assert!(!GrantOrigin::Visitor.proves_its_email());
        assert!(!GrantOrigin::Login.proves_its_email());
    }

    #[test]
    fn password_hashes_never_print() {
        let hash = PasswordHash::from_phc("$argon2id$secret".into());
        assert!(!format!("{hash:?}").contains("secret"));
    }
}
