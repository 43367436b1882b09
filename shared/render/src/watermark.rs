//! Drawing a text or logo watermark onto a rendition.

use ab_glyph::{Font, FontRef, Glyph, PxScale, Rect, ScaleFont, point};
use image::{RgbImage, Rgba, RgbaImage};

use crate::{
    DEFAULT_OPACITY, DEFAULT_SCALE, Mark, Position, RenderError, Watermark, decode, resize,
};

/// DejaVu Sans Bold (Bitstream Vera licence, see fonts/): bold strokes
/// survive downscaling to thumbnails, and it covers Latin, Greek and
/// Cyrillic names.
static FONT: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// Gap between the mark and the image edge, as a fraction of the shorter edge.
const MARGIN: f32 = 0.02;
/// The smallest a mark's visible box may be on either side, in pixels, whatever the photo's
/// size and the photographer's scale: a mark sized by the scale alone becomes a smudge of a
/// few pixels on a small rendition, or nothing at all. A line of text with 12 px of ink from
/// top to bottom has capitals 9 to 12 px tall (12 without descenders), those of the 13 to
/// 16 px text people read on screens every day; a 12 px logo is as big as the smallest
/// toolbar icons. A photo smaller than that shows the part of the mark it has room for.
const MIN_MARK_SIDE: f32 = 12.0;
/// Longer text only gets smaller at a fixed width; cap the layout work.
const MAX_TEXT_CHARS: usize = 200;
/// Opacity of the dark outline behind the white text.
const OUTLINE_ALPHA: f32 = 0.6;

/// A watermark checked and decoded once, drawn onto each rendition.
pub(crate) struct Prepared {
    kind: Kind,
    position: Position,
    opacity: f32,
    scale: f32,
}

enum Kind {
    Nothing,
    Text(String),
    Logo(RgbaImage),
}

/// An RGBA layer (straight alpha) whose visible box is inset by `pad` on
/// every side; the padding holds the text outline.
struct Layer {
    image: RgbaImage,
    pad: u32,
}

impl Prepared {
    pub(crate) fn new(watermark: &Watermark) -> Result<Self, RenderError> {
        let opacity = if watermark.opacity.is_finite() {
            watermark.opacity.clamp(0.0, 1.0)
        } else {
            DEFAULT_OPACITY
        };
        let scale = if watermark.scale.is_finite() && watermark.scale > 0.0 {
            watermark.scale.min(1.0)
        } else {
            DEFAULT_SCALE
        };
        let kind = match &watermark.mark {
            // A bad logo is the photographer's configuration problem even
            // when the mark would be invisible, so check it first.
            Mark::Logo(png) => Kind::Logo(decode::decode_logo(png)?),
            Mark::Text(text) => {
                let text: String = text
                    .chars()
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .take(MAX_TEXT_CHARS)
                    .collect();
                let text = text.trim();
                if text.is_empty() {
                    Kind::Nothing
                } else {
                    Kind::Text(text.to_owned())
                }
            }
        };
        let kind = if opacity > 0.0 { kind } else { Kind::Nothing };
        Ok(Self {
            kind,
            position: watermark.position,
            opacity,
            scale,
        })
    }

    pub(crate) fn apply(&self, image: &mut RgbImage) -> Result<(), RenderError> {
        let (w, h) = image.dimensions();
        let margin = (MARGIN * w.min(h) as f32).round();
        // At 2% a side the margins always leave room. The scale may make a mark smaller than
        // the minimum: the layers then grow it past this box, and the photo shows what fits.
        let max_w = w as f32 - 2.0 * margin;
        let max_h = h as f32 - 2.0 * margin;
        let target_w = (self.scale * w as f32).min(max_w);
        let layer = match &self.kind {
            Kind::Nothing => None,
            Kind::Text(text) => text_layer(text, target_w, max_h)?,
            Kind::Logo(logo) => logo_layer(logo, target_w, max_h)?,
        };
        if let Some(layer) = layer {
            let (x, y) = place(&layer, self.position, (w, h), margin as i64);
            blend(image, &layer.image, x, y, self.opacity);
        }
        Ok(())
    }
}

/// Where a mark's box sits along one side of the photo.
#[derive(Clone, Copy)]
enum Anchor {
    Start,
    Middle,
    End,
}

