//! Server-wide service settings: `dhcp-ddns`, `control-socket(s)`,
//! `multi-threading`, `expired-leases-processing`, DHCPv6 `server-id`.

use std::net::IpAddr;

use super::keys;
use super::read::Ctx;
use super::scope::REPLACE_CLIENT_NAME;
use crate::diag;
use crate::json::Value;

/// Connection to the DHCP-DDNS daemon (`dhcp-ddns`).
#[derive(Debug, Clone, PartialEq)]
pub struct DhcpDdns {
    /// `enable-updates` (default false).
    pub enable_updates: bool,
    /// `server-ip` (default 127.0.0.1).
    pub server_ip: IpAddr,
    /// `server-port` (default 53001).
    pub server_port: u16,
    /// `sender-ip` (default 0.0.0.0).
    pub sender_ip: IpAddr,
    /// `sender-port` (default 0).
    pub sender_port: u16,
    /// `max-queue-size` (default 1024).
    pub max_queue_size: u32,
    /// `ncr-protocol` (only UDP).
    pub ncr_protocol: String,
    /// `ncr-format` (only JSON).
    pub ncr_format: String,
}

impl Default for DhcpDdns {
    fn default() -> DhcpDdns {
        DhcpDdns {
            enable_updates: false,
            server_ip: [127, 0, 0, 1].into(),
            server_port: 53001,
            sender_ip: [0, 0, 0, 0].into(),
            sender_port: 0,
            max_queue_size: 1024,
            ncr_protocol: "UDP".into(),
            ncr_format: "JSON".into(),
        }
    }
}

impl DhcpDdns {
    /// Read the map. The older per-map `qualifying-suffix`,
    /// `override-*`, `replace-client-name`, `generated-prefix` keys are
    /// accepted and checked, as Kea 2.2 still does.
    pub fn read(v: &Value, path: &str, ctx: &mut Ctx) -> DhcpDdns {
        let mut d = DhcpDdns::default();
        let Some(m) = ctx.map(v, path, "dhcp-ddns", keys::DHCP_DDNS) else {
            return d;
        };
        d.enable_updates = m.bool(ctx, "enable-updates").unwrap_or(false);
        for (key, slot) in [
            ("server-ip", &mut d.server_ip),
            ("sender-ip", &mut d.sender_ip),
        ] {
            if let Some((t, pos)) = m.str_at(ctx, key) {
                // The manuals show "" for "unspecified".
                match t.parse() {
                    _ if t.is_empty() => {}
                    Ok(a) => *slot = a,
                    Err(_) => ctx.err(pos, &m.key_path(key), format!("'{t}' is not an IP address")),
                }
            }
        }
        d.server_port = m.int(ctx, "server-port", 0, 65535).unwrap_or(53001) as u16;
        d.sender_port = m.int(ctx, "sender-port", 0, 65535).unwrap_or(0) as u16;
        d.max_queue_size = m.u32(ctx, "max-queue-size").unwrap_or(1024);
        if let Some(p) = m.choice(ctx, "ncr-protocol", &["UDP", "TCP"]) {
            if p == "TCP" {
                ctx.err(
                    &m.get("ncr-protocol").expect("present").pos,
                    &m.key_path("ncr-protocol"),
                    "ncr-protocol TCP is not yet supported, use UDP",
                );
            }
            d.ncr_protocol = p;
        }
        if let Some(f) = m.choice(ctx, "ncr-format", &["JSON"]) {
            d.ncr_format = f;
        }
        m.str(ctx, "qualifying-suffix");
        m.str(ctx, "generated-prefix");
        m.bool(ctx, "override-no-update");
        m.bool(ctx, "override-client-update");
        m.str(ctx, "hostname-char-set");
        m.str(ctx, "hostname-char-replacement");
        if let Some(r) = m.get("replace-client-name") {
            // The 0.9.1 manual shows true/false here; Kea 2.2 and the newer
            // manuals take only the mode names.
            if matches!(r.kind, crate::json::Kind::Bool(_)) {
                ctx.err(
                    &r.pos,
                    &m.key_path("replace-client-name"),
                    "boolean values for replace-client-name are no longer supported",
                );
            } else {
                m.choice(ctx, "replace-client-name", REPLACE_CLIENT_NAME);
            }
        }
        if d.enable_updates && d.server_ip == d.sender_ip && d.server_port == d.sender_port {
            ctx.err(
                &v.pos,
                path,
                "dhcp-ddns: server-ip/server-port and sender-ip/sender-port cannot be the same",
            );
        }
        d
    }
}

