//! A DHCPv6 configuration compiled into the engine's form: subnets,
//! pools, parameters, reservations and the server DUID arrive as written.

use std::net::Ipv6Addr;

use xdhcp_controlplane::compile::{compile, default_duid};
use xdhcp_controlplane::load_str;
use xdhcp_dataplane::config::build::config6;
use xdhcp_dataplane::config::v6::HostId;
use xdhcp_dataplane::config::Config6;
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
    let cfg = load_str("compile6.json", CONFIG).unwrap();
    compile(&cfg).config6().unwrap()
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
    let plan = compile(&load_str("c.json", CONFIG).unwrap()).dhcp6.unwrap();
    let c = config6(&plan, vec![0, 3, 0, 1, 2, 0, 0, 0, 0, 1]);
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
