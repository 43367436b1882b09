//! Test fixtures: images are generated in code, never checked in.

#![allow(dead_code)]

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{ExtendedColorType, ImageEncoder, ImageFormat, Rgb, RgbImage, RgbaImage};
use proofsheet_render::{Mark, Position, Rendition, Watermark};

pub const RED: [u8; 3] = [255, 0, 0];
pub const GREEN: [u8; 3] = [0, 255, 0];
pub const BLUE: [u8; 3] = [0, 0, 255];
pub const YELLOW: [u8; 3] = [255, 255, 0];
pub const GREY: [u8; 3] = [128, 128, 128];

/// Stored-pixel quadrants: red top-left, green top-right, blue bottom-left,
/// yellow bottom-right.
pub fn quadrants(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        Rgb(match (x < w / 2, y < h / 2) {
            (true, true) => RED,
            (false, true) => GREEN,
            (true, false) => BLUE,
            (false, false) => YELLOW,
        })
    })
}

pub fn gradient(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        Rgb([
            (x * 255 / w) as u8,
            (y * 255 / h) as u8,
            ((x + y) % 256) as u8,
        ])
    })
}

pub fn solid(w: u32, h: u32, c: [u8; 3]) -> RgbImage {
    RgbImage::from_pixel(w, h, Rgb(c))
}

pub fn jpeg(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 95)
        .encode_image(img)
        .unwrap();
    out
}

pub fn png_rgb(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            ExtendedColorType::Rgb8,
        )
        .unwrap();
    out
}

pub fn png_rgba(img: &RgbaImage) -> Vec<u8> {
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            ExtendedColorType::Rgba8,
        )
        .unwrap();
    out
}

/// Insert a minimal APP1 Exif segment (big-endian TIFF, one IFD entry:
/// Orientation 0x0112 = `orientation`) right after SOI.
pub fn with_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    with_app1_exif(jpeg, &exif_tiff(orientation, None))
}

/// Insert an APP1 Exif segment right after SOI that carries `thumbnail` (a
/// whole JPEG, with its own end-of-image marker) as cameras do: IFD1 points
/// at it.
pub fn with_exif_thumbnail(jpeg: &[u8], orientation: u16, thumbnail: &[u8]) -> Vec<u8> {
    with_app1_exif(jpeg, &exif_tiff(orientation, Some(thumbnail)))
}

/// Big-endian TIFF: IFD0 with the Orientation, then optionally IFD1 with
/// JPEGInterchangeFormat (0x0201) and its length (0x0202), then the thumbnail.
fn exif_tiff(orientation: u16, thumbnail: Option<&[u8]>) -> Vec<u8> {
    const IFD1_AT: u32 = 8 + 18; // TIFF header, IFD0 with one entry
    const THUMB_AT: u32 = IFD1_AT + 30; // IFD1 with two entries
    let entry = |tiff: &mut Vec<u8>, tag: u16, kind: u16, value: [u8; 4]| {
        tiff.extend_from_slice(&tag.to_be_bytes());
        tiff.extend_from_slice(&kind.to_be_bytes());
        tiff.extend_from_slice(&1u32.to_be_bytes()); // count
        tiff.extend_from_slice(&value);
    };
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"MM\x00\x2a"); // big-endian TIFF magic
    tiff.extend_from_slice(&8u32.to_be_bytes()); // offset of IFD0
    tiff.extend_from_slice(&1u16.to_be_bytes()); // one entry
    let [hi, lo] = orientation.to_be_bytes();
    entry(&mut tiff, 0x0112, 3, [hi, lo, 0, 0]); // SHORT, padded
    let Some(thumbnail) = thumbnail else {
        tiff.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
        return tiff;
    };
    tiff.extend_from_slice(&IFD1_AT.to_be_bytes());
    tiff.extend_from_slice(&2u16.to_be_bytes()); // two entries
    entry(&mut tiff, 0x0201, 4, THUMB_AT.to_be_bytes()); // LONG
    entry(&mut tiff, 0x0202, 4, (thumbnail.len() as u32).to_be_bytes());
    tiff.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    assert_eq!(tiff.len(), THUMB_AT as usize);
    tiff.extend_from_slice(thumbnail);
    tiff
}

