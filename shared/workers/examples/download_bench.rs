//! The download worker's render-and-zip path on local files, timed: the same render call
//! (`render_download` through the worker's [`RenderPool`], as many at once as `--concurrency`)
//! and the same ZIP streamer ([`ZipStreamer`], parts of [`PART_SIZE`], split at
//! `--max-zip-bytes`) as `proofsheet_workers::download`, with S3 swapped for files. Benchmarked
//! against the sharp + archiver anchor by `scripts/bench-download`; it prints the anchor's line.
//!
//! ```text
//! download_bench PHOTO_DIR WATERMARK.png OUT.zip [--max-edge N (0 = original size, default 2048)]
//!     [--quality Q (default 85)] [--concurrency C (default 2)] [--no-watermark]
//!     [--copy (original bytes untouched, streamed in chunks)]
//!     [--max-zip-bytes B (default 2 GiB; a split download writes OUT.zip, OUT-2.zip, ...)]
//! ```
//!
//! Each photo is read inside its own render task, as the worker fetches each original, so
//! memory holds what the worker's would: the photos in flight and one ZIP part.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Instant, UNIX_EPOCH};

use bytes::Bytes;
use futures::StreamExt;
use proofsheet_policy::archive::entry_names;
use proofsheet_render::{DownloadSpec, Mark, Position, PreparedWatermark, RenderError, Watermark};
use proofsheet_workers::download::RenderPool;
use proofsheet_workers::download::s3_sink::PART_SIZE;
use proofsheet_workers::download::zip_stream::{
    Entry, EntryContent, PackError, ZipSink, ZipStreamer, streamed,
};

/// Chunk size of a copied original, about what an S3 body stream hands over at a time.
const COPY_CHUNK: usize = 64 << 10;

const USAGE: &str = "usage: download_bench PHOTO_DIR WATERMARK.png OUT.zip [--max-edge N (0 = original size, default 2048)] [--quality Q (default 85)] [--concurrency C (default 2)] [--no-watermark] [--copy] [--max-zip-bytes B (default 2 GiB)]";

struct Options {
    photo_dir: PathBuf,
    watermark: PathBuf,
    out: PathBuf,
    max_edge: u32,
    quality: u8,
    concurrency: usize,
    watermarked: bool,
    copy: bool,
    max_zip_bytes: u64,
}

fn parse_args() -> Result<Options, String> {
    let mut args = std::env::args().skip(1);
    let mut positional = Vec::new();
    let mut options = Options {
        photo_dir: PathBuf::new(),
        watermark: PathBuf::new(),
        out: PathBuf::new(),
        max_edge: 2048,
        quality: 85,
        concurrency: 2,
        watermarked: true,
        copy: false,
        max_zip_bytes: 2 << 30,
    };
    fn value<T: std::str::FromStr>(flag: &str, v: Option<String>) -> Result<T, String> {
        v.as_deref()
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("{flag} needs a number"))
    }
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--max-edge" => options.max_edge = value(&arg, args.next())?,
            "--quality" => options.quality = value(&arg, args.next())?,
            "--concurrency" => options.concurrency = value::<usize>(&arg, args.next())?.max(1),
            "--max-zip-bytes" => options.max_zip_bytes = value(&arg, args.next())?,
            "--no-watermark" => options.watermarked = false,
            "--copy" => options.copy = true,
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            _ => positional.push(PathBuf::from(arg)),
        }
    }
    let [photo_dir, watermark, out] = <[PathBuf; 3]>::try_from(positional)
        .map_err(|_| "expected PHOTO_DIR WATERMARK.png OUT.zip".to_owned())?;
    options.photo_dir = photo_dir;
    options.watermark = watermark;
    options.out = out;
    Ok(options)
}

/// The ZIPs into files: `OUT.zip`, then `OUT-2.zip`, `OUT-3.zip`, ... when split.
struct FileSink {
    first: PathBuf,
    open: Option<File>,
    files: Vec<PathBuf>,
}