/// A command channel (`control-socket`, or an entry of `control-sockets`).
#[derive(Debug, Clone, PartialEq)]
pub struct ControlSocket {
    /// `unix`, `http` or `https`.
    pub socket_type: String,
    /// UNIX socket path.
    pub socket_name: Option<String>,
    /// HTTP listen address.
    pub socket_address: Option<String>,
    /// HTTP listen port.
    pub socket_port: Option<u16>,
    /// Basic authentication of an HTTP socket, when configured.
    pub authentication: Option<BasicAuth>,
    /// TLS settings, which make the socket serve HTTPS.
    pub tls: Option<Tls>,
    /// `http-headers`: extra headers on every HTTP response.
    pub http_headers: Vec<(String, String)>,
}

/// The TLS settings of an HTTPS control socket, as Kea names them.
#[derive(Debug, Clone, PartialEq)]
pub struct Tls {
    /// `trust-anchor`: CA file or directory that client certificates must
    /// chain to.
    pub trust_anchor: String,
    /// `cert-file`: the server's certificate chain (PEM).
    pub cert_file: String,
    /// `key-file`: the server's private key (PEM).
    pub key_file: String,
    /// `cert-required` (default true): clients must present a certificate.
    pub cert_required: bool,
}

/// The three TLS file keys; Kea wants all of them or none.
const TLS_FILES: [&str; 3] = ["trust-anchor", "cert-file", "key-file"];

/// Read the TLS keys of a control socket of type `socket_type`.
fn read_tls(m: &super::read::Map, socket_type: &str, ctx: &mut Ctx) -> Option<Tls> {
    let given: Vec<&str> = TLS_FILES.iter().copied().filter(|k| m.has(k)).collect();
    if given.is_empty() {
        if socket_type == "https" {
            ctx.err(
                m.pos(),
                &m.key_path("cert-file"),
                "an https control socket needs trust-anchor, cert-file and key-file",
            );
        }
        return None;
    }
    if let Some(missing) = TLS_FILES.iter().find(|k| !m.has(k)) {
        ctx.err(
            m.pos(),
            &m.key_path(missing),
            format!(
                "TLS needs trust-anchor, cert-file and key-file together: {missing} is missing"
            ),
        );
        return None;
    }
    Some(Tls {
        trust_anchor: m.str(ctx, "trust-anchor")?,
        cert_file: m.str(ctx, "cert-file")?,
        key_file: m.str(ctx, "key-file")?,
        cert_required: m.bool(ctx, "cert-required").unwrap_or(true),
    })
}

/// Read `http-headers`: a list of `{ "name", "value" }`.
fn read_headers(m: &super::read::Map, ctx: &mut Ctx) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, h) in m
        .list(ctx, "http-headers")
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        let at = diag::index(&m.key_path("http-headers"), i);
        let Some(h) = ctx.map(
            h,
            &at,
            "http-header",
            &["name", "value", "user-context", "comment"],
        ) else {
            continue;
        };
        match (h.str(ctx, "name"), h.str(ctx, "value")) {
            (Some(n), Some(v)) => out.push((n, v)),
            _ => ctx.err(h.pos(), &at, "an http header needs a name and a value"),
        }
    }
    out
}

/// `authentication` of type `basic`: the accepted credentials.
#[derive(Debug, Clone, PartialEq)]
pub struct BasicAuth {
    /// `realm`, sent with a 401.
    pub realm: String,
    /// `user:password` pairs, read from `user`/`password` or from
    /// `user-file`/`password-file` under `directory`.
    pub credentials: Vec<String>,
}

/// Read `authentication`; credentials in files are read now, so a missing
/// file is a configuration error rather than a locked-out API later.
fn read_authentication(v: &Value, path: &str, ctx: &mut Ctx) -> Option<BasicAuth> {
    let m = ctx.map(
        v,
        path,
        "authentication",
        &[
            "type",
            "realm",
            "directory",
            "clients",
            "user-context",
            "comment",
        ],
    )?;
    m.choice(ctx, "type", &["basic"])?;
    let realm = m
        .str(ctx, "realm")
        .unwrap_or_else(|| "kea-control-agent".into());
    let dir = m.str(ctx, "directory").unwrap_or_default();
    let mut credentials = Vec::new();
    for (i, c) in m.list(ctx, "clients").unwrap_or(&[]).iter().enumerate() {
        let at = diag::index(&m.key_path("clients"), i);
        let Some(c) = ctx.map(
            c,
            &at,
            "client",
            &[
                "user",
                "password",
                "user-file",
                "password-file",
                "user-context",
                "comment",
            ],
        ) else {
            continue;
        };
        let from = |value: &str, file: &str, ctx: &mut Ctx| -> Option<String> {
            if let Some(v) = c.str(ctx, value) {
                return Some(v);
            }
            let name = c.str(ctx, file)?;
            let full = std::path::Path::new(&dir).join(&name);
            match std::fs::read_to_string(&full) {
                Ok(text) => Some(text.lines().next().unwrap_or_default().to_string()),
                Err(e) => {
                    ctx.err(
                        c.pos(),
                        &c.key_path(file),
                        format!("cannot read {}: {e}", full.display()),
                    );
                    None
                }
            }
        };
        let user = from("user", "user-file", ctx);
        let password = from("password", "password-file", ctx).unwrap_or_default();
        match user {
            Some(u) if !u.contains(':') => credentials.push(format!("{u}:{password}")),
            Some(_) => ctx.err(c.pos(), &at, "a user name cannot contain ':'"),
            None => ctx.err(c.pos(), &at, "a client needs user or user-file"),
        }
    }
    Some(BasicAuth { realm, credentials })
}

