//! Client logins: a long-term client's access code on the photographer's login page, which opens
//! every gallery the photographer released to them.
//!
//! The rules:
//! - A code is typed by a person, often read out from an email or a card: it is case-blind,
//!   whitespace and dashes don't count, and the look-alikes `O`/`0` and `I`/`L`/`1` are one character.
//!   Generated codes use none of them at all.
//! - A generated code is 12 characters of a 31-character alphabet (59 bits): under the login
//!   page's rate limit, guessing any of a photographer's codes would take longer than forever.
//!   A code the photographer chooses must be at least 8 significant characters, and unique for
//!   that photographer (the page finds the login by the code alone).
//! - A released gallery opens with private-link settings of its own, copied from that gallery's
//!   general settings at release time — except its password: the access code is what the client
//!   proved, so a login never meets the gallery password unless the photographer sets one for it.

use std::fmt;

use crate::{AccessSettings, Invalid, SettingsChange};

/// An access code as the login page compares it: folded (see the module docs), plus the text
/// to show the photographer once.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessCode {
    folded: String,
    shown: String,
}

impl AccessCode {
    /// What generated codes are made of: digits and capitals without `0`, `1`, `O`, `I`, `L`.
    pub const ALPHABET: &'static [u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    pub const GENERATED_LEN: usize = 12;
    pub const MIN_CHOSEN_LEN: usize = 8;
    pub const MAX_LEN: usize = 64;

    /// A new code from 16 random bytes (the caller's randomness: the policy has none), shown
    /// in groups of four: `7KQM-X4TR-9HWP`.
    pub fn generate(random: [u8; 16]) -> Self {
        // 31^12 < 2^128, and the bias of reducing 128 random bits is below 2^-68.
        let mut rest = u128::from_le_bytes(random);
        let base = Self::ALPHABET.len() as u128;
        let folded: String = (0..Self::GENERATED_LEN)
            .map(|_| {
                let digit = (rest % base) as usize;
                rest /= base;
                char::from(Self::ALPHABET[digit])
            })
            .collect();
        let shown = folded
            .as_bytes()
            .chunks(4)
            .map(|group| std::str::from_utf8(group).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("-");
        Self { folded, shown }
    }

    /// A code the photographer chose: letters and digits (spaces and dashes allowed between),
    /// at least [`Self::MIN_CHOSEN_LEN`] of them.
    pub fn parse_chosen(raw: &str) -> Result<Self, Invalid> {
        let shown = raw.trim();
        // What the photographer writes is shown to clients as written: plain separators only.
        let plain = shown
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-');
        let folded = Self::fold(shown).filter(|_| plain).ok_or_else(|| {
            Invalid::new(
                "access_code",
                "must be letters A-Z and digits (spaces and dashes between are ignored)",
            )
        })?;
        if !(Self::MIN_CHOSEN_LEN..=Self::MAX_LEN).contains(&folded.len()) {
            return Err(Invalid::new(
                "access_code",
                format!(
                    "must have {} to {} letters and digits",
                    Self::MIN_CHOSEN_LEN,
                    Self::MAX_LEN
                ),
            ));
        }
        Ok(Self {
            folded,
            shown: shown.to_owned(),
        })
    }

    /// A code as typed on the login page; `None` when it can't be anyone's code.
    pub fn typed(raw: &str) -> Option<Self> {
        let folded = Self::fold(raw)?;
        (!folded.is_empty() && folded.len() <= Self::MAX_LEN).then(|| Self {
            folded,
            shown: String::new(),
        })
    }

    /// Upper case, without spaces and dashes, look-alikes made one; `None` for any other
    /// character (or an absurd length).
    fn fold(raw: &str) -> Option<String> {
        if raw.len() > 4 * Self::MAX_LEN {
            return None;
        }
        // Pasted codes bring tabs, line ends and no-break spaces; typed ones, other dashes.
        raw.chars()
            .filter(|c| {
                !c.is_whitespace() && !matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}')
            })
            .map(|c| match c.to_ascii_uppercase() {
                'O' => Some('0'),
                'I' | 'L' => Some('1'),
                c if c.is_ascii_alphanumeric() => Some(c),
                _ => None,
            })
            .collect()
    }

    /// The form codes are compared (and hashed) in.
    pub fn folded(&self) -> &str {
        &self.folded
    }

    /// The code as the photographer is shown it, once.
    pub fn shown(&self) -> &str {
        &self.shown
    }
}

impl fmt::Debug for AccessCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessCode(<redacted>)")
    }
}

/// The photographer's note about a login (never shown to the client): up to 1,000 characters.
pub fn check_note(note: &str) -> Result<(), Invalid> {
    if note.chars().count() > 1000 {
        return Err(Invalid::new("note", "must be at most 1000 characters"));
    }
    Ok(())
}

