//! The DHCPv6 engine's [`Config6`] from a [`Plan`] and the server's DUID
//! (made and kept by the control plane).

use std::net::{IpAddr, Ipv6Addr};
use std::sync::Arc;

use crate::alloc::{Allocator, LastPools, Pool};
use crate::classify::Classes;
use crate::config::plan::{Host, Plan, SubnetPlan};
use crate::config::v6::{HostId, Reservations6};
use crate::config::{Config6, PdPool6, Reservation6, Subnet6};
use crate::options::DHCP6_SPACE;

use super::{
    class_guard, class_indexes, class_table, host_ids, option_set, pool_classes,
    shared_network_indexes, subnet_options,
};

/// The engine's configuration for a DHCPv6 plan, identifying the server
/// with `server_duid`.
pub fn config6(plan: &Plan, server_duid: Vec<u8>) -> Config6 {
    let (network_of, shared_networks) = shared_network_indexes(plan);
    let mut classes = class_table(plan, DHCP6_SPACE).for_v6();
    let subnets = plan
        .subnets
        .iter()
        .zip(network_of)
        .map(|(s, network)| subnet(s, network, &mut classes))
        .collect();
    Config6 {
        server_duid,
        subnets,
        shared_networks,
        decline_probation: plan.decline_probation_period,
        global_reservations: reservations(&plan.global_hosts, &mut classes),
        global_options: option_set(plan.global_options.iter(), DHCP6_SPACE),
        classes,
        mac_sources: plan.mac_sources.clone(),
        host_ids: host_ids(plan),
        flex_id: plan.flex_id.clone(),
    }
}

fn subnet(s: &SubnetPlan, shared_network: Option<usize>, classes: &mut Classes) -> Subnet6 {
    let p = &s.params;
    let mut out = Subnet6 {
        id: s.id,
        prefix: Ipv6Addr::from(s.network),
        prefix_len: s.prefix_len,
        pools: s
            .pools
            .iter()
            .map(|pool| {
                let range = Pool::v6(pool.first.into(), pool.last.into(), s.id);
                Arc::new(Allocator::new(range, p.allocator))
            })
            .collect(),
        pool_classes: s
            .pools
            .iter()
            .map(|p| pool_classes(&p.guard, &p.required, &p.options, DHCP6_SPACE, classes))
            .collect(),
        pool_ids: s.pools.iter().map(|pool| pool.id).collect(),
        pd_pools: s
            .pd_pools
            .iter()
            .map(|pd| {
                let pool = Pool::pd(pd.prefix.into(), pd.prefix_len, pd.delegated_len, s.id);
                PdPool6 {
                    alloc: Arc::new(Allocator::new(pool, p.pd_allocator)),
                    id: pd.id,
                    delegated_len: pd.delegated_len,
                    excluded: pd.excluded.map(|(a, len)| (a.into(), len)),
                    classes: pool_classes(
                        &pd.guard,
                        &pd.required,
                        &pd.options,
                        DHCP6_SPACE,
                        classes,
                    ),
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
        preferred: p.preferred,
        valid: p.valid,
        renew_timer: p.t1,
        rebind_timer: p.t2,
        rapid_commit: p.rapid_commit,
        options: subnet_options(s, DHCP6_SPACE),
        host_scope: p.hosts,
        names: p.names.rules(),
        reservations: reservations(&s.hosts, classes),
        guard: class_guard(&s.guard, classes),
        required: class_indexes(&s.required, classes),
        last_pool: Default::default(),
    };
    let addresses = out.pools.iter().map(|a| a.pool());
    let prefixes = out.pd_pools.iter().map(|p| p.alloc.pool());
    let last = out.last_address().into();
    out.last_pool = Arc::new(LastPools::new(addresses, prefixes, last));
    out
}

fn reservations(hosts: &[Host], classes: &mut Classes) -> Reservations6 {
    let mut out = Reservations6::default();
    for h in hosts {
        let id = HostId::new(h.id_type, &h.id);
        let addresses = h
            .addresses
            .iter()
            .filter_map(|a| match a {
                IpAddr::V6(a) => Some(*a),
                IpAddr::V4(_) => None,
            })
            .collect();
        let prefixes = h
            .more()
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
                options: option_set(h.more().options.iter(), DHCP6_SPACE),
                classes: class_indexes(&h.more().classes, classes),
            },
        );
    }
    out
}
