//! Content sniffing and limit-checked decoding of originals and logos.

use std::io::Cursor;

use image::error::LimitErrorKind;
use image::metadata::Orientation;
use image::{
    DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, RgbImage, RgbaImage,
};
use zune_jpeg::JpegDecoder;
use zune_jpeg::errors::DecodeErrors;
use zune_jpeg::zune_core::bytestream::ZCursor;
use zune_jpeg::zune_core::colorspace::ColorSpace;
use zune_jpeg::zune_core::options::DecoderOptions;

use crate::{DecodeLimits, MAX_LOGO_SIDE, RenderError};

/// ICC profiles beyond this are not real colour profiles; dropping one only
/// costs colour accuracy, so it is never worth rejecting a photo over.
const MAX_ICC_BYTES: usize = 1 << 20;

pub(crate) struct Decoded {
    /// Pixels as stored, before EXIF orientation; alpha flattened onto white.
    pub image: RgbImage,
    pub orientation: Orientation,
    pub icc: Option<Vec<u8>>,
    /// When the photo was taken, from the same EXIF block as the orientation (see
    /// [`crate::metadata::capture_time`]).
    pub captured_at: Option<u64>,
}

pub(crate) fn decode(bytes: &[u8], limits: &DecodeLimits) -> Result<Decoded, RenderError> {
    decode_with(bytes, limits, decode_jpeg)
}

/// Like [`decode`], for a rendition of at most `long_edge` on its long side: a JPEG is decoded
/// by libjpeg-turbo and shrunk in the DCT while it stays at least that large (see
/// [`crate::libjpeg`]). Returns the original's stored size too: the pixels may be smaller.
pub(crate) fn decode_shrunk(
    bytes: &[u8],
    limits: &DecodeLimits,
    long_edge: Option<u32>,
) -> Result<(Decoded, (u32, u32)), RenderError> {
    let mut full = None;
    let decoded = decode_with(bytes, limits, |bytes, limits| {
        let (decoded, size) = decode_jpeg_shrunk(bytes, limits, long_edge)?;
        full = Some(size);
        Ok(decoded)
    })?;
    let full = full.unwrap_or_else(|| decoded.image.dimensions());
    Ok((decoded, full))
}

fn decode_with(
    bytes: &[u8],
    limits: &DecodeLimits,
    decode_jpeg: impl FnOnce(&[u8], &DecodeLimits) -> Result<Decoded, RenderError>,
) -> Result<Decoded, RenderError> {
    let reader = sniff(bytes)?;
    let format = reader.format().ok_or(RenderError::NotAnImage)?;

    // Our own header peek fails a bomb before any decoder exists, and lets
    // the message name the offending size.
    if let Some((w, h)) = peek_dimensions(format, bytes) {
        check_dimensions(w, h, limits)?;
    }
    // Decoders fill in or skip what is missing, so a cut-off upload would
    // show with a grey band; the photographer has to send it again.
    if ends_early(format, bytes) {
        return Err(RenderError::Truncated);
    }
    if format == ImageFormat::Jpeg {
        return decode_jpeg(bytes, limits);
    }

    let mut reader = reader;
    reader.limits(image_limits(
        limits.max_width,
        limits.max_height,
        limits.max_alloc_bytes,
    ));
    let mut decoder = reader.into_decoder().map_err(map_image_error)?;
    let (w, h) = decoder.dimensions();
    check_dimensions(w, h, limits)?;

    // `into_decoder` does not reserve the output buffer against max_alloc
    // (only `ImageReader::decode` would), so check it here; the RGB copy
    // made for grey or alpha images counts too.
    let rgb_bytes = u64::from(w) * u64::from(h) * 3;
    check_alloc(decoder.total_bytes().max(rgb_bytes), limits)?;

    // A broken EXIF block is common and harmless: show the photo as stored, undated.
    let exif = decoder.exif_metadata().ok().flatten();
    let (orientation, captured_at) = crate::metadata::facts(exif.as_deref());
    let icc = decoder
        .icc_profile()
        .ok()
        .flatten()
        .filter(|p| usable_icc(p));

    let image = DynamicImage::from_decoder(decoder).map_err(map_image_error)?;
    Ok(Decoded {
        image: flatten_to_rgb(image)?,
        orientation,
        icc,
        captured_at,
    })
}

