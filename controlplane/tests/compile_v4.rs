//! A Kea `Dhcp4` section compiled into the engine's configuration: option
//! precedence, shared networks, inherited parameters and reservations.

use std::net::Ipv4Addr;

use xdhcp_controlplane::compile::{compile, v4::snapshot};
use xdhcp_dataplane::config::v4::HostId;

const CONFIG: &str = r#"{ "Dhcp4": {
  "valid-lifetime": 3000, "min-valid-lifetime": 1000, "max-valid-lifetime": 5000,
  "renew-timer": 900, "rebind-timer": 1800, "authoritative": true,
  "option-data": [ { "name": "domain-name-servers", "data": "192.0.2.53" },
                   { "name": "domain-name", "data": "global.example" },
                   { "name": "ntp-servers", "data": "192.0.2.123" } ],
  "shared-networks": [ {
    "name": "office", "match-client-id": false,
    "option-data": [ { "name": "domain-name", "data": "office.example" },
                     { "name": "routers", "data": "198.51.100.1" } ],
    "subnet4": [
      { "id": 10, "subnet": "198.51.100.0/24", "pools": [ { "pool": "198.51.100.10 - 198.51.100.20" } ],
        "option-data": [ { "name": "routers", "data": "198.51.100.254" } ] },
      { "id": 11, "subnet": "203.0.113.0/24", "pools": [ { "pool": "203.0.113.10 - 203.0.113.20" } ],
        "relay": { "ip-addresses": [ "192.0.2.254" ] } } ] } ],
  "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "valid-lifetime": 1200,
    "next-server": "192.0.2.69", "boot-file-name": "/pxelinux.0",
    "pools": [ { "pool": "192.0.2.100 - 192.0.2.199" } ],
    "reservations": [ { "hw-address": "1a:1b:1c:1d:1e:1f", "ip-address": "192.0.2.201",
                        "option-data": [ { "name": "domain-name", "data": "host.example" } ] } ] } ]
} }"#;

#[test]
fn scopes_options_and_reservations_reach_the_engine() {
    let cfg = xdhcp_controlplane::load_str("compile.json", CONFIG).unwrap();
    let c = snapshot(&compile(&cfg).dhcp4.unwrap());
    let by_id = |id| c.subnets.iter().find(|s| s.id == id).unwrap();
    let text = |s: &xdhcp_dataplane::config::Subnet4, code| {
        s.options
            .get(code)
            .map(|o| String::from_utf8_lossy(&o.data).into_owned())
    };

    let a = by_id(10);
    assert_eq!(
        a.options.get(3).unwrap().data,
        [198, 51, 100, 254],
        "subnet over shared network"
    );
    assert_eq!(
        text(a, 15).as_deref(),
        Some("office.example"),
        "shared network over global"
    );
    assert_eq!(
        c.global_options.get(6).unwrap().data,
        [192, 0, 2, 53],
        "global options kept below the classes'"
    );
    assert!(a.options.get(6).is_none());
    assert!(!a.match_client_id, "shared network parameter inherited");
    assert!(a.authoritative);
    assert_eq!(
        (a.valid.default, a.valid.min, a.valid.max),
        (3000, 1000, 5000)
    );
    assert_eq!((a.renew_timer, a.rebind_timer), (Some(900), Some(1800)));
    let b = by_id(11);
    assert_eq!(b.options.get(3).unwrap().data, [198, 51, 100, 1]);
    assert_eq!(b.relay, [Ipv4Addr::new(192, 0, 2, 254)]);
    let net = a.shared_network.unwrap();
    assert_eq!(Some(net), b.shared_network);
    assert_eq!(c.shared_networks[net].len(), 2);

    let p = by_id(1);
    assert_eq!(p.shared_network, None);
    assert_eq!(p.valid.default, 1200);
    assert_eq!(p.next_server, Some(Ipv4Addr::new(192, 0, 2, 69)));
    assert_eq!(p.boot_file_name.as_deref(), Some("/pxelinux.0"));
    assert_eq!(text(p, 15), None, "global options stay global");
    assert_eq!(c.global_options.get(15).unwrap().data, b"global.example");
    assert!(p.in_pool(Ipv4Addr::new(192, 0, 2, 150)) && !p.in_pool(Ipv4Addr::new(192, 0, 2, 201)));
    let host = p
        .reservations
        .find(HostId::HwAddress(&[0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f]))
        .unwrap();
    assert_eq!(host.address, Some(Ipv4Addr::new(192, 0, 2, 201)));
    assert_eq!(host.options.get(15).unwrap().data, b"host.example");
    assert!(p.reservations.reserves(Ipv4Addr::new(192, 0, 2, 201)));
}
