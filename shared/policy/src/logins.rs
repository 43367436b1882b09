//! Client logins: a long-term client's access code on the photographer's login page, which opens
//! every gallery the photographer released to them.
//!
//! The rules:
//! - A code is typed by a person, often read out from an email or a card: it is case-blind,
//!   whitespace and dashes don't count, and the look-alikes `O`/`0` and `I`/`L`/`1` are one character.
//!   Generated codes use none of them at all.
//! - A generated code is 12 characters of a 31-character alphabet (59 bits): under the login
//!   page's rate limit, guessing any of a photographer's codes would take longer than forever.
//!   A code the photographer chooses must be at least 8 significant characters, unique for
//!   that photographer (the page finds the login by the code alone), and hard to guess: at
//!   least [`AccessCode::MIN_CHOSEN_GUESSES`] guesses, as zxcvbn estimates its parts. zxcvbn
//!   splits a code into its likeliest parts — common passwords, words and names, the client's
//!   own name and email (also without their accents: `Zoë Ångström` is typed `zoe angstrom`),
//!   dates and years, repeats (`AAAA`), runs (`ABCD`, `6543`), keyboard rows (`QWERTY`), the rest
//!   as random characters — and estimates how many guesses finding each part takes. A code takes
//!   the product of its parts' guesses, times the orders they could come in. (zxcvbn's own total
//!   also adds 10⁴ guesses for each part after the first, assuming an attacker tries every code
//!   of fewer parts first; with it, any three parts passed, `password-2024-1234` and
//!   `XXXX-YYYY-ZZZZ` too. A guesser who knows the trick doesn't oblige, so it is left out.)
//!   The code is judged three ways, and the weakest counts: as written; as the login page
//!   compares it, which is what an attacker has to guess (`IlLi-1lIi-lLI1` is `1111 1111 1111`
//!   there); and group by group as the photographer separated it, the product of each group's
//!   own estimate (`00-AA-FF-AA` is four pairs, not eight random characters).
//!   Generated codes are random: no bar applies.
//! - A released gallery opens with private-link settings of its own, copied from that gallery's
//!   general settings at release time — except its password: the access code is what the client
//!   proved, so a login never meets the link's password unless the photographer sets one for it.

use std::fmt;

use zxcvbn::Match;
use zxcvbn::feedback::Warning;
use zxcvbn::matching::patterns::MatchPattern;

