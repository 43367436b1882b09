//! Lossy WebP encoding of the grid's renditions (libwebp, built from source by `libwebp-sys`).
//!
//! `image` writes only lossless WebP, which is bigger than a JPEG of a photo; libwebp's lossy
//! encoder is the reference one. The `webp` crate wraps its encoder safely; only embedding the
//! original's colour profile (libwebp's mux API, which that crate does not wrap) is FFI here.

use image::RgbImage;
use libwebp_sys::{
    WebPData, WebPDataClear, WebPGetMuxABIVersion, WebPMux, WebPMuxAssemble, WebPMuxCreateInternal,
    WebPMuxDelete, WebPMuxError, WebPMuxSetChunk,
};

use crate::RenderError;

/// How hard libwebp works (0 fastest … 6 smallest). Measured on the team's corpus (32 photos,
/// every grid size in both looks): method 4, libwebp's default, encodes in 2.2× the time of
/// method 2 for files 3% smaller; method 0 saves a further 13% of the time for files 18%
/// larger. A grid size is encoded once and fetched by every client, but ingest runs in the
/// photographer's own account, per photo, and 2 is where the time stops buying bytes.
const METHOD: i32 = 2;

/// `image` as lossy WebP at `quality` (0–100), with the original's ICC profile when it has one.
pub(crate) fn encode(
    image: &RgbImage,
    quality: f32,
    icc: Option<&[u8]>,
) -> Result<Vec<u8>, RenderError> {
    let failed = |what: &str| RenderError::Internal(format!("WebP encoding failed: {what}"));
    let mut config = webp::WebPConfig::new().map_err(|()| failed("no configuration"))?;
    config.quality = quality;
    config.method = METHOD;
    let (width, height) = image.dimensions();
    let encoded = webp::Encoder::from_rgb(image.as_raw(), width, height)
        .encode_advanced(&config)
        .map_err(|e| failed(&format!("{e:?}")))?;
    match icc {
        // Without the profile, wide-gamut originals (Adobe RGB, Display P3) look washed out.
        Some(icc) if !icc.is_empty() => with_icc_profile(&encoded, icc),
        _ => Ok(encoded.to_vec()),
    }
}

/// A simple (VP8) WebP file rewritten as an extended one carrying `icc` (an `ICCP` chunk).
fn with_icc_profile(webp: &[u8], icc: &[u8]) -> Result<Vec<u8>, RenderError> {
    let failed = |step: &str, error: WebPMuxError| {
        RenderError::Internal(format!(
            "embedding the colour profile in WebP: {step}: {error:?}"
        ))
    };
    let bitstream = WebPData {
        bytes: webp.as_ptr(),
        size: webp.len(),
    };
    let profile = WebPData {
        bytes: icc.as_ptr(),
        size: icc.len(),
    };
    // SAFETY: `bitstream` and `profile` point into slices that outlive the mux; with
    // `copy_data = 1` libwebp copies what it keeps anyway. The mux is deleted on every path
    // (`Mux`'s drop), and the assembled bytes, which libwebp allocated, are copied out and
    // freed with `WebPDataClear`.
    unsafe {
        let mux = Mux(WebPMuxCreateInternal(&bitstream, 1, WebPGetMuxABIVersion()));
        if mux.0.is_null() {
            return Err(RenderError::Internal(
                "embedding the colour profile in WebP: libwebp could not read its own file".into(),
            ));
        }
        let set = WebPMuxSetChunk(mux.0, c"ICCP".as_ptr(), &profile, 1);
        if set != WebPMuxError::WEBP_MUX_OK {
            return Err(failed("adding the profile", set));
        }
        let mut assembled = WebPData {
            bytes: std::ptr::null(),
            size: 0,
        };
        let done = WebPMuxAssemble(mux.0, &mut assembled);
        if done != WebPMuxError::WEBP_MUX_OK || assembled.bytes.is_null() {
            WebPDataClear(&mut assembled);
            return Err(failed("assembling the file", done));
        }
        let bytes = std::slice::from_raw_parts(assembled.bytes, assembled.size).to_vec();
        WebPDataClear(&mut assembled);
        Ok(bytes)
    }
}

/// Owns a libwebp mux, deleting it when dropped.
struct Mux(*mut WebPMux);

impl Drop for Mux {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: a mux from `WebPMuxCreateInternal`, deleted once, here.
            unsafe { WebPMuxDelete(self.0) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gradient(w: u32, h: u32) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 7) as u8, (y * 5) as u8, 128]))
    }

    #[test]
    fn a_photo_round_trips_at_its_size() {
        let webp = encode(&gradient(300, 200), 78.0, None).unwrap();
        assert_eq!(&webp[..4], b"RIFF");
        assert_eq!(&webp[8..12], b"WEBP");
        let decoded = image::load_from_memory_with_format(&webp, image::ImageFormat::WebP)
            .unwrap()
            .to_rgb8();
        assert_eq!(decoded.dimensions(), (300, 200));
        let (a, b) = (
            decoded.get_pixel(150, 100).0,
            gradient(300, 200).get_pixel(150, 100).0,
        );
        for channel in 0..3 {
            assert!(a[channel].abs_diff(b[channel]) < 12, "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn the_colour_profile_is_embedded_as_is() {
        let icc: Vec<u8> = (0..=255u8).cycle().take(3144).collect();
        let webp = encode(&gradient(64, 48), 78.0, Some(&icc)).unwrap();
        let mut decoder =
            image::codecs::webp::WebPDecoder::new(std::io::Cursor::new(&webp)).unwrap();
        use image::ImageDecoder as _;
        assert_eq!(decoder.icc_profile().unwrap(), Some(icc));
        assert_eq!(decoder.dimensions(), (64, 48));
    }
}
