//! The control API without a network: bad requests get Kea's result codes
//! and readable texts, the UNIX socket is owner-only, `shutdown` stops it.

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use serde_json::{json, Value};
use xdhcp_controlplane::api::{unix, Api};
use xdhcp_dataplane::lease::{LeaseStore, StoreConfig};

fn api(stop: &'static AtomicBool) -> Api {
    let (leases, _) = LeaseStore::open(StoreConfig::memory(2, 64)).unwrap();
    Api::new(json!({"Dhcp4": {"valid-lifetime": 4000}}), leases, stop)
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
        (Some(0), Some("Deleted 1 IPv4 lease(s) from subnet 1."))
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
    let ask = |request: &str| -> Value {
        let mut s = UnixStream::connect(&path).unwrap();
        s.write_all(request.as_bytes()).unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        serde_json::from_str(&answer).unwrap()
    };
    assert_eq!(ask(r#"{"command": "status-get"}"#)["result"], 0);
    assert_eq!(ask(r#"{"command": "shutdown"}"#)["result"], 0);
    handle.join().unwrap();
    assert!(!path.exists(), "the socket file is removed on the way out");
}
