//! Names for a client's download ZIP and the files inside it.
//!
//! A photographer's file names end up on a client's disk, unzipped on Windows, macOS or Linux,
//! so each rule here is one way a name could hurt there: a path that escapes the folder
//! (zip-slip), characters Windows refuses, invisible or right-to-left characters that disguise
//! a name, a Windows device name, a name too long for the file system, or two names one
//! case-insensitive file system takes for the same file. Names are only made safe, never
//! rejected: a client should get every photo they asked for.

use std::collections::{HashMap, HashSet};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use unicode_normalization::UnicodeNormalization;

use crate::Resolution;
use crate::text::{breaks_line, draws_nothing, one_line};

/// Longest name written, in characters: a client's unzip folder still fits under the
/// 260-character path limit of older Windows tools.
pub const MAX_NAME_CHARS: usize = 150;
/// Linux file systems limit a name's UTF-8 bytes, not its characters.
const MAX_NAME_BYTES: usize = 255;
/// An ending longer than this (or not plain ASCII letters and digits) is part of the name,
/// as in "Mr. Smith at the altar".
const MAX_EXTENSION_CHARS: usize = 10;
/// Name of a file whose own name has nothing usable left.
const FALLBACK_STEM: &str = "photo";
/// Name of a ZIP whose gallery title has nothing usable left.
const FALLBACK_TITLE: &str = "Photos";
/// Characters Windows refuses in a file name.
const FORBIDDEN: [char; 7] = ['<', '>', ':', '"', '|', '?', '*'];
/// What RFC 8187 lets through unencoded in `filename*` (its `attr-char`).
const ATTR_CHAR_ESCAPES: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// File names for the entries of one ZIP, in the order given: sanitised and unique.
/// `as_jpeg`: the files are rendered JPEGs, so the extension becomes `.jpg` unless it is
/// already `.jpg`/`.jpeg` (any case); otherwise (original bytes) the name keeps its extension.
pub fn entry_names<'a>(filenames: impl IntoIterator<Item = &'a str>, as_jpeg: bool) -> Vec<String> {
    let wanted: Vec<EntryName> = filenames
        .into_iter()
        .map(|filename| EntryName::new(filename, as_jpeg))
        .collect();
    let plain: Vec<String> = wanted.iter().map(|name| name.with_suffix("")).collect();
    // A numbered name must not take the name a later file arrives with: "a.jpg", "a.jpg",
    // "a (2).jpg" make "a.jpg", "a (3).jpg", "a (2).jpg".
    let arriving: HashSet<String> = plain.iter().map(|name| fold_case(name)).collect();
    let mut taken = HashSet::new();
    let mut next_number: HashMap<String, usize> = HashMap::new();
    wanted
        .iter()
        .zip(plain)
        .map(|(name, plain)| {
            let key = fold_case(&plain);
            if taken.insert(key.clone()) {
                return plain;
            }
            let number = next_number.entry(key).or_insert(2);
            loop {
                let numbered = name.with_suffix(&format!(" ({number})"));
                *number += 1;
                let key = fold_case(&numbered);
                if !arriving.contains(&key) && taken.insert(key) {
                    return numbered;
                }
            }
        })
        .collect()
}

/// "<gallery title> - <resolution>.zip", or "<title> - <resolution> (2 of 3).zip" when a
/// download is split into several zips (`part` = Some((index starting at 1, count)) with count > 1).
pub fn zip_file_name(
    gallery_title: &str,
    resolution: Resolution,
    part: Option<(usize, usize)>,
) -> String {
    // A title is not a path: a slash in "Anna / Ben" is kept as a mark, not a folder.
    let title = clean(gallery_title);
    let title = title.trim_start_matches(is_hiding_start);
    let part = match part {
        Some((index, count)) if count > 1 => format!(" ({index} of {count})"),
        _ => String::new(),
    };
    let ending = format!(" - {}{part}.zip", resolution.as_str());
    fit(title, "", &ending, FALLBACK_TITLE)
}

