//! DHCPv6 reservations by the flex_id hook end to end: a real `dhclient -6`
//! with a DUID-LL gets the address, the delegated prefix and the DNS
//! servers reserved for the identifier the hook's expression makes of its
//! DUID, over the `udp` backend. Under `replace-client-id` the lease is
//! held by the DUID made of the flex-id (`lease6-get` shows it) while the
//! replies name the client by its own DUID, or dhclient would drop them.
//! Needs root.

use xdhcp_testlab::{control, scratch_dir, stop_daemon, Lab, ServerProcess};

fn config(iface: &str, dir: &str, flex: &str) -> String {
    format!(
        r#"{{ "Dhcp6": {{
    "interfaces-config": {{ "interfaces": [ "{iface}" ], "dhcp-socket-type": "udp" }},
    "data-directory": "{dir}",
    "lease-database": {{ "type": "memfile", "persist": false }},
    "control-socket": {{ "socket-type": "unix", "socket-name": "{dir}/control.sock" }},
    "preferred-lifetime": 3000, "valid-lifetime": 4000,
    "host-reservation-identifiers": [ "flex-id", "duid" ],
    "hooks-libraries": [
      {{ "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_cmds.so" }},
      {{ "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_flex_id.so",
         "parameters": {{
           "identifier-expression": "concat('lab-', hexstring(substring(option[1].hex,4,6), ':'))",
           "replace-client-id": true }} }} ],
    "subnet6": [ {{ "id": 1, "subnet": "2001:db8:7::/64", "interface": "{iface}",
      "pools": [ {{ "pool": "2001:db8:7::100 - 2001:db8:7::1ff" }} ],
      "pd-pools": [ {{ "prefix": "2001:db8:100::", "prefix-len": 48, "delegated-len": 64 }} ],
      "reservations": [ {{ "flex-id": "'{flex}'",
        "ip-addresses": [ "2001:db8:7::77" ], "prefixes": [ "2001:db8:177::/64" ],
        "option-data": [ {{ "name": "dns-servers", "data": "2001:db8:7::53" }} ] }} ] }} ]
}} }}"#
    )
}

fn hex(bytes: &[u8]) -> String {
    let pairs: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    pairs.join(":")
}

#[test]
fn dhclient6_gets_what_is_reserved_for_its_flex_id() {
    let lab = Lab::new("fx6");
    lab.wait_link_local();
    let dir = scratch_dir("flex6").to_string_lossy().into_owned();
    // dhclient -D LL sends the DUID-LL 00:03:00:01 and its MAC; the
    // expression reads the MAC from it.
    let flex = format!("lab-{}", hex(&lab.peer_mac()));
    let file = format!("{dir}/kea.conf");
    std::fs::write(&file, config(&lab.iface, &dir, &flex)).unwrap();
    let bin = env!("CARGO_BIN_EXE_xdhcp-controlplane");
    let mut server = ServerProcess::start(lab.server_command(&[bin, "-c", &file]), "DHCP4_STARTED");
    server.wait_for("COMMAND_SOCKET_OPENED");

    let out = lab
        .dhclient6(&dir, "flex", &["-D", "LL", "-N", "-P"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    let leases = std::fs::read_to_string(format!("{dir}/flex.leases")).unwrap_or_default();
    stop_daemon(&format!("{dir}/flex.pid"));
    assert!(
        out.status.success(),
        "dhclient -6:\n{said}\n{}",
        server.output()
    );
    assert!(leases.contains("iaaddr 2001:db8:7::77 {"), "{leases}");
    assert!(leases.contains("iaprefix 2001:db8:177::/64 {"), "{leases}");
    assert!(
        leases.contains("option dhcp6.name-servers 2001:db8:7::53;"),
        "{leases}"
    );

    // The lease belongs to the DUID of type 0 made of the flex-id.
    let lease = control(
        format!("{dir}/control.sock"),
        r#"{"command": "lease6-get", "arguments": {"ip-address": "2001:db8:7::77"}}"#,
    );
    assert_eq!(lease["result"], 0, "{lease}");
    let duid = format!("00:00:{}", hex(flex.as_bytes()));
    assert_eq!(lease["arguments"]["duid"], duid.as_str(), "{lease}");

    server.stop("DHCP4_SHUTDOWN");
    let _ = std::fs::remove_dir_all(&dir);
}
