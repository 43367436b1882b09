//! The photographer's logo for their client pages and emails: their PNG, its transparent margin
//! trimmed (a designer's export often has one, which would shrink the mark in a 48 px header),
//! shrunk to fit the policy's box and written again as a plain PNG. Writing it again is also
//! what makes it safe to serve: none of the uploaded file's chunks, text or trailing bytes
//! survive.

use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{ImageEncoder, RgbaImage};
use proofsheet_policy::BrandLogo;

use crate::{RenderError, decode, resize};

/// A logo ready to store: PNG bytes and their size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrandLogoPng {
    pub png: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

pub(crate) fn prepare(png: &[u8]) -> Result<BrandLogoPng, RenderError> {
    let logo = decode::decode_logo(png)?;
    let Some(trimmed) = without_transparent_margin(&logo) else {
        return Err(RenderError::LogoInvalid("it is fully transparent".into()));
    };
    let (w, h) = trimmed.dimensions();
    let fit = (f64::from(BrandLogo::MAX_WIDTH) / f64::from(w))
        .min(f64::from(BrandLogo::MAX_HEIGHT) / f64::from(h))
        .min(1.0);
    let side = |v: u32| ((f64::from(v) * fit).round() as u32).max(1);
    let (width, height) = (side(w), side(h));
    let shown = resize::resize_rgba(&trimmed, width, height)?;
    let mut out = Vec::new();
    PngEncoder::new_with_quality(&mut out, CompressionType::Best, FilterType::Adaptive)
        .write_image(
            shown.as_raw(),
            width,
            height,
            image::ExtendedColorType::Rgba8,
        )
        .map_err(|e| RenderError::Internal(format!("logo encode failed: {e}")))?;
    Ok(BrandLogoPng {
        png: out,
        width,
        height,
    })
}

/// The smallest part of `logo` that holds every pixel with any opacity; `None` when none has.
fn without_transparent_margin(logo: &RgbaImage) -> Option<RgbaImage> {
    let (mut left, mut top, mut right, mut bottom) = (u32::MAX, u32::MAX, 0, 0);
    for (x, y, pixel) in logo.enumerate_pixels() {
        if pixel.0[3] > 0 {
            left = left.min(x);
            top = top.min(y);
            right = right.max(x);
            bottom = bottom.max(y);
        }
    }
    (left <= right).then(|| {
        image::imageops::crop_imm(logo, left, top, right - left + 1, bottom - top + 1).to_image()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgba;

    fn png_of(image: &RgbaImage) -> Vec<u8> {
        let mut out = Vec::new();
        PngEncoder::new(&mut out)
            .write_image(
                image.as_raw(),
                image.width(),
                image.height(),
                image::ExtendedColorType::Rgba8,
            )
            .unwrap();
        out
    }

    #[test]
    fn a_margin_is_trimmed_and_a_large_logo_fits_the_box_in_its_shape() {
        // A 3000 × 1000 canvas with the mark in its middle 2000 × 400.
        let mut canvas = RgbaImage::from_pixel(3000, 1000, Rgba([255, 255, 255, 0]));
        for y in 300..700 {
            for x in 500..2500 {
                canvas.put_pixel(x, y, Rgba([20, 30, 40, 255]));
            }
        }
        let logo = prepare(&png_of(&canvas)).unwrap();
        assert_eq!((logo.width, logo.height), (800, 160));
        let read = image::load_from_memory(&logo.png).unwrap().into_rgba8();
        assert_eq!(read.dimensions(), (800, 160));
        assert_eq!(read.get_pixel(400, 80).0, [20, 30, 40, 255]);
    }

    #[test]
    fn a_small_logo_keeps_its_size_and_nothing_of_the_uploaded_file_but_its_pixels() {
        let mut mark = RgbaImage::from_pixel(120, 40, Rgba([200, 10, 10, 255]));
        mark.put_pixel(0, 0, Rgba([0, 0, 0, 0]));
        let mut uploaded = png_of(&mark);
        uploaded.extend_from_slice(b"<script>alert(1)</script>");
        let logo = prepare(&uploaded).unwrap();
        assert_eq!((logo.width, logo.height), (120, 40));
        assert!(!logo.png.windows(8).any(|w| w == b"<script>"));
    }

    #[test]
    fn a_blank_or_foreign_file_is_refused_with_a_reason() {
        let blank = RgbaImage::from_pixel(50, 50, Rgba([0, 0, 0, 0]));
        match prepare(&png_of(&blank)) {
            Err(RenderError::LogoInvalid(why)) => assert_eq!(why, "it is fully transparent"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            prepare(b"\xff\xd8\xff\xe0 not a png"),
            Err(RenderError::LogoInvalid(_))
        ));
    }
}
