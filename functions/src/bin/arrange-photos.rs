//! PUT /galleries/{gallery_id}/order
use proofsheet_http::Route;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    // In a const block: the binary links this route's handler alone.
    proofsheet_http::lambda::serve(const { Route::ArrangePhotos.endpoint() }).await
}
