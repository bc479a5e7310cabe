//! The commands that change the running configuration, over the UNIX
//! control socket of a serving `xdhcp-controlplane`, with a real dhclient
//! in the lab's client namespace: a subnet added by `subnet4-add` serves
//! the client and its statistics count the lease (also after another
//! subnet is deleted in front of it), a reservation added by
//! `reservation-add` gives the client its reserved address, options of a
//! class added by `class-add` reach the client, the delete commands undo
//! them, and refused changes leave the running configuration as it was;
//! the same for DHCPv6 with dhclient -6. Needs root.

use serde_json::{json, Value};
use xdhcp_testlab::{control, scratch_dir, stop_daemon, Lab, ServerProcess};

fn config6(iface: &str, dir: &str) -> String {
    format!(
        r#"{{ "Dhcp6": {{
    "interfaces-config": {{ "interfaces": [ "{iface}" ] }},
    "data-directory": "{dir}",
    "lease-database": {{ "type": "memfile", "persist": false }},
    "control-socket": {{ "socket-type": "unix", "socket-name": "{dir}/control6.sock" }},
    "preferred-lifetime": 3000, "valid-lifetime": 4000,
    "subnet6": [ {{ "id": 1, "subnet": "2001:db8:99::/64",
                    "pools": [ {{ "pool": "2001:db8:99::100 - 2001:db8:99::1ff" }} ] }} ]
}} }}"#
    )
}

fn config(iface: &str, dir: &str) -> String {
    format!(
        r#"{{ "Dhcp4": {{
    "interfaces-config": {{ "interfaces": [ "{iface}" ], "dhcp-socket-type": "xdp" }},
    "lease-database": {{ "type": "memfile", "persist": false }},
    "control-socket": {{ "socket-type": "unix", "socket-name": "{dir}/control.sock" }},
    "valid-lifetime": 900,
    "subnet4": [ {{ "id": 1, "subnet": "203.0.113.0/24",
                    "pools": [ {{ "pool": "203.0.113.10 - 203.0.113.20" }} ] }} ]
}} }}"#
    )
}

/// Sends `command` with `arguments` and returns the answer.
fn send(socket: &str, command: &str, arguments: Value) -> Value {
    let request = json!({ "command": command, "arguments": arguments });
    control(socket, &request.to_string())
}

/// Result code and text of an answer.
fn said(v: &Value) -> (i64, String) {
    (
        v["result"].as_i64().unwrap_or(-1),
        v["text"].as_str().unwrap_or("").to_string(),
    )
}

/// Starts `xdhcp-controlplane -c` on `config` in the lab, once its
/// control socket is open.
fn start(lab: &Lab, dir: &str, config: &str) -> ServerProcess {
    let file = format!("{dir}/kea.conf");
    std::fs::write(&file, config).unwrap();
    let bin = env!("CARGO_BIN_EXE_xdhcp-controlplane");
    let mut server = ServerProcess::start(lab.server_command(&[bin, "-c", &file]), "DHCP4_STARTED");
    server.wait_for("COMMAND_SOCKET_OPENED");
    server
}

/// The current value of statistic `name`.
fn statistic(socket: &str, name: &str) -> Option<i64> {
    let got = send(socket, "statistic-get", json!({ "name": name }));
    got["arguments"][name][0][0].as_i64()
}

/// dhclient's run in a directory of its own (no earlier lease): what it
/// logged and the lease file.
fn dhclient(lab: &Lab, dir: &std::path::Path, tag: &str) -> (String, String) {
    let dir = dir.join(tag);
    std::fs::create_dir_all(&dir).unwrap();
    let dir = dir.to_string_lossy().into_owned();
    let out = lab.dhclient(&dir, &[]).output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "dhclient:\n{said}");
    let lease = std::fs::read_to_string(format!("{dir}/dhclient.leases")).unwrap_or_default();
    (said, lease)
}

fn hash(socket: &str) -> Value {
    send(socket, "config-hash-get", json!({}))["arguments"]["hash"].clone()
}

