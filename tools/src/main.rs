//! `xdhcp`: the operator's command-line tool.
//!
//! It grows one subcommand per landed feature (start/stop/status/reload,
//! shell, leases, journal, capture); today it runs the demo.

mod demo;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Operate an xdhcp appliance.
#[derive(Parser)]
#[command(name = "xdhcp", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build a network-namespace lab, serve it with xdhcp over XDP from an
    /// embedded Kea configuration, lease to a real dhclient, drive load,
    /// report, and clean up. Needs root.
    Demo {
        /// Seconds of load.
        #[arg(long, default_value_t = 5)]
        seconds: u32,
        /// Offered DORA exchanges per second.
        #[arg(long, default_value_t = 4000)]
        rate: u32,
    },
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Demo { seconds, rate } => demo::run(seconds, rate),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xdhcp: {e}");
            ExitCode::FAILURE
        }
    }
}
