//! Compile, second half for DHCPv6: a [`Plan`] into the engine's
//! [`Config6`]: address and pd-pools become allocators, options are keyed by
//! code, reservations are indexed by DUID, hardware address and flex-id.
//!
//! The server DUID is made and kept by [`crate::server_duid`] and given to
//! [`snapshot_with_duid`]; [`snapshot`] uses a fixed DUID-EN
//! ([`default_duid`]) for callers without a data directory (tests, tools).

use std::net::{IpAddr, Ipv6Addr};
use std::sync::Arc;

use xdhcp_dataplane::alloc::{Allocator, LastPools, Pool};
use xdhcp_dataplane::config::v6::{HostId, HostIdKind, Reservations6};
use xdhcp_dataplane::config::{Config6, PdPool6, Reservation6, Subnet6};
use xdhcp_dataplane::options::DHCP6_SPACE;

use xdhcp_dataplane::classify::Classes;

use crate::server_duid;

use super::{
    class_guard, class_indexes, class_table, option_set, pool_classes, shared_network_indexes,
    subnet_options, Host, Plan, SubnetPlan,
};

/// A DUID-EN under ISC's enterprise number with identifier `xdhcp`.
pub fn default_duid() -> Vec<u8> {
    server_duid::duid_en(server_duid::ISC_ENTERPRISE, b"xdhcp")
}

/// The engine's configuration for a DHCPv6 plan, with [`default_duid`].
pub fn snapshot(plan: &Plan) -> Config6 {
    snapshot_with_duid(plan, default_duid())
}

