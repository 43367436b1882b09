//! PUT /galleries/{gallery_id}/general-access
#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    proofsheet_api::lambda::serve_route(proofsheet_api::Route::PutGeneralAccess).await
}
