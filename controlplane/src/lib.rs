//! xdhcp's control plane: reads ISC Kea's JSON configuration (comments,
//! includes, every key located by file, line, column and JSON path),
//! validates it with Kea's rules, and models it for the compiler that will
//! feed the dataplane.

#![warn(missing_docs)]

pub mod api;
pub mod compile;
pub mod config;
pub mod deep_check;
pub mod diag;
pub mod eval_log;
pub mod json;
pub mod leases;
pub mod log;
pub mod metrics;
pub mod monitor;
pub mod reload;
pub mod serve;
pub mod server_duid;
pub mod stats;

pub use config::{load_file, load_str, Config};
pub use diag::Diag;

/// Checks a configuration file as `kea-dhcp4 -t` does: the configuration,
/// or the report to print (one located error per line, then a summary).
pub fn check_file(file: &std::path::Path) -> Result<Config, String> {
    load_file(file).map_err(|errors| {
        let mut report: String = errors.iter().map(|e| format!("{e}\n")).collect();
        report.push_str(&format!(
            "Syntax check failed with {} error(s)",
            errors.len()
        ));
        report
    })
}
