//! Photo files in S3: presigned uploads and downloads, renditions, clean-up.
//!
//! Key layout: `uploads/<gallery>/<photo>` (where a presigned PUT lands; the ingest queue
//! listens on this prefix), `originals/<gallery>/<photo>` (the upload as ingest validated it:
//! written only by ingest, never through a URL a client holds, so no replayed upload can
//! replace it), `renditions/<gallery>/<photo>/<name>.jpg`, `logos/<photographer>.png`.
//! Presigning is local work: no network call.

use std::time::{Duration, SystemTime};

use aws_sdk_s3::operation::get_object::GetObjectOutput;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart, Delete, ObjectIdentifier};

use crate::{Store, StoreError};

/// A presigned request: the URL, the headers the caller must send with it, and when it dies.
#[derive(Debug, Clone)]
pub struct PresignedRequest {
    pub url: String,
    pub method: String,
    pub headers: Vec<(String, String)>,
    pub expires_at: SystemTime,
}

/// Whether a presigned PUT may replace an object already at its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overwrite {
    /// `If-None-Match: *` is signed into the URL: S3 refuses (412) a PUT to a key that holds an
    /// object, so a replayed URL can't swap a file after it landed.
    Refuse,
    /// The key's owner replaces the file on purpose (a new watermark logo).
    Allow,
}

/// An object's bytes and what S3 says about them.
#[derive(Debug)]
pub struct StoredObject {
    pub bytes: Vec<u8>,
    pub content_type: Option<String>,
}

/// A multipart upload under way: its key, S3's id for it, and the parts uploaded so far
/// (number, ETag).
#[derive(Debug, Clone)]
pub struct MultipartUpload {
    pub key: String,
    pub upload_id: String,
    pub parts: Vec<(i32, String)>,
}

/// An object being read: its length, and its body as it arrives.
pub struct ObjectReader {
    pub len: u64,
    body: ByteStream,
}

impl ObjectReader {
    /// The next chunk of the body; `None` at its end.
    pub async fn next_chunk(&mut self) -> Result<Option<bytes::Bytes>, StoreError> {
        self.body
            .try_next()
            .await
            .map_err(|e| StoreError::Aws(format!("reading an object failed: {e}")))
    }
}

fn presigning(expires_in: Duration) -> Result<PresigningConfig, StoreError> {
    PresigningConfig::expires_in(expires_in).map_err(|e| StoreError::Aws(e.to_string()))
}

/// The headers a presigned request was signed with (its `X-Amz-SignedHeaders`): those the
/// caller must send, and no others. Under Lambda the SDK also adds the invocation's X-Ray
/// header (`x-amzn-trace-id`, from `_X_AMZN_TRACE_ID`), which SigV4 leaves unsigned: passed on,
/// it would tell clients our trace ids and make browsers ask the bucket's CORS rules for it.
fn signed_headers<'a>(
    uri: &str,
    headers: impl Iterator<Item = (&'a str, &'a str)>,
) -> Vec<(String, String)> {
    let query = uri.split_once('?').map_or("", |(_, q)| q);
    let signed: Vec<String> = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("X-Amz-SignedHeaders="))
        .map(|names| {
            // Header names are tokens; only the separator is percent-encoded.
            names
                .replace("%3B", ";")
                .replace("%3b", ";")
                .split(';')
                .map(str::to_ascii_lowercase)
                .collect()
        })
        .unwrap_or_default();
    headers
        .filter(|(name, _)| signed.contains(&name.to_ascii_lowercase()))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

impl Store {
    /// The origin (`scheme://host[:port]`) of the bucket's URLs, presigned ones included, as
    /// the SDK's own endpoint rules resolve it (region, path-style for a custom endpoint, FIPS,
    /// dual-stack): what a page's CSP must allow its uploads and thumbnails. Computed, no call.
    pub async fn bucket_origin(&self) -> Result<String, StoreError> {
        use aws_sdk_s3::config::endpoint::{DefaultResolver, Params, ResolveEndpoint};
        let sdk = &self.clients.sdk_config;
        let params = Params::builder()
            .bucket(&self.resources.bucket)
            .set_region(sdk.region().map(ToString::to_string))
            .set_endpoint(sdk.endpoint_url().map(str::to_owned))
            // As `Store::s3` configures the client.
            .force_path_style(sdk.endpoint_url().is_some())
            .set_use_fips(sdk.use_fips())
            .set_use_dual_stack(sdk.use_dual_stack())
            .build()
            .map_err(|e| StoreError::Aws(format!("bucket endpoint: {e}")))?;
        let endpoint = DefaultResolver::new()
            .resolve_endpoint(&params)
            .await
            .map_err(|e| StoreError::Aws(format!("bucket endpoint: {e}")))?;
        let url = endpoint.url();
        let host_at = url.find("://").map_or(0, |at| at + 3);
        let end = url[host_at..]
            .find('/')
            .map_or(url.len(), |at| host_at + at);
        Ok(url[..end].to_owned())
    }

