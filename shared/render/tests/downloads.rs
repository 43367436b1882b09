//! Download files: sizes per resolution, orientation, watermark, quality, bad input.

mod common;

use std::sync::Arc;

use common::*;
use image::{Rgba, RgbaImage};
use proofsheet_render::{
    DecodeLimits, DownloadSpec, Mark, Position, PreparedWatermark, RenderError, Rendition,
    Watermark, render_download, render_renditions,
};

const WEB: DownloadSpec = DownloadSpec {
    long_edge: Some(2048),
    jpeg_quality: 90,
};
const HIGH: DownloadSpec = DownloadSpec {
    long_edge: Some(4096),
    jpeg_quality: 90,
};
const FULL_SIZE: DownloadSpec = DownloadSpec {
    long_edge: None,
    jpeg_quality: 90,
};

fn download(bytes: &[u8], spec: DownloadSpec, mark: Option<&PreparedWatermark>) -> Rendition {
    render_download(bytes, spec, mark, &DecodeLimits::default()).expect("renders")
}

fn prepared(watermark: &Watermark) -> PreparedWatermark {
    PreparedWatermark::new(watermark).expect("usable watermark")
}

#[test]
fn each_resolution_caps_the_long_edge_and_full_size_keeps_it() {
    let landscape = jpeg(&gradient(4800, 3200));
    for (spec, expected) in [
        (WEB, (2048, 1365)),
        (HIGH, (4096, 2731)),
        (FULL_SIZE, (4800, 3200)),
    ] {
        let r = download(&landscape, spec, None);
        assert_eq!((r.width, r.height), expected, "{spec:?}");
        decode(&r);
        // Baseline, 4:2:0, one interleaved scan: what every viewer opens.
        assert_eq!(luma_sampling(&r.jpeg), 0x22);
        assert_eq!(scan_layout(&r.jpeg), (1, 3));
    }
}

#[test]
fn a_portrait_caps_its_height() {
    let r = download(&jpeg(&gradient(1500, 3000)), WEB, None);
    assert_eq!((r.width, r.height), (1024, 2048));
}

#[test]
fn small_originals_are_never_upscaled() {
    let small = jpeg(&gradient(1000, 700));
    for spec in [WEB, HIGH, FULL_SIZE] {
        let r = download(&small, spec, None);
        assert_eq!((r.width, r.height), (1000, 700), "{spec:?}");
    }
    let r = download(&png_rgb(&gradient(37, 23)), HIGH, None);
    assert_eq!((r.width, r.height), (37, 23));
}

#[test]
fn downloads_keep_the_picture_not_just_the_size() {
    let original = jpeg(&quadrants(2400, 1600));
    for spec in [WEB, FULL_SIZE] {
        let img = decode(&download(&original, spec, None));
        let (w, h) = img.dimensions();
        assert_eq!(nearest(img.get_pixel(w / 4, h / 4).0), RED);
        assert_eq!(nearest(img.get_pixel(3 * w / 4, h / 4).0), GREEN);
        assert_eq!(nearest(img.get_pixel(w / 4, 3 * h / 4).0), BLUE);
        assert_eq!(nearest(img.get_pixel(3 * w / 4, 3 * h / 4).0), YELLOW);
    }
}

