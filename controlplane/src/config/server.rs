//! One server's configuration: the `Dhcp4` or `Dhcp6` map.

use xdhcp_dataplane::config::v6::MacSource;
use xdhcp_dataplane::options::{OptionSpaces, Universe};

use super::classes::{self, ClientClass};
use super::database::Database;
use super::hooks::{self, HookLibrary};
use super::interfaces::InterfacesConfig;
use super::keys;
use super::logging::{self, Logger};
use super::options::{self, OptionData};
use super::read::Ctx;
use super::reservations::{self, Reservation, IDENTIFIER_TYPES};
use super::scope::Scope;
use super::services::{
    read_control_socket, read_control_sockets, ControlSocket, DhcpDdns, ExpiredLeases,
    MultiThreading, ServerId,
};
use super::shared_network::{self, SharedNetwork};
use super::subnet::{self, Subnet};
use super::validate;
use crate::json::Value;

/// A DHCPv4 or DHCPv6 server configuration, typed, defaults applied,
/// inheritance resolved into each subnet's `effective` scope.
#[derive(Debug, Clone)]
pub struct Server {
    /// DHCPv4 or DHCPv6.
    pub universe: Universe,
    /// `interfaces-config`.
    pub interfaces: InterfacesConfig,
    /// `lease-database` (default memfile).
    pub lease_database: Database,
    /// `hosts-database` / `hosts-databases`.
    pub hosts_databases: Vec<Database>,
    /// `host-reservation-identifiers`, in lookup order.
    pub host_reservation_identifiers: Vec<String>,
    /// Option definitions: standard plus `option-def`.
    pub option_spaces: OptionSpaces,
    /// Global options.
    pub option_data: Vec<OptionData>,
    /// `client-classes`.
    pub client_classes: Vec<ClientClass>,
    /// Global parameters as written.
    pub global: Scope,
    /// Shared networks.
    pub shared_networks: Vec<SharedNetwork>,
    /// Every subnet, plain ones and those in shared networks, ids assigned.
    pub subnets: Vec<Subnet>,
    /// Global reservations.
    pub reservations: Vec<Reservation>,
    /// `echo-client-id` (v4, default true).
    pub echo_client_id: bool,
    /// `decline-probation-period` (default 86400 s).
    pub decline_probation_period: u32,
    /// `dhcp-ddns`.
    pub dhcp_ddns: DhcpDdns,
    /// `control-socket` and `control-sockets` entries.
    pub control_sockets: Vec<ControlSocket>,
    /// `loggers`.
    pub loggers: Vec<Logger>,
    /// `hooks-libraries`.
    pub hooks: Vec<HookLibrary>,
    /// `multi-threading`.
    pub multi_threading: MultiThreading,
    /// `expired-leases-processing`.
    pub expired_leases: ExpiredLeases,
    /// `server-id` (v6).
    pub server_id: Option<ServerId>,
    /// `data-directory` (v6): where the server DUID file is kept.
    pub data_directory: Option<String>,
    /// `ip-reservations-unique` (default true).
    pub ip_reservations_unique: bool,
    /// `server-tag`.
    pub server_tag: Option<String>,
    /// `user-context`, verbatim JSON.
    pub user_context: Option<String>,
    /// `mac-sources` (v6) in order, `any` expanded; empty when not given.
    pub mac_sources: Vec<MacSource>,
    /// `relay-supplied-options` (v6), option codes.
    pub relay_supplied_options: Vec<u16>,
}

/// Reads DHCPv6 `mac-sources`: `any` stands for every source in Kea's
/// order; naming a source twice, even by its RFC alias, is an error.
fn read_mac_sources(v: &Value, path: &str, ctx: &mut Ctx) -> Vec<MacSource> {
    // `None` is `any`.
    let mut named: Vec<Option<MacSource>> = Vec::new();
    if v.as_array().is_some_and(|a| a.is_empty()) {
        ctx.err(&v.pos, path, "mac-sources, if given, must not be empty");
    }
    for (i, item) in ctx.list(v, path).unwrap_or_default().iter().enumerate() {
        let p = crate::diag::index(path, i);
        let source = match item.as_str() {
            Some("any") => Some(None),
            Some(name) => MacSource::from_name(name).map(Some),
            None => None,
        };
        match source {
            None => ctx.err(&item.pos, &p, "not a known MAC source"),
            Some(s) if named.contains(&s) => ctx.err(
                &item.pos,
                &p,
                format!(
                    "the mac-sources value '{}' was specified twice",
                    s.map_or("any", MacSource::name)
                ),
            ),
            Some(s) => named.push(s),
        }
    }
    let mut out = Vec::new();
    for s in named {
        match s {
            None => out.extend(MacSource::ANY),
            Some(s) => out.push(s),
        }
    }
    out
}