    /// A PUT restricted to this key, content type and exact size (all signed headers, so the
    /// caller must send them as [`PresignedRequest::headers`] lists them).
    pub async fn presign_upload(
        &self,
        key: &str,
        content_type: &str,
        size: u64,
        overwrite: Overwrite,
        expires_in: Duration,
    ) -> Result<PresignedRequest, StoreError> {
        let presigned = self
            .s3()
            .put_object()
            .bucket(&self.resources.bucket)
            .key(key)
            .content_type(content_type)
            .content_length(
                i64::try_from(size).map_err(|_| StoreError::Aws("size too large".into()))?,
            )
            .set_if_none_match((overwrite == Overwrite::Refuse).then(|| "*".to_owned()))
            .presigned(presigning(expires_in)?)
            .await
            .map_err(|e| StoreError::Aws(e.to_string()))?;
        Ok(PresignedRequest {
            url: presigned.uri().to_owned(),
            method: presigned.method().to_owned(),
            headers: signed_headers(presigned.uri(), presigned.headers()),
            expires_at: SystemTime::now() + expires_in,
        })
    }

    /// A short-lived GET for one object.
    pub async fn presign_download(
        &self,
        key: &str,
        expires_in: Duration,
    ) -> Result<String, StoreError> {
        self.presign_get(key, None, expires_in).await
    }

    /// A short-lived GET that makes the browser save the object (a ZIP) under the name in
    /// `content_disposition` (S3 answers with that header).
    pub async fn presign_attachment(
        &self,
        key: &str,
        content_disposition: &str,
        expires_in: Duration,
    ) -> Result<String, StoreError> {
        self.presign_get(key, Some(content_disposition), expires_in)
            .await
    }

    async fn presign_get(
        &self,
        key: &str,
        zip_disposition: Option<&str>,
        expires_in: Duration,
    ) -> Result<String, StoreError> {
        let presigned = self
            .s3()
            .get_object()
            .bucket(&self.resources.bucket)
            .key(key)
            .set_response_content_disposition(zip_disposition.map(str::to_owned))
            .set_response_content_type(zip_disposition.map(|_| "application/zip".to_owned()))
            .presigned(presigning(expires_in)?)
            .await
            .map_err(|e| StoreError::Aws(e.to_string()))?;
        Ok(presigned.uri().to_owned())
    }

    /// An object to read as a stream of chunks, refusing objects larger than `max_bytes`
    /// before reading them. A missing key is [`StoreError::NotFound`] (see [`Store::object`]).
    pub async fn object_reader(
        &self,
        key: &str,
        max_bytes: u64,
    ) -> Result<ObjectReader, StoreError> {
        let out = self.get_object(key).await?;
        let len = out.content_length().and_then(|len| u64::try_from(len).ok());
        if len.is_some_and(|len| len > max_bytes) {
            return Err(StoreError::TooLarge {
                limit_bytes: max_bytes,
            });
        }
        Ok(ObjectReader {
            len: len.ok_or_else(|| StoreError::Aws(format!("{key}: no content length")))?,
            body: out.body,
        })
    }

