//! The control API without a network: bad requests get Kea's result codes
//! and readable texts, the UNIX socket is owner-only, `shutdown` stops it.

use std::os::unix::fs::PermissionsExt;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use serde_json::{json, Value};
use xdhcp_controlplane::api::{unix, Api};
use xdhcp_controlplane::reload::{self, Running};
use xdhcp_dataplane::lease::{LeaseStore, StoreConfig};

fn quiet(_: &str, _: &str, _: &str) {}

/// An API over `config`, its DHCPv4 leases in memory.
fn api_over(config: Value, stop: &'static AtomicBool) -> Api {
    let model = reload::check(&config).unwrap();
    let (leases, _) = LeaseStore::open(StoreConfig::memory(2, 64)).unwrap();
    let running = Running::new(model, config, None, quiet)
        .serve(Some(leases), None)
        .unwrap();
    Api::new(Arc::new(running), stop)
}

fn api(stop: &'static AtomicBool) -> Api {
    api_over(
        json!({"Dhcp4": {"valid-lifetime": 4000, "subnet4": [
        {"id": 1, "subnet": "192.0.2.0/24", "pools": [{"pool": "192.0.2.10 - 192.0.2.100"}]}]}}),
        stop,
    )
}

#[test]
fn bad_requests_get_kea_result_codes() {
    static STOP: AtomicBool = AtomicBool::new(false);
    let api = api(&STOP);
    let code = |r: &str| -> (i64, String) {
        let v = api.handle(r.as_bytes());
        (
            v["result"].as_i64().unwrap(),
            v["text"].as_str().unwrap_or_default().to_string(),
        )
    };
    assert_eq!(code("{ not json").0, 1);
    assert!(code("{ not json").1.contains("invalid command syntax"));
    assert_eq!(code("[1, 2]").0, 1);
    assert_eq!(code(r#"{"arguments": {}}"#).0, 1);
    assert_eq!(code(r#"{"command": "lease4-get", "arguments": [1]}"#).0, 1);
    assert_eq!(
        code(r#"{"command": "lease4-get"}"#),
        (1, "'identifier-type' parameter not specified".into())
    );
    assert_eq!(
        code(r#"{"command": "lease4-add", "arguments": {"ip-address": 5}}"#).0,
        1
    );
    assert_eq!(
        code(r#"{"command": "frobnicate"}"#),
        (2, "'frobnicate' command not supported.".into())
    );
    let listed = api.handle(br#"{"command": "list-commands"}"#);
    assert!(listed["arguments"]
        .as_array()
        .unwrap()
        .contains(&json!("lease4-get-all")));
    let cfg = api.handle(br#"{"command": "config-get"}"#);
    assert_eq!(cfg["arguments"]["Dhcp4"]["valid-lifetime"], 4000);
}

#[test]
fn lease_commands_round_trip() {
    static STOP: AtomicBool = AtomicBool::new(false);
    let api = api(&STOP);
    let run = |r: Value| api.handle(r.to_string().as_bytes());
    let add = json!({"command": "lease4-add", "arguments": {"ip-address": "192.0.2.9", "hw-address": "02:00:00:00:00:09", "client-id": "01:02:00:00:00:00:09", "subnet-id": 1, "user-context": {"site": "a"}}});
    assert_eq!(run(add.clone())["result"], 0);
    assert_eq!(
        run(add)["result"],
        4,
        "a second add of the same address conflicts"
    );
    let got = run(
        json!({"command": "lease4-get-by-client-id", "arguments": {"client-id": "01:02:00:00:00:00:09"}}),
    );
    assert_eq!(got["result"], 0);
    let lease = &got["arguments"]["leases"][0];
    assert_eq!(lease["client-id"], "01:02:00:00:00:00:09");
    assert_eq!(lease["user-context"]["site"], "a");
    let wiped = run(json!({"command": "lease4-wipe", "arguments": {"subnet-id": 1}}));
    assert_eq!(
        (wiped["result"].as_i64(), wiped["text"].as_str()),
        (Some(0), Some("Deleted 1 IPv4 lease(s) from subnet(s) 1"))
    );
    assert_eq!(run(json!({"command": "lease4-get-all"}))["result"], 3);
}

#[test]
fn unix_socket_is_owner_only_and_shutdown_stops_it() {
    static STOP: AtomicBool = AtomicBool::new(false);
    let path = std::env::temp_dir().join(format!("xdhcp-api-test-{}.sock", std::process::id()));
    let handle = unix::serve(&path, Arc::new(api(&STOP))).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let ask = |request: &str| -> Value { xdhcp_testlab::control(&path, request) };
    assert_eq!(ask(r#"{"command": "status-get"}"#)["result"], 0);
    assert_eq!(ask(r#"{"command": "shutdown"}"#)["result"], 0);
    handle.join().unwrap();
    assert!(!path.exists(), "the socket file is removed on the way out");
}

#[test]
fn statistics_have_kea_names_shapes_and_timestamps() {
    use std::net::Ipv4Addr;
    use std::time::{Duration, UNIX_EPOCH};
    use xdhcp_controlplane::api::stats::timestamp;
    use xdhcp_controlplane::stats::{Counters, Stats};
    use xdhcp_dataplane::alloc::{Allocator, AllocatorKind, Pool};
    use xdhcp_dataplane::config::v4::Reservations4;
    use xdhcp_dataplane::config::{Config4, Lifetime, Live, OptionSet, Subnet4};
    use xdhcp_dataplane::lease::Lease4;
    use xdhcp_dataplane::server::statistics::{Counting, Sources};
    use xdhcp_dataplane::stats::{Stat4, Stats4};
    use xdhcp_dataplane::wire::v4::MessageType;

    assert_eq!(
        timestamp(UNIX_EPOCH + Duration::from_micros(1_795_617_200_123_456)),
        "2026-11-25 14:33:20.123456"
    );
    assert_eq!(timestamp(UNIX_EPOCH), "1970-01-01 00:00:00.000000");
    assert_eq!(
        timestamp(UNIX_EPOCH + Duration::from_secs(951_782_400)),
        "2000-02-29 00:00:00.000000"
    );

    static STOP: AtomicBool = AtomicBool::new(false);
    let (leases, _) = LeaseStore::open(StoreConfig::memory(2, 64)).unwrap();
    let pool = Pool::v4(
        Ipv4Addr::new(192, 0, 2, 10),
        Ipv4Addr::new(192, 0, 2, 19),
        7,
    );
    let config = Config4 {
        subnets: vec![Subnet4 {
            id: 7,
            network: Ipv4Addr::new(192, 0, 2, 0),
            prefix_len: 24,
            pools: vec![Arc::new(Allocator::new(pool, AllocatorKind::Iterative))],
            relay: vec![],
            interface: None,
            shared_network: None,
            valid: Lifetime::fixed(3600),
            renew_timer: None,
            rebind_timer: None,
            calculate_tee_times: None,
            match_client_id: true,
            authoritative: false,
            next_server: None,
            server_hostname: None,
            boot_file_name: None,
            options: OptionSet::default(),
            reservations: Reservations4::default(),
            host_scope: Default::default(),
            last_pool: Default::default(),
            names: Default::default(),
            pool_classes: Vec::new(),
            pool_ids: Vec::new(),
            guard: Default::default(),
            required: Vec::new(),
        }],
        ..Config4::default()
    };
    let far_future = 4_000_000_000;
    leases
        .add(
            Lease4::new(Ipv4Addr::new(192, 0, 2, 10), far_future, 3600, 7),
            0,
        )
        .unwrap();
    let workers = vec![Arc::new(Stats4::default()), Arc::new(Stats4::default())];
    workers[0].packets.received(MessageType::Discover);
    workers[1].packets.received(MessageType::Discover);
    workers[1].packets.sent(MessageType::Offer);
    workers[0].packets.bump(Stat4::ParseFailed);
    let counting = Counting::from_sources(
        Some(Sources {
            config: Arc::new(Live::from_pointee(config)),
            workers: workers.clone(),
            leases,
        }),
        None,
    );
    let stats = Stats::new(4, Arc::new(Counters::Here(Arc::new(counting))));
    let api = api_over(json!({"Dhcp4": {}}), &STOP).with_stats(Arc::new(stats));
    let all = api.handle(br#"{"command": "statistic-get-all"}"#);
    assert_eq!(all["result"], 0);
    let value = |name: &str| all["arguments"][name][0][0].as_u64().unwrap();
    assert_eq!(value("pkt4-received"), 2);
    assert_eq!(value("pkt4-discover-received"), 2);
    assert_eq!(value("pkt4-offer-sent"), 1);
    assert_eq!(value("pkt4-parse-failed"), 1);
    assert_eq!(value("subnet[7].total-addresses"), 10);
    assert_eq!(value("subnet[7].assigned-addresses"), 1);
    assert!(
        all["arguments"]["pkt4-sent"][0][1].as_str().unwrap().len() == 26,
        "Kea's timestamp format"
    );
    let one =
        api.handle(br#"{"command": "statistic-get", "arguments": {"name": "pkt4-offer-sent"}}"#);
    assert_eq!(one["arguments"].as_object().unwrap().len(), 1);
    assert_eq!(
        api.handle(br#"{"command": "statistic-reset-all"}"#)["result"],
        0
    );
    let after =
        api.handle(br#"{"command": "statistic-get", "arguments": {"name": "pkt4-received"}}"#);
    assert_eq!(after["arguments"]["pkt4-received"][0][0], 0);
}
