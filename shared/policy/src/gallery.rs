//! Galleries: nesting and the watermark a gallery's renditions carry.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::text::{has_visible, one_line, one_line_name};
use crate::{AccessSettings, GrantId, Invalid, PhotographerId};

/// Where the mark sits on a photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    TopLeft,
    TopRight,
    BottomLeft,
    #[default]
    BottomRight,
    Center,
}

/// Whether the mark is the photographer's uploaded PNG logo or a line of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WatermarkMode {
    #[default]
    Text,
    Logo,
}

/// A gallery's watermark. The defaults suit most photographers: "© <name>" at the bottom
/// right, half transparent, a fifth of the photo's width.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WatermarkSettings {
    pub mode: WatermarkMode,
    /// The text line; `None` means "© <photographer name>". One line of 1 to
    /// [`Self::MAX_TEXT_CHARS`] characters with a visible one, kept without hidden characters, as
    /// every name is (see [`crate::text`]).
    pub text: Option<String>,
    pub position: Position,
    /// 0 is invisible, 1 is opaque.
    pub opacity: f64,
    /// The mark's width as a fraction of the photo's width.
    pub scale: f64,
}

impl Default for WatermarkSettings {
    fn default() -> Self {
        Self {
            mode: WatermarkMode::Text,
            text: None,
            position: Position::BottomRight,
            opacity: 0.5,
            scale: 0.2,
        }
    }
}

/// A partial watermark change; `None` keeps the current value. `text: Some(None)` returns to
/// the default text.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WatermarkUpdate {
    pub mode: Option<WatermarkMode>,
    pub text: Option<Option<String>>,
    pub position: Option<Position>,
    pub opacity: Option<f64>,
    pub scale: Option<f64>,
}

impl WatermarkSettings {
    /// Fainter than this, a mark protects nothing while the photographer believes it does.
    pub const MIN_OPACITY: f64 = 0.1;
    pub const MAX_TEXT_CHARS: usize = 100;

    pub fn apply(&self, update: WatermarkUpdate) -> Result<Self, Invalid> {
        let text = match update.text {
            Some(Some(raw)) => Some(Self::parse_text(&raw)?),
            Some(None) => None,
            None => self.text.clone(),
        };
        let next = Self {
            mode: update.mode.unwrap_or(self.mode),
            text,
            position: update.position.unwrap_or(self.position),
            opacity: update.opacity.unwrap_or(self.opacity),
            scale: update.scale.unwrap_or(self.scale),
        };
        if !(Self::MIN_OPACITY..=1.0).contains(&next.opacity) {
            return Err(Invalid::new(
                "watermark.opacity",
                "must be between 0.1 (faint) and 1 (opaque)",
            ));
        }
        if !(0.05..=1.0).contains(&next.scale) {
            return Err(Invalid::new(
                "watermark.scale",
                "must be between 0.05 and 1",
            ));
        }
        Ok(next)
    }

    /// The watermark's own text as it is kept (see [`Self::text`]): trimmed, hidden characters
    /// dropped and line or paragraph separators made spaces; refused with a control character,
    /// nothing visible or over [`Self::MAX_TEXT_CHARS`] characters.
    fn parse_text(raw: &str) -> Result<String, Invalid> {
        let text =
            one_line_name(raw).map_err(|unfit| Invalid::new("watermark.text", unfit.reason()))?;
        if text.chars().count() > Self::MAX_TEXT_CHARS {
            return Err(Invalid::new(
                "watermark.text",
                "must be at most 100 characters",
            ));
        }
        Ok(text)
    }

    /// The text drawn on photos when the mode is text: a text stored before the rule is
    /// drawn as it is shown, and one that shows nothing gives way to the default.
    pub fn text_for(&self, photographer_name: &str) -> String {
        self.text
            .as_deref()
            .map(one_line)
            .filter(|text| has_visible(text))
            .map_or_else(|| format!("© {photographer_name}"), Cow::into_owned)
    }
}

/// How galleries nest.
pub struct GalleryRules;