/// The settings of a gallery released to a login: that gallery's general settings of this
/// moment without their password, then what the photographer gave for this release.
pub fn release_settings(
    general: &AccessSettings,
    overrides: SettingsChange,
) -> Result<AccessSettings, Invalid> {
    let without_password = AccessSettings {
        password: None,
        ..general.clone()
    };
    without_password.apply(overrides)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{PasswordHash, PasswordUpdate};
    use proptest::prelude::*;

    proptest! {
        /// Generated codes are 12 characters of the alphabet, shown in groups of four, and the
        /// login page reads back exactly them however they are typed.
        #[test]
        fn generated_codes_are_unambiguous_and_read_back(random in any::<[u8; 16]>(), lower in any::<bool>()) {
            let code = AccessCode::generate(random);
            prop_assert_eq!(code.folded().len(), AccessCode::GENERATED_LEN);
            prop_assert!(code.folded().bytes().all(|b| AccessCode::ALPHABET.contains(&b)));
            prop_assert!(!code.folded().contains(['0', '1', 'O', 'I', 'L']));
            prop_assert_eq!(code.shown().len(), 14);
            let typed = if lower { code.shown().to_lowercase() } else { code.shown().replace('-', " ") };
            let read_back = AccessCode::typed(&typed).unwrap();
            prop_assert_eq!(read_back.folded(), code.folded());
        }

        /// Whatever a person types, the login page folds it without panicking, and never into
        /// something longer than a code can be.
        #[test]
        fn typed_codes_never_panic(raw in ".{0,300}") {
            if let Some(code) = AccessCode::typed(&raw) {
                prop_assert!(code.folded().len() <= AccessCode::MAX_LEN);
                prop_assert!(code.folded().bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
            }
        }
    }

    #[test]
    fn different_random_bytes_make_different_codes() {
        let a = AccessCode::generate([1; 16]);
        let b = AccessCode::generate([2; 16]);
        assert_ne!(a.folded(), b.folded());
    }

    #[test]
    fn look_alikes_case_spaces_and_dashes_do_not_matter() {
        let chosen = AccessCode::parse_chosen(" Anna-Love 2024 ").unwrap();
        assert_eq!(chosen.shown(), "Anna-Love 2024");
        for typed in [
            "ANNALOVE2024",
            "anna 1ove 2o24",
            "ANNA-L0VE-2024",
            "annaIove2024",
        ] {
            assert_eq!(
                AccessCode::typed(typed).unwrap().folded(),
                chosen.folded(),
                "{typed}"
            );
        }
        assert_ne!(
            AccessCode::typed("ANNALOVE2025").unwrap().folded(),
            chosen.folded()
        );
    }

    #[test]
    fn pasted_whitespace_and_typographic_dashes_do_not_matter() {
        let code = AccessCode::generate([9; 16]);
        let pasted = format!("\t{}\n", code.shown().replace('-', "\u{a0}"));
        assert_eq!(AccessCode::typed(&pasted).unwrap().folded(), code.folded());
        let dashed = code.shown().replace('-', "\u{2013}");
        assert_eq!(AccessCode::typed(&dashed).unwrap().folded(), code.folded());
    }

    #[test]
    fn chosen_codes_must_be_long_enough_and_plain() {
        for bad in [
            "",
            "short12",
            "abc-def-",
            "anna.love.2024",
            "ännälove2024",
            "code\n1234",
        ] {
            let err = AccessCode::parse_chosen(bad).unwrap_err();
            assert_eq!(err.field, "access_code", "{bad:?}");
        }
        assert!(AccessCode::parse_chosen("abcd-efgh").is_ok());
        assert!(AccessCode::parse_chosen(&"A".repeat(65)).is_err());
        assert!(AccessCode::typed("").is_none());
        assert!(AccessCode::typed("not a code!").is_none());
    }

    #[test]
    fn codes_never_print() {
        let code = AccessCode::generate([7; 16]);
        assert!(!format!("{code:?}").contains(code.folded()));
    }

    #[test]
    fn a_release_copies_the_general_settings_but_not_their_password() {
        let general = AccessSettings {
            password: Some(PasswordHash::from_phc("$argon2id$x".into())),
            downloads_enabled: true,
            download_limit: Some(10),
            ..AccessSettings::new_gallery_default()
        };
        let released = release_settings(&general, SettingsChange::default()).unwrap();
        assert_eq!(released.password, None);
        assert_eq!(released.download_limit, Some(10));
        assert_eq!(released.watermark, general.watermark);
        // The photographer may still give this release a password of its own, or other limits.
        let own = SettingsChange {
            password: PasswordUpdate::Set(PasswordHash::from_phc("$argon2id$y".into())),
            download_limit: Some(Some(50)),
            ..SettingsChange::default()
        };
        let released = release_settings(&general, own).unwrap();
        assert!(released.password_protected());
        assert_eq!(released.download_limit, Some(50));
    }

    #[test]
    fn notes_are_bounded() {
        assert!(check_note("prefers prints").is_ok());
        assert_eq!(check_note(&"x".repeat(1001)).unwrap_err().field, "note");
    }
}
