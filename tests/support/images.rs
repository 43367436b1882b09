//! The files the tests upload: JPEGs and PNGs of a given size, a watermark logo, a JPEG with an
//! EXIF orientation and a PNG whose header claims a huge size ("decompression bomb").

use std::io::Cursor;

use image::{ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};

/// A JPEG of the given size with a gradient, so renditions have real content.
pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    encode_jpeg(&RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    }))
}

/// `img` as a JPEG.
pub fn encode_jpeg(img: &RgbImage) -> Vec<u8> {
    encode(img, ImageFormat::Jpeg)
}

/// A PNG of the given size with a gradient.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    encode(
        &RgbImage::from_fn(width, height, |x, y| {
            Rgb([(x % 256) as u8, 90, (y % 256) as u8])
        }),
        ImageFormat::Png,
    )
}

/// A 200×50 watermark logo: a red square on the left, transparent elsewhere.
pub fn logo_png() -> Vec<u8> {
    let logo = RgbaImage::from_fn(200, 50, |x, _| {
        if x < 50 {
            Rgba([255, 0, 0, 255])
        } else {
            Rgba([0, 0, 0, 0])
        }
    });
    encode(&logo, ImageFormat::Png)
}

fn encode<P>(img: &image::ImageBuffer<P, Vec<P::Subpixel>>, format: ImageFormat) -> Vec<u8>
where
    P: image::PixelWithColorType,
    [P::Subpixel]: image::EncodableLayout,
{
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).expect("encode");
    out.into_inner()
}

/// `jpeg` with an EXIF APP1 segment carrying only an orientation tag, after the JFIF APP0.
pub fn with_exif_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    assert_eq!(&jpeg[..2], [0xFF, 0xD8], "not a JPEG");
    let mut exif = Vec::new();
    exif.extend_from_slice(b"Exif\0\0");
    exif.extend_from_slice(b"MM\0\x2A\0\0\0\x08"); // big-endian TIFF, IFD0 at offset 8
    exif.extend_from_slice(&1u16.to_be_bytes()); // one entry
    exif.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    exif.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    exif.extend_from_slice(&1u32.to_be_bytes()); // count
    exif.extend_from_slice(&orientation.to_be_bytes());
    exif.extend_from_slice(&[0, 0]); // value padding
    exif.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    let mut segment = vec![0xFF, 0xE1];
    segment.extend_from_slice(&u16::try_from(exif.len() + 2).unwrap().to_be_bytes());
    segment.extend_from_slice(&exif);

    // Insert after SOI and the APP0 (JFIF) segment, if there is one.
    let mut at = 2;
    if jpeg[2..4] == [0xFF, 0xE0] {
        at += 2 + usize::from(u16::from_be_bytes([jpeg[4], jpeg[5]]));
    }
    let mut out = jpeg[..at].to_vec();
    out.extend_from_slice(&segment);
    out.extend_from_slice(&jpeg[at..]);
    out
}

/// A tiny PNG whose IHDR claims `width` × `height`, with a correct CRC.
pub fn bomb_png(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = png(16, 16);
    assert_eq!(&bytes[12..16], b"IHDR");
    bytes[16..20].copy_from_slice(&width.to_be_bytes());
    bytes[20..24].copy_from_slice(&height.to_be_bytes());
    // CRC over chunk type and the 13 data bytes.
    let crc = crc32fast::hash(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    bytes
}
