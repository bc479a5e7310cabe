//! xdhcp serving DHCPv6 in a lab, driven over its UNIX control socket with
//! Kea's lease6 and stat_cmds commands: statistics follow every change,
//! and the changes are in the lease journal, so they outlive a restart.
//! Needs root; fails, not skips, without.

mod common;

use serde_json::{json, Value};
use xdhcp_testlab::{control, scratch_dir, Lab, ServerProcess};

fn config(iface: &str, dir: &str) -> String {
    let leases = format!(
        r#""lease-database": {{ "type": "memfile", "persist": true, "name": "{dir}/leases6.csv" }},"#
    );
    common::config6(iface, &format!("{dir}/x.sock"), dir, &leases)
}

/// One server run over `file`, with its socket.
struct Run {
    server: ServerProcess,
    socket: String,
}

impl Run {
    fn start(lab: &Lab, file: &str, dir: &str) -> Run {
        let bin = env!("CARGO_BIN_EXE_xdhcp-controlplane");
        let server = ServerProcess::start(
            lab.server_command(&[bin, "-c", file]),
            "COMMAND_SOCKET_OPENED",
        );
        Run {
            server,
            socket: format!("{dir}/x.sock"),
        }
    }

    fn ask(&self, request: Value) -> Value {
        control(&self.socket, &request.to_string())
    }

    /// Sends `command` with `arguments` (none when null) and checks the
    /// result code.
    fn expect(&self, command: &str, arguments: Value, code: i64) -> Value {
        let mut request = json!({ "command": command });
        if !arguments.is_null() {
            request["arguments"] = arguments.clone();
        }
        let answer = self.ask(request);
        assert_eq!(answer["result"], code, "{command} {arguments}: {answer}");
        answer
    }

    /// The newest value of statistic `name`.
    fn stat(&self, name: &str) -> i64 {
        let answer = self.expect("statistic-get", json!({ "name": name }), 0);
        answer["arguments"][name][0][0]
            .as_i64()
            .unwrap_or_else(|| panic!("{name}: {answer}"))
    }
}

const NA: &str = "2001:db8:1::150";
const PD: &str = "2001:db8:8:100::";

#[test]
fn lease6_commands_keep_statistics_and_survive_a_restart() {
    let lab = Lab::new("l6");
    let dir = scratch_dir("lease6-cmds");
    let dir = dir.to_string_lossy().into_owned();
    let file = format!("{dir}/kea.conf");
    std::fs::write(&file, config(&lab.iface, &dir)).unwrap();
    let run = Run::start(&lab, &file, &dir);

    let listed = run.ask(json!({ "command": "list-commands" }));
    for c in ["lease6-bulk-apply", "lease6-resend-ddns", "stat-lease6-get"] {
        assert!(
            listed["arguments"].as_array().unwrap().contains(&json!(c)),
            "{listed}"
        );
    }
    run.expect(
        "lease6-add",
        json!({ "ip-address": NA, "duid": "01:02:03:04", "iaid": 5, "hostname": "a.example.org" }),
        0,
    );
    run.expect(
        "lease6-add",
        json!({ "type": "IA_PD", "ip-address": PD, "prefix-len": 56, "duid": "01:02:03:04", "iaid": 6, "subnet-id": 1 }),
        0,
    );
    run.expect(
        "lease6-add",
        json!({ "ip-address": "2001:db8:2::121", "duid": "0a:0b", "iaid": 1, "state": 1 }),
        0,
    );
    assert_eq!(run.stat("subnet[1].assigned-nas"), 1);
    assert_eq!(run.stat("subnet[1].assigned-pds"), 1);
    assert_eq!(run.stat("subnet[2].declined-addresses"), 1);
    assert_eq!(run.stat("declined-addresses"), 1);

    // A deleted lease leaves the statistics and, after the restart, the
    // store; a wiped subnet likewise.
    run.expect(
        "lease6-add",
        json!({ "ip-address": "2001:db8:1::160", "duid": "01:02", "iaid": 1 }),
        0,
    );
    assert_eq!(run.stat("subnet[1].assigned-nas"), 2);
    run.expect("lease6-del", json!({ "ip-address": "2001:db8:1::160" }), 0);
    assert_eq!(run.stat("subnet[1].assigned-nas"), 1);
    let wiped = run.expect("lease6-wipe", json!({ "subnet-id": 2 }), 0);
    assert_eq!(wiped["text"], "Deleted 1 IPv6 lease(s) from subnet(s) 2");
    assert_eq!(run.stat("subnet[2].declined-addresses"), 0);
    let bulk = run.expect(
        "lease6-bulk-apply",
        json!({ "leases": [ { "ip-address": "2001:db8:2::130", "duid": "0a:0c", "iaid": 2 } ],
                "deleted-leases": [ { "ip-address": "2001:db8:2::131" } ] }),
        0,
    );
    assert_eq!(
        bulk["arguments"]["failed-deleted-leases"][0]["ip-address"],
        "2001:db8:2::131"
    );
    assert_eq!(run.stat("subnet[2].assigned-nas"), 1);
    run.expect(
        "lease6-update",
        json!({ "ip-address": NA, "duid": "01:02:03:04", "iaid": 5, "hostname": "b.example.org", "valid-lft": 900 }),
        0,
    );
    let stats = run.expect("stat-lease6-get", json!({ "subnet-id": 1 }), 0);
    assert_eq!(
        stats["arguments"]["result-set"]["rows"],
        json!([[1, 256, 0, 1, 0, 256, 0, 1]]),
        "{stats}"
    );
    let ddns = run.expect("lease6-resend-ddns", json!({ "ip-address": NA }), 1);
    assert_eq!(ddns["text"], "DDNS updating is not enabled");
    let before = run.expect("lease6-get-all", json!(null), 0);
    run.server.stop("DHCP4_SHUTDOWN");

    let again = Run::start(&lab, &file, &dir);
    let after = again.expect("lease6-get-all", json!(null), 0);
    assert_eq!(after["arguments"], before["arguments"]);
    let na = again.expect("lease6-get", json!({ "ip-address": NA }), 0);
    assert_eq!(na["arguments"]["hostname"], "b.example.org");
    assert_eq!(na["arguments"]["valid-lft"], 900);
    again.expect(
        "lease6-get",
        json!({ "ip-address": PD, "type": "IA_PD" }),
        0,
    );
    again.expect("lease6-get", json!({ "ip-address": "2001:db8:1::160" }), 3);
    again.expect("lease6-get", json!({ "ip-address": "2001:db8:2::121" }), 3);
    assert_eq!(again.stat("subnet[1].assigned-nas"), 1);
    assert_eq!(again.stat("subnet[1].assigned-pds"), 1);
    assert_eq!(again.stat("subnet[2].assigned-nas"), 1);
    drop(again);
    let _ = std::fs::remove_dir_all(&dir);
}
