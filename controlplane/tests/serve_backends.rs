//! `xdhcp-controlplane -c` serves a real dhclient over Kea's two socket
//! types, `"dhcp-socket-type": "raw"` (AF_PACKET) and `"udp"`, and shuts
//! down cleanly on SIGTERM. Needs root.

use xdhcp_dataplane::io::xdp::{ModePolicy, Ports, SteeringProgram};
use xdhcp_testlab::{enter, Lab, ServerProcess};

/// `socket_type` empty leaves `dhcp-socket-type` out (Kea's v4 default, raw).
fn config(iface: &str, socket_type: &str) -> String {
    let socket_type = match socket_type {
        "" => String::new(),
        t => format!(r#", "dhcp-socket-type": "{t}""#),
    };
    format!(
        r#"{{
  "Dhcp4": {{
    "interfaces-config": {{ "interfaces": [ "{iface}" ]{socket_type} }},
    "lease-database": {{ "type": "memfile", "persist": false }},
    "valid-lifetime": 900,
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

fn serves_dhclient_over(tag: &str, socket_type: &str, started: &str) {
    serves_dhclient_in(&Lab::new(tag), tag, socket_type, &[started], false);
}

/// Serves dhclient in `lab`; `warned` when the log must carry a WARN.
fn serves_dhclient_in(lab: &Lab, tag: &str, socket_type: &str, started: &[&str], warned: bool) {
    let dir = std::env::temp_dir().join(format!("xdhcp-serve-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let dir = dir.to_string_lossy().into_owned();
    let file = format!("{dir}/kea.conf");
    std::fs::write(&file, config(&lab.iface, socket_type)).unwrap();
    let server = start(lab, &file);
    for line in started {
        assert!(server.output().contains(line), "{}", server.output());
    }

    let leases = format!("{dir}/dhclient.leases");
    let out = lab
        .client_command(&[
            "timeout",
            "30",
            "dhclient",
            "-4",
            "-1",
            "-v",
            "-sf",
            "/bin/true",
            "-lf",
            &leases,
            "-pf",
            &format!("{dir}/dhclient.pid"),
            &lab.peer,
        ])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "dhclient:\n{said}");
    assert!(
        said.contains("DHCPACK of 198.51.100.50 from 198.51.100.1"),
        "{said}"
    );
    let lease = std::fs::read_to_string(&leases).unwrap();
    assert!(lease.contains("fixed-address 198.51.100.50;"), "{lease}");
    assert!(lease.contains("option routers 198.51.100.1;"), "{lease}");
    assert!(
        lease.contains("option domain-name \"serve.example\";"),
        "{lease}"
    );
    assert!(lease.contains("option dhcp-lease-time 900;"), "{lease}");

    let log = server.stop("DHCP4_SHUTDOWN");
    assert_eq!(log.contains("WARN"), warned, "{log}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn socket_type_raw_serves_over_af_packet() {
    serves_dhclient_over("sr", "raw", "over a raw (AF_PACKET) socket");
}

#[test]
fn socket_type_udp_serves_over_a_udp_socket() {
    serves_dhclient_over("su", "udp", "over a UDP socket");
}

#[test]
fn without_a_socket_type_raw_is_the_v4_default() {
    serves_dhclient_over("sd", "", "over a raw (AF_PACKET) socket");
}

#[test]
fn xdp_falls_back_to_raw_when_the_interface_has_a_program() {
    let lab = Lab::new("sx");
    // Another XDP program holds the interface (native mode, where veth
    // allows only one): the server cannot attach its own in either mode.
    enter(&lab.server);
    let _other = SteeringProgram::attach(&lab.iface, Ports::SERVER, ModePolicy::NativeOnly)
        .expect("native XDP on veth");
    let said = ["DHCP4_XDP_UNAVAILABLE", "over a raw (AF_PACKET) socket"];
    serves_dhclient_in(&lab, "sx", "xdp", &said, true);
}