/// The decoder `image` uses, called directly in strict mode: `image` runs it
/// leniently, painting over damaged entropy-coded data instead of failing.
fn decode_jpeg(bytes: &[u8], limits: &DecodeLimits) -> Result<Decoded, RenderError> {
    let side = |max: u32| usize::try_from(max).unwrap_or(usize::MAX);
    let options = DecoderOptions::default()
        .set_strict_mode(true)
        .set_max_width(side(limits.max_width))
        .set_max_height(side(limits.max_height))
        // Grey, CMYK and YCCK photos are converted too.
        .jpeg_set_out_colorspace(ColorSpace::RGB);
    let mut decoder = JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    decoder.decode_headers().map_err(map_jpeg_error)?;
    // Known once the headers are read; JPEG sides fit in 16 bits.
    let (w, h) = decoder
        .dimensions()
        .map_or((0, 0), |(w, h)| (w as u32, h as u32));
    check_dimensions(w, h, limits)?;
    check_alloc(u64::from(w) * u64::from(h) * 3, limits)?;

    // A broken EXIF block is common and harmless: show the photo as stored, undated.
    let (orientation, captured_at) = crate::metadata::facts(decoder.exif().map(Vec::as_slice));
    let icc = decoder.icc_profile().filter(|p| usable_icc(p));

    let pixels = decoder.decode().map_err(map_jpeg_error)?;
    let image = RgbImage::from_raw(w, h, pixels)
        .ok_or_else(|| RenderError::Internal("decoded JPEG has the wrong size".to_owned()))?;
    Ok(Decoded {
        image,
        orientation,
        icc,
        captured_at,
    })
}

/// A JPEG through libjpeg-turbo, shrunk in the DCT (see [`decode_shrunk`]). The headers are
/// read (and the limits checked) as for [`decode_jpeg`]; CMYK and YCCK photos, which
/// libjpeg-turbo can't turn into RGB, and anything libjpeg-turbo refuses go the strict path.
fn decode_jpeg_shrunk(
    bytes: &[u8],
    limits: &DecodeLimits,
    long_edge: Option<u32>,
) -> Result<(Decoded, (u32, u32)), RenderError> {
    let side = |max: u32| usize::try_from(max).unwrap_or(usize::MAX);
    let options = DecoderOptions::default()
        .set_strict_mode(true)
        .set_max_width(side(limits.max_width))
        .set_max_height(side(limits.max_height));
    let mut headers = JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    headers.decode_headers().map_err(map_jpeg_error)?;
    let (w, h) = headers
        .dimensions()
        .map_or((0, 0), |(w, h)| (w as u32, h as u32));
    check_dimensions(w, h, limits)?;
    let strict = |bytes, limits| Ok((decode_jpeg(bytes, limits)?, (w, h)));
    if matches!(
        headers.input_colorspace(),
        Some(ColorSpace::CMYK | ColorSpace::YCCK) | None
    ) {
        return strict(bytes, limits);
    }
    let eighths = crate::libjpeg::shrink_in_eighths((w, h), long_edge);
    let (sw, sh) = crate::libjpeg::shrunk_size((w, h), eighths);
    check_alloc(u64::from(sw) * u64::from(sh) * 3, limits)?;
    let Some(image) = crate::libjpeg::decode_rgb(bytes, eighths) else {
        return strict(bytes, limits);
    };
    let (orientation, captured_at) = crate::metadata::facts(headers.exif().map(Vec::as_slice));
    let icc = headers.icc_profile().filter(|p| usable_icc(p));
    Ok((
        Decoded {
            image,
            orientation,
            icc,
            captured_at,
        },
        (w, h),
    ))
}

