//! Proofsheet's queue workers. [`runner`] turns an SQS batch into typed messages, one tracing
//! span and one outcome each, and reports the failures for redelivery; it is the same code
//! whether Lambda's event source mapping or the local poller feeds it. Each worker is a
//! [`runner::Worker`]: [`ingest::Ingest`] validates uploads and renders photos; [`download::PrepareDownloads`] renders
//! a client's download request into ZIPs in S3 and emails the links.

pub mod download;
pub mod expiry;
pub mod ingest;
pub mod resend;
pub mod runner;
pub mod s3_event;
mod watermark;

pub use runner::{JobError, Worker};
