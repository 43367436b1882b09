//! PATCH /galleries/{gallery_id}
#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    proofsheet_api::lambda::serve_route(proofsheet_api::Route::UpdateGallery).await
}