impl GalleryRules {
    /// Gallery → sub-gallery → sub-sub-gallery: three levels, depths 0 to 2. Deeper trees
    /// confuse clients more than they help photographers, and a bound keeps every walk up the
    /// tree short.
    pub const MAX_LEVELS: u8 = 3;

    /// The depth a new gallery gets under `parent`, and what it starts with, if the parent may
    /// hold it. A parent owned by someone else is reported as missing, so ids of other tenants
    /// reveal nothing; so is a parent being deleted, whose delete has looked or is about to look
    /// for sub-galleries that would stop it.
    pub fn subgallery(
        parent: ParentGallery,
        caller: PhotographerId,
    ) -> Result<(u8, GalleryDefaults), ParentRefused> {
        if parent.owner != caller || parent.being_deleted {
            return Err(ParentRefused::NotFound);
        }
        let depth = parent.depth + 1;
        if depth >= Self::MAX_LEVELS {
            return Err(ParentRefused::TooDeep);
        }
        Ok((depth, Self::subgallery_defaults(parent)))
    }
}

/// What a new gallery starts with.
#[derive(Debug, Clone, PartialEq)]
pub struct GalleryDefaults {
    /// Clients may move between a gallery and its sub-galleries: what a photographer who made
    /// sub-galleries expects unless they say otherwise.
    pub navigation_to_subgalleries: bool,
    pub watermark: WatermarkSettings,
    /// The general link's settings: view only, watermarked, until the photographer decides.
    pub general_access: AccessSettings,
    /// When its links stop working (Unix seconds); `None` for never.
    pub expiry: Option<u64>,
}

/// What of a parent a new sub-gallery is made from.
#[derive(Debug, Clone, Copy)]
pub struct ParentGallery<'a> {
    pub owner: PhotographerId,
    pub depth: u8,
    pub being_deleted: bool,
    pub watermark: &'a WatermarkSettings,
    pub general_access: &'a AccessSettings,
    pub expiry: Option<u64>,
}

impl GalleryRules {
    /// A top-level gallery's.
    pub fn defaults() -> GalleryDefaults {
        GalleryDefaults {
            navigation_to_subgalleries: true,
            watermark: WatermarkSettings::default(),
            general_access: AccessSettings::new_gallery_default(),
            expiry: None,
        }
    }

    /// A sub-gallery's: creating a gallery never opens anything wider than its parent, so it
    /// starts with a copy of its parent's general access at this moment (password included),
    /// closes when its parent does, and carries its parent's watermark. The photographer may
    /// change each afterwards.
    fn subgallery_defaults(parent: ParentGallery) -> GalleryDefaults {
        GalleryDefaults {
            general_access: parent.general_access.clone(),
            watermark: parent.watermark.clone(),
            expiry: parent.expiry,
            ..Self::defaults()
        }
    }
}

impl GalleryRules {
    /// A gallery with sub-galleries can't be deleted: that would silently take them along.
    pub fn can_delete(subgallery_count: usize) -> bool {
        subgallery_count == 0
    }
}

/// Who is looking at a gallery, as far as stepping to a neighbouring one goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// Through the gallery's general (public) link.
    GeneralLink,
    /// Through a client's private link (shared by the photographer, or an identified visitor).
    PrivateLink,
    /// Through a link released to a client login.
    Login,
}

impl GalleryRules {
    /// The link a viewer follows from a gallery to a neighbouring one (a sub-gallery, or the
    /// parent), or `None` when the way is closed:
    /// - The parent's `navigation_to_subgalleries` opens the staircase both ways between it and
    ///   its sub-galleries, or neither way.
    /// - A viewer's own grant on the neighbour wins: its settings are theirs there.
    /// - Otherwise a link viewer lands on the neighbour's general link, with the neighbour's own
    ///   general settings (password, watermark): never the settings they came with.
    /// - A client login reaches only galleries released to it.
    pub fn neighbour_link(
        parent_navigation: bool,
        viewer: Viewer,
        own_grant_there: Option<GrantId>,
        general_grant_there: GrantId,
    ) -> Option<GrantId> {
        if !parent_navigation {
            return None;
        }
        match viewer {
            Viewer::GeneralLink => Some(general_grant_there),
            Viewer::PrivateLink => Some(own_grant_there.unwrap_or(general_grant_there)),
            Viewer::Login => own_grant_there,
        }
    }
}

