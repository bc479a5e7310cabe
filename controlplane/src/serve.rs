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

use xdhcp_dataplane::io::link;
use xdhcp_dataplane::io::serve::{Backend, Dhcp4Service, Dhcp6Service, Serving};
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
    crate::eval_log::install(config)?;
    let plans = compile::compile(config);
    let v4 = match (&config.dhcp4, &plans.dhcp4) {
        (Some(server), Some(plan)) => Some((
            server,
            Arc::new(compile::v4::snapshot(plan)),
            open_leases(server)?,
        )),
        _ => None,
    };
    let names4 = v4
        .as_ref()
        .map(|(s, ..)| interface_names(s))
        .transpose()?
        .unwrap_or_default();
    let v6 = match (&config.dhcp6, &plans.dhcp6) {
        (Some(server), Some(plan)) => {
            let names = interface_names(server)?;
            // The server DUID: a DUID-LL of the first interface's MAC, the
            // same across restarts without any state to keep.
            let mac = names.first().and_then(|n| link::lookup6(n)).map(|l| l.mac);
            let duid = mac.map_or_else(compile::v6::default_duid, compile::v6::duid_ll);
            let compiled = Arc::new(compile::v6::snapshot_with_duid(plan, duid));
            Some((server, names, compiled, open_leases(server)?))
        }
        _ => None,
    };
    if v4.is_none() && v6.is_none() {
        return Err("the configuration has neither a Dhcp4 nor a Dhcp6 section".into());
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    if let Some((_, compiled, leases)) = &v4 {
        for pool in compiled.subnets.iter().flat_map(|s| &s.pools) {
            leases.add_pool(pool.clone(), now);
        }
    }
    if let Some((_, _, compiled, leases)) = &v6 {
        for s in &compiled.subnets {
            for pool in s.pools.iter().chain(s.pd_pools.iter().map(|p| &p.alloc)) {
                leases.add_pool(pool.clone(), now);
            }
        }
    }
    let names6: &[String] = v6.as_ref().map_or(&[], |(_, n, ..)| n);
    let mut serving = Vec::new();
    for name in names4
        .iter()
        .chain(names6.iter().filter(|n| !names4.contains(n)))
    {
        let service4 = v4
            .as_ref()
            .filter(|_| names4.contains(name))
            .map(|(_, config, leases)| {
                let link = link::lookup(name).ok_or_else(|| {
                    format!("interface {name} not found or without an IPv4 address")
                })?;
                Ok::<_, String>(Dhcp4Service {
                    link,
                    config: config.clone(),
                    leases: leases.clone(),
                })
            });
        let service6 =
            v6.as_ref()
                .filter(|_| names6.contains(name))
                .map(|(_, _, config, leases)| {
                    let link = link::lookup6(name).ok_or_else(|| {
                        format!("interface {name} not found or without an IPv6 link-local address")
                    })?;
                    Ok::<_, String>(Dhcp6Service {
                        link,
                        config: config.clone(),
                        leases: leases.clone(),
                    })
                });
        let socket_type = v4
            .as_ref()
            .map_or(SocketType::Xdp, |(s, ..)| s.interfaces.socket_type);
        serving.push(start(
            name,
            socket_type,
            service4.transpose()?,
            service6.transpose()?,
        )?);
    }
    if serving.is_empty() {
        return Err("interfaces-config lists no interface to serve".into());
    }
    let api = match &v4 {
        Some((server, compiled, leases)) => {
            let stats = api::stats::Sources {
                config: compiled.clone(),
                workers: serving
                    .iter()
                    .flat_map(|s| s.counters().iter().cloned())
                    .collect(),
                leases: leases.clone(),
            };
            start_api(server, file, leases.clone(), stats)?
        }
        None => Vec::new(),
    };
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
    if let Some((_, _, leases)) = &v4 {
        leases
            .flush_all()
            .map_err(|e| format!("flushing the lease journal: {e}"))?;
    }
    if let Some((_, _, _, leases)) = &v6 {
        leases
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

/// Starts serving interface `name` for the families given, over the
/// configured socket type. DHCPv6 is served over AF_XDP, and so is DHCPv4
/// on an interface both serve (one steering program takes both ports).
/// Alone, `xdp` falls back to `raw` when XDP or AF_XDP is unavailable: the
/// model cannot tell whether the operator insisted, and a server that
/// answers beats one that does not start. The WARN says why.
fn start(
    name: &str,
    socket_type: SocketType,
    v4: Option<Dhcp4Service>,
    v6: Option<Dhcp6Service>,
) -> Result<Serving, String> {
    let socket_type = if v6.is_some() && socket_type != SocketType::Xdp {
        log(
            "WARN",
            "DHCP_SOCKET_TYPE",
            &format!("{name} serves DHCPv6, so both families use AF_XDP there"),
        );
        SocketType::Xdp
    } else {
        socket_type
    };
    let backend = match socket_type {
        SocketType::Xdp => Backend::Xdp(ModePolicy::Any),
        SocketType::Raw => Backend::Raw,
        SocketType::Udp => Backend::Udp,
    };
    let serving = match Serving::start_services(name, backend, v4.clone(), v6.clone()) {
        Err(e) if socket_type == SocketType::Xdp && v6.is_none() => {
            log(
                "WARN",
                "DHCP4_XDP_UNAVAILABLE",
                &format!("AF_XDP cannot serve {name} ({e}); serving it over raw sockets instead"),
            );
            Serving::start_services(name, Backend::Raw, v4, None)
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