#[test]
fn configuration_commands_change_what_a_real_client_gets() {
    let lab = Lab::new("cc");
    let dir = scratch_dir("cfgcmds");
    let d = dir.to_string_lossy().into_owned();
    let server = start(&lab, &d, &config(&lab.iface, &d));
    let socket = format!("{d}/control.sock");
    let mac: Vec<String> = lab.peer_mac().iter().map(|b| format!("{b:02x}")).collect();
    let mac = mac.join(":");

    // A class for everyone, carrying an option the subnet does not set.
    let class = json!({ "client-classes": [ {
        "name": "everyone", "test": "'a' == 'a'",
        "option-data": [ { "name": "domain-name", "data": "class.example" } ] } ] });
    assert_eq!(
        said(&send(&socket, "class-add", class)),
        (0, "Class 'everyone' added".into())
    );

    // The client's link gets a subnet, in front of nothing: subnet 42
    // is the second one the workers count for.
    let subnet = json!({ "subnet4": [ {
        "id": 42, "subnet": "198.51.100.0/24",
        "pools": [ { "pool": "198.51.100.60 - 198.51.100.69" } ],
        "option-data": [ { "name": "routers", "data": "198.51.100.1" } ] } ] });
    let added = send(&socket, "subnet4-add", subnet);
    assert_eq!(said(&added), (0, "IPv4 subnet added".into()));
    assert_eq!(
        added["arguments"],
        json!({ "subnets": [ { "id": 42, "subnet": "198.51.100.0/24" } ] })
    );
    assert_eq!(statistic(&socket, "subnet[42].total-addresses"), Some(10));

    // Refused changes: result 1 naming the problem, nothing changes.
    let before = hash(&socket);
    let bad = send(
        &socket,
        "subnet4-add",
        json!({ "subnet4": [ { "id": 43, "subnet": "192.168.77.0/24",
                               "pools": [ { "pool": "10.1.1.1 - 10.1.1.9" } ] } ] }),
    );
    assert_eq!(bad["result"], 1);
    assert!(bad["text"].as_str().unwrap().contains("pool"), "{bad}");
    let outside = send(
        &socket,
        "reservation-add",
        json!({ "reservation": { "subnet-id": 42, "hw-address": mac,
                                 "ip-address": "203.0.113.77" } }),
    );
    assert_eq!(
        said(&outside),
        (
            1,
            "specified reservation '203.0.113.77' is not matching the IPv4 subnet prefix \
             '198.51.100.0/24'"
                .into()
        )
    );
    assert_eq!(
        said(&send(&socket, "class-del", json!({ "name": "nope" }))),
        (3, "Class 'nope' not found".into())
    );
    assert_eq!(
        hash(&socket),
        before,
        "refused changes leave the configuration"
    );

    // A reservation for the client, outside the pool.
    let reservation = json!({ "reservation": {
        "subnet-id": 42, "hw-address": mac, "ip-address": "198.51.100.77", "hostname": "lab-host" } });
    assert_eq!(
        said(&send(&socket, "reservation-add", reservation)),
        (0, "Host added.".into())
    );
    let found = send(
        &socket,
        "reservation-get",
        json!({ "subnet-id": 42, "identifier-type": "hw-address", "identifier": mac }),
    );
    assert_eq!(found["arguments"]["ip-address"], "198.51.100.77");
    let config = send(&socket, "config-get", json!({}));
    let subnets = config["arguments"]["Dhcp4"]["subnet4"].clone();
    assert_eq!(subnets[1]["reservations"][0]["ip-address"], "198.51.100.77");

    let (log, lease) = dhclient(&lab, &dir, "first");
    assert!(
        log.contains("DHCPACK of 198.51.100.77 from 198.51.100.1"),
        "the reserved address:\n{log}"
    );
    assert!(
        lease.contains("option domain-name \"class.example\";"),
        "the added class's option:\n{lease}"
    );
    assert_eq!(statistic(&socket, "subnet[42].assigned-addresses"), Some(1));
    assert_eq!(
        statistic(&socket, "subnet[42].cumulative-assigned-addresses"),
        Some(1)
    );
    assert_eq!(
        statistic(&socket, "subnet[1].cumulative-assigned-addresses"),
        Some(0)
    );

    // Deleting subnet 1 moves subnet 42 to the front; its counts stay its own.
    let del = send(&socket, "subnet4-del", json!({ "id": 1 }));
    assert_eq!(
        said(&del),
        (0, "IPv4 subnet 203.0.113.0/24 (id 1) deleted".into())
    );
    assert_eq!(
        statistic(&socket, "subnet[42].cumulative-assigned-addresses"),
        Some(1)
    );
    assert_eq!(statistic(&socket, "subnet[42].assigned-addresses"), Some(1));
    assert_eq!(statistic(&socket, "subnet[1].total-addresses"), None);

    // The delete commands undo the rest.
    let gone = send(
        &socket,
        "reservation-del",
        json!({ "subnet-id": 42, "ip-address": "198.51.100.77" }),
    );
    assert_eq!(said(&gone), (0, "Host deleted.".into()));
    assert_eq!(
        said(&send(
            &socket,
            "reservation-get",
            json!({ "subnet-id": 42, "ip-address": "198.51.100.77" })
        )),
        (3, "Host not found.".into())
    );
    assert_eq!(
        said(&send(&socket, "class-del", json!({ "name": "everyone" }))),
        (0, "Class 'everyone' deleted".into())
    );
    let (log, lease) = dhclient(&lab, &dir, "second");
    assert!(
        log.contains("DHCPACK of 198.51.100.6"),
        "a pool address:\n{log}"
    );
    assert!(!lease.contains("class.example"), "{lease}");
    assert_eq!(
        said(&send(&socket, "subnet4-del", json!({ "id": 42 }))),
        (0, "IPv4 subnet 198.51.100.0/24 (id 42) deleted".into())
    );
    assert_eq!(
        said(&send(&socket, "subnet4-list", json!({}))),
        (3, "0 IPv4 subnets found".into())
    );
    // Leases of a deleted subnet stay, as with config-set.
    let lease = send(
        &socket,
        "lease4-get",
        json!({ "ip-address": "198.51.100.77" }),
    );
    assert_eq!(lease["result"], 0, "the lease stays: {lease}");
    server.stop("DHCP4_SHUTDOWN");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn dhcpv6_configuration_commands_change_what_a_real_client_gets() {
    let lab = Lab::new("c6");
    let dir = scratch_dir("cfgcmds6");
    let d = dir.to_string_lossy().into_owned();
    let server = start(&lab, &d, &config6(&lab.iface, &d));
    let socket = format!("{d}/control6.sock");
    // dhclient -D LL identifies itself by DUID-LL: type 3, Ethernet, MAC.
    let mac: Vec<String> = lab.peer_mac().iter().map(|b| format!("{b:02x}")).collect();
    let duid = format!("00:03:00:01:{}", mac.join(":"));

    let subnet = json!({ "subnet6": [ {
        "id": 60, "subnet": "2001:db8:7::/64", "interface": lab.iface,
        "pools": [ { "pool": "2001:db8:7::100 - 2001:db8:7::1ff" } ] } ] });
    assert_eq!(
        said(&send(&socket, "subnet6-add", subnet)),
        (0, "IPv6 subnet added".into())
    );
    assert_eq!(
        said(&send(&socket, "subnet4-list", json!({}))),
        (2, "'subnet4-list' command not supported.".into())
    );
    let class = json!({ "client-classes": [ {
        "name": "everyone", "test": "'a' == 'a'",
        "option-data": [ { "name": "dns-servers", "data": "2001:db8:7::53" } ] } ] });
    assert_eq!(
        said(&send(&socket, "class-add", class)),
        (0, "Class 'everyone' added".into())
    );
    let before = hash(&socket);
    let outside = json!({ "reservation": { "subnet-id": 60, "duid": duid,
                                           "ip-addresses": [ "2001:db8:8::77" ] } });
    assert_eq!(said(&send(&socket, "reservation-add", outside)).0, 1);
    assert_eq!(hash(&socket), before);
    let reservation = json!({ "reservation": { "subnet-id": 60, "duid": duid,
                                               "ip-addresses": [ "2001:db8:7::77" ] } });
    assert_eq!(
        said(&send(&socket, "reservation-add", reservation)),
        (0, "Host added.".into())
    );

    let out = lab.dhclient6(&d, "six", &["-D", "LL"]).output().unwrap();
    stop_daemon(&format!("{d}/six.pid"));
    let log = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "dhclient -6:\n{log}");
    let lease = std::fs::read_to_string(format!("{d}/six.leases")).unwrap_or_default();
    assert!(
        lease.contains("iaaddr 2001:db8:7::77"),
        "the reserved address:\n{lease}"
    );
    assert!(
        lease.contains("option dhcp6.name-servers 2001:db8:7::53;"),
        "the added class's option:\n{lease}"
    );
    assert_eq!(statistic(&socket, "subnet[60].total-nas"), Some(256));
    assert_eq!(statistic(&socket, "subnet[60].assigned-nas"), Some(1));
    assert_eq!(
        statistic(&socket, "subnet[60].cumulative-assigned-nas"),
        Some(1)
    );
    assert_eq!(
        said(&send(&socket, "subnet6-del", json!({ "id": 1 }))),
        (0, "IPv6 subnet 2001:db8:99::/64 (id 1) deleted".into())
    );
    assert_eq!(
        statistic(&socket, "subnet[60].cumulative-assigned-nas"),
        Some(1)
    );

    let del = json!({ "subnet-id": 60, "identifier-type": "duid", "identifier": duid });
    assert_eq!(
        said(&send(&socket, "reservation-del", del)),
        (0, "Host deleted.".into())
    );
    assert_eq!(
        said(&send(&socket, "subnet6-del", json!({ "id": 60 }))),
        (0, "IPv6 subnet 2001:db8:7::/64 (id 60) deleted".into())
    );
    assert_eq!(
        said(&send(&socket, "subnet6-list", json!({}))),
        (3, "0 IPv6 subnets found".into())
    );
    server.stop("DHCP4_SHUTDOWN");
    let _ = std::fs::remove_dir_all(&dir);
}
