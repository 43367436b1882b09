//! GET /brand/{photographer_id}/{file}
//! Generated from the route table (shared/http/src/routes.rs); regenerate with
//! `UPDATE_GENERATED=1 cargo test -p proofsheet-http --test generated`.
use proofsheet_http::Route;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    // In a const block: the binary links this route's handler alone.
    proofsheet_http::lambda::serve(const { Route::BrandLogo.endpoint() }).await
}
