//! `xdhcp-perf --xdp`: directly connected clients simulated at layer 2 over
//! AF_XDP, against xdhcp serving the other end of a veth over AF_XDP.
//! Every DISCOVER and REQUEST of a fixed number of exchanges is answered.
//! Needs root (network namespaces, XDP).

use std::path::PathBuf;

use serde_json::Value;
use xdhcp_testlab::{Lab, ServerProcess};

const XDHCP_PERF: &str = env!("CARGO_BIN_EXE_xdhcp-perf");

/// `xdhcp-controlplane`, built beside `xdhcp-perf` by `cargo test --workspace`.
fn controlplane() -> PathBuf {
    let bin = PathBuf::from(XDHCP_PERF).with_file_name("xdhcp-controlplane");
    assert!(
        bin.exists(),
        "{} is missing: build it first (cargo build -p xdhcp-controlplane)",
        bin.display()
    );
    bin
}

#[test]
fn layer2_clients_complete_every_dora_over_af_xdp() {
    let lab = Lab::new("px");
    let dir = std::env::temp_dir().join(format!("xdhcp-perf-xdp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let conf = dir.join("kea.conf");
    // The clients' link is the interface itself: a subnet bound to it by
    // name, large enough that no run exhausts it.
    std::fs::write(
        &conf,
        format!(
            r#"{{ "Dhcp4": {{
  "interfaces-config": {{ "interfaces": [ "{iface}" ], "dhcp-socket-type": "xdp" }},
  "lease-database": {{ "type": "memfile", "persist": false }},
  "subnet4": [ {{ "id": 1, "subnet": "10.0.0.0/8", "interface": "{iface}",
                 "pools": [ {{ "pool": "10.0.0.1 - 10.255.255.250" }} ] }} ] }} }}"#,
            iface = lab.iface
        ),
    )
    .unwrap();
    let cp = controlplane();
    let server = ServerProcess::start(
        lab.server_command(&[cp.to_str().unwrap(), "-c", conf.to_str().unwrap()]),
        "DHCP4_STARTED",
    );

    let out = lab
        .client_command(&[
            XDHCP_PERF, "-4", "--xdp", "-l", &lab.peer, "-r", "4000", "-n", "4000", "-R",
            "1000000", "-W", "2000000", "--json",
        ])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{said}", String::from_utf8_lossy(&out.stdout)));
    assert_eq!(report["exit_code"], 0, "{report}\n{said}");
    assert_eq!(report["local_limit"], 0, "{report}");
    for exchange in [0, 1] {
        let e = &report["exchanges"][exchange];
        assert_eq!(e["sent"], 4000, "{report}");
        assert_eq!(e["received"], 4000, "{report}");
        assert_eq!(e["rejected"], 0, "{report}");
    }
    server.stop("DHCP4_SHUTDOWN");
    let _ = std::fs::remove_dir_all(&dir);
}
