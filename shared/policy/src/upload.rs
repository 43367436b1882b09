//! What may be uploaded as a photo or a watermark logo.

use serde::{Deserialize, Serialize};

use crate::Invalid;
use crate::text::{UnfitName, one_line_name};

/// The image types Proofsheet ingests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContentType {
    #[serde(rename = "image/jpeg")]
    Jpeg,
    #[serde(rename = "image/png")]
    Png,
}

impl ContentType {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "image/jpeg" | "image/jpg" => Ok(Self::Jpeg),
            "image/png" => Ok(Self::Png),
            _ => Err(Invalid::new(
                "content_type",
                "must be image/jpeg or image/png",
            )),
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
        }
    }
}

/// A checked upload request: the presigned PUT is restricted to exactly this type and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadRequest {
    /// The name the photographer's file had, without hidden characters (see [`crate::text`]),
    /// kept for display and download names only; it never becomes part of a storage key.
    pub filename: String,
    pub content_type: ContentType,
    pub size: u64,
}

impl UploadRequest {
    /// A watermark logo is small by nature; anything larger is a mistake (or a photo).
    pub const MAX_LOGO_BYTES: u64 = 2 * 1024 * 1024;

    pub fn parse(
        filename: &str,
        content_type: &str,
        size: u64,
        max_bytes: u64,
    ) -> Result<Self, Invalid> {
        // Browsers may send a full path; only the last component is the file's name.
        let last = filename.rsplit(['/', '\\']).next().unwrap_or_default();
        // A file's name is what the photographer has, not what they typed: what would hide or
        // turn it around is dropped rather than refused, like in the download's ZIP.
        let name = match one_line_name(last) {
            Ok(name) if name != "." && name != ".." => name,
            Ok(_) | Err(UnfitName::NothingVisible) => {
                return Err(Invalid::new("filename", "must name a file"));
            }
            Err(UnfitName::BreaksLine) => {
                return Err(Invalid::new(
                    "filename",
                    "must be at most 255 characters, without control characters",
                ));
            }
        };
        if name.chars().count() > 255 {
            return Err(Invalid::new(
                "filename",
                "must be at most 255 characters, without control characters",
            ));
        }
        if size == 0 {
            return Err(Invalid::new("size", "must be more than 0 bytes"));
        }
        if size > max_bytes {
            return Err(Invalid::new(
                "size",
                format!("must be at most {max_bytes} bytes"),
            ));
        }
        Ok(Self {
            filename: name,
            content_type: ContentType::parse(content_type)?,
            size,
        })
    }

    /// A watermark logo: a PNG (a logo needs its transparency), at most [`Self::MAX_LOGO_BYTES`].
    pub fn parse_logo(content_type: &str, size: u64) -> Result<Self, Invalid> {
        if ContentType::parse(content_type)? != ContentType::Png {
            return Err(Invalid::new(
                "content_type",
                "a watermark logo must be image/png (for its transparency)",
            ));
        }
        Self::parse("logo.png", content_type, size, Self::MAX_LOGO_BYTES)
    }
}

/// Why an uploaded file is not the one its upload URL was issued for. S3 enforces the signed
/// type and size, but ingest checks again: defence in depth, and an emulator enforces neither.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadMismatch {
    #[error(
        "The uploaded file is {actual} bytes, but {declared} bytes were announced. Please upload it again."
    )]
    Size { declared: u64, actual: u64 },
    #[error(
        "The uploaded file was sent as {actual}, but {declared} was announced. Please upload it again."
    )]
    Type { declared: String, actual: String },
    #[error(
        "The uploaded file is a {found} image, but {declared} was announced. Please upload it again with its real type."
    )]
    Content { declared: String, found: String },
}

