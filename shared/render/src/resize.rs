//! Rendition geometry and resampling.

use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::metadata::Orientation;
use image::{DynamicImage, RgbImage, RgbaImage};

use crate::RenderError;

/// Size of a rendition of a `width` × `height` image whose longest edge may
/// be at most `long_edge`: aspect ratio kept (to within rounding), never
/// upscaled, never zero.
pub fn target_size(width: u32, height: u32, long_edge: u32) -> (u32, u32) {
    let long_edge = long_edge.max(1);
    let (w, h) = (width.max(1), height.max(1));
    if w.max(h) <= long_edge {
        return (w, h);
    }
    // Rounded integer division keeps the short edge within half a pixel.
    let short = |short: u32, long: u32| -> u32 {
        let scaled =
            (u64::from(short) * u64::from(long_edge) + u64::from(long) / 2) / u64::from(long);
        u32::try_from(scaled)
            .unwrap_or(long_edge)
            .clamp(1, long_edge)
    };
    if w >= h {
        (long_edge, short(h, w))
    } else {
        (short(w, h), long_edge)
    }
}

/// The height of a `(width, height)` image shrunk to `w` wide, to the nearest pixel, never 0.
pub(crate) fn height_at_width((width, height): (u32, u32), w: u32) -> u32 {
    let width = u64::from(width.max(1));
    let scaled = (u64::from(height) * u64::from(w) + width / 2) / width;
    u32::try_from(scaled).unwrap_or(u32::MAX).max(1)
}

/// Orientations that turn the image on its side.
fn swaps_axes(orientation: Orientation) -> bool {
    matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    )
}

/// Size as displayed, after `orientation`.
pub(crate) fn oriented_size((w, h): (u32, u32), orientation: Orientation) -> (u32, u32) {
    if swaps_axes(orientation) {
        (h, w)
    } else {
        (w, h)
    }
}

/// Shrink the stored pixels to fit `long_edge`, then orient. Orienting after
/// the resize moves far fewer pixels than orienting the full original.
pub(crate) fn downscale_oriented(
    stored: &RgbImage,
    orientation: Orientation,
    long_edge: u32,
) -> Result<RgbImage, RenderError> {
    let (ow, oh) = oriented_size(stored.dimensions(), orientation);
    resize_oriented(stored, orientation, target_size(ow, oh, long_edge))
}

/// Resize the stored pixels so that, once oriented, they are `target` (displayed width,
/// height), then orient. The source may already be a shrunk decode of the original.
pub(crate) fn resize_oriented(
    stored: &RgbImage,
    orientation: Orientation,
    target: (u32, u32),
) -> Result<RgbImage, RenderError> {
    let (sw, sh) = oriented_size(target, orientation);
    let small = resize_rgb(stored, sw, sh)?;
    if orientation == Orientation::NoTransforms {
        return Ok(small);
    }
    let mut oriented = DynamicImage::ImageRgb8(small);
    oriented.apply_orientation(orientation);
    Ok(oriented.into_rgb8())
}

fn options() -> ResizeOptions {
    ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3))
}

pub(crate) fn resize_rgb(src: &RgbImage, width: u32, height: u32) -> Result<RgbImage, RenderError> {
    if src.dimensions() == (width, height) {
        return Ok(src.clone());
    }
    let mut dst = RgbImage::new(width, height);
    Resizer::new()
        .resize(src, &mut dst, &options())
        .map_err(|e| RenderError::Internal(format!("resize failed: {e}")))?;
    Ok(dst)
}

/// RGBA resize; fast_image_resize premultiplies alpha so transparent pixels'
/// colours do not fringe the edges.
pub(crate) fn resize_rgba(
    src: &RgbaImage,
    width: u32,
    height: u32,
) -> Result<RgbaImage, RenderError> {
    if src.dimensions() == (width, height) {
        return Ok(src.clone());
    }
    let mut dst = RgbaImage::new(width, height);
    Resizer::new()
        .resize(src, &mut dst, &options())
        .map_err(|e| RenderError::Internal(format!("logo resize failed: {e}")))?;
    Ok(dst)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_size_examples() {
        assert_eq!(target_size(6000, 4000, 2048), (2048, 1365));
        assert_eq!(target_size(4000, 6000, 480), (320, 480));
        assert_eq!(target_size(100, 50, 480), (100, 50));
        assert_eq!(target_size(10_000, 1, 480), (480, 1));
        assert_eq!(target_size(0, 0, 480), (1, 1));
    }
}
