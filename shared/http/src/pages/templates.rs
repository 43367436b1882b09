//! The pages' typed templates (`templates/pages/`).

use askama::Template;
use proofsheet_store::GrantKind;
use serde_json::json;

use super::PageBrand;
use crate::views::{ClientGalleryView, MyGalleriesView};

/// A short page that says one thing: a link that no longer works, an expired download link,
/// an error.
#[derive(Template)]
#[template(path = "pages/message.html")]
pub(crate) struct MessagePage {
    /// The photographer whose link or page it is, when the refusal may say so.
    pub brand: Option<PageBrand>,
    pub heading: &'static str,
    pub text: String,
    /// Whom to write to about it: (name, email), shown as a mail link.
    pub contact: Option<(String, String)>,
}

/// The password form of a protected link; works without JavaScript.
#[derive(Template)]
#[template(path = "pages/password.html")]
pub(crate) struct PasswordPage {
    /// The photographer whose gallery it is.
    pub brand: Option<PageBrand>,
    /// `/g/{token}/unlock`.
    pub action: String,
    pub problem: Option<String>,
}

/// A photographer's login page: the access-code form.
#[derive(Template)]
#[template(path = "pages/login.html")]
pub(crate) struct LoginPage {
    /// The photographer and their look; unknown on an error page, which shows a plain heading.
    pub brand: Option<PageBrand>,
    /// `/p/{slug}/login`.
    pub action: String,
    pub problem: Option<String>,
}

/// The studio's sign-in form; `sent` once a link was asked for.
#[derive(Template)]
#[template(path = "pages/studio_sign_in.html")]
pub(crate) struct StudioSignInPage {
    pub sent: bool,
    pub minutes: u64,
}

/// A sign-in link's page: one button that spends the link. Opening the link spends nothing,
/// so a mail scanner that fetches every link can't use it up.
#[derive(Template)]
#[template(path = "pages/studio_confirm.html")]
pub(crate) struct StudioConfirmPage {
    /// The photographer's email, so whoever opened it sees whose account it is.
    pub email: String,
    /// The new sign-in address the link confirms, if it does.
    pub confirms_email: Option<String>,
    /// `/studio/sign-in/{secret}`.
    pub action: String,
}

/// The studio, signed in: the script fills it through the JSON API.
#[derive(Template)]
#[template(path = "pages/studio.html")]
pub(crate) struct StudioPage {
    pub name: String,
    pub email: String,
    /// The largest photo the API takes: the page refuses a bigger file before asking.
    pub max_upload_bytes: u64,
}

/// The galleries released to a logged-in client.
#[derive(Template)]
#[template(path = "pages/overview.html")]
pub(crate) struct OverviewPage {
    pub brand: PageBrand,
    pub name: String,
    /// `/p/{slug}/logout`.
    pub logout: String,
    pub galleries: Vec<GalleryCard>,
}

pub(crate) struct GalleryCard {
    pub title: String,
    /// The parent's title, for a released sub-gallery whose parent is released too.
    pub parent: Option<String>,
    pub link: String,
    pub photo_count: u32,
    pub cover: Option<Picture>,
    /// "Open until 25 January 2027", "Expired on …".
    pub date_note: Option<String>,
    pub expired: bool,
}

pub(crate) struct Picture {
    pub url: String,
    pub srcset: Option<String>,
    pub width: u32,
    pub height: u32,
}

/// A gallery as its link shows it: the first page of the grid, server-rendered, and what the
/// script needs to do the rest (`state`, JSON in a data attribute, escaped like any attribute).
#[derive(Template)]
#[template(path = "pages/gallery.html")]
pub(crate) struct GalleryPage {
    /// The page's style block: the photographer's brand, and each photo's ratio
    /// (`#p-<id>{--r:…}`), which places it in the justified rows before its image arrives. The
    /// page's CSP allows exactly this text.
    pub styles: String,
    pub brand: PageBrand,
    pub title: String,
    pub parent: Option<Neighbour>,
    pub subgalleries: Vec<Neighbour>,
    pub photos: Vec<GridPhoto>,
    /// `?cursor=…` of the next page, for browsers without JavaScript.
    pub next_page: Option<String>,
    pub state: String,
    /// "Open until 25 January 2027", when the link expires.
    pub open_until: Option<String>,
    /// The cover, over the whole first screen, on the first page.
    pub cover: Option<CoverPhoto>,
    /// The day its photographs were taken, as the cover says it: `("2026-06-14", "14 June 2026")`.
    pub event_date: Option<(String, String)>,
}

