//! What counts as client activity, which moments the photographer is told about, and how the
//! activity export stays a plain spreadsheet.
//!
//! - A view is a client opening their gallery (the first page of `GET /g/{token}`) through a
//!   private link: link-preview bots fetching a pasted link are not clients, and `HEAD` is not a
//!   view. The general link has no client to count for (its visitors are anonymous).
//! - A milestone happens at most once per client and gallery; the photographer gets one
//!   notification (in the app and by email) when it does.

use std::fmt;

use serde::{Deserialize, Serialize};

/// User-agent marks of the link-preview fetchers of chat apps, social networks and search
/// engines (matched case-blind): they fetch a link the moment it is pasted, before any person
/// opens it. iMessage previews present themselves as Facebook's and Twitter's.
const LINK_PREVIEW_AGENTS: &[&str] = &[
    // The fetchers' own names, never an app's: the in-app browsers of Snapchat, Pinterest,
    // Instagram or Facebook are people.
    "slackbot",
    "slack-imgproxy",
    "whatsapp",
    "facebookexternalhit",
    "facebot",
    "twitterbot",
    "discordbot",
    "telegrambot",
    "linkedinbot",
    "googlebot",
    "google-inspectiontool",
    "bingbot",
    "applebot",
    "skypeuripreview",
    "microsoft preview",
    "redditbot",
    "pinterestbot",
    "embedly",
    "vkshare",
    "snap url preview",
    "zoombot",
    "mattermost-bot",
    "bitlybot",
    "bot/",
    "crawler",
    "spider",
];

/// Whether a request is a link preview rather than a person (by its `User-Agent`). A request
/// without one is not a browser either.
pub fn is_link_preview(user_agent: Option<&str>) -> bool {
    let Some(agent) = user_agent
        .map(str::trim)
        .filter(|agent| !agent.is_empty())
        .map(str::to_ascii_lowercase)
    else {
        return true;
    };
    LINK_PREVIEW_AGENTS.iter().any(|mark| agent.contains(mark))
}

/// Whether a request to a client's gallery is a view to count.
pub fn counts_as_view(method: &str, user_agent: Option<&str>) -> bool {
    method.eq_ignore_ascii_case("GET") && !is_link_preview(user_agent)
}

/// A moment in a client's use of a gallery that the photographer hears about, once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Milestone {
    /// The client opened the gallery for the first time.
    FirstView,
    /// The client started a favourites list.
    FavouritesListCreated,
    /// The client has downloaded every photo of the gallery (over one or more requests).
    FullGalleryDownloaded,
    /// The client made a download counted against a limit.
    LimitedDownloadMade,
    /// The gallery reached its expiry date: its links stopped working (once per date, for the
    /// gallery, not per client).
    GalleryExpired,
}

impl Milestone {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FirstView => "first_view",
            Self::FavouritesListCreated => "favourites_list_created",
            Self::FullGalleryDownloaded => "full_gallery_downloaded",
            Self::LimitedDownloadMade => "limited_download_made",
            Self::GalleryExpired => "gallery_expired",
        }
    }

    /// What the photographer is told happened, after the client's name.
    pub fn sentence(self) -> &'static str {
        match self {
            Self::FirstView => "opened the gallery for the first time",
            Self::FavouritesListCreated => "started a favourites list",
            Self::FullGalleryDownloaded => "downloaded the whole gallery",
            Self::LimitedDownloadMade => "made a download counted against their limit",
            Self::GalleryExpired => "expired",
        }
    }

    /// The milestones an accepted download request reaches: counted against a limit when the
    /// link has one (and the request charged something), the whole gallery when every photo
    /// the client can see is downloaded now.
    pub fn of_download(limited: bool, charged: usize, covers_gallery: bool) -> Vec<Self> {
        let mut reached = Vec::new();
        if limited && charged > 0 {
            reached.push(Self::LimitedDownloadMade);
        }
        if covers_gallery {
            reached.push(Self::FullGalleryDownloaded);
        }
        reached
    }
}

impl fmt::Display for Milestone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A cell of the activity export as a spreadsheet must read it: a value a spreadsheet would
/// run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return: OWASP's
/// CSV-injection list) is prefixed with `'`, so it shows as the text it is. Quoting is the CSV
/// writer's.
pub fn spreadsheet_cell(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn link_previews_are_not_views() {
        let previews = [
            "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
            "WhatsApp/2.23.20.0",
            "facebookexternalhit/1.1 Facebot Twitterbot/1.0",
            "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
            "TelegramBot (like TwitterBot)",
            "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        ];
        for agent in previews {
            assert!(!counts_as_view("GET", Some(agent)), "{agent}");
        }
        assert!(!counts_as_view("GET", None), "no user agent, no person");
        assert!(!counts_as_view("GET", Some("  ")), "nor a blank one");
        let in_app = [
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 \
             (KHTML, like Gecko) Mobile/15E148 Snapchat/12.60.0.44 (like Safari/8617.1.17.10.1)",
            "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) \
             Chrome/120.0 Mobile Safari/537.36 [Pinterest/Android]",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 \
             (KHTML, like Gecko) Mobile/15E148 Instagram 309.0.2.28.108",
        ];
        for agent in in_app {
            assert!(counts_as_view("GET", Some(agent)), "{agent}");
        }
        let browser = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 \
            (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
        assert!(counts_as_view("GET", Some(browser)));
        assert!(!counts_as_view("HEAD", Some(browser)));
    }

    #[test]
    fn downloads_reach_their_milestones() {
        use Milestone::*;
        assert_eq!(
            Milestone::of_download(true, 3, false),
            [LimitedDownloadMade]
        );
        assert_eq!(Milestone::of_download(true, 0, false), []);
        assert_eq!(Milestone::of_download(false, 3, false), []);
        assert_eq!(
            Milestone::of_download(true, 2, true),
            [LimitedDownloadMade, FullGalleryDownloaded]
        );
    }

    #[test]
    fn milestones_name_themselves_as_serde_does() {
        for m in [
            Milestone::FirstView,
            Milestone::FavouritesListCreated,
            Milestone::FullGalleryDownloaded,
            Milestone::LimitedDownloadMade,
        ] {
            assert_eq!(serde_json::to_string(&m).unwrap(), format!("\"{m}\""));
        }
    }

    proptest! {
        /// No cell of the export starts with a character a spreadsheet reads as a formula, and
        /// every value is still there, whole.
        #[test]
        fn cells_never_start_a_formula(value in ".{0,40}") {
            let cell = spreadsheet_cell(&value);
            prop_assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']));
            prop_assert!(cell.ends_with(&value));
        }
    }
}
