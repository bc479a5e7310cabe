//! `xdhcp-controlplane`: Kea-compatible command line. For now `-t FILE`
//! (and `-T FILE`) check a configuration, exiting 0, or 1 with located
//! errors on stderr, as `kea-dhcp4 -t` does; `-v` / `-V` / `-W` report the
//! version and build. `-c FILE` serves DHCPv4 (see `serve`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

// The dataplane allocates nothing per packet; everything else (config
// loading, the API, the control plane's maps) allocates often and small.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// xdhcp control plane (Kea-compatible switches).
#[derive(Parser, Debug)]
#[command(name = "xdhcp-controlplane", disable_version_flag = true)]
struct Args {
    /// Check the configuration file and exit (like `kea-dhcp4 -t`).
    #[arg(short = 't', value_name = "FILE")]
    test: Option<PathBuf>,
    /// Deep check (like `kea-dhcp4 -T`); for now the same checks as -t.
    #[arg(short = 'T', value_name = "FILE")]
    deep_test: Option<PathBuf>,
    /// Serve with this configuration file (DHCPv4 over AF_XDP).
    #[arg(short = 'c', value_name = "FILE")]
    config: Option<PathBuf>,
    /// Debug logging.
    #[arg(short = 'd')]
    debug: bool,
    /// Print the version and exit.
    #[arg(short = 'v')]
    version: bool,
    /// Print the extended version and exit.
    #[arg(short = 'V')]
    extended_version: bool,
    /// Print the build report and exit.
    #[arg(short = 'W')]
    build_report: bool,
    /// Also serve Prometheus metrics (`GET /metrics`) on this address,
    /// for deployments without an HTTP control socket.
    #[arg(long = "metrics", value_name = "ADDR:PORT")]
    metrics: Option<std::net::SocketAddr>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let version = env!("CARGO_PKG_VERSION");
    if args.version {
        println!("{version}");
        return ExitCode::SUCCESS;
    }
    if args.extended_version || args.build_report {
        println!("{version}");
        println!("xdhcp-controlplane: ISC Kea JSON configuration dialect (Kea 2.2 keys and the seed manuals')");
        println!("hooks provided natively: lease_cmds stat_cmds host_cmds subnet_cmds class_cmds ha legal_log flex_id bootp mysql pgsql");
        return ExitCode::SUCCESS;
    }
    let Some(file) = args.test.or(args.deep_test).or(args.config.clone()) else {
        eprintln!("xdhcp-controlplane: give -t FILE to check a configuration (see --help)");
        return ExitCode::FAILURE;
    };
    match xdhcp_controlplane::load_file(&file) {
        Ok(cfg) if args.config.is_some() => {
            match xdhcp_controlplane::serve::run(&cfg, &file, args.metrics) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("xdhcp-controlplane: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Ok(cfg) => {
            if args.debug {
                for (name, s) in [("Dhcp4", &cfg.dhcp4), ("Dhcp6", &cfg.dhcp6)] {
                    if let Some(s) = s {
                        eprintln!(
                            "{name}: {} subnet(s), {} shared network(s)",
                            s.subnets.len(),
                            s.shared_networks.len()
                        );
                    }
                }
            }
            ExitCode::SUCCESS
        }
        Err(errors) => {
            for e in &errors {
                eprintln!("{e}");
            }
            eprintln!("Syntax check failed with {} error(s)", errors.len());
            ExitCode::FAILURE
        }
    }
}
