//! `xdhcp-dataplane`: serves the snapshot the control plane compiles, on
//! its own: opens the lease stores, starts the workers on the configured
//! interfaces and sockets, and looks after the leases (reclamation, lease
//! file cleanup).
//!
//! The snapshot comes from a file (`--snapshot FILE`, written by
//! `xdhcp-controlplane -t CONFIG --write-snapshot FILE`; SIGHUP reads it
//! again) or over the local channel (`--listen SOCKET`, where
//! `xdhcp-controlplane -c CONFIG --dataplane SOCKET` hands over the first
//! snapshot and each one after a configuration change, passes on the
//! lease commands, which act on this process's lease stores, and reads the
//! counters behind its statistics and metrics). A new snapshot is swapped
//! in between batches, as a reload does in the control plane; the control
//! plane can stop and start again meanwhile. SIGINT and SIGTERM stop
//! serving and flush the lease journals.
//!
//! The control API, what operators do to the statistics (resets, samples)
//! and the configuration's loggers belong to the control plane; this
//! process logs to stderr.

use std::io::Write;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use xdhcp_dataplane::config::plan::Plan;
use xdhcp_dataplane::config::setup::Setup;
use xdhcp_dataplane::config::snapshot::Snapshot;
use xdhcp_dataplane::config::{Config4, Config6};
use xdhcp_dataplane::io::serve::Serving;
use xdhcp_dataplane::lease::{Lease, Lease4, Lease6};
use xdhcp_dataplane::server::answer::{answer, result};
use xdhcp_dataplane::server::channel::{self, Request};
use xdhcp_dataplane::server::family::{Family, Pools};
use xdhcp_dataplane::server::statistics::Counting;
use xdhcp_dataplane::server::upkeep::{Lfc, Reclaimer};
use xdhcp_dataplane::server::{lease_cmds, open_leases, sockets};