fn anchors(position: Position) -> (Anchor, Anchor) {
    match position {
        Position::TopLeft => (Anchor::Start, Anchor::Start),
        Position::TopRight => (Anchor::End, Anchor::Start),
        Position::BottomLeft => (Anchor::Start, Anchor::End),
        Position::BottomRight => (Anchor::End, Anchor::End),
        Position::Center => (Anchor::Middle, Anchor::Middle),
    }
}

/// Where a box of `len` pixels starts along a side of `extent` pixels, or `None` when the box
/// is longer than the side.
fn anchored(anchor: Anchor, extent: i64, len: i64, margin: i64) -> Option<i64> {
    if len > extent {
        return None;
    }
    let start = match anchor {
        Anchor::Start => margin,
        Anchor::Middle => (extent - len) / 2,
        Anchor::End => extent - margin - len,
    };
    // A mark grown to the minimum size may not fit inside the margins: it gives up the
    // margin before it gives up any of itself.
    Some(start.clamp(0, extent - len))
}

/// Top-left corner of the layer so that its visible box sits at `position`. Along a side
/// where the mark is longer than the photo, the photo shows the stretch of the mark with the
/// most ink, so that a tiny photo gets strokes of the mark rather than the gap between words.
fn place(layer: &Layer, position: Position, (w, h): (u32, u32), margin: i64) -> (i64, i64) {
    let pad = i64::from(layer.pad);
    let (layer_w, layer_h) = layer.image.dimensions();
    let (across, down) = anchors(position);
    let (w, h) = (i64::from(w), i64::from(h));
    let x = anchored(across, w, i64::from(layer_w) - 2 * pad, margin).map(|x| x - pad);
    let y = anchored(down, h, i64::from(layer_h) - 2 * pad, margin).map(|y| y - pad);
    let alpha = |lx: u32, ly: u32| u64::from(layer.image.get_pixel(lx, ly)[3]);
    let x = x.unwrap_or_else(|| {
        let rows = in_view(y, layer_h, h);
        let ink: Vec<u64> = (0..layer_w)
            .map(|lx| rows.clone().map(|ly| alpha(lx, ly)).sum())
            .collect();
        -densest_run(&ink, w)
    });
    let y = y.unwrap_or_else(|| {
        let columns = in_view(Some(x), layer_w, w);
        let ink: Vec<u64> = (0..layer_h)
            .map(|ly| columns.clone().map(|lx| alpha(lx, ly)).sum())
            .collect();
        -densest_run(&ink, h)
    });
    (x, y)
}

/// The layer's rows (or columns) that land on a photo side of `extent` pixels when the layer
/// starts at `start`; all of them while that start is still to be chosen.
fn in_view(start: Option<i64>, len: u32, extent: i64) -> std::ops::Range<u32> {
    let Some(start) = start else {
        return 0..len;
    };
    let clamp = |v: i64| v.clamp(0, i64::from(len)) as u32;
    clamp(-start)..clamp(extent - start)
}

/// Start of the run of `run` consecutive entries of `ink` with the largest sum (the first
/// one on a tie); `ink` is at least `run` long.
fn densest_run(ink: &[u64], run: i64) -> i64 {
    let run = usize::try_from(run).unwrap_or(0).clamp(1, ink.len().max(1));
    let mut sum: u64 = ink.iter().take(run).sum();
    let (mut best, mut best_start) = (sum, 0);
    for start in 1..=ink.len().saturating_sub(run) {
        sum = sum + ink[start + run - 1] - ink[start - 1];
        if sum > best {
            (best, best_start) = (sum, start);
        }
    }
    best_start as i64
}

/// Source-over compositing of a straight-alpha layer, scaled by `opacity`. Only the part of
/// the layer over the photo is visited: a mark grown past a tiny photo may be far larger.
fn blend(dst: &mut RgbImage, layer: &RgbaImage, x0: i64, y0: i64, opacity: f32) {
    let columns = in_view(Some(x0), layer.width(), i64::from(dst.width()));
    let rows = in_view(Some(y0), layer.height(), i64::from(dst.height()));
    for ly in rows {
        for lx in columns.clone() {
            let px = layer.get_pixel(lx, ly);
            let a = f32::from(px[3]) / 255.0 * opacity;
            if a <= 0.0 {
                continue;
            }
            // In the photo: `in_view` keeps to the rows and columns that land on it.
            let (x, y) = ((x0 + i64::from(lx)) as u32, (y0 + i64::from(ly)) as u32);
            let d = dst.get_pixel_mut(x, y);
            for c in 0..3 {
                let v = f32::from(d[c]) * (1.0 - a) + f32::from(px[c]) * a;
                d[c] = v.round().clamp(0.0, 255.0) as u8;
            }
        }
    }
}

