//! Sizes, orientation and watermarks of real renditions.

mod common;

use common::*;
use image::{Rgba, RgbaImage};
use proofsheet_render::{
    DecodeLimits, Mark, PREVIEW, Position, THUMBNAIL, Watermark, render_renditions, validate_logo,
};

fn render(bytes: &[u8], wm: &Watermark) -> proofsheet_render::Renditions {
    render_renditions(bytes, wm, &DecodeLimits::default()).expect("renders")
}

#[test]
fn landscape_jpeg_gets_capped_sizes_and_valid_jpegs() {
    let r = render(&jpeg(&gradient(2400, 1600)), &Watermark::text("© Test"));
    assert_eq!((r.width, r.height), (2400, 1600));
    assert_eq!((r.preview.width, r.preview.height), (2048, 1365));
    assert_eq!((r.thumbnail.width, r.thumbnail.height), (480, 320));
    for rendition in [
        &r.thumbnail,
        &r.thumbnail_watermarked,
        &r.preview,
        &r.preview_watermarked,
    ] {
        decode(rendition);
        // 4:2:0: luma sampled 2x2 relative to chroma.
        assert_eq!(luma_sampling(&rendition.jpeg), 0x22);
        assert_eq!(scan_layout(&rendition.jpeg), (1, 3));
    }
    assert_eq!(r.preview_watermarked.width, r.preview.width);
    assert_eq!(r.thumbnail_watermarked.height, r.thumbnail.height);
}

#[test]
fn renditions_keep_the_picture_not_just_the_size() {
    // A downscaled quadrant image must still have its quadrants.
    let r = render(&jpeg(&quadrants(2400, 1600)), &no_mark());
    for rendition in [&r.preview, &r.thumbnail] {
        let img = decode(rendition);
        let (w, h) = img.dimensions();
        assert_eq!(nearest(img.get_pixel(w / 4, h / 4).0), RED);
        assert_eq!(nearest(img.get_pixel(3 * w / 4, h / 4).0), GREEN);
        assert_eq!(nearest(img.get_pixel(w / 4, 3 * h / 4).0), BLUE);
        assert_eq!(nearest(img.get_pixel(3 * w / 4, 3 * h / 4).0), YELLOW);
    }
}

#[test]
fn portrait_smaller_than_preview_is_not_upscaled() {
    let r = render(&jpeg(&gradient(1000, 1500)), &no_mark());
    assert_eq!((r.width, r.height), (1000, 1500));
    assert_eq!((r.preview.width, r.preview.height), (1000, 1500));
    assert_eq!((r.thumbnail.width, r.thumbnail.height), (320, 480));
    decode(&r.preview);
    decode(&r.thumbnail);
}

#[test]
fn tiny_image_keeps_its_size_everywhere() {
    let r = render(&png_rgb(&gradient(37, 23)), &Watermark::text("© Tiny"));
    for rendition in [
        &r.thumbnail,
        &r.thumbnail_watermarked,
        &r.preview,
        &r.preview_watermarked,
    ] {
        assert_eq!((rendition.width, rendition.height), (37, 23));
        decode(rendition);
    }
}

#[test]
fn specs_match_the_contract() {
    assert_eq!((THUMBNAIL.long_edge, THUMBNAIL.jpeg_quality), (480, 80));
    assert_eq!((PREVIEW.long_edge, PREVIEW.jpeg_quality), (2048, 85));
}

#[test]
fn transparent_png_is_flattened_onto_white() {
    let mut img = RgbaImage::from_pixel(300, 200, Rgba([0, 0, 0, 0]));
    for x in 0..150 {
        for y in 0..200 {
            img.put_pixel(x, y, Rgba([0, 0, 255, 255]));
        }
    }
    let r = render(&png_rgba(&img), &no_mark());
    let out = decode(&r.preview);
    assert!(max_diff(&out.get_pixel(225, 100).0, &[255, 255, 255]) <= 4);
    assert!(max_diff(&out.get_pixel(75, 100).0, &BLUE) <= 8);
}

#[test]
fn exif_orientation_all_eight_values() {
    // Expected displayed (top-left, top-right) colours for a stored image
    // with red/green over blue/yellow quadrants.
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
    let plain = jpeg(&quadrants(300, 200));
    for (orientation, top_left, top_right) in cases {
        let r = render(&with_orientation(&plain, orientation), &no_mark());
        let swapped = orientation >= 5;
        let expected = if swapped { (200, 300) } else { (300, 200) };
        assert_eq!((r.width, r.height), expected, "orientation {orientation}");
        for rendition in [&r.preview, &r.thumbnail] {
            assert_eq!((rendition.width, rendition.height), expected);
            let img = decode(rendition);
            let (w, h) = img.dimensions();
            assert_eq!(
                nearest(img.get_pixel(w / 4, h / 4).0),
                top_left,
                "orientation {orientation}: top-left"
            );
            assert_eq!(
                nearest(img.get_pixel(3 * w / 4, h / 4).0),
                top_right,
                "orientation {orientation}: top-right"
            );
        }
    }
}