    /// A GET of `key` under way; a missing key is [`StoreError::NotFound`].
    async fn get_object(&self, key: &str) -> Result<GetObjectOutput, StoreError> {
        match self
            .s3()
            .get_object()
            .bucket(&self.resources.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(out) => Ok(out),
            Err(e) if e.as_service_error().is_some_and(|e| e.is_no_such_key()) => {
                Err(StoreError::NotFound)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Starts a multipart upload of `key`.
    pub async fn start_multipart(
        &self,
        key: &str,
        content_type: &str,
    ) -> Result<MultipartUpload, StoreError> {
        let out = self
            .s3()
            .create_multipart_upload()
            .bucket(&self.resources.bucket)
            .key(key)
            .content_type(content_type)
            .send()
            .await?;
        Ok(MultipartUpload {
            key: key.to_owned(),
            upload_id: out
                .upload_id
                .ok_or_else(|| StoreError::Aws("no upload id".into()))?,
            parts: Vec::new(),
        })
    }

    /// Uploads part `number` (from 1) and returns its ETag. Every part but the last must hold
    /// at least 5 MiB.
    pub async fn upload_part(
        &self,
        upload: &MultipartUpload,
        number: i32,
        bytes: Vec<u8>,
    ) -> Result<String, StoreError> {
        let out = self
            .s3()
            .upload_part()
            .bucket(&self.resources.bucket)
            .key(&upload.key)
            .upload_id(&upload.upload_id)
            .part_number(number)
            .body(ByteStream::from(bytes))
            .send()
            .await?;
        out.e_tag
            .ok_or_else(|| StoreError::Aws("uploaded part has no ETag".into()))
    }

    /// Completes an upload from its parts (`upload.parts`, in order).
    pub async fn complete_multipart(&self, upload: &MultipartUpload) -> Result<(), StoreError> {
        let parts = upload
            .parts
            .iter()
            .map(|(number, etag)| {
                CompletedPart::builder()
                    .part_number(*number)
                    .e_tag(etag)
                    .build()
            })
            .collect();
        self.s3()
            .complete_multipart_upload()
            .bucket(&self.resources.bucket)
            .key(&upload.key)
            .upload_id(&upload.upload_id)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(parts))
                    .build(),
            )
            .send()
            .await?;
        Ok(())
    }

    /// Drops an upload that will not be completed, and the parts stored for it.
    pub async fn abort_multipart(&self, upload: &MultipartUpload) -> Result<(), StoreError> {
        self.s3()
            .abort_multipart_upload()
            .bucket(&self.resources.bucket)
            .key(&upload.key)
            .upload_id(&upload.upload_id)
            .send()
            .await?;
        Ok(())
    }

    /// An object's bytes, refusing objects larger than `max_bytes` before reading them.
    pub async fn object_bytes(&self, key: &str, max_bytes: u64) -> Result<Vec<u8>, StoreError> {
        Ok(self.object(key, max_bytes).await?.bytes)
    }

    /// An object with its stored content type, refusing objects larger than `max_bytes` before
    /// reading them. A missing key is [`StoreError::NotFound`]: S3 answers 404 for it only to a
    /// caller allowed `s3:ListBucket` (403 otherwise), so every function that reads a key that
    /// may be missing has that permission.
    pub async fn object(&self, key: &str, max_bytes: u64) -> Result<StoredObject, StoreError> {
        let out = self.get_object(key).await?;
        if out
            .content_length()
            .is_some_and(|len| len as u64 > max_bytes)
        {
            return Err(StoreError::TooLarge {
                limit_bytes: max_bytes,
            });
        }
        let content_type = out.content_type().map(str::to_owned);
        let bytes = out
            .body
            .collect()
            .await
            .map_err(|e| StoreError::Aws(e.to_string()))?;
        Ok(StoredObject {
            bytes: bytes.to_vec(),
            content_type,
        })
    }

    pub async fn put_object(
        &self,
        key: &str,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Result<(), StoreError> {
        self.s3()
            .put_object()
            .bucket(&self.resources.bucket)
            .key(key)
            .content_type(content_type)
            .body(ByteStream::from(bytes))
            .send()
            .await?;
        Ok(())
    }

    /// Deletes these objects (missing ones are fine), up to 1000 per call.
    pub async fn delete_objects(&self, keys: &[String]) -> Result<(), StoreError> {
        for chunk in keys.chunks(1000) {
            let ids = chunk
                .iter()
                .map(|k| ObjectIdentifier::builder().key(k).build())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| StoreError::Aws(e.to_string()))?;
            self.delete_batch(ids).await?;
        }
        Ok(())
    }

    async fn delete_batch(&self, ids: Vec<ObjectIdentifier>) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        let delete = Delete::builder()
            .set_objects(Some(ids))
            .quiet(true)
            .build()
            .map_err(|e| StoreError::Aws(e.to_string()))?;
        self.s3()
            .delete_objects()
            .bucket(&self.resources.bucket)
            .delete(delete)
            .send()
            .await?;
        Ok(())
    }

    /// Deletes every object under `prefix` (a page of up to 1000 keys per call).
    pub async fn delete_prefix(&self, prefix: &str) -> Result<(), StoreError> {
        let mut pages = self
            .s3()
            .list_objects_v2()
            .bucket(&self.resources.bucket)
            .prefix(prefix)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let ids = page?
                .contents()
                .iter()
                .filter_map(|o| o.key())
                .map(|k| ObjectIdentifier::builder().key(k).build())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| StoreError::Aws(e.to_string()))?;
            self.delete_batch(ids).await?;
        }
        Ok(())
    }
}

