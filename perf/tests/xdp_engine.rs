//! `xdhcp-perf --xdp`: directly connected clients simulated at layer 2 over
//! AF_XDP, against xdhcp serving the other end of a veth over AF_XDP.
//! Every request of a fixed number of exchanges is answered: DORA for v4,
//! SOLICIT/ADVERTISE/REQUEST/REPLY from each client's own link-local
//! address for v6 (addresses, prefixes, both; renewals and releases), on
//! one queue and with one generator thread per queue of a two-queue veth.
//! Needs root (network namespaces, XDP).

use std::path::{Path, PathBuf};

use serde_json::Value;
use xdhcp_testlab::{scratch_dir, workspace_binary, Lab, ServerProcess};

const XDHCP_PERF: &str = env!("CARGO_BIN_EXE_xdhcp-perf");

/// `xdhcp-controlplane`, built beside `xdhcp-perf`.
fn controlplane() -> PathBuf {
    workspace_binary(XDHCP_PERF, "xdhcp-controlplane", "xdhcp-controlplane")
}

/// Both families served over AF_XDP on the lab's link, with pools large
/// enough that no run exhausts them.
fn serve(lab: &Lab, dir: &Path) -> ServerProcess {
    let conf = dir.join("kea.conf");
    std::fs::write(
        &conf,
        format!(
            r#"{{ "Dhcp4": {{
  "interfaces-config": {{ "interfaces": [ "{iface}" ], "dhcp-socket-type": "xdp" }},
  "lease-database": {{ "type": "memfile", "persist": false }},
  "subnet4": [ {{ "id": 1, "subnet": "10.0.0.0/8", "interface": "{iface}",
                 "pools": [ {{ "pool": "10.0.0.1 - 10.255.255.250" }} ] }} ] }},
  "Dhcp6": {{
  "interfaces-config": {{ "interfaces": [ "{iface}" ], "dhcp-socket-type": "xdp" }},
  "data-directory": "{dir}",
  "lease-database": {{ "type": "memfile", "persist": false }},
  "preferred-lifetime": 3000, "valid-lifetime": 4000,
  "subnet6": [ {{ "id": 6, "subnet": "2001:db8:7::/64", "interface": "{iface}",
                 "pools": [ {{ "pool": "2001:db8:7::1:0/96" }} ],
                 "pd-pools": [ {{ "prefix": "2001:db8:8000::", "prefix-len": 34, "delegated-len": 64 }} ] }} ] }} }}"#,
            iface = lab.iface,
            dir = dir.display()
        ),
    )
    .unwrap();
    let cp = controlplane();
    ServerProcess::start(
        lab.server_command(&[cp.to_str().unwrap(), "-c", conf.to_str().unwrap()]),
        "DHCP4_STARTED",
    )
}

/// Runs xdhcp-perf in the client namespace with `args` and `--json`.
fn perf(lab: &Lab, args: &[&str]) -> Value {
    let mut all = vec![XDHCP_PERF, "-l", &lab.peer, "--json"];
    all.extend(args);
    let out = lab.client_command(&all).output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{said}", String::from_utf8_lossy(&out.stdout)));
    assert_eq!(report["local_limit"], 0, "{report}\n{said}");
    assert_eq!(report["malformed"], 0, "{report}");
    report
}

/// Every exchange of `report` in `which` sent `n` and got `n` granted replies.
fn all_answered(report: &Value, which: &[usize], n: u64) {
    assert_eq!(report["exit_code"], 0, "{report}");
    for &i in which {
        let e = &report["exchanges"][i];
        assert_eq!(e["sent"], n, "{report}");
        assert_eq!(e["received"], n, "{report}");
        assert_eq!(e["rejected"], 0, "{report}");
        assert_eq!(e["orphans"], 0, "{report}");
    }
}

#[test]
fn layer2_clients_complete_every_dora_and_sarr_over_af_xdp() {
    let lab = Lab::new("px");
    let dir = scratch_dir("perf-xdp");
    let server = serve(&lab, &dir);
    let fresh = ["-R", "1000000", "-W", "2000000"];

    let v4 = perf(
        &lab,
        &[&["-4", "--xdp", "-r", "4000", "-n", "4000"], &fresh[..]].concat(),
    );
    all_answered(&v4, &[0, 1], 4000);
    assert_eq!(v4["threads"], 1, "{v4}");

    for lease_type in ["address-only", "prefix-only", "address-and-prefix"] {
        let args = ["-6", "--xdp", "-e", lease_type, "-r", "2000", "-n", "2000"];
        let v6 = perf(&lab, &[&args[..], &fresh[..]].concat());
        assert_eq!(v6["exchanges"][0]["name"], "SOLICIT-ADVERTISE", "{v6}");
        all_answered(&v6, &[0, 1], 2000);
    }

    // Renewals and releases of leases acquired earlier in the run: every
    // one sent is answered (a v6 RELEASE gets a REPLY).
    let args = ["-6", "--xdp", "-e", "address-and-prefix", "-r", "1000"];
    let v6 = perf(
        &lab,
        &[
            &args[..],
            &["-f", "300", "-F", "200", "-p", "3"],
            &fresh[..],
        ]
        .concat(),
    );
    assert_eq!(v6["exit_code"], 0, "{v6}");
    for (i, name) in [(2, "RENEW-REPLY"), (3, "RELEASE-REPLY")] {
        let e = &v6["exchanges"][i];
        assert_eq!(e["name"], name, "{v6}");
        assert!(e["sent"].as_u64().unwrap() > 100, "{v6}");
        assert_eq!(e["received"], e["sent"], "{v6}");
        assert_eq!(e["rejected"], 0, "{v6}");
    }
    server.stop("DHCP4_SHUTDOWN");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn one_generator_thread_per_queue_of_a_two_queue_link() {
    let lab = Lab::with_queues("pq", 2);
    let dir = scratch_dir("perf-xdp-mq");
    let server = serve(&lab, &dir);
    assert!(
        server.output().contains("over 2 AF_XDP queue(s)"),
        "{}",
        server.output()
    );
    let fresh = ["-R", "1000000", "-W", "2000000"];
    // Each thread sends on its queue; the veth delivers on the server's
    // queue of the same number, whose worker answers on it, so every reply
    // comes back to the thread that owns its client.
    let v4 = perf(
        &lab,
        &[&["-4", "--xdp", "-r", "4000", "-n", "4000"], &fresh[..]].concat(),
    );
    assert_eq!(v4["threads"], 2, "{v4}");
    all_answered(&v4, &[0, 1], 4000);
    let args = [
        "-6",
        "--xdp",
        "-e",
        "address-and-prefix",
        "-r",
        "2000",
        "-n",
        "2001",
    ];
    let v6 = perf(&lab, &[&args[..], &fresh[..]].concat());
    assert_eq!(v6["threads"], 2, "{v6}");
    all_answered(&v6, &[0, 1], 2001);
    server.stop("DHCP4_SHUTDOWN");
    let _ = std::fs::remove_dir_all(&dir);
}
