//! The DHCPv4 engine's [`Config4`] from a [`Plan`].

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use crate::alloc::{Allocator, LastPools, Pool};
use crate::classify::Classes;
use crate::config::plan::{Host, Plan, SubnetPlan};
use crate::config::v4::{HostId, Reservations4};
use crate::config::{Config4, Reservation4, Subnet4};
use crate::options::DHCP4_SPACE;

use super::{
    class_guard, class_indexes, class_table, host_ids, option_set, pool_classes,
    shared_network_indexes, subnet_options,
};

/// The engine's configuration for a DHCPv4 plan.
pub fn config4(plan: &Plan) -> Config4 {
    let (network_of, shared_networks) = shared_network_indexes(plan);
    let mut classes = class_table(plan, DHCP4_SPACE);
    let subnets = plan
        .subnets
        .iter()
        .zip(network_of)
        .map(|(s, network)| subnet(s, network, &mut classes))
        .collect();
    Config4 {
        subnets,
        shared_networks,
        echo_client_id: plan.echo_client_id,
        decline_probation: plan.decline_probation_period,
        global_reservations: reservations(&plan.global_hosts, &mut classes),
        global_options: option_set(plan.global_options.iter(), DHCP4_SPACE),
        classes,
        host_ids: host_ids(plan),
        flex_id: plan.flex_id.clone(),
        bootp: plan.bootp,
    }
}

fn v4(a: u128) -> Ipv4Addr {
    Ipv4Addr::from(a as u32)
}

fn subnet(s: &SubnetPlan, shared_network: Option<usize>, classes: &mut Classes) -> Subnet4 {
    let p = &s.params;
    let pool_classes = s
        .pools
        .iter()
        .map(|pool| {
            pool_classes(
                &pool.guard,
                &pool.required,
                &pool.options,
                DHCP4_SPACE,
                classes,
            )
        })
        .collect();
    let mut out = Subnet4 {
        pool_classes,
        pool_ids: s.pools.iter().map(|pool| pool.id).collect(),
        guard: class_guard(&s.guard, classes),
        required: class_indexes(&s.required, classes),
        id: s.id,
        network: v4(s.network),
        prefix_len: s.prefix_len,
        pools: s
            .pools
            .iter()
            .map(|pool| {
                let range = Pool::v4(v4(pool.first), v4(pool.last), s.id);
                Arc::new(Allocator::new(range, p.allocator))
            })
            .collect(),
        relay: s
            .relay
            .iter()
            .filter_map(|a| match a {
                IpAddr::V4(a) => Some(*a),
                IpAddr::V6(_) => None,
            })
            .collect(),
        interface: s.interface.clone(),
        shared_network,
        valid: p.valid,
        renew_timer: p.t1,
        rebind_timer: p.t2,
        calculate_tee_times: None,
        match_client_id: p.match_client_id,
        authoritative: p.authoritative,
        next_server: Some(p.next_server).filter(|a| !a.is_unspecified()),
        server_hostname: Some(p.server_hostname.clone()).filter(|n| !n.is_empty()),
        boot_file_name: Some(p.boot_file_name.clone()).filter(|n| !n.is_empty()),
        options: subnet_options(s, DHCP4_SPACE),
        host_scope: p.hosts,
        names: p.names.rules(),
        reservations: reservations(&s.hosts, classes),
        last_pool: Default::default(),
    };
    let addresses = out.pools.iter().map(|a| a.pool());
    let last = u32::from(out.last_address()).into();
    out.last_pool = Arc::new(LastPools::new(addresses, std::iter::empty(), last));
    out
}

fn reservations(hosts: &[Host], classes: &mut Classes) -> Reservations4 {
    let mut out = Reservations4::default();
    for h in hosts {
        let id = HostId::new(h.id_type, &h.id);
        let more = h.more();
        let address = h.addresses.iter().find_map(|a| match a {
            IpAddr::V4(a) if !a.is_unspecified() => Some(*a),
            _ => None,
        });
        out.insert(
            id,
            Reservation4 {
                address,
                hostname: h.hostname.clone(),
                next_server: more.next_server,
                server_hostname: more.server_hostname.clone(),
                boot_file_name: more.boot_file_name.clone(),
                options: option_set(more.options.iter(), DHCP4_SPACE),
                classes: class_indexes(&more.classes, classes),
            },
        );
    }
    out
}
