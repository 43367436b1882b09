//! Turning records into DynamoDB items and back, and reading transaction outcomes.

use std::collections::HashMap;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
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

/// A list of numbers (`L` of `N`; a number set can't be empty, nor keep an order).
pub(crate) fn numbers(values: &[u32]) -> AttributeValue {
    AttributeValue::L(values.iter().map(|&value| n(value)).collect())
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

/// Whether a call was refused only because its condition expression did not hold.
pub(crate) fn condition_failed<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> bool {
    err.as_service_error().and_then(ProvideErrorMetadata::code)
        == Some("ConditionalCheckFailedException")
}

/// The item an update's condition was checked against, when the update asked for it
/// (`ReturnValuesOnConditionCheckFailure::AllOld`) and was refused; `None` if there was no item.
pub(crate) fn item_refusing_update<R>(err: &SdkError<UpdateItemError, R>) -> Option<&Item> {
    match err.as_service_error()? {
        UpdateItemError::ConditionalCheckFailedException(refused) => refused.item(),
        _ => None,
    }
}

/// An SDK builder's result, its missing-field error as ours.
pub(crate) fn built<T, E: std::fmt::Display>(result: Result<T, E>) -> Result<T, StoreError> {
    result.map_err(|e| StoreError::Aws(e.to_string()))
}
