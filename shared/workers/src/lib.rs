//! Proofsheet's queue workers. [`runner`] turns an SQS batch into typed messages, one tracing
//! span and one outcome each, and reports the failures for redelivery; it is the same code
//! whether Lambda's event source mapping or the local poller feeds it. Each worker is a
//! [`runner::Worker`]: [`ingest::Ingest`] validates uploads and renders photos.

pub mod ingest;
pub mod resend;
pub mod runner;
pub mod s3_event;

pub use runner::{JobError, Worker};
