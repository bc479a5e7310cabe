//! `xdhcp-dataplane --snapshot FILE`: serves a snapshot the control plane
//! wrote (`xdhcp-controlplane -t CONFIG --write-snapshot FILE`) on its own:
//! opens the lease stores, starts the workers on the configured interfaces
//! and sockets, and looks after the leases (reclamation, lease file
//! cleanup). SIGHUP reads the file again and swaps the new configuration
//! in between batches, as a reload does in the control plane; SIGINT and
//! SIGTERM stop serving and flush the lease journals.
//!
//! The control API, statistics and the configuration's loggers belong to
//! the control plane; this process logs to stderr.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use xdhcp_dataplane::config::plan::Plan;
use xdhcp_dataplane::config::setup::Setup;
use xdhcp_dataplane::config::snapshot::Snapshot;
use xdhcp_dataplane::config::{Config4, Config6};
use xdhcp_dataplane::lease::{Lease, Lease4, Lease6};
use xdhcp_dataplane::server::family::{Family, Pools};
use xdhcp_dataplane::server::upkeep::{Lfc, Reclaimer};
use xdhcp_dataplane::server::{open_leases, sockets};

// Workers allocate nothing per packet; start-up and reloads allocate much
// and small.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// xdhcp dataplane: serves a compiled snapshot.
#[derive(Parser, Debug)]
#[command(name = "xdhcp-dataplane", version)]
struct Args {
    /// The snapshot to serve (`xdhcp-controlplane -t CONFIG --write-snapshot FILE`).
    #[arg(long, value_name = "FILE")]
    snapshot: PathBuf,
    /// Write the process id to FILE once serving; removed at exit.
    #[arg(long = "pid-file", value_name = "FILE")]
    pid_file: Option<PathBuf>,
}

static STOP: AtomicBool = AtomicBool::new(false);
static RELOAD: AtomicBool = AtomicBool::new(false);

extern "C" fn on_stop(_: libc::c_int) {
    STOP.store(true, Ordering::Relaxed);
}

extern "C" fn on_hangup(_: libc::c_int) {
    RELOAD.store(true, Ordering::Relaxed);
}

/// Log lines on stderr, Kea's severity and message id first.
fn log(severity: &str, id: &str, text: &str) {
    eprintln!(
        "{severity:<5} [xdhcp-dataplane/{}] {id} {text}",
        std::process::id()
    );
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            log("ERROR", "DHCP4_INIT_FAIL", &e);
            ExitCode::FAILURE
        }
    }
}

/// One family served: its set-up (kept from the first snapshot) and what
/// its workers read.
type Served<C, L> = Option<(Setup, Family<C, L>)>;

/// Opens the family of `plan`'s set-up with `config`, if both are there.
fn start<C: Pools, L: Lease>(
    setup: Option<&Setup>,
    config: Option<C>,
) -> Result<Served<C, L>, String> {
    let (Some(setup), Some(config)) = (setup, config) else {
        return Ok(None);
    };
    let leases = open_leases(setup.leases.store_config(), log)?;
    Ok(Some((setup.clone(), Family::start(config, leases))))
}

/// A plan's set-up.
fn setup(plan: &Option<Plan>) -> Option<&Setup> {
    plan.as_ref().map(|p| &p.setup)
}

/// What [`sockets::open_all`] takes of a served family.
fn site<C, L: Lease>(served: &Served<C, L>) -> Option<sockets::Site<'_, C, L>> {
    served.as_ref().map(|(setup, family)| (setup, family))
}

