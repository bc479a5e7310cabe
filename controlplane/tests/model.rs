//! The typed model: defaults, inheritance, id assignment, encoded options.

use std::net::Ipv4Addr;

use xdhcp_controlplane::config::hooks::Hook;
use xdhcp_controlplane::config::interfaces::SocketType;
use xdhcp_controlplane::load_str;

const BOTH: &str = r#"{
  "Dhcp4": {
    "valid-lifetime": 4000,
    "renew-timer": 1000,
    "next-server": "192.0.2.1",
    "interfaces-config": { "interfaces": ["eth0"], "dhcp-socket-type": "xdp" },
    "option-def": [ { "name": "foo", "code": 222, "type": "uint16", "array": true } ],
    "option-data": [ { "name": "foo", "data": "1, 2" } ],
    "hooks-libraries": [ { "library": "/usr/lib/kea/hooks/libdhcp_lease_cmds.so" } ],
    "shared-networks": [ {
      "name": "office",
      "valid-lifetime": 3000,
      "authoritative": true,
      "subnet4": [
        { "subnet": "10.0.0.0/24", "renew-timer": 500 },
        { "subnet": "10.0.1.0/24", "reservation-mode": "out-of-pool" }
      ]
    } ],
    "subnet4": [ { "subnet": "192.0.2.0/24", "calculate-tee-times": true,
                   "pools": [ { "pool": "192.0.2.10 - 192.0.2.20" } ] } ]
  },
  "Dhcp6": {
    "preferred-lifetime": 3000,
    "subnet6": [ { "id": 7, "subnet": "2001:db8::/64",
      "pd-pools": [ { "prefix": "3000::", "prefix-len": 48, "delegated-len": 64 } ] } ]
  },
  "DhcpDdns": { "ip-address": "127.0.0.1" },
  "Control-agent": { "http-port": 8000 }
}"#;

#[test]
fn file_with_both_servers_and_agents() {
    let cfg = load_str("both.json", BOTH).unwrap();
    let v4 = cfg.dhcp4.as_ref().unwrap();
    let v6 = cfg.dhcp6.as_ref().unwrap();
    assert!(cfg.dhcp_ddns.is_some() && cfg.control_agent.is_some());
    assert_eq!(v4.interfaces.socket_type, SocketType::Xdp);
    assert_eq!(v6.interfaces.socket_type, SocketType::Udp);
    assert_eq!(v4.hooks[0].hook, Hook::LeaseCmds);
    // Defaults.
    assert!(v4.echo_client_id);
    assert_eq!(v4.decline_probation_period, 86400);
    assert_eq!(v4.lease_database.kind, "memfile");
    assert_eq!(v4.expired_leases.max_reclaim_leases, 100);
    assert_eq!(
        v6.host_reservation_identifiers,
        vec!["hw-address".to_string(), "duid".to_string()]
    );
    // Custom option encoded through the dataplane's option table.
    assert_eq!(v4.option_data[0].code, 222);
    assert_eq!(v4.option_data[0].payload, vec![0, 1, 0, 2]);
}

#[test]
fn inheritance_global_network_subnet() {
    let cfg = load_str("both.json", BOTH).unwrap();
    let v4 = cfg.dhcp4.unwrap();
    // Plain subnets come first, then shared-network ones; ids count from 1.
    let plain = &v4.subnets[0];
    assert_eq!(plain.id, 1);
    assert_eq!(plain.effective.valid.get(7200), 4000);
    let first = &v4.subnets[1];
    assert_eq!(first.id, 2);
    assert_eq!(first.shared_network.as_deref(), Some("office"));
    assert_eq!(first.effective.valid.get(7200), 3000);
    assert_eq!(first.effective.renew_timer, Some(500));
    assert_eq!(first.effective.authoritative, Some(true));
    assert_eq!(
        first.effective.next_server,
        Some(Ipv4Addr::new(192, 0, 2, 1))
    );
    let second = &v4.subnets[2];
    assert_eq!(second.effective.renew_timer, Some(1000));
    assert_eq!(second.effective.reservations.out_of_pool, Some(true));
    assert_eq!(second.effective.reservations.global, Some(false));
    let v6 = cfg.dhcp6.unwrap();
    assert_eq!(v6.subnets[0].id, 7);
    assert_eq!(v6.subnets[0].pd_pools[0].delegated_len, 64);
}

#[test]
fn agents_are_shape_checked() {
    let e = load_str("a.json", "{ \"Dhcp4\": {}, \"DhcpDdns\": [] }").unwrap_err();
    assert_eq!(
        e[0].to_string(),
        "a.json:1:28: DhcpDdns: expected a map, got a list"
    );
    let e = load_str("a.json", "{ \"Logging\": { \"loggers\": [] } }").unwrap_err();
    assert!(
        e[0].to_string().contains("neither Dhcp4 nor Dhcp6"),
        "{}",
        e[0]
    );
    let e = load_str("a.json", "{ \"Dhcp5\": {} }").unwrap_err();
    assert!(e[0].to_string().contains("unexpected keyword \"Dhcp5\""));
}

#[test]
fn all_errors_are_reported_not_just_the_first() {
    let text = r#"{ "Dhcp4": { "foo": 1, "bar": 2,
        "subnet4": [ { "subnet": "10.0.0.0/24", "pools": [ { "pool": "10.1.0.1-10.1.0.2" } ] } ] } }"#;
    let e = load_str("m.json", text).unwrap_err();
    assert_eq!(e.len(), 3, "{e:?}");
}