/// The `Content-Disposition` header value that makes browsers save `filename`:
/// `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded>` (RFC 6266 / RFC 8187).
pub fn attachment_disposition(filename: &str) -> String {
    // A browser shows the name while saving: it must read as what it is (see `crate::text`).
    let filename = one_line(filename);
    // For the few clients that ignore `filename*`; a header value is visible ASCII only.
    let fallback: String = filename
        .chars()
        .map(|c| match c {
            '"' | '\\' => '_',
            c if c.is_ascii() && !c.is_ascii_control() => c,
            _ => '_',
        })
        .collect();
    let encoded = utf8_percent_encode(&filename, ATTR_CHAR_ESCAPES);
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// A file's name split where a number may be inserted: before the extension.
struct EntryName {
    stem: String,
    /// With its dot, or empty.
    extension: String,
}

impl EntryName {
    fn new(filename: &str, as_jpeg: bool) -> Self {
        // Only the last component, so "../../x.jpg" or "C:\x.jpg" can't leave the unzip folder.
        let last = filename.rsplit(['/', '\\']).next().unwrap_or(filename);
        let cleaned = clean(last);
        let (stem, extension) = split_extension(&cleaned);
        let extension = if as_jpeg && !is_jpeg(extension) {
            ".jpg"
        } else {
            extension
        };
        Self {
            stem: stem.trim_start_matches(is_hiding_start).to_owned(),
            extension: extension.to_owned(),
        }
    }

    fn with_suffix(&self, suffix: &str) -> String {
        fit(&self.stem, suffix, &self.extension, FALLBACK_STEM)
    }
}

/// Drop what can't or shouldn't be in a name, replace what Windows refuses, and trim the
/// ends Windows would strip (trailing spaces and dots) so the name stays the one we chose.
fn clean(raw: &str) -> String {
    // One spelling per name: "é" typed as one character or as "e" and an accent is the same
    // file name to macOS, so it must be the same name here too (composed, NFC).
    // What draws nothing goes, joiners too: a name is cut, numbered and given an extension
    // here, which could leave a joiner next to what it doesn't join (see `crate::text`).
    let kept: String = raw
        .nfc()
        .filter(|&c| !breaks_line(c) && !draws_nothing(c))
        .map(|c| {
            if FORBIDDEN.contains(&c) || c == '/' || c == '\\' {
                '_'
            } else {
                c
            }
        })
        .collect();
    kept.trim_start()
        .trim_end_matches(is_trailing_junk)
        .to_owned()
}

/// Windows strips trailing spaces and dots, so "a." and "a" would be one file.
fn is_trailing_junk(c: char) -> bool {
    c == '.' || c.is_whitespace()
}

/// A leading dot hides a file on macOS and Linux: the client would think a photo was missing.
fn is_hiding_start(c: char) -> bool {
    c == '.' || c.is_whitespace()
}

fn split_extension(name: &str) -> (&str, &str) {
    match name.rfind('.') {
        Some(dot) if is_extension(&name[dot + 1..]) => name.split_at(dot),
        _ => (name, ""),
    }
}

fn is_extension(after_dot: &str) -> bool {
    (1..=MAX_EXTENSION_CHARS).contains(&after_dot.len())
        && after_dot.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn is_jpeg(extension: &str) -> bool {
    extension.eq_ignore_ascii_case(".jpg") || extension.eq_ignore_ascii_case(".jpeg")
}

/// `stem + suffix + ending`, the stem shortened to fit the length limits, `fallback` when
/// nothing of it is left, and a `_` in front of a Windows device name.
fn fit(stem: &str, suffix: &str, ending: &str, fallback: &str) -> String {
    let room_chars = MAX_NAME_CHARS.saturating_sub(suffix.chars().count() + ending.chars().count());
    let room_bytes = MAX_NAME_BYTES.saturating_sub(suffix.len() + ending.len());
    let shorten = |stem: &str| -> String {
        let short = truncate(stem, room_chars, room_bytes);
        // Cutting can leave a space or dot at the end, which Windows would strip.
        let short = if short.len() < stem.len() {
            short.trim_end_matches(is_trailing_junk)
        } else {
            short
        };
        short.to_owned()
    };
    let mut stem = shorten(stem);
    if stem.is_empty() {
        stem = fallback.to_owned();
    }
    if is_device_name(&format!("{stem}{suffix}{ending}")) {
        stem = shorten(&format!("_{stem}"));
    }
    format!("{stem}{suffix}{ending}")
}

/// The longest start of `s` within both limits, cut between characters.
fn truncate(s: &str, max_chars: usize, max_bytes: usize) -> &str {
    let end = s
        .char_indices()
        .map(|(at, c)| at + c.len_utf8())
        .take(max_chars)
        .take_while(|&end| end <= max_bytes)
        .last()
        .unwrap_or(0);
    &s[..end]
}

/// Windows opens a device, not a file, for these names, whatever the extension.
fn is_device_name(name: &str) -> bool {
    let first = name.split('.').next().unwrap_or(name).trim_end();
    let upper = first.to_ascii_uppercase();
    if matches!(
        upper.as_str(),
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$"
    ) {
        return true;
    }
    let port_number = upper
        .strip_prefix("COM")
        .or_else(|| upper.strip_prefix("LPT"));
    port_number.is_some_and(|n| {
        let mut chars = n.chars();
        matches!(
            (chars.next(), chars.next()),
            (Some('0'..='9' | '¹' | '²' | '³'), None)
        )
    })
}

/// Case-insensitive file systems (Windows, macOS by default) take these as the same name.
fn fold_case(name: &str) -> String {
    name.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names_that_differ_only_in_unicode_composition_are_the_same_name() {
        let composed = "caf\u{e9}.jpg";
        let decomposed = "cafe\u{301}.jpg";
        assert_eq!(
            names(&[composed, decomposed], false),
            ["caf\u{e9}.jpg", "caf\u{e9} (2).jpg"]
        );
    }

    fn names(filenames: &[&str], as_jpeg: bool) -> Vec<String> {
        entry_names(filenames.iter().copied(), as_jpeg)
    }

    fn one(filename: &str) -> String {
        names(&[filename], false).remove(0)
    }

    #[test]
    fn a_safe_name_is_left_alone() {
        for name in [
            "IMG_0001.JPG",
            "Anna & Ben, 2024-06-01 (42).jpeg",
            "Ölfarbe.png",
            "日本.jpg",
        ] {
            assert_eq!(one(name), name);
        }
    }

    #[test]
    fn only_the_last_path_component_is_kept() {
        assert_eq!(one("../../etc/cron.d/evil.jpg"), "evil.jpg");
        assert_eq!(one("..\\..\\Windows\\evil.jpg"), "evil.jpg");
        assert_eq!(one("C:\\Users\\me\\IMG_1.JPG"), "IMG_1.JPG");
        assert_eq!(one("/absolute/path.png"), "path.png");
        assert_eq!(one("folder/"), "photo");
    }

    #[test]
    fn control_and_invisible_characters_are_removed() {
        assert_eq!(one("IMG\u{0}_1\t\n.jpg"), "IMG_1.jpg");
        assert_eq!(one("a\u{7F}\u{85}b.jpg"), "ab.jpg");
        // Right-to-left override: shown as "photoexe.jpg", really an .exe.
        assert_eq!(one("photo\u{202E}gpj.exe"), "photogpj.exe");
        assert_eq!(names(&["photo\u{202E}gpj.exe"], true), ["photogpj.jpg"]);
        assert_eq!(
            one("\u{FEFF}a\u{200B}b\u{200F}c\u{2028}d\u{2066}e\u{2069}.jpg"),
            "abcde.jpg"
        );
    }

    #[test]
    fn characters_windows_refuses_become_underscores() {
        assert_eq!(one("a<b>c:d\"e|f?g*h.jpg"), "a_b_c_d_e_f_g_h.jpg");
    }

    #[test]
    fn spaces_and_trailing_dots_are_trimmed() {
        assert_eq!(one("  holiday.jpg  "), "holiday.jpg");
        assert_eq!(one("notes..."), "notes");
        assert_eq!(one("final. . "), "final");
    }

    #[test]
    fn hidden_names_are_made_visible() {
        assert_eq!(one(".hidden.jpg"), "hidden.jpg");
        assert_eq!(one(".jpg"), "photo.jpg");
        assert_eq!(one("..jpg"), "photo.jpg");
    }

    #[test]
    fn windows_device_names_get_an_underscore() {
        for (name, safe) in [
            ("CON.jpg", "_CON.jpg"),
            ("con.JPG", "_con.JPG"),
            ("Aux", "_Aux"),
            ("nul.tar.gz", "_nul.tar.gz"),
            ("PRN .png", "_PRN .png"),
            ("COM1.jpg", "_COM1.jpg"),
            ("lpt9.jpg", "_lpt9.jpg"),
            ("COM¹.jpg", "_COM¹.jpg"),
        ] {
            assert_eq!(one(name), safe);
        }
        for fine in [
            "CONSOLE.jpg",
            "COM10.jpg",
            "LPT.jpg",
            "con-1.jpg",
            "my con.jpg",
        ] {
            assert_eq!(one(fine), fine);
        }
    }

    #[test]
    fn nothing_left_is_a_photo() {
        assert_eq!(
            names(&[".", "..", "", "   "], false),
            ["photo", "photo (2)", "photo (3)", "photo (4)"]
        );
        assert_eq!(names(&["."], true), ["photo.jpg"]);
    }

    #[test]
    fn long_names_are_cut_keeping_the_extension() {
        let long = format!("{}.jpeg", "a".repeat(300));
        let name = one(&long);
        assert_eq!(name.chars().count(), MAX_NAME_CHARS);
        assert!(name.ends_with("a.jpeg"), "{name}");

        // Three bytes a character: the byte limit is the tighter one.
        let wide = one(&format!("{}.jpg", "日".repeat(200)));
        assert!(
            wide.len() <= MAX_NAME_BYTES && wide.ends_with("日.jpg"),
            "{wide}"
        );

        // A cut must not leave a trailing dot.
        let dotted = one(&format!("{}. b", "a".repeat(149)));
        assert_eq!(dotted, "a".repeat(149));
    }

    #[test]
    fn rendered_jpegs_get_a_jpeg_extension() {
        let rendered = names(
            &[
                "IMG.PNG",
                "IMG_2.JPEG",
                "IMG_3.jpg",
                "Mr. Smith",
                "a.tar.gz",
                "raw.CR2",
            ],
            true,
        );
        assert_eq!(
            rendered,
            [
                "IMG.jpg",
                "IMG_2.JPEG",
                "IMG_3.jpg",
                "Mr. Smith.jpg",
                "a.tar.jpg",
                "raw.jpg"
            ]
        );
        assert_eq!(
            names(&["IMG.PNG", "raw.CR2"], false),
            ["IMG.PNG", "raw.CR2"]
        );
    }

    #[test]
    fn duplicates_are_numbered_case_insensitively() {
        assert_eq!(
            names(&["a.jpg", "A.JPG", "a.jpg"], false),
            ["a.jpg", "A (2).JPG", "a (3).jpg"]
        );
        assert_eq!(names(&["a.png", "a.jpg"], true), ["a.jpg", "a (2).jpg"]);
        assert_eq!(
            names(&["x/a.jpg", "y/a.jpg"], false),
            ["a.jpg", "a (2).jpg"]
        );
    }

    #[test]
    fn a_number_never_takes_a_later_files_name() {
        assert_eq!(
            names(&["a.jpg", "a.jpg", "a (2).jpg"], false),
            ["a.jpg", "a (3).jpg", "a (2).jpg"]
        );
        assert_eq!(
            names(&["a (2).jpg", "a.jpg", "a.jpg", "a (2).jpg"], false),
            ["a (2).jpg", "a.jpg", "a (3).jpg", "a (2) (2).jpg"]
        );
    }

    #[test]
    fn numbered_long_names_stay_within_the_limit() {
        let long = format!("{}.jpg", "b".repeat(200));
        let numbered = names(&[&long, &long], false);
        assert_ne!(numbered[0], numbered[1]);
        assert!(numbered[1].ends_with("b (2).jpg"), "{}", numbered[1]);
        assert!(numbered.iter().all(|n| n.chars().count() == MAX_NAME_CHARS));
    }

    #[test]
    fn zip_names_say_gallery_resolution_and_part() {
        let title = "Smith Wedding";
        assert_eq!(
            zip_file_name(title, Resolution::Web, None),
            "Smith Wedding - web.zip"
        );
        assert_eq!(
            zip_file_name(title, Resolution::High, Some((2, 3))),
            "Smith Wedding - high (2 of 3).zip"
        );
        assert_eq!(
            zip_file_name(title, Resolution::Original, Some((1, 1))),
            "Smith Wedding - original.zip"
        );
    }

    #[test]
    fn zip_names_are_sanitised_like_entries() {
        assert_eq!(
            zip_file_name("Anna / Ben: 2024?", Resolution::Web, None),
            "Anna _ Ben_ 2024_ - web.zip"
        );
        assert_eq!(zip_file_name("../..", Resolution::Web, None), "_ - web.zip");
        assert_eq!(
            zip_file_name(" ...\u{202E} ", Resolution::Web, None),
            "Photos - web.zip"
        );
        assert_eq!(
            zip_file_name(".config", Resolution::Web, None),
            "config - web.zip"
        );
        let long = zip_file_name(&"T".repeat(300), Resolution::Original, Some((12, 20)));
        assert_eq!(long.chars().count(), MAX_NAME_CHARS);
        assert!(long.ends_with("T - original (12 of 20).zip"), "{long}");
    }

    #[test]
    fn disposition_of_an_ascii_name() {
        assert_eq!(
            attachment_disposition("Smith Wedding - web.zip"),
            "attachment; filename=\"Smith Wedding - web.zip\"; \
             filename*=UTF-8''Smith%20Wedding%20-%20web.zip"
        );
    }

    #[test]
    fn disposition_of_a_name_with_accents_and_quotes() {
        assert_eq!(
            attachment_disposition("Café \"Noël\"\\.zip"),
            "attachment; filename=\"Caf_ _No_l__.zip\"; \
             filename*=UTF-8''Caf%C3%A9%20%22No%C3%ABl%22%5C.zip"
        );
    }

    #[test]
    fn disposition_of_a_disguised_name_reads_as_what_it_is() {
        assert_eq!(
            attachment_disposition("photo\u{202E}gpj.exe"),
            "attachment; filename=\"photogpj.exe\"; filename*=UTF-8''photogpj.exe"
        );
    }

    /// File names as photographers and their tools make them, with every troublesome part.
    fn filename() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "(\\.\\./|/|\\\\|CON|con|COM1|a|A|é|日| \\(2\\)|\\.|\\.jpg|\\.JPG|\\.png| |\u{202E}|\u{200B}|\t|[<>:\"|?*]){0,8}",
            "[aé日. ]{100,200}(\\.jpg|\\.JPEG)?",
        ]
    }

    fn filenames() -> impl Strategy<Value = Vec<String>> {
        // Few distinct names, so duplicates and names that look numbered meet often.
        let colliding = proptest::sample::select(
            &[
                "a.jpg",
                "A.JPG",
                "a (2).jpg",
                "a (3).JPG",
                "a (2) (2).jpg",
                "a.png",
                "x/a (2).png",
            ][..],
        )
        .prop_map(str::to_owned);
        prop_oneof![
            proptest::collection::vec(filename(), 0..40),
            proptest::collection::vec(colliding, 0..12),
        ]
    }

    fn assert_safe(name: &str) -> Result<(), TestCaseError> {
        prop_assert!(!name.is_empty());
        prop_assert!(name.chars().count() <= MAX_NAME_CHARS, "{name}");
        prop_assert!(name.len() <= MAX_NAME_BYTES, "{name}");
        prop_assert!(
            !name.chars().any(|c| c == '/'
                || c == '\\'
                || breaks_line(c)
                || draws_nothing(c)
                || FORBIDDEN.contains(&c)),
            "{name:?}"
        );
        prop_assert!(!name.ends_with(is_trailing_junk), "{name:?}");
        prop_assert!(!name.starts_with(is_hiding_start), "{name:?}");
        prop_assert!(!is_device_name(name), "{name:?}");
        Ok(())
    }

    proptest! {
        /// Whatever the photographer's names, every entry unzips as its own safe file.
        #[test]
        fn entry_names_are_safe_and_unique(filenames in filenames(), as_jpeg in any::<bool>()) {
            let names = entry_names(filenames.iter().map(String::as_str), as_jpeg);
            prop_assert_eq!(names.len(), filenames.len());
            let folded: HashSet<String> = names.iter().map(|n| n.to_lowercase()).collect();
            prop_assert_eq!(folded.len(), names.len(), "{:?}", names);
            for name in &names {
                assert_safe(name)?;
                if as_jpeg {
                    let lower = name.to_lowercase();
                    prop_assert!(lower.ends_with(".jpg") || lower.ends_with(".jpeg"), "{}", name);
                }
            }
        }

        /// A file keeps the name it would have alone unless an earlier file has that name: a
        /// number is only ever added to the later of two files, never taken from a later one.
        #[test]
        fn only_later_duplicates_are_numbered(filenames in filenames(), as_jpeg in any::<bool>()) {
            let names = entry_names(filenames.iter().map(String::as_str), as_jpeg);
            let alone: Vec<String> = filenames
                .iter()
                .map(|f| entry_names([f.as_str()], as_jpeg).remove(0))
                .collect();
            for (i, name) in names.iter().enumerate() {
                let key = alone[i].to_lowercase();
                let earlier = alone[..i].iter().any(|a| a.to_lowercase() == key);
                prop_assert_eq!(name == &alone[i], !earlier, "{:?} -> {:?}", filenames, names);
            }
        }

        /// Names that are already safe and distinct come out exactly as they went in.
        #[test]
        fn safe_distinct_names_are_kept(
            filenames in proptest::collection::btree_set("img_[a-z0-9_ -]{0,20}[a-z0-9]\\.jpg", 0..30),
        ) {
            let names = entry_names(filenames.iter().map(String::as_str), true);
            prop_assert_eq!(names, filenames.into_iter().collect::<Vec<_>>());
        }

        #[test]
        fn zip_names_are_safe(title in filename(), index in 1usize..30, count in 0usize..30) {
            let name = zip_file_name(&title, Resolution::High, Some((index, count)));
            assert_safe(&name)?;
            prop_assert!(name.contains(" - high"), "{}", name);
            prop_assert!(name.ends_with(".zip"), "{}", name);
        }

        /// Any name gives a valid header that decodes back to the name as it is shown.
        #[test]
        fn dispositions_are_ascii_and_round_trip(filename in filename()) {
            let header = attachment_disposition(&filename);
            prop_assert!(header.bytes().all(|b| (0x20..0x7F).contains(&b)), "{}", header);
            let (_, encoded) = header.rsplit_once("filename*=UTF-8''").unwrap();
            let decoded = percent_encoding::percent_decode_str(encoded).decode_utf8().unwrap();
            prop_assert_eq!(decoded, one_line(&filename));
        }
    }
}