fn read_rsoo(v: &Value, path: &str, ctx: &mut Ctx, spaces: &OptionSpaces) -> Vec<u16> {
    let mut out = Vec::new();
    for (i, item) in ctx.list(v, path).unwrap_or_default().iter().enumerate() {
        let p = crate::diag::index(path, i);
        let text = item.as_str().unwrap_or_default().trim();
        let code = match text.parse::<u16>() {
            Ok(c) => Some(c),
            Err(_) => spaces.get_by_name("dhcp6", text).map(|d| d.code),
        };
        match code {
            Some(c) if c > 0 => out.push(c),
            _ => ctx.err(
                &item.pos,
                &p,
                format!("unable to find option code for the specified option name '{text}'"),
            ),
        }
    }
    out
}

/// Kea's default `host-reservation-identifiers`.
fn default_identifiers(v6: bool) -> Vec<String> {
    let ids: &[&str] = if v6 {
        &["hw-address", "duid"]
    } else {
        &["hw-address", "duid", "circuit-id", "client-id"]
    };
    ids.iter().map(|s| s.to_string()).collect()
}

impl Server {
    /// Read a `Dhcp4` (`universe` V4) or `Dhcp6` map; errors go to `ctx`.
    pub fn read(v: &Value, path: &str, ctx: &mut Ctx) -> Option<Server> {
        let v6 = ctx.v6();
        let m = ctx.map(v, path, path, &keys::global(v6))?;
        let mut spaces = OptionSpaces::standard(ctx.universe);
        // Definitions first: any option-data anywhere may use them.
        if let Some(d) = m.get("option-def") {
            options::read_defs(d, &m.key_path("option-def"), ctx, &mut spaces);
        }
        if let Some(c) = m.get("client-classes") {
            if !v6 {
                classes::read_defs(c, &m.key_path("client-classes"), ctx, &mut spaces);
            }
        }
        let global = Scope::read(&m, ctx, None);
        let mut s = Server {
            universe: ctx.universe,
            interfaces: m
                .get("interfaces-config")
                .map(|i| InterfacesConfig::read(i, &m.key_path("interfaces-config"), ctx))
                .unwrap_or_else(|| InterfacesConfig::default_for(v6)),
            lease_database: m
                .get("lease-database")
                .and_then(|d| Database::read(d, &m.key_path("lease-database"), ctx, false))
                .unwrap_or_else(Database::memfile),
            hosts_databases: Vec::new(),
            host_reservation_identifiers: default_identifiers(v6),
            option_data: Vec::new(),
            client_classes: Vec::new(),
            global,
            shared_networks: Vec::new(),
            subnets: Vec::new(),
            reservations: Vec::new(),
            echo_client_id: m.bool(ctx, "echo-client-id").unwrap_or(true),
            decline_probation_period: m.u32(ctx, "decline-probation-period").unwrap_or(86400),
            dhcp_ddns: m
                .get("dhcp-ddns")
                .map(|d| DhcpDdns::read(d, &m.key_path("dhcp-ddns"), ctx))
                .unwrap_or_default(),
            control_sockets: Vec::new(),
            loggers: Vec::new(),
            hooks: Vec::new(),
            multi_threading: m
                .get("multi-threading")
                .map(|d| MultiThreading::read(d, &m.key_path("multi-threading"), ctx))
                .unwrap_or_default(),
            expired_leases: m
                .get("expired-leases-processing")
                .map(|d| ExpiredLeases::read(d, &m.key_path("expired-leases-processing"), ctx))
                .unwrap_or_default(),
            server_id: m
                .get("server-id")
                .and_then(|d| ServerId::read(d, &m.key_path("server-id"), ctx)),
            data_directory: m.str(ctx, "data-directory"),
            ip_reservations_unique: m.bool(ctx, "ip-reservations-unique").unwrap_or(true),
            server_tag: m.str(ctx, "server-tag"),
            user_context: m.raw_map(ctx, "user-context"),
            option_spaces: OptionSpaces::empty(ctx.universe),
            mac_sources: Vec::new(),
            relay_supplied_options: Vec::new(),
        };
        super::services::check_misc(&m, ctx);
        if let Some(d) = m.get("mac-sources") {
            s.mac_sources = read_mac_sources(d, &m.key_path("mac-sources"), ctx);
        }
        if let Some(d) = m.get("relay-supplied-options") {
            s.relay_supplied_options =
                read_rsoo(d, &m.key_path("relay-supplied-options"), ctx, &spaces);
        }
        if m.has("hosts-database") && m.has("hosts-databases") {
            ctx.err(
                m.pos(),
                &m.key_path("hosts-databases"),
                "only one of hosts-database and hosts-databases may be given",
            );
        }
        if let Some(d) = m.get("hosts-database") {
            s.hosts_databases
                .extend(Database::read(d, &m.key_path("hosts-database"), ctx, true));
        }
        if let Some(d) = m.get("hosts-databases") {
            s.hosts_databases = Database::read_list(d, &m.key_path("hosts-databases"), ctx);
        }
        if let Some(list) = m.strings(ctx, "host-reservation-identifiers") {
            let allowed: &[&str] = if v6 {
                &["hw-address", "duid", "flex-id"]
            } else {
                IDENTIFIER_TYPES
            };
            let v = m.get("host-reservation-identifiers").expect("present");
            if list.is_empty() {
                ctx.err(
                    &v.pos,
                    &m.key_path("host-reservation-identifiers"),
                    "host-reservation-identifiers must not be empty",
                );
            }
            for (i, id) in list.iter().enumerate() {
                if list[..i].contains(id) {
                    ctx.err(
                        &v.pos,
                        &m.key_path("host-reservation-identifiers"),
                        format!("duplicate host identifier '{id}'"),
                    );
                }
                if !allowed.contains(&id.as_str()) {
                    ctx.err(
                        &v.pos,
                        &m.key_path("host-reservation-identifiers"),
                        format!("invalid host reservation identifier name '{id}'"),
                    );
                }
            }
            s.host_reservation_identifiers = list;
        }
        if let Some(d) = m.get("option-data") {
            s.option_data = options::read_data(d, &m.key_path("option-data"), ctx, &spaces);
        }
        if let Some(d) = m.get("client-classes") {
            s.client_classes = classes::read_list(d, &m.key_path("client-classes"), ctx, &spaces);
        }
        if let Some(d) = m.get("control-socket") {
            s.control_sockets
                .extend(read_control_socket(d, &m.key_path("control-socket"), ctx));
        }
        if let Some(d) = m.get("control-sockets") {
            s.control_sockets
                .extend(read_control_sockets(d, &m.key_path("control-sockets"), ctx));
        }
        if let Some(d) = m.get("loggers") {
            s.loggers = logging::read(d, &m.key_path("loggers"), ctx);
        }
        if let Some(d) = m.get("hooks-libraries") {
            let path = m.key_path("hooks-libraries");
            s.hooks = hooks::read(d, &path, ctx, &spaces, &s.client_classes);
        }
        if let Some(d) = m.get("reservations") {
            s.reservations = reservations::read_list(d, &m.key_path("reservations"), ctx, &spaces);
            reservations::check_duplicates(&s.reservations, ctx, s.ip_reservations_unique);
        }
        let key = if v6 { "subnet6" } else { "subnet4" };
        if let Some(d) = m.get(key) {
            s.subnets = subnet::read_list(d, &m.key_path(key), ctx, &spaces, None, &s.global);
        }
        if let Some(d) = m.get("shared-networks") {
            let (nets, subnets) = shared_network::read_list(
                d,
                &m.key_path("shared-networks"),
                ctx,
                &spaces,
                &s.global,
            );
            s.shared_networks = nets;
            s.subnets.extend(subnets);
        }
        for sub in &mut s.subnets {
            let net = sub
                .shared_network
                .as_ref()
                .and_then(|n| s.shared_networks.iter().find(|x| &x.name == n));
            let parent = match net {
                Some(n) => n.own.inherit(&s.global),
                None => s.global.clone(),
            };
            sub.effective = sub.own.inherit(&parent);
        }
        validate::subnets(&mut s.subnets, ctx, s.ip_reservations_unique);
        s.option_spaces = spaces;
        Some(s)
    }
}
