//! Favourites: a client's named lists of photos, one item per list under the grant.
//!
//! The limits hold in the database, not in a read before the write: a list's photos are a string
//! set whose size the add's condition checks, and the grant item keeps the set of its list names
//! (`favourite_lists`), which a new list's transaction checks and extends. Adding and removing
//! are set operations, so retries are harmless.

use std::collections::{BTreeSet, HashMap};

use aws_sdk_dynamodb::types::{
    AttributeValue, Delete, ReturnValue, ReturnValuesOnConditionCheckFailure, TransactWriteItem,
    Update,
};
use proofsheet_policy::favourites::{MAX_LISTS, MAX_PHOTOS_PER_LIST};
use proofsheet_policy::{
    FavouritesFull, FavouritesSnapshot, GalleryId, GrantId, ListName, PhotoId, favourites,
};
use serde::Deserialize;

use crate::items::{
    Item, condition_failed, item_refusing_update, item_with_keys, key, n, records, s,
};
use crate::records::{FavouriteListRecord, keys};
use crate::{GrantRecord, Retry, Store, StoreError};

/// The string set holding one photo id.
fn one_photo(photo: PhotoId) -> AttributeValue {
    AttributeValue::Ss(vec![photo.to_string()])
}

/// A set attribute's size in an item read back (0 when the attribute is absent).
fn set_size(item: &crate::items::Item, attribute: &str) -> usize {
    item.get(attribute)
        .and_then(|v| v.as_ss().ok())
        .map_or(0, Vec::len)
}

fn set_contains(item: &crate::items::Item, attribute: &str, value: &str) -> bool {
    item.get(attribute)
        .and_then(|v| v.as_ss().ok())
        .is_some_and(|set| set.iter().any(|v| v == value))
}

/// The names of a grant's lists, as its item keeps them.
#[derive(Deserialize)]
struct ListNames {
    #[serde(default, with = "serde_dynamo::string_set")]
    favourite_lists: BTreeSet<String>,
}

impl Store {
    /// A list's item under `grant`, indexed for the gallery's photographer.
    fn list_item(
        &self,
        grant: &GrantRecord,
        name: &ListName,
        photos: BTreeSet<PhotoId>,
    ) -> Result<Item, StoreError> {
        let record = FavouriteListRecord {
            grant_id: grant.id,
            gallery_id: grant.gallery_id,
            name: name.as_str().to_owned(),
            photos,
        };
        item_with_keys(
            &record,
            &[
                ("PK", keys::grant(grant.id)),
                ("SK", keys::favourite_list(name)),
                ("GSI1PK", keys::gallery(grant.gallery_id)),
                ("GSI1SK", keys::favourite_list_index(grant.id, name)),
            ],
        )
    }