/// A gallery's cover photo: cropped to fill the screen.
pub(crate) struct CoverPhoto {
    /// The preview (JPEG), for a browser that takes no WebP.
    pub src: String,
    pub srcset: Option<String>,
    /// The width the crop shows the photo at: the screen's width, or more where the screen is
    /// narrower than the photo (a landscape photo on a phone held upright).
    pub sizes: String,
    pub width: u32,
    pub height: u32,
}

pub(crate) struct Neighbour {
    pub title: String,
    pub link: String,
    /// A set's cover (a sub-gallery's).
    pub cover: Option<SetCover>,
}

/// A sub-gallery's cover on its set: cropped to the set's 3:2.
pub(crate) struct SetCover {
    /// The thumbnail (JPEG), for a browser that takes no WebP.
    pub src: String,
    pub srcset: Option<String>,
    pub width: u32,
    pub height: u32,
}

pub(crate) struct GridPhoto {
    pub id: String,
    pub alt: String,
    pub thumbnail_url: String,
    pub preview_url: String,
    /// Its grid sizes as a `srcset` (WebP), when it has them.
    pub srcset: Option<String>,
    /// The width its tile is shown at: the tile's own (`auto`, lazy images), else an estimate.
    pub sizes: String,
    pub width: u32,
    pub height: u32,
}

/// A `srcset` of a photo's grid sizes; `None` without any.
fn srcset(grid: &[crate::views::GridSizeView]) -> Option<String> {
    (!grid.is_empty()).then(|| {
        grid.iter()
            .map(|size| format!("{} {}w", size.url, size.width))
            .collect::<Vec<_>>()
            .join(", ")
    })
}

/// A photo's ratio, width over height; a photo whose size is unknown is a square.
fn ratio(width: u32, height: u32) -> f64 {
    if width == 0 || height == 0 {
        1.0
    } else {
        f64::from(width) / f64::from(height)
    }
}

/// The `sizes` of a tile of ratio `r`. A lazy image is measured where it lands (`auto`); else,
/// a row grows past the target height (app.css `--h`) by about a quarter, and a tile is never
/// wider than the grid.
fn tile_sizes(r: f64) -> String {
    format!(
        "auto, min({:.4} * clamp(100px, 22vw + 20px, 240px), min(100vw, 1400px) - 2rem)",
        r * 1.25
    )
}

/// The `sizes` of a cover of ratio `r`, cropped to fill a box as wide as the screen and as
/// tall as app.css makes it (72% of a portrait screen's height, all of a landscape one's).
fn cover_sizes(r: f64) -> String {
    format!(
        "(orientation: portrait) max(100vw, {:.1}vh), max(100vw, {:.1}vh)",
        72.0 * r,
        100.0 * r
    )
}