/// Insert an APP1 Exif segment right after SOI, as cameras write one: IFD0 with the Orientation
/// and a pointer to the Exif IFD, which holds DateTimeOriginal (`"2024:06:01 14:30:15"`) and,
/// if given, OffsetTimeOriginal (`"+02:00"`).
pub fn with_capture_time(
    jpeg: &[u8],
    orientation: u16,
    taken: &str,
    offset: Option<&str>,
) -> Vec<u8> {
    with_app1_exif(jpeg, &dated_tiff(orientation, taken, offset))
}

/// The TIFF structure of [`with_capture_time`] (big-endian).
pub fn dated_tiff(orientation: u16, taken: &str, offset: Option<&str>) -> Vec<u8> {
    let ascii = |s: &str| {
        let mut v = s.as_bytes().to_vec();
        v.push(0);
        v
    };
    let mut values = vec![(0x9003u16, ascii(taken))];
    if let Some(offset) = offset {
        values.push((0x9011, ascii(offset)));
    }
    const EXIF_IFD_AT: u32 = 8 + 2 + 2 * 12 + 4;
    let mut tiff = b"MM\x00\x2a".to_vec();
    tiff.extend_from_slice(&8u32.to_be_bytes());
    tiff.extend_from_slice(&2u16.to_be_bytes());
    let [hi, lo] = orientation.to_be_bytes();
    for (tag, kind, value) in [
        (0x0112u16, 3u16, [hi, lo, 0, 0]),
        (0x8769, 4, EXIF_IFD_AT.to_be_bytes()),
    ] {
        tiff.extend_from_slice(&tag.to_be_bytes());
        tiff.extend_from_slice(&kind.to_be_bytes());
        tiff.extend_from_slice(&1u32.to_be_bytes());
        tiff.extend_from_slice(&value);
    }
    tiff.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    assert_eq!(tiff.len(), EXIF_IFD_AT as usize);
    let mut data_at = EXIF_IFD_AT as usize + 2 + 12 * values.len() + 4;
    let mut data = Vec::new();
    tiff.extend_from_slice(&(values.len() as u16).to_be_bytes());
    for (tag, value) in &values {
        tiff.extend_from_slice(&tag.to_be_bytes());
        tiff.extend_from_slice(&2u16.to_be_bytes()); // ASCII
        tiff.extend_from_slice(&(value.len() as u32).to_be_bytes());
        tiff.extend_from_slice(&(data_at as u32).to_be_bytes());
        data.extend_from_slice(value);
        data_at += value.len();
    }
    tiff.extend_from_slice(&0u32.to_be_bytes());
    tiff.extend_from_slice(&data);
    tiff
}

/// `png` with an eXIf chunk holding `tiff`, right after IHDR.
pub fn png_with_exif(png: &[u8], tiff: &[u8]) -> Vec<u8> {
    let ihdr_end = 8 + 4 + 4 + 13 + 4;
    let mut chunk = (tiff.len() as u32).to_be_bytes().to_vec();
    let mut typed = b"eXIf".to_vec();
    typed.extend_from_slice(tiff);
    chunk.extend_from_slice(&typed);
    chunk.extend_from_slice(&crc32(&typed).to_be_bytes());
    let mut out = png[..ihdr_end].to_vec();
    out.extend_from_slice(&chunk);
    out.extend_from_slice(&png[ihdr_end..]);
    out
}

