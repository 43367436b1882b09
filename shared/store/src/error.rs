use aws_sdk_dynamodb::error::{DisplayErrorContext, SdkError};

/// What can go wrong in the store. Condition failures are named outcomes, never generic errors,
/// so the HTTP layer can answer 404/409 instead of 500.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness or state condition failed; the code names which (e.g. `slug_taken`).
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("AWS call failed: {0}")]
    Aws(String),
    #[error("stored data unreadable: {0}")]
    Corrupt(String),
}

impl<E, R> From<SdkError<E, R>> for StoreError
where
    E: std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    fn from(err: SdkError<E, R>) -> Self {
        StoreError::Aws(DisplayErrorContext(err).to_string())
    }
}

impl From<serde_dynamo::Error> for StoreError {
    fn from(err: serde_dynamo::Error) -> Self {
        StoreError::Corrupt(err.to_string())
    }
}
