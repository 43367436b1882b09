//! Proofsheet's HTTP API: parse the request, ask the policy crate, call the store, answer.
//!
//! Every Lambda function is one [`Route`] of this crate (see `functions/`), and the local runner
//! serves all routes on one port through the very same [`handle`], via [`dispatch`]. Handlers
//! stay thin and are grouped by [`Audience`]; errors of every kind become one [`ApiError`],
//! mapped to a status and a JSON body `{"error": code, "message": …}` in exactly one place
//! ([`ApiError::into_response`]). Nothing here renders images: that is the workers' crate.

mod error;
mod handlers;
mod http_io;
pub mod lambda;
#[cfg(feature = "local-server")]
pub mod local_server;
pub mod openapi;
mod pages;
mod query;
mod routes;
mod views;

pub use error::{ApiError, ConflictCode};
pub use handlers::{dispatch, handle};
pub use http_io::from_source_ip;
pub use routes::{Audience, Endpoint, Handler, Handling, ROUTES, Route, RouteSpec, route_spec};