fn with_app1_exif(jpeg: &[u8], tiff: &[u8]) -> Vec<u8> {
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend_from_slice(tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// Progressive JPEG: a DC scan, then several AC scans per component.
pub fn progressive_jpeg(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 90);
    encoder.set_progressive(true);
    let (w, h) = (img.width() as u16, img.height() as u16);
    encoder
        .encode(img.as_raw(), w, h, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    out
}

/// Offsets of the start-of-scan markers (0xFF 0xDA). Inside entropy-coded
/// data 0xFF is always followed by 0x00 or a restart marker, so only an
/// embedded thumbnail could add false hits.
pub fn scan_offsets(jpeg: &[u8]) -> Vec<usize> {
    jpeg.windows(2)
        .enumerate()
        .filter(|(_, w)| w == &[0xFF, 0xDA])
        .map(|(i, _)| i)
        .collect()
}

/// Where the entropy-coded data of the scan whose marker is at `sos` begins.
pub fn scan_data_start(jpeg: &[u8], sos: usize) -> usize {
    sos + 2 + usize::from(u16::from_be_bytes([jpeg[sos + 2], jpeg[sos + 3]]))
}

/// Decode a rendition and check it is a JPEG of the stated size.
pub fn decode(r: &Rendition) -> RgbImage {
    assert_eq!(&r.jpeg[..3], &[0xFF, 0xD8, 0xFF], "not a JPEG");
    let img = image::load_from_memory_with_format(&r.jpeg, ImageFormat::Jpeg)
        .expect("rendition decodes")
        .to_rgb8();
    assert_eq!(img.dimensions(), (r.width, r.height));
    img
}

/// Sampling factors of the first (luma) component in the frame header.
pub fn luma_sampling(jpeg: &[u8]) -> u8 {
    let sof = jpeg
        .windows(2)
        .position(|w| w[0] == 0xFF && matches!(w[1], 0xC0..=0xC2))
        .expect("frame header");
    // marker(2) length(2) precision(1) height(2) width(2) ncomp(1) id(1) sampling(1)
    jpeg[sof + 11]
}

/// (number of scans, components in the first scan). One interleaved scan is
/// the layout every decoder handles, including the `image` crate's.
pub fn scan_layout(jpeg: &[u8]) -> (usize, u8) {
    let sos = scan_offsets(jpeg);
    let first = *sos.first().expect("a scan");
    // marker(2) length(2) component count(1)
    (sos.len(), jpeg[first + 4])
}

pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Rewrite a PNG's IHDR width and height and fix the chunk CRC.
pub fn patch_png_size(png: &[u8], w: u32, h: u32) -> Vec<u8> {
    assert_eq!(&png[12..16], b"IHDR");
    let mut out = png.to_vec();
    out[16..20].copy_from_slice(&w.to_be_bytes());
    out[20..24].copy_from_slice(&h.to_be_bytes());
    let crc = crc32(&out[12..29]);
    out[29..33].copy_from_slice(&crc.to_be_bytes());
    out
}

/// Rewrite a baseline JPEG's frame header dimensions.
pub fn patch_jpeg_size(jpeg: &[u8], w: u16, h: u16) -> Vec<u8> {
    let sof = jpeg
        .windows(2)
        .position(|x| x == [0xFF, 0xC0])
        .expect("baseline frame header");
    let mut out = jpeg.to_vec();
    out[sof + 5..sof + 7].copy_from_slice(&h.to_be_bytes());
    out[sof + 7..sof + 9].copy_from_slice(&w.to_be_bytes());
    out
}

pub fn text_mark(text: &str, position: Position, opacity: f32, scale: f32) -> Watermark {
    Watermark {
        mark: Mark::Text(text.to_owned()),
        position,
        opacity,
        scale,
    }
}

pub fn no_mark() -> Watermark {
    text_mark("", Position::BottomRight, 0.0, 0.2)
}

pub fn max_diff(a: &[u8; 3], b: &[u8; 3]) -> u8 {
    (0..3).map(|c| a[c].abs_diff(b[c])).max().unwrap_or(0)
}

/// Pixels where two same-sized images differ by more than `threshold`.
pub fn changed(a: &RgbImage, b: &RgbImage, threshold: u8) -> Vec<(u32, u32)> {
    a.enumerate_pixels()
        .filter(|(x, y, p)| max_diff(&p.0, &b.get_pixel(*x, *y).0) > threshold)
        .map(|(x, y, _)| (x, y))
        .collect()
}

/// Which of the four quadrant colours `px` is closest to.
pub fn nearest(px: [u8; 3]) -> [u8; 3] {
    let dist = |c: [u8; 3]| -> u32 { (0..3).map(|i| u32::from(px[i].abs_diff(c[i])).pow(2)).sum() };
    [RED, GREEN, BLUE, YELLOW]
        .into_iter()
        .min_by_key(|&c| dist(c))
        .unwrap_or(RED)
}

/// Deterministic pseudo-random bytes (xorshift), so failures reproduce.
pub fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut s = seed.max(1);
    (0..len)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 24) as u8
        })
        .collect()
}
