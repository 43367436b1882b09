//! JPEG encoding of renditions.

use image::RgbImage;
use jpeg_encoder::{ColorType, Encoder, SamplingFactor};

use crate::{RenderError, Rendition};

pub(crate) fn rendition(
    image: &RgbImage,
    quality: u8,
    icc: Option<&[u8]>,
) -> Result<Rendition, RenderError> {
    let (width, height) = image.dimensions();
    let too_wide = |_| RenderError::Internal(format!("{width} × {height} is too large for JPEG"));
    let w = u16::try_from(width).map_err(too_wide)?;
    let h = u16::try_from(height).map_err(too_wide)?;

    // Start with roughly the size a photo this big compresses to.
    let mut jpeg = Vec::with_capacity(image.as_raw().len() / 8);
    let mut encoder = Encoder::new(&mut jpeg, quality.clamp(1, 100));
    // 4:2:0 is what browsers and cameras use; it cuts preview sizes by about
    // a third against 4:4:4 with no visible loss on photos.
    encoder.set_sampling_factor(SamplingFactor::R_4_2_0);
    // Not optimised Huffman tables: with them jpeg-encoder writes one scan
    // per component, and zune-jpeg (the `image` crate's decoder) misdecodes
    // such non-interleaved 4:2:0 files. One interleaved scan reads everywhere.
    encoder.set_optimized_huffman_tables(false);
    if let Some(icc) = icc {
        // Without the profile, wide-gamut originals (Adobe RGB, Display P3)
        // look washed out; a profile we can't embed just costs accuracy.
        let _ = encoder.add_icc_profile(icc);
    }
    encoder
        .encode(image.as_raw(), w, h, ColorType::Rgb)
        .map_err(|e| RenderError::Internal(format!("JPEG encoding failed: {e}")))?;
    Ok(Rendition {
        jpeg,
        width,
        height,
    })
}