impl FileSink {
    fn path(&self, number: usize) -> PathBuf {
        if number == 1 {
            return self.first.clone();
        }
        let stem = self
            .first
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let ext = self
            .first
            .extension()
            .map(|e| format!(".{}", e.to_string_lossy()))
            .unwrap_or_default();
        self.first.with_file_name(format!("{stem}-{number}{ext}"))
    }
}

fn io_error(what: &str, path: &Path, e: std::io::Error) -> PackError {
    PackError(format!("{what} {}: {e}", path.display()))
}

// Plain blocking writes: a part lands in the page cache in milliseconds, and `tokio::fs` would
// queue it on the blocking pool behind the renders (which that pool is sized for).
impl ZipSink for FileSink {
    async fn open(&mut self, number: usize) -> Result<(), PackError> {
        let path = self.path(number);
        let file = File::create(&path).map_err(|e| io_error("creating", &path, e))?;
        self.open = Some(file);
        self.files.push(path);
        Ok(())
    }

    async fn write(&mut self, bytes: Vec<u8>) -> Result<(), PackError> {
        let file = self
            .open
            .as_mut()
            .ok_or_else(|| PackError("a part with no open file".into()))?;
        file.write_all(&bytes)
            .map_err(|e| io_error("writing", self.files.last().expect("open"), e))
    }

    async fn close(&mut self) -> Result<(), PackError> {
        self.open
            .take()
            .ok_or_else(|| PackError("closing with no open file".into()))?;
        Ok(())
    }
}

/// A photo to put in the ZIP.
struct Photo {
    path: PathBuf,
    entry_name: String,
    modified: u64,
}

/// One photo's entry and its source megapixels, or why it was left out (inner `Err`); the
/// outer `Err` is a fault on our side, which fails the worker's job.
type Rendered = Result<Result<(Entry, f64), String>, String>;

/// Reads and renders one photo through the worker's render pool (at most `--concurrency` at
/// once, the stream running ahead), as the worker's `entry_for` does.
async fn render_one(
    pool: &RenderPool,
    photo: Photo,
    spec: DownloadSpec,
    watermark: Option<Arc<PreparedWatermark>>,
) -> Rendered {
    let original = match tokio::fs::read(&photo.path).await {
        Ok(bytes) => bytes,
        Err(e) => return Ok(Err(format!("{}: {e}", photo.path.display()))),
    };
    // What sharp's metadata() counts: the stored size.
    let megapixels = image::ImageReader::new(std::io::Cursor::new(&original))
        .with_guessed_format()
        .ok()
        .and_then(|r| r.into_dimensions().ok())
        .map_or(0.0, |(w, h)| f64::from(w) * f64::from(h) / 1e6);
    match pool.render(original, spec, watermark).await {
        Ok(Ok(rendition)) => Ok(Ok((
            Entry {
                name: photo.entry_name,
                modified: photo.modified,
                content: EntryContent::Whole(rendition.jpeg),
            },
            megapixels,
        ))),
        Ok(Err(failure @ RenderError::Internal(_))) => Err(format!(
            "rendering {} failed on our side: {failure}",
            photo.path.display()
        )),
        Ok(Err(reason)) => Ok(Err(format!("{}: {}", photo.path.display(), reason.code()))),
        Err(e) => Err(e.to_string()),
    }
}

/// The original's bytes, streamed in chunks as the worker streams an S3 body.
async fn copy_one(photo: Photo) -> Rendered {
    let opened = File::open(&photo.path).and_then(|file| Ok((file.metadata()?.len(), file)));
    let (len, file) = match opened {
        Ok(opened) => opened,
        Err(e) => return Ok(Err(format!("{}: {e}", photo.path.display()))),
    };
    let chunks = futures::stream::unfold(file, |mut file| async move {
        let mut chunk = vec![0; COPY_CHUNK];
        match file.read(&mut chunk) {
            Ok(0) => None,
            Ok(n) => {
                chunk.truncate(n);
                Some((Ok(Bytes::from(chunk)), file))
            }
            Err(e) => Some((Err(e), file)),
        }
    });
    Ok(Ok((
        Entry {
            name: photo.entry_name,
            modified: photo.modified,
            content: streamed(len, chunks),
        },
        0.0,
    )))
}

