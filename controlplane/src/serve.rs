//! `xdhcp-controlplane -c FILE`: serve DHCPv4 from the configuration.
//!
//! Until the dataplane runs as its own process (fed a snapshot over IPC),
//! the control plane starts the dataplane's workers in-process: compile the
//! `Dhcp4` section, open the lease store, open the `dhcp-socket-type`'s
//! sockets on each configured interface and serve until SIGINT or SIGTERM.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use xdhcp_dataplane::config::Config4;
use xdhcp_dataplane::io::link;
use xdhcp_dataplane::io::serve::{Backend, Serving};
use xdhcp_dataplane::io::xdp::{AttachMode, ModePolicy};
use xdhcp_dataplane::lease::{Lease4, LeaseStore};
use xdhcp_dataplane::worker::Link;

use crate::api::{self, Api};
use crate::config::interfaces::SocketType;
use crate::config::Config;
use crate::config::Server;
use crate::{compile, json, leases};

static STOP: AtomicBool = AtomicBool::new(false);

/// Kea's default HTTP control port.
const DEFAULT_HTTP_PORT: u16 = 8000;

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::Relaxed);
}

/// Serves until a signal arrives. Errors are operator-readable sentences.
pub fn run(config: &Config, file: &Path) -> Result<(), String> {
    // Installed first, so a signal during start-up stops the server cleanly
    // once it is up. SAFETY: the handler only stores to an atomic.
    unsafe {
        libc::signal(libc::SIGINT, on_signal as *const () as libc::sighandler_t);
        libc::signal(libc::SIGTERM, on_signal as *const () as libc::sighandler_t);
    }
    if config.dhcp6.is_some() {
        log(
            "WARN",
            "DHCP6_NOT_SERVED",
            "the Dhcp6 section is validated but not served yet by this build",
        );
    }
    let server = config
        .dhcp4
        .as_ref()
        .ok_or("the configuration has no Dhcp4 section; only DHCPv4 is served so far")?;
    let plan = compile::compile(config)
        .dhcp4
        .ok_or("the configuration has no Dhcp4 section")?;
    let compiled = Arc::new(compile::v4::snapshot(&plan));
    let (leases, recovery) = LeaseStore::open(leases::store_config(server))
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
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    for subnet in &compiled.subnets {
        for pool in &subnet.pools {
            leases.add_pool(pool.clone(), now);
        }
    }
    let mut serving = Vec::new();
    for entry in &server.interfaces.interfaces {
        let name = entry.split('/').next().unwrap_or(entry);
        if name == "*" {
            return Err(
                "interfaces \"*\" is not supported yet: name the interfaces to serve".into(),
            );
        }
        let link = link::lookup(name)
            .ok_or_else(|| format!("interface {name} not found or without an IPv4 address"))?;
        let s = start(link, server.interfaces.socket_type, &compiled, &leases)?;
        serving.push(s);
    }
    if serving.is_empty() {
        return Err("interfaces-config lists no interface to serve".into());
    }
    let stats = api::stats::Sources {
        config: compiled.clone(),
        workers: serving
            .iter()
            .flat_map(|s| s.counters().iter().cloned())
            .collect(),
        leases: leases.clone(),
    };
    let api = start_api(server, file, leases.clone(), stats)?;
    while !STOP.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(200));
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
    leases
        .flush_all()
        .map_err(|e| format!("flushing the lease journal: {e}"))?;
    log("INFO", "DHCP4_SHUTDOWN", "server shut down");
    Ok(())
}

/// Starts serving `link` over the configured socket type. `xdp` falls
/// back to `raw` when XDP or AF_XDP is unavailable: the model cannot tell
/// whether the operator insisted, and a server that answers beats one that
/// does not start. The WARN says why.
fn start(
    link: Link,
    socket_type: SocketType,
    config: &Arc<Config4>,
    leases: &Arc<LeaseStore<Lease4>>,
) -> Result<Serving, String> {
    let name = link.name.clone();
    let backend = match socket_type {
        SocketType::Xdp => Backend::Xdp(ModePolicy::Any),
        SocketType::Raw => Backend::Raw,
        SocketType::Udp => Backend::Udp,
    };
    let serving = match Serving::start(link.clone(), backend, config.clone(), leases.clone()) {
        Err(e) if socket_type == SocketType::Xdp => {
            log(
                "WARN",
                "DHCP4_XDP_UNAVAILABLE",
                &format!("AF_XDP cannot serve {name} ({e}); serving it over raw sockets instead"),
            );
            Serving::start(link, Backend::Raw, config.clone(), leases.clone())
        }
        other => other,
    }
    .map_err(|e| e.to_string())?;
    let how = match serving.mode() {
        Some(AttachMode::Native) => format!("{} AF_XDP queue(s) in native XDP", serving.workers()),
        Some(AttachMode::Generic { native_error }) => format!(
            "{} AF_XDP queue(s) in generic XDP (native refused: {})",
            serving.workers(),
            native_error.as_deref().unwrap_or("not tried")
        ),
        None if socket_type == SocketType::Udp => "a UDP socket".to_string(),
        None => "a raw (AF_PACKET) socket".to_string(),
    };
    log(
        "INFO",
        "DHCP4_STARTED",
        &format!("serving {name} over {how}"),
    );
    Ok(serving)
}

/// Serves the control API on every `unix` and `http` control socket of
/// `server`; `https` is reported and skipped until TLS lands.
fn start_api(
    server: &Server,
    file: &Path,
    leases: Arc<LeaseStore<Lease4>>,
    stats: api::stats::Sources,
) -> Result<Vec<JoinHandle<()>>, String> {
    if server.control_sockets.is_empty() {
        return Ok(Vec::new());
    }
    let raw = json::parse_file(file).map_err(|e| e.to_string())?;
    let api = Arc::new(Api::new(raw.to_serde(), leases, &STOP).with_stats(stats));
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
            "http" => {
                let host = c.socket_address.as_deref().unwrap_or("127.0.0.1");
                let port = c.socket_port.unwrap_or(DEFAULT_HTTP_PORT);
                let addr: SocketAddr = format!("{host}:{port}")
                    .parse()
                    .or_else(|_| format!("[{host}]:{port}").parse())
                    .map_err(|_| format!("control socket address {host} is not an IP address"))?;
                if c.tls {
                    // Plain HTTP where TLS was asked for would expose the API.
                    let why = format!("{addr}: TLS is not supported yet; the socket stays closed");
                    log("WARN", "COMMAND_SOCKET_TLS", &why);
                    continue;
                }
                let auth = c.authentication.as_ref();
                (
                    api::http::serve(addr, api.clone(), auth),
                    format!("http://{addr}/"),
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

/// One log line in Kea's layout: time, severity, source, message id, text.
fn log(severity: &str, id: &str, text: &str) {
    let now = api::stats::timestamp(SystemTime::now());
    // Kea's log times stop at milliseconds.
    let now = &now[..now.len() - 3];
    eprintln!(
        "{now} {severity:<5} [xdhcp-dhcp4/{}] {id} {text}",
        std::process::id()
    );
}