fn usable_icc(profile: &[u8]) -> bool {
    !profile.is_empty() && profile.len() <= MAX_ICC_BYTES
}

fn check_alloc(needed: u64, limits: &DecodeLimits) -> Result<(), RenderError> {
    if needed > limits.max_alloc_bytes {
        return Err(RenderError::LimitExceeded(format!(
            "opening it needs {} of memory and the limit is {}",
            mib(needed),
            mib(limits.max_alloc_bytes)
        )));
    }
    Ok(())
}

/// Decode a watermark logo: PNG only, at most [`MAX_LOGO_SIDE`] per side.
pub(crate) fn decode_logo(png: &[u8]) -> Result<RgbaImage, RenderError> {
    let invalid = |why: &str| RenderError::LogoInvalid(why.to_owned());
    let reader = match sniff(png) {
        Ok(reader) if reader.format() == Some(ImageFormat::Png) => reader,
        Ok(_) | Err(RenderError::UnsupportedFormat(_)) => {
            return Err(invalid("it is not a PNG file"));
        }
        Err(_) => return Err(invalid("it is not an image")),
    };
    let too_big = |w: u32, h: u32| {
        RenderError::LogoInvalid(format!(
            "it is {w} × {h} pixels, larger than {MAX_LOGO_SIDE} × {MAX_LOGO_SIDE}"
        ))
    };
    match peek_dimensions(ImageFormat::Png, png) {
        Some((w, h)) if w > MAX_LOGO_SIDE || h > MAX_LOGO_SIDE => return Err(too_big(w, h)),
        _ => {}
    }

    let mut reader = reader;
    // 16-bit RGBA at the maximum size is the largest legitimate buffer.
    let max_alloc = u64::from(MAX_LOGO_SIDE) * u64::from(MAX_LOGO_SIDE) * 8;
    reader.limits(image_limits(MAX_LOGO_SIDE, MAX_LOGO_SIDE, max_alloc));
    let decoder = reader
        .into_decoder()
        .map_err(|e| logo_error(map_image_error(e)))?;
    let (w, h) = decoder.dimensions();
    if w > MAX_LOGO_SIDE || h > MAX_LOGO_SIDE {
        return Err(too_big(w, h));
    }
    let image = DynamicImage::from_decoder(decoder).map_err(|e| logo_error(map_image_error(e)))?;
    Ok(image.into_rgba8())
}

fn logo_error(err: RenderError) -> RenderError {
    match err {
        RenderError::Corrupt(why) => {
            RenderError::LogoInvalid(format!("the PNG is damaged ({why})"))
        }
        RenderError::TooLarge { width, height, .. } => RenderError::LogoInvalid(format!(
            "it is {width} × {height} pixels, larger than {MAX_LOGO_SIDE} × {MAX_LOGO_SIDE}"
        )),
        RenderError::LogoInvalid(why) => RenderError::LogoInvalid(why),
        other => RenderError::LogoInvalid(other.to_string()),
    }
}

/// Recognise the format from the bytes and accept only JPEG and PNG.
fn sniff(bytes: &[u8]) -> Result<ImageReader<Cursor<&[u8]>>, RenderError> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| RenderError::Corrupt(e.to_string()))?;
    match reader.format() {
        Some(ImageFormat::Jpeg | ImageFormat::Png) => Ok(reader),
        Some(other) if plausible(other, bytes) => {
            Err(RenderError::UnsupportedFormat(format_name(other)))
        }
        Some(_) => Err(RenderError::NotAnImage),
        // iPhones upload HEIC; saying so is kinder than "not an image".
        None if is_heif(bytes) => Err(RenderError::UnsupportedFormat("HEIC/HEIF".to_owned())),
        None => Err(RenderError::NotAnImage),
    }
}