/// Why a gallery can't be created under the requested parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParentRefused {
    NotFound,
    TooDeep,
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn a_subgallery_never_starts_wider_than_its_parent() {
        let protected = AccessSettings {
            password: Some(crate::PasswordHash::from_phc(
                "$argon2id$v=19$parent".into(),
            )),
            downloads_enabled: true,
            download_limit: Some(5),
            ..AccessSettings::new_gallery_default()
        };
        let mark = WatermarkSettings {
            position: Position::TopLeft,
            ..WatermarkSettings::default()
        };
        let anna = PhotographerId::from_uuid(Uuid::new_v4());
        let (_, made) = GalleryRules::subgallery(
            ParentGallery {
                expiry: Some(1_900_000_000),
                ..parent(anna, 0, &protected, &mark)
            },
            anna,
        )
        .unwrap();
        assert_eq!(
            made.general_access, protected,
            "password and all, as of now"
        );
        assert_eq!(made.watermark, mark);
        assert_eq!(made.expiry, Some(1_900_000_000));
        assert!(made.navigation_to_subgalleries);
        // A top-level gallery starts closed to downloads, open to view, and never expires.
        let top = GalleryRules::defaults();
        assert_eq!(top.general_access, AccessSettings::new_gallery_default());
        assert_eq!(top.expiry, None);
    }

    #[test]
    fn the_staircase_goes_both_ways_or_not_at_all_and_logins_reach_only_their_releases() {
        let own = GrantId::from_uuid(Uuid::from_u128(1));
        let general = GrantId::from_uuid(Uuid::from_u128(2));
        let viewers = [Viewer::GeneralLink, Viewer::PrivateLink, Viewer::Login];
        for viewer in viewers {
            for mine in [Some(own), None] {
                assert_eq!(
                    GalleryRules::neighbour_link(false, viewer, mine, general),
                    None
                );
            }
        }
        let open = |viewer, mine| GalleryRules::neighbour_link(true, viewer, mine, general);
        assert_eq!(open(Viewer::GeneralLink, None), Some(general));
        assert_eq!(open(Viewer::PrivateLink, Some(own)), Some(own));
        assert_eq!(open(Viewer::PrivateLink, None), Some(general));
        assert_eq!(open(Viewer::Login, Some(own)), Some(own));
        assert_eq!(open(Viewer::Login, None), None);
    }

    #[test]
    fn default_text_names_the_photographer() {
        let settings = WatermarkSettings::default();
        assert_eq!(settings.text_for("Anna Lee"), "© Anna Lee");
        let custom = settings
            .apply(WatermarkUpdate {
                text: Some(Some("Lee Studio".into())),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(custom.text_for("Anna Lee"), "Lee Studio");
        let back = custom
            .apply(WatermarkUpdate {
                text: Some(None),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(back.text_for("Anna Lee"), "© Anna Lee");
    }

    /// Regression (second probe): `© Anna\u{202E}olleh\u{200B}` was kept as sent, and given back
    /// to the photographer's app (and copied to sub-galleries) with its override. The text is
    /// kept as every other name is.
    #[test]
    fn the_text_is_kept_without_hidden_characters() {
        let set = |text: &str| {
            WatermarkSettings::default().apply(WatermarkUpdate {
                text: Some(Some(text.into())),
                ..Default::default()
            })
        };
        let kept = set(" © Anna\u{202E}olleh\u{200B} ").unwrap();
        assert_eq!(kept.text.as_deref(), Some("© Annaolleh"));
        assert_eq!(set("a\u{2028}b").unwrap().text.as_deref(), Some("a b"));
        assert!(set(&"w".repeat(100)).is_ok());
        assert_eq!(set(&"w".repeat(101)).unwrap_err().field, "watermark.text");
        // What was stored before the rule is drawn as it is shown.
        let stored = WatermarkSettings {
            text: Some("© Anna\u{202E}olleh".into()),
            ..Default::default()
        };
        assert_eq!(stored.text_for("Anna Lee"), "© Annaolleh");
        let blank = WatermarkSettings {
            text: Some("\u{200B}".into()),
            ..Default::default()
        };
        assert_eq!(blank.text_for("Anna Lee"), "© Anna Lee");
    }

    #[test]
    fn invisible_or_unreadable_watermarks_are_refused() {
        let refused = [
            (
                "watermark.opacity",
                WatermarkUpdate {
                    opacity: Some(1.5),
                    ..Default::default()
                },
            ),
            (
                "watermark.opacity",
                WatermarkUpdate {
                    opacity: Some(0.0),
                    ..Default::default()
                },
            ),
            (
                "watermark.opacity",
                WatermarkUpdate {
                    opacity: Some(0.09),
                    ..Default::default()
                },
            ),
            (
                "watermark.scale",
                WatermarkUpdate {
                    scale: Some(0.0),
                    ..Default::default()
                },
            ),
            (
                "watermark.text",
                WatermarkUpdate {
                    text: Some(Some("a\r\nb".into())),
                    ..Default::default()
                },
            ),
            (
                "watermark.text",
                WatermarkUpdate {
                    text: Some(Some(String::new())),
                    ..Default::default()
                },
            ),
            (
                "watermark.text",
                WatermarkUpdate {
                    text: Some(Some("   \u{3000}".into())),
                    ..Default::default()
                },
            ),
            (
                "watermark.text",
                WatermarkUpdate {
                    text: Some(Some("\u{200B}\u{2060}\u{FEFF}\u{3164}\u{2800}".into())),
                    ..Default::default()
                },
            ),
        ];
        for (field, update) in refused {
            let refusal = WatermarkSettings::default().apply(update.clone());
            assert_eq!(refusal.map_err(|e| e.field), Err(field), "{update:?}");
        }
        let faintest = WatermarkUpdate {
            opacity: Some(WatermarkSettings::MIN_OPACITY),
            ..Default::default()
        };
        assert!(WatermarkSettings::default().apply(faintest).is_ok());
    }

    proptest::proptest! {
        #[test]
        fn every_accepted_watermark_can_be_seen(opacity in -1.0f64..2.0, scale in -1.0f64..2.0, text in proptest::option::of(".{0,120}")) {
            let update = WatermarkUpdate { opacity: Some(opacity), scale: Some(scale), text: Some(text), ..Default::default() };
            if let Ok(mark) = WatermarkSettings::default().apply(update) {
                proptest::prop_assert!(mark.opacity >= WatermarkSettings::MIN_OPACITY);
                proptest::prop_assert!(mark.scale >= 0.05);
                proptest::prop_assert!(crate::text::has_visible(&mark.text_for("Anna")));
            }
        }
    }

    fn parent<'a>(
        owner: PhotographerId,
        depth: u8,
        access: &'a AccessSettings,
        mark: &'a WatermarkSettings,
    ) -> ParentGallery<'a> {
        ParentGallery {
            owner,
            depth,
            being_deleted: false,
            watermark: mark,
            general_access: access,
            expiry: None,
        }
    }

    #[test]
    fn sub_galleries_stay_with_their_owner_and_shallow() {
        let anna = PhotographerId::from_uuid(Uuid::new_v4());
        let ben = PhotographerId::from_uuid(Uuid::new_v4());
        let (access, mark) = (
            AccessSettings::new_gallery_default(),
            WatermarkSettings::default(),
        );
        let depth = |parent| GalleryRules::subgallery(parent, anna).map(|(depth, _)| depth);
        assert_eq!(depth(parent(anna, 0, &access, &mark)), Ok(1));
        assert_eq!(depth(parent(anna, 1, &access, &mark)), Ok(2));
        assert_eq!(
            depth(parent(ben, 0, &access, &mark)),
            Err(ParentRefused::NotFound)
        );
        assert_eq!(
            depth(parent(anna, GalleryRules::MAX_LEVELS - 1, &access, &mark)),
            Err(ParentRefused::TooDeep)
        );
        let being_deleted = ParentGallery {
            being_deleted: true,
            ..parent(anna, 0, &access, &mark)
        };
        assert_eq!(depth(being_deleted), Err(ParentRefused::NotFound));
    }
}
