//! S3 upload events and re-render jobs (through SQS) → validated photos with renditions.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    proofsheet_workers::runner::serve::<proofsheet_workers::ingest::Ingest>().await
}
