//! The subnet, host and class commands side by side with Kea 2.2's own
//! API reference. Debian's Kea 2.2 ships none of the subnet_cmds,
//! host_cmds or class_cmds hooks (they were premium then), so no Kea can
//! answer these commands here; kea-doc 2.2.0 ships the reference of every
//! command (`/usr/share/doc/kea/api/NAME.json`), whose documented answer
//! (`resp-syntax`) each command here is compared with: the same result,
//! the same text for the same example, the same arguments. Where Kea's
//! hook sources (and their unit tests) answer otherwise than the
//! reference, xdhcp answers as the sources do; those places are listed in
//! `FROM_THE_SOURCES` and checked to differ only there. Needs kea-doc
//! (tools/install-deps.sh).

use std::collections::BTreeSet;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use serde_json::{json, Value};
use xdhcp_controlplane::api::Api;
use xdhcp_controlplane::reload::{self, Running};
use xdhcp_dataplane::lease::{LeaseStore, StoreConfig};

static STOP: AtomicBool = AtomicBool::new(false);

const API_DOCS: &str = "/usr/share/doc/kea/api";

/// Commands whose documented answer Kea's sources do not give, and what
/// the sources (which xdhcp follows) say instead.
const FROM_THE_SOURCES: &[(&str, &str)] = &[
    // subnet_cmds.cc: `response_arguments->set(subnet_parameter, ...)`,
    // and its unit tests expect "subnet4".
    (
        "subnet4-get",
        "arguments under \"subnet4\", not \"subnets\"",
    ),
    // getNetworkList: "network" plus "s" unless there is exactly one.
    (
        "network4-list",
        "\"2 IPv4 networks found\", not \"network(s)\"",
    ),
    (
        "network6-list",
        "\"2 IPv6 networks found\", not \"network(s)\"",
    ),
    // class_cmds.cc: the texts end without a full stop.
    ("class-add", "no final full stop"),
    ("class-update", "no final full stop"),
    ("class-del", "no final full stop"),
];

fn quiet(_: &str, _: &str, _: &str) {}

/// What the reference documents of an answer's arguments.
enum Documented {
    /// The whole example.
    Whole(Value),
    /// Only its first key (the example elides parts with `...`).
    FirstKey(String),
}

/// The documented answer of `command` with the `replace`ments made:
/// result, text and arguments.
fn documented(command: &str, replace: &[(&str, &str)]) -> (i64, String, Option<Documented>) {
    let path = format!("{API_DOCS}/{command}.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("{path}: {e} (kea-doc holds Kea 2.2's API reference: tools/install-deps.sh)")
    });
    let doc: Value = serde_json::from_str(&text).unwrap();
    let lines: Vec<&str> = doc["resp-syntax"]
        .as_array()
        .unwrap_or_else(|| panic!("{command}: no documented answer"))
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let mut answer = lines.join("\n");
    for (from, to) in replace {
        answer = answer.replace(from, to);
    }
    let after = |key: &str| {
        let start = answer.find(&format!("\"{key}\": "))? + key.len() + 4;
        Some(&answer[start..])
    };
    let result = after("result")
        .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok())
        .unwrap_or_else(|| panic!("{command}: no result in {answer}"));
    let text = after("text")
        .and_then(|t| t.strip_prefix('"')?.split('"').next())
        .unwrap_or_else(|| panic!("{command}: no text in {answer}"))
        .to_string();
    let arguments = match serde_json::from_str::<Value>(&answer) {
        Ok(v) => v.get("arguments").cloned().map(Documented::Whole),
        Err(_) => after("arguments")
            .and_then(|a| a.split('"').nth(1))
            .map(|k| Documented::FirstKey(k.to_string())),
    };
    (result, text, arguments)
}

/// A DHCPv4 server shaped like the reference's examples.
fn v4() -> Api {
    let config = json!({ "Dhcp4": {
        "subnet4": [
            { "id": 10, "subnet": "10.0.0.0/8", "pools": [ { "pool": "10.0.0.10 - 10.0.0.20" } ] },
            { "id": 100, "subnet": "192.0.2.0/24",
              "reservations": [ { "hw-address": "1a:1b:1c:1d:1e:1f", "ip-address": "192.0.2.202",
                                  "hostname": "special-snowflake" } ] }
        ],
        "shared-networks": [ { "name": "floor1" }, { "name": "office" } ],
        "client-classes": [ { "name": "pxeclient",
                              "test": "option[vendor-class-identifier].text == 'PXEClient'" } ]
    } });
    let model = reload::check(&config).unwrap();
    let (leases, _) = LeaseStore::open(StoreConfig::memory(2, 64)).unwrap();
    let running = Running::new(model, config, None, quiet)
        .serve(Some(leases), None)
        .unwrap();
    Api::new(Arc::new(running), &STOP)
}

fn v6() -> Api {
    let config = json!({ "Dhcp6": {
        "subnet6": [ { "id": 11, "subnet": "2001:db8:1::/64" }, { "id": 233, "subnet": "3000::/16" } ],
        "shared-networks": [ { "name": "floor1" }, { "name": "office" } ]
    } });
    let model = reload::check(&config).unwrap();
    let (leases, _) = LeaseStore::open(StoreConfig::memory(2, 64)).unwrap();
    let running = Running::new(model, config, None, quiet)
        .serve(None, Some((leases, vec![0, 1])))
        .unwrap();
    Api::new(Arc::new(running), &STOP)
}

