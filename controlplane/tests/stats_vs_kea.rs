//! The statistic-* commands after the same traffic, from real Kea 2.2 and
//! from xdhcp: xdhcp-perf drives the same relayed DORA exchanges to each,
//! then the same commands go over each one's UNIX control socket. Result
//! codes and texts are the same, every statistic Kea has is there with
//! the same value and Kea's sample shape (xdhcp adds only newer Kea's
//! per-pool statistics). Needs root and Kea (tools/install-deps.sh).

mod common;

use std::collections::BTreeSet;

use common::{perf, serve_in_lab, socat, Served};
use serde_json::Value;

const EXCHANGES: u64 = 20;

fn config(iface: &str, socket: &str, kind: &str) -> String {
    format!(
        r#"{{ "Dhcp4": {{
  "interfaces-config": {{ "interfaces": [ "{iface}" ], "dhcp-socket-type": "{kind}" }},
  "control-socket": {{ "socket-type": "unix", "socket-name": "{socket}" }},
  "lease-database": {{ "type": "memfile", "persist": false }},
  "valid-lifetime": 3600,
  "subnet4": [ {{ "id": 1, "subnet": "198.51.100.0/24",
                  "pools": [ {{ "pool": "198.51.100.10 - 198.51.100.200" }} ] }} ]
}} }}"#
    )
}

const SCRIPT: &[&str] = &[
    r#"{"command": "statistic-get-all"}"#,
    r#"{"command": "statistic-get", "arguments": {"name": "pkt4-discover-received"}}"#,
    r#"{"command": "statistic-get", "arguments": {"name": "subnet[1].assigned-addresses"}}"#,
    r#"{"command": "statistic-get", "arguments": {"name": "nope"}}"#,
    r#"{"command": "statistic-get"}"#,
    r#"{"command": "statistic-reset", "arguments": {"name": "pkt4-received"}}"#,
    r#"{"command": "statistic-get", "arguments": {"name": "pkt4-received"}}"#,
    r#"{"command": "statistic-reset", "arguments": {"name": "nope"}}"#,
    r#"{"command": "statistic-remove", "arguments": {"name": "pkt4-sent"}}"#,
    r#"{"command": "statistic-get", "arguments": {"name": "pkt4-sent"}}"#,
    r#"{"command": "statistic-remove", "arguments": {"name": "nope"}}"#,
    r#"{"command": "statistic-sample-age-set", "arguments": {"name": "pkt4-offer-sent", "duration": 1245}}"#,
    r#"{"command": "statistic-sample-age-set", "arguments": {"name": "pkt4-offer-sent"}}"#,
    r#"{"command": "statistic-sample-age-set-all", "arguments": {"duration": 1245}}"#,
    r#"{"command": "statistic-sample-count-set", "arguments": {"name": "pkt4-ack-sent", "max-samples": 5}}"#,
    r#"{"command": "statistic-sample-count-set", "arguments": {"name": "nope", "max-samples": 5}}"#,
    r#"{"command": "statistic-sample-count-set-all", "arguments": {"max-samples": 0}}"#,
    r#"{"command": "statistic-sample-count-set-all", "arguments": {"max-samples": 5}}"#,
    r#"{"command": "statistic-reset-all"}"#,
    r#"{"command": "statistic-get", "arguments": {"name": "subnet[1].assigned-addresses"}}"#,
    r#"{"command": "statistic-remove-all"}"#,
    r#"{"command": "statistic-get-all"}"#,
];

/// Every sample is `[integer, "YYYY-MM-DD HH:MM:SS.ffffff"]`, newest first.
fn kea_samples(v: &Value) -> bool {
    v.as_array().is_some_and(|list| {
        !list.is_empty()
            && list.iter().all(|s| {
                s.as_array().is_some_and(|p| {
                    p.len() == 2 && p[0].is_i64() && p[1].as_str().is_some_and(|t| t.len() == 26)
                })
            })
    })
}

#[test]
fn statistic_commands_answer_as_kea_after_the_same_traffic() {
    std::fs::create_dir_all("/run/kea").expect("/run/kea");
    let dir = std::env::temp_dir().join(format!("xdhcp-stats-kea-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let run = |tag: &str, kind: &str, program: &str| {
        let Served {
            server: _server,
            socket,
            lab,
        } = serve_in_lab(tag, &dir, program, kind, config);
        let line =
            format!("-r 100 -n {EXCHANGES} -R {EXCHANGES} -W 500000 -l 198.51.100.2 198.51.100.1");
        let stats = perf(&lab, &line);
        assert_eq!(
            stats.exchanges[1].received, EXCHANGES,
            "{program}: every exchange completed"
        );
        SCRIPT.iter().map(|r| socat(&socket, r)).collect::<Vec<_>>()
    };
    let kea = run("sk", "udp", "kea-dhcp4");
    let ours = run("sx", "xdp", env!("CARGO_BIN_EXE_xdhcp-controlplane"));
    let _ = std::fs::remove_dir_all(&dir);

    let mut differences = Vec::new();
    for ((request, k), x) in SCRIPT.iter().zip(&kea).zip(&ours) {
        let mut diff =
            |what: &str| differences.push(format!("{request}: {what}\n  kea   {k}\n  xdhcp {x}"));
        if k["result"] != x["result"] || k.get("text") != x.get("text") {
            diff("result or text");
            continue;
        }
        let (Some(ka), Some(xa)) = (k["arguments"].as_object(), x["arguments"].as_object()) else {
            if k.get("arguments") != x.get("arguments") {
                diff("arguments");
            }
            continue;
        };
        let kn: BTreeSet<&String> = ka.keys().collect();
        let xn: BTreeSet<&String> = xa.keys().collect();
        if let Some(n) = kn.difference(&xn).next() {
            diff(&format!("{n} missing"));
        }
        // Newer Kea's per-pool statistics are the only additions.
        if let Some(n) = xn.difference(&kn).find(|n| !n.contains("].pool[")) {
            diff(&format!("{n} is not Kea's"));
        }
        for n in kn.intersection(&xn) {
            if !kea_samples(&xa[*n]) {
                diff(&format!("{n}: not Kea's sample list"));
            } else if ka[*n][0][0] != xa[*n][0][0] {
                diff(&format!("{n}: another value"));
            }
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    // The comparison saw the traffic.
    assert_eq!(
        ours[1]["arguments"]["pkt4-discover-received"][0][0],
        EXCHANGES
    );
    assert_eq!(
        ours[2]["arguments"]["subnet[1].assigned-addresses"][0][0],
        EXCHANGES
    );
    assert!(ours[0]["arguments"].as_object().unwrap().len() >= 34);
}