fn logo_layer(logo: &RgbaImage, target_w: f32, max_h: f32) -> Result<Option<Layer>, RenderError> {
    let (lw, lh) = (logo.width() as f32, logo.height() as f32);
    if lw < 1.0 || lh < 1.0 {
        return Ok(None);
    }
    let fit = (target_w / lw)
        .min(max_h / lh)
        .max(MIN_MARK_SIDE / lw.min(lh));
    let (w, h) = ((lw * fit).round(), (lh * fit).round());
    let image = resize::resize_rgba(logo, w as u32, h as u32)?;
    Ok(Some(Layer { image, pad: 0 }))
}

/// Lay out `text` on one line at `px` pixels; returns the glyphs and the
/// union of their ink boxes.
fn layout(font: &FontRef<'_>, text: &str, px: f32) -> (Vec<Glyph>, Option<Rect>) {
    let scaled = font.as_scaled(PxScale::from(px));
    let mut glyphs = Vec::new();
    let mut bounds: Option<Rect> = None;
    let mut caret = 0.0f32;
    let mut previous = None;
    for c in text.chars() {
        let id = font.glyph_id(c);
        if let Some(prev) = previous {
            caret += scaled.kern(prev, id);
        }
        let glyph = id.with_scale_and_position(px, point(caret, scaled.ascent()));
        caret += scaled.h_advance(id);
        previous = Some(id);
        if let Some(outlined) = font.outline_glyph(glyph.clone()) {
            let b = outlined.px_bounds();
            bounds = Some(match bounds {
                None => b,
                Some(u) => Rect {
                    min: point(u.min.x.min(b.min.x), u.min.y.min(b.min.y)),
                    max: point(u.max.x.max(b.max.x), u.max.y.max(b.max.y)),
                },
            });
            glyphs.push(glyph);
        }
    }
    (glyphs, bounds)
}

fn text_layer(text: &str, target_w: f32, max_h: f32) -> Result<Option<Layer>, RenderError> {
    let font = FontRef::try_from_slice(FONT)
        .map_err(|e| RenderError::Internal(format!("bundled font unreadable: {e}")))?;

    // Ink size is proportional to the font size, so measure once at a
    // reference size and solve for the size that gives the target width.
    const REFERENCE_PX: f32 = 100.0;
    let Some(reference) = layout(&font, text, REFERENCE_PX).1 else {
        return Ok(None);
    };
    if reference.width() <= 0.0 || reference.height() <= 0.0 {
        return Ok(None);
    }
    let fit = (target_w / reference.width()).min(max_h / reference.height());
    let at_least = MIN_MARK_SIDE / reference.width().min(reference.height());
    let px = REFERENCE_PX * fit.max(at_least);

    let (glyphs, Some(ink)) = layout(&font, text, px) else {
        return Ok(None);
    };
    // An outline about 1/16 of the font size reads as a subtle edge.
    let pad = (px / 16.0).round().max(1.0) as u32;
    let ink_w = ink.width().ceil().max(1.0) as u32;
    let ink_h = ink.height().ceil().max(1.0) as u32;
    let (w, h) = (ink_w + 2 * pad, ink_h + 2 * pad);
    let (wu, hu) = (w as usize, h as usize);

    let mut coverage = vec![0.0f32; wu * hu];
    for glyph in glyphs {
        let Some(outlined) = font.outline_glyph(glyph) else {
            continue;
        };
        let b = outlined.px_bounds();
        let ox = (b.min.x - ink.min.x).round() as i64 + i64::from(pad);
        let oy = (b.min.y - ink.min.y).round() as i64 + i64::from(pad);
        outlined.draw(|gx, gy, c| {
            let (x, y) = (ox + i64::from(gx), oy + i64::from(gy));
            if x >= 0 && y >= 0 && (x as usize) < wu && (y as usize) < hu {
                let cell = &mut coverage[y as usize * wu + x as usize];
                *cell = (*cell + c).min(1.0);
            }
        });
    }
    let outline = dilate(&coverage, wu, hu, pad as usize);

    let mut image = RgbaImage::new(w, h);
    for (i, px) in image.pixels_mut().enumerate() {
        let t = coverage[i];
        let s = outline[i] * OUTLINE_ALPHA;
        // White text over a black outline, composited into straight alpha.
        let a = t + s * (1.0 - t);
        let v = if a > 0.0 { 255.0 * t / a } else { 0.0 };
        let v = v.round().clamp(0.0, 255.0) as u8;
        *px = Rgba([v, v, v, (a * 255.0).round().clamp(0.0, 255.0) as u8]);
    }
    Ok(Some(Layer { image, pad }))
}

