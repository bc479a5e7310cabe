//! The control API over a UNIX socket, driven with socat as operators do,
//! against xdhcp and against real Kea 2.2 (with the lease_cmds hook) on the
//! same configuration: the same result codes, texts and argument shapes.
//! Needs root and Kea (tools/install-deps.sh); fails, not skips, without.

mod common;

use std::collections::BTreeSet;

use common::{serve_in_lab, socat, Served};

use serde_json::Value;

const LEASE_CMDS: &str = "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_cmds.so";

fn config(iface: &str, socket: &str, kind: &str) -> String {
    format!(
        r#"{{ "Dhcp4": {{
  "interfaces-config": {{ "interfaces": [ "{iface}" ], "dhcp-socket-type": "{kind}" }},
  "control-socket": {{ "socket-type": "unix", "socket-name": "{socket}" }},
  "hooks-libraries": [ {{ "library": "{LEASE_CMDS}" }} ],
  "lease-database": {{ "type": "memfile", "persist": false }},
  "valid-lifetime": 3600,
  "subnet4": [ {{ "id": 1, "subnet": "203.0.113.0/24",
                  "pools": [ {{ "pool": "203.0.113.10 - 203.0.113.200" }} ] }} ]
}} }}"#
    )
}

/// The shape of an answer: its result code and the keys of its arguments
/// (and of the first lease they hold).
fn shape(v: &Value) -> (i64, BTreeSet<String>) {
    let mut keys = BTreeSet::new();
    if let Some(args) = v.get("arguments").and_then(Value::as_object) {
        keys.extend(args.keys().cloned());
        let first = args
            .get("leases")
            .and_then(|l| l.get(0))
            .and_then(Value::as_object);
        keys.extend(
            first
                .into_iter()
                .flat_map(|l| l.keys().map(|k| format!("leases[].{k}"))),
        );
    }
    (v["result"].as_i64().unwrap_or(-1), keys)
}

const SCRIPT: &[&str] = &[
    r#"{"command": "version-get"}"#,
    r#"{"command": "lease4-get-all"}"#,
    r#"{"command": "lease4-add", "arguments": {"ip-address": "203.0.113.50", "hw-address": "1a:1b:1c:1d:1e:1f", "subnet-id": 1, "valid-lft": 3600, "hostname": "myhost.example.com", "fqdn-fwd": true, "fqdn-rev": true}}"#,
    r#"{"command": "lease4-get", "arguments": {"ip-address": "203.0.113.50"}}"#,
    r#"{"command": "lease4-get", "arguments": {"identifier-type": "hw-address", "identifier": "1a:1b:1c:1d:1e:1f", "subnet-id": 1}}"#,
    r#"{"command": "lease4-get-by-hw-address", "arguments": {"hw-address": "1a:1b:1c:1d:1e:1f"}}"#,
    r#"{"command": "lease4-get-by-client-id", "arguments": {"client-id": "01:02:03"}}"#,
    r#"{"command": "lease4-get-by-hostname", "arguments": {"hostname": "myhost.example.com"}}"#,
    r#"{"command": "lease4-get-all", "arguments": {"subnets": [1]}}"#,
    r#"{"command": "lease4-del", "arguments": {"ip-address": "203.0.113.50"}}"#,
    r#"{"command": "lease4-del", "arguments": {"ip-address": "203.0.113.50"}}"#,
    r#"{"command": "lease4-get", "arguments": {"ip-address": "203.0.113.50"}}"#,
    r#"{"command": "lease4-get", "arguments": {"ip-address": "not-an-address"}}"#,
    r#"{"command": "no-such-command"}"#,
];

#[test]
fn socat_gets_the_same_answers_from_xdhcp_and_kea() {
    assert!(
        std::path::Path::new(LEASE_CMDS).exists(),
        "Kea's lease_cmds hook missing: run tools/install-deps.sh"
    );
    std::fs::create_dir_all("/run/kea").expect("/run/kea");
    let dir = std::env::temp_dir().join(format!("xdhcp-api-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let run = |tag: &str, kind: &str, program: &str| {
        let Served {
            server: _server,
            socket,
            lab: _lab,
        } = serve_in_lab(tag, &dir, program, kind, config);
        SCRIPT.iter().map(|r| socat(&socket, r)).collect::<Vec<_>>()
    };
    let kea = run("ak", "udp", "kea-dhcp4");
    let ours = run("ax", "xdp", env!("CARGO_BIN_EXE_xdhcp-controlplane"));
    let _ = std::fs::remove_dir_all(&dir);

    let mut differences = Vec::new();
    for ((request, k), x) in SCRIPT.iter().zip(&kea).zip(&ours) {
        // Texts match too, but for the version string.
        let same_text = request.contains("version-get") || k["text"] == x["text"];
        if shape(k) != shape(x) || !same_text {
            differences.push(format!("{request}\n  kea   {k}\n  xdhcp {x}"));
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    // The lease reads back with what was added, in Kea's field formats.
    let lease = &ours[3]["arguments"];
    assert_eq!(lease["hw-address"], "1a:1b:1c:1d:1e:1f");
    assert_eq!(lease["hostname"], "myhost.example.com");
    assert_eq!(kea[3]["arguments"]["hostname"], lease["hostname"]);
}
