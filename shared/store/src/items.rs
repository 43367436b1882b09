//! Turning records into DynamoDB items and back, and reading transaction outcomes.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, CancellationReason};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::StoreError;

pub(crate) type Item = HashMap<String, AttributeValue>;

/// A record as an item, with its key attributes added.
pub(crate) fn item_with_keys<T: Serialize>(
    record: &T,
    keys: &[(&str, String)],
) -> Result<Item, StoreError> {
    let mut item: Item = serde_dynamo::to_item(record)?;
    for (name, value) in keys {
        item.insert((*name).to_owned(), AttributeValue::S(value.clone()));
    }
    Ok(item)
}

pub(crate) fn key(pk: String, sk: impl Into<String>) -> Item {
    HashMap::from([
        ("PK".to_owned(), AttributeValue::S(pk)),
        ("SK".to_owned(), AttributeValue::S(sk.into())),
    ])
}

pub(crate) fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub(crate) fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

pub(crate) fn record<T: DeserializeOwned>(item: Item) -> Result<T, StoreError> {
    Ok(serde_dynamo::from_item(item)?)
}

pub(crate) fn records<T: DeserializeOwned>(items: Vec<Item>) -> Result<Vec<T>, StoreError> {
    items.into_iter().map(record).collect()
}

/// Which actions of a cancelled transaction failed their condition, by position.
pub(crate) fn failed_conditions(reasons: &[CancellationReason]) -> Vec<usize> {
    reasons
        .iter()
        .enumerate()
        .filter(|(_, r)| r.code() == Some("ConditionalCheckFailed"))
        .map(|(i, _)| i)
        .collect()
}
