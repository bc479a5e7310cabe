//! `xdhcp-controlplane -c` with an operator's Kea configuration serves a
//! real dhclient over AF_XDP, and shuts down cleanly on SIGTERM. Needs root.

use xdhcp_testlab::{control, Lab, ServerProcess};

fn config(iface: &str, dir: &str) -> String {
    format!(
        r#"{{
  // Kea's own syntax, comments included.
  "Dhcp4": {{
    "interfaces-config": {{ "interfaces": [ "{iface}" ], "dhcp-socket-type": "xdp" }},
    "lease-database": {{ "type": "memfile", "persist": true, "name": "{dir}/leases4.csv" }},
    "control-socket": {{ "socket-type": "unix", "socket-name": "{dir}/control.sock" }},
    "valid-lifetime": 900,
    "option-data": [ {{ "name": "domain-name-servers", "data": "198.51.100.53, 198.51.100.54" }} ],
    "subnet4": [ {{
      "id": 7, "subnet": "198.51.100.0/24",
      "pools": [ {{ "pool": "198.51.100.50 - 198.51.100.59" }} ],
      "option-data": [ {{ "name": "routers", "data": "198.51.100.1" }},
                       {{ "name": "domain-name", "data": "serve.example" }} ]
    }} ]
  }}
}}"#
    )
}

/// `xdhcp-controlplane -c FILE` in the lab's server namespace, once it
/// serves.
fn start(lab: &Lab, file: &str) -> ServerProcess {
    let bin = env!("CARGO_BIN_EXE_xdhcp-controlplane");
    ServerProcess::start(lab.server_command(&[bin, "-c", file]), "DHCP4_STARTED")
}

#[test]
fn a_kea_config_serves_dhclient_and_keeps_its_leases() {
    let lab = Lab::new("sv");
    let dir = std::env::temp_dir().join(format!("xdhcp-serve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let dir = dir.to_string_lossy().into_owned();
    let file = format!("{dir}/kea.conf");
    std::fs::write(&file, config(&lab.iface, &dir)).unwrap();
    let server = start(&lab, &file);

    let leases = format!("{dir}/dhclient.leases");
    let out = lab.dhclient(&dir, &[]).output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "dhclient:\n{said}");
    assert!(
        said.contains("DHCPACK of 198.51.100.50 from 198.51.100.1"),
        "{said}"
    );
    let lease = std::fs::read_to_string(&leases).unwrap();
    assert!(
        lease.contains("option domain-name-servers 198.51.100.53,198.51.100.54;"),
        "{lease}"
    );
    assert!(
        lease.contains("option domain-name \"serve.example\";"),
        "{lease}"
    );
    assert!(lease.contains("option dhcp-lease-time 900;"), "{lease}");

    // The statistics saw the exchange, under Kea's names.
    let stats = control(
        format!("{dir}/control.sock"),
        r#"{"command": "statistic-get-all"}"#,
    );
    let value = |name: &str| stats["arguments"][name][0][0].as_u64().unwrap_or(u64::MAX);
    assert_eq!(value("pkt4-discover-received"), 1, "{stats}");
    assert_eq!(value("pkt4-request-received"), 1, "{stats}");
    assert_eq!(value("pkt4-offer-sent"), 1, "{stats}");
    assert_eq!(value("pkt4-ack-sent"), 1, "{stats}");
    assert_eq!(value("subnet[7].total-addresses"), 10, "{stats}");
    assert_eq!(value("subnet[7].assigned-addresses"), 1, "{stats}");
    let lease = control(
        format!("{dir}/control.sock"),
        r#"{"command": "lease4-get", "arguments": {"ip-address": "198.51.100.50"}}"#,
    );
    assert_eq!(lease["result"], 0, "{lease}");

    // SIGTERM: the server stops, reports its XDP counters and exits 0.
    let log = server.stop("DHCP4_SHUTDOWN");
    assert!(
        log.contains("redirected: 2"),
        "DISCOVER and REQUEST went through AF_XDP: {log}"
    );

    // The lease journal survives: a restart loads the lease.
    let again = start(&lab, &file);
    let log = again.stop("DHCP4_SHUTDOWN");
    assert!(log.contains("1 lease(s) loaded"), "{log}");
    let _ = std::fs::remove_dir_all(&dir);
}