#[test]
fn orientation_applies_when_the_original_is_downscaled() {
    // Rotated 90° clockwise: a 3000x2000 stored image is a 2000x3000 photo.
    let r = render(
        &with_orientation(&jpeg(&quadrants(3000, 2000)), 6),
        &no_mark(),
    );
    assert_eq!((r.width, r.height), (2000, 3000));
    assert_eq!((r.preview.width, r.preview.height), (1365, 2048));
    assert_eq!((r.thumbnail.width, r.thumbnail.height), (320, 480));
    let img = decode(&r.preview);
    assert_eq!(nearest(img.get_pixel(300, 500).0), BLUE);
    assert_eq!(nearest(img.get_pixel(1000, 500).0), RED);
}

#[test]
fn text_watermark_changes_its_corner_and_nothing_else() {
    let original = jpeg(&solid(1200, 800, GREY));
    let r = render(
        &original,
        &text_mark("© Proofsheet", Position::BottomRight, 1.0, 0.3),
    );
    for (clean, marked) in [
        (&r.preview, &r.preview_watermarked),
        (&r.thumbnail, &r.thumbnail_watermarked),
    ] {
        let clean = decode(clean);
        let marked = decode(marked);
        let (w, h) = clean.dimensions();
        // The clean rendition is the untouched photo.
        assert!(clean.pixels().all(|p| max_diff(&p.0, &GREY) <= 3));
        let diff = changed(&clean, &marked, 40);
        assert!(diff.len() > 100, "only {} pixels changed", diff.len());
        for &(x, y) in &diff {
            assert!(x >= w / 2 && y >= h / 2, "changed pixel at {x},{y}");
            // Margin: nothing drawn right against the edge.
            assert!(x < w - 2 && y < h - 2, "pixel in margin at {x},{y}");
        }
        // Opposite corner: byte-for-byte the same photo.
        for y in 0..h / 2 {
            for x in 0..w / 2 {
                assert!(max_diff(&clean.get_pixel(x, y).0, &marked.get_pixel(x, y).0) <= 2);
            }
        }
        // The mark is about 30% of the width.
        let min_x = diff.iter().map(|p| p.0).min().unwrap_or(0);
        let max_x = diff.iter().map(|p| p.0).max().unwrap_or(0);
        let width = (max_x - min_x) as f32 / w as f32;
        assert!((0.25..=0.35).contains(&width), "mark width {width}");
    }
}

#[test]
fn text_watermark_stays_visible_on_white() {
    let r = render(
        &jpeg(&solid(800, 600, [255, 255, 255])),
        &text_mark("PROOF", Position::Center, 1.0, 0.5),
    );
    let marked = decode(&r.preview_watermarked);
    let dark = marked
        .pixels()
        .filter(|p| p.0.iter().all(|&c| c < 128))
        .count();
    assert!(dark > 200, "outline too faint: {dark} dark pixels");
}

#[test]
fn every_position_lands_where_it_says() {
    let original = jpeg(&solid(900, 600, GREY));
    for position in [
        Position::TopLeft,
        Position::TopRight,
        Position::BottomLeft,
        Position::BottomRight,
        Position::Center,
    ] {
        let r = render(&original, &text_mark("Sample", position, 1.0, 0.2));
        let clean = decode(&r.preview);
        let diff = changed(&clean, &decode(&r.preview_watermarked), 40);
        assert!(!diff.is_empty(), "{position:?}: nothing drawn");
        let n = diff.len() as f32;
        let cx = diff.iter().map(|p| p.0 as f32).sum::<f32>() / n / 900.0;
        let cy = diff.iter().map(|p| p.1 as f32).sum::<f32>() / n / 600.0;
        let ok = match position {
            Position::TopLeft => cx < 0.3 && cy < 0.3,
            Position::TopRight => cx > 0.7 && cy < 0.3,
            Position::BottomLeft => cx < 0.3 && cy > 0.7,
            Position::BottomRight => cx > 0.7 && cy > 0.7,
            Position::Center => (cx - 0.5).abs() < 0.05 && (cy - 0.5).abs() < 0.05,
        };
        assert!(ok, "{position:?}: centre of change at ({cx:.2}, {cy:.2})");
    }
}

