//! Accepted download requests (through SQS) → rendered photos streamed into ZIPs in S3 → an
//! email with the links.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    proofsheet_workers::runner::serve::<proofsheet_workers::download::PrepareDownloads>().await
}