/// Where each kind of object lives in the bucket.
pub mod object_keys {
    use proofsheet_policy::{
        DownloadRequestId, GalleryId, LogoFile, PhotoId, PhotographerId, ViewRendition,
    };

    /// Where a photo's presigned PUT lands; ingest reads it once and deletes it.
    pub fn upload(gallery: GalleryId, photo: PhotoId) -> String {
        format!("uploads/{gallery}/{photo}")
    }

    /// `(gallery, photo)` of an `uploads/` key, as found in an S3 event.
    pub fn parse_upload(key: &str) -> Option<(GalleryId, PhotoId)> {
        let rest = key.strip_prefix("uploads/")?;
        let (gallery, photo) = rest.split_once('/')?;
        Some((GalleryId::parse(gallery).ok()?, PhotoId::parse(photo).ok()?))
    }

    /// The photographer's upload, byte for byte, as ingest validated it.
    pub fn original(gallery: GalleryId, photo: PhotoId) -> String {
        format!("originals/{gallery}/{photo}")
    }

    /// The sizes a photo is rendered at.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum RenditionSize {
        Thumbnail,
        Preview,
    }

    /// A rendition: `thumbnail` or `preview`, clean or with the gallery's watermark (`…-wm`).
    pub fn rendition(
        gallery: GalleryId,
        photo: PhotoId,
        size: RenditionSize,
        look: ViewRendition,
    ) -> String {
        let size = match size {
            RenditionSize::Thumbnail => "thumbnail",
            RenditionSize::Preview => "preview",
        };
        let mark = match look {
            ViewRendition::Clean => "",
            ViewRendition::Watermarked => "-wm",
        };
        format!("renditions/{gallery}/{photo}/{size}{mark}.jpg")
    }

    /// One of a photo's grid sizes (`width` wide, one of `proofsheet_policy::grid_widths`), as
    /// WebP, clean or with the gallery's watermark; named by its step of `GRID_WIDTHS`.
    pub fn grid_rendition(
        gallery: GalleryId,
        photo: PhotoId,
        width: u32,
        look: ViewRendition,
    ) -> String {
        let step = proofsheet_policy::grid_step(width);
        let mark = match look {
            ViewRendition::Clean => "",
            ViewRendition::Watermarked => "-wm",
        };
        format!("renditions/{gallery}/{photo}/grid-{step}{mark}.webp")
    }

    /// Every rendition the ingest worker writes for a photo.
    pub const RENDITIONS: [(RenditionSize, ViewRendition); 4] = [
        (RenditionSize::Thumbnail, ViewRendition::Clean),
        (RenditionSize::Thumbnail, ViewRendition::Watermarked),
        (RenditionSize::Preview, ViewRendition::Clean),
        (RenditionSize::Preview, ViewRendition::Watermarked),
    ];

    /// A photo rendered for download at `resolution` (`web`, `high`, `original`), clean or
    /// with the watermark whose fingerprint is `watermark`, at JPEG `quality`. A new watermark
    /// has a new fingerprint, so renditions with the old one are never served again (a
    /// lifecycle rule drops them).
    pub fn download_rendition(
        gallery: GalleryId,
        photo: PhotoId,
        resolution: &str,
        watermark: Option<&str>,
        quality: u8,
    ) -> String {
        let look = watermark.map_or_else(|| "clean".to_owned(), |w| format!("wm-{w}"));
        format!("{DOWNLOAD_RENDITIONS}{gallery}/{photo}/{resolution}-{look}-q{quality}.jpg")
    }

    /// Where download renditions live (their own prefix, for their lifecycle rule).
    pub const DOWNLOAD_RENDITIONS: &str = "download-renditions/";

    /// The ZIPs of a download request: `zips/<gallery>/<request>/<n>.zip`, n from 1. A retry
    /// of the same request writes the same keys.
    pub fn download_zip(gallery: GalleryId, request: DownloadRequestId, number: usize) -> String {
        format!("{ZIPS}{gallery}/{request}/{number}.zip")
    }

    /// Where ZIPs live (their own prefix, for the lifecycle rule that expires them with their
    /// links).
    pub const ZIPS: &str = "zips/";

    /// Every object of one photo: its upload, its original and its renditions.
    pub fn photo_objects(gallery: GalleryId, photo: PhotoId) -> Vec<String> {
        let mut keys = vec![upload(gallery, photo), original(gallery, photo)];
        keys.extend(
            RENDITIONS
                .iter()
                .map(|&(size, look)| rendition(gallery, photo, size, look)),
        );
        // Every step, whichever this photo has.
        for step in proofsheet_policy::GRID_WIDTHS {
            for look in [ViewRendition::Clean, ViewRendition::Watermarked] {
                keys.push(grid_rendition(gallery, photo, step, look));
            }
        }
        keys
    }

    /// Every prefix holding a gallery's objects.
    pub fn gallery_prefixes(gallery: GalleryId) -> [String; 5] {
        [
            format!("uploads/{gallery}/"),
            format!("originals/{gallery}/"),
            format!("renditions/{gallery}/"),
            format!("{DOWNLOAD_RENDITIONS}{gallery}/"),
            format!("{ZIPS}{gallery}/"),
        ]
    }

    /// The download renditions of one photo.
    pub fn photo_download_prefix(gallery: GalleryId, photo: PhotoId) -> String {
        format!("{DOWNLOAD_RENDITIONS}{gallery}/{photo}/")
    }

    pub fn logo(photographer: PhotographerId) -> String {
        format!("logos/{photographer}.png")
    }

    /// Where the photographer's upload of their brand logo lands; ingest makes [`brand_logo`]
    /// from it, then deletes it.
    pub fn brand_logo_upload(photographer: PhotographerId) -> String {
        format!("{BRAND_UPLOADS}{photographer}.png")
    }

    /// The photographer whose brand logo upload a key is.
    pub fn parse_brand_logo_upload(key: &str) -> Option<PhotographerId> {
        let id = key.strip_prefix(BRAND_UPLOADS)?.strip_suffix(".png")?;
        PhotographerId::parse(id).ok()
    }

    pub const BRAND_UPLOADS: &str = "brand-uploads/";

    /// A brand logo as pages and emails show it, named by its content: never overwritten, so an
    /// email's logo stays as it was sent (while the account lasts).
    pub fn brand_logo(photographer: PhotographerId, file: &LogoFile) -> String {
        format!("{}{}.png", brand_logos(photographer), file.as_str())
    }

    /// Every brand logo a photographer has had.
    pub fn brand_logos(photographer: PhotographerId) -> String {
        format!("brand/{photographer}/")
    }

    /// The photographer whose logo a `logos/` key is.
    pub fn parse_logo(key: &str) -> Option<PhotographerId> {
        let id = key.strip_prefix("logos/")?.strip_suffix(".png")?;
        PhotographerId::parse(id).ok()
    }
}