#[test]
fn zero_opacity_changes_nothing() {
    let original = jpeg(&gradient(1000, 700));
    let r = render(
        &original,
        &text_mark("© Hidden", Position::Center, 0.0, 0.5),
    );
    assert_eq!(decode(&r.preview), decode(&r.preview_watermarked));
    assert_eq!(decode(&r.thumbnail), decode(&r.thumbnail_watermarked));
}

#[test]
fn half_opacity_blends_halfway() {
    let r = render(
        &jpeg(&solid(800, 600, [0, 0, 0])),
        &text_mark("█", Position::Center, 0.5, 0.1),
    );
    // The full block glyph is solid white in its middle.
    let px = decode(&r.preview_watermarked).get_pixel(400, 300).0;
    assert!(px.iter().all(|&c| (115..=140).contains(&c)), "{px:?}");
}

fn half_red_logo() -> Vec<u8> {
    // Left half opaque red, right half fully transparent.
    png_rgba(&RgbaImage::from_fn(200, 100, |x, _| {
        if x < 100 {
            Rgba([255, 0, 0, 255])
        } else {
            Rgba([0, 255, 0, 0])
        }
    }))
}

#[test]
fn logo_watermark_respects_alpha() {
    let wm = Watermark {
        mark: Mark::Logo(half_red_logo()),
        position: Position::TopLeft,
        opacity: 1.0,
        scale: 0.25,
    };
    let r = render(&jpeg(&solid(800, 600, GREY)), &wm);
    let clean = decode(&r.preview);
    let marked = decode(&r.preview_watermarked);
    // 800 * 0.25 = 200 px wide, 100 tall, 2% of 600 = 12 px margin.
    let red = marked.get_pixel(62, 62).0;
    assert!(red[0] > 220 && red[1] < 40 && red[2] < 40, "{red:?}");
    let see_through = marked.get_pixel(162, 62).0;
    assert!(max_diff(&see_through, &GREY) <= 6, "{see_through:?}");
    assert!(
        max_diff(&marked.get_pixel(6, 6).0, &GREY) <= 6,
        "margin kept"
    );
    let diff = changed(&clean, &marked, 40);
    assert!(diff.iter().all(|&(x, y)| x < 400 && y < 300));
    assert!(diff.len() > 5000);
}

#[test]
fn logo_opacity_scales_its_alpha() {
    let wm = Watermark {
        mark: Mark::Logo(half_red_logo()),
        position: Position::TopLeft,
        opacity: 0.5,
        scale: 0.25,
    };
    let r = render(&jpeg(&solid(800, 600, [0, 0, 0])), &wm);
    let px = decode(&r.preview_watermarked).get_pixel(62, 62).0;
    assert!(
        (110..=145).contains(&px[0]) && px[1] < 30 && px[2] < 30,
        "{px:?}"
    );
}

#[test]
fn validate_logo_accepts_png_and_reports_size() {
    assert_eq!(validate_logo(&half_red_logo()), Ok((200, 100)));
}

#[test]
fn progressive_jpeg_renders_its_picture() {
    let r = render(&progressive_jpeg(&quadrants(600, 400)), &no_mark());
    assert_eq!((r.width, r.height), (600, 400));
    let img = decode(&r.preview);
    assert_eq!(nearest(img.get_pixel(150, 100).0), RED);
    assert_eq!(nearest(img.get_pixel(450, 100).0), GREEN);
    assert_eq!(nearest(img.get_pixel(150, 300).0), BLUE);
    assert_eq!(nearest(img.get_pixel(450, 300).0), YELLOW);
}

#[test]
fn exif_thumbnail_does_not_get_in_the_way_of_orientation() {
    let thumbnail = jpeg(&gradient(160, 120));
    let original = with_exif_thumbnail(&jpeg(&quadrants(300, 200)), 6, &thumbnail);
    let r = render(&original, &no_mark());
    assert_eq!((r.width, r.height), (200, 300));
    let img = decode(&r.preview);
    // Rotated 90° clockwise: blue top-left, red top-right.
    assert_eq!(nearest(img.get_pixel(50, 75).0), BLUE);
    assert_eq!(nearest(img.get_pixel(150, 75).0), RED);
}

fn encode_with(pixels: &[u8], w: u16, h: u16, color: jpeg_encoder::ColorType) -> Vec<u8> {
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 95)
        .encode(pixels, w, h, color)
        .unwrap();
    out
}