/// Read one control socket.
pub fn read_control_socket(v: &Value, path: &str, ctx: &mut Ctx) -> Option<ControlSocket> {
    let m = ctx.map(v, path, "control-socket", keys::CONTROL_SOCKET)?;
    let socket_type = m.choice(ctx, "socket-type", &["unix", "http", "https"])?;
    let authentication = m
        .get("authentication")
        .and_then(|a| read_authentication(a, &m.key_path("authentication"), ctx));
    let s = ControlSocket {
        socket_name: m.str(ctx, "socket-name"),
        socket_address: m.str(ctx, "socket-address"),
        socket_port: m.int(ctx, "socket-port", 0, 65535).map(|p| p as u16),
        authentication,
        tls: read_tls(&m, &socket_type, ctx),
        http_headers: read_headers(&m, ctx),
        socket_type,
    };
    Some(s)
}

/// Read `control-sockets` (a list).
pub fn read_control_sockets(v: &Value, path: &str, ctx: &mut Ctx) -> Vec<ControlSocket> {
    let Some(items) = ctx.list(v, path) else {
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| read_control_socket(item, &diag::index(path, i), ctx))
        .collect()
}

/// `multi-threading`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MultiThreading {
    /// `enable-multi-threading` (default true per the manuals).
    pub enabled: bool,
    /// `thread-pool-size` (0 = one per core).
    pub thread_pool_size: u32,
    /// `packet-queue-size` (default 64).
    pub packet_queue_size: u32,
}

impl Default for MultiThreading {
    fn default() -> MultiThreading {
        MultiThreading {
            enabled: true,
            thread_pool_size: 0,
            packet_queue_size: 64,
        }
    }
}

impl MultiThreading {
    /// Read the map.
    pub fn read(v: &Value, path: &str, ctx: &mut Ctx) -> MultiThreading {
        let mut mt = MultiThreading::default();
        if let Some(m) = ctx.map(v, path, "multi-threading", keys::MULTI_THREADING) {
            if !m.has("enable-multi-threading") {
                ctx.err(&v.pos, path, "missing parameter 'enable-multi-threading'");
            }
            mt.enabled = m.bool(ctx, "enable-multi-threading").unwrap_or(true);
            mt.thread_pool_size = m.u32(ctx, "thread-pool-size").unwrap_or(0);
            mt.packet_queue_size = m.u32(ctx, "packet-queue-size").unwrap_or(64);
        }
        mt
    }
}

/// `expired-leases-processing`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpiredLeases {
    /// Seconds between reclamation runs (default 10).
    pub reclaim_timer_wait_time: u32,
    /// Seconds between removals of reclaimed leases (default 25).
    pub flush_reclaimed_timer_wait_time: u32,
    /// Seconds a reclaimed lease is kept (default 3600).
    pub hold_reclaimed_time: u32,
    /// Leases per run (default 100).
    pub max_reclaim_leases: u32,
    /// Milliseconds per run (default 250).
    pub max_reclaim_time: u32,
    /// Unfinished runs before warning (default 5).
    pub unwarned_reclaim_cycles: u32,
}

impl Default for ExpiredLeases {
    fn default() -> ExpiredLeases {
        ExpiredLeases {
            reclaim_timer_wait_time: 10,
            flush_reclaimed_timer_wait_time: 25,
            hold_reclaimed_time: 3600,
            max_reclaim_leases: 100,
            max_reclaim_time: 250,
            unwarned_reclaim_cycles: 5,
        }
    }
}

impl ExpiredLeases {
    /// Read the map.
    pub fn read(v: &Value, path: &str, ctx: &mut Ctx) -> ExpiredLeases {
        let d = ExpiredLeases::default();
        let Some(m) = ctx.map(v, path, "expired-leases-processing", keys::EXPIRY) else {
            return d;
        };
        let mut get = |k: &str, def: u32| m.u32(ctx, k).unwrap_or(def);
        ExpiredLeases {
            reclaim_timer_wait_time: get("reclaim-timer-wait-time", d.reclaim_timer_wait_time),
            flush_reclaimed_timer_wait_time: get(
                "flush-reclaimed-timer-wait-time",
                d.flush_reclaimed_timer_wait_time,
            ),
            hold_reclaimed_time: get("hold-reclaimed-time", d.hold_reclaimed_time),
            max_reclaim_leases: get("max-reclaim-leases", d.max_reclaim_leases),
            max_reclaim_time: get("max-reclaim-time", d.max_reclaim_time),
            unwarned_reclaim_cycles: get("unwarned-reclaim-cycles", d.unwarned_reclaim_cycles),
        }
    }
}