#[test]
fn every_exif_orientation_is_baked_in_as_displayed() {
    // Displayed (top-left, top-right) colours of a stored image with red/green over blue/yellow.
    let cases = [
        (1, RED, GREEN),
        (2, GREEN, RED),    // mirrored
        (3, YELLOW, BLUE),  // rotated 180
        (4, BLUE, YELLOW),  // flipped vertically
        (5, RED, BLUE),     // transposed
        (6, BLUE, RED),     // rotated 90 clockwise
        (7, YELLOW, GREEN), // transversed
        (8, GREEN, YELLOW), // rotated 90 counter-clockwise
    ];
    let plain = jpeg(&quadrants(600, 400));
    // Full size orients the original's own pixels; a smaller spec orients after shrinking.
    let shrunk = DownloadSpec {
        long_edge: Some(300),
        ..WEB
    };
    for (orientation, top_left, top_right) in cases {
        let original = with_orientation(&plain, orientation);
        let on_its_side = orientation >= 5;
        for (spec, upright) in [(FULL_SIZE, (600, 400)), (shrunk, (300, 200))] {
            let r = download(&original, spec, None);
            let expected = if on_its_side {
                (upright.1, upright.0)
            } else {
                upright
            };
            assert_eq!((r.width, r.height), expected, "orientation {orientation}");
            let img = decode(&r);
            let (w, h) = img.dimensions();
            let corners = [
                (nearest(img.get_pixel(w / 4, h / 4).0), top_left),
                (nearest(img.get_pixel(3 * w / 4, h / 4).0), top_right),
            ];
            for (found, wanted) in corners {
                assert_eq!(found, wanted, "orientation {orientation}, {spec:?}");
            }
        }
    }
}

#[test]
fn the_watermark_marks_its_corner_only_and_none_marks_nothing() {
    let original = jpeg(&solid(1200, 800, GREY));
    let mark = prepared(&text_mark("© Proofsheet", Position::BottomRight, 1.0, 0.3));
    let clean = decode(&download(&original, FULL_SIZE, None));
    let marked = decode(&download(&original, FULL_SIZE, Some(&mark)));
    assert!(clean.pixels().all(|p| max_diff(&p.0, &GREY) <= 3));
    let changed = changed(&clean, &marked, 40);
    assert!(
        changed.len() > 1000,
        "only {} pixels changed",
        changed.len()
    );
    assert!(
        changed.iter().all(|&(x, y)| x >= 600 && y >= 400),
        "a change outside the bottom-right quarter"
    );
}

#[test]
fn a_logo_watermark_is_drawn_on_the_download() {
    let logo = png_rgba(&RgbaImage::from_pixel(200, 100, Rgba([255, 0, 0, 255])));
    let mark = prepared(&Watermark {
        mark: Mark::Logo(logo),
        position: Position::TopLeft,
        opacity: 1.0,
        scale: 0.25,
    });
    let r = download(&jpeg(&solid(800, 600, GREY)), WEB, Some(&mark));
    let img = decode(&r);
    // 800 * 0.25 = 200 px wide, 100 tall, after a 2% margin of 600 = 12 px.
    let red = img.get_pixel(62, 62).0;
    assert!(red[0] > 220 && red[1] < 40 && red[2] < 40, "{red:?}");
    assert!(max_diff(&img.get_pixel(600, 400).0, &GREY) <= 4);
}

