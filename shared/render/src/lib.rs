//! Image work for Proofsheet's ingest path: validate an uploaded original and
//! produce the JPEG renditions a gallery serves.
//!
//! An ingest worker hands [`render_renditions`] the bytes of a photographer's
//! original (JPEG or PNG, recognised by content, never by file name) and gets
//! back a clean and a watermarked thumbnail and preview, plus the original's
//! size after EXIF orientation. Everything here is pure compute on byte
//! slices: no I/O, no AWS, no global state, so one call can be tested and
//! reasoned about alone. Uploads are hostile until proven otherwise, so
//! decoding runs under explicit limits checked from the header before any
//! pixel buffer is allocated, and a decoder panic is caught and reported as
//! [`RenderError::DecoderPanicked`] instead of taking the worker down. Every
//! error's `Display` is written to be shown to the photographer as the reason
//! a photo was rejected, and [`RenderError::code`] gives a stable code for
//! storage and metrics. Storage keys, retries and bookkeeping belong to the
//! caller.
//!
//! A download worker hands [`render_download`] the same originals and gets
//! one JPEG at the size the client picked, watermarked with a
//! [`PreparedWatermark`] decoded once per download request. Downloads are where speed and
//! memory count (a whole gallery at once), so their JPEGs go through
//! libjpeg-turbo's SIMD codec, shrunk in the DCT on load when the target is
//! at most half the original (`libjpeg` module); ingest keeps the strict
//! pure-Rust decoder, the gate every original passed.

mod decode;
mod download;
mod encode;
mod libjpeg;
mod logo;
mod metadata;
mod resize;
mod watermark;
mod webp;

use std::panic::{AssertUnwindSafe, catch_unwind};

use serde::{Deserialize, Serialize};

pub use download::{DownloadSpec, PreparedWatermark, render_download};
pub use logo::BrandLogoPng;
pub use metadata::capture_time;
pub use resize::target_size;

/// Decoding limits: a decompression bomb must fail this one photo with a
/// clear reason instead of exhausting the worker's memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DecodeLimits {
    pub max_width: u32,
    pub max_height: u32,
    pub max_pixels: u64,
    /// Largest decoded pixel buffer allowed. Decoders need some working
    /// memory on top (progressive JPEGs up to about twice this), so size the
    /// worker's memory with headroom.
    pub max_alloc_bytes: u64,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        Self {
            max_width: 20_000,
            max_height: 20_000,
            max_pixels: 120_000_000,
            max_alloc_bytes: 1 << 30,
        }
    }
}

/// What a watermark shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    /// A line of text, drawn white with a dark outline.
    Text(String),
    /// PNG bytes of a logo; its alpha channel is respected.
    Logo(Vec<u8>),
}

/// Where the watermark sits on the rendition: the photographer's choice, as the policy names it.
pub use proofsheet_policy::Position;

/// A photographer's watermark settings. The mark is kept clear of the edges
/// by 2% of the rendition's shorter side, and is never drawn smaller than
/// 12 px on either side of its box, however small the rendition or the
/// scale: a rendition smaller than that shows part of the mark, clipped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Watermark {
    pub mark: Mark,
    #[serde(default)]
    pub position: Position,
    /// 0 (invisible) ..= 1 (opaque). Out-of-range values are clamped.
    #[serde(default = "default_opacity")]
    pub opacity: f32,
    /// Width of the mark as a fraction of the rendition's width, in (0, 1];
    /// a mark this would make under the minimum size is drawn at the minimum.
    #[serde(default = "default_scale")]
    pub scale: f32,
}

/// Default [`Watermark::opacity`].
pub const DEFAULT_OPACITY: f32 = 0.5;
/// Default [`Watermark::scale`].
pub const DEFAULT_SCALE: f32 = 0.2;

fn default_opacity() -> f32 {
    DEFAULT_OPACITY
}

fn default_scale() -> f32 {
    DEFAULT_SCALE
}

impl Watermark {
    /// A text watermark with the default position, opacity and scale.
    pub fn text(text: impl Into<String>) -> Self {
        Self::with_mark(Mark::Text(text.into()))
    }

    /// A logo watermark (PNG bytes) with the default position, opacity and scale.
    pub fn logo(png: Vec<u8>) -> Self {
        Self::with_mark(Mark::Logo(png))
    }

    fn with_mark(mark: Mark) -> Self {
        Self {
            mark,
            position: Position::default(),
            opacity: DEFAULT_OPACITY,
            scale: DEFAULT_SCALE,
        }
    }
}

/// Size and quality of one rendition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenditionSpec {
    /// Longest edge in pixels; smaller originals keep their size.
    pub long_edge: u32,
    /// JPEG quality, 1..=100.
    pub jpeg_quality: u8,
}

/// Grid-sized rendition.
pub const THUMBNAIL: RenditionSpec = RenditionSpec {
    long_edge: 480,
    jpeg_quality: 80,
};

