//! `xdhcp-perf`: a perfdhcp-compatible DHCP load generator.
//!
//! The command line ([`cli`]) is perfdhcp's; [`scenario`] builds what the
//! simulated clients send and reads the replies; [`engine`] paces, sends and
//! matches over UDP; [`stats`] and [`report`] count and print as perfdhcp.

pub mod cli;
pub mod engine;
pub mod report;
pub mod scenario;
pub mod stats;

use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use cli::{Command, Local, Options, Server};
use engine::udp::{self, UdpIo};
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
    let keep = (opts.clients as usize).min(MAX_KEPT_LEASES);
    Ok(if opts.family == 4 {
        let (mut io, local) = open_v4(opts)?;
        let mut proto = V4::new(local, opts.mac_base, opts.broadcast_flag, keep);
        engine::run(opts, &mut proto, &mut io, progress)
    } else {
        let (mut io, link) = open_v6(opts)?;
        let mut proto = V6::new(
            link,
            opts.lease_type,
            opts.mac_base,
            opts.duid_base.clone(),
            keep,
        );
        engine::run(opts, &mut proto, &mut io, progress)
    })
}

fn port(given: u16, standard: u16) -> u16 {
    if given == 0 {
        standard
    } else {
        given
    }
}

fn unsupported(msg: &str) -> io::Error {
    io::Error::new(io::ErrorKind::Unsupported, msg.to_string())
}

/// v4: a relay socket on port 67 of the local address, which is also giaddr.
fn open_v4(opts: &Options) -> io::Result<(UdpIo, Ipv4Addr)> {
    let (server, iface) = match (&opts.server, &opts.local) {
        (Server::Addr(IpAddr::V4(a)), _) => (*a, None),
        // perfdhcp with only `-l IFACE`: broadcast out of that interface,
        // still as a relay (giaddr set), so the server answers unicast.
        (Server::Broadcast, Some(Local::Interface(name))) => (Ipv4Addr::BROADCAST, Some(name)),
        _ => {
            return Err(unsupported(
                "a v4 server address (or -l INTERFACE) is required",
            ))
        }
    };
    let local = match &opts.local {
        Some(Local::Addr(a)) => *a,
        Some(Local::Interface(name)) => udp::interface_address(name, false, false)?.0,
        None => udp::route_source(IpAddr::V4(server))?,
    };
    let IpAddr::V4(local) = local else {
        return Err(unsupported(
            "-l must be an IPv4 address or interface with -4",
        ));
    };
    let io = UdpIo::open(
        SocketAddr::new(local.into(), port(opts.local_port, 67)),
        SocketAddr::new(server.into(), port(opts.remote_port, 67)),
        0,
    )?;
    if let Some(name) = iface {
        io.broadcast_on(name)?;
    }
    Ok((io, local))
}

/// v6: a relay socket on port 547 (`-A 1`), or a client socket on port 546.
/// Returns the relay's link-address when relaying.
fn open_v6(opts: &Options) -> io::Result<(UdpIo, Option<Ipv6Addr>)> {
    let relay = opts.relay_level > 0;
    let (local, ifindex) = match &opts.local {
        Some(Local::Addr(a)) => (Some(*a), 0),
        Some(Local::Interface(name)) => {
            let (a, i) = udp::interface_address(name, true, !relay)?;
            (Some(a), i)
        }
        None => (None, 0),
    };
    let server = match opts.server {
        Server::Addr(a) => a,
        Server::AllAgents => IpAddr::V6(Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 1, 2)),
        Server::AllServers => IpAddr::V6(Ipv6Addr::new(0xff05, 0, 0, 0, 0, 0, 1, 3)),
        Server::Broadcast => return Err(unsupported("a v6 server address is required")),
    };
    if server.is_multicast() && ifindex == 0 {
        return Err(unsupported(
            "multicast to 'all'/'servers' needs -l INTERFACE",
        ));
    }
    let local = match local {
        Some(a) => a,
        None => udp::route_source(server)?,
    };
    let IpAddr::V6(local6) = local else {
        return Err(unsupported(
            "-l must be an IPv6 address or interface with -6",
        ));
    };
    let (lport, rport) = if relay { (547, 547) } else { (546, 547) };
    let bind = SocketAddr::V6(std::net::SocketAddrV6::new(
        local6,
        port(opts.local_port, lport),
        0,
        if local6.segments()[0] & 0xffc0 == 0xfe80 {
            ifindex
        } else {
            0
        },
    ));
    let io = UdpIo::open(
        bind,
        SocketAddr::new(server, port(opts.remote_port, rport)),
        ifindex,
    )?;
    Ok((io, relay.then_some(local6)))
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