/// BMP and PNM have two-byte magic numbers that plain text can start with
/// ("BM…", "P3…"); look a little further before calling text an image.
fn plausible(format: ImageFormat, bytes: &[u8]) -> bool {
    match format {
        ImageFormat::Bmp => bytes
            .get(14..18)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(u32::from_le_bytes)
            .is_some_and(|dib| matches!(dib, 12 | 40 | 52 | 56 | 64 | 108 | 124)),
        ImageFormat::Pnm => bytes.get(2).is_some_and(u8::is_ascii_whitespace),
        _ => true,
    }
}

fn is_heif(bytes: &[u8]) -> bool {
    bytes.get(4..8) == Some(b"ftyp")
        && bytes.get(8..12).is_some_and(|brand| {
            matches!(
                brand,
                b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" | b"mif1" | b"msf1"
            )
        })
}

fn format_name(format: ImageFormat) -> String {
    match format {
        ImageFormat::Gif => "GIF".to_owned(),
        ImageFormat::WebP => "WebP".to_owned(),
        ImageFormat::Tiff => "TIFF".to_owned(),
        ImageFormat::Bmp => "BMP".to_owned(),
        ImageFormat::Avif => "AVIF".to_owned(),
        ImageFormat::Ico => "ICO".to_owned(),
        ImageFormat::Hdr => "Radiance HDR".to_owned(),
        ImageFormat::OpenExr => "OpenEXR".to_owned(),
        ImageFormat::Qoi => "QOI".to_owned(),
        ImageFormat::Pnm => "PNM".to_owned(),
        ImageFormat::Dds => "DDS".to_owned(),
        other => format!("{other:?}"),
    }
}

fn image_limits(max_width: u32, max_height: u32, max_alloc: u64) -> image::Limits {
    // `Limits` is non-exhaustive, so start from the default and tighten.
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(max_width);
    limits.max_image_height = Some(max_height);
    limits.max_alloc = Some(max_alloc);
    limits
}

fn check_dimensions(width: u32, height: u32, limits: &DecodeLimits) -> Result<(), RenderError> {
    if width > limits.max_width
        || height > limits.max_height
        || u64::from(width) * u64::from(height) > limits.max_pixels
    {
        return Err(RenderError::TooLarge {
            width,
            height,
            max_width: limits.max_width,
            max_height: limits.max_height,
            max_pixels: limits.max_pixels,
        });
    }
    Ok(())
}

/// Width and height declared in the header, read without a decoder.
pub(crate) fn peek_dimensions(format: ImageFormat, bytes: &[u8]) -> Option<(u32, u32)> {
    match format {
        ImageFormat::Png => png_dimensions(bytes),
        ImageFormat::Jpeg => jpeg_dimensions(bytes),
        _ => None,
    }
}

fn png_dimensions(b: &[u8]) -> Option<(u32, u32)> {
    // Signature (8), then the IHDR chunk: length (4), type (4), width, height.
    if b.get(12..16)? != b"IHDR" {
        return None;
    }
    Some((be32(b, 16)?, be32(b, 20)?))
}

fn jpeg_dimensions(b: &[u8]) -> Option<(u32, u32)> {
    let mut i = 2; // past SOI
    loop {
        if *b.get(i)? != 0xFF {
            return None;
        }
        while *b.get(i)? == 0xFF {
            i += 1; // fill bytes
        }
        let marker = *b.get(i)?;
        i += 1;
        match marker {
            // Markers without a length field.
            0x01 | 0xD0..=0xD8 => continue,
            // Start of scan or end of image before any frame header.
            0xD9 | 0xDA => return None,
            // SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC).
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                let height = be16(b, i + 3)?;
                let width = be16(b, i + 5)?;
                return Some((u32::from(width), u32::from(height)));
            }
            _ => {
                let len = usize::from(be16(b, i)?);
                if len < 2 {
                    return None;
                }
                i += len;
            }
        }
    }
}

/// True when the bytes stop before the format's end marker: an upload cut
/// off, or an export that did not finish.
fn ends_early(format: ImageFormat, bytes: &[u8]) -> bool {
    match format {
        ImageFormat::Jpeg => jpeg_ends_early(bytes),
        ImageFormat::Png => png_ends_early(bytes),
        _ => false,
    }
}