/// Full-screen viewing rendition.
pub const PREVIEW: RenditionSpec = RenditionSpec {
    long_edge: 2048,
    jpeg_quality: 85,
};

/// WebP quality of the grid's renditions: tiles are seen small and whole, where 78 shows no
/// loss on photos and weighs about half a JPEG of the same look.
pub const GRID_WEBP_QUALITY: f32 = 78.0;

/// One of a photo's grid sizes ([`proofsheet_policy::GRID_WIDTHS`]), as lossy WebP.
#[derive(Clone, PartialEq, Eq)]
pub struct GridRendition {
    /// Lossy WebP, with the original's ICC profile when it has one.
    pub webp: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

impl std::fmt::Debug for GridRendition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GridRendition")
            .field("webp_len", &self.webp.len())
            .field("width", &self.width)
            .field("height", &self.height)
            .finish()
    }
}

/// One encoded rendition.
#[derive(Clone, PartialEq, Eq)]
pub struct Rendition {
    /// Baseline JPEG, 4:2:0 chroma subsampling, ICC profile of the original kept.
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

impl std::fmt::Debug for Rendition {
    // The bytes are useless in logs and test failures; their length is not.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rendition")
            .field("jpeg_len", &self.jpeg.len())
            .field("width", &self.width)
            .field("height", &self.height)
            .finish()
    }
}

/// Everything produced for one original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Renditions {
    /// Original width after EXIF orientation.
    pub width: u32,
    /// Original height after EXIF orientation.
    pub height: u32,
    /// When the photo was taken (EXIF `DateTimeOriginal`, Unix seconds); `None` when the file
    /// doesn't say or says something unusable (see [`capture_time`]).
    pub captured_at: Option<u64>,
    pub thumbnail: Rendition,
    pub thumbnail_watermarked: Rendition,
    pub preview: Rendition,
    pub preview_watermarked: Rendition,
    /// The grid's sizes ([`proofsheet_policy::grid_widths`] of `width`), narrowest first.
    pub grid: Vec<GridRendition>,
    /// The same sizes with the watermark.
    pub grid_watermarked: Vec<GridRendition>,
}

/// Why a photo (or a watermark logo) was rejected. `Display` is meant for the
/// photographer; [`RenderError::code`] is for machines.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    #[error("This file is not an image we can read. Please upload a JPEG or PNG photo.")]
    NotAnImage,
    #[error("This file type is not supported ({0}). Please upload a JPEG or PNG photo.")]
    UnsupportedFormat(String),
    #[error(
        "This photo is {width} × {height} pixels, which is over the limit of {max_width} × {max_height} pixels and {} megapixels. Please upload a smaller export.",
        .max_pixels / 1_000_000
    )]
    TooLarge {
        width: u32,
        height: u32,
        max_width: u32,
        max_height: u32,
        max_pixels: u64,
    },
    #[error("This photo is over our size limits: {0}. Please upload a smaller export.")]
    LimitExceeded(String),
    #[error(
        "This photo looks damaged or incomplete and could not be read ({0}). Please export it again and re-upload."
    )]
    Corrupt(String),
    /// The file stops before its end marker: a cut-off upload or an export
    /// that did not finish. Decoders would fill the rest with grey.
    #[error(
        "This photo's file ends early: the upload was cut off or the export is incomplete. Please upload it again."
    )]
    Truncated,
    #[error(
        "The watermark logo can't be used: {0}. Please upload a PNG logo of at most 4000 × 4000 pixels."
    )]
    LogoInvalid(String),
    #[error(
        "This file could not be read safely: it made the image decoder fail. Please export it again and re-upload."
    )]
    DecoderPanicked,
    #[error(
        "Something went wrong on our side while processing this photo ({0}). Please try again later."
    )]
    Internal(String),
}

impl RenderError {
    /// Stable snake_case code for storage, metrics and API responses.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotAnImage => "not_an_image",
            Self::UnsupportedFormat(_) => "unsupported_format",
            Self::TooLarge { .. } => "too_large",
            Self::LimitExceeded(_) => "limit_exceeded",
            Self::Corrupt(_) => "corrupt",
            Self::Truncated => "truncated_image",
            Self::LogoInvalid(_) => "logo_invalid",
            Self::DecoderPanicked => "decoder_panicked",
            Self::Internal(_) => "internal",
        }
    }

    /// True when the input itself is at fault, so retrying cannot help and
    /// the photo should be marked rejected. Only [`RenderError::Internal`]
    /// is worth a retry.
    pub fn is_rejection(&self) -> bool {
        !matches!(self, Self::Internal(_))
    }
}

/// Largest logo accepted, per side.
pub const MAX_LOGO_SIDE: u32 = 4000;

/// Decode `original` under `limits`, apply its EXIF orientation and produce
/// the clean and watermarked [`THUMBNAIL`] and [`PREVIEW`] renditions and grid sizes.
pub fn render_renditions(
    original: &[u8],
    watermark: &Watermark,
    limits: &DecodeLimits,
) -> Result<Renditions, RenderError> {
    guarded(|| render_inner(original, watermark, limits))
}