impl UploadMismatch {
    /// Stable code for storage and the API.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Size { .. } => "size_mismatch",
            Self::Type { .. } | Self::Content { .. } => "type_mismatch",
        }
    }

    /// Whether the file that arrived is the one that was announced: exactly the declared size,
    /// sent as the declared type, and (when its content is a recognised image) of that type.
    pub fn check(
        declared_size: u64,
        declared_type: &str,
        actual_size: u64,
        actual_type: Option<&str>,
        content_type: Option<&str>,
    ) -> Result<(), Self> {
        if actual_size != declared_size {
            return Err(Self::Size {
                declared: declared_size,
                actual: actual_size,
            });
        }
        let actual = actual_type.unwrap_or("no type");
        if !actual.eq_ignore_ascii_case(declared_type) {
            return Err(Self::Type {
                declared: declared_type.to_owned(),
                actual: actual.to_owned(),
            });
        }
        match content_type {
            Some(found) if !found.eq_ignore_ascii_case(declared_type) => Err(Self::Content {
                declared: declared_type.to_owned(),
                found: found.to_owned(),
            }),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_logo_must_be_a_small_png() {
        let logo = UploadRequest::parse_logo("image/png", 10_000).unwrap();
        assert_eq!(logo.content_type, ContentType::Png);
        let jpeg = UploadRequest::parse_logo("image/jpeg", 10_000).unwrap_err();
        assert_eq!(jpeg.field, "content_type");
        let big = UploadRequest::parse_logo("image/png", UploadRequest::MAX_LOGO_BYTES + 1);
        assert_eq!(big.unwrap_err().field, "size");
    }

    #[test]
    fn only_the_last_path_component_is_kept() {
        let upload =
            UploadRequest::parse("C:\\Users\\anna\\IMG_1.JPG", "image/jpeg", 10, 100).unwrap();
        assert_eq!(upload.filename, "IMG_1.JPG");
        let upload = UploadRequest::parse("../../etc/passwd.jpg", "image/jpeg", 10, 100).unwrap();
        assert_eq!(upload.filename, "passwd.jpg");
    }

    #[test]
    fn a_name_keeps_no_character_that_would_disguise_it() {
        let upload = |name| UploadRequest::parse(name, "image/jpeg", 10, 100);
        // Shown as "photoexe.jpg", really "photogpj.exe": kept as what it is.
        assert_eq!(
            upload("photo\u{202E}gpj.exe").unwrap().filename,
            "photogpj.exe"
        );
        assert_eq!(
            upload("\u{FEFF}IMG\u{200B}_1.jpg").unwrap().filename,
            "IMG_1.jpg"
        );
        assert_eq!(upload("صورة ١.jpg").unwrap().filename, "صورة ١.jpg");
        assert_eq!(upload("\u{200B}\u{202E}").unwrap_err().field, "filename");
        assert_eq!(upload("dir/\u{3164}").unwrap_err().field, "filename");
    }

    #[test]
    fn size_and_type_are_bounded() {
        assert_eq!(
            UploadRequest::parse("a.jpg", "image/jpeg", 101, 100)
                .unwrap_err()
                .field,
            "size"
        );
        assert_eq!(
            UploadRequest::parse("a.jpg", "image/jpeg", 0, 100)
                .unwrap_err()
                .field,
            "size"
        );
        assert_eq!(
            UploadRequest::parse("a.gif", "image/gif", 1, 100)
                .unwrap_err()
                .field,
            "content_type"
        );
        assert_eq!(
            UploadRequest::parse("..", "image/png", 1, 100)
                .unwrap_err()
                .field,
            "filename"
        );
        assert_eq!(
            UploadRequest::parse("a\nb.jpg", "image/png", 1, 100)
                .unwrap_err()
                .field,
            "filename"
        );
    }

    #[test]
    fn an_upload_must_be_what_was_announced() {
        let jpeg = Some("image/jpeg");
        let check =
            |size, sent, content| UploadMismatch::check(10, "image/jpeg", size, sent, content);
        assert_eq!(check(10, jpeg, jpeg), Ok(()));
        assert_eq!(check(10, Some("IMAGE/JPEG"), jpeg), Ok(()));
        // Content that is no image at all is the renderer's to reject, with its own reason.
        assert_eq!(check(10, jpeg, None), Ok(()));
        let short = check(9, jpeg, jpeg).unwrap_err();
        assert_eq!(short.code(), "size_mismatch");
        assert!(short.to_string().contains("9 bytes"), "{short}");
        assert_eq!(
            check(10, Some("text/html"), jpeg).map_err(|e| e.code()),
            Err("type_mismatch")
        );
        assert_eq!(
            check(10, None, jpeg).map_err(|e| e.code()),
            Err("type_mismatch")
        );
        let png_inside = check(10, jpeg, Some("image/png")).unwrap_err();
        assert_eq!(png_inside.code(), "type_mismatch");
        assert!(
            png_inside.to_string().contains("image/png image"),
            "{png_inside}"
        );
    }
}
