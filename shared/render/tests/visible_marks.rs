//! A watermarked rendition always shows its mark, whatever the photo's size: a mark is never
//! drawn smaller than the minimum size, and a photo smaller than that shows part of it.

mod common;

use common::*;
use image::{Rgba, RgbaImage};
use proofsheet_policy::WatermarkSettings;
use proofsheet_render::{
    DecodeLimits, DownloadSpec, Mark, Position, PreparedWatermark, Rendition, Watermark,
    render_download, render_renditions,
};
use proptest::prelude::*;

const POSITIONS: [Position; 5] = [
    Position::TopLeft,
    Position::TopRight,
    Position::BottomLeft,
    Position::BottomRight,
    Position::Center,
];

/// The smallest a mark's box may be on either side, in pixels (see `watermark::MIN_MARK_SIDE`).
const MIN_MARK_SIDE: u32 = 12;

/// Lowest watermark scale the gallery settings accept.
const MIN_SCALE: f32 = 0.05;

const FULL_SIZE: DownloadSpec = DownloadSpec {
    long_edge: None,
    jpeg_quality: 90,
};

/// A mid-grey photo: the white of a text mark and its dark outline both show on it, and so
/// does a black logo.
fn grey_photo(w: u32, h: u32) -> Vec<u8> {
    png_rgb(&solid(w, h, GREY))
}

/// A black logo, opaque where `inked`, transparent elsewhere. Black rather than a colour:
/// a change of lightness survives JPEG's halved colour resolution, so a faint mark can be
/// measured on a photo of a few pixels.
fn logo(w: u32, h: u32, inked: impl Fn(u32, u32) -> bool) -> Vec<u8> {
    png_rgba(&RgbaImage::from_fn(w, h, |x, y| {
        if inked(x, y) {
            Rgba([0, 0, 0, 255])
        } else {
            Rgba([0, 0, 0, 0])
        }
    }))
}

/// A wide logo, opaque on its left half and transparent on its right: the part that lands on
/// a tiny photo must be the inked one.
fn half_inked_logo() -> Vec<u8> {
    logo(200, 100, |x, _| x < 100)
}

/// How many pixels of `marked` show the mark, and how many must for the mark to be visible.
///
/// A pixel shows the mark when it moved by a clear amount: a quarter of what a fully covered
/// pixel moves over grey at `opacity` (white text and a black logo move it about
/// 128 × opacity, the text's dark outline 77 × opacity), and never less than 6 levels, above
/// the JPEG noise around an edge. Enough of them: a quarter of the smallest mark's box (a
/// square of [`MIN_MARK_SIDE`]), or of as much of that square as the photo holds.
fn mark_coverage(clean: &Rendition, marked: &Rendition, opacity: f32) -> (usize, usize) {
    let (clean, marked) = (decode(clean), decode(marked));
    assert_eq!(clean.dimensions(), marked.dimensions());
    let threshold = (127.0 * opacity / 4.0).max(6.0) as u8;
    let shown = changed(&clean, &marked, threshold).len();
    let (w, h) = clean.dimensions();
    // A mark keeps its shape: in a photo narrower than the square, a square logo is no wider
    // than the photo's shorter side (a half-inked 11×11 logo in a 6×11 photo inks 18 pixels at
    // most, fewer than a quarter of 6×11).
    let side = w.min(h).min(MIN_MARK_SIDE);
    (shown, (side * side).div_ceil(4) as usize)
}

/// Every watermarked rendition of a grey `w` × `h` photo, each with its clean twin: the
/// ingest thumbnail and preview, and a full-size download.
fn marked_renditions(
    w: u32,
    h: u32,
    watermark: &Watermark,
) -> Vec<(&'static str, Rendition, Rendition)> {
    let photo = grey_photo(w, h);
    let limits = DecodeLimits::default();
    let r = render_renditions(&photo, watermark, &limits).expect("renders");
    let prepared = PreparedWatermark::new(watermark).expect("usable watermark");
    let download = |mark| render_download(&photo, FULL_SIZE, mark, &limits).expect("downloads");
    vec![
        ("thumbnail", r.thumbnail, r.thumbnail_watermarked),
        ("preview", r.preview, r.preview_watermarked),
        ("download", download(None), download(Some(&prepared))),
    ]
}

/// Panics naming the rendition, size and watermark whose mark is not visible.
fn assert_every_rendition_shows(w: u32, h: u32, watermark: &Watermark) {
    for (name, clean, marked) in marked_renditions(w, h, watermark) {
        let (shown, needed) = mark_coverage(&clean, &marked, watermark.opacity);
        assert!(
            shown >= needed,
            "{name} of a {w}×{h} photo, {:?} at {:?}: {shown} pixels show the mark, {needed} must",
            kind(&watermark.mark),
            watermark.position,
        );
    }
}

fn kind(mark: &Mark) -> String {
    match mark {
        Mark::Text(text) => format!("text {text:?}"),
        Mark::Logo(png) => format!("logo of {} bytes", png.len()),
    }
}

#[test]
fn a_72_by_48_photo_shows_its_text_mark() {
    // The case: at the default scale, "© <name>" with a name this long was drawn on
    // nothing narrower than about 77 px, and as a smudge of a few pixels a little above that.
    assert_every_rendition_shows(72, 48, &Watermark::text("© Anna Schmidt"));
}