fn list_photos(dir: &Path, as_jpeg: bool) -> std::io::Result<Vec<Photo>> {
    let mut files: Vec<(String, PathBuf, u64)> = Vec::new();
    for item in std::fs::read_dir(dir)? {
        let item = item?;
        let name = item.file_name().to_string_lossy().into_owned();
        let lower = name.to_ascii_lowercase();
        if !(lower.ends_with(".jpg") || lower.ends_with(".jpeg")) {
            continue;
        }
        let modified = std::fs::metadata(item.path())?
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_secs());
        files.push((name, item.path(), modified));
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let names = entry_names(files.iter().map(|(name, _, _)| name.as_str()), as_jpeg);
    Ok(files
        .into_iter()
        .zip(names)
        .map(|((_, path, modified), entry_name)| Photo {
            path,
            entry_name,
            modified,
        })
        .collect())
}

async fn run(options: Options) -> Result<(), String> {
    let photos = list_photos(&options.photo_dir, !options.copy)
        .map_err(|e| format!("listing {}: {e}", options.photo_dir.display()))?;
    let images = photos.len();
    let started = Instant::now();

    let watermark = if options.watermarked && !options.copy {
        let png = std::fs::read(&options.watermark)
            .map_err(|e| format!("reading {}: {e}", options.watermark.display()))?;
        // As sharp's anchor: the PNG's own alpha, bottom right, a fifth of the width.
        let watermark = Watermark {
            mark: Mark::Logo(png),
            position: Position::BottomRight,
            opacity: 1.0,
            scale: 0.2,
        };
        let prepared = PreparedWatermark::new(&watermark).map_err(|e| e.to_string())?;
        Some(Arc::new(prepared))
    } else {
        None
    };
    let spec = DownloadSpec {
        long_edge: (options.max_edge > 0).then_some(options.max_edge),
        jpeg_quality: options.quality,
    };
    let copy = options.copy;

    let sink = FileSink {
        first: options.out.clone(),
        open: None,
        files: Vec::new(),
    };
    let mut zips = ZipStreamer::new(sink, options.max_zip_bytes, PART_SIZE);
    let pool = RenderPool::new(options.concurrency);
    let mut entries = futures::stream::iter(photos)
        .map(|photo| {
            let watermark = watermark.clone();
            let pool = &pool;
            async move {
                if copy {
                    copy_one(photo).await
                } else {
                    render_one(pool, photo, spec, watermark).await
                }
            }
        })
        // In the order they finish, as the worker does.
        .buffer_unordered(pool.lookahead());
    let mut megapixels = 0.0;
    let mut left_out = 0;
    while let Some(entry) = entries.next().await {
        match entry? {
            Ok((entry, mp)) => {
                megapixels += mp;
                zips.add(entry).await.map_err(|e| e.0)?;
            }
            Err(reason) => {
                eprintln!("left out: {reason}");
                left_out += 1;
            }
        }
    }
    drop(entries);
    let (sink, summaries) = zips.finish().await.map_err(|e| e.0)?;
    let seconds = started.elapsed().as_secs_f64();

    let zip_bytes: u64 = summaries.iter().map(|z| z.bytes).sum();
    let mp = if megapixels > 0.0 {
        format!(
            " input_megapixels={megapixels:.1} megapixels_per_sec={:.1}",
            megapixels / seconds
        )
    } else {
        String::new()
    };
    let mut extra = String::new();
    if sink.files.len() > 1 {
        extra += &format!(" zips={}", sink.files.len());
    }
    if left_out > 0 {
        extra += &format!(" left_out={left_out}");
    }
    println!(
        "images={images} seconds={seconds:.3} images_per_sec={:.2}{mp} zip_bytes={zip_bytes}{extra}",
        images as f64 / seconds
    );
    Ok(())
}

fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(options) => options,
        Err(e) => {
            eprintln!("{e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    // At most `concurrency` photos decode at once (the blocking pool), as sharp's
    // `--concurrency`; the async side only moves bytes into the ZIP.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(options.concurrency)
        .max_blocking_threads(options.concurrency)
        .build()
        .expect("a tokio runtime");
    match runtime.block_on(run(options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("download_bench: {e}");
            ExitCode::FAILURE
        }
    }
}