#[cfg(test)]
mod signed_header_tests {
    use super::signed_headers;

    #[test]
    fn only_signed_headers_are_handed_to_the_uploader() {
        // What a presigned PUT looks like inside a Lambda invocation: the SDK added the trace
        // header, which SigV4 does not sign.
        let uri = "https://b.s3.amazonaws.com/uploads/g/p?X-Amz-Algorithm=AWS4-HMAC-SHA256\
                   &X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost%3Bif-none-match\
                   &X-Amz-Signature=abc";
        let headers = [
            ("content-length", "446"),
            ("content-type", "image/jpeg"),
            ("if-none-match", "*"),
            (
                "x-amzn-trace-id",
                "Root=1-6b15c300-8423205809503ce6e2a03650;Sampled=1",
            ),
        ];
        assert_eq!(
            signed_headers(uri, headers.into_iter()),
            vec![
                ("content-length".to_owned(), "446".to_owned()),
                ("content-type".to_owned(), "image/jpeg".to_owned()),
                ("if-none-match".to_owned(), "*".to_owned()),
            ]
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Resources;

    fn store(sdk: aws_config::SdkConfig) -> Store {
        let resources = Resources {
            table: "t".into(),
            bucket: "studio-photos".into(),
            sender_email: "s@example.com".into(),
        };
        Store::new(&sdk, resources)
    }

    #[tokio::test]
    async fn in_aws_the_bucket_is_its_own_virtual_host() {
        let sdk = aws_config::SdkConfig::builder()
            .region(aws_config::Region::new("eu-west-1"))
            .behavior_version(aws_config::BehaviorVersion::latest())
            .build();
        let origin = store(sdk).bucket_origin().await.unwrap();
        assert_eq!(origin, "https://studio-photos.s3.eu-west-1.amazonaws.com");
    }

    #[tokio::test]
    async fn behind_a_custom_endpoint_the_bucket_is_a_path_of_it() {
        let sdk = aws_config::SdkConfig::builder()
            .region(aws_config::Region::new("us-east-1"))
            .endpoint_url("http://127.0.0.1:5000")
            .behavior_version(aws_config::BehaviorVersion::latest())
            .build();
        let origin = store(sdk).bucket_origin().await.unwrap();
        assert_eq!(origin, "http://127.0.0.1:5000");
    }
}
