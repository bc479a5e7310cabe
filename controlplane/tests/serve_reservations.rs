//! Host reservations end to end: a real dhclient is given its reserved
//! address by the DUID of its RFC 4361 client identifier (`dhclient -i`),
//! and, without one, by the flex_id hook's identifier expression; the
//! identifiers are tried in `host-reservation-identifiers` order; and a
//! dhclient that sends its own host name is given its reserved one.
//! Needs root.

use xdhcp_testlab::{control, stop_daemon, Lab, ServerProcess};

/// xdhcp on the lab's interface with `keys` and a subnet holding
/// `reservations`.
fn config(iface: &str, dir: &str, keys: &str, reservations: &str) -> String {
    format!(
        r#"{{ "Dhcp4": {{
    "interfaces-config": {{ "interfaces": [ "{iface}" ], "dhcp-socket-type": "raw" }},
    "lease-database": {{ "type": "memfile", "persist": false }},
    "control-socket": {{ "socket-type": "unix", "socket-name": "{dir}/control.sock" }},
    "valid-lifetime": 900,
    {keys}
    "subnet4": [ {{
      "id": 1, "subnet": "198.51.100.0/24",
      "pools": [ {{ "pool": "198.51.100.50 - 198.51.100.59" }} ],
      "reservations": [ {reservations} ]
    }} ]
}} }}"#
    )
}

/// Reservations by DUID and by flex-id, looked up in that order.
fn ids_config(iface: &str, dir: &str, duid: &str, flex: &str) -> String {
    let keys = r#""host-reservation-identifiers": [ "hw-address", "duid", "flex-id" ],
    "hooks-libraries": [ { "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_flex_id.so",
        "parameters": { "identifier-expression": "concat('lab-', hexstring(pkt4.mac, ':'))" } } ],"#;
    let hosts = format!(
        r#"{{ "duid": "{duid}", "ip-address": "198.51.100.201" }},
                        {{ "flex-id": "'{flex}'", "ip-address": "198.51.100.202" }}"#
    );
    config(iface, dir, keys, &hosts)
}

/// Runs dhclient with `extra` switches and its own lease file in `dir`;
/// returns what it logged.
fn dhclient(lab: &Lab, dir: &str, extra: &[&str]) -> String {
    std::fs::create_dir_all(dir).unwrap();
    let out = lab.dhclient(dir, extra).output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "dhclient:\n{said}");
    said
}

/// A lab, a scratch directory for the test `tag` and the client's MAC
/// (`02:...`).
fn lab(tag: &str) -> (Lab, String, String) {
    let lab = Lab::new(tag);
    let dir = std::env::temp_dir().join(format!("xdhcp-{tag}-{}", std::process::id()));
    let dir = dir.to_string_lossy().into_owned();
    std::fs::create_dir_all(&dir).unwrap();
    let mac: Vec<String> = lab.peer_mac().iter().map(|b| format!("{b:02x}")).collect();
    (lab, dir, mac.join(":"))
}

/// xdhcp serving `config`, written into `dir`.
fn serve(lab: &Lab, dir: &str, config: String) -> ServerProcess {
    let file = format!("{dir}/kea.conf");
    std::fs::write(&file, config).unwrap();
    let bin = env!("CARGO_BIN_EXE_xdhcp-controlplane");
    ServerProcess::start(lab.server_command(&[bin, "-c", &file]), "DHCP4_STARTED")
}

#[test]
fn dhclient_gets_its_address_by_duid_client_id_and_by_flex_id() {
    let (lab, dir, mac) = lab("rv");
    // dhclient -i -D LL identifies with a DUID-LL of its MAC (type 3,
    // hardware type 1) after an IAID, in a client-id of type 255.
    let duid = format!("00:03:00:01:{mac}");
    let flex = format!("lab-{mac}");
    let server = serve(&lab, &dir, ids_config(&lab.iface, &dir, &duid, &flex));

    // The DUID comes before flex-id in the configured order.
    let said = dhclient(&lab, &format!("{dir}/duid"), &["-i", "-D", "LL"]);
    assert!(said.contains("DHCPACK of 198.51.100.201"), "{said}");
    let lease = control(
        format!("{dir}/control.sock"),
        r#"{"command": "lease4-get", "arguments": {"ip-address": "198.51.100.201"}}"#,
    );
    let client_id = lease["arguments"]["client-id"].as_str().unwrap_or_default();
    assert!(
        client_id.starts_with("ff:") && client_id.ends_with(&duid),
        "an RFC 4361 client-id holding the DUID: {lease}"
    );

    // Without a client identifier, the flexible identifier finds its host.
    let said = dhclient(&lab, &format!("{dir}/flex"), &[]);
    assert!(said.contains("DHCPACK of 198.51.100.202"), "{said}");

    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A reservation by the client's MAC naming it, with a suffix to qualify.
fn named_config(iface: &str, dir: &str, mac: &str) -> String {
    let host = format!(r#"{{ "hw-address": "{mac}", "hostname": "Reserved-Laptop" }}"#);
    config(
        iface,
        dir,
        r#""ddns-qualifying-suffix": "lab.example","#,
        &host,
    )
}

#[test]
fn dhclient_sending_its_host_name_gets_the_reserved_one() {
    let (lab, dir, mac) = lab("rn");
    let server = serve(&lab, &dir, named_config(&lab.iface, &dir, &mac));

    let out = lab
        .dhclient_saying(&dir, r#"send host-name "my-laptop";"#, &[])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && said.contains("DHCPACK"),
        "dhclient:\n{said}"
    );
    let leases = std::fs::read_to_string(format!("{dir}/dhclient.leases")).unwrap();
    assert!(
        leases.contains(r#"option host-name "reserved-laptop.lab.example";"#),
        "the reserved name, qualified, in the client's lease:\n{leases}"
    );
    let address = leases
        .split("fixed-address ")
        .nth(1)
        .and_then(|rest| rest.split(';').next())
        .expect("a fixed-address in the lease file");
    let request =
        format!(r#"{{"command": "lease4-get", "arguments": {{"ip-address": "{address}"}}}}"#);
    let lease = control(format!("{dir}/control.sock"), &request);
    assert_eq!(
        lease["arguments"]["hostname"], "reserved-laptop.lab.example",
        "{lease}"
    );

    stop_daemon(&format!("{dir}/dhclient.pid"));
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
