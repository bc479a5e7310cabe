//! Compiling a `Dhcp4` server section into the engine's [`Config4`].

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use xdhcp_dataplane::alloc::{Allocator, AllocatorKind, Pool as AddressPool};
use xdhcp_dataplane::config::options::ConfiguredOption;
use xdhcp_dataplane::config::v4::{HostId, Reservations4};
use xdhcp_dataplane::config::{Config4, Lifetime, OptionSet, Reservation4, Subnet4};
use xdhcp_dataplane::options::DHCP4_SPACE;

use crate::config::options::OptionData;
use crate::config::reservations::Reservation;
use crate::config::scope::{Scope, Triplet};
use crate::config::subnet::Subnet;
use crate::config::Server;

/// Kea's `valid-lifetime` when none is configured.
const DEFAULT_VALID: u32 = 7200;
/// Kea's v4 `t1-percent` and `t2-percent` defaults.
const DEFAULT_T1_PERCENT: f64 = 0.5;
const DEFAULT_T2_PERCENT: f64 = 0.875;

/// Compiles a validated `Dhcp4` section. Validation already rejected what
/// cannot be served, so this step cannot fail.
pub fn compile(server: &Server) -> Config4 {
    let shared_index = |name: &str| server.shared_networks.iter().position(|n| n.name == name);
    let subnets: Vec<Subnet4> = server
        .subnets
        .iter()
        .filter_map(|s| {
            let shared = s.shared_network.as_deref().and_then(shared_index);
            let shared_options =
                shared.map_or(&[][..], |i| &server.shared_networks[i].option_data[..]);
            subnet(
                s,
                shared,
                [&server.option_data[..], shared_options, &s.option_data[..]],
            )
        })
        .collect();
    let mut shared_networks = vec![Vec::new(); server.shared_networks.len()];
    for (i, s) in subnets.iter().enumerate() {
        if let Some(n) = s.shared_network {
            shared_networks[n].push(i);
        }
    }
    Config4 {
        subnets,
        shared_networks,
        echo_client_id: server.echo_client_id,
        decline_probation: server.decline_probation_period,
        global_reservations: reservations(&server.reservations),
    }
}

fn subnet(s: &Subnet, shared: Option<usize>, option_scopes: [&[OptionData]; 3]) -> Option<Subnet4> {
    let IpAddr::V4(network) = s.prefix.addr else {
        return None;
    };
    let scope = &s.effective;
    let pools = s
        .pools
        .iter()
        .filter_map(|p| match (p.range.first, p.range.last) {
            (IpAddr::V4(first), IpAddr::V4(last)) => Some(Arc::new(Allocator::new(
                AddressPool::v4(first, last, s.id),
                AllocatorKind::Iterative,
            ))),
            _ => None,
        })
        .collect();
    Some(Subnet4 {
        id: s.id,
        network,
        prefix_len: s.prefix.len,
        pools,
        relay: scope
            .relay
            .iter()
            .filter_map(|a| match a {
                IpAddr::V4(a) => Some(*a),
                IpAddr::V6(_) => None,
            })
            .collect(),
        interface: scope.interface.clone(),
        shared_network: shared,
        valid: lifetime(scope.valid),
        renew_timer: scope.renew_timer,
        rebind_timer: scope.rebind_timer,
        calculate_tee_times: tee_times(scope),
        match_client_id: scope.match_client_id.unwrap_or(true),
        authoritative: scope.authoritative.unwrap_or(false),
        next_server: scope.next_server.filter(|a| !a.is_unspecified()),
        server_hostname: scope.server_hostname.clone().filter(|n| !n.is_empty()),
        boot_file_name: scope.boot_file_name.clone().filter(|n| !n.is_empty()),
        options: options(option_scopes.iter().flat_map(|s| s.iter())),
        reservations: reservations(&s.reservations),
    })
}

fn lifetime(t: Triplet) -> Lifetime {
    let default = t.value.unwrap_or(DEFAULT_VALID);
    Lifetime {
        default,
        min: t.min.unwrap_or(default),
        max: t.max.unwrap_or(default),
    }
}

fn tee_times(scope: &Scope) -> Option<(f32, f32)> {
    scope.calculate_tee_times.unwrap_or(false).then(|| {
        (
            scope.t1_percent.unwrap_or(DEFAULT_T1_PERCENT) as f32,
            scope.t2_percent.unwrap_or(DEFAULT_T2_PERCENT) as f32,
        )
    })
}

/// Top-level DHCPv4 options of the given entries, later scopes first in
/// effect. Sub-option spaces are encapsulated by their parent option.
fn options<'a>(entries: impl Iterator<Item = &'a OptionData>) -> OptionSet {
    OptionSet::new(
        entries
            .filter(|o| o.space == DHCP4_SPACE && !o.never_send)
            .map(|o| ConfiguredOption {
                code: o.code,
                data: o.payload.clone(),
                always_send: o.always_send,
            })
            .collect(),
    )
}

fn reservations(list: &[Reservation]) -> Reservations4 {
    let mut out = Reservations4::default();
    for r in list {
        let id = match r.id_type.as_str() {
            "hw-address" => HostId::HwAddress(&r.id),
            "client-id" => HostId::ClientId(&r.id),
            "circuit-id" => HostId::CircuitId(&r.id),
            // duid and flex-id need the classification work to be matched.
            _ => continue,
        };
        out.insert(
            id,
            Reservation4 {
                address: r.ip_address.filter(|a| *a != Ipv4Addr::UNSPECIFIED),
                hostname: r.hostname.clone(),
                next_server: r.next_server,
                server_hostname: r.server_hostname.clone(),
                boot_file_name: r.boot_file_name.clone(),
                options: options(r.option_data.iter()),
            },
        );
    }
    out
}
