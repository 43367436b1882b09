//! Wiring for the Lambda functions: each `main` calls one of these.

use lambda_http::{Request, service_fn};
use lambda_runtime::LambdaEvent;

use aws_lambda_events::event::sqs::SqsEvent;

use crate::{App, Route, SecretKeyUse, ingest};

/// JSON logs, level from `RUST_LOG` (default `info`).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(true)
        .with_target(false)
        .try_init();
}

/// Runs the Lambda function of one HTTP route.
pub async fn serve_route(route: Route) -> Result<(), lambda_http::Error> {
    init_tracing();
    let app = App::from_env(route.secret_key_use()).await?;
    let app = &app;
    lambda_http::run(service_fn(move |req: Request| async move {
        Ok::<_, std::convert::Infallible>(app.handle(route, req).await)
    }))
    .await
}

/// Runs the ingest worker's Lambda function (SQS, partial batch responses).
pub async fn serve_ingest() -> Result<(), lambda_runtime::Error> {
    init_tracing();
    let app = App::from_env(SecretKeyUse::NotNeeded).await?;
    let app = &app;
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: LambdaEvent<SqsEvent>| async move {
            Ok::<_, std::convert::Infallible>(ingest::handle_batch(app, event.payload).await)
        },
    ))
    .await
}