use crate::text::without_hidden;
use crate::{AccessSettings, Email, Invalid, PersonName, SettingsChange};

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
    /// The fewest guesses a chosen code may take, by zxcvbn's estimate of its parts (see the
    /// module docs): zxcvbn's bar for "safely unguessable" (score 3). The login page's throttle
    /// makes that many tries take decades; eight random letters and digits just pass, as do
    /// four unrelated words (`blue-house-42-tango`); a name, a word and a year don't.
    pub const MIN_CHOSEN_GUESSES: u64 = 100_000_000;

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

    /// A code the photographer chose for the client named `client` (at `email`): letters and
    /// digits (spaces and dashes allowed between), at least [`Self::MIN_CHOSEN_LEN`] of them,
    /// and hard to guess (see the module docs), for strangers and for anyone who knows the
    /// client's name or address.
    pub fn parse_chosen(
        raw: &str,
        client: &PersonName,
        email: Option<&Email>,
    ) -> Result<Self, Invalid> {
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
        if let Some(weakness) = Weakness::of(shown, &folded, client, email) {
            return Err(Invalid::new(
                "access_code",
                format!(
                    "is too easy to guess: {weakness}. Put together a few uncommon, unrelated \
                     words (a year or a short number adds little), or leave access_code out to \
                     have a code made for you"
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
        raw.chars()
            .filter(|&c| !Self::separates(c))
            .map(|c| match c.to_ascii_uppercase() {
                'O' => Some('0'),
                'I' | 'L' => Some('1'),
                c if c.is_ascii_alphanumeric() => Some(c),
                _ => None,
            })
            .collect()
    }

    /// Whether `c` only separates groups of a code. Pasted codes bring tabs, line ends and
    /// no-break spaces; typed ones, other dashes.
    fn separates(c: char) -> bool {
        c.is_whitespace() || matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}')
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

/// Why a chosen code is too easy to guess, in a photographer's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Weakness {
    ClientsOwn,
    Repeats,
    Runs,
    KeyboardRow,
    Date,
    CommonPassword,
    CommonName,
    CommonWord,
    GuessableParts,
}

impl Weakness {
    /// `None` when `code` takes enough guesses (see [`AccessCode::MIN_CHOSEN_GUESSES`]) as
    /// written, `folded` as the login page compares it, and group by group.
    fn of(code: &str, folded: &str, client: &PersonName, email: Option<&Email>) -> Option<Self> {
        let clients_own = clients_own_words(client, email);
        let known: Vec<&str> = clients_own.iter().map(String::as_str).collect();
        // Case, spaces and dashes don't count on the login page.
        let letters_and_digits = |text: &str| -> String {
            text.chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_ascii_lowercase()
        };
        let groups: Vec<String> = code
            .split(AccessCode::separates)
            .map(letters_and_digits)
            .filter(|group| !group.is_empty())
            .collect();
        let forms = [letters_and_digits(code), folded.to_ascii_lowercase()];
        // The first estimate under the bar says why: the whole code's parts read best.
        let weak = forms
            .iter()
            .map(|form| Estimate::of(form, &known))
            .chain(std::iter::once_with(|| Estimate::of_groups(&groups, &known)).flatten())
            .find(|estimate| estimate.guesses < AccessCode::MIN_CHOSEN_GUESSES)?;
        Some(weak.weakness(&clients_own))
    }
}

impl fmt::Display for Weakness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::ClientsOwn => "it is made from the client's own name or email",
            Self::Repeats => "it repeats characters (like AAAA or 1212)",
            Self::Runs => "it runs in order (like ABCD or 6543)",
            Self::KeyboardRow => "it follows the keyboard (like QWERTY or 1QAZ2WSX)",
            Self::Date => "it is mostly a date or a year",
            Self::CommonPassword => "it is, or is built on, a commonly used password",
            Self::CommonName => "it is mostly a common first name or surname",
            Self::CommonWord => "it is a single common word",
            Self::GuessableParts => "each of its parts is a common word, name or number",
        })
    }
}

/// How many guesses finding one form of a code takes, and the parts zxcvbn saw in it.
struct Estimate {
    guesses: u64,
    parts: Vec<Match>,
    /// zxcvbn's own word on the parts, for a form under its own bar.
    warning: Option<Warning>,
}

impl Estimate {
    /// The product of the parts' guesses, times the orders the parts could come in: zxcvbn's
    /// estimate without the guesses it adds for each part after the first (see the module docs).
    fn of(form: &str, known: &[&str]) -> Self {
        let entropy = zxcvbn::zxcvbn(form, known);
        let parts = entropy.sequence();
        let orders = (1..=parts.len() as u64).fold(1, u64::saturating_mul);
        let guesses = parts
            .iter()
            .fold(orders, |product, part| {
                product.saturating_mul(part.guesses.unwrap_or(1))
            })
            .min(entropy.guesses());
        Self {
            guesses,
            parts: parts.to_vec(),
            warning: entropy.feedback().and_then(|feedback| feedback.warning()),
        }
    }

    /// The product of the guesses of the groups the photographer separated (with spaces or
    /// dashes), each estimated as a code of its own: what someone guessing group by group would
    /// take. Across a whole code zxcvbn may see random characters where its groups are not
    /// (`00-AA-FF-AA`), and it guesses each part of a longer code at least 50 times, where a
    /// group that is the client's first name takes one guess. `None` for a code of one group.
    fn of_groups(groups: &[String], known: &[&str]) -> Option<Self> {
        if groups.len() < 2 {
            return None;
        }
        let mut whole = Self {
            guesses: 1,
            parts: Vec::new(),
            warning: None,
        };
        for group in groups {
            let estimate = Self::of(group, known);
            whole.guesses = whole.guesses.saturating_mul(estimate.guesses);
            whole.parts.extend(estimate.parts);
        }
        Some(whole)
    }

