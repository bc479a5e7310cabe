//! xdhcp's control plane: reads ISC Kea's JSON configuration (comments,
//! includes, every key located by file, line, column and JSON path),
//! validates it with Kea's rules, and models it for the compiler that will
//! feed the dataplane.

#![warn(missing_docs)]

pub mod api;
pub mod compile;
pub mod config;
pub mod diag;
pub mod eval_log;
pub mod json;
pub mod leases;
pub mod metrics;
pub mod monitor;
pub mod reload;
pub mod serve;
pub mod server_duid;
pub mod stats;

pub use config::{load_file, load_str, Config};
pub use diag::Diag;
