//! Opening the interfaces a server's set-ups name, with the sockets each
//! asks for (Kea's `dhcp-socket-type` and `service-sockets-*` keys), and
//! starting their workers.

use std::net::Ipv6Addr;
use std::sync::Arc;
use std::time::Duration;

use super::family::Family;
use super::Log;
use crate::config::setup::{Setup, SocketType, Sockets};
use crate::config::{Config4, Config6};
use crate::events::LeaseEvents;
use crate::io::link;
use crate::io::serve::{Backend, Dhcp4Service, Dhcp6Service, Serving};
use crate::io::xdp::{AttachMode, ModePolicy};
use crate::lease::{Lease4, Lease6};

/// One family to serve: its set-up and what its workers read.
pub type Site<'a, C, L> = (&'a Setup, &'a Family<C, L>);

/// Opens every interface the families' set-ups name and starts serving
/// them; an interface both families name is served by one backend when
/// their socket types agree. Workers send lease events to `events`.
/// Returns each interface served with its handle (an interface whose
/// sockets would not open is left out, as Kea does, unless
/// `service-sockets-require-all`); errors are operator-readable sentences.
pub fn open_all(
    v4: Option<Site<'_, Config4, Lease4>>,
    v6: Option<Site<'_, Config6, Lease6>>,
    events: Option<Arc<dyn LeaseEvents>>,
    log: Log,
) -> Result<Vec<(String, Serving)>, String> {
    let names4 = v4
        .map(|(s, _)| interface_names(&s.interfaces))
        .transpose()?;
    let names6 = v6
        .map(|(s, _)| interface_names(&s.interfaces))
        .transpose()?;
    let (names4, names6) = (names4.unwrap_or_default(), names6.unwrap_or_default());
    if names4.is_empty() && names6.is_empty() {
        return Err("interfaces-config lists no interface to serve".into());
    }
    let mut served = Vec::new();
    for name in names4
        .iter()
        .chain(names6.iter().filter(|n| !names4.contains(n)))
    {
        let site4 = v4.filter(|_| names4.contains(name));
        let site6 = v6.filter(|_| names6.contains(name));
        let service4 = site4
            .map(|(_, family)| {
                let link = link::lookup(name).ok_or_else(|| {
                    format!("interface {name} not found or without an IPv4 address")
                })?;
                Ok::<_, String>(Dhcp4Service {
                    link,
                    config: family.config.clone(),
                    leases: family.leases.clone(),
                    events: events.clone(),
                })
            })
            .transpose()?;
        let service6 = site6
            .map(|(setup, family)| {
                let mut link = link::lookup6(name).ok_or_else(|| {
                    format!("interface {name} not found or without an IPv6 link-local address")
                })?;
                link.unicast = unicast_address(setup, name);
                Ok::<_, String>(Dhcp6Service {
                    link,
                    config: family.config.clone(),
                    leases: family.leases.clone(),
                    events: events.clone(),
                })
            })
            .transpose()?;
        let sockets4 = site4.map(|(s, _)| s.sockets);
        let sockets6 = site6.map(|(s, _)| s.sockets);
        // Each family uses its own section's socket type; one backend
        // serves both when they name the same one, as insisting as the
        // more insisting section.
        let backends = match (sockets4, sockets6) {
            (Some(a), Some(b)) if a.socket_type != b.socket_type => {
                vec![(a, service4, None), (b, None, service6)]
            }
            (Some(a), Some(b)) => vec![(a.with(b), service4, service6)],
            (Some(a), None) => vec![(a, service4, None)],
            (None, Some(b)) => vec![(b, None, service6)],
            (None, None) => Vec::new(),
        };
        for (policy, s4, s6) in backends {
            if let Some(opened) = open(log, name, policy, s4, s6)? {
                served.push((name.clone(), opened));
            }
        }
    }
    Ok(served)
}

/// Opens interface `name` as `policy` says: up to `service-sockets-max-retries`
/// more attempts `service-sockets-retry-wait-time` apart, then, as Kea
/// does, either gives up on the server (`service-sockets-require-all`) or
/// serves without this interface (`None`), having said so. Retries happen
/// before serving starts, where Kea retries on a timer meanwhile.
fn open(
    log: Log,
    name: &str,
    policy: Sockets,
    v4: Option<Dhcp4Service>,
    v6: Option<Dhcp6Service>,
) -> Result<Option<Serving>, String> {
    let mut last = String::new();
    for attempt in 0..=policy.retries {
        if attempt > 0 {
            std::thread::sleep(Duration::from_millis(policy.wait_ms.into()));
        }
        match start(log, name, policy, v4.clone(), v6.clone()) {
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
    log: Log,
    name: &str,
    policy: Sockets,
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

/// The interface names of `interfaces-config` `interfaces` entries
/// (`eth0/192.0.2.1` names eth0).
pub fn interface_names(entries: &[String]) -> Result<Vec<String>, String> {
    entries
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
fn unicast_address(setup: &Setup, name: &str) -> Option<Ipv6Addr> {
    setup.interfaces.iter().find_map(|entry| {
        let (n, addr) = entry.split_once('/')?;
        (n == name).then(|| addr.parse().ok()).flatten()
    })
}
