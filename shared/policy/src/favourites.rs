//! A client's favourites: named lists of photos they pick for the photographer.

use serde::Serialize;

use crate::Invalid;
use crate::text::{one_line, one_line_name};

/// How many lists one client may keep, and how many photos one list may hold.
pub const MAX_LISTS: usize = 20;
pub const MAX_PHOTOS_PER_LIST: usize = 2_000;

/// A list's name: 1 to 60 characters on one line (names reach the photographer's export, one
/// list per line), with a visible one, kept without hidden characters (see [`crate::text`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct ListName(String);

impl ListName {
    pub const MAX_CHARS: usize = 60;
    /// The list a client adds to when they don't name one.
    pub const DEFAULT: &str = "Favourites";

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let name = one_line_name(raw).map_err(|unfit| Invalid::new("list", unfit.reason()))?;
        if name.chars().count() > Self::MAX_CHARS {
            return Err(Invalid::new(
                "list",
                format!("must be 1 to {} characters", Self::MAX_CHARS),
            ));
        }
        Ok(Self(name))
    }

    /// A list's name as it was stored, kept exactly: it names the list's items, whatever rule
    /// was in force when it was written (an earlier one accepted names of hidden characters
    /// only). It is shown safely wherever it is shown (see [`crate::text`]).
    pub fn stored(raw: &str) -> Self {
        Self(raw.to_owned())
    }

    /// The named list, or the default one when the client named none.
    pub fn or_default(raw: Option<&str>) -> Result<Self, Invalid> {
        Self::parse(raw.unwrap_or(Self::DEFAULT))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why a favourite can't be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FavouritesFull {
    #[error("at most {MAX_LISTS} lists")]
    TooManyLists,
    #[error("at most {MAX_PHOTOS_PER_LIST} photos a list")]
    ListFull,
}

/// What the client has now, as far as adding one photo to one list is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FavouritesSnapshot {
    /// Lists the client has, the target list included if it exists.
    pub lists: usize,
    /// Photos in the target list; `None` when that list doesn't exist yet.
    pub photos_in_list: Option<usize>,
    pub already_in_list: bool,
}

/// Whether one more favourite fits. Adding a photo that is already there always succeeds: the
/// route is idempotent, and a retry must not fail on a full list.
pub fn may_add(now: FavouritesSnapshot) -> Result<(), FavouritesFull> {
    if now.already_in_list {
        return Ok(());
    }
    match now.photos_in_list {
        None if now.lists >= MAX_LISTS => Err(FavouritesFull::TooManyLists),
        Some(n) if n >= MAX_PHOTOS_PER_LIST => Err(FavouritesFull::ListFull),
        _ => Ok(()),
    }
}

/// A list as a line for Lightroom's filename filter: the photos' names without their
/// extensions, comma-separated, so `DSC_0412.jpg` in the gallery finds `DSC_0412.NEF` in the
/// catalogue too (photographers deliver JPEGs exported from raw files of the same name).
pub fn lightroom_filter<'a>(filenames: impl IntoIterator<Item = &'a str>) -> String {
    filenames
        .into_iter()
        .map(|name| match name.rsplit_once('.') {
            Some((stem, _)) if !stem.is_empty() => stem,
            _ => name,
        })
        // One line, as shown (see `crate::text`): a name can neither break the line nor turn
        // it around. A comma inside a name would split it in two in the filter.
        .map(|stem| one_line(stem).replace(',', " "))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lightroom_lines_are_stems_separated_by_commas() {
        let line = lightroom_filter([
            "DSC_0412.jpg",
            "IMG 7.final.JPG",
            ".hidden",
            "noext",
            "a,b.jpg",
        ]);
        assert_eq!(line, "DSC_0412, IMG 7.final, .hidden, noext, a b");
        assert_eq!(lightroom_filter([]), "");
        assert_eq!(lightroom_filter(["IMG\u{2028}# fake.jpg"]), "IMG # fake");
        assert_eq!(
            lightroom_filter(["photo\u{202E}gpj.exe.jpg", "a\u{200B}b.jpg"]),
            "photogpj.exe, ab"
        );
    }

    #[test]
    fn list_names_are_trimmed_bounded_and_printable() {
        assert_eq!(
            ListName::parse("  Album picks ").unwrap().as_str(),
            "Album picks"
        );
        assert_eq!(ListName::or_default(None).unwrap().as_str(), "Favourites");
        assert!(ListName::parse("   ").is_err());
        assert!(ListName::parse(&"é".repeat(60)).is_ok());
        assert!(ListName::parse(&"é".repeat(61)).is_err());
        assert!(ListName::parse("two\nlines").is_err());
        // A line separator can't break the export's line: it is a space.
        assert_eq!(ListName::parse("a\u{2029}b").unwrap().as_str(), "a b");
        // Direction controls and zero-width characters are dropped: the name reads as it is.
        assert_eq!(ListName::parse("\u{202E}gpj.1").unwrap().as_str(), "gpj.1");
        assert_eq!(
            ListName::parse("a\u{2066}b\u{200B}").unwrap().as_str(),
            "ab"
        );
        assert_eq!(ListName::parse("Album ❤️").unwrap().as_str(), "Album ❤️");
    }

    #[test]
    fn a_list_name_with_nothing_visible_is_no_name() {
        for invisible in [
            "\u{200B}",
            "\u{200B}\u{200C}\u{200D}",
            "\u{3164}",
            "\u{2800}",
            " \u{FEFF} ",
        ] {
            let refused = ListName::parse(invisible).unwrap_err();
            assert_eq!(refused.field, "list", "{invisible:?}");
            assert!(refused.reason.contains("visible"), "{refused}");
        }
    }

    #[test]
    fn the_twenty_first_list_and_the_two_thousand_first_photo_are_refused() {
        let new_list = |lists| FavouritesSnapshot {
            lists,
            photos_in_list: None,
            already_in_list: false,
        };
        assert_eq!(may_add(new_list(19)), Ok(()));
        assert_eq!(may_add(new_list(20)), Err(FavouritesFull::TooManyLists));

        let into = |n| FavouritesSnapshot {
            lists: 20,
            photos_in_list: Some(n),
            already_in_list: false,
        };
        assert_eq!(may_add(into(1_999)), Ok(()));
        assert_eq!(may_add(into(2_000)), Err(FavouritesFull::ListFull));
    }

    #[test]
    fn adding_a_photo_already_there_always_succeeds() {
        let full = FavouritesSnapshot {
            lists: 20,
            photos_in_list: Some(2_000),
            already_in_list: true,
        };
        assert_eq!(may_add(full), Ok(()));
    }
}