/// The engine's configuration for a DHCPv6 plan, identifying the server
/// with `server_duid`.
pub fn snapshot_with_duid(plan: &Plan, server_duid: Vec<u8>) -> Config6 {
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
        host_ids: super::host_ids(plan),
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
        pd_pools: s
            .pd_pools
            .iter()
            .map(|pd| {
                let pool = Pool::pd(pd.prefix.into(), pd.prefix_len, pd.delegated_len, s.id);
                PdPool6 {
                    alloc: Arc::new(Allocator::new(pool, p.pd_allocator)),
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
        host_scope: p.host_scope(),
        names: p.name_rules(),
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
        let Some(kind) = HostIdKind::from_name(h.id_type) else {
            continue;
        };
        let id = HostId::new(kind, &h.id);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::compile;
    use xdhcp_dataplane::engine::v6::{Engine6, Outcome, Request6};
    use xdhcp_dataplane::lease::{LeaseStore, StoreConfig};
    use xdhcp_dataplane::wire::v6::{Message6Writer, MessageType, Packet6};

    const CONFIG: &str = r#"{ "Dhcp6": {
      "preferred-lifetime": 3000, "valid-lifetime": 4000,
      "min-valid-lifetime": 2000, "max-valid-lifetime": 6000,
      "renew-timer": 1000, "rebind-timer": 2000,
      "option-data": [ { "name": "dns-servers", "data": "2001:db8::53" } ],
      "shared-networks": [ { "name": "floor", "rapid-commit": true,
        "subnet6": [ { "id": 2, "subnet": "2001:db8:2::/64", "interface-id": "port-7",
                       "pools": [ { "pool": "2001:db8:2::100 - 2001:db8:2::1ff" } ] },
                     { "id": 3, "subnet": "2001:db8:3::/64",
                       "relay": { "ip-addresses": [ "2001:db8:ff::1" ] },
                       "pools": [ { "pool": "2001:db8:3::/120" } ] } ] } ],
      "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth1",
        "pools": [ { "pool": "2001:db8:1::100 - 2001:db8:1::1ff" } ],
        "pd-pools": [ { "prefix": "2001:db8:8000::", "prefix-len": 40, "delegated-len": 56 } ],
        "option-data": [ { "name": "dns-servers", "data": "2001:db8:1::53" } ],
        "reservations": [ { "duid": "00:03:00:01:02:00:00:00:00:07",
                            "ip-addresses": [ "2001:db8:1::7" ],
                            "prefixes": [ "2001:db8:9900::/48" ] } ] } ]
    } }"#;

    fn config() -> Config6 {
        let cfg = crate::load_str("compile6.json", CONFIG).unwrap();
        snapshot(&compile(&cfg).dhcp6.unwrap())
    }

    #[test]
    fn subnets_pools_and_parameters_reach_the_engine() {
        let c = config();
        assert_eq!(c.server_duid, default_duid());
        let by_id = |id| c.subnets.iter().find(|s| s.id == id).unwrap();
        let s = by_id(1);
        assert_eq!(
            (s.prefix, s.prefix_len),
            ("2001:db8:1::".parse().unwrap(), 64)
        );
        assert_eq!(s.interface.as_deref(), Some("eth1"));
        assert!(s.in_pool("2001:db8:1::1ff".parse().unwrap()));
        let pd = &s.pd_pools[0];
        assert_eq!(pd.delegated_len, 56);
        assert_eq!(pd.alloc.pool().count, 1 << 16);
        assert_eq!((s.preferred.default, s.valid.default), (3000, 4000));
        assert_eq!((s.valid.min, s.valid.max), (2000, 6000));
        assert_eq!((s.renew_timer, s.rebind_timer), (Some(1000), Some(2000)));
        assert!(!s.rapid_commit);
        let own = &s.options.get(23).unwrap().data;
        assert_eq!(
            own.as_slice(),
            "2001:db8:1::53".parse::<Ipv6Addr>().unwrap().octets()
        );
        let host = s
            .reservations
            .find(HostId::Duid(&[0, 3, 0, 1, 2, 0, 0, 0, 0, 7]))
            .unwrap();
        assert_eq!(
            host.addresses,
            ["2001:db8:1::7".parse::<Ipv6Addr>().unwrap()]
        );
        assert_eq!(host.prefixes, [("2001:db8:9900::".parse().unwrap(), 48)]);

        let (a, b) = (by_id(2), by_id(3));
        assert_eq!(a.interface_id.as_deref(), Some(&b"port-7"[..]));
        assert_eq!(b.relay, ["2001:db8:ff::1".parse::<Ipv6Addr>().unwrap()]);
        assert!(a.rapid_commit && b.rapid_commit);
        assert_eq!(a.shared_network, b.shared_network);
        assert!(a.shared_network.is_some());
        assert!(a.options.get(23).is_none(), "global options stay global");
        let global = &c.global_options.get(23).unwrap().data;
        assert_eq!(
            global.as_slice(),
            "2001:db8::53".parse::<Ipv6Addr>().unwrap().octets()
        );
    }

    #[test]
    fn duids() {
        let en = default_duid();
        assert_eq!(&en[..6], &[0, 2, 0, 0, 9, 191]);
        let c = snapshot_with_duid(
            &compile(&crate::load_str("c.json", CONFIG).unwrap())
                .dhcp6
                .unwrap(),
            vec![0, 3, 0, 1, 2, 0, 0, 0, 0, 1],
        );
        assert_eq!(c.server_duid, [0, 3, 0, 1, 2, 0, 0, 0, 0, 1]);
    }

    /// The compiled configuration serves a reserved client on `eth1`.
    #[test]
    fn a_compiled_configuration_answers_a_solicit() {
        let c = config();
        let (leases, _) = LeaseStore::open(StoreConfig::memory(2, 64)).unwrap();
        let engine = Engine6 {
            config: &c,
            leases: &leases,
            events: None,
            stats: None,
        };
        let mut buf = [0u8; 256];
        let mut w = Message6Writer::new(&mut buf);
        w.put_header(MessageType::Solicit, 7).unwrap();
        w.client_id(&[0, 3, 0, 1, 2, 0, 0, 0, 0, 7]).unwrap();
        w.oro(&[23]).unwrap();
        let m = w.begin_ia_na(1, 0, 0).unwrap();
        w.end_option(m).unwrap();
        let n = w.finish().unwrap();
        let packet = Packet6::parse(&buf[..n]).unwrap();
        let req = Request6::multicast(packet, Some("eth1"), "fe80::7".parse().unwrap());
        let mut out = [0u8; 512];
        let Outcome::Reply { len, .. } = engine.handle(&req, &mut out, 1_800_000_000) else {
            panic!("no reply");
        };
        let adv = Packet6::parse(&out[..len]).unwrap().innermost();
        let ia = adv.options().ia_nas().next().unwrap();
        let addr = ia.addresses().next().unwrap();
        assert_eq!(addr.address, "2001:db8:1::7".parse::<Ipv6Addr>().unwrap());
        assert_eq!(adv.server_id().unwrap().as_bytes(), default_duid());
    }
}