    /// Adds a list's name to its grant's `favourite_lists`, if `condition` (with `values` for
    /// its placeholders besides `:name`) holds.
    fn add_list_name(
        &self,
        grant: GrantId,
        name: &ListName,
        condition: &str,
        values: &[(&str, AttributeValue)],
    ) -> Result<TransactWriteItem, StoreError> {
        let mut update = Update::builder()
            .table_name(&self.resources.table)
            .set_key(Some(key(keys::grant(grant), keys::GRANT)))
            .update_expression("ADD favourite_lists :name")
            .condition_expression(condition)
            .expression_attribute_values(":name", AttributeValue::Ss(vec![name.as_str().into()]));
        for (placeholder, value) in values {
            update = update.expression_attribute_values(*placeholder, value.clone());
        }
        let update = update.build().map_err(|e| StoreError::Aws(e.to_string()))?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// A client's lists, by name.
    pub async fn favourite_lists(
        &self,
        grant: GrantId,
    ) -> Result<Vec<FavouriteListRecord>, StoreError> {
        let items = self
            .query_prefix(keys::grant(grant), keys::FAVOURITE_LIST_PREFIX)
            .await?;
        records(items)
    }

    /// Every client's lists in a gallery, by client and name (GSI1: one query).
    pub async fn gallery_favourite_lists(
        &self,
        gallery: GalleryId,
    ) -> Result<Vec<FavouriteListRecord>, StoreError> {
        let items = self
            .query_all(
                Some("GSI1"),
                "GSI1PK = :pk AND begins_with(GSI1SK, :lists)",
                HashMap::from([
                    (":pk".into(), s(keys::gallery(gallery))),
                    (":lists".into(), s(keys::FAVOURITE_LIST_PREFIX)),
                ]),
            )
            .await?;
        records(items)
    }

    /// Adds a photo to one of the client's lists, creating the list if need be, within the
    /// limits; `true` when this call created the list. Adding a photo that is already there
    /// succeeds, whatever the limits.
    pub async fn add_favourite(
        &self,
        grant: &GrantRecord,
        list: &ListName,
        photo: PhotoId,
    ) -> Result<Result<bool, FavouritesFull>, StoreError> {
        // A list created or emptied by a concurrent request: decide again.
        let mut tries = Retry::LOST_RACE.tries();
        while tries.next().await {
            match self.add_to_existing_list(grant.id, list, photo).await? {
                ListAdd::Added => return Ok(Ok(false)),
                ListAdd::Refused(snapshot) => match favourites::may_add(snapshot) {
                    Err(full) => return Ok(Err(full)),
                    // The photo left the list meanwhile: add again.
                    Ok(()) => continue,
                },
                ListAdd::NoList => {}
            }
            match self.create_list(grant, list, photo).await? {
                ListCreate::Created => return Ok(Ok(true)),
                ListCreate::Refused { lists } => {
                    let snapshot = FavouritesSnapshot {
                        lists,
                        photos_in_list: None,
                        already_in_list: false,
                    };
                    if let Err(full) = favourites::may_add(snapshot) {
                        return Ok(Err(full));
                    }
                }
                // Created by a concurrent request: add to it.
                ListCreate::Exists => {}
            }
        }
        Err(StoreError::Conflict(crate::Conflict::ConcurrentUpdate))
    }

    /// One conditional update: the photo into an existing list that has room (or has it).
    async fn add_to_existing_list(
        &self,
        grant: GrantId,
        list: &ListName,
        photo: PhotoId,
    ) -> Result<ListAdd, StoreError> {
        let added = self
            .ddb()
            .update_item()
            .table_name(&self.resources.table)
            .set_key(Some(key(keys::grant(grant), keys::favourite_list(list))))
            .update_expression("ADD photos :photo")
            // A list emptied by a remove whose clean-up never ran has no `photos` at all.
            .condition_expression(
                "attribute_exists(PK) AND (attribute_not_exists(photos) \
                 OR contains(photos, :id) OR size(photos) < :max)",
            )
            .expression_attribute_values(":photo", one_photo(photo))
            .expression_attribute_values(":id", s(photo.to_string()))
            .expression_attribute_values(":max", n(MAX_PHOTOS_PER_LIST))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match added {
            Ok(_) => Ok(ListAdd::Added),
            Err(e) if condition_failed(&e) => Ok(match item_refusing_update(&e) {
                None => ListAdd::NoList,
                Some(old) => ListAdd::Refused(FavouritesSnapshot {
                    lists: 0,
                    photos_in_list: Some(set_size(old, "photos")),
                    already_in_list: set_contains(old, "photos", &photo.to_string()),
                }),
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// One transaction: the list's name onto the grant (if the grant is live and has room for
    /// another list) and the new list with its first photo.
    async fn create_list(
        &self,
        grant: &GrantRecord,
        list: &ListName,
        photo: PhotoId,
    ) -> Result<ListCreate, StoreError> {
        let claim_name = self.add_list_name(
            grant.id,
            list,
            "attribute_exists(PK) AND (attribute_not_exists(favourite_lists) \
             OR contains(favourite_lists, :list) OR size(favourite_lists) < :max)",
            &[(":list", s(list.as_str())), (":max", n(MAX_LISTS))],
        )?;
        #[derive(Clone, Copy, PartialEq)]
        enum Write {
            ListName,
            List,
        }
        let actions = vec![
            (Write::ListName, claim_name),
            (
                Write::List,
                self.put_new(self.list_item(grant, list, BTreeSet::from([photo]))?)?,
            ),
        ];
        match self.transact_named(actions).await? {
            Ok(()) => Ok(ListCreate::Created),
            Err(refused) if refused.by(Write::List) => Ok(ListCreate::Exists),
            Err(_) => match self
                .get::<ListNames>(keys::grant(grant.id), keys::GRANT)
                .await?
            {
                None => Err(StoreError::NotFound),
                Some(names) => Ok(ListCreate::Refused {
                    lists: names.favourite_lists.len(),
                }),
            },
        }
    }

    /// Takes a photo off a list; a list left empty goes, and its name with it, so it no longer
    /// counts towards the limit. Removing what isn't there does nothing.
    pub async fn remove_favourite(
        &self,
        grant: GrantId,
        list: &ListName,
        photo: PhotoId,
    ) -> Result<(), StoreError> {
        let removed = self
            .ddb()
            .update_item()
            .table_name(&self.resources.table)
            .set_key(Some(key(keys::grant(grant), keys::favourite_list(list))))
            .update_expression("DELETE photos :photo")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":photo", one_photo(photo))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        let left = match removed {
            Ok(out) => set_size(&out.attributes.unwrap_or_default(), "photos"),
            Err(e) if condition_failed(&e) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        if left > 0 {
            return Ok(());
        }
        // Only while it is still empty: a photo added meanwhile keeps the list.
        let delete_list = Delete::builder()
            .table_name(&self.resources.table)
            .set_key(Some(key(keys::grant(grant), keys::favourite_list(list))))
            .condition_expression("attribute_not_exists(photos)")
            .build()
            .map_err(|e| StoreError::Aws(e.to_string()))?;
        let drop_name = Update::builder()
            .table_name(&self.resources.table)
            .set_key(Some(key(keys::grant(grant), keys::GRANT)))
            .update_expression("DELETE favourite_lists :name")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":name", AttributeValue::Ss(vec![list.as_str().into()]))
            .build()
            .map_err(|e| StoreError::Aws(e.to_string()))?;
        // A refusal means the list filled again or the grant went: either way, nothing to do.
        let _ = self
            .transact(vec![
                TransactWriteItem::builder().delete(delete_list).build(),
                TransactWriteItem::builder().update(drop_name).build(),
            ])
            .await?;
        Ok(())
    }
}

impl Store {
    /// Puts a copy of `list` under `grant` (a grant taking over a client's data), replacing any
    /// list of that name, with its name on the grant.
    pub(crate) async fn copy_favourite_list(
        &self,
        grant: &GrantRecord,
        list: &FavouriteListRecord,
    ) -> Result<(), StoreError> {
        if list.photos.is_empty() {
            return Ok(());
        }
        let name = ListName::stored(&list.name);
        let put = aws_sdk_dynamodb::types::Put::builder()
            .table_name(&self.resources.table)
            .set_item(Some(self.list_item(grant, &name, list.photos.clone())?))
            .build()
            .map_err(|e| StoreError::Aws(e.to_string()))?;
        self.transact(vec![
            TransactWriteItem::builder().put(put).build(),
            self.add_list_name(grant.id, &name, "attribute_exists(PK)", &[])?,
        ])
        .await?
        .map_err(|_| StoreError::NotFound)
    }
}

/// What one conditional add to an existing list did.
enum ListAdd {
    Added,
    /// The list is full (the snapshot says so, or that the photo left it meanwhile).
    Refused(FavouritesSnapshot),
    NoList,
}

enum ListCreate {
    Created,
    /// The grant has no room for another list: it has `lists` now.
    Refused {
        lists: usize,
    },
    Exists,
}
