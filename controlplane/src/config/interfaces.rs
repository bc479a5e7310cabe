//! `interfaces-config`: where the server listens and with which backend.

use super::keys;
use super::read::Ctx;
use crate::json::Value;

pub use xdhcp_dataplane::config::setup::SocketType;

/// The `interfaces-config` map.
#[derive(Debug, Clone, PartialEq)]
pub struct InterfacesConfig {
    /// Interface names, `name/address`, or `*`.
    pub interfaces: Vec<String>,
    /// Packet backend.
    pub socket_type: SocketType,
    /// `outbound-interface` (v4): `same-as-inbound` or `use-routing`.
    pub outbound_interface: String,
    /// `re-detect` (default true).
    pub re_detect: bool,
    /// `service-sockets-require-all` (default false).
    pub require_all: bool,
    /// `service-sockets-retry-wait-time` in ms (default 5000).
    pub retry_wait_time: u32,
    /// `service-sockets-max-retries` (default 0).
    pub max_retries: u32,
}

/// Kea's rule: an interface may be named once on its own; naming it again,
/// alone or with an address, is an error (several `name/address` entries
/// for different addresses are fine).
fn check_duplicates(list: &[String], v: &Value, path: &str, ctx: &mut Ctx) {
    for (i, entry) in list.iter().enumerate() {
        let name = entry.split('/').next().unwrap_or(entry);
        let clash = list[..i].iter().any(|e| {
            let (n, addr) = match e.split_once('/') {
                Some((n, a)) => (n, Some(a)),
                None => (e.as_str(), None),
            };
            n == name && (addr.is_none() || !entry.contains('/') || e == entry)
        });
        if let Some((_, addr)) = entry.split_once('/') {
            let ok = addr
                .parse::<std::net::IpAddr>()
                .is_ok_and(|a| a.is_ipv6() == ctx.v6());
            if !ok {
                let pos = v.as_array().map_or(&v.pos, |a| &a[i].pos);
                ctx.err(
                    pos,
                    &format!("{path}[{i}]"),
                    format!("'{addr}' is not a valid address for interface '{name}'"),
                );
            }
        }
        if clash && name != "*" {
            let pos = v.as_array().map_or(&v.pos, |a| &a[i].pos);
            ctx.err(
                pos,
                &format!("{path}[{i}]"),
                format!("interface '{name}' has already been specified"),
            );
        }
    }
}

impl InterfacesConfig {
    /// Kea's defaults for the universe.
    pub fn default_for(v6: bool) -> InterfacesConfig {
        InterfacesConfig {
            interfaces: Vec::new(),
            socket_type: if v6 { SocketType::Udp } else { SocketType::Raw },
            outbound_interface: "same-as-inbound".into(),
            re_detect: true,
            require_all: false,
            retry_wait_time: 5000,
            max_retries: 0,
        }
    }

    /// Read the map.
    pub fn read(v: &Value, path: &str, ctx: &mut Ctx) -> InterfacesConfig {
        let v6 = ctx.v6();
        let mut c = InterfacesConfig::default_for(v6);
        let Some(m) = ctx.map(v, path, "interfaces-config", keys::INTERFACES) else {
            return c;
        };
        if let Some(list) = m.strings(ctx, "interfaces") {
            let v = m.get("interfaces").expect("present");
            check_duplicates(&list, v, &m.key_path("interfaces"), ctx);
            c.interfaces = list;
        }
        match m
            .choice(ctx, "dhcp-socket-type", &["xdp", "raw", "udp"])
            .as_deref()
        {
            Some("xdp") => c.socket_type = SocketType::Xdp,
            Some("raw") => c.socket_type = SocketType::Raw,
            Some("udp") => c.socket_type = SocketType::Udp,
            _ => {}
        }
        if let Some(o) = m.choice(
            ctx,
            "outbound-interface",
            &["same-as-inbound", "use-routing"],
        ) {
            if v6 {
                ctx.err(
                    &m.get("outbound-interface").expect("present").pos,
                    &m.key_path("outbound-interface"),
                    "outbound-interface is a DHCPv4 parameter",
                );
            }
            c.outbound_interface = o;
        }
        c.re_detect = m.bool(ctx, "re-detect").unwrap_or(true);
        c.require_all = m.bool(ctx, "service-sockets-require-all").unwrap_or(false);
        c.retry_wait_time = m
            .u32(ctx, "service-sockets-retry-wait-time")
            .unwrap_or(5000);
        c.max_retries = m.u32(ctx, "service-sockets-max-retries").unwrap_or(0);
        c
    }
}
