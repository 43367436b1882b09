//! Scheduled: reminders before galleries and links expire, and the photographer's notice when a
//! gallery does.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    proofsheet_workers::expiry::serve().await
}
