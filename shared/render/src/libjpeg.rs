//! libjpeg-turbo (the SIMD build that mozjpeg-sys compiles from source with the `cc` crate, so
//! no system library and no cmake) for download renders, where speed and memory matter most:
//!
//! - **Shrink on load.** A JPEG's 8×8 DCT blocks can be decoded straight to 1/2, 1/4 or 1/8
//!   of the size, which costs a fraction of a full decode and allocates a quarter (or less)
//!   of the buffer. The final size is still reached with the high-quality resize, from a
//!   source at least as large as the target, so the result looks the same.
//! - **SIMD decode and encode** (SSE2/AVX2 with nasm on x86-64, NEON on arm64). Without nasm
//!   the x86-64 build falls back to plain C: slower, same pixels.
//!
//! Ingest keeps the strict pure-Rust decoder: it is the gate that rejects damaged uploads, and a
//! download only ever reads an original that passed it. libjpeg reports fatal errors by
//! unwinding; each call here catches that and answers `None`, and the caller takes the strict
//! path instead.

use std::panic::{AssertUnwindSafe, catch_unwind};

use image::RgbImage;

/// How much to shrink in the DCT, in eighths (8: full size, 4: half, 2: a quarter, 1: an
/// eighth): the strongest power-of-two reduction that still leaves at least `long_edge` on the
/// long side. libjpeg-turbo has SIMD code for exactly these ratios.
pub(crate) fn shrink_in_eighths((width, height): (u32, u32), long_edge: Option<u32>) -> u8 {
    let Some(target) = long_edge else {
        return 8;
    };
    let long = width.max(height);
    let mut eighths = 8;
    while eighths > 1 && shrunk_len(long, eighths / 2) >= target {
        eighths /= 2;
    }
    eighths
}

/// The size libjpeg decodes `size` to at `eighths`/8 (it rounds up).
pub(crate) fn shrunk_size((width, height): (u32, u32), eighths: u8) -> (u32, u32) {
    (shrunk_len(width, eighths), shrunk_len(height, eighths))
}

fn shrunk_len(len: u32, eighths: u8) -> u32 {
    u32::try_from((u64::from(len) * u64::from(eighths)).div_ceil(8)).unwrap_or(u32::MAX)
}

/// The JPEG's pixels as RGB (grey expanded), at `eighths`/8 of its size. `None` when libjpeg
/// refuses the file.
pub(crate) fn decode_rgb(jpeg: &[u8], eighths: u8) -> Option<RgbImage> {
    let decoded = catch_unwind(AssertUnwindSafe(|| -> std::io::Result<Option<RgbImage>> {
        let mut decompress = mozjpeg::Decompress::new_mem(jpeg)?;
        decompress.scale(eighths);
        let mut started = decompress.rgb()?;
        let (width, height) = (started.width(), started.height());
        let pixels: Vec<u8> = started.read_scanlines()?;
        started.finish()?;
        // JPEG sides are 16-bit, so they fit.
        Ok(RgbImage::from_raw(width as u32, height as u32, pixels))
    }));
    decoded.ok()?.ok()?
}

/// Baseline JPEG, 4:2:0, standard Huffman tables (libjpeg-turbo's defaults), with `icc`
/// embedded. `None` when libjpeg fails.
pub(crate) fn encode_rgb(image: &RgbImage, quality: u8, icc: Option<&[u8]>) -> Option<Vec<u8>> {
    let encoded = catch_unwind(AssertUnwindSafe(|| -> std::io::Result<Vec<u8>> {
        let (width, height) = image.dimensions();
        let mut compress = mozjpeg::Compress::new(mozjpeg::ColorSpace::JCS_RGB);
        // libjpeg-turbo's own settings: mozjpeg's defaults (trellis quantisation, progressive
        // scans) make smaller files several times slower.
        compress.set_fastest_defaults();
        compress.set_size(width as usize, height as usize);
        compress.set_quality(f32::from(quality.clamp(1, 100)));
        compress.set_chroma_sampling_pixel_sizes((2, 2), (2, 2));
        let mut started = compress.start_compress(Vec::with_capacity(image.as_raw().len() / 8))?;
        if let Some(icc) = icc {
            started.write_icc_profile(icc);
        }
        started.write_scanlines(image.as_raw())?;
        started.finish()
    }));
    encoded.ok()?.ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shrinks_by_powers_of_two_while_the_target_still_fits() {
        // 6000 → 2048: half (3000) fits, a quarter (1500) would not.
        assert_eq!(shrink_in_eighths((6000, 4000), Some(2048)), 4);
        // 2560 → 2048: no reduction of two fits.
        assert_eq!(shrink_in_eighths((2560, 1600), Some(2048)), 8);
        // 8000 → 480: an eighth is 1000, still larger.
        assert_eq!(shrink_in_eighths((4000, 8000), Some(480)), 1);
        // Exactly a quarter of it.
        assert_eq!(shrink_in_eighths((8192, 10), Some(2048)), 2);
        assert_eq!(shrink_in_eighths((6000, 4000), None), 8);
        assert_eq!(shrink_in_eighths((100, 50), Some(4096)), 8);
    }

    #[test]
    fn sizes_round_up_like_libjpeg() {
        assert_eq!(shrunk_size((6000, 4001), 4), (3000, 2001));
        assert_eq!(shrunk_size((7, 9), 1), (1, 2));
    }

    #[test]
    fn decodes_at_the_asked_size_and_round_trips_through_the_encoder() {
        let image = RgbImage::from_fn(640, 480, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        });
        let jpeg = encode_rgb(&image, 90, None).expect("encoded");
        let full = decode_rgb(&jpeg, 8).expect("decoded");
        assert_eq!(full.dimensions(), (640, 480));
        let mean_error = full
            .as_raw()
            .iter()
            .zip(image.as_raw())
            .map(|(a, b)| f64::from(a.abs_diff(*b)))
            .sum::<f64>()
            / image.as_raw().len() as f64;
        assert!(mean_error < 3.0, "{mean_error}");
        assert_eq!(decode_rgb(&jpeg, 4).unwrap().dimensions(), (320, 240));
        assert_eq!(decode_rgb(&jpeg, 1).unwrap().dimensions(), (80, 60));
    }

    #[test]
    fn what_libjpeg_refuses_is_none_not_a_panic() {
        assert!(decode_rgb(b"not a jpeg at all", 8).is_none());
        assert!(decode_rgb(&[0xFF, 0xD8, 0xFF, 0xC0, 0, 0], 8).is_none());
    }
}