/// DHCPv6 `server-id`: how the server DUID is made.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerId {
    /// `LLT`, `EN` or `LL` (default LLT).
    pub duid_type: String,
    /// Explicit identifier bytes (hex), if given.
    pub identifier: Option<String>,
    /// LLT time.
    pub time: Option<u32>,
    /// Hardware type.
    pub htype: Option<u16>,
    /// EN enterprise id.
    pub enterprise_id: Option<u32>,
    /// Keep the DUID in a file (default true).
    pub persist: bool,
}

impl ServerId {
    /// Read the map.
    pub fn read(v: &Value, path: &str, ctx: &mut Ctx) -> Option<ServerId> {
        let m = ctx.map(v, path, "server-id", keys::SERVER_ID)?;
        let duid_type = m.choice(ctx, "type", &["LLT", "EN", "LL"]);
        if !m.has("type") {
            ctx.err(&v.pos, path, "server-id needs a 'type'");
        }
        let identifier = m.str_at(ctx, "identifier").and_then(|(t, pos)| {
            // The manual's example writes "" for "generate one".
            if t.is_empty() {
                return None;
            }
            match super::reservations::parse_identifier("duid", &t) {
                Ok(_) if !t.trim().starts_with('\'') => Some(t),
                _ => {
                    ctx.err(
                        pos,
                        &m.key_path("identifier"),
                        format!("identifier '{t}' is not a valid string of hexadecimal digits"),
                    );
                    None
                }
            }
        });
        Some(ServerId {
            duid_type: duid_type?,
            identifier,
            time: m.u32(ctx, "time"),
            htype: m.int(ctx, "htype", 0, 65535).map(|h| h as u16),
            enterprise_id: m.u32(ctx, "enterprise-id"),
            persist: m.bool(ctx, "persist").unwrap_or(true),
        })
    }
}

/// Shape checks of the small global maps and numbers xdhcp keeps as Kea
/// does: `sanity-checks`, `compatibility`, `dhcp-queue-control`,
/// `config-control` (those it does not act on are in `no_effect`), and
/// the statistics sample defaults (applied in `stats`).
pub fn check_misc(m: &super::read::Map, ctx: &mut Ctx) {
    if let Some(v) = m.get("sanity-checks") {
        if let Some(sm) = ctx.map(
            v,
            &m.key_path("sanity-checks"),
            "sanity-checks",
            keys::SANITY,
        ) {
            sm.choice(
                ctx,
                "lease-checks",
                &["none", "warn", "fix", "fix-del", "del"],
            );
            sm.choice(
                ctx,
                "extended-info-checks",
                &["none", "fix", "strict", "pedantic"],
            );
        }
    }
    if let Some(v) = m.get("compatibility") {
        let p = m.key_path("compatibility");
        if let Some(cm) = ctx.map(v, &p, "compatibility", keys::COMPATIBILITY) {
            for key in keys::COMPATIBILITY {
                cm.bool(ctx, key);
            }
        }
    }
    if let Some(v) = m.get("dhcp-queue-control") {
        // Free-form for custom queue implementations, but these keys are typed.
        let p = m.key_path("dhcp-queue-control");
        let all: Vec<&str> = v
            .as_object()
            .map(|ms| ms.iter().map(|x| x.key.as_str()).collect())
            .unwrap_or_default();
        if let Some(qm) = ctx.map(v, &p, "dhcp-queue-control", &all) {
            if !qm.has("enable-queue") {
                ctx.err(&v.pos, &p, "missing parameter 'enable-queue'");
            }
            qm.bool(ctx, "enable-queue");
            qm.str(ctx, "queue-type");
            qm.u32(ctx, "capacity");
        }
    }
    if let Some(v) = m.get("config-control") {
        let p = m.key_path("config-control");
        if let Some(cm) = ctx.map(v, &p, "config-control", keys::CONFIG_CONTROL) {
            cm.u32(ctx, "config-fetch-wait-time");
            cm.list(ctx, "config-databases");
        }
    }
    for key in [
        "statistic-default-sample-count",
        "statistic-default-sample-age",
        "parked-packet-limit",
        "dhcp4o6-port",
    ] {
        m.u32(ctx, key);
    }
    for key in [
        "early-global-reservations-lookup",
        "reservations-lookup-first",
    ] {
        m.bool(ctx, key);
    }
}
