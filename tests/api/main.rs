//! The integration tests, one binary: every route through the same handlers the Lambdas run,
//! against the moto server (see `proofsheet_tests`, the harness). One module per area; linking
//! the AWS SDK once instead of once per area. Run through `./scripts/test`, which starts moto.

mod account;
mod activity;
mod brand;
mod browser;
mod client_access;
mod client_logins;
mod consistency;
mod contention;
mod download_delivery;
mod download_worker;
mod downloads;
mod expiry;
mod favourites;
mod iam;
mod identify;
mod ingest;
mod lambda_events;
mod leakage;
mod logs;
mod navigation;
mod pages;
mod pagination;
mod photo_order;
mod photographer_api;
mod preview;
mod probe;
mod probe_account;
mod probe_account_second;
mod probe_activity;
mod probe_downloads;
mod probe_expiry;
mod probe_logins;
mod probe_pages;
mod probe_second;
mod shown_names;
mod studio;
mod studio_pages;
mod watermark;