    /// Why a code of this estimate is too easy to guess.
    fn weakness(&self, clients_own: &[String]) -> Weakness {
        let from_clients_own = self.parts.iter().any(|part| {
            matches!(&part.pattern, MatchPattern::Dictionary(word)
                if clients_own.contains(&word.matched_word))
        });
        if from_clients_own {
            return Weakness::ClientsOwn;
        }
        match self.warning {
            Some(
                Warning::RepeatsLikeAaaAreEasyToGuess
                | Warning::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess,
            ) => Weakness::Repeats,
            Some(Warning::SequencesLikeAbcAreEasyToGuess) => Weakness::Runs,
            Some(
                Warning::StraightRowsOfKeysAreEasyToGuess
                | Warning::ShortKeyboardPatternsAreEasyToGuess,
            ) => Weakness::KeyboardRow,
            Some(Warning::DatesAreOftenEasyToGuess | Warning::RecentYearsAreEasyToGuess) => {
                Weakness::Date
            }
            Some(
                Warning::ThisIsATop10Password
                | Warning::ThisIsATop100Password
                | Warning::ThisIsACommonPassword
                | Warning::ThisIsSimilarToACommonlyUsedPassword,
            ) => Weakness::CommonPassword,
            Some(
                Warning::NamesAndSurnamesByThemselvesAreEasyToGuess
                | Warning::CommonNamesAndSurnamesAreEasyToGuess,
            ) => Weakness::CommonName,
            Some(Warning::AWordByItselfIsEasyToGuess) => Weakness::CommonWord,
            // zxcvbn words its feedback only for codes under its own bar; past it, a kind of
            // part the code is made of throughout, if there is one.
            None => {
                let kind = |part: &Match| match part.pattern {
                    MatchPattern::Repeat(_) => Some(Weakness::Repeats),
                    MatchPattern::Sequence(_) => Some(Weakness::Runs),
                    MatchPattern::Spatial(_) => Some(Weakness::KeyboardRow),
                    // zxcvbn's only regular expression finds recent years.
                    MatchPattern::Date(_) | MatchPattern::Regex(_) => Some(Weakness::Date),
                    _ => None,
                };
                let mut kinds = self.parts.iter().map(kind);
                let first = kinds.next().flatten();
                match first {
                    Some(one) if kinds.all(|other| other == Some(one)) => one,
                    _ => Weakness::GuessableParts,
                }
            }
        }
    }
}

/// The words of a client's name and email address, each of them run together, as written and
/// as typed on a keyboard without accents (`Łukasz Wójcik`: `lukasz`, `wojcik`,
/// `lukaszwojcik`), and as the login page folds them: what someone who knows the client would
/// try first.
fn clients_own_words(client: &PersonName, email: Option<&Email>) -> Vec<String> {
    let (local, domain) = email
        .and_then(|email| email.as_str().split_once('@'))
        .unwrap_or_default();
    let mut words = Vec::new();
    for text in [client.as_str(), local, domain] {
        for spelling in [text.to_owned(), deunicode::deunicode(text)] {
            let parts: Vec<String> = spelling
                .split(|c: char| !c.is_alphanumeric())
                .filter(|part| !part.is_empty())
                .map(str::to_lowercase)
                .collect();
            if parts.len() > 1 {
                words.push(parts.concat());
            }
            words.extend(parts);
        }
    }
    let folded: Vec<String> = words
        .iter()
        .filter_map(|word| AccessCode::fold(word))
        .map(|word| word.to_ascii_lowercase())
        .collect();
    let mut distinct = Vec::with_capacity(words.len() + folded.len());
    for word in words.into_iter().chain(folded) {
        if !distinct.contains(&word) {
            distinct.push(word);
        }
    }
    distinct
}