#[test]
fn one_prepared_watermark_serves_many_threads() {
    let mark = Arc::new(prepared(&Watermark::text("© Shared")));
    let original = Arc::new(jpeg(&solid(400, 300, GREY)));
    let outputs: Vec<Vec<u8>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..4)
            .map(|_| {
                let (mark, original) = (Arc::clone(&mark), Arc::clone(&original));
                scope.spawn(move || download(&original, WEB, Some(&mark)).jpeg)
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    assert!(outputs.windows(2).all(|pair| pair[0] == pair[1]));
    assert_ne!(outputs[0], download(&original, WEB, None).jpeg);
}

#[test]
fn a_bad_logo_is_refused_when_prepared() {
    let bad = Watermark::logo(jpeg(&gradient(50, 50)));
    let err = PreparedWatermark::new(&bad).unwrap_err();
    assert_eq!(err.code(), "logo_invalid", "{err}");
}

#[test]
fn higher_quality_makes_larger_files() {
    let original = jpeg(&gradient(1200, 800));
    let at = |jpeg_quality| {
        let spec = DownloadSpec {
            long_edge: None,
            jpeg_quality,
        };
        download(&original, spec, None).jpeg.len()
    };
    let (low, mid, high) = (at(40), at(75), at(95));
    assert!(low < mid && mid < high, "{low} < {mid} < {high}");
}

#[test]
fn a_png_original_downloads_as_jpeg() {
    let r = download(&png_rgb(&quadrants(3000, 2000)), WEB, None);
    assert_eq!((r.width, r.height), (2048, 1365));
    let img = decode(&r);
    assert_eq!(nearest(img.get_pixel(500, 300).0), RED);
    assert_eq!(nearest(img.get_pixel(1500, 1000).0), YELLOW);
}

#[test]
fn the_originals_icc_profile_is_kept() {
    // Not a real profile: the bytes are carried over, not interpreted.
    let profile = noise(3000, 11);
    let mut original = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut original, 90);
    encoder.add_icc_profile(&profile).unwrap();
    let pixels = gradient(300, 200);
    encoder
        .encode(pixels.as_raw(), 300, 200, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    for spec in [
        FULL_SIZE,
        DownloadSpec {
            long_edge: Some(100),
            ..WEB
        },
    ] {
        let r = download(&original, spec, None);
        assert!(r.jpeg.windows(64).any(|w| w == &profile[..64]), "{spec:?}");
    }
}

#[test]
fn cmyk_and_grey_originals_download_as_rgb() {
    // libjpeg-turbo can't turn CMYK into RGB; such photos take the pure-Rust decoder.
    let (w, h) = (600, 400);
    let cmyk: Vec<u8> = (0..w * h)
        .flat_map(|i| [(i % 256) as u8, 40, 200, 10])
        .collect();
    let mut original = Vec::new();
    jpeg_encoder::Encoder::new(&mut original, 90)
        .encode(&cmyk, w as u16, h as u16, jpeg_encoder::ColorType::Cmyk)
        .unwrap();
    let r = download(
        &original,
        DownloadSpec {
            long_edge: Some(150),
            ..WEB
        },
        None,
    );
    assert_eq!((r.width, r.height), (150, 100));
    let decoded = image::load_from_memory(&r.jpeg).unwrap();
    assert_eq!(decoded.color(), image::ColorType::Rgb8);

    let grey = image::GrayImage::from_fn(w, h, |x, _| image::Luma([(x % 256) as u8]));
    let mut original = Vec::new();
    jpeg_encoder::Encoder::new(&mut original, 90)
        .encode(
            grey.as_raw(),
            w as u16,
            h as u16,
            jpeg_encoder::ColorType::Luma,
        )
        .unwrap();
    let r = download(&original, FULL_SIZE, None);
    assert_eq!((r.width, r.height), (600, 400));
}

#[test]
fn bad_originals_fail_as_they_did_at_ingest() {
    let full_jpeg = jpeg(&gradient(300, 200));
    let full_png = png_rgb(&gradient(300, 200));
    let idat = full_png.windows(4).position(|w| w == b"IDAT").unwrap();
    let mut damaged_png = full_png.clone();
    damaged_png[idat + 100] ^= 0x5A;
    let cases: [(&str, Vec<u8>); 6] = [
        ("cut jpeg", full_jpeg[..full_jpeg.len() / 2].to_vec()),
        ("cut png", full_png[..full_png.len() / 2].to_vec()),
        ("damaged png", damaged_png),
        ("noise", noise(4096, 42)),
        ("gif", b"GIF89a\x01\x00\x01\x00".to_vec()),
        (
            "bomb",
            patch_png_size(&png_rgb(&solid(1, 1, GREY)), 60_000, 60_000),
        ),
    ];
    let limits = DecodeLimits::default();
    for (name, bytes) in cases {
        let at_ingest = render_renditions(&bytes, &no_mark(), &limits).unwrap_err();
        let at_download = render_download(&bytes, WEB, None, &limits).unwrap_err();
        assert_eq!(at_download, at_ingest, "{name}");
    }
    let cut = render_download(&full_jpeg[..1000], FULL_SIZE, None, &limits);
    assert_eq!(cut, Err(RenderError::Truncated));
}

#[test]
fn decode_limits_apply_to_downloads() {
    let limits = DecodeLimits {
        max_pixels: 100_000,
        ..DecodeLimits::default()
    };
    let result = render_download(&jpeg(&gradient(400, 300)), FULL_SIZE, None, &limits);
    assert!(
        matches!(result, Err(RenderError::TooLarge { .. })),
        "{result:?}"
    );
}
