//! Bombs, damaged files and things that are not photos.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use common::*;
use image::{Rgba, RgbaImage};
use proofsheet_render::{
    DecodeLimits, Mark, RenderError, Watermark, render_renditions, validate_logo,
};

/// Counts the bytes this thread has allocated and not freed, and their peak: a bomb must be
/// refused from its header, before its pixels are allocated. (Memory, not time: a timed check
/// fails on a busy machine and proves less.)
struct Counting;

thread_local! {
    static LIVE: Cell<usize> = const { Cell::new(0) };
    static PEAK: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = LIVE.try_with(|live| {
            live.set(live.get() + layout.size());
            let _ = PEAK.try_with(|peak| peak.set(peak.get().max(live.get())));
        });
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let _ = LIVE.try_with(|live| live.set(live.get().saturating_sub(layout.size())));
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// `work`'s result, and the most it held allocated at once on this thread.
fn peak_allocation<T>(work: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.with(Cell::get);
    PEAK.with(|peak| peak.set(base));
    let result = work();
    (result, PEAK.with(Cell::get) - base)
}

/// Far below a bomb's pixels (60,000² RGB is 10.8 GB), far above what reading a header takes.
const HEADER_ONLY: usize = 16 << 20;

fn try_render(bytes: &[u8]) -> Result<proofsheet_render::Renditions, RenderError> {
    render_renditions(bytes, &Watermark::text("© Test"), &DecodeLimits::default())
}

fn assert_too_large(result: Result<proofsheet_render::Renditions, RenderError>, w: u32, h: u32) {
    match result {
        Err(RenderError::TooLarge { width, height, .. }) => assert_eq!((width, height), (w, h)),
        other => panic!("expected TooLarge, got {other:?}"),
    }
}

/// The control: decoding a real photo's worth of pixels shows in the count.
#[test]
fn the_allocation_count_sees_a_real_decode() {
    let photo = jpeg(&solid(3000, 2000, GREY));
    let (result, peak) = peak_allocation(|| try_render(&photo));
    assert!(result.is_ok());
    assert!(peak > HEADER_ONLY, "{peak} bytes");
}

#[test]
fn png_bomb_fails_fast_with_its_size() {
    let bomb = patch_png_size(&png_rgb(&solid(1, 1, GREY)), 60_000, 60_000);
    let (result, peak) = peak_allocation(|| try_render(&bomb));
    assert!(peak < HEADER_ONLY, "{peak} bytes");
    assert_too_large(result, 60_000, 60_000);
}

#[test]
fn png_bomb_declaring_100000_square_fails_fast() {
    let bomb = patch_png_size(&png_rgb(&solid(4, 4, GREY)), 100_000, 100_000);
    let (result, peak) = peak_allocation(|| try_render(&bomb));
    assert!(peak < HEADER_ONLY, "{peak} bytes");
    let err = result.unwrap_err();
    assert_eq!(err.code(), "too_large");
    assert!(err.to_string().contains("100000 × 100000"), "{err}");
}

#[test]
fn png_within_sides_but_over_pixel_budget_is_too_large() {
    // 20000 x 6001 passes the per-side limit but is over 120 megapixels.
    let bomb = patch_png_size(&png_rgb(&solid(1, 1, GREY)), 20_000, 6_001);
    assert_too_large(try_render(&bomb), 20_000, 6_001);
}

#[test]
fn jpeg_bomb_fails_fast_with_its_size() {
    let bomb = patch_jpeg_size(&jpeg(&solid(16, 16, GREY)), 60_000, 60_000);
    let (result, peak) = peak_allocation(|| try_render(&bomb));
    assert!(peak < HEADER_ONLY, "{peak} bytes");
    assert_too_large(result, 60_000, 60_000);
}

#[test]
fn custom_pixel_limit_is_enforced() {
    let limits = DecodeLimits {
        max_pixels: 100_000,
        ..DecodeLimits::default()
    };
    let result = render_renditions(&jpeg(&gradient(400, 300)), &no_mark(), &limits);
    assert!(
        matches!(result, Err(RenderError::TooLarge { .. })),
        "{result:?}"
    );
}

#[test]
fn custom_side_limit_is_enforced() {
    let limits = DecodeLimits {
        max_width: 300,
        ..DecodeLimits::default()
    };
    let result = render_renditions(&png_rgb(&gradient(400, 100)), &no_mark(), &limits);
    assert!(
        matches!(result, Err(RenderError::TooLarge { .. })),
        "{result:?}"
    );
}

#[test]
fn alloc_limit_is_enforced() {
    let limits = DecodeLimits {
        max_alloc_bytes: 100_000,
        ..DecodeLimits::default()
    };
    for bytes in [png_rgb(&gradient(400, 300)), jpeg(&gradient(400, 300))] {
        let result = render_renditions(&bytes, &no_mark(), &limits);
        assert!(
            matches!(result, Err(RenderError::LimitExceeded(_))),
            "{result:?}"
        );
    }
}

/// Cut points inside the headers, at the start of the first scan, inside
/// the data and just before the end-of-image marker.
fn cuts(full: &[u8]) -> Vec<usize> {
    let scan = scan_data_start(full, scan_offsets(full)[0]);
    let n = full.len();
    vec![3, 20, 200, scan - 1, scan, n / 3, n / 2, n - 2, n - 1]
}

fn assert_truncated(full: &[u8], cuts: &[usize]) {
    for &cut in cuts {
        // A lenient decoder paints the missing part grey and calls it a photo.
        let result = try_render(&full[..cut]);
        assert_eq!(
            result.map(|r| (r.width, r.height)),
            Err(RenderError::Truncated),
            "cut at {cut} of {}",
            full.len()
        );
    }
}

#[test]
fn truncated_jpeg_is_rejected_as_truncated() {
    let full = jpeg(&gradient(300, 200));
    assert_truncated(&full, &cuts(&full));
    let err = try_render(&full[..full.len() / 3]).unwrap_err();
    assert_eq!(err.code(), "truncated_image");
}

#[test]
fn truncated_progressive_jpeg_is_rejected_as_truncated() {
    let full = progressive_jpeg(&gradient(300, 200));
    let scans = scan_offsets(&full);
    assert!(scans.len() > 2, "{} scans", scans.len());
    // Cut between two scans, a lenient decoder shows a blurry photo.
    let mut at = cuts(&full);
    at.extend(&scans[1..]);
    assert_truncated(&full, &at);
}

#[test]
fn truncated_jpeg_with_an_exif_thumbnail_is_still_truncated() {
    // The thumbnail inside the EXIF block ends with its own end-of-image
    // marker; that is not the photo's end.
    let thumbnail = jpeg(&gradient(160, 120));
    let full = with_exif_thumbnail(&jpeg(&gradient(300, 200)), 1, &thumbnail);
    assert!(try_render(&full).is_ok());
    let main_scan = *scan_offsets(&full).last().unwrap();
    assert!(main_scan > thumbnail.len());
    let n = full.len();
    assert_truncated(&full, &[100, main_scan, main_scan + 20, n / 2, n - 2]);
}

#[test]
fn jpeg_with_bytes_after_its_end_is_accepted() {
    // Some cameras and phones append data after the image: padding, a
    // second picture (MPF) or a gain map.
    let full = jpeg(&quadrants(300, 200));
    let mut padded = full.clone();
    padded.extend_from_slice(&[0; 512]);
    let mut second_picture = full.clone();
    second_picture.extend_from_slice(&jpeg(&gradient(64, 48)));
    let mut junk = full.clone();
    junk.extend_from_slice(&noise(1000, 5));
    for (name, bytes) in [
        ("padded", padded),
        ("second picture", second_picture),
        ("junk", junk),
    ] {
        let r = try_render(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!((r.width, r.height), (300, 200), "{name}");
    }
}

/// Overwrite `run` at the middle of the first scan's entropy-coded data.
fn damage_first_scan(full: &[u8], run: &[u8]) -> Vec<u8> {
    let scans = scan_offsets(full);
    let start = scan_data_start(full, scans[0]);
    let end = scans.get(1).copied().unwrap_or(full.len() - 2);
    // Not right after a 0xFF, whose stuffed 0x00 would be overwritten.
    let mut at = (start + end) / 2;
    while full[at - 1] == 0xFF {
        at += 1;
    }
    assert!(at + run.len() < end);
    let mut out = full.to_vec();
    out[at..at + run.len()].copy_from_slice(run);
    out
}

#[test]
fn jpeg_with_damaged_scan_data_is_corrupt() {
    // What zune-jpeg's strict mode detects: a marker that cannot be inside
    // a scan, and a bit sequence no Huffman code matches. Damage that still
    // reads as valid codes (flipped bits, a run of zeros) goes unnoticed:
    // the decoder pads a scan that ends too soon with zero bits and ignores
    // leftover data, so such a photo renders with wrong blocks.
    let all_one_bits = [0xFF, 0x00].repeat(16); // stuffed 0xFF bytes
    let stray_marker = [0x12, 0x34, 0xFF, 0x05, 0x56, 0x78];
    for (kind, full) in [
        ("baseline", jpeg(&gradient(300, 200))),
        ("progressive", progressive_jpeg(&gradient(300, 200))),
    ] {
        assert!(try_render(&full).is_ok(), "{kind}");
        for (damage, run) in [("ones", &all_one_bits[..]), ("marker", &stray_marker)] {
            let err = try_render(&damage_first_scan(&full, run)).unwrap_err();
            assert_eq!(err.code(), "corrupt", "{kind}, {damage}: {err}");
        }
    }
}

#[test]
fn truncated_png_is_rejected_as_truncated() {
    let full = png_rgb(&gradient(300, 200));
    let n = full.len();
    // Without IEND alone the pixels are all there, but the file is still cut.
    for cut in [20, n / 2, n - 12, n - 1] {
        let err = try_render(&full[..cut]).unwrap_err();
        assert_eq!(err.code(), "truncated_image", "cut at {cut} of {n}: {err}");
    }
}

#[test]
fn png_damaged_in_the_middle_is_corrupt() {
    let full = png_rgb(&gradient(300, 200));
    let idat = full.windows(4).position(|w| w == b"IDAT").unwrap();
    let mut bad_crc = full.clone();
    bad_crc[idat + 100] ^= 0x5A;
    let err = try_render(&bad_crc).unwrap_err();
    assert_eq!(err.code(), "corrupt", "{err}");
}

#[test]
fn mangled_files_return_instead_of_unwinding() {
    let sources = [jpeg(&gradient(64, 48)), png_rgb(&gradient(64, 48))];
    let offsets = noise(400, 7);
    for (i, source) in sources.iter().enumerate() {
        for (n, pair) in offsets.chunks(2).enumerate() {
            let mut bytes = source.clone();
            let at = (usize::from(pair[0]) * 256 + usize::from(pair[1])) % bytes.len();
            bytes[at] ^= 0x5A;
            // Reaching the end of this call at all is the test; any error
            // is an acceptable verdict on a damaged file.
            let result = try_render(&bytes);
            if let Err(e) = &result {
                assert!(!e.to_string().is_empty(), "source {i} mutation {n}");
            }
        }
    }
}

#[test]
fn random_bytes_are_not_an_image() {
    assert_eq!(
        try_render(&noise(4096, 42)).unwrap_err(),
        RenderError::NotAnImage
    );
}

#[test]
fn text_files_are_not_images() {
    for text in [
        "Hello, this is a text file.\n".as_bytes(),
        b"BM is a fine pair of initials\n",
        b"",
        b"\xFF",
    ] {
        assert_eq!(
            try_render(text).unwrap_err(),
            RenderError::NotAnImage,
            "{text:?}"
        );
    }
}

#[test]
fn other_image_formats_are_unsupported() {
    let mut heic = vec![0, 0, 0, 24];
    heic.extend_from_slice(b"ftypheic\0\0\0\0mif1heic");
    for (bytes, name) in [
        (b"GIF89a\x01\x00\x01\x00".to_vec(), "GIF"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ".to_vec(), "WebP"),
        (b"II*\x00\x08\x00\x00\x00".to_vec(), "TIFF"),
        (heic, "HEIC"),
    ] {
        match try_render(&bytes) {
            Err(RenderError::UnsupportedFormat(f)) => assert!(f.contains(name), "{f}"),
            other => panic!("{name}: expected UnsupportedFormat, got {other:?}"),
        }
    }
}

#[test]
fn invalid_logos_are_rejected() {
    let cases: [(&str, Vec<u8>); 4] = [
        ("garbage", b"definitely not a png".to_vec()),
        ("jpeg", jpeg(&gradient(50, 50))),
        (
            "oversized",
            patch_png_size(&png_rgb(&solid(1, 1, GREY)), 5000, 100),
        ),
        ("truncated", {
            let png = png_rgb(&gradient(100, 100));
            png[..png.len() / 2].to_vec()
        }),
    ];
    let photo = jpeg(&gradient(100, 100));
    for (name, logo) in cases {
        let err = validate_logo(&logo).unwrap_err();
        assert_eq!(err.code(), "logo_invalid", "{name}: {err}");
        let wm = Watermark {
            mark: Mark::Logo(logo),
            ..Watermark::text("")
        };
        let err = render_renditions(&photo, &wm, &DecodeLimits::default()).unwrap_err();
        assert_eq!(err.code(), "logo_invalid", "{name}: {err}");
    }
}

#[test]
fn largest_allowed_logo_side_is_accepted() {
    let logo = png_rgba(&RgbaImage::from_pixel(4000, 1, Rgba([1, 2, 3, 4])));
    assert_eq!(validate_logo(&logo), Ok((4000, 1)));
}
