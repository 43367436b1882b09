//! What one photo costs to ingest and to download, measured on real photos for `scripts/cost`:
//! for each JPEG in a folder, one at a time on one thread (as one Lambda invocation renders
//! one photo), the ingest renders (the four renditions, as the ingest worker makes them) and a
//! download render at each size a ZIP can hold (watermarked, at the worker's default quality),
//! with their wall time and the bytes they come to.
//!
//! ```text
//! cargo run --release -p proofsheet-render --example cost_sample -- PHOTO_DIR WATERMARK.png [QUALITY]
//! ```
//! Prints one JSON object per photo, one per line (no JSON library: the crate has none).

use std::time::Instant;

use proofsheet_render::{
    DecodeLimits, DownloadSpec, PreparedWatermark, Watermark, render_download, render_renditions,
};

fn main() {
    let mut args = std::env::args().skip(1);
    let usage = "usage: cost_sample PHOTO_DIR WATERMARK.png [QUALITY (default 90)]";
    let dir = args.next().expect(usage);
    let logo = std::fs::read(args.next().expect(usage)).expect("watermark");
    let quality: u8 = args.next().map_or(90, |q| q.parse().expect(usage));
    let watermark = Watermark::logo(logo);
    let prepared = PreparedWatermark::new(&watermark).expect("a usable watermark");
    let limits = DecodeLimits::default();

    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("photo dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("jpg") || x.eq_ignore_ascii_case("jpeg"))
        })
        .collect();
    files.sort();
    for path in files {
        let original = std::fs::read(&path).expect("read");
        let started = Instant::now();
        let r = render_renditions(&original, &watermark, &limits).expect("render");
        let ingest_ms = started.elapsed().as_secs_f64() * 1e3;
        let mut line = format!(
            "{{\"file\":\"{}\",\"bytes\":{},\"width\":{},\"height\":{},\"ingest_ms\":{ingest_ms:.1},\
             \"thumbnail\":{},\"thumbnail_watermarked\":{},\"preview\":{},\"preview_watermarked\":{}",
            path.file_name().unwrap().to_string_lossy(),
            original.len(),
            r.width,
            r.height,
            r.thumbnail.jpeg.len(),
            r.thumbnail_watermarked.jpeg.len(),
            r.preview.jpeg.len(),
            r.preview_watermarked.jpeg.len(),
        );
        // Web and high, as `proofsheet_policy::Resolution` sizes them; the original is copied.
        for (name, long_edge) in [("web", 2048), ("high", 4096)] {
            let spec = DownloadSpec {
                long_edge: Some(long_edge),
                jpeg_quality: quality,
            };
            let started = Instant::now();
            let file = render_download(&original, spec, Some(&prepared), &limits).expect("render");
            let ms = started.elapsed().as_secs_f64() * 1e3;
            line.push_str(&format!(
                ",\"{name}_ms\":{ms:.1},\"{name}_bytes\":{}",
                file.jpeg.len()
            ));
        }
        line.push('}');
        println!("{line}");
    }
}
