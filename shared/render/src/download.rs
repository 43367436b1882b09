//! Download files: one JPEG per photo a client asked for, at the size they picked.
//!
//! A download request renders many photos with the same watermark, so the watermark is checked and
//! decoded once ([`PreparedWatermark`]) and shared across render threads. Unlike a rendition,
//! a download may be as large as the original, so the full-size buffer is never copied when
//! it can be moved, and is freed as soon as the shrunk one exists.

use image::metadata::Orientation;
use image::{DynamicImage, RgbImage};

use crate::{DecodeLimits, RenderError, Rendition, Watermark, decode, encode, guarded, resize};

/// Size and quality of a client's download file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DownloadSpec {
    /// Longest edge in pixels (never upscaled); `None` keeps the original's size.
    pub long_edge: Option<u32>,
    /// JPEG quality 1..=100.
    pub jpeg_quality: u8,
}

/// A watermark checked and decoded once (logo PNG decoded, text prepared), drawn onto every
/// download of a request. `Send + Sync`: shared across render threads through an `Arc`.
pub struct PreparedWatermark(crate::watermark::Prepared);

impl PreparedWatermark {
    /// Fails with [`RenderError::LogoInvalid`] when the logo is not a usable PNG.
    pub fn new(watermark: &Watermark) -> Result<Self, RenderError> {
        // Decoding the logo runs a PNG decoder on stored bytes: same guard as any decode.
        guarded(|| crate::watermark::Prepared::new(watermark).map(Self))
    }
}

impl std::fmt::Debug for PreparedWatermark {
    // A decoded logo is megabytes of pixels nobody wants in a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedWatermark").finish_non_exhaustive()
    }
}

/// Decode `original` (JPEG or PNG) under `limits`, bake in its EXIF orientation (all 8 values),
/// shrink to `spec.long_edge` with a high-quality filter (never upscale), draw `watermark` when
/// given, encode baseline JPEG 4:2:0 at `spec.jpeg_quality` carrying the original's ICC profile.
/// Runs under the same panic guard as [`crate::render_renditions`], and fails with the same
/// [`RenderError`] for the same bad input.
pub fn render_download(
    original: &[u8],
    spec: DownloadSpec,
    watermark: Option<&PreparedWatermark>,
    limits: &DecodeLimits,
) -> Result<Rendition, RenderError> {
    guarded(|| render_inner(original, spec, watermark, limits))
}

fn render_inner(
    original: &[u8],
    spec: DownloadSpec,
    watermark: Option<&PreparedWatermark>,
    limits: &DecodeLimits,
) -> Result<Rendition, RenderError> {
    // The decoder may already shrink (in the DCT), never below the target.
    let (decoded, full) = decode::decode_shrunk(original, limits, spec.long_edge)?;
    let (width, height) = resize::oriented_size(full, decoded.orientation);
    let target = resize::target_size(width, height, spec.long_edge.unwrap_or(width.max(height)));
    let mut image = shrink_oriented(decoded.image, decoded.orientation, target)?;
    if let Some(PreparedWatermark(mark)) = watermark {
        mark.apply(&mut image)?;
    }
    let icc = decoded.icc.as_deref();
    match crate::libjpeg::encode_rgb(&image, spec.jpeg_quality, icc) {
        Some(jpeg) => Ok(Rendition {
            jpeg,
            width: image.width(),
            height: image.height(),
        }),
        None => encode::rendition(&image, spec.jpeg_quality, icc),
    }
}

/// The stored pixels as displayed, at `target` (width, height as displayed). Takes the
/// decoded buffer by value so it is freed as soon as the shrunk copy exists, and reused (not
/// copied) when no shrinking is needed.
fn shrink_oriented(
    stored: RgbImage,
    orientation: Orientation,
    target: (u32, u32),
) -> Result<RgbImage, RenderError> {
    if resize::oriented_size(stored.dimensions(), orientation) != target {
        return resize::resize_oriented(&stored, orientation, target);
    }
    if orientation == Orientation::NoTransforms {
        return Ok(stored);
    }
    // Flips and 180° turn in place; quarter turns need one new buffer, the least possible.
    let mut oriented = DynamicImage::ImageRgb8(stored);
    oriented.apply_orientation(orientation);
    Ok(oriented.into_rgb8())
}

#[cfg(test)]
mod tests {
    use image::Rgb;

    use super::*;

    fn corner_marked(w: u32, h: u32) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| {
            Rgb(if x == 0 && y == 0 { [255; 3] } else { [0; 3] })
        })
    }

    #[test]
    fn prepared_watermark_can_be_shared_across_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<PreparedWatermark>();
    }

    #[test]
    fn an_upright_image_that_fits_keeps_its_buffer() {
        let stored = corner_marked(30, 20);
        let pixels = stored.as_raw().as_ptr();
        let kept = shrink_oriented(stored.clone(), Orientation::NoTransforms, (30, 20));
        assert_eq!(kept.as_ref(), Ok(&stored));
        let kept = shrink_oriented(stored, Orientation::NoTransforms, (30, 20)).unwrap();
        assert_eq!(kept.as_raw().as_ptr(), pixels, "the buffer was copied");
    }

    #[test]
    fn orientation_alone_turns_without_resampling() {
        let turned =
            shrink_oriented(corner_marked(30, 20), Orientation::Rotate90, (20, 30)).unwrap();
        assert_eq!(turned.dimensions(), (20, 30));
        // Rotated 90° clockwise: the stored top-left corner is now top-right, still one crisp pixel.
        assert_eq!(turned.get_pixel(19, 0), &Rgb([255; 3]));
        assert_eq!(turned.pixels().filter(|p| p.0 != [0; 3]).count(), 1);
    }

    #[test]
    fn shrinking_fits_the_displayed_long_edge() {
        let shrunk =
            shrink_oriented(corner_marked(300, 200), Orientation::Rotate270, (40, 60)).unwrap();
        assert_eq!(shrunk.dimensions(), (40, 60));
    }
}
