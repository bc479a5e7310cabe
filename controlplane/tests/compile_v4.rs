//! A Kea `Dhcp4` section compiled into the engine's configuration: option
//! precedence, shared networks, inherited parameters and reservations.

use std::net::Ipv4Addr;

use xdhcp_controlplane::compile::compile;
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
    let c = compile(&cfg).config4().unwrap();
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

const HOOKS: &str = r#"{ "Dhcp4": {
  "host-reservation-identifiers": [ "flex-id", "duid", "hw-address" ],
  "hooks-libraries": [
    { "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_bootp.so" },
    { "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_flex_id.so",
      "parameters": { "identifier-expression": "substring(relay4[2].hex,0,4)",
                      "replace-client-id": true } } ],
  "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24",
    "reservations": [ { "duid": "00:03:00:01:02:00:00:00:00:07", "ip-address": "192.0.2.7" },
                      { "flex-id": "'cpe1'", "ip-address": "192.0.2.8" } ] } ]
} }"#;

#[test]
fn hooks_identifier_order_and_every_identifier_type_reach_the_engine() {
    use xdhcp_dataplane::config::v4::HostIdKind;
    let cfg = xdhcp_controlplane::load_str("hooks.json", HOOKS).unwrap();
    let c = compile(&cfg).config4().unwrap();
    assert!(c.bootp);
    let flex = c.flex_id.as_ref().expect("flex_id compiled");
    assert!(flex.replace_client_id);
    assert_eq!(
        c.host_ids.0,
        [HostIdKind::FlexId, HostIdKind::Duid, HostIdKind::HwAddress]
    );
    let r = &c.subnets[0].reservations;
    let duid = r
        .find(HostId::Duid(&[0, 3, 0, 1, 2, 0, 0, 0, 0, 7]))
        .unwrap();
    assert_eq!(duid.address, Some(Ipv4Addr::new(192, 0, 2, 7)));
    let flex_host = r.find(HostId::FlexId(b"cpe1")).unwrap();
    assert_eq!(flex_host.address, Some(Ipv4Addr::new(192, 0, 2, 8)));

    let plain = xdhcp_controlplane::load_str("plain.json", CONFIG).unwrap();
    let p = compile(&plain).config4().unwrap();
    assert!(!p.bootp && p.flex_id.is_none());
    assert_eq!(
        p.host_ids.0,
        [
            HostIdKind::HwAddress,
            HostIdKind::Duid,
            HostIdKind::CircuitId,
            HostIdKind::ClientId
        ],
        "Kea 2.2's default order"
    );
}

#[test]
fn a_bad_flex_id_expression_is_reported_where_it_goes_wrong() {
    let text = r#"{ "Dhcp4": { "hooks-libraries": [ { "library": "libdhcp_flex_id.so",
  "parameters": { "identifier-expression": "option[60].hex == 'x'" } } ] } }"#;
    let e = xdhcp_controlplane::load_str("f.json", text).unwrap_err();
    assert_eq!(
        e[0].to_string(),
        "f.json:2:60: Dhcp4.hooks-libraries[0].parameters.identifier-expression: \
         at column 16: expected '+' or the end of the expression, found '=='"
    );
    let missing = r#"{ "Dhcp4": { "hooks-libraries": [ { "library": "libdhcp_flex_id.so" } ] } }"#;
    let e = xdhcp_controlplane::load_str("m.json", missing).unwrap_err();
    assert!(
        e[0].to_string()
            .contains("the flex_id hook needs 'identifier-expression'"),
        "{}",
        e[0]
    );
}

/// `allocator` (and, in DHCPv6, `pd-allocator`) picks each pool's
/// allocator, inherited global → shared network → subnet as Kea's newer
/// manuals describe; a value Kea does not know is a located error.
#[test]
fn allocator_keys_choose_each_pools_allocator() {
    use xdhcp_dataplane::alloc::AllocatorKind;

    let v4 = r#"{ "Dhcp4": { "allocator": "random",
  "shared-networks": [ { "name": "n", "allocator": "flq", "subnet4": [
    { "id": 1, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.10 - 192.0.2.20" } ] },
    { "id": 2, "subnet": "198.51.100.0/24", "allocator": "iterative",
      "pools": [ { "pool": "198.51.100.10 - 198.51.100.20" } ] } ] } ],
  "subnet4": [ { "id": 3, "subnet": "203.0.113.0/24",
                 "pools": [ { "pool": "203.0.113.10 - 203.0.113.20" } ] } ] } }"#;
    let cfg = xdhcp_controlplane::load_str("alloc.json", v4).unwrap();
    let c = compile(&cfg).config4().unwrap();
    let kind = |id| c.subnets.iter().find(|s| s.id == id).unwrap().pools[0].kind();
    assert_eq!(
        kind(1),
        AllocatorKind::FreeLeaseQueue,
        "shared network over global"
    );
    assert_eq!(
        kind(2),
        AllocatorKind::Iterative,
        "subnet over shared network"
    );
    assert_eq!(kind(3), AllocatorKind::Random, "global");

    let v6 = r#"{ "Dhcp6": { "pd-allocator": "random", "subnet6": [ { "id": 1,
  "subnet": "2001:db8:1::/64", "allocator": "flq",
  "pools": [ { "pool": "2001:db8:1::10 - 2001:db8:1::ff" } ],
  "pd-pools": [ { "prefix": "2001:db8:8000::", "prefix-len": 48, "delegated-len": 56 } ] } ] } }"#;
    let cfg = xdhcp_controlplane::load_str("alloc6.json", v6).unwrap();
    let c = compile(&cfg).config6().unwrap();
    assert_eq!(c.subnets[0].pools[0].kind(), AllocatorKind::FreeLeaseQueue);
    assert_eq!(c.subnets[0].pd_pools[0].alloc.kind(), AllocatorKind::Random);

    let bad = r#"{ "Dhcp4": { "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24",
  "allocator": "shuffled" } ] } }"#;
    let errors = xdhcp_controlplane::load_str("bad.json", bad).unwrap_err();
    let text = errors[0].to_string();
    assert!(
        text.starts_with("bad.json:2:16: Dhcp4.subnet4[0].allocator"),
        "{text}"
    );
}
