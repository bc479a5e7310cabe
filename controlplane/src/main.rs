//! `xdhcp-controlplane`: Kea-compatible command line. `-t FILE` checks a
//! configuration, exiting 0, or 1 with located errors on stderr, as
//! `kea-dhcp4 -t` does; `-T FILE` also checks what serving needs from
//! outside the file (see `deep_check`); `-v` / `-V` / `-W` report the
//! version and build; with `--write-snapshot OUT`, -t and -T also write
//! the compiled snapshot `xdhcp-dataplane` serves. `-c FILE` serves (see
//! `serve`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use xdhcp_controlplane::log;

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
    /// Deep check (like `kea-dhcp4 -T`): -t's checks, then the databases,
    /// the lease journal and TLS files, without opening sockets.
    #[arg(short = 'T', value_name = "FILE")]
    deep_test: Option<PathBuf>,
    /// With -t or -T: also compile the configuration into the snapshot
    /// file `xdhcp-dataplane --snapshot` serves.
    #[arg(
        long = "write-snapshot",
        value_name = "FILE",
        conflicts_with = "config"
    )]
    write_snapshot: Option<PathBuf>,
    /// Serve with this configuration file (DHCPv4 over AF_XDP).
    #[arg(short = 'c', value_name = "FILE")]
    config: Option<PathBuf>,
    /// Write the process id to FILE once serving; removed at exit
    /// (`xdhcp start` and systemd's PIDFile use it).
    #[arg(long = "pid-file", value_name = "FILE")]
    pid_file: Option<PathBuf>,
    /// With -c: hand the configuration (and each change to it) to the
    /// `xdhcp-dataplane --listen SOCKET` on this channel instead of serving
    /// it in this process.
    #[arg(long = "dataplane", value_name = "SOCKET", requires = "config")]
    dataplane: Option<PathBuf>,
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
    let deep = args.test.is_none() && args.deep_test.is_some();
    let Some(file) = args.test.or(args.deep_test).or(args.config.clone()) else {
        eprintln!("xdhcp-controlplane: give -t FILE to check a configuration (see --help)");
        return ExitCode::FAILURE;
    };
    let cfg = match xdhcp_controlplane::check_file(&file) {
        Ok(cfg) => cfg,
        Err(report) => {
            eprintln!("{report}");
            return ExitCode::FAILURE;
        }
    };
    if deep {
        let checked = xdhcp_controlplane::json::parse_file(&file)
            .map_err(|e| vec![e])
            .and_then(|raw| xdhcp_controlplane::deep_check::check(&cfg, &raw));
        match checked {
            Ok(notes) => notes.iter().for_each(|n| println!("{n}")),
            Err(errors) => {
                errors.iter().for_each(|e| eprintln!("{e}"));
                eprintln!("Deep check failed with {} error(s)", errors.len());
                return ExitCode::FAILURE;
            }
        }
    }
    if let Some(out) = &args.write_snapshot {
        let written = xdhcp_controlplane::serve::snapshot(&cfg)
            .and_then(|s| s.write(out).map_err(|e| e.to_string()));
        match written {
            Ok(size) => println!("snapshot written to {} ({size} bytes)", out.display()),
            Err(e) => {
                eprintln!("xdhcp-controlplane: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    if args.config.is_none() {
        if args.debug {
            for (name, s) in cfg.servers() {
                eprintln!(
                    "{name}: {} subnet(s), {} shared network(s)",
                    s.subnets.len(),
                    s.shared_networks.len()
                );
            }
        }
        return ExitCode::SUCCESS;
    }
    let served = log::Setup::of(&cfg, args.debug)
        .and_then(|setup| log::configure(&setup))
        .and_then(|()| {
            announce(&cfg);
            xdhcp_controlplane::serve::run(
                &cfg,
                &file,
                args.metrics,
                args.pid_file.as_deref(),
                args.dataplane.as_deref(),
            )
        });
    let code = match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            log::error(
                "kea-dhcp4.dhcp4",
                "DHCP4_INIT_FAIL",
                format!("failed to initialize xdhcp server: {e}"),
            );
            eprintln!("xdhcp-controlplane: {e}");
            ExitCode::FAILURE
        }
    };
    log::flush();
    code
}

/// Kea's start-up messages, once the configuration's logging applies.
fn announce(cfg: &xdhcp_controlplane::Config) {
    let version = env!("CARGO_PKG_VERSION");
    for (family, v, s) in [("4", "IPv4", &cfg.dhcp4), ("6", "IPv6", &cfg.dhcp6)] {
        let Some(s) = s else { continue };
        let (logger, starting, complete) = if family == "4" {
            ("kea-dhcp4.dhcp4", "DHCP4_STARTING", "DHCP4_CONFIG_COMPLETE")
        } else {
            ("kea-dhcp6.dhcp6", "DHCP6_STARTING", "DHCP6_CONFIG_COMPLETE")
        };
        log::info(
            logger,
            starting,
            format!("xdhcp DHCPv{family} server version {version} starting"),
        );
        let subnets = s.subnets.len();
        log::info(
            logger,
            complete,
            format!(
                "DHCPv{family} server has completed configuration: \
                 added {v} subnets: {subnets}; DDNS: disabled"
            ),
        );
    }
}
