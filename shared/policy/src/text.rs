//! Text one person writes and another reads: what they read must be what is there.
//!
//! Names travel between people: a photographer's file names and titles reach a client's page,
//! emails and ZIP; a client's name and list names reach the photographer's views and exports.
//! Some characters draw nothing, yet change what is read: U+202E RIGHT-TO-LEFT OVERRIDE makes
//! `photo\u{202E}gpj.exe` read `photoexe.jpg`; a zero-width space or a Hangul filler makes a name
//! that looks empty, or two names that look the same. So:
//! - **Hidden characters are dropped**: bidirectional controls (embeddings, overrides, isolates,
//!   marks), every other format character (zero-width spaces, word joiners, soft hyphens, tags),
//!   and the rest of Unicode's default-ignorable characters (fillers, variation selectors).
//!   Right-to-left letters are letters, not controls: Arabic and Hebrew names keep their
//!   characters and show in the direction those characters have by themselves.
//! - **Except where they shape what is visible**, and only there: anywhere else a joiner or a
//!   selector changes nothing on screen, and only makes a second name that reads like the first
//!   (`Album`, `Al\u{200D}bum`, `Album\u{FE0F}`). A zero-width joiner (ZWJ) stays inside an emoji
//!   sequence (between two emoji, an emoji's VS16 allowed before it: `👩‍👩‍👧`, `🏳️‍🌈`) or after a
//!   virama (`क्‍ष`: Indic half forms); a zero-width non-joiner (ZWNJ) after a virama, or where it
//!   parts two letters that would otherwise join (`می‌خواهم`: Persian, Arabic, Syriac, Mongolian…
//!   by their Unicode joining types). These are the rules IDNA applies to domain names (RFC 5892,
//!   appendix A), which face the same look-alike problem, plus emoji. A variation selector stays
//!   where it picks a look: VS15 (text) or VS16 (colour) after an emoji — VS16 not after one that
//!   is always coloured (`❤️` keeps it, `👍` gets none), after a digit, `#` or `*` only in a keycap
//!   (`1️⃣`) —, VS1–VS14 and the ideographic selectors after a Han ideograph (`葛\u{E0100}`), Mongolian
//!   free variation selectors after a Mongolian letter. Everywhere else they go: never in a
//!   Latin, Greek or Cyrillic name, between digits or after punctuation.
//! - **One-line text** (names, titles, header values, lines of an export): what would end the line
//!   (control characters, line and paragraph separators) becomes a space.
//! - **A name needs a visible character**: a space, a hidden character or a blank (a filler,
//!   the blank Braille pattern) is not one.
//!
//! The rule is applied twice: where text is accepted, so what is stored is clean, and where
//! stored text is shown (pages, emails, JSON views, exports, download names), so what was
//! stored before the rule is shown safely too. Neither changes a clean text: showing is
//! idempotent.

use std::borrow::Cow;

use unicode_joining_type::{JoiningType, get_joining_type};
use unicode_normalization::char::canonical_combining_class;
use unicode_properties::{EmojiStatus, GeneralCategory, UnicodeEmoji, UnicodeGeneralCategory};
use unicode_script::{Script, UnicodeScript};

/// Whether `c` ends a line where it stands: a control character (tab, line feed, carriage
/// return, …) or a line or paragraph separator.
pub fn breaks_line(c: char) -> bool {
    c.is_control()
        || matches!(
            c.general_category(),
            GeneralCategory::LineSeparator | GeneralCategory::ParagraphSeparator
        )
}

/// Whether `c` leaves a mark of its own: not a space, a line break, a hidden character (see
/// the module docs) or a blank.
pub fn is_visible(c: char) -> bool {
    !(c.is_whitespace() || breaks_line(c) || draws_nothing(c) || is_blank(c))
}

/// Whether `c` draws nothing of its own: a hidden character, or a joiner or selector, which
/// only shapes its neighbours. Where text is cut and pieced together (a file name on a disk),
/// these go too, rather than be left next to what they don't shape.
pub fn draws_nothing(c: char) -> bool {
    is_hidden(c) || is_shaping(c)
}

/// Whether `text` has a character a person can see.
pub fn has_visible(text: &str) -> bool {
    text.chars().any(is_visible)
}

