//! Sending a transaction and telling its outcomes apart.

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::TransactWriteItem;

use crate::items::failed_conditions;
use crate::retry::{self, Retryable};
use crate::{Store, StoreError};

type TransactError = SdkError<TransactWriteItemsError, aws_smithy_runtime_api::http::Response>;

impl Retryable for TransactError {
    fn is_transaction_conflict(&self) -> bool {
        match self.as_service_error() {
            Some(TransactWriteItemsError::TransactionCanceledException(e)) => e
                .cancellation_reasons()
                .iter()
                .any(|r| r.code() == Some("TransactionConflict")),
            Some(TransactWriteItemsError::TransactionInProgressException(_)) => true,
            _ => false,
        }
    }
}

/// A transaction refused because the condition of one or more of its writes did not hold: those
/// writes, by the names the caller gave them ([`Store::transact_named`]).
#[derive(Debug)]
pub(crate) struct Refused<W = ()>(Vec<W>);

impl<W: PartialEq> Refused<W> {
    /// Whether `write`'s condition is among those that refused the transaction.
    pub(crate) fn by(&self, write: W) -> bool {
        self.0.contains(&write)
    }
}

impl Store {
    /// Commits all `actions` or none; `Ok(Err(_))` when a condition refused it, for callers to
    /// whom it does not matter which.
    pub(crate) async fn transact(
        &self,
        actions: Vec<TransactWriteItem>,
    ) -> Result<Result<(), Refused>, StoreError> {
        self.transact_named(actions.into_iter().map(|action| ((), action)).collect())
            .await
    }

    /// Commits all `writes` or none. Each write carries a name of the caller's (an enum of what
    /// the transaction writes), and a refusal names the writes whose condition failed
    /// ([`Refused::by`]): which rule refused it is told by name, so reordering the writes
    /// cannot change it.
    pub(crate) async fn transact_named<W: Copy>(
        &self,
        writes: Vec<(W, TransactWriteItem)>,
    ) -> Result<Result<(), Refused<W>>, StoreError> {
        let (names, actions): (Vec<W>, Vec<TransactWriteItem>) = writes.into_iter().unzip();
        let result = retry::on_transaction_conflict(|| {
            self.ddb()
                .transact_write_items()
                .set_transact_items(Some(actions.clone()))
                .send()
        })
        .await;
        match result {
            Ok(_) => Ok(Ok(())),
            Err(err) => match err.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => {
                    let failed = failed_conditions(cancelled.cancellation_reasons());
                    if failed.is_empty() {
                        Err(err.into())
                    } else {
                        Ok(Err(Refused(failed.into_iter().map(|i| names[i]).collect())))
                    }
                }
                _ => Err(err.into()),
            },
        }
    }
}