/// No end-of-image marker after the main image's first scan. Segments are
/// skipped by their length, so the end marker of a thumbnail inside the EXIF
/// block is not taken for the photo's own. Only a sound structure that runs
/// out of bytes counts; a broken one is left to the decoder to judge.
fn jpeg_ends_early(b: &[u8]) -> bool {
    let mut i = 2; // past SOI
    loop {
        let Some((at, marker)) = next_marker(b, i) else {
            return true;
        };
        i = at + 2;
        match marker {
            0xD9 => return false,        // EOI
            0x01 | 0xD0..=0xD8 => {}     // no length field: TEM, restarts, SOI
            0x02..=0xBF => return false, // reserved, never in a sound file
            _ => {
                let Some(len) = be16(b, i) else {
                    return true;
                };
                i += usize::from(len);
                // A segment is followed by the next marker, a scan header by its data.
                if len < 2 || (marker != 0xDA && b.get(i).is_some_and(|&x| x != 0xFF)) {
                    return false;
                }
            }
        }
    }
}

/// Position and code of the next marker at or after `i`. Inside a scan's
/// entropy-coded data a 0xFF byte is followed by 0x00 (a stuffed 0xFF) or a
/// restart marker, so the first other marker is where the scan ends; 0xFF
/// before a marker code may repeat as fill.
fn next_marker(b: &[u8], mut i: usize) -> Option<(usize, u8)> {
    loop {
        i += b.get(i..)?.iter().position(|&x| x == 0xFF)?;
        match *b.get(i + 1)? {
            0x00 | 0xFF => i += 1,
            code => return Some((i, code)),
        }
    }
}

/// The IEND chunk is missing or cut.
fn png_ends_early(b: &[u8]) -> bool {
    let mut i = 8; // past the signature
    // Each chunk: data length (4), type (4), data, CRC (4).
    while let Some(len) = be32(b, i) {
        let end = i.saturating_add(12).saturating_add(len as usize);
        if b.get(i + 4..i + 8) == Some(b"IEND") {
            return end > b.len();
        }
        i = end;
    }
    true
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / f64::from(1u32 << 20))
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    let bytes = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes(bytes.try_into().ok()?))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    let bytes = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes(bytes.try_into().ok()?))
}

pub(crate) fn map_image_error(err: ImageError) -> RenderError {
    match err {
        ImageError::Limits(e) => RenderError::LimitExceeded(match e.kind() {
            LimitErrorKind::DimensionError => "its width or height is too large".to_owned(),
            LimitErrorKind::InsufficientMemory => "opening it needs too much memory".to_owned(),
            _ => e.to_string(),
        }),
        ImageError::Unsupported(e) => RenderError::UnsupportedFormat(e.to_string()),
        ImageError::Decoding(e) => RenderError::Corrupt(e.to_string()),
        ImageError::IoError(e) => RenderError::Corrupt(e.to_string()),
        ImageError::Parameter(e) => RenderError::Corrupt(e.to_string()),
        ImageError::Encoding(e) => RenderError::Internal(e.to_string()),
    }
}

fn map_jpeg_error(err: DecodeErrors) -> RenderError {
    match err {
        DecodeErrors::LargeDimensions(_) => {
            RenderError::LimitExceeded("its width or height is too large".to_owned())
        }
        DecodeErrors::Unsupported(scheme) => RenderError::UnsupportedFormat(format!("{scheme:?}")),
        // zune-jpeg's messages come with debug quotes.
        other => RenderError::Corrupt(format!("JPEG: {}", other.to_string().trim_matches('"'))),
    }
}

