//! `xdhcp-controlplane -c` serves a real dhclient over Kea's two socket
//! types, `"dhcp-socket-type": "raw"` (AF_PACKET) and `"udp"`, and shuts
//! down cleanly on SIGTERM. Needs root.

use xdhcp_dataplane::io::xdp::{ModePolicy, Ports, SteeringProgram};
use xdhcp_testlab::{enter, Lab, ServerProcess};

/// `socket_type` empty leaves `dhcp-socket-type` out (Kea's v4 default, raw).
fn config(iface: &str, socket_type: &str) -> String {
    config_with(iface, socket_type, "")
}

/// [`config`] with more `interfaces-config` keys (`extra` starts with a comma).
fn config_with(iface: &str, socket_type: &str, extra: &str) -> String {
    let socket_type = match socket_type {
        "" => String::new(),
        t => format!(r#", "dhcp-socket-type": "{t}""#),
    };
    format!(
        r#"{{
  "Dhcp4": {{
    "interfaces-config": {{ "interfaces": [ "{iface}" ]{socket_type}{extra} }},
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

/// Runs the server on `config` in `lab`, expecting it to give up: exit 1
/// within a few seconds. Returns its output.
fn fails_to_start(lab: &Lab, tag: &str, config: &str) -> String {
    let dir = std::env::temp_dir().join(format!("xdhcp-serve-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("kea.conf");
    std::fs::write(&file, config).unwrap();
    let bin = env!("CARGO_BIN_EXE_xdhcp-controlplane");
    let out = lab
        .server_command(&["timeout", "20", bin, "-c", file.to_str().unwrap()])
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
    text
}

/// `service-sockets-require-all` is how an operator insists on the
/// configured socket type: `xdp` then does not fall back to `raw`, and the
/// server exits 1 as Kea does when a socket cannot be opened.
#[test]
fn xdp_does_not_fall_back_when_every_socket_is_required() {
    let lab = Lab::new("sq");
    enter(&lab.server);
    let _other = SteeringProgram::attach(&lab.iface, Ports::SERVER, ModePolicy::NativeOnly)
        .expect("native XDP on veth");
    let required = r#", "service-sockets-require-all": true"#;
    let log = fails_to_start(&lab, "sq", &config_with(&lab.iface, "xdp", required));
    assert!(log.contains("DHCPSRV_OPEN_SOCKET_FAIL"), "{log}");
    assert!(
        log.contains("maximum number of open service sockets attempts: 1, has been exhausted"),
        "{log}"
    );
    assert!(!log.contains("DHCP4_XDP_UNAVAILABLE"), "{log}");
}

/// A port another process holds: Kea's retries (`service-sockets-max-retries`
/// attempts more, `service-sockets-retry-wait-time` apart), then either
/// exit 1 (`service-sockets-require-all`) or serve on without the interface.
#[test]
fn a_socket_that_cannot_open_is_retried_then_required_or_skipped() {
    let lab = Lab::new("sp");
    enter(&lab.server);
    let _holder = std::net::UdpSocket::bind("0.0.0.0:67").expect("port 67 in the lab namespace");
    let retried = r#", "service-sockets-max-retries": 2, "service-sockets-retry-wait-time": 100"#;
    let required = format!(r#"{retried}, "service-sockets-require-all": true"#);
    let log = fails_to_start(&lab, "sp", &config_with(&lab.iface, "udp", &required));
    assert_eq!(log.matches("DHCPSRV_OPEN_SOCKET_FAIL").count(), 3, "{log}");
    assert!(log.contains("attempts: 3, has been exhausted"), "{log}");

    // Not required: the server runs without the interface and says so
    // (and that it cannot route replies out of another interface).
    let dir = std::env::temp_dir().join(format!("xdhcp-serve-sp2-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("kea.conf");
    let unsupported = format!(r#"{retried}, "outbound-interface": "use-routing""#);
    std::fs::write(&file, config_with(&lab.iface, "udp", &unsupported)).unwrap();
    let bin = env!("CARGO_BIN_EXE_xdhcp-controlplane");
    let server = ServerProcess::start(
        lab.server_command(&[bin, "-c", file.to_str().unwrap()]),
        "DHCP4_OPEN_SOCKETS_FAILED",
    );
    assert!(
        server.output().contains("serving without it"),
        "{}",
        server.output()
    );
    // Said once, at start, as a key accepted without effect.
    let log = server.output();
    let warned: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("DHCP4_CONFIG_KEY_NO_EFFECT"))
        .collect();
    assert_eq!(warned.len(), 1, "{log}");
    assert!(warned[0].contains(" WARN "), "{log}");
    assert!(
        warned[0].ends_with(
            "DHCP4_CONFIG_KEY_NO_EFFECT Dhcp4.interfaces-config.outbound-interface: has no \
             effect: every backend answers on the interface the request came in on \
             (same-as-inbound)"
        ),
        "{log}"
    );
    server.stop("DHCP4_SHUTDOWN");
    let _ = std::fs::remove_dir_all(&dir);
}
