//! The files of `shared/http/assets/`, embedded and named after their content's hash by
//! `build.rs`: `APP_CSS`, `APP_JS`, `ICON_SVG` are their URLs.

/// One embedded file.
pub(crate) struct Asset {
    pub name: &'static str,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

include!(concat!(env!("OUT_DIR"), "/assets.rs"));