/// The media type of a JPEG or PNG, recognised by its content (never its name or declared
/// type); `None` for anything else, which [`render_renditions`] rejects with its own reason.
pub fn media_type(bytes: &[u8]) -> Option<&'static str> {
    match image::guess_format(bytes).ok()? {
        image::ImageFormat::Jpeg => Some("image/jpeg"),
        image::ImageFormat::Png => Some("image/png"),
        _ => None,
    }
}

/// Check that `png` is a usable watermark logo and return its size.
pub fn validate_logo(png: &[u8]) -> Result<(u32, u32), RenderError> {
    guarded(|| decode::decode_logo(png).map(|logo| logo.dimensions()))
}

/// The photographer's uploaded PNG as their pages and emails show it (see the `logo` module);
/// [`RenderError::LogoInvalid`] says why one can't be.
pub fn brand_logo(png: &[u8]) -> Result<BrandLogoPng, RenderError> {
    guarded(|| logo::prepare(png))
}

/// Runs decoder-facing work so that a panic in a codec fails this one call
/// instead of unwinding through the worker.
fn guarded<T>(f: impl FnOnce() -> Result<T, RenderError>) -> Result<T, RenderError> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(Err(RenderError::DecoderPanicked))
}

fn render_inner(
    original: &[u8],
    watermark: &Watermark,
    limits: &DecodeLimits,
) -> Result<Renditions, RenderError> {
    // Logo problems are cheap to find and would waste a full decode.
    let mark = watermark::Prepared::new(watermark)?;
    let decoded = decode::decode(original, limits)?;
    let (width, height) = resize::oriented_size(decoded.image.dimensions(), decoded.orientation);

    let preview =
        resize::downscale_oriented(&decoded.image, decoded.orientation, PREVIEW.long_edge)?;
    let (tw, th) = target_size(width, height, THUMBNAIL.long_edge);
    // Shrinking the preview is far cheaper than shrinking the original again
    // and looks the same at thumbnail size.
    let thumbnail = if tw <= preview.width() && th <= preview.height() {
        resize::resize_rgb(&preview, tw, th)?
    } else {
        resize::downscale_oriented(&decoded.image, decoded.orientation, THUMBNAIL.long_edge)?
    };
    // Widest first: each size is shrunk from the narrowest one made at least twice its width
    // (where Lanczos stays sharp, the work is small, and no size is a copy of a copy of a copy),
    // else from the preview, which no size outgrows (the policy keeps grid sizes within the
    // preview's long edge).
    let mut grid: Vec<image::RgbImage> = Vec::new();
    for &w in proofsheet_policy::grid_widths(width, height).iter().rev() {
        let h = resize::height_at_width((width, height), w);
        let source = grid
            .iter()
            .rev()
            .find(|made| made.width() >= 2 * w)
            .unwrap_or(&preview);
        let size = resize::resize_rgb(source, w, h)?;
        grid.push(size);
    }
    grid.reverse();
    let icc = decoded.icc;
    let captured_at = decoded.captured_at;
    drop(decoded.image);

    let build = |clean: image::RgbImage,
                 spec: RenditionSpec|
     -> Result<(Rendition, Rendition), RenderError> {
        let mut marked = clean.clone();
        mark.apply(&mut marked)?;
        Ok((
            encode::rendition(&clean, spec.jpeg_quality, icc.as_deref())?,
            encode::rendition(&marked, spec.jpeg_quality, icc.as_deref())?,
        ))
    };
    let (thumbnail, thumbnail_watermarked) = build(thumbnail, THUMBNAIL)?;
    let (preview, preview_watermarked) = build(preview, PREVIEW)?;
    let webp = |image: &image::RgbImage| -> Result<GridRendition, RenderError> {
        Ok(GridRendition {
            webp: webp::encode(image, GRID_WEBP_QUALITY, icc.as_deref())?,
            width: image.width(),
            height: image.height(),
        })
    };
    let mut grid_clean = Vec::with_capacity(grid.len());
    let mut grid_watermarked = Vec::with_capacity(grid.len());
    for mut size in grid {
        grid_clean.push(webp(&size)?);
        mark.apply(&mut size)?;
        grid_watermarked.push(webp(&size)?);
    }

    Ok(Renditions {
        width,
        height,
        captured_at,
        thumbnail,
        thumbnail_watermarked,
        preview,
        preview_watermarked,
        grid: grid_clean,
        grid_watermarked,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guarded_turns_a_panic_into_decoder_panicked() {
        let result: Result<(), RenderError> = guarded(|| panic!("hostile file"));
        assert_eq!(result, Err(RenderError::DecoderPanicked));
    }

    #[test]
    fn guarded_passes_results_through() {
        assert_eq!(guarded(|| Ok::<_, RenderError>(7)), Ok(7));
        assert_eq!(
            guarded(|| Err::<(), _>(RenderError::NotAnImage)),
            Err(RenderError::NotAnImage)
        );
    }
}
