//! `xdhcp-controlplane -c FILE`: serve DHCPv4 from the configuration.
//!
//! Until the dataplane runs as its own process (fed a snapshot over IPC),
//! the control plane starts the dataplane's workers in-process: compile the
//! `Dhcp4` section, open the lease store, attach to each configured
//! interface and serve until SIGINT or SIGTERM.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use xdhcp_dataplane::io::link;
use xdhcp_dataplane::io::xdp::serve::Serving;
use xdhcp_dataplane::io::xdp::{AttachMode, ModePolicy};
use xdhcp_dataplane::lease::{Lease4, LeaseStore};

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
    let api = start_api(server, file, leases.clone())?;
    let policy = match server.interfaces.socket_type {
        SocketType::Xdp => ModePolicy::Any,
        other => {
            log(
                "WARN",
                "DHCP4_SOCKET_TYPE",
                &format!("dhcp-socket-type {other:?} is served over AF_XDP: it is the only backend in this build"),
            );
            ModePolicy::Any
        }
    };
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
        let queues = link::rx_queues(name);
        let s = Serving::start(link, queues, policy, compiled.clone(), leases.clone())
            .map_err(|e| e.to_string())?;
        let mode = match s.mode() {
            AttachMode::Native => "native XDP".to_string(),
            AttachMode::Generic { native_error } => {
                format!(
                    "generic XDP (native refused: {})",
                    native_error.as_deref().unwrap_or("not tried")
                )
            }
        };
        log(
            "INFO",
            "DHCP4_STARTED",
            &format!("serving {name} on {queues} queue(s) in {mode}"),
        );
        serving.push(s);
    }
    if serving.is_empty() {
        return Err("interfaces-config lists no interface to serve".into());
    }
    while !STOP.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(200));
    }
    for s in serving {
        if let Ok(c) = s.program().counters() {
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

/// Serves the control API on every `unix` and `http` control socket of
/// `server`; `https` is reported and skipped until TLS lands.
fn start_api(
    server: &Server,
    file: &Path,
    leases: Arc<LeaseStore<Lease4>>,
) -> Result<Vec<JoinHandle<()>>, String> {
    if server.control_sockets.is_empty() {
        return Ok(Vec::new());
    }
    let raw = json::parse_file(file).map_err(|e| e.to_string())?;
    let api = Arc::new(Api::new(raw.to_serde(), leases, &STOP));
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