/// JPEG has no alpha: composite transparent PNGs onto white (what a viewer
/// shows them on) rather than letting hidden colour values bleed through.
fn flatten_to_rgb(image: DynamicImage) -> Result<RgbImage, RenderError> {
    if !image.color().has_alpha() {
        return Ok(image.into_rgb8());
    }
    let rgba = image.into_rgba8();
    let (w, h) = rgba.dimensions();
    let mut out = Vec::with_capacity(rgba.as_raw().len() / 4 * 3);
    for px in rgba.as_raw().chunks_exact(4) {
        let a = u32::from(px[3]);
        for &c in &px[..3] {
            out.push(((u32::from(c) * a + 255 * (255 - a) + 127) / 255) as u8);
        }
    }
    RgbImage::from_raw(w, h, out)
        .ok_or_else(|| RenderError::Internal("flattened buffer has the wrong size".to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jpeg_header_peek_skips_segments_and_reads_sof() {
        let mut b = vec![0xFF, 0xD8];
        // APP0 with 4 bytes of payload.
        b.extend_from_slice(&[0xFF, 0xE0, 0x00, 0x06, 1, 2, 3, 4]);
        // DHT (C4) must not be taken for a frame header.
        b.extend_from_slice(&[0xFF, 0xC4, 0x00, 0x03, 0]);
        // SOF2: length 17, precision 8, height 0x0300, width 0x0400.
        b.extend_from_slice(&[0xFF, 0xFF, 0xC2, 0x00, 0x11, 8, 0x03, 0x00, 0x04, 0x00]);
        assert_eq!(jpeg_dimensions(&b), Some((1024, 768)));
        assert_eq!(jpeg_dimensions(&b[..b.len() - 1]), None);
        assert_eq!(jpeg_dimensions(&[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x00]), None);
    }

    #[test]
    fn jpeg_ends_at_the_main_images_end_marker() {
        let mut b = vec![0xFF, 0xD8];
        // APP1 holding a thumbnail's SOI and EOI.
        b.extend_from_slice(&[0xFF, 0xE1, 0x00, 0x06, 0xFF, 0xD8, 0xFF, 0xD9]);
        // SOS header, then data with a stuffed 0xFF and a restart marker.
        b.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x03, 1]);
        b.extend_from_slice(&[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56]);
        // A fill byte, then EOI.
        b.extend_from_slice(&[0xFF, 0xFF, 0xD9]);
        assert!(!jpeg_ends_early(&b));
        for cut in 0..b.len() {
            assert!(jpeg_ends_early(&b[..cut]), "cut at {cut}");
        }
        let mut trailing = b.clone();
        trailing.extend_from_slice(&[0, 1, 2]);
        assert!(!jpeg_ends_early(&trailing));
        // A reserved marker in the data is damage, not an early end.
        let mut damaged = b[..b.len() - 3].to_vec();
        damaged.extend_from_slice(&[0xFF, 0x05, 0x00]);
        assert!(!jpeg_ends_early(&damaged));
    }

    #[test]
    fn png_ends_with_a_whole_iend_chunk() {
        let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
        b.extend_from_slice(&[0, 0, 0, 2]);
        b.extend_from_slice(b"IHDR\x01\x02CRC!");
        b.extend_from_slice(&[0, 0, 0, 0]);
        b.extend_from_slice(b"IENDCRC!");
        assert!(!png_ends_early(&b));
        for cut in 0..b.len() {
            assert!(png_ends_early(&b[..cut]), "cut at {cut}");
        }
        b.extend_from_slice(b"trailing");
        assert!(!png_ends_early(&b));
    }

    #[test]
    fn flatten_composites_onto_white() {
        let mut img = RgbaImage::new(2, 1);
        img.put_pixel(0, 0, image::Rgba([0, 0, 0, 0]));
        img.put_pixel(1, 0, image::Rgba([0, 0, 0, 255]));
        let flat = flatten_to_rgb(DynamicImage::ImageRgba8(img)).unwrap();
        assert_eq!(flat.get_pixel(0, 0).0, [255, 255, 255]);
        assert_eq!(flat.get_pixel(1, 0).0, [0, 0, 0]);
    }
}