/// `text` as it may be shown on one line: hidden characters dropped (see the module docs), and
/// whatever would end the line a space. Borrowed when nothing had to change.
pub fn one_line(text: &str) -> Cow<'_, str> {
    if !text.chars().any(breaks_line) {
        return without_hidden(text);
    }
    let spaced: String = text
        .chars()
        .map(|c| if breaks_line(c) { ' ' } else { c })
        .collect();
    Cow::Owned(without_hidden(&spaced).into_owned())
}

/// `text` as it may be shown with its line breaks (a note): hidden characters dropped, see the
/// module docs. Borrowed when nothing had to change.
pub fn without_hidden(text: &str) -> Cow<'_, str> {
    if !text.chars().any(draws_nothing) {
        return Cow::Borrowed(text);
    }
    let mut kept = String::with_capacity(text.len());
    for (at, c) in text.char_indices() {
        let keep = if is_shaping(c) {
            shapes(c, &kept, &text[at + c.len_utf8()..])
        } else {
            !is_hidden(c)
        };
        if keep {
            kept.push(c);
        }
    }
    // Only ever dropped: the same length is the same text.
    if kept.len() == text.len() {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(kept)
    }
}

/// Whether the joiner or selector `c` shapes what is shown, standing after `before` (what is
/// kept of the text so far) and before `after` (the rest of the text, not yet cleaned): the
/// rule of the module docs. On the left only what is kept decides; on the right, a visible
/// character, found past marks and hidden characters at most: so a text shown once is shown the
/// same again.
fn shapes(c: char, before: &str, after: &str) -> bool {
    let mut left = before.chars().rev();
    let Some(previous) = left.clone().next() else {
        return false;
    };
    let next = after.chars().next();
    match c {
        ZWJ => {
            let after_emoji = is_pictograph(previous)
                || (previous == VS16 && left.nth(1).is_some_and(is_pictograph));
            (after_emoji && next.is_some_and(is_pictograph))
                || (is_virama(previous) && next.is_some_and(is_visible))
        }
        ZWNJ => {
            (is_virama(previous) && next.is_some_and(is_visible))
                || (joins_forward(left) && joins_backward(after.chars()))
        }
        VS15 | VS16 if is_keycap_base(previous) => next == Some(KEYCAP),
        VS15 => is_pictograph(previous),
        VS16 => is_pictograph(previous) && !is_emoji_presentation(previous),
        '\u{FE00}'..='\u{FE0D}' | '\u{E0100}'..='\u{E01EF}' => previous.script() == Script::Han,
        '\u{180B}'..='\u{180D}' | '\u{180F}' => previous.script() == Script::Mongolian,
        _ => false,
    }
}

const ZWNJ: char = '\u{200C}';
const ZWJ: char = '\u{200D}';
/// VARIATION SELECTOR-15: the text look of an emoji.
const VS15: char = '\u{FE0E}';
/// VARIATION SELECTOR-16: the colour look of an emoji.
const VS16: char = '\u{FE0F}';
/// COMBINING ENCLOSING KEYCAP, which makes `1️⃣` of `1` and VS16.
const KEYCAP: char = '\u{20E3}';

/// An emoji as emoji sequences are made of: Unicode's `Emoji` characters (skin tones and
/// regional indicators too), but not the digits, `#` and `*`, which are emoji only in a keycap.
fn is_pictograph(c: char) -> bool {
    !c.is_ascii() && c.is_emoji_char()
}

/// The digits, `#` and `*`: a keycap's base.
fn is_keycap_base(c: char) -> bool {
    c.is_ascii() && c.is_emoji_char()
}

/// Whether `c` is shown as a coloured emoji without a selector (Unicode's
/// `Emoji_Presentation`): a VS16 after it changes nothing.
fn is_emoji_presentation(c: char) -> bool {
    matches!(
        c.emoji_status(),
        EmojiStatus::EmojiPresentation
            | EmojiStatus::EmojiPresentationAndModifierBase
            | EmojiStatus::EmojiPresentationAndEmojiComponent
            | EmojiStatus::EmojiPresentationAndModifierAndEmojiComponent
    )
}