#[test]
fn compiled_plan_has_concrete_values() {
    use xdhcp_controlplane::compile::compile;
    let cfg = load_str("both.json", BOTH).unwrap();
    let plan = compile(&cfg);
    let v4 = plan.dhcp4.unwrap();
    assert_eq!(
        v4.subnets.iter().map(|s| s.id).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    let plain = &v4.subnets[0];
    // An explicit renew-timer wins over calculate-tee-times; T2 is 87.5 %.
    assert_eq!((plain.params.t1, plain.params.t2), (Some(1000), Some(3500)));
    assert_eq!(plain.params.valid.grant_hint(0), 4000);
    assert_eq!(
        plain.params.valid.grant_hint(99),
        4000,
        "no bounds: always the default"
    );
    assert_eq!(
        plain.pools[0].first,
        u128::from(u32::from(Ipv4Addr::new(192, 0, 2, 10)))
    );
    assert!(v4.subnets[1].params.authoritative);
    assert_eq!(
        v4.subnets[1].params.next_server,
        Ipv4Addr::new(192, 0, 2, 1)
    );
    assert!(v4.subnets[2].params.hosts.out_of_pool);
    assert_eq!(v4.global_options[0].payload, vec![0, 1, 0, 2]);
    let v6 = plan.dhcp6.unwrap();
    let s = &v6.subnets[0];
    // v6 computes T1/T2 from the preferred lifetime (50 % / 80 %).
    assert_eq!((s.params.t1, s.params.t2), (Some(1500), Some(2400)));
    assert_eq!(s.pd_pools[0].delegated_len, 64);
}

#[test]
fn preferred_lifetime_defaults_to_five_eighths_of_valid() {
    use xdhcp_controlplane::compile::compile;
    let cfg = load_str(
        "p.json",
        r#"{ "Dhcp6": { "valid-lifetime": 8000,
              "subnet6": [ { "id": 1, "subnet": "2001:db8::/64" },
                           { "id": 2, "subnet": "2001:db8:1::/64", "preferred-lifetime": 9000 },
                           { "id": 3, "subnet": "2001:db8:2::/64", "preferred-lifetime": 3000,
                             "min-preferred-lifetime": 2000, "max-preferred-lifetime": 4000 } ] } }"#,
    )
    .unwrap();
    let v6 = compile(&cfg).dhcp6.unwrap();
    assert_eq!(v6.subnets[0].params.preferred.default, 5000);
    assert_eq!(
        v6.subnets[1].params.preferred.default, 5000,
        "above valid: 0.625 × valid"
    );
    let p = v6.subnets[2].params.preferred;
    assert_eq!((p.min, p.default, p.max), (2000, 3000, 4000));
    assert_eq!(p.grant_hint(10_000), 4000);
    assert_eq!(p.grant_hint(1), 2000);
}

#[test]
fn subnet_options_override_shared_network_options() {
    use xdhcp_controlplane::compile::compile;
    let cfg = load_str(
        "o.json",
        r#"{ "Dhcp4": { "shared-networks": [ { "name": "n",
              "option-data": [ { "name": "domain-name", "data": "net.example" },
                               { "name": "routers", "data": "10.0.0.1" } ],
              "subnet4": [ { "id": 1, "subnet": "10.0.0.0/24",
                             "option-data": [ { "name": "domain-name", "data": "sub.example" } ] } ] } ] } }"#,
    )
    .unwrap();
    let v4 = compile(&cfg).dhcp4.unwrap();
    let opts = &v4.subnets[0].options;
    assert_eq!(opts.len(), 2);
    let domain = opts.iter().find(|o| o.code == 15).unwrap();
    assert_eq!(domain.payload, b"sub.example".to_vec());
}

#[test]
fn identifiers_in_every_accepted_spelling() {
    use xdhcp_controlplane::config::reservations::parse_identifier as id;
    let ok = |kind, text| id(kind, text).unwrap();
    assert_eq!(
        ok("hw-address", "02:00:0f:42:3F:01"),
        [2, 0, 0x0f, 0x42, 0x3f, 1]
    );
    assert_eq!(ok("hw-address", " 2-0-ab "), [2, 0, 0xab]);
    assert_eq!(ok("duid", "01 02 03"), [1, 2, 3]);
    assert_eq!(ok("duid", "0x0102abc"), [1, 2, 0xab, 0xc]);
    assert_eq!(ok("client-id", "+a:1"), [10, 1]);
    assert_eq!(ok("flex-id", "'ab c'"), b"ab c");
    let bad = |kind, text| id(kind, text).unwrap_err();
    assert_eq!(bad("hw-address", "'ab'"), "invalid hw-address ''ab''");
    assert_eq!(bad("duid", "1::2"), "invalid duid '1::2'");
    assert_eq!(bad("duid", "123:4"), "invalid duid '123:4'");
    assert_eq!(bad("duid", "+:4"), "invalid duid '+:4'");
    assert_eq!(bad("duid", "0é"), "invalid duid '0é'");
    assert_eq!(bad("duid", "é:01"), "invalid duid 'é:01'");
    assert_eq!(bad("duid", "0x"), "empty duid");
    assert_eq!(bad("flex-id", "''"), "empty flex-id");
}
