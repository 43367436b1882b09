//! S3 upload events (through SQS) → validated photo with renditions.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    proofsheet_api::lambda::serve_ingest().await
}
