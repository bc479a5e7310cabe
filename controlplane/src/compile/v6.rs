//! Compile, second half for DHCPv6: a [`Plan`] into the engine's
//! [`Config6`]: address and pd-pools become allocators, options are keyed by
//! code, reservations are indexed by DUID and hardware address.
//!
//! The server DUID: Kea generates a DUID-LLT from an interface's MAC and
//! the time on first start and keeps it in its lease directory. Persisting
//! one is out of scope here, so [`snapshot`] uses a fixed DUID-EN
//! ([`default_duid`]) and [`snapshot_with_duid`] takes any DUID, for
//! example a DUID-LL built from the serving interface's MAC ([`duid_ll`]),
//! which stays the same across restarts without any state.

use std::net::{IpAddr, Ipv6Addr};
use std::sync::Arc;

use xdhcp_dataplane::alloc::{Allocator, AllocatorKind, Pool};
use xdhcp_dataplane::config::options::ConfiguredOption;
use xdhcp_dataplane::config::v6::{HostId6, Reservations6};
use xdhcp_dataplane::config::{Config6, Lifetime, OptionSet, PdPool6, Reservation6, Subnet6};
use xdhcp_dataplane::options::DHCP6_SPACE;
use xdhcp_dataplane::wire::v6::{DUID_EN, DUID_LL};

use super::{Host, OptionOut, Plan, SubnetPlan};

/// ISC's enterprise number, used in the fixed DUID-EN.
const ISC_ENTERPRISE: u32 = 2495;
/// Hardware type of Ethernet (RFC 826), for DUID-LL.
const HTYPE_ETHERNET: u16 = 1;

/// A DUID-EN under ISC's enterprise number with identifier `xdhcp`.
pub fn default_duid() -> Vec<u8> {
    let mut d = DUID_EN.to_be_bytes().to_vec();
    d.extend_from_slice(&ISC_ENTERPRISE.to_be_bytes());
    d.extend_from_slice(b"xdhcp");
    d
}

/// A DUID-LL (RFC 8415 §11.4) from an Ethernet MAC address.
pub fn duid_ll(mac: [u8; 6]) -> Vec<u8> {
    let mut d = DUID_LL.to_be_bytes().to_vec();
    d.extend_from_slice(&HTYPE_ETHERNET.to_be_bytes());
    d.extend_from_slice(&mac);
    d
}

/// The engine's configuration for a DHCPv6 plan, with [`default_duid`].
pub fn snapshot(plan: &Plan) -> Config6 {
    snapshot_with_duid(plan, default_duid())
}

/// The engine's configuration for a DHCPv6 plan, identifying the server
/// with `server_duid`.
pub fn snapshot_with_duid(plan: &Plan, server_duid: Vec<u8>) -> Config6 {
    let mut networks: Vec<&str> = Vec::new();
    let mut shared_networks: Vec<Vec<usize>> = Vec::new();
    let subnets = plan
        .subnets
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let network = s.shared_network.as_deref().map(|name| {
                let n = networks.iter().position(|x| *x == name).unwrap_or_else(|| {
                    networks.push(name);
                    shared_networks.push(Vec::new());
                    networks.len() - 1
                });
                shared_networks[n].push(i);
                n
            });
            subnet(s, network, &plan.global_options)
        })
        .collect();
    Config6 {
        server_duid,
        subnets,
        shared_networks,
        decline_probation: plan.decline_probation_period,
        global_reservations: reservations(&plan.global_hosts),
    }
}

fn subnet(s: &SubnetPlan, shared_network: Option<usize>, global: &[OptionOut]) -> Subnet6 {
    let p = &s.params;
    let lifetime = |l: &super::Lifetime| Lifetime {
        default: l.default,
        min: l.min,
        max: l.max,
    };
    Subnet6 {
        id: s.id,
        prefix: Ipv6Addr::from(s.network),
        prefix_len: s.prefix_len,
        pools: s
            .pools
            .iter()
            .map(|pool| {
                let range = Pool::v6(pool.first.into(), pool.last.into(), s.id);
                Arc::new(Allocator::new(range, AllocatorKind::Iterative))
            })
            .collect(),
        pd_pools: s
            .pd_pools
            .iter()
            .map(|pd| {
                let pool = Pool::pd(pd.prefix.into(), pd.prefix_len, pd.delegated_len, s.id);
                PdPool6 {
                    alloc: Arc::new(Allocator::new(pool, AllocatorKind::Iterative)),
                    delegated_len: pd.delegated_len,
                    excluded: pd.excluded.map(|(a, len)| (a.into(), len)),
                }
            })
            .collect(),
        interface: s.interface.clone(),
        interface_id: s.interface_id.as_ref().map(|id| id.as_bytes().to_vec()),
        relay: s
            .relay
            .iter()
            .filter_map(|a| match a {
                IpAddr::V6(a) => Some(*a),
                IpAddr::V4(_) => None,
            })
            .collect(),
        shared_network,
        preferred: lifetime(&p.preferred),
        valid: lifetime(&p.valid),
        renew_timer: p.t1,
        rebind_timer: p.t2,
        rapid_commit: p.rapid_commit,
        // Lowest precedence first: global, then the plan's subnet list,
        // which holds the subnet's own options before its shared network's.
        options: options(global.iter().chain(s.options.iter().rev())),
        reservations: reservations(&s.hosts),
    }
}

/// Top-level DHCPv6 options, later entries overriding earlier ones with the
/// same code. Sub-option spaces are carried inside their parent option.
fn options<'a>(entries: impl Iterator<Item = &'a OptionOut>) -> OptionSet {
    let list: Vec<ConfiguredOption> = entries
        .filter(|o| o.space == DHCP6_SPACE && !o.never_send)
        .map(|o| ConfiguredOption {
            code: o.code,
            data: o.payload.clone(),
            always_send: o.always_send,
        })
        .collect();
    OptionSet::new(list)
}

fn reservations(hosts: &[Host]) -> Reservations6 {
    let mut out = Reservations6::default();
    for h in hosts {
        let id = match h.id_type.as_str() {
            "duid" => HostId6::Duid(&h.id),
            "hw-address" => HostId6::HwAddress(&h.id),
            // flex-id is matched once classification lands.
            _ => continue,
        };
        let addresses = h
            .addresses
            .iter()
            .filter_map(|a| match a {
                IpAddr::V6(a) => Some(*a),
                IpAddr::V4(_) => None,
            })
            .collect();
        let prefixes = h
            .prefixes
            .iter()
            .map(|&(p, len)| (Ipv6Addr::from(p), len))
            .collect();
        out.insert(
            id,
            Reservation6 {
                addresses,
                prefixes,
                hostname: h.hostname.clone(),
                options: options(h.options.iter()),
            },
        );
    }
    out
}
