//! Ingest throughput over a folder of photos: decode (with limits), orient, and render the
//! renditions (thumbnail and preview as JPEG, the grid's sizes as WebP, each clean and
//! watermarked), as the ingest worker does; and what they weigh, per photo.
//!
//! ```text
//! bash ../shared/bench/fetch-photos.sh /tmp/bench/photos
//! cargo run --release -p proofsheet-render --example ingest_bench -- /tmp/bench/photos [WORKERS] [logo.png]
//! ```
//! Prints `images= seconds= images_per_sec= megapixels_per_sec=` like the bench scripts do, then
//! `jpeg_kib_per_photo= webp_kib_per_photo=`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use proofsheet_render::{DecodeLimits, Watermark, render_renditions};

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .expect("usage: ingest_bench PHOTO_DIR [WORKERS] [LOGO.png]");
    let workers: usize = args.next().and_then(|w| w.parse().ok()).unwrap_or(2);
    let watermark = match args.next() {
        Some(logo) => Watermark::logo(std::fs::read(logo).expect("logo")),
        None => Watermark::text("© Proofsheet Studio"),
    };
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("photo dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("jpg") || x.eq_ignore_ascii_case("jpeg"))
        })
        .collect();
    files.sort();
    let photos: Vec<Vec<u8>> = files
        .iter()
        .map(|p| std::fs::read(p).expect("read"))
        .collect();

    let next = AtomicUsize::new(0);
    let megapixels = std::sync::Mutex::new(0.0f64);
    // Bytes stored: the JPEG renditions, and the grid's WebP sizes.
    let stored = std::sync::Mutex::new((0usize, 0usize));
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(photo) = photos.get(i) else { break };
                    let r = render_renditions(photo, &watermark, &DecodeLimits::default())
                        .expect("render");
                    *megapixels.lock().unwrap() += f64::from(r.width) * f64::from(r.height) / 1e6;
                    let jpeg: usize = [&r.thumbnail, &r.thumbnail_watermarked, &r.preview]
                        .iter()
                        .chain([&&r.preview_watermarked])
                        .map(|rendition| rendition.jpeg.len())
                        .sum();
                    let webp: usize = r
                        .grid
                        .iter()
                        .chain(&r.grid_watermarked)
                        .map(|g| g.webp.len())
                        .sum();
                    let mut stored = stored.lock().unwrap();
                    stored.0 += jpeg;
                    stored.1 += webp;
                }
            });
        }
    });
    let seconds = started.elapsed().as_secs_f64();
    let mp = *megapixels.lock().unwrap();
    println!(
        "images={} seconds={seconds:.2} images_per_sec={:.1} megapixels_per_sec={:.0}",
        photos.len(),
        photos.len() as f64 / seconds,
        mp / seconds
    );
    let (jpeg, webp) = *stored.lock().unwrap();
    let per_photo = |bytes: usize| bytes as f64 / 1024.0 / photos.len().max(1) as f64;
    println!(
        "jpeg_kib_per_photo={:.0} webp_kib_per_photo={:.0}",
        per_photo(jpeg),
        per_photo(webp)
    );
}
