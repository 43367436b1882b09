//! Proofsheet's request handling: parse the request, ask the policy crate, call the store, answer.
//!
//! Every Lambda function is one [`Route`] of this crate (see `functions/`), and the local runner
//! serves all routes on one port through the very same [`App::dispatch`]. Handlers stay thin;
//! errors of every kind become one [`ApiError`], mapped to a status and a JSON body
//! `{"error": code, "message": …}` in exactly one place ([`ApiError::into_response`]).

pub mod admin;
mod app;
mod config;
mod error;
mod handlers;
mod http_io;
pub mod ingest;
pub mod lambda;
mod routes;
pub mod secrets;
mod views;

pub use app::{App, SecretKeyUse};
pub use config::{Config, ConfigError};
pub use error::ApiError;
pub use http_io::from_source_ip;
pub use routes::{ROUTES, Route, RouteSpec, route_spec};