// Workers allocate nothing per packet; start-up and reloads allocate much
// and small.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// xdhcp dataplane: serves a compiled snapshot.
#[derive(Parser, Debug)]
#[command(name = "xdhcp-dataplane", version)]
struct Args {
    /// The snapshot to serve (`xdhcp-controlplane -t CONFIG --write-snapshot FILE`);
    /// SIGHUP reads it again.
    #[arg(long, value_name = "FILE", required_unless_present = "listen")]
    snapshot: Option<PathBuf>,
    /// Take snapshots from the control plane on this UNIX socket
    /// (`xdhcp-controlplane -c CONFIG --dataplane SOCKET`); without
    /// --snapshot, serving starts with the first one.
    #[arg(long, value_name = "SOCKET")]
    listen: Option<PathBuf>,
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

/// How often the main loop looks at its timers, signals and channel.
const TICK: Duration = Duration::from_millis(100);

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

/// The next control plane connection and what it asks, if one is
/// waiting; a request that cannot be read is answered here.
fn next_request(listener: &UnixListener) -> Option<(UnixStream, Request)> {
    let (stream, _) = listener.accept().ok()?;
    let read = stream
        .set_nonblocking(false)
        .and_then(|()| channel::receive(&stream));
    match read {
        Ok(request) => Some((stream, request)),
        Err(e) => {
            log("ERROR", "XDHCP_CHANNEL_BAD_REQUEST", &e.to_string());
            let _ = channel::answer(&stream, &Err(e.to_string()));
            None
        }
    }
}

/// The snapshot in a hand-over's file.
fn mapped(file: &std::fs::File) -> Result<Snapshot, String> {
    Snapshot::from_sealed(file).map_err(|e| e.to_string())
}

/// The snapshot to start with: the file's, or the first one handed over
/// with the connection that waits to hear whether serving started.
fn first_snapshot(
    args: &Args,
    listener: Option<&UnixListener>,
) -> Result<(Snapshot, Option<UnixStream>), String> {
    if let Some(path) = &args.snapshot {
        return Snapshot::read(path)
            .map(|s| (s, None))
            .map_err(|e| e.to_string());
    }
    let Some(listener) = listener else {
        return Err("give --snapshot FILE, --listen SOCKET or both".into());
    };
    log(
        "INFO",
        "XDHCP_DATAPLANE_WAITING",
        "waiting for the control plane's first snapshot",
    );
    while !STOP.load(Ordering::Relaxed) {
        match next_request(listener) {
            Some((stream, Request::Snapshot(file))) => match mapped(&file) {
                Ok(snapshot) => return Ok((snapshot, Some(stream))),
                Err(e) => drop(channel::answer(&stream, &Err(e))),
            },
            Some((mut stream, Request::Command(_))) => {
                let not_yet = answer(result::ERROR, "the dataplane serves nothing yet");
                let _ = stream.write_all(not_yet.to_string().as_bytes());
            }
            Some((stream, Request::Read(_))) => {
                let not_yet = Err("the dataplane serves nothing yet".to_string());
                let _ = channel::answer(&stream, &not_yet);
            }
            Some((stream, Request::Status)) => {
                let _ = channel::answer_status(&stream, false);
            }
            None => std::thread::sleep(TICK),
        }
    }
    Err("stopped before a snapshot arrived".into())
}

/// The families of `snapshot` and the interfaces serving them.
type Started = (
    Served<Config4, Lease4>,
    Served<Config6, Lease6>,
    Vec<(String, Serving)>,
);

/// Opens the lease stores and interfaces of `snapshot` and starts serving.
fn serve(snapshot: &Snapshot) -> Result<Started, String> {
    let v4: Served<Config4, Lease4> = start(setup(&snapshot.dhcp4), snapshot.config4())?;
    let v6: Served<Config6, Lease6> = start(setup(&snapshot.dhcp6), snapshot.config6())?;
    if v4.is_none() && v6.is_none() {
        return Err("the snapshot has neither a DHCPv4 nor a DHCPv6 server".into());
    }
    let serving = sockets::open_all(site(&v4), site(&v6), None, log)?;
    Ok((v4, v6, serving))
}

fn run(args: &Args) -> Result<(), String> {
    // SAFETY: the handlers only store to atomics.
    unsafe {
        libc::signal(libc::SIGINT, on_stop as *const () as libc::sighandler_t);
        libc::signal(libc::SIGTERM, on_stop as *const () as libc::sighandler_t);
        libc::signal(libc::SIGHUP, on_hangup as *const () as libc::sighandler_t);
    }
    let listener = match &args.listen {
        Some(path) => {
            let l = channel::listen(path)
                .and_then(|l| l.set_nonblocking(true).map(|()| l))
                .map_err(|e| format!("listening on {}: {e}", path.display()))?;
            Some(l)
        }
        None => None,
    };
    let (snapshot, waiting) = first_snapshot(args, listener.as_ref())?;
    let started = serve(&snapshot);
    drop(snapshot);
    if let Some(stream) = waiting {
        let said = started.as_ref().map(|_| ()).map_err(Clone::clone);
        let _ = channel::answer(&stream, &said);
    }
    let (v4, v6, serving) = started?;
    if let Some(p) = &args.pid_file {
        std::fs::write(p, format!("{}\n", std::process::id()))
            .map_err(|e| format!("writing the pid file {}: {e}", p.display()))?;
    }
    let (f4, f6) = (v4.as_ref().map(|(_, f)| f), v6.as_ref().map(|(_, f)| f));
    let served: Vec<(String, &Serving)> = serving.iter().map(|(n, s)| (n.clone(), s)).collect();
    let counting = Counting::new(f4, f6, &served);
    let mut reclaim4 = v4
        .as_ref()
        .zip(counting.reclaimed4())
        .and_then(|((s, f), count)| Reclaimer::new(f.leases.clone(), &s.reclaim, count, log));
    let mut reclaim6 = v6
        .as_ref()
        .zip(counting.reclaimed6())
        .and_then(|((s, f), count)| Reclaimer::new(f.leases.clone(), &s.reclaim, count, log));
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
            let applied = match &args.snapshot {
                Some(path) => Snapshot::read(path)
                    .map_err(|e| e.to_string())
                    .and_then(|next| apply(next, &v4, &v6)),
                None => Err("SIGHUP: no --snapshot file to read again".into()),
            };
            report(applied, "the snapshot file");
        }
        // Every waiting request, so a burst of commands and scrapes is not
        // paced by the tick.
        while let Some((mut stream, request)) = listener.as_ref().and_then(next_request) {
            match request {
                Request::Snapshot(file) => {
                    let applied = mapped(&file).and_then(|next| apply(next, &v4, &v6));
                    let _ = channel::answer(&stream, &applied);
                    report(applied, "the control plane");
                }
                Request::Command(text) => {
                    let said = lease_cmds::answer_request(f4, f6, &text);
                    let _ = stream.write_all(said.to_string().as_bytes());
                }
                Request::Read(part) => {
                    counting.refresh(&served);
                    let reading = serde_json::to_vec(&counting.read(part));
                    let _ = stream.write_all(&reading.unwrap_or_default());
                }
                Request::Status => {
                    let _ = channel::answer_status(&stream, true);
                }
            }
        }
        std::thread::sleep(TICK);
    }
    drop(served);
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

/// Logs how swapping in a configuration from `source` went.
fn report(applied: Result<(), String>, source: &str) {
    match applied {
        Ok(()) => {
            let text = format!("configuration reloaded from {source}");
            log("INFO", "DHCP4_DYNAMIC_RECONFIGURATION", &text);
        }
        Err(e) => {
            let text = format!("{e}; serving the previous configuration");
            log("ERROR", "DHCP4_DYNAMIC_RECONFIGURATION_FAIL", &text);
        }
    }
}

/// Swaps the configurations of `next` in. A snapshot that drops a family
/// being served changes nothing; set-up changes (interfaces, sockets,
/// lease storage, families added) wait for a restart, as in Kea.
fn apply(
    next: Snapshot,
    v4: &Served<Config4, Lease4>,
    v6: &Served<Config6, Lease6>,
) -> Result<(), String> {
    if (v4.is_some() && next.dhcp4.is_none()) || (v6.is_some() && next.dhcp6.is_none()) {
        return Err("the new snapshot stops a family being served, which needs a restart".into());
    }
    let served = (v4.as_ref().map(|(s, _)| s), v6.as_ref().map(|(s, _)| s));
    if served != (setup(&next.dhcp4), setup(&next.dhcp6)) {
        let text = "interfaces, sockets, lease storage or the families served changed: \
                    that takes effect at the next restart";
        log("WARN", "DHCP4_RECONFIGURE_RESTART_ONLY", text);
    }
    if let (Some((_, f)), Some(c)) = (v4, next.config4()) {
        f.replace(c);
    }
    if let (Some((_, f)), Some(c)) = (v6, next.config6()) {
        f.replace(c);
    }
    Ok(())
}