/// A virama (canonical combining class 9): the mark that kills an Indic consonant's vowel,
/// after which a joiner asks for a half form and a non-joiner for the visible virama.
fn is_virama(c: char) -> bool {
    canonical_combining_class(c) == 9
}

/// Whether the letter before a non-joiner (marks over it passed by) joins to what follows it:
/// joining type left-joining or dual-joining.
fn joins_forward(mut before: impl Iterator<Item = char>) -> bool {
    before
        .find(|&c| get_joining_type(c) != JoiningType::Transparent)
        .is_some_and(|c| {
            matches!(
                get_joining_type(c),
                JoiningType::LeftJoining | JoiningType::DualJoining
            )
        })
}

/// Whether the letter after a non-joiner (marks and hidden characters passed by) joins to
/// what precedes it: joining type right-joining or dual-joining.
fn joins_backward(mut after: impl Iterator<Item = char>) -> bool {
    after
        .find(|&c| get_joining_type(c) != JoiningType::Transparent)
        .is_some_and(|c| {
            matches!(
                get_joining_type(c),
                JoiningType::RightJoining | JoiningType::DualJoining
            )
        })
}

/// Why text can't be a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnfitName {
    /// It holds a control character (a line feed, a carriage return, a NUL…): it would break a
    /// line of an export, a log or an email header (CWE-93).
    BreaksLine,
    /// Nothing of it can be seen.
    NothingVisible,
}

impl UnfitName {
    /// What the name must be, as a field's refusal says it.
    pub fn reason(self) -> &'static str {
        match self {
            Self::BreaksLine => "must be one line, without control characters",
            Self::NothingVisible => "must have a visible character",
        }
    }
}

/// A one-line name as it is kept: trimmed, as [`one_line`] shows it (hidden characters are
/// dropped and line or paragraph separators made spaces, not refused: they come unseen with
/// pasted text and file names). Refused when it has a control character or shows nothing.
pub fn one_line_name(raw: &str) -> Result<String, UnfitName> {
    let trimmed = raw.trim();
    if trimmed.chars().any(char::is_control) {
        return Err(UnfitName::BreaksLine);
    }
    // Trimmed again: a hidden character may have stood between a space and an end.
    let name = one_line(trimmed).trim().to_owned();
    if !has_visible(&name) {
        return Err(UnfitName::NothingVisible);
    }
    Ok(name)
}

/// Characters that draw nothing and are dropped wherever they stand: format characters (which
/// include every bidirectional control, U+200B–U+200F, U+2060–U+206F, U+FEFF and the tag
/// characters) and the other default-ignorable code points (Unicode's
/// `Other_Default_Ignorable_Code_Point`, assigned or reserved), joiners and selectors apart.
fn is_hidden(c: char) -> bool {
    if is_shaping(c) {
        return false;
    }
    c.general_category() == GeneralCategory::Format
        || matches!(
            c,
            '\u{034F}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{2065}'
                | '\u{3164}'
                | '\u{FFA0}'
                | '\u{FFF0}'..='\u{FFF8}'
                | '\u{E0000}'..='\u{E0FFF}'
        )
}

/// Characters that change how the visible characters next to them are drawn, and only that.
fn is_shaping(c: char) -> bool {
    is_joiner(c) || is_variation_selector(c)
}

/// Zero-width non-joiner and joiner.
fn is_joiner(c: char) -> bool {
    matches!(c, ZWNJ | ZWJ)
}

/// Unicode's `Variation_Selector`: Mongolian free variation selectors, VS1–VS16 (VS16 asks for
/// an emoji's colour form) and the ideographic variation selectors.
fn is_variation_selector(c: char) -> bool {
    matches!(
        c,
        '\u{180B}'..='\u{180D}' | '\u{180F}' | '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}'
    )
}

