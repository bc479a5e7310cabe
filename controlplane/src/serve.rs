//! `xdhcp-controlplane -c FILE`: serve DHCPv4 and DHCPv6 from the
//! configuration.
//!
//! Until the dataplane runs as its own process for good (`xdhcp-dataplane`
//! serves a snapshot file alone, without the control API), the control
//! plane runs the dataplane's server parts in-process
//! ([`xdhcp_dataplane::server`]): compile the `Dhcp4` and `Dhcp6` sections,
//! open their lease stores, open each section's `dhcp-socket-type` sockets
//! on its configured interfaces and serve until SIGINT or SIGTERM.
//! SIGHUP reloads the file, as `config-reload` does (see `reload`).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use xdhcp_dataplane::config::snapshot::Snapshot;
use xdhcp_dataplane::events::LeaseEvents;
use xdhcp_dataplane::io::link;
use xdhcp_dataplane::io::serve::Serving;
use xdhcp_dataplane::lease::LeaseStore;
use xdhcp_dataplane::server::sockets;
use xdhcp_dataplane::server::statistics::Counting;
use xdhcp_dataplane::server::upkeep::{Lfc, Reclaimer};

use crate::api::{self, Api};
use crate::config::Config;
use crate::config::Server;
use crate::log::{LeaseSink, Severity};
use crate::reload::{self, Running};
use crate::stats::Counters;
use crate::{compile, json, leases, monitor, server_duid};

static STOP: AtomicBool = AtomicBool::new(false);
/// Set by SIGHUP; the serving loop reloads the configuration file.
static RELOAD: AtomicBool = AtomicBool::new(false);

/// Kea's default HTTP control port.
const DEFAULT_HTTP_PORT: u16 = 8000;

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::Relaxed);
}

extern "C" fn on_hangup(_: libc::c_int) {
    RELOAD.store(true, Ordering::Relaxed);
}

