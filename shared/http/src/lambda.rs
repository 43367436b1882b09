//! Wiring for the HTTP Lambda functions: each `main` calls [`serve`] with its route's endpoint.

use lambda_http::{Request, service_fn};
use proofsheet_app::startup;

use crate::{Endpoint, handle};

/// Runs the Lambda function of one HTTP route. Pass the endpoint from a `const` block
/// (`serve(const { Route::GetGallery.endpoint() })`) so the binary links only its handler.
pub async fn serve(endpoint: Endpoint) -> Result<(), lambda_http::Error> {
    // A function that cannot start reports why to Lambda and exits here.
    let app = startup::start(endpoint.route.secret_key_use()).await;
    let app = &app;
    lambda_http::run(service_fn(move |req: Request| async move {
        Ok::<_, std::convert::Infallible>(handle(app, endpoint, req).await)
    }))
    .await
}
