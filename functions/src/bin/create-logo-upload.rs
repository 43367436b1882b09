//! POST /watermark-logo
#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    proofsheet_api::lambda::serve_route(proofsheet_api::Route::CreateLogoUpload).await
}