#[test]
fn a_narrow_tiny_photo_shows_a_faint_logo_of_any_shape() {
    // Found by the property below: a 6×11 photo, an 11×11 logo, 10% opacity, top left.
    for shape in 0..3 {
        let logo = logo(11, 11, |x, y| match shape {
            0 => true,
            1 => x < 6,
            _ => x < 1 || y < 1 || x >= 10 || y >= 10,
        });
        let watermark = Watermark {
            mark: Mark::Logo(logo),
            position: Position::TopLeft,
            opacity: 0.1,
            scale: 0.05,
        };
        assert_every_rendition_shows(6, 11, &watermark);
    }
}

#[test]
fn a_tiny_photo_shows_its_logo_mark() {
    let mut watermark = Watermark::logo(half_inked_logo());
    watermark.position = Position::TopRight;
    assert_every_rendition_shows(8, 8, &watermark);
}

#[test]
fn small_photos_show_text_and_logo_marks_at_every_position() {
    let marks = [
        Mark::Text("© Jane Doe".to_owned()),
        Mark::Logo(half_inked_logo()),
    ];
    let sizes = [
        (1, 1),
        (2, 2),
        (8, 8),
        (40, 30),
        (72, 48),
        (72, 200),
        (200, 20),
        (600, 4),
        (3, 500),
    ];
    for mark in &marks {
        for position in POSITIONS {
            for (w, h) in sizes {
                let watermark = Watermark {
                    mark: mark.clone(),
                    position,
                    opacity: 0.5,
                    scale: MIN_SCALE,
                };
                assert_every_rendition_shows(w, h, &watermark);
            }
        }
    }
}

/// Bounding box (width, height) of the pixels that moved by more than 40 levels.
fn changed_box(clean: &Rendition, marked: &Rendition) -> (u32, u32) {
    let diff = changed(&decode(clean), &decode(marked), 40);
    let span = |coordinate: fn(&(u32, u32)) -> u32| {
        let min = diff.iter().map(coordinate).min().unwrap_or(0);
        let max = diff.iter().map(coordinate).max().unwrap_or(0);
        if diff.is_empty() { 0 } else { max - min + 1 }
    };
    (span(|p| p.0), span(|p| p.1))
}

#[test]
fn a_mark_that_would_be_too_small_is_drawn_at_the_minimum_size() {
    // 5% of a 160 px wide photo is 8 px: under the minimum, for a word and for a square logo.
    for mark in [
        Mark::Text("PROOF".to_owned()),
        Mark::Logo(logo(50, 50, |_, _| true)),
    ] {
        let watermark = Watermark {
            mark,
            position: Position::Center,
            opacity: 1.0,
            scale: MIN_SCALE,
        };
        for (name, clean, marked) in marked_renditions(160, 120, &watermark) {
            let (w, h) = changed_box(&clean, &marked);
            let min = MIN_MARK_SIDE - 1;
            assert!(
                w >= min && h >= min,
                "{name}, {}: mark of {w}×{h} px",
                kind(&watermark.mark)
            );
        }
    }
}

/// Watermark texts as photographers write them, and edge cases the settings accept: one
/// narrow character, a dot, a dash, other scripts.
const TEXTS: [&str; 9] = [
    "© Jane Doe",
    "© Proofsheet Studio 2024",
    "PROOF",
    "©",
    "l",
    ".",
    "—",
    "Фото © Анна",
    "日本語 ©",
];

fn marks() -> impl Strategy<Value = Mark> {
    let text = proptest::sample::select(TEXTS.to_vec()).prop_map(|t| Mark::Text(t.to_owned()));
    // Opaque, half transparent, and a frame whose middle is transparent, in any proportion.
    let logo = (1u32..=300, 1u32..=300, 0u8..3).prop_map(|(w, h, shape)| {
        Mark::Logo(match shape {
            0 => logo(w, h, |_, _| true),
            1 => logo(w, h, |x, _| x < w.div_ceil(2)),
            _ => logo(w, h, |x, y| {
                let edge = (w.min(h) / 8).max(1);
                x < edge || y < edge || x >= w - edge || y >= h - edge
            }),
        })
    });
    prop_oneof![text, logo]
}

/// Mostly small sides, where marks used to vanish, with some large ones.
fn side() -> impl Strategy<Value = u32> {
    prop_oneof![3 => 1u32..=100, 1 => 1u32..=1500]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn every_watermarked_rendition_shows_its_mark(
        w in side(),
        h in side(),
        mark in marks(),
        position in proptest::sample::select(POSITIONS.to_vec()),
        opacity in (WatermarkSettings::MIN_OPACITY as f32)..=1.0,
        scale in MIN_SCALE..=1.0,
    ) {
        let watermark = Watermark { mark, position, opacity, scale };
        for (name, clean, marked) in marked_renditions(w, h, &watermark) {
            let (shown, needed) = mark_coverage(&clean, &marked, opacity);
            prop_assert!(
                shown >= needed,
                "{} of a {}×{} photo: {} pixels show the mark, {} must",
                name, w, h, shown, needed
            );
        }
    }
}
