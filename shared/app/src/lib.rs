//! What every Proofsheet function shares, HTTP route or queue worker: the [`App`] context
//! (configuration, store, secret key, clock), the typed queue [`messages`], operator actions,
//! the Lambda log setup and the cold [`startup`] that reports why a function cannot start.

pub mod admin;
mod app;
mod config;
pub mod email;
pub mod messages;
pub mod secrets;
pub mod startup;
pub mod telemetry;

pub use app::{App, Clock, EmailedLinks, NoEmailedLinks, NoSecretKey, SecretKeyUse};
pub use config::{Config, ConfigError};