#[test]
fn greyscale_jpeg_renders_grey() {
    let ramp: Vec<u8> = (0..200u32)
        .flat_map(|_| (0..300u32).map(|x| (x * 255 / 299) as u8))
        .collect();
    let r = render(
        &encode_with(&ramp, 300, 200, jpeg_encoder::ColorType::Luma),
        &no_mark(),
    );
    assert_eq!((r.width, r.height), (300, 200));
    let img = decode(&r.preview);
    for x in [10, 150, 290] {
        let px = img.get_pixel(x, 100).0;
        let expected = (x * 255 / 299) as u8;
        assert!(max_diff(&px, &[expected; 3]) <= 6, "x {x}: {px:?}");
    }
}

#[test]
fn cmyk_jpeg_renders_in_rgb() {
    let cmyk = |[r, g, b]: [u8; 3]| [255 - r, 255 - g, 255 - b, 0];
    let pixels: Vec<u8> = quadrants(300, 200)
        .pixels()
        .flat_map(|p| cmyk(p.0))
        .collect();
    let r = render(
        &encode_with(&pixels, 300, 200, jpeg_encoder::ColorType::Cmyk),
        &no_mark(),
    );
    let img = decode(&r.preview);
    assert_eq!(nearest(img.get_pixel(75, 50).0), RED);
    assert_eq!(nearest(img.get_pixel(225, 50).0), GREEN);
    assert_eq!(nearest(img.get_pixel(75, 150).0), BLUE);
    assert_eq!(nearest(img.get_pixel(225, 150).0), YELLOW);
}

#[test]
fn icc_profile_is_kept_in_every_rendition() {
    // Not a real profile: the bytes are carried over, not interpreted.
    let profile = noise(3000, 9);
    let r = render(
        &with_profile(&gradient(300, 200), &profile),
        &Watermark::text("© Test"),
    );
    for rendition in [
        &r.thumbnail,
        &r.thumbnail_watermarked,
        &r.preview,
        &r.preview_watermarked,
    ] {
        let found = rendition.jpeg.windows(64).any(|w| w == &profile[..64]);
        assert!(found, "{rendition:?} lost the profile");
    }
}

#[test]
fn the_capture_time_comes_with_the_orientation_from_one_exif_block() {
    // 2024-06-01 12:30:15 UTC, taken at +02:00 on a camera held on its side.
    let original = with_capture_time(
        &jpeg(&quadrants(300, 200)),
        6,
        "2024:06:01 14:30:15",
        Some("+02:00"),
    );
    let r = render(&original, &no_mark());
    assert_eq!((r.width, r.height), (200, 300), "still turned");
    assert_eq!(r.captured_at, Some(1_717_245_015));

    // No zone recorded: the camera's local time is read as UTC.
    let local = with_capture_time(&jpeg(&gradient(64, 48)), 1, "2024:06:01 14:30:15", None);
    assert_eq!(render(&local, &no_mark()).captured_at, Some(1_717_252_215));

    // A PNG's eXIf chunk counts too.
    let png = png_with_exif(
        &png_rgb(&gradient(64, 48)),
        &dated_tiff(1, "2024:06:01 12:30:15", Some("+00:00")),
    );
    assert_eq!(render(&png, &no_mark()).captured_at, Some(1_717_245_015));
}

#[test]
fn a_photo_without_a_usable_date_is_rendered_undated() {
    assert_eq!(
        render(&jpeg(&gradient(64, 48)), &no_mark()).captured_at,
        None
    );
    assert_eq!(
        render(&with_orientation(&jpeg(&gradient(64, 48)), 3), &no_mark()).captured_at,
        None
    );
    for taken in [
        "0000:00:00 00:00:00",
        "2024:02:30 10:00:00",
        "yesterday",
        "",
    ] {
        let original = with_capture_time(&jpeg(&gradient(64, 48)), 1, taken, Some("+01:00"));
        let r = render(&original, &no_mark());
        assert_eq!(r.captured_at, None, "{taken:?}");
        assert_eq!((r.width, r.height), (64, 48));
    }
}

fn decode_webp(grid: &proofsheet_render::GridRendition) -> image::RgbImage {
    let image = image::load_from_memory_with_format(&grid.webp, image::ImageFormat::WebP)
        .expect("a WebP file")
        .to_rgb8();
    assert_eq!(image.dimensions(), (grid.width, grid.height), "{grid:?}");
    image
}