fn run(args: &Args) -> Result<(), String> {
    // SAFETY: the handlers only store to atomics.
    unsafe {
        libc::signal(libc::SIGINT, on_stop as *const () as libc::sighandler_t);
        libc::signal(libc::SIGTERM, on_stop as *const () as libc::sighandler_t);
        libc::signal(libc::SIGHUP, on_hangup as *const () as libc::sighandler_t);
    }
    let snapshot = Snapshot::read(&args.snapshot).map_err(|e| e.to_string())?;
    let v4: Served<Config4, Lease4> = start(setup(&snapshot.dhcp4), snapshot.config4())?;
    let v6: Served<Config6, Lease6> = start(setup(&snapshot.dhcp6), snapshot.config6())?;
    drop(snapshot);
    if v4.is_none() && v6.is_none() {
        return Err("the snapshot has neither a DHCPv4 nor a DHCPv6 server".into());
    }
    let serving = sockets::open_all(site(&v4), site(&v6), None, log)?;
    if let Some(p) = &args.pid_file {
        std::fs::write(p, format!("{}\n", std::process::id()))
            .map_err(|e| format!("writing the pid file {}: {e}", p.display()))?;
    }
    let mut reclaim4 = v4
        .as_ref()
        .and_then(|(s, f)| Reclaimer::new(f.leases.clone(), &s.reclaim, Box::new(|_| {}), log));
    let mut reclaim6 = v6
        .as_ref()
        .and_then(|(s, f)| Reclaimer::new(f.leases.clone(), &s.reclaim, Box::new(|_| {}), log));
    let mut lfc4 = v4
        .as_ref()
        .and_then(|(s, f)| Lfc::new(f.leases.clone(), s.lfc_interval, log));
    let mut lfc6 = v6
        .as_ref()
        .and_then(|(s, f)| Lfc::new(f.leases.clone(), s.lfc_interval, log));
    while !STOP.load(Ordering::Relaxed) {
        let now = Instant::now();
        reclaim4.iter_mut().for_each(|r| r.tick(now));
        reclaim6.iter_mut().for_each(|r| r.tick(now));
        lfc4.iter_mut().for_each(|l| l.tick(now));
        lfc6.iter_mut().for_each(|l| l.tick(now));
        if RELOAD.swap(false, Ordering::Relaxed) {
            reload(&args.snapshot, &v4, &v6);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    for (_, s) in serving {
        s.stop();
    }
    if let Some(p) = &args.pid_file {
        let _ = std::fs::remove_file(p);
    }
    let flushed = [
        v4.as_ref().map(|(_, f)| f.leases.flush_all()),
        v6.as_ref().map(|(_, f)| f.leases.flush_all()),
    ];
    for result in flushed.into_iter().flatten() {
        result.map_err(|e| format!("flushing the lease journal: {e}"))?;
    }
    log("INFO", "DHCP4_SHUTDOWN", "server shut down");
    Ok(())
}

/// Reads the snapshot at `path` again and swaps its configurations in.
/// A file that cannot be read, or that drops a family being served,
/// changes nothing; set-up changes (interfaces, sockets, lease storage)
/// wait for a restart, as in Kea.
fn reload(path: &Path, v4: &Served<Config4, Lease4>, v6: &Served<Config6, Lease6>) {
    let next = match Snapshot::read(path) {
        Ok(next) => next,
        Err(e) => {
            let text = format!("{e}; serving the previous configuration");
            return log("ERROR", "DHCP4_DYNAMIC_RECONFIGURATION_FAIL", &text);
        }
    };
    let (next4, next6) = (next.config4(), next.config6());
    if (v4.is_some() && next4.is_none()) || (v6.is_some() && next6.is_none()) {
        let text = "the new snapshot stops a family being served, which needs a restart; \
                    serving the previous configuration";
        return log("ERROR", "DHCP4_DYNAMIC_RECONFIGURATION_FAIL", text);
    }
    // A family served keeps its set-up; one the snapshot adds is not served.
    let served = (v4.as_ref().map(|(s, _)| s), v6.as_ref().map(|(s, _)| s));
    if served != (setup(&next.dhcp4), setup(&next.dhcp6)) {
        let text = "interfaces, sockets, lease storage or the families served changed: \
                    that takes effect at the next restart";
        log("WARN", "DHCP4_RECONFIGURE_RESTART_ONLY", text);
    }
    if let (Some((_, f)), Some(c)) = (v4, next4) {
        f.replace(c);
    }
    if let (Some((_, f)), Some(c)) = (v6, next6) {
        f.replace(c);
    }
    let text = format!("configuration reloaded from {}", path.display());
    log("INFO", "DHCP4_DYNAMIC_RECONFIGURATION", &text);
}