/// The photographer's note about a login (never shown to the client): up to 1,000 characters,
/// kept without hidden characters (see [`crate::text`]).
pub fn parse_note(note: &str) -> Result<String, Invalid> {
    let note = without_hidden(note);
    if note.chars().count() > 1000 {
        return Err(Invalid::new("note", "must be at most 1000 characters"));
    }
    Ok(note.into_owned())
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

    fn carol() -> PersonName {
        PersonName::parse("Carol Okonkwo").unwrap()
    }

    fn chosen(raw: &str) -> Result<AccessCode, Invalid> {
        AccessCode::parse_chosen(raw, &carol(), None)
    }

    #[test]
    fn look_alikes_case_spaces_and_dashes_do_not_matter() {
        let chosen = chosen(" Olive-Kiln 4719 ").unwrap();
        assert_eq!(chosen.shown(), "Olive-Kiln 4719");
        for typed in [
            "OLIVEKILN4719",
            "olive kiin 47i9",
            "0LIVE-K1LN-4719",
            "oIiveKi1n4719",
        ] {
            assert_eq!(
                AccessCode::typed(typed).unwrap().folded(),
                chosen.folded(),
                "{typed}"
            );
        }
        assert_ne!(
            AccessCode::typed("OLIVEKILN4718").unwrap().folded(),
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
            let err = chosen(bad).unwrap_err();
            assert_eq!(err.field, "access_code", "{bad:?}");
        }
        assert!(chosen("xkqm-wpbt").is_ok());
        assert!(chosen(&"A".repeat(65)).is_err());
        assert!(AccessCode::typed("").is_none());
        assert!(AccessCode::typed("not a code!").is_none());
    }

    /// The refusal of `code` for Carol Okonkwo, at carol.ok@example.com.
    fn weakness(code: &str) -> String {
        let email = Email::parse("carol.ok@example.com").unwrap();
        let refused = AccessCode::parse_chosen(code, &carol(), Some(&email)).unwrap_err();
        assert_eq!(refused.field, "access_code");
        assert!(
            refused.reason.starts_with("is too easy to guess: "),
            "{refused}"
        );
        refused.reason
    }

    #[test]
    fn guessable_codes_are_refused_saying_why() {
        for (code, why) in [
            ("AAAAAAAA", "repeats characters"),
            ("1212-1212", "repeats characters"),
            ("zzzz zzzz 1", "repeats characters"),
            ("abcd-efgh", "runs in order"),
            ("ABCDEFGH12345", "runs in order"),
            ("9876-5432-10", "runs in order"),
            ("qwertzuiop", "commonly used password"),
            ("asdfghjkl", "commonly used password"),
            ("sdfghjkl", "follows the keyboard"),
            ("fghjkl12", "follows the keyboard"),
            ("password1", "commonly used password"),
            ("PASSW0RD2024", "commonly used password"),
            ("iloveyou", "commonly used password"),
            ("sunshine 2024", "commonly used password"),
            ("2024-06-14", "date or a year"),
            ("14.06.2024", "letters A-Z and digits"),
            ("01012020", "date or a year"),
            ("jennifer", "common first name or surname"),
            ("photography", "single common word"),
            ("weddingphotos", "each of its parts is a common word"),
            ("okonkwo2024", "client's own name or email"),
            ("carolokonkwo", "client's own name or email"),
            ("OKONKWO-CAROL-1", "client's own name or email"),
        ] {
            let refused = AccessCode::parse_chosen(code, &carol(), None)
                .err()
                .map(|e| e.reason)
                .unwrap_or_else(|| weakness(code));
            assert!(refused.contains(why), "{code}: {refused}");
        }
        // Three guessable parts are no better than one: zxcvbn's own total would pass them.
        for (code, why) in [
            ("password-2024-1234", "each of its parts is a common word"),
            ("iloveyou-2024-1234", "each of its parts is a common word"),
            ("welcome-2025-0000", "each of its parts is a common word"),
            ("monkey-1990-1234", "each of its parts is a common word"),
            ("XXXX-YYYY-ZZZZ", "repeats characters"),
            ("ZZZZ-0000-ZZZZ", "repeats characters"),
            ("Lily-Rose 2010", "each of its parts is a common word"),
            ("DEMO-CLIENT-2026", "each of its parts is a common word"),
            ("Anna-Love 2024", "each of its parts is a common word"),
            ("FIRST-CODE-4242", "each of its parts is a common word"),
        ] {
            assert!(weakness(code).contains(why), "{code}: {}", weakness(code));
        }
        // The email counts as the client's own too.
        assert!(weakness("carolok1985").contains("client's own"));
        // A group that is the client's first name is one guess to whoever knows the client.
        let dan = PersonName::parse("Dan Ode").unwrap();
        let refused = AccessCode::parse_chosen("DAN-BLUE-HOUSE-42", &dan, None).unwrap_err();
        assert!(refused.reason.contains("client's own"), "{refused}");
        // Four pairs are four pairs, though zxcvbn reads the whole as random characters.
        assert!(weakness("00-AA-FF-AA").contains("repeats characters"));
        // The same code is fine for someone else: it is weak because of who the client is.
        let someone_else = PersonName::parse("Dan Ode").unwrap();
        assert!(AccessCode::parse_chosen("okonkwo2024", &someone_else, None).is_ok());
    }

    #[test]
    fn codes_hard_to_guess_are_accepted() {
        for code in [
            "xkqm-wpbt",
            "7KQM X4TR",
            "blue-house-42-tango",
            "hochzeit-am-see",
            "Tango Harbour 77",
            "Lilac-Orbit 7391",
            "correct horse battery staple",
        ] {
            assert!(chosen(code).is_ok(), "{code}: {:?}", chosen(code));
        }
    }

    /// Regression (second probe): a code of look-alikes read as random letters, yet folds to one
    /// repeated character on the login page (`IlLi-1lIi-lLI1` logged in as `1111 1111 1111`).
    /// The code is judged as it is compared too.
    #[test]
    fn codes_that_fold_to_something_guessable_are_refused() {
        for code in ["IlLi-1lIi-lLI1", "oO0o-Oo0O-o0Oo", "i1l1-li1l"] {
            let why = weakness(code);
            assert!(
                why.contains("repeats") || why.contains("runs"),
                "{code}: {why}"
            );
        }
    }

    /// Regression (second probe): `zoe-angstrom-88` passed for Zoë Ångström. A client's name
    /// counts as it is typed on a keyboard without accents too.
    #[test]
    fn the_clients_name_without_its_accents_is_the_clients_own() {
        for (name, code) in [
            ("Zoë Ångström", "zoe-angstrom-88"),
            ("Anaïs Dvořák", "anais-dvorak"),
            ("Łukasz Wójcik", "lukasz-wojcik"),
            ("Søren Æbelø", "soren-aebelo-7"),
            ("Jürgen Weiß", "juergen-weiss"),
            ("Мария Иванова", "mariia-ivanova"),
        ] {
            let client = PersonName::parse(name).unwrap();
            let refused = AccessCode::parse_chosen(code, &client, None).unwrap_err();
            assert!(
                refused.reason.contains("client's own"),
                "{code} for {name}: {refused}"
            );
        }
    }

    proptest! {
        /// Two or three blocks of one repeated character (`AAAA-GGGG-BBBB`: some 6 million
        /// codes of this kind), or four pairs (`00-AA-FF-AA`), are never a code.
        #[test]
        fn blocks_of_repeated_characters_are_refused(
            blocks in prop_oneof![
                proptest::collection::vec(("[A-Z0-9]", 2usize..=6), 2..=3),
                proptest::collection::vec(("[A-Z0-9]", Just(2usize)), 4),
            ],
        ) {
            let code = blocks
                .iter()
                .map(|(c, n)| c.repeat(*n))
                .collect::<Vec<_>>()
                .join("-");
            if code.len() - (blocks.len() - 1) >= AccessCode::MIN_CHOSEN_LEN {
                prop_assert!(chosen(&code).is_err(), "{}", code);
            }
        }

        /// A code made only of one character, or of a run of the alphabet, is never accepted,
        /// however long.
        #[test]
        fn repeats_and_runs_are_refused_at_any_length(
            c in "[A-Z0-9]",
            start in 0usize..10,
            len in AccessCode::MIN_CHOSEN_LEN..=AccessCode::MAX_LEN,
        ) {
            prop_assert!(chosen(&c.repeat(len)).is_err());
            let run: String = ('a'..='z').cycle().skip(start).take(len.min(26 - start)).collect();
            if run.len() >= AccessCode::MIN_CHOSEN_LEN {
                prop_assert!(chosen(&run).is_err(), "{}", run);
            }
        }
    }

    #[test]
    fn notes_keep_their_lines_but_not_hidden_characters() {
        assert_eq!(
            parse_note("prefers prints\u{202E}\ncall first").unwrap(),
            "prefers prints\ncall first"
        );
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
        assert!(parse_note("prefers prints").is_ok());
        assert_eq!(parse_note(&"x".repeat(1001)).unwrap_err().field, "note");
    }
}
