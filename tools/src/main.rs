//! `xdhcp`: the operator's command-line tool.
//!
//! Process management as keactrl does it (start, stop, status, reload),
//! kea-shell's job (shell), configuration checks, lease migration, journal
//! inspection, packet capture and the demo.

mod capture;
mod demo;
mod interrupt;
mod journal;
mod leases;
mod process;
mod shell;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

// The dataplane allocates nothing per packet; everything else (config
// loading, the API, the control plane's maps) allocates often and small.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Operate an xdhcp appliance.
#[derive(Parser)]
#[command(name = "xdhcp", version, about)]
struct Cli {
    /// Where the server's pid file, output and capture rings live
    /// (default: XDHCP_RUN_DIR, else /run/xdhcp).
    #[arg(long = "run-dir", global = true, value_name = "DIR")]
    run_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start `xdhcp-controlplane -c FILE` in the background; refuses when
    /// one already runs.
    Start {
        /// The Kea configuration file to serve.
        #[arg(short = 'c', value_name = "FILE")]
        config: PathBuf,
    },
    /// Stop the running server (SIGTERM) and wait for it to exit.
    Stop {
        /// Seconds to wait for the exit.
        #[arg(long, default_value_t = 20)]
        wait: u64,
    },
    /// Which servers run, their pid and configuration file.
    Status,
    /// Make the running server reload its configuration (SIGHUP).
    Reload,
    /// Send one control command, as kea-shell does (arguments on stdin).
    Shell(shell::ShellArgs),
    /// Check configurations.
    #[command(subcommand)]
    Config(ConfigCmd),
    /// Build a network-namespace lab, serve it with xdhcp over XDP from an
    /// embedded Kea configuration, lease to a real dhclient, drive load,
    /// report, and clean up. Needs root.
    Demo {
        /// Seconds of load.
        #[arg(long, default_value_t = 5)]
        seconds: u32,
        /// Offered DORA exchanges per second.
        #[arg(long, default_value_t = 20000)]
        rate: u32,
        /// Keep the lab serving after the report, until Ctrl-C.
        #[arg(long)]
        keep: bool,
    },
    /// Move leases between the server's lease store and Kea's memfile CSV.
    #[command(subcommand)]
    Leases(Leases),
    /// Look into the lease journal.
    #[command(subcommand)]
    Journal(Journal),
    /// Write the DHCP frames the dataplane receives and sends on an
    /// interface to a pcap file (XDP-redirected frames bypass tcpdump).
    /// Stops after -c frames, after --seconds, or at Ctrl-C.
    Capture {
        /// The interface the server serves.
        #[arg(short = 'i', value_name = "INTERFACE")]
        iface: String,
        /// The pcap file to write, `-` for standard output.
        #[arg(short = 'w', value_name = "FILE")]
        out: PathBuf,
        /// Stop after this many frames.
        #[arg(short = 'c', value_name = "COUNT")]
        count: Option<u64>,
        /// Stop after this many seconds.
        #[arg(long)]
        seconds: Option<u64>,
    },
}

/// `xdhcp config`.
#[derive(Subcommand)]
enum ConfigCmd {
    /// Check a configuration file as `xdhcp-controlplane -t` does.
    Test {
        /// The Kea configuration file.
        #[arg(short = 'c', value_name = "FILE")]
        config: PathBuf,
    },
}

/// `xdhcp journal`.
#[derive(Subcommand)]
enum Journal {
    /// Records, sequence numbers and damage of each journal file of the
    /// server configured in FILE.
    Inspect {
        /// The server's Kea configuration file.
        #[arg(short = 'c', value_name = "FILE")]
        config: PathBuf,
        /// The Dhcp6 server's journal instead of Dhcp4's.
        #[arg(short = '6')]
        v6: bool,
        /// Print every record too.
        #[arg(long)]
        records: bool,
    },
}

/// `xdhcp leases`: run with the server stopped.
#[derive(Subcommand)]
enum Leases {
    /// Write the leases of the server configured in FILE as Kea CSV.
    Export {
        /// The server's Kea configuration file.
        #[arg(short = 'c', value_name = "FILE")]
        config: PathBuf,
        /// The Dhcp6 server's leases instead of Dhcp4's.
        #[arg(short = '6')]
        v6: bool,
        /// Output file (standard output if absent).
        #[arg(short = 'o', value_name = "CSV")]
        out: Option<PathBuf>,
    },
    /// Load a Kea memfile CSV into the lease store of the server in FILE.
    Import {
        /// The server's Kea configuration file.
        #[arg(short = 'c', value_name = "FILE")]
        config: PathBuf,
        /// The file holds Dhcp6 leases.
        #[arg(short = '6')]
        v6: bool,
        /// Kea's lease file (e.g. kea-leases4.csv).
        csv: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(dir) = &cli.run_dir {
        // One place for every run-time file: the server `start` spawns and
        // `capture` find it through the environment too.
        std::env::set_var(xdhcp_dataplane::io::capture::RUN_DIR_ENV, dir);
    }
    let run = process::RunDir::new(xdhcp_dataplane::io::capture::run_dir());
    let result = match cli.command {
        Command::Start { config } => process::start(&run, &config),
        Command::Stop { wait } => process::stop(&run, Duration::from_secs(wait)),
        Command::Status => {
            print!("{}", process::status(&run));
            Ok(())
        }
        Command::Reload => process::reload(&run),
        Command::Shell(args) => shell::run(&args),
        Command::Config(ConfigCmd::Test { config }) => xdhcp_controlplane::check_file(&config)
            .map(|_| println!("{}: the configuration is valid", config.display())),
        Command::Demo {
            seconds,
            rate,
            keep,
        } => demo::run(seconds, rate, keep),
        Command::Leases(Leases::Export { config, v6, out }) => {
            leases::export(&config, v6, out.as_deref())
        }
        Command::Leases(Leases::Import { config, v6, csv }) => leases::import(&config, v6, &csv),
        Command::Journal(Journal::Inspect {
            config,
            v6,
            records,
        }) => journal::inspect(&config, v6, records),
        Command::Capture {
            iface,
            out,
            count,
            seconds,
        } => capture::run(&iface, &out, &capture::Limits { count, seconds }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xdhcp: {e}");
            ExitCode::FAILURE
        }
    }
}