/// Serves until a signal arrives; with `metrics`, also serves `GET
/// /metrics` there; with `pid_file`, writes the process id there once
/// every interface is served (so `xdhcp start` knows start-up succeeded)
/// and removes it on the way out; with `dataplane`, hands the
/// configuration to the `xdhcp-dataplane` listening on that channel
/// instead of serving it here. Errors are operator-readable sentences.
pub fn run(
    config: &Config,
    file: &Path,
    metrics: Option<SocketAddr>,
    pid_file: Option<&Path>,
    dataplane: Option<&Path>,
) -> Result<(), String> {
    // Installed first, so a signal during start-up stops the server cleanly
    // once it is up. SAFETY: the handler only stores to an atomic.
    unsafe {
        libc::signal(libc::SIGINT, on_signal as *const () as libc::sighandler_t);
        libc::signal(libc::SIGTERM, on_signal as *const () as libc::sighandler_t);
        libc::signal(libc::SIGHUP, on_hangup as *const () as libc::sighandler_t);
    }
    crate::eval_log::install(config)?;
    let value = json::parse_file(file).map_err(|e| e.to_string())?;
    let unsupported = crate::deep_check::unsupported_databases(config, Some(&value));
    if !unsupported.is_empty() {
        let lines: Vec<String> = unsupported.iter().map(ToString::to_string).collect();
        return Err(lines.join("; "));
    }
    let raw = value.to_serde();
    let running = Running::new(config.clone(), raw.clone(), Some(file.to_path_buf()), log);
    reload::warn_no_effect(&raw, None, log);
    let setup4 = config.dhcp4.as_ref().map(compile::setup);
    let setup6 = config.dhcp6.as_ref().map(compile::setup);
    let duid = config.dhcp6.as_ref().map(server_duid).transpose()?;
    let running = match dataplane {
        Some(channel) => {
            let running = running.hand_over_to(channel.to_path_buf(), duid.unwrap_or_default())?;
            let text = format!(
                "configuration handed to the dataplane on {}",
                channel.display()
            );
            log("INFO", "XDHCP_DATAPLANE_CONFIGURED", &text);
            running
        }
        None => {
            let leases4 = config.dhcp4.as_ref().map(open_leases).transpose()?;
            let leases6 = config.dhcp6.as_ref().map(open_leases).transpose()?;
            running.serve(leases4, leases6.zip(duid))?
        }
    };
    let running = Arc::new(running);
    let (v4, v6) = (&running.v4, &running.v6);
    if !running.serves_dhcp4() && !running.serves_dhcp6() {
        return Err("the configuration has neither a Dhcp4 nor a Dhcp6 section".into());
    }
    let sink: Arc<dyn LeaseEvents> = Arc::new(LeaseSink);
    // A dataplane process opens the interfaces itself.
    let serving = if running.remote() {
        Vec::new()
    } else {
        sockets::open_all(
            setup4.as_ref().zip(v4.as_ref()),
            setup6.as_ref().zip(v6.as_ref()),
            Some(sink),
            log,
        )?
    };
    let served: Vec<(String, &Serving)> = serving.iter().map(|(n, s)| (n.clone(), s)).collect();
    // Counted here, or by the dataplane process and read over its channel.
    let counters = match dataplane {
        Some(channel) => Counters::Dataplane(channel.to_path_buf()),
        None => Counters::Here(Arc::new(Counting::new(v4.as_ref(), v6.as_ref(), &served))),
    };
    let counting = match &counters {
        Counters::Here(c) => Some(c.clone()),
        Counters::Dataplane(_) => None,
    };
    let families: Vec<u8> = [(4, running.serves_dhcp4()), (6, running.serves_dhcp6())]
        .into_iter()
        .filter_map(|(f, served)| served.then_some(f))
        .collect();
    let monitor = monitor::monitor(counters, &families);
    let configured = monitor.stats.clone();
    configured.iter().for_each(|s| s.configure(&raw));
    running.watch(Box::new(move |file| {
        configured.iter().for_each(|s| s.configure(file))
    }));
    // A new configuration brings its own loggers, as in Kea.
    running.watch(Box::new(|file| {
        let applied = reload::check(file).and_then(|cfg| crate::log::reconfigure(&cfg));
        if let Err(e) = applied {
            log("ERROR", "XDHCP_LOGGING_RECONFIGURE_FAIL", &e);
        }
    }));
    let mut api = match config.dhcp4.as_ref().filter(|_| running.serves_dhcp4()) {
        Some(server) => {
            let api = Api::new(running.clone(), &STOP);
            start_api(server, api, &monitor.stats, &monitor)?
        }
        None => Vec::new(),
    };
    if let Some(server) = config.dhcp6.as_ref().filter(|_| running.serves_dhcp6()) {
        // The Dhcp6 section's own control sockets answer for DHCPv6.
        let six: Vec<_> = monitor
            .stats
            .iter()
            .filter(|s| s.family() == 6)
            .cloned()
            .collect();
        let api6 = Api::new(running.clone(), &STOP).dhcp6_only();
        api.extend(start_api(server, api6, &six, &monitor)?);
    }
    if let Some(addr) = metrics {
        let handle = monitor::serve_metrics(addr, &monitor, &STOP)
            .map_err(|e| format!("metrics listener {addr}: {e}"))?;
        api.push(handle);
        log(
            "INFO",
            "METRICS_LISTENER_OPENED",
            &format!("metrics on http://{addr}/metrics"),
        );
    }
    if let Some(p) = pid_file {
        std::fs::write(p, format!("{}\n", std::process::id()))
            .map_err(|e| format!("writing the pid file {}: {e}", p.display()))?;
    }
    let count4 = counting.as_ref().and_then(|c| c.reclaimed4());
    let mut reclaim4 = (setup4.as_ref().zip(v4.as_ref()).zip(count4))
        .and_then(|((s, f), count)| Reclaimer::new(f.leases.clone(), &s.reclaim, count, log));
    let count6 = counting.as_ref().and_then(|c| c.reclaimed6());
    let mut reclaim6 = (setup6.as_ref().zip(v6.as_ref()).zip(count6))
        .and_then(|((s, f), count)| Reclaimer::new(f.leases.clone(), &s.reclaim, count, log));
    let mut lfc4 = setup4
        .as_ref()
        .zip(v4.as_ref())
        .and_then(|(s, f)| Lfc::new(f.leases.clone(), s.lfc_interval, log));
    let mut lfc6 = setup6
        .as_ref()
        .zip(v6.as_ref())
        .and_then(|(s, f)| Lfc::new(f.leases.clone(), s.lfc_interval, log));
    let mut reachable = true;
    for tick in 0u64.. {
        if STOP.load(Ordering::Relaxed) {
            break;
        }
        let now = std::time::Instant::now();
        reclaim4.iter_mut().for_each(|r| r.tick(now));
        reclaim6.iter_mut().for_each(|r| r.tick(now));
        lfc4.iter_mut().for_each(|l| l.tick(now));
        lfc6.iter_mut().for_each(|l| l.tick(now));
        if let Some(c) = counting.as_ref().filter(|_| tick % 5 == 0) {
            c.refresh(&served);
        }
        if let Some(channel) = dataplane.filter(|_| tick % 5 == 0) {
            watch_dataplane(&running, &mut reachable, channel);
        }
        if RELOAD.swap(false, Ordering::Relaxed) {
            // Kea keeps serving with the old configuration when the file
            // is wrong; reload() has logged why.
            let _ = running.reload();
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    drop(served);
    if let Some(p) = pid_file {
        let _ = std::fs::remove_file(p);
    }
    for (_, s) in serving {
        if let Some(Ok(c)) = s.program().map(|p| p.counters()) {
            log("INFO", "DHCP4_XDP_COUNTERS", &format!("{c:?}"));
        }
        s.stop();
    }
    for handle in api {
        let _ = handle.join();
    }
    if let Some(family) = v4 {
        family
            .leases
            .flush_all()
            .map_err(|e| format!("flushing the lease journal: {e}"))?;
    }
    if let Some(family) = v6 {
        family
            .leases
            .flush_all()
            .map_err(|e| format!("flushing the lease journal: {e}"))?;
    }
    log("INFO", "DHCP4_SHUTDOWN", "server shut down");
    Ok(())
}

/// Checks on the dataplane process once: a dataplane that started anew
/// gets the running configuration again; one that cannot be reached (or
/// refuses it) is logged once, when that starts, and again when it is
/// over.
fn watch_dataplane(running: &Running, reachable: &mut bool, channel: &Path) {
    let place = channel.display();
    match running.hand_over_again() {
        Ok(handed) => {
            if handed {
                let text = format!(
                    "configuration handed again to the dataplane on {place}, which started anew"
                );
                log("INFO", "XDHCP_DATAPLANE_CONFIGURED", &text);
            } else if !*reachable {
                log(
                    "INFO",
                    "XDHCP_DATAPLANE_REACHABLE",
                    &format!("the dataplane on {place} answers again"),
                );
            }
            *reachable = true;
        }
        Err(e) if *reachable => {
            log("WARN", "XDHCP_DATAPLANE_UNAVAILABLE", &e);
            *reachable = false;
        }
        Err(_) => {}
    }
}

/// The DHCPv6 server DUID: `server-id` completed from, and kept in, the
/// data directory's DUID file; the link-layer part from the first
/// interface served.
fn server_duid(server: &Server) -> Result<Vec<u8>, String> {
    let names = sockets::interface_names(&server.interfaces.interfaces)?;
    let mac = names.first().and_then(|n| link::lookup6(n)).map(|l| l.mac);
    let path = server_duid::file(server.data_directory.as_deref());
    let (duid, origin) =
        server_duid::resolve(server.server_id.as_ref(), &path, mac, SystemTime::now())?;
    let how = match origin {
        server_duid::Origin::Kept => format!("read from {}", path.display()),
        server_duid::Origin::Stored => format!("generated and stored in {}", path.display()),
        server_duid::Origin::NotPersisted => "generated, not stored (persist: false)".into(),
    };
    log(
        "INFO",
        "DHCP6_SERVERID",
        &format!(
            "server DUID {} ({how})",
            xdhcp_dataplane::lease::ident::Hex(&duid)
        ),
    );
    Ok(duid)
}

/// The snapshot `xdhcp-dataplane` serves for `config`: compiled, with the
/// DHCPv6 server DUID this server would use.
pub fn snapshot(config: &Config) -> Result<Snapshot, String> {
    let mut snapshot = compile::compile(config);
    if let Some(server) = &config.dhcp6 {
        snapshot.server_duid = server_duid(server)?;
    }
    Ok(snapshot)
}

/// Opens a server's lease store and logs what recovery found.
fn open_leases<L: xdhcp_dataplane::lease::Lease>(
    server: &Server,
) -> Result<Arc<LeaseStore<L>>, String> {
    xdhcp_dataplane::server::open_leases(leases::store_config(server), log)
}

/// Serves the control API on every control socket of `server`: `unix`,
/// `http`, and `https` (or `http` with TLS settings, as Kea takes them).
fn start_api(
    server: &Server,
    mut api: Api,
    stats: &[Arc<crate::stats::Stats>],
    monitor: &monitor::Monitor,
) -> Result<Vec<JoinHandle<()>>, String> {
    if server.control_sockets.is_empty() {
        return Ok(Vec::new());
    }
    api.metrics = Some(monitor.metrics.clone());
    let api = Arc::new(stats.iter().cloned().fold(api, Api::with_stats));
    let mut handles = Vec::new();
    for c in &server.control_sockets {
        let (handle, place) = match c.socket_type.as_str() {
            "unix" => {
                let path = c
                    .socket_name
                    .as_deref()
                    .ok_or("a unix control socket needs socket-name")?;
                (
                    api::unix::serve(Path::new(path), api.clone()),
                    path.to_string(),
                )
            }
            "http" | "https" => {
                let host = c.socket_address.as_deref().unwrap_or("127.0.0.1");
                let port = c.socket_port.unwrap_or(DEFAULT_HTTP_PORT);
                let addr: SocketAddr = format!("{host}:{port}")
                    .parse()
                    .or_else(|_| format!("[{host}]:{port}").parse())
                    .map_err(|_| format!("control socket address {host} is not an IP address"))?;
                let scheme = if c.tls.is_some() { "https" } else { "http" };
                (
                    api::http::serve(addr, api.clone(), c, api::http::Routes::All),
                    format!("{scheme}://{addr}/"),
                )
            }
            other => {
                log(
                    "WARN",
                    "COMMAND_SOCKET_TYPE",
                    &format!("control socket type {other} is not served yet"),
                );
                continue;
            }
        };
        handles.push(handle.map_err(|e| format!("control socket {place}: {e}"))?);
        log(
            "INFO",
            "COMMAND_SOCKET_OPENED",
            &format!("control channel on {place}"),
        );
    }
    Ok(handles)
}

/// Logs through [`crate::log`] on the logger Kea uses for the id's kind.
fn log(severity: &str, id: &str, text: &str) {
    let logger = if id.starts_with("ALLOC_ENGINE_V4") {
        "kea-dhcp4.alloc-engine"
    } else if id.starts_with("ALLOC_ENGINE_V6") {
        "kea-dhcp6.alloc-engine"
    } else if id.starts_with("COMMAND_") {
        "kea-dhcp4.commands"
    } else if id.starts_with("DHCPSRV_") {
        "kea-dhcp4.dhcpsrv"
    } else if id.starts_with("DHCP6_") {
        "kea-dhcp6.dhcp6"
    } else {
        "kea-dhcp4.dhcp4"
    };
    let severity = match severity {
        "ERROR" => Severity::Error,
        "WARN" => Severity::Warn,
        _ => Severity::Info,
    };
    crate::log::emit(severity, 0, logger, id, text);
}
