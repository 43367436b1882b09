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

impl Store {
    /// Commits all `actions` or none. `Ok(Err(indices))` names the actions whose condition
    /// failed, so callers can say *which* rule refused the write.
    pub(crate) async fn transact(
        &self,
        actions: Vec<TransactWriteItem>,
    ) -> Result<Result<(), Vec<usize>>, StoreError> {
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
                        Ok(Err(failed))
                    }
                }
                _ => Err(err.into()),
            },
        }
    }
}