/// One command and how the reference's example maps onto this server:
/// text replacements turning the documented text into the one expected
/// here (the reference's examples do not all describe one server).
struct Step {
    command: &'static str,
    arguments: Value,
    replace: &'static [(&'static str, &'static str)],
}

fn step(command: &'static str, arguments: Value) -> Step {
    Step {
        command,
        arguments,
        replace: &[],
    }
}

/// Runs `steps` and returns every way the answers differ from the
/// reference, by command.
fn differences(api: &Api, steps: Vec<Step>) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for s in steps {
        let request = json!({ "command": s.command, "arguments": s.arguments });
        let ours = api.handle(request.to_string().as_bytes());
        let (result, text, arguments) = documented(s.command, s.replace);
        let mut diff = |what: String| found.push((s.command.to_string(), what));
        if ours["result"] != result {
            diff(format!("result {} (Kea {result}): {ours}", ours["result"]));
        }
        if ours["text"] != text.as_str() {
            diff(format!("text {} (Kea \"{text}\")", ours["text"]));
        }
        match (&arguments, ours.get("arguments")) {
            (Some(Documented::Whole(kea)), Some(x)) if kea != x => {
                diff(format!("arguments {x} (Kea {kea})"))
            }
            (Some(Documented::FirstKey(k)), Some(x)) if x.get(k).is_none() => {
                diff(format!("arguments {x} (Kea's have \"{k}\")"))
            }
            (Some(_), None) => diff("no arguments".into()),
            _ => {}
        }
    }
    found
}

#[test]
fn answers_match_kea_2_2_api_reference_except_where_the_sources_differ() {
    let api = v4();
    let mut found = differences(
        &api,
        vec![
            step("subnet4-list", json!({})),
            step("subnet4-get", json!({ "id": 10 })),
            step(
                "subnet4-add",
                json!({ "subnet4": [ { "id": 123, "subnet": "10.20.30.0/24" } ] }),
            ),
            step(
                "subnet4-update",
                json!({ "subnet4": [ { "id": 123, "subnet": "10.20.30.0/24" } ] }),
            ),
            step("network4-list", json!({})),
            step(
                "network4-add",
                json!({ "shared-networks": [ { "name": "floor13" } ] }),
            ),
            Step {
                command: "network4-subnet-add",
                arguments: json!({ "name": "floor1", "id": 10 }),
                replace: &[("(id 5)", "(id 10)")],
            },
            Step {
                command: "network4-subnet-del",
                arguments: json!({ "name": "floor1", "id": 10 }),
                replace: &[("(id 5)", "(id 10)"), ("'floor13'", "'floor1'")],
            },
            step("network4-del", json!({ "name": "floor13" })),
            Step {
                command: "subnet4-del",
                arguments: json!({ "id": 123 }),
                replace: &[("192.0.2.0/24", "10.20.30.0/24")],
            },
            Step {
                command: "class-add",
                arguments: json!({ "client-classes": [ { "name": "ipxe_efi_x64",
                    "test": "option[93].hex == 0x0009", "next-server": "192.0.2.254",
                    "server-hostname": "hal9000", "boot-file-name": "/dev/null" } ] }),
                replace: &[("<class-name>", "ipxe_efi_x64")],
            },
            Step {
                command: "class-update",
                arguments: json!({ "client-classes": [ { "name": "ipxe_efi_x64",
                    "test": "option[93].hex == 0x0017", "next-server": "0.0.0.0",
                    "server-hostname": "xfce", "boot-file-name": "/dev/null" } ] }),
                replace: &[("<class-name>", "ipxe_efi_x64")],
            },
            Step {
                command: "class-get",
                arguments: json!({ "name": "pxeclient" }),
                replace: &[("<class-name>", "pxeclient")],
            },
            Step {
                command: "class-list",
                arguments: json!({}),
                replace: &[("'<number of>'", "2")],
            },
            Step {
                command: "class-del",
                arguments: json!({ "name": "ipxe_efi_x64" }),
                replace: &[("<class-name>", "ipxe_efi_x64")],
            },
        ],
    );
    let v6 = v6();
    found.extend(differences(
        &v6,
        vec![
            step("subnet6-list", json!({})),
            // The reference adds a prefix its subnet6-list example has.
            Step {
                command: "subnet6-add",
                arguments: json!({ "subnet6": [ { "id": 234, "subnet": "2001:db8:2::/64" } ] }),
                replace: &[("2001:db8:1::/64", "2001:db8:2::/64")],
            },
            step("network6-list", json!({})),
        ],
    ));
    let expected: BTreeSet<&str> = FROM_THE_SOURCES.iter().map(|(c, _)| *c).collect();
    let differing: BTreeSet<&str> = found.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(
        differing, expected,
        "differences from Kea 2.2's API reference:\n{found:#?}"
    );

    // reservation-get: the reference lists every field a host may have;
    // xdhcp's answer has no other.
    let host = api.handle(
        json!({ "command": "reservation-get",
                "arguments": { "subnet-id": 100, "ip-address": "192.0.2.202" } })
        .to_string()
        .as_bytes(),
    );
    assert_eq!(host["result"], 0, "{host}");
    let text = std::fs::read_to_string(format!("{API_DOCS}/reservation-get.json")).unwrap();
    let fields: Vec<&str> = host["arguments"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for f in fields {
        assert!(
            text.contains(&format!("\\\"{f}\\\"")),
            "reservation-get field {f} is not in Kea's reference"
        );
    }
}
