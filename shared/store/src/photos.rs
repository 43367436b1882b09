//! Photos: created when an upload is granted, settled once by the ingest worker.

use std::collections::HashMap;

use proofsheet_policy::{GalleryId, PhotoId};

use crate::items::{item_with_keys, key, n, records, s};
use crate::records::keys;
use crate::{PhotoRecord, PhotoStatus, Store, StoreError};

impl Store {
    pub async fn create_photo(&self, photo: &PhotoRecord) -> Result<(), StoreError> {
        let item = item_with_keys(
            photo,
            &[
                ("PK", keys::gallery(photo.gallery_id)),
                ("SK", keys::photo(photo.id)),
            ],
        )?;
        let result = self
            .ddb
            .put_item()
            .table_name(&self.resources.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Err(StoreError::Conflict("photo_exists"))
            }
            Err(e) => Err(e.into()),
        }
    }

    pub async fn photo(
        &self,
        gallery: GalleryId,
        photo: PhotoId,
    ) -> Result<Option<PhotoRecord>, StoreError> {
        self.get(keys::gallery(gallery), &keys::photo(photo)).await
    }

    /// A gallery's photos in upload order.
    pub async fn photos_of(&self, gallery: GalleryId) -> Result<Vec<PhotoRecord>, StoreError> {
        let items = self
            .query_all(
                None,
                "PK = :pk AND begins_with(SK, :photo)",
                HashMap::from([
                    (":pk".into(), s(keys::gallery(gallery))),
                    (":photo".into(), s("PHOTO#")),
                ]),
            )
            .await?;
        records(items)
    }

    /// Settles an uploading photo as ready. Returns `false` when it was already settled (a
    /// redelivered event) or is gone (deleted while it was processed).
    pub async fn mark_photo_ready(
        &self,
        gallery: GalleryId,
        photo: PhotoId,
        width: u32,
        height: u32,
    ) -> Result<bool, StoreError> {
        self.settle_photo(
            gallery,
            photo,
            "SET #status = :ready, width = :w, height = :h",
            HashMap::from([
                (":ready".into(), status(PhotoStatus::Ready)?),
                (":w".into(), n(width)),
                (":h".into(), n(height)),
            ]),
        )
        .await
    }

    /// Settles an uploading photo as rejected, with a reason the photographer can read.
    pub async fn mark_photo_rejected(
        &self,
        gallery: GalleryId,
        photo: PhotoId,
        reason: &str,
    ) -> Result<bool, StoreError> {
        self.settle_photo(
            gallery,
            photo,
            "SET #status = :rejected, rejection_reason = :reason",
            HashMap::from([
                (":rejected".into(), status(PhotoStatus::Rejected)?),
                (":reason".into(), s(reason)),
            ]),
        )
        .await
    }

    async fn settle_photo(
        &self,
        gallery: GalleryId,
        photo: PhotoId,
        update: &str,
        mut values: HashMap<String, aws_sdk_dynamodb::types::AttributeValue>,
    ) -> Result<bool, StoreError> {
        values.insert(":uploading".into(), status(PhotoStatus::Uploading)?);
        let result = self
            .ddb
            .update_item()
            .table_name(&self.resources.table)
            .set_key(Some(key(keys::gallery(gallery), keys::photo(photo))))
            .update_expression(update)
            .condition_expression("#status = :uploading")
            .expression_attribute_names("#status", "status")
            .set_expression_attribute_values(Some(values))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(false)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes a photo's record; `false` when there was none.
    pub async fn delete_photo(
        &self,
        gallery: GalleryId,
        photo: PhotoId,
    ) -> Result<bool, StoreError> {
        let out = self
            .ddb
            .delete_item()
            .table_name(&self.resources.table)
            .set_key(Some(key(keys::gallery(gallery), keys::photo(photo))))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllOld)
            .send()
            .await?;
        Ok(out.attributes.is_some())
    }
}

fn status(status: PhotoStatus) -> Result<aws_sdk_dynamodb::types::AttributeValue, StoreError> {
    Ok(serde_dynamo::to_attribute_value(status)?)
}