/// Characters that are shown, but as nothing: the blank Braille pattern, a favourite for names
/// that look empty.
fn is_blank(c: char) -> bool {
    c == '\u{2800}'
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every direction control there is: embeddings, overrides, isolates and marks.
    const DIRECTION_CONTROLS: [char; 12] = [
        '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
        '\u{2068}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}',
    ];

    #[test]
    fn a_right_to_left_override_no_longer_turns_a_name_around() {
        assert_eq!(one_line("photo\u{202E}gpj.exe"), "photogpj.exe");
        assert_eq!(one_line("\u{2067}Invoice\u{2069}.jpg"), "Invoice.jpg");
        for control in DIRECTION_CONTROLS {
            assert_eq!(one_line(&format!("a{control}b")), "ab", "{control:?}");
            assert!(!is_visible(control));
        }
    }

    #[test]
    fn zero_width_characters_and_fillers_are_dropped_and_invisible() {
        for hidden in [
            "\u{200B}",
            "\u{FEFF}",
            "\u{2060}",
            "\u{00AD}",
            "\u{180E}",
            "\u{3164}",
            "\u{115F}",
            "\u{1160}",
            "\u{FFA0}",
            "\u{034F}",
            "\u{E0041}",
            "\u{2063}",
            "\u{FFF9}",
        ] {
            assert_eq!(one_line(&format!("a{hidden}b")), "ab", "{hidden:?}");
            assert!(!has_visible(hidden), "{hidden:?}");
        }
        // Blank, but shown as the character it is: it hides nothing, it just isn't a name.
        assert!(!has_visible("\u{2800}\u{2800}"));
        assert_eq!(one_line("a\u{2800}b"), "a\u{2800}b");
        assert!(!has_visible(" \u{200B}\u{00A0}\u{3000} "));
    }

    #[test]
    fn tag_characters_can_not_smuggle_text() {
        // "hi" spelled in tag characters: invisible, yet read by some software.
        assert_eq!(one_line("IMG_1\u{E0068}\u{E0069}.jpg"), "IMG_1.jpg");
    }

    #[test]
    fn line_breaks_become_spaces_on_one_line_and_stay_in_notes() {
        assert_eq!(one_line("a\nb\tc\u{2028}d\u{2029}e\u{85}f"), "a b c d e f");
        assert_eq!(without_hidden("first\nsecond\u{200B}"), "first\nsecond");
    }

    #[test]
    fn right_to_left_scripts_and_other_writing_show_as_written() {
        for name in [
            "مريم العلي",
            "שרה כהן",
            "Zoë Ångström",
            "山田 太郎",
            "می‌خواهم",        // Persian: a non-joiner inside a word
            "क्‍ष",             // Devanagari: a joiner after a virama
            "葛\u{E0100}飾",  // an ideographic variation
            "ܫܠܡܐ",           // Syriac
            "ᠮᠣᠩᠭᠣᠯ\u{180B}", // Mongolian, with a free variation selector
            "क्‌ष",             // Devanagari: a non-joiner after a virama shows the virama
        ] {
            assert_eq!(one_line(name), name);
            assert!(matches!(one_line(name), Cow::Borrowed(_)));
            assert!(has_visible(name));
        }
    }

    /// Emoji sequences keep their joiners and selectors, so they show as one picture: the
    /// judgment is that a joiner between two visible characters hides nothing.
    #[test]
    fn emoji_sequences_keep_their_joiners_and_selectors() {
        for emoji in [
            "👩‍👩‍👧",
            "❤️",
            "🏳️‍🌈",
            "👩🏽‍💻",
            "1️⃣",
            "#️⃣",
            "Anna 💍 Ben",
            "🏋️‍♀️",
            "👁️‍🗨️",
            "🏃🏽‍♀️",
            "❤️‍🔥",
            "©️ Anna",
            "☺︎",
        ] {
            assert_eq!(one_line(emoji), emoji);
        }
        assert!(has_visible("❤️"));
    }

    #[test]
    fn joiners_and_selectors_alone_are_dropped() {
        assert_eq!(one_line("\u{200D}"), "");
        assert_eq!(one_line("\u{200C}\u{200D}\u{FE0F}"), "");
        assert_eq!(one_line("a\u{200D}"), "a");
        assert_eq!(one_line("\u{200D}a"), "a");
        assert_eq!(one_line("a \u{200D}b"), "a b");
        assert_eq!(one_line("👩\u{200D}\u{200D}👧"), "👩\u{200D}👧");
        assert_eq!(one_line(" \u{FE0F}"), " ");
        assert_eq!(one_line("a\u{200D}\u{202E}b"), "ab");
        assert!(!has_visible("\u{200D}\u{FE0F}\u{200C}"));
    }

    /// Regression (second probe): `Al\u{200D}bum`, `Al\u{200C}bum` and `Album\u{FE0F}` were kept
    /// as they came, three more lists that read `Album`. A joiner or selector that shapes nothing
    /// goes, as any hidden character.
    #[test]
    fn joiners_and_selectors_that_shape_nothing_are_dropped() {
        for (text, shown) in [
            ("Al\u{200D}bum", "Album"),
            ("Al\u{200C}bum", "Album"),
            ("Album\u{FE0F}", "Album"),
            ("Al\u{FE00}bum\u{E0100}", "Album"),
            ("Ζω\u{200D}ή", "Ζωή"),
            ("Ма\u{200C}рия\u{FE0E}", "Мария"),
            ("20\u{200D}24\u{FE0F}", "2024"),
            ("1\u{FE0F} photo", "1 photo"),
            ("Anna\u{200D}💍", "Anna💍"),
            ("💍\u{200D}Ben", "💍Ben"),
            ("👍\u{FE0F}", "👍"),
            ("👩\u{200C}👧", "👩👧"),
            ("Ben\u{E0101}", "Ben"),
            ("A\u{180B}", "A"),
            // Between two Arabic letters that join anyway, a joiner changes nothing; after an
            // alef, which never joins forward, a non-joiner parts nothing.
            ("س\u{200D}لام", "سلام"),
            ("ا\u{200C}ب", "اب"),
            ("श\u{200D}ा", "शा"),
        ] {
            assert_eq!(one_line(text), shown, "{text:?}");
        }
        // So lists that read the same are one list.
        for name in [
            "Al\u{200D}bum",
            "Al\u{200C}bum",
            "Album\u{FE0F}",
            " Album\u{200B}",
        ] {
            assert_eq!(one_line_name(name).unwrap(), "Album", "{name:?}");
        }
    }

    #[test]
    fn names_are_trimmed_one_line_visible_and_kept_without_hidden_characters() {
        assert_eq!(
            one_line_name("  Smith wedding\u{200B} ").unwrap(),
            "Smith wedding"
        );
        assert_eq!(one_line_name(" \u{200B} Anna\u{202E}").unwrap(), "Anna");
        assert_eq!(one_line_name("two\nlines"), Err(UnfitName::BreaksLine));
        assert_eq!(one_line_name("a\r\nBcc: x"), Err(UnfitName::BreaksLine));
        assert_eq!(one_line_name("a\u{2028}b\u{2029}").unwrap(), "a b");
        for nothing in [
            "",
            "   ",
            "\u{200B}",
            "\u{202E}\u{2066}",
            "\u{3164}",
            "\u{2800}",
            "\u{200D}\u{FE0F}",
        ] {
            assert_eq!(
                one_line_name(nothing),
                Err(UnfitName::NothingVisible),
                "{nothing:?}"
            );
        }
        assert_eq!(one_line_name("❤️ Album").unwrap(), "❤️ Album");
    }

    /// Text as people and their tools write it, with every troublesome kind of character.
    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            proptest::collection::vec(
                proptest::sample::select(vec![
                    'a',
                    'Z',
                    '.',
                    ' ',
                    'é',
                    'م',
                    'ש',
                    '葛',
                    '👩',
                    '❤',
                    '🌈',
                    '\u{0301}',
                    '\n',
                    '\t',
                    '\u{85}',
                    '\u{2028}',
                    '\u{200B}',
                    '\u{200C}',
                    '\u{200D}',
                    '\u{200E}',
                    '\u{202E}',
                    '\u{2066}',
                    '\u{2069}',
                    '\u{061C}',
                    '\u{FEFF}',
                    '\u{FE0F}',
                    '\u{E0100}',
                    '\u{E0041}',
                    '\u{3164}',
                    '\u{2800}',
                    '\u{00AD}',
                    '\u{1F3FD}',
                    // Letters of the scripts where a joiner or selector may shape something,
                    // and those where it never does.
                    'λ',
                    'ж',
                    '1',
                    '#',
                    'ی',
                    'خ',
                    'ا',
                    '\u{064E}',
                    'क',
                    '\u{094D}',
                    'ᠠ',
                    '\u{180B}',
                    '\u{FE00}',
                    '\u{FE0E}',
                    '\u{20E3}',
                    '👍',
                    '🏳',
                ]),
                0..24,
            )
            .prop_map(|chars| chars.into_iter().collect()),
        ]
    }

    proptest! {
        /// What is shown has no direction control, nothing that ends the line, and no hidden
        /// character: a joiner or selector only ever stands next to what it shapes.
        #[test]
        fn shown_text_hides_nothing_and_turns_nothing_around(text in text()) {
            let shown = one_line(&text);
            let chars: Vec<char> = shown.chars().collect();
            for (i, &c) in chars.iter().enumerate() {
                prop_assert!(!DIRECTION_CONTROLS.contains(&c), "{:?}", shown);
                prop_assert!(!breaks_line(c) && !is_hidden(c), "{:?}", shown);
                if is_shaping(c) {
                    prop_assert!(i > 0, "{:?}", shown);
                }
                if is_joiner(c) {
                    prop_assert!(chars.get(i + 1).is_some_and(|&n| is_visible(n)), "{:?}", shown);
                }
            }
        }

        /// Every visible character stays, in its place among the others: only what draws
        /// nothing goes.
        #[test]
        fn every_visible_character_is_kept_in_order(text in text()) {
            let visible = |s: &str| s.chars().filter(|&c| is_visible(c)).collect::<String>();
            prop_assert_eq!(visible(&one_line(&text)), visible(&text));
            prop_assert_eq!(has_visible(&one_line(&text)), has_visible(&text));
            prop_assert_eq!(
                without_hidden(&text).chars().filter(|&c| c == '\n').count(),
                text.chars().filter(|&c| c == '\n').count()
            );
        }

        /// An accepted name shows as it is kept.
        #[test]
        fn accepted_names_are_shown_as_kept(text in text()) {
            if let Ok(name) = one_line_name(&text) {
                prop_assert_eq!(one_line(&name), name.as_str());
                prop_assert!(has_visible(&name));
                prop_assert_eq!(name.trim(), name.as_str());
            }
        }

        /// Each joiner or selector that is shown stands where it shapes something, among the
        /// characters it is shown with.
        #[test]
        fn a_shown_joiner_or_selector_shapes_its_neighbours(text in text()) {
            let shown = one_line(&text);
            for (at, c) in shown.char_indices().filter(|&(_, c)| is_shaping(c)) {
                let (before, after) = (&shown[..at], &shown[at + c.len_utf8()..]);
                prop_assert!(shapes(c, before, after), "{:?} in {:?}", c, shown);
            }
        }

        /// Showing shown text changes nothing: stored clean text is shown as stored.
        #[test]
        fn showing_is_idempotent(text in text()) {
            let once = one_line(&text).into_owned();
            prop_assert_eq!(one_line(&once), once.as_str());
            let kept = without_hidden(&text).into_owned();
            prop_assert_eq!(without_hidden(&kept), kept.as_str());
        }

        /// A name in Latin, Greek or Cyrillic letters, digits and punctuation never keeps a
        /// joiner or a selector: there they shape nothing, and two names that differ only by
        /// them are one name.
        #[test]
        fn a_latin_greek_or_cyrillic_name_keeps_no_joiner_or_selector(
            chars in proptest::collection::vec(
                proptest::sample::select(vec![
                    'A', 'l', 'b', 'u', 'm', 'é', 'ß', 'Ω', 'λ', 'Ж', 'я', '0', '7', '#', '*', '.',
                    '-', '&', '\'', ' ', '\u{0301}', '\u{200C}', '\u{200D}', '\u{FE00}',
                    '\u{FE0E}', '\u{FE0F}', '\u{E0100}', '\u{180B}',
                ]),
                0..24,
            )
        ) {
            let name: String = chars.iter().collect();
            let shown = one_line(&name);
            prop_assert!(!shown.chars().any(is_shaping), "{:?}", shown);
            let without: String = chars.iter().filter(|&&c| !is_shaping(c)).collect();
            prop_assert_eq!(shown, without);
        }
    }
}