/// Square max filter of radius `r`, done as two 1-D passes.
fn dilate(src: &[f32], w: usize, h: usize, r: usize) -> Vec<f32> {
    let mut rows = vec![0.0f32; src.len()];
    for y in 0..h {
        let row = &src[y * w..(y + 1) * w];
        for x in 0..w {
            let lo = x.saturating_sub(r);
            let hi = (x + r).min(w - 1);
            rows[y * w + x] = row[lo..=hi].iter().copied().fold(0.0, f32::max);
        }
    }
    let mut out = vec![0.0f32; src.len()];
    for x in 0..w {
        for y in 0..h {
            let lo = y.saturating_sub(r);
            let hi = (y + r).min(h - 1);
            out[y * w + x] = (lo..=hi).map(|yy| rows[yy * w + x]).fold(0.0, f32::max);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_font_parses_and_has_latin_glyphs() {
        let font = FontRef::try_from_slice(FONT).unwrap();
        assert_ne!(font.glyph_id('A').0, 0);
        assert_ne!(font.glyph_id('©').0, 0);
    }

    #[test]
    fn text_layer_width_matches_target() {
        let layer = text_layer("© Jane Doe", 400.0, 1000.0).unwrap().unwrap();
        let box_w = layer.image.width() - 2 * layer.pad;
        assert!((399..=402).contains(&box_w), "box width {box_w}");
    }

    #[test]
    fn text_layer_respects_max_height() {
        let layer = text_layer("W", 1000.0, 50.0).unwrap().unwrap();
        let box_h = layer.image.height() - 2 * layer.pad;
        assert!(box_h <= 52, "box height {box_h}");
    }

    #[test]
    fn text_too_small_for_its_target_grows_to_the_minimum() {
        for text in ["© Jane Doe", ".", "l", "—"] {
            let layer = text_layer(text, 4.0, 2.0).unwrap().unwrap();
            let box_w = layer.image.width() - 2 * layer.pad;
            let box_h = layer.image.height() - 2 * layer.pad;
            assert!(box_w.min(box_h) >= 12, "{text:?}: box {box_w}×{box_h}");
            assert!(box_w.min(box_h) <= 14, "{text:?}: box {box_w}×{box_h}");
        }
    }

    #[test]
    fn logo_too_small_for_its_target_grows_to_the_minimum_keeping_its_shape() {
        let logo = RgbaImage::from_pixel(200, 100, Rgba([0, 0, 0, 255]));
        let layer = logo_layer(&logo, 3.0, 3.0).unwrap().unwrap();
        assert_eq!(layer.image.dimensions(), (24, 12));
    }

    #[test]
    fn a_mark_larger_than_the_photo_shows_its_inked_part() {
        // Ink only in a 3×2 patch far from every corner and from the middle.
        let image = RgbaImage::from_fn(40, 20, |x, y| {
            let inked = (30..33).contains(&x) && (3..5).contains(&y);
            Rgba([255, 255, 255, if inked { 255 } else { 0 }])
        });
        let layer = Layer { image, pad: 0 };
        for position in [Position::TopLeft, Position::BottomRight, Position::Center] {
            let (x, y) = place(&layer, position, (2, 2), 0);
            // The 2×2 photo sees layer pixels -x..-x+2, -y..-y+2: inside the patch.
            assert!(
                (30..=31).contains(&-x) && -y == 3,
                "{position:?}: at {x},{y}"
            );
        }
        // Taller than the photo only: the column stays where the position puts it.
        let (x, y) = place(&layer, Position::BottomRight, (50, 2), 1);
        assert_eq!((x, -y), (50 - 1 - 40, 3));
    }

    #[test]
    fn the_densest_run_is_found_and_ties_keep_the_first() {
        assert_eq!(densest_run(&[0, 1, 5, 0, 5, 1], 2), 1);
        assert_eq!(densest_run(&[0, 0, 9, 9, 0], 2), 2);
        assert_eq!(densest_run(&[3, 3, 3], 3), 0);
        assert_eq!(densest_run(&[0, 0, 0, 7], 1), 3);
    }

    #[test]
    fn whitespace_only_text_draws_nothing() {
        assert!(text_layer("   ", 400.0, 100.0).unwrap().is_none());
    }
}
