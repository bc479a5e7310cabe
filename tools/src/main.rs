//! `xdhcp`: the operator's command-line tool.
//!
//! It grows one subcommand per landed feature (start/stop/status/reload,
//! shell, leases, journal, capture, demo); until then it reports its version.

use clap::Parser;

/// Operate an xdhcp appliance.
#[derive(Parser)]
#[command(name = "xdhcp", version, about)]
struct Cli {}

fn main() {
    Cli::parse();
}