#[test]
fn the_grid_gets_every_width_the_photo_can_fill_as_webp() {
    // 2400 × 1600: every step, the widest from the 2048 px preview.
    let r = render(&jpeg(&quadrants(2400, 1600)), &Watermark::text("© Test"));
    let sizes = |grid: &[proofsheet_render::GridRendition]| -> Vec<(u32, u32)> {
        grid.iter().map(|g| (g.width, g.height)).collect()
    };
    let expected = vec![
        (240, 160),
        (360, 240),
        (480, 320),
        (720, 480),
        (960, 640),
        (1440, 960),
    ];
    assert_eq!(sizes(&r.grid), expected);
    assert_eq!(sizes(&r.grid_watermarked), expected);
    assert_eq!(
        r.grid.iter().map(|g| g.width).collect::<Vec<_>>(),
        proofsheet_policy::grid_widths(2400, 1600)
    );
    for size in &r.grid {
        let img = decode_webp(size);
        let (w, h) = img.dimensions();
        assert_eq!(nearest(img.get_pixel(w / 4, h / 4).0), RED, "{size:?}");
        assert_eq!(
            nearest(img.get_pixel(3 * w / 4, 3 * h / 4).0),
            YELLOW,
            "{size:?}"
        );
    }
    // Each watermarked size differs from its clean one; the clean ones carry no mark.
    for (clean, marked) in r.grid.iter().zip(&r.grid_watermarked) {
        assert_ne!(decode_webp(clean), decode_webp(marked), "{clean:?}");
    }
}

#[test]
fn a_portrait_is_no_longer_in_the_grid_than_its_preview() {
    // Turned on its side by EXIF: a 3000 × 2000 stored image is a 2000 × 3000 photo, whose
    // preview is 1365 × 2048; the grid may show no more of it.
    let r = render(
        &with_orientation(&jpeg(&quadrants(3000, 2000)), 6),
        &no_mark(),
    );
    assert_eq!((r.preview.width, r.preview.height), (1365, 2048));
    // Its widest grid size is as long as the preview, never longer (a client may load it).
    let widest = r.grid.last().unwrap();
    assert_eq!((widest.width, widest.height), (1365, 2048));
    assert_eq!(widest.height, PREVIEW.long_edge);
    assert_eq!(PREVIEW.long_edge, proofsheet_policy::MAX_GRID_LONG_EDGE);
    let img = decode_webp(widest);
    assert_eq!(nearest(img.get_pixel(300, 500).0), BLUE);
    assert_eq!(nearest(img.get_pixel(1000, 500).0), RED);
}

#[test]
fn a_narrow_photo_is_never_upscaled_for_the_grid() {
    let r = render(&jpeg(&gradient(700, 300)), &no_mark());
    let sizes: Vec<(u32, u32)> = r.grid.iter().map(|g| (g.width, g.height)).collect();
    assert_eq!(sizes, vec![(240, 103), (360, 154), (480, 206), (700, 300)]);
    let tiny = render(&png_rgb(&gradient(37, 23)), &Watermark::text("© Tiny"));
    assert_eq!(
        (tiny.grid.len(), tiny.grid[0].width, tiny.grid[0].height),
        (1, 37, 23)
    );
    decode_webp(&tiny.grid_watermarked[0]);
}

#[test]
fn the_grid_sizes_keep_the_colour_profile() {
    let profile = noise(3000, 9);
    let r = render(
        &with_profile(&gradient(600, 400), &profile),
        &Watermark::text("© Test"),
    );
    for size in r.grid.iter().chain(&r.grid_watermarked) {
        use image::ImageDecoder as _;
        let mut decoder =
            image::codecs::webp::WebPDecoder::new(std::io::Cursor::new(&size.webp)).unwrap();
        assert_eq!(
            decoder.icc_profile().unwrap().as_deref(),
            Some(&profile[..]),
            "{size:?}"
        );
    }
}

/// `image` as a JPEG carrying `profile` as its ICC profile.
fn with_profile(image: &image::RgbImage, profile: &[u8]) -> Vec<u8> {
    let mut original = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut original, 90);
    encoder.add_icc_profile(profile).unwrap();
    let (w, h) = image.dimensions();
    encoder
        .encode(
            image.as_raw(),
            w as u16,
            h as u16,
            jpeg_encoder::ColorType::Rgb,
        )
        .unwrap();
    original
}

/// A strip taller than WebP can hold (16383 px) still gets its grid size: the grid is never
/// longer than the preview.
#[test]
fn a_strip_taller_than_webp_allows_gets_a_grid_size_as_long_as_its_preview() {
    let r = render(&png_rgb(&gradient(40, 17_000)), &no_mark());
    let sizes: Vec<(u32, u32)> = r.grid.iter().map(|g| (g.width, g.height)).collect();
    assert_eq!(sizes, vec![(4, 1700)]);
    decode_webp(&r.grid_watermarked[0]);
}
