//! What may be uploaded as a photo or a watermark logo.

use serde::{Deserialize, Serialize};

use crate::Invalid;

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
    /// The name the photographer's file had, kept for display and download names only; it never
    /// becomes part of a storage key.
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
        let name = filename
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or_default()
            .trim();
        if name.is_empty() || name == "." || name == ".." {
            return Err(Invalid::new("filename", "must name a file"));
        }
        if name.chars().count() > 255 || name.chars().any(char::is_control) {
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
            filename: name.to_owned(),
            content_type: ContentType::parse(content_type)?,
            size,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_last_path_component_is_kept() {
        let upload =
            UploadRequest::parse("C:\\Users\\anna\\IMG_1.JPG", "image/jpeg", 10, 100).unwrap();
        assert_eq!(upload.filename, "IMG_1.JPG");
        let upload = UploadRequest::parse("../../etc/passwd.jpg", "image/jpeg", 10, 100).unwrap();
        assert_eq!(upload.filename, "passwd.jpg");
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
}
