//! `xdhcp-perf`: a perfdhcp-compatible DHCP load generator.
//!
//! The command line ([`cli`]) is perfdhcp's; [`scenario`] builds what the
//! simulated clients send and reads the replies; [`engine`] paces, sends and
//! matches over UDP from the socket [`setup`] opens, or over AF_XDP as
//! directly connected clients (`--xdp`); [`stats`] and
//! [`report`] count and print as perfdhcp.

pub mod cli;
pub mod engine;
pub mod report;
pub mod scenario;
pub mod setup;
pub mod stats;

use std::io::{self, Write};

use cli::{Command, Options};
use engine::{progress::Progress, xdp::Family};
use scenario::{v4::V4, v6::V6};

/// Most leases kept for renewals and releases.
const MAX_KEPT_LEASES: usize = 1 << 16;

/// Runs the tool with `args` (without the program name) and returns the
/// process exit status, perfdhcp's: 0 success, 1 error, 3 incomplete exchanges.
pub fn main_with(args: &[String]) -> i32 {
    let opts = match cli::parse(args) {
        Ok(Command::Run(o)) => o,
        Ok(Command::Help) => {
            print!("{}", cli::USAGE);
            return 0;
        }
        Ok(Command::Version) => {
            println!("{}", env!("CARGO_PKG_VERSION"));
            return 0;
        }
        Err(e) => {
            eprintln!("xdhcp-perf: {e}");
            eprintln!("{}", cli::USAGE);
            return 1;
        }
    };
    let stdout = io::stdout();
    let mut out = stdout.lock();
    if !opts.json {
        let _ = writeln!(out, "Running: xdhcp-perf {}", args.join(" "));
        let _ = writeln!(out, "Scenario: basic.");
    }
    if opts.diag('a') {
        let _ = writeln!(out, "{opts:#?}");
    }
    install_sigint();
    match run(&opts, &mut out) {
        Ok(code) => code,
        Err(e) => {
            let _ = out.flush();
            eprintln!("xdhcp-perf: {e}");
            1
        }
    }
}

/// Runs the test `opts` describes, writing reports to `out`; returns
/// perfdhcp's exit status.
pub fn run(opts: &Options, out: &mut dyn Write) -> io::Result<i32> {
    let outcome = if opts.json {
        // stdout holds only the JSON report; progress goes to stderr.
        load(opts, &mut io::stderr().lock())?
    } else {
        load(opts, out)?
    };
    if opts.json {
        report::json(out, opts, &outcome)?;
    } else {
        report::text(out, opts, &outcome)?;
    }
    out.flush()?;
    Ok(report::exit_code(opts, &outcome.stats))
}

/// Opens the socket and runs the load loop, writing progress (`-t`, `-x e`)
/// to `progress`; returns the counters for a report.
pub fn load(opts: &Options, progress: &mut dyn Write) -> io::Result<engine::Outcome> {
    // Leases kept for renewals and releases, per generator thread.
    let keep = |o: &Options| (o.clients as usize).min(MAX_KEPT_LEASES);
    let v6 = |o: &Options, relay| {
        let duid = o.duid_base.clone();
        V6::new(relay, o.lease_type, o.mac_base, duid, keep(o))
    };
    if opts.xdp {
        let Some(cli::Local::Interface(iface)) = &opts.local else {
            let why = "--xdp needs -l INTERFACE";
            return Err(io::Error::new(io::ErrorKind::InvalidInput, why));
        };
        return if opts.family == 4 {
            // Directly connected: no relay address in giaddr.
            let unrelayed = std::net::Ipv4Addr::UNSPECIFIED;
            let v4 = |o: &Options| V4::new(unrelayed, o.mac_base, o.broadcast_flag, keep(o));
            engine::queues::run(opts, iface, Family::V4, v4, progress)
        } else {
            engine::queues::run(opts, iface, Family::V6, |o| v6(o, None), progress)
        };
    }
    let alone = Progress::new(1);
    Ok(if opts.family == 4 {
        let (mut io, local) = setup::open_v4(opts)?;
        let mut proto = V4::new(local, opts.mac_base, opts.broadcast_flag, keep(opts));
        engine::run(opts, &mut proto, &mut io, &alone, 0, progress)
    } else {
        let (mut io, link) = setup::open_v6(opts)?;
        engine::run(opts, &mut v6(opts, link), &mut io, &alone, 0, progress)
    })
}

extern "C" fn on_sigint(_: libc::c_int) {
    engine::INTERRUPTED.store(true, std::sync::atomic::Ordering::Relaxed);
}

fn install_sigint() {
    // SAFETY: the handler only stores to an atomic, which is signal-safe.
    unsafe {
        libc::signal(
            libc::SIGINT,
            on_sigint as extern "C" fn(libc::c_int) as libc::sighandler_t,
        );
    }
}
