//! `xdhcp-controlplane -c FILE`: serve DHCPv4 and DHCPv6 from the
//! configuration.
//!
//! Until the dataplane runs as its own process (fed a snapshot over IPC),
//! the control plane starts the dataplane's workers in-process: compile the
//! `Dhcp4` and `Dhcp6` sections, open their lease stores, open each
//! section's `dhcp-socket-type` sockets on its configured interfaces and
//! serve until SIGINT or SIGTERM.
//! SIGHUP reloads the file, as `config-reload` does (see `reload`).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use xdhcp_dataplane::io::link;
use xdhcp_dataplane::io::serve::{Backend, Dhcp4Service, Dhcp6Service, Serving};
use xdhcp_dataplane::io::xdp::{AttachMode, ModePolicy};
use xdhcp_dataplane::lease::LeaseStore;

use crate::api::{self, Api};
use crate::config::interfaces::{InterfacesConfig, SocketType};
use crate::config::Config;
use crate::config::Server;
use crate::lfc::Lfc;
use crate::log::{LeaseSink, Severity};
use crate::reclaim::{self, Reclaimer};
use crate::reload::{self, Running};
use crate::{json, leases, monitor, server_duid};

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
/// and removes it on the way out. Errors are operator-readable sentences.
pub fn run(
    config: &Config,
    file: &Path,
    metrics: Option<SocketAddr>,
    pid_file: Option<&Path>,
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
    let (leases4, names4) = match &config.dhcp4 {
        Some(server) => (Some(open_leases(server)?), interface_names(server)?),
        None => (None, Vec::new()),
    };
    let (leases6, names6) = match &config.dhcp6 {
        Some(server) => {
            let names = interface_names(server)?;
            let mac = names.first().and_then(|n| link::lookup6(n)).map(|l| l.mac);
            let duid = server_duid(server, mac)?;
            (Some((open_leases(server)?, duid)), names)
        }
        None => (None, Vec::new()),
    };
    let running = running.serve(leases4, leases6)?;
    let running = Arc::new(running);
    let (v4, v6) = (&running.v4, &running.v6);
    if v4.is_none() && v6.is_none() {
        return Err("the configuration has neither a Dhcp4 nor a Dhcp6 section".into());
    }
    let mut serving = Vec::new();
    let mut ifaces = Vec::new();
    for name in names4
        .iter()
        .chain(names6.iter().filter(|n| !names4.contains(n)))
    {
        let service4 = v4.as_ref().filter(|_| names4.contains(name)).map(|family| {
            let link = link::lookup(name)
                .ok_or_else(|| format!("interface {name} not found or without an IPv4 address"))?;
            Ok::<_, String>(Dhcp4Service {
                link,
                config: family.snapshot.clone(),
                leases: family.leases.clone(),
                events: Some(Arc::new(LeaseSink)),
            })
        });
        let service6 = v6.as_ref().filter(|_| names6.contains(name)).map(|family| {
            let mut link = link::lookup6(name).ok_or_else(|| {
                format!("interface {name} not found or without an IPv6 link-local address")
            })?;
            link.unicast = config.dhcp6.as_ref().and_then(|s| unicast_address(s, name));
            Ok::<_, String>(Dhcp6Service {
                link,
                config: family.snapshot.clone(),
                leases: family.leases.clone(),
                events: Some(Arc::new(LeaseSink)),
            })
        });
        let socket_type = |s: &Option<Server>| s.as_ref().map(|s| s.interfaces.socket_type);
        let (service4, service6) = (service4.transpose()?, service6.transpose()?);
        // Each family uses its own section's socket type; one backend
        // serves both when they name the same one.
        let plan = match (service4, service6) {
            (Some(s4), Some(s6)) if socket_type(&config.dhcp4) != socket_type(&config.dhcp6) => {
                vec![(Some(s4), None), (None, Some(s6))]
            }
            both => vec![both],
        };
        for (s4, s6) in plan {
            // The sections this backend serves decide how insisting to be.
            let sections = [(s4.is_some(), &config.dhcp4), (s6.is_some(), &config.dhcp6)];
            let policy = sections
                .iter()
                .filter(|(used, _)| *used)
                .filter_map(|(_, s)| s.as_ref())
                .map(|s| SocketPolicy::of(&s.interfaces))
                .reduce(SocketPolicy::with);
            let Some(policy) = policy else { continue };
            if let Some(opened) = open(name, policy, s4, s6)? {
                ifaces.push(name.clone());
                serving.push(opened);
            }
        }
    }
    if names4.is_empty() && names6.is_empty() {
        return Err("interfaces-config lists no interface to serve".into());
    }
    let served: Vec<(String, &Serving)> = ifaces.into_iter().zip(serving.iter()).collect();
    let monitor = monitor::monitor(&raw, v4.as_ref(), v6.as_ref(), &served);
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
    let mut api = match (&config.dhcp4, v4) {
        (Some(server), Some(_)) => {
            let api = Api::new(running.clone(), &STOP);
            start_api(server, api, &monitor.stats, &monitor)?
        }
        _ => Vec::new(),
    };
    if let (Some(server), Some(_)) = (&config.dhcp6, v6) {
        // The Dhcp6 section's own control sockets answer for DHCPv6.
        let six: Vec<_> = monitor
            .stats
            .iter()
            .filter(|s| s.source.family() == 6)
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
    let mut reclaim4 = config.dhcp4.as_ref().zip(v4.as_ref()).and_then(|(s, f)| {
        let count = reclaim::count4(monitor.reclaimed4.clone(), f.snapshot.clone());
        Reclaimer::new(f.leases.clone(), &s.expired_leases, false, count)
    });
    let mut reclaim6 = config.dhcp6.as_ref().zip(v6.as_ref()).and_then(|(s, f)| {
        let count = reclaim::count6(monitor.reclaimed6.clone(), f.snapshot.clone());
        Reclaimer::new(f.leases.clone(), &s.expired_leases, true, count)
    });
    let mut lfc4 = config
        .dhcp4
        .as_ref()
        .zip(v4.as_ref())
        .and_then(|(s, f)| Lfc::new(f.leases.clone(), s.lease_database.lfc_interval, log));
    let mut lfc6 = config
        .dhcp6
        .as_ref()
        .zip(v6.as_ref())
        .and_then(|(s, f)| Lfc::new(f.leases.clone(), s.lease_database.lfc_interval, log));
    for tick in 0u64.. {
        if STOP.load(Ordering::Relaxed) {
            break;
        }
        let now = std::time::Instant::now();
        reclaim4.iter_mut().for_each(|r| r.tick(now));
        reclaim6.iter_mut().for_each(|r| r.tick(now));
        lfc4.iter_mut().for_each(|l| l.tick(now));
        lfc6.iter_mut().for_each(|l| l.tick(now));
        if tick % 5 == 0 {
            monitor::refresh(&monitor.metrics, &served);
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
    for s in serving {
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

/// The interface names a server section lists (`eth0/192.0.2.1` names eth0).
fn interface_names(server: &Server) -> Result<Vec<String>, String> {
    server
        .interfaces
        .interfaces
        .iter()
        .map(|entry| {
            let name = entry.split('/').next().unwrap_or(entry);
            if name == "*" {
                Err(
                    "interfaces \"*\" is not supported yet: name the interfaces to serve"
                        .to_string(),
                )
            } else {
                Ok(name.to_string())
            }
        })
        .collect()
}

/// The unicast address `interfaces-config` gives interface `name`
/// (`"eth0/2001:db8::1"`), if any.
fn unicast_address(server: &Server, name: &str) -> Option<std::net::Ipv6Addr> {
    server.interfaces.interfaces.iter().find_map(|entry| {
        let (n, addr) = entry.split_once('/')?;
        (n == name).then(|| addr.parse().ok()).flatten()
    })
}

/// The DHCPv6 server DUID: `server-id` completed from, and kept in, the
/// data directory's DUID file; the link-layer part from `mac`.
fn server_duid(server: &Server, mac: Option<[u8; 6]>) -> Result<Vec<u8>, String> {
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

/// Opens a server's lease store and logs what recovery found.
fn open_leases<L: xdhcp_dataplane::lease::Lease>(
    server: &Server,
) -> Result<Arc<LeaseStore<L>>, String> {
    let (leases, recovery) = LeaseStore::<L>::open(leases::store_config(server))
        .map_err(|e| format!("opening the lease store: {e}"))?;
    let dropped: usize = recovery.files.iter().map(|f| f.dropped_bytes).sum();
    log(
        "INFO",
        "DHCPSRV_LEASES_LOADED",
        &format!(
            "{} lease(s) loaded: {} from the snapshot, {} journal record(s) replayed, \
             {dropped} damaged byte(s) dropped",
            leases.len(),
            recovery.snapshot_leases,
            recovery.journal_records
        ),
    );
    Ok(leases)
}

/// How one interface's sockets are opened: Kea's `service-sockets-*` keys
/// of the sections it serves.
#[derive(Clone, Copy, Debug)]
struct SocketPolicy {
    socket_type: SocketType,
    /// `service-sockets-require-all`: a socket that does not open stops
    /// the server, and `xdp` does not fall back to `raw`.
    require_all: bool,
    /// `service-sockets-max-retries`.
    retries: u32,
    /// `service-sockets-retry-wait-time`.
    wait: Duration,
}

impl SocketPolicy {
    fn of(c: &InterfacesConfig) -> Self {
        SocketPolicy {
            socket_type: c.socket_type,
            require_all: c.require_all,
            retries: c.max_retries,
            wait: Duration::from_millis(c.retry_wait_time.into()),
        }
    }

    /// Both sections' wishes, for one backend serving both families (they
    /// name the same socket type): the more insisting of each.
    fn with(self, o: SocketPolicy) -> Self {
        SocketPolicy {
            socket_type: self.socket_type,
            require_all: self.require_all || o.require_all,
            retries: self.retries.max(o.retries),
            wait: self.wait.max(o.wait),
        }
    }
}

/// Opens interface `name` as `policy` says: up to `service-sockets-max-retries`
/// more attempts `service-sockets-retry-wait-time` apart, then, as Kea
/// does, either gives up on the server (`service-sockets-require-all`) or
/// serves without this interface (`None`), having said so. Retries happen
/// before serving starts, where Kea retries on a timer meanwhile.
fn open(
    name: &str,
    policy: SocketPolicy,
    v4: Option<Dhcp4Service>,
    v6: Option<Dhcp6Service>,
) -> Result<Option<Serving>, String> {
    let mut last = String::new();
    for attempt in 0..=policy.retries {
        if attempt > 0 {
            std::thread::sleep(policy.wait);
        }
        match start(name, policy, v4.clone(), v6.clone()) {
            Ok(serving) => return Ok(Some(serving)),
            Err(e) => {
                log(
                    "WARN",
                    "DHCPSRV_OPEN_SOCKET_FAIL",
                    &format!("failed to open socket: {e}"),
                );
                last = e;
            }
        }
    }
    let text = format!(
        "maximum number of open service sockets attempts: {}, has been exhausted without \
         success ({name}: {last})",
        policy.retries + 1
    );
    if policy.require_all {
        return Err(text);
    }
    log(
        "ERROR",
        "DHCP4_OPEN_SOCKETS_FAILED",
        &format!("{text}; serving without it"),
    );
    Ok(None)
}

/// Starts serving interface `name` for the families given, over the
/// configured socket type. Unless `service-sockets-require-all` asks for
/// every socket as configured, `xdp` falls back to `raw` when XDP or AF_XDP
/// is unavailable (a server that answers beats one that does not start);
/// the WARN says why.
fn start(
    name: &str,
    policy: SocketPolicy,
    v4: Option<Dhcp4Service>,
    v6: Option<Dhcp6Service>,
) -> Result<Serving, String> {
    let socket_type = policy.socket_type;
    let backend = match socket_type {
        SocketType::Xdp => Backend::Xdp(ModePolicy::Any),
        SocketType::Raw => Backend::Raw,
        SocketType::Udp => Backend::Udp,
    };
    let serving = match Serving::start_services(name, backend, v4.clone(), v6.clone()) {
        Err(e) if socket_type == SocketType::Xdp && !policy.require_all => {
            log(
                "WARN",
                "DHCP4_XDP_UNAVAILABLE",
                &format!("AF_XDP cannot serve {name} ({e}); serving it over raw sockets instead"),
            );
            Serving::start_services(name, Backend::Raw, v4.clone(), v6.clone())
        }
        other => other,
    }
    .map_err(|e| e.to_string())?;
    let families = match (&v4, &v6) {
        (Some(_), Some(_)) => "DHCPv4 and DHCPv6",
        (Some(_), None) => "DHCPv4",
        _ => "DHCPv6",
    };
    let how = match serving.mode() {
        Some(AttachMode::Native) => format!("{} AF_XDP queue(s) in native XDP", serving.workers()),
        Some(AttachMode::Generic { native_error }) => format!(
            "{} AF_XDP queue(s) in generic XDP (native refused: {})",
            serving.workers(),
            native_error.as_deref().unwrap_or("not tried")
        ),
        None if socket_type == SocketType::Udp && v4.is_some() && v6.is_some() => {
            "a UDP socket per family".to_string()
        }
        None if socket_type == SocketType::Udp => "a UDP socket".to_string(),
        None => "a raw (AF_PACKET) socket".to_string(),
    };
    match serving.capture() {
        Ok(path) => log(
            "INFO",
            "DHCP_CAPTURE_READY",
            &format!(
                "`xdhcp capture -i {name}` reads this interface's frames from {}",
                path.display()
            ),
        ),
        Err(why) => log(
            "INFO",
            "DHCP_CAPTURE_UNAVAILABLE",
            &format!("no frame capture on {name}: {why}"),
        ),
    }
    log(
        "INFO",
        "DHCP4_STARTED",
        &format!("serving {name} ({families}) over {how}"),
    );
    Ok(serving)
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
    let logger = if id.starts_with("COMMAND_") {
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
