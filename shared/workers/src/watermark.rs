//! The gallery's watermark as the renderer takes it, for ingest (view renditions) and the
//! download worker alike.

use proofsheet_app::App;
use proofsheet_policy::WatermarkMode;
use proofsheet_render::{Mark, Watermark};
use proofsheet_store::{GalleryRecord, StoreError, object_keys};

/// The gallery's watermark as the renderer takes it. A logo that is missing or broken falls
/// back to the text mark: a bad logo must neither leave photos unprotected nor reject them.
pub(crate) async fn gallery_watermark(
    app: &App,
    gallery: &GalleryRecord,
) -> Result<Watermark, StoreError> {
    let settings = &gallery.watermark;
    let mark = match settings.mode {
        WatermarkMode::Logo => match app
            .store()
            .object_bytes(
                &object_keys::logo(gallery.owner_id),
                proofsheet_policy::UploadRequest::MAX_LOGO_BYTES,
            )
            .await
        {
            Ok(png) => match proofsheet_render::validate_logo(&png) {
                Ok(_) => Some(Mark::Logo(png)),
                Err(e) => {
                    tracing::warn!(error = %e, "the photographer's logo is unusable; using the text mark");
                    None
                }
            },
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e),
        },
        WatermarkMode::Text => None,
    };
    let mark = match mark {
        Some(mark) => mark,
        None => {
            let name = app
                .store()
                .photographer(gallery.owner_id)
                .await?
                .map(|p| p.name.to_string())
                .unwrap_or_default();
            Mark::Text(settings.text_for(&name))
        }
    };
    Ok(Watermark {
        mark,
        position: settings.position,
        // The renderer blends in f32; the stored settings keep the exact decimal the photographer chose.
        opacity: settings.opacity as f32,
        scale: settings.scale as f32,
    })
}
