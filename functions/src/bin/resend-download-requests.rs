//! Scheduled: download requests whose message never reached the queue → sent now.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    proofsheet_workers::resend::serve().await
}
