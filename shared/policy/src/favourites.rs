//! A client's favourites: named lists of photos they pick for the photographer.

use serde::Serialize;

use crate::Invalid;

/// How many lists one client may keep, and how many photos one list may hold.
pub const MAX_LISTS: usize = 20;
pub const MAX_PHOTOS_PER_LIST: usize = 2_000;

/// A list's name: trimmed, 1 to 60 characters, none of them control characters (names reach the
/// photographer's export, one list per line).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct ListName(String);

impl ListName {
    pub const MAX_CHARS: usize = 60;
    /// The list a client adds to when they don't name one.
    pub const DEFAULT: &str = "Favourites";

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let name = raw.trim();
        let chars = name.chars().count();
        if chars == 0 || chars > Self::MAX_CHARS {
            return Err(Invalid::new(
                "list",
                format!("must be 1 to {} characters", Self::MAX_CHARS),
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(Invalid::new("list", "must be printable characters"));
        }
        Ok(Self(name.to_owned()))
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

#[cfg(test)]
mod tests {
    use super::*;

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
