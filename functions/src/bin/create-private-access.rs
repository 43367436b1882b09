//! POST /galleries/{gallery_id}/private-access
#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    proofsheet_api::lambda::serve_route(proofsheet_api::Route::CreatePrivateAccess).await
}