impl GalleryPage {
    /// The page of a gallery view, served at `path` (`/g/{token}`, perhaps with a cursor), of a
    /// link that `ends` then (Unix seconds), if ever.
    pub fn new(view: ClientGalleryView, kind: GrantKind, path: &str, ends: Option<u64>) -> Self {
        let kind = match kind {
            GrantKind::General => "general",
            GrantKind::Private => "private",
        };
        let state = json!({
            "kind": kind,
            "settings": view.settings,
            "next_cursor": view.next_cursor,
        })
        .to_string();
        let (parent, subgalleries) = match view.navigation {
            Some(navigation) => (
                navigation.parent.map(Neighbour::from),
                navigation
                    .subgalleries
                    .into_iter()
                    .map(Neighbour::from)
                    .collect(),
            ),
            None => (None, Vec::new()),
        };
        let next_page = view.next_cursor.map(|cursor| {
            let cursor: String = url_encoded(&cursor);
            format!("{path}?cursor={cursor}")
        });
        let photos: Vec<GridPhoto> = view
            .photos
            .into_iter()
            .map(|photo| {
                let (width, height) = (photo.width.unwrap_or(1), photo.height.unwrap_or(1));
                GridPhoto {
                    alt: format!("Photo {}", photo.filename),
                    id: photo.photo_id,
                    thumbnail_url: photo.thumbnail_url,
                    preview_url: photo.preview_url,
                    srcset: srcset(&photo.grid),
                    sizes: tile_sizes(ratio(width, height)),
                    width,
                    height,
                }
            })
            .collect();
        let cover = view.cover.map(|photo| {
            let (width, height) = (photo.width.unwrap_or(3), photo.height.unwrap_or(2));
            CoverPhoto {
                src: photo.preview_url,
                srcset: srcset(&photo.grid),
                sizes: cover_sizes(ratio(width, height)),
                width,
                height,
            }
        });
        let open_until = ends.map(|at| date_note(at, false));
        let event_date = view.event_date.map(|day| (day.to_string(), day.spoken()));
        let brand = PageBrand::from(&view.photographer);
        let styles = format!("{}{}", brand.css, photo_ratios(&photos));
        Self {
            styles,
            brand,
            open_until,
            cover,
            event_date,
            title: view.title,
            parent,
            subgalleries,
            photos,
            next_page,
            state,
        }
    }
}

/// Each photo's ratio as the page's style block gives it, one rule per cell. Ids are ours (a
/// UUID); one that could be anything else is left out, and its cell is a square.
fn photo_ratios(photos: &[GridPhoto]) -> String {
    photos
        .iter()
        .filter(|photo| {
            photo.id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
                && photo.width > 0
                && photo.height > 0
        })
        .map(|photo| {
            let ratio = f64::from(photo.width) / f64::from(photo.height);
            format!("#p-{}{{--r:{ratio:.6}}}", photo.id)
        })
        .collect()
}

impl GalleryPage {
    /// What the page's CSP adds to `style-src` for its style block: the block's own hash.
    pub fn style_source(&self) -> Option<String> {
        super::style_source(&self.styles)
    }
}

/// A link's date as a card or a page says it: "Open until 25 January 2027", "Expired on …".
fn date_note(ends: u64, expired: bool) -> String {
    let day = proofsheet_app::email::human_day(ends);
    if expired {
        format!("Expired on {day}")
    } else {
        format!("Open until {day}")
    }
}

impl From<crate::views::NeighbourView> for Neighbour {
    fn from(view: crate::views::NeighbourView) -> Self {
        Self {
            title: view.title,
            link: view.link,
            cover: view.cover.map(|photo| SetCover {
                src: photo.thumbnail_url,
                srcset: srcset(&photo.grid),
                width: photo.width.unwrap_or(3),
                height: photo.height.unwrap_or(2),
            }),
        }
    }
}

fn url_encoded(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .map(|pair| pair.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

impl OverviewPage {
    /// The overview of `view`, on the login page at `page_path` (`/p/{slug}`).
    pub fn new(view: MyGalleriesView, brand: PageBrand, page_path: &str) -> Self {
        let titles: std::collections::HashMap<String, String> = view
            .galleries
            .iter()
            .map(|g| (g.gallery_id.clone(), g.title.clone()))
            .collect();
        let galleries = view
            .galleries
            .into_iter()
            .map(|gallery| GalleryCard {
                parent: gallery
                    .parent_id
                    .as_ref()
                    .and_then(|id| titles.get(id).cloned()),
                title: gallery.title,
                link: gallery.link,
                photo_count: gallery.photo_count,
                date_note: gallery.ends.map(|at| date_note(at, gallery.expired)),
                expired: gallery.expired,
                cover: gallery.cover.map(|cover| Picture {
                    url: cover.thumbnail_url,
                    srcset: srcset(&cover.grid),
                    width: cover.width.unwrap_or(3),
                    height: cover.height.unwrap_or(2),
                }),
            })
            .collect();
        Self {
            brand,
            name: view.name,
            logout: format!("{page_path}/logout"),
            galleries,
        }
    }
}
