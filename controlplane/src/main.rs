//! `xdhcp-controlplane`: Kea-compatible command line. For now `-t FILE`
//! checks a configuration (exit 0, or 1 with located errors on stderr) and
//! `-v` / `-V` print the version.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// xdhcp control plane (Kea-compatible switches).
#[derive(Parser, Debug)]
#[command(name = "xdhcp-controlplane", disable_version_flag = true)]
struct Args {
    /// Check the configuration file and exit (like `kea-dhcp4 -t`).
    #[arg(short = 't', value_name = "FILE")]
    test: Option<PathBuf>,
    /// Run with this configuration file (not implemented yet).
    #[arg(short = 'c', value_name = "FILE")]
    config: Option<PathBuf>,
    /// Print the version and exit.
    #[arg(short = 'v')]
    version: bool,
    /// Print the extended version and exit.
    #[arg(short = 'V')]
    extended_version: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.version {
        println!("{}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    if args.extended_version {
        println!("{}", env!("CARGO_PKG_VERSION"));
        println!("xdhcp-controlplane: Kea JSON configuration dialect (Kea 2.2 compatible)");
        return ExitCode::SUCCESS;
    }
    let Some(file) = args.test.or(args.config.clone()) else {
        eprintln!("xdhcp-controlplane: give -t FILE to check a configuration (see --help)");
        return ExitCode::FAILURE;
    };
    match xdhcp_controlplane::load_file(&file) {
        Ok(_) if args.config.is_some() => {
            eprintln!("xdhcp-controlplane: serving (-c) is not implemented yet");
            ExitCode::FAILURE
        }
        Ok(_) => ExitCode::SUCCESS,
        Err(errors) => {
            for e in &errors {
                eprintln!("{e}");
            }
            eprintln!("Syntax check failed with {} error(s)", errors.len());
            ExitCode::FAILURE
        }
    }
}
