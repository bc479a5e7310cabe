//! `xdhcp-dataplane` serves on its own from the snapshot that
//! `xdhcp-controlplane -t CONFIG --write-snapshot FILE` writes: a real
//! dhclient gets a lease, a rewritten snapshot is swapped in on SIGHUP (the
//! next exchange carries the new option), the lease journal survives a
//! restart of the dataplane, and a file that is not a snapshot stops it
//! with the reason. Across the split, `xdhcp-controlplane -c --dataplane`
//! hands each configuration to `xdhcp-dataplane --listen` (DHCPv4 and
//! DHCPv6), passes the lease commands on and reads the statistics and
//! metrics from the dataplane's counters; the dataplane outlives a control
//! plane restart, a dataplane that starts again gets the configuration
//! back unasked, and a change the dataplane cannot take (or a statistic it
//! cannot be asked for) fails with the reason. Needs root.

use std::path::Path;

use xdhcp_testlab::{scratch_dir, stop_daemon, workspace_binary, Lab, ServerProcess};

/// A Dhcp4 server on `iface` whose subnet hands out `domain`, its leases
/// journalled in `dir`.
fn config(iface: &str, dir: &str, domain: &str) -> String {
    format!(
        r#"{{ "Dhcp4": {{
    "interfaces-config": {{ "interfaces": [ "{iface}" ] }},
    "lease-database": {{ "type": "memfile", "persist": true, "name": "{dir}/leases4.csv" }},
    "valid-lifetime": 900,
    "subnet4": [ {{
      "id": 7, "subnet": "198.51.100.0/24",
      "pools": [ {{ "pool": "198.51.100.50 - 198.51.100.59", "pool-id": 3 }} ],
      "option-data": [ {{ "name": "routers", "data": "198.51.100.1" }},
                       {{ "name": "domain-name", "data": "{domain}" }} ]
    }} ]
  }} }}"#
    )
}

/// Checks `config` and writes its snapshot to `out`, as an operator would.
fn write_snapshot(lab: &Lab, config: &Path, out: &Path) {
    let bin = env!("CARGO_BIN_EXE_xdhcp-controlplane");
    let args = [bin, "-t", config.to_str().unwrap(), "--write-snapshot"];
    let run = lab
        .server_command(&args)
        .arg(out)
        .output()
        .expect("xdhcp-controlplane");
    let said = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(said.contains("snapshot written to"), "{said}");
}

/// A dhclient exchange in the client namespace; returns the lease file.
fn lease(lab: &Lab, dir: &str) -> String {
    let out = lab.dhclient(dir, &[]).output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "dhclient:\n{said}");
    assert!(said.contains("DHCPACK of 198.51.100.50"), "{said}");
    // The daemon it left would renew on its own; the next exchange is ours.
    stop_daemon(&format!("{dir}/dhclient.pid"));
    std::fs::read_to_string(format!("{dir}/dhclient.leases")).unwrap()
}

/// The `xdhcp-dataplane` binary, built beside this package's.
fn dataplane_binary() -> String {
    let controlplane = env!("CARGO_BIN_EXE_xdhcp-controlplane");
    let built = workspace_binary(controlplane, "xdhcp-dataplane", "xdhcp-dataplane");
    built.to_str().unwrap().to_string()
}

/// `xdhcp-dataplane --listen CHANNEL`, waiting for its first snapshot.
fn listening_dataplane(lab: &Lab, channel: &str) -> ServerProcess {
    let command = lab.server_command(&[&dataplane_binary(), "--listen", channel]);
    ServerProcess::start(command, "XDHCP_DATAPLANE_WAITING")
}

/// Where the control plane serves `/metrics`, in the server namespace.
const METRICS: &str = "127.0.0.1:9548";

/// `xdhcp-controlplane -c CONF --dataplane CHANNEL --metrics METRICS`,
/// once its API and metrics are up.
fn handing_controlplane(lab: &Lab, conf: &Path, channel: &str) -> ServerProcess {
    let bin = env!("CARGO_BIN_EXE_xdhcp-controlplane");
    let conf = conf.to_str().unwrap();
    let args = [
        bin,
        "-c",
        conf,
        "--dataplane",
        channel,
        "--metrics",
        METRICS,
    ];
    ServerProcess::start(lab.server_command(&args), "METRICS_LISTENER_OPENED")
}

/// A scrape of the control plane's `/metrics`: HTTP status and body.
fn scrape(lab: &Lab) -> (String, String) {
    let url = format!("http://{METRICS}/metrics");
    let args = ["curl", "-s", "-w", "\n%{http_code}", &url];
    let out = lab.server_command(&args).output().expect("curl");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, status) = text.rsplit_once('\n').unwrap_or_default();
    (status.to_string(), body.to_string())
}

#[test]
fn the_dataplane_serves_a_snapshot_on_its_own() {
    let lab = Lab::new("dps");
    let scratch = scratch_dir("dataplane-process");
    let dir = scratch.to_str().unwrap();
    let (conf, snapshot) = (scratch.join("kea.conf"), scratch.join("snapshot"));
    let dataplane = dataplane_binary();
    let dataplane = dataplane.as_str();
    let start = || {
        let command = lab.server_command(&[dataplane, "--snapshot", snapshot.to_str().unwrap()]);
        ServerProcess::start(command, "DHCP4_STARTED")
    };

    std::fs::write(&conf, config(&lab.iface, dir, "first.example")).unwrap();
    write_snapshot(&lab, &conf, &snapshot);
    let mut server = start();
    let first = lease(&lab, dir);
    assert!(
        first.contains("option domain-name \"first.example\";"),
        "{first}"
    );
    assert!(first.contains("option routers 198.51.100.1;"), "{first}");

    // A new snapshot, swapped in on SIGHUP while serving.
    std::fs::write(&conf, config(&lab.iface, dir, "second.example")).unwrap();
    write_snapshot(&lab, &conf, &snapshot);
    server.signal(libc::SIGHUP);
    server.wait_for("DHCP4_DYNAMIC_RECONFIGURATION ");
    let second = lease(&lab, dir);
    assert!(
        second.contains("option domain-name \"second.example\";"),
        "{second}"
    );
    let log = server.stop("DHCP4_SHUTDOWN");
    assert!(!log.contains("WARN"), "{log}");

    // The journal keeps the lease across a restart.
    let log = start().stop("DHCP4_SHUTDOWN");
    assert!(log.contains("1 lease(s) loaded"), "{log}");

    // Not a snapshot: exit 1, saying why.
    std::fs::write(&snapshot, "{ \"Dhcp4\": {} }").unwrap();
    let out = lab
        .server_command(&[
            "timeout",
            "20",
            dataplane,
            "--snapshot",
            snapshot.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("not an xdhcp snapshot file"), "{said}");
    let _ = std::fs::remove_dir_all(&scratch);
}

/// [`config`] with a control socket in `dir`.
fn controlled(iface: &str, dir: &str, domain: &str) -> String {
    config(iface, dir, domain).replacen(
        r#""valid-lifetime""#,
        &format!(
            r#""control-socket": {{ "socket-type": "unix", "socket-name": "{dir}/control.sock" }},
    "valid-lifetime""#
        ),
        1,
    )
}

#[test]
fn the_control_plane_hands_configurations_to_a_running_dataplane() {
    let lab = Lab::new("dpc");
    let scratch = scratch_dir("dataplane-channel");
    let dir = scratch.to_str().unwrap();
    let conf = scratch.join("kea.conf");
    let channel = format!("{dir}/dataplane.sock");
    let control = format!("{dir}/control.sock");
    let start_controlplane = || handing_controlplane(&lab, &conf, &channel);

    // The dataplane waits on its channel; the control plane's start hands
    // it the first configuration, and serving begins.
    let mut dp = listening_dataplane(&lab, &channel);
    let mode = std::fs::metadata(&channel).unwrap();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&mode.permissions()) & 0o777,
        0o600
    );
    std::fs::write(&conf, controlled(&lab.iface, dir, "first.example")).unwrap();
    let cp = start_controlplane();
    assert!(
        cp.output().contains("XDHCP_DATAPLANE_CONFIGURED"),
        "{}",
        cp.output()
    );
    dp.wait_for("DHCP4_STARTED");
    let first = lease(&lab, dir);
    assert!(
        first.contains("option domain-name \"first.example\";"),
        "{first}"
    );

    // config-set reaches the dataplane before it answers.
    let next: serde_json::Value =
        serde_json::from_str(&controlled(&lab.iface, dir, "second.example")).unwrap();
    let request = serde_json::json!({ "command": "config-set", "arguments": next });
    let set = xdhcp_testlab::control(&control, &request.to_string());
    assert_eq!(set["result"], 0, "{set}");
    dp.wait_for("configuration reloaded from the control plane");
    let second = lease(&lab, dir);
    assert!(
        second.contains("option domain-name \"second.example\";"),
        "{second}"
    );

    // The leases live in the dataplane: the control plane passes the
    // lease commands on, and reads the statistics from its counters.
    let ask = |request: &str| xdhcp_testlab::control(&control, request);
    let statistic = |name: &str| {
        let request = serde_json::json!({ "command": "statistic-get",
                                          "arguments": { "name": name } });
        let got = ask(&request.to_string());
        assert_eq!(got["result"], 0, "{got}");
        got["arguments"][name][0][0].as_i64().unwrap_or(-1)
    };
    assert_eq!(statistic("subnet[7].assigned-addresses"), 1);
    assert_eq!(statistic("subnet[7].pool[3].total-addresses"), 10);
    assert!(statistic("pkt4-ack-sent") >= 2, "two exchanges so far");
    let get = r#"{"command": "lease4-get", "arguments": {"ip-address": "198.51.100.50"}}"#;
    let found = ask(get);
    assert_eq!(found["result"], 0, "{found}");
    assert_eq!(found["arguments"]["ip-address"], "198.51.100.50", "{found}");
    let del = r#"{"command": "lease4-del", "arguments": {"ip-address": "198.51.100.50"}}"#;
    assert_eq!(ask(del)["result"], 0);
    assert_eq!(ask(get)["result"], 3, "deleted in the dataplane's store");
    assert_eq!(statistic("subnet[7].assigned-addresses"), 0);
    let reset = r#"{"command": "statistic-reset", "arguments": {"name": "pkt4-ack-sent"}}"#;
    assert_eq!(ask(reset)["result"], 0);
    assert_eq!(statistic("pkt4-ack-sent"), 0);
    let rows = ask(r#"{"command": "stat-lease4-get"}"#);
    assert_eq!(rows["result"], 0, "{rows}");
    assert_eq!(rows["arguments"]["result-set"]["rows"][0][0], 7, "{rows}");
    assert_eq!(rows["arguments"]["result-set"]["rows"][0][1], 10, "{rows}");
    let (status, metrics) = scrape(&lab);
    assert_eq!(status, "200", "{metrics}");
    for series in [
        r#"kea_dhcp4_addresses_total{subnet="198.51.100.0/24",subnet_id="7",pool=""} 10"#,
        r#"kea_dhcp4_packets_sent_total{operation="ack"} 0"#,
        "xdhcp_worker_packets_received_total{",
        "xdhcp_response_latency_seconds_bucket{",
        r#"xdhcp_journal_unflushed_records{service="dhcp4",policy="#,
    ] {
        assert!(metrics.contains(series), "{series} in\n{metrics}");
    }

    // The control plane stops; the dataplane serves on, and takes the
    // configuration again from the next control plane.
    cp.stop("DHCP4_SHUTDOWN");
    let again = lease(&lab, dir);
    assert!(
        again.contains("option domain-name \"second.example\";"),
        "{again}"
    );
    let mut cp = start_controlplane();
    assert!(
        cp.output().contains("XDHCP_DATAPLANE_CONFIGURED"),
        "{}",
        cp.output()
    );

    let log = dp.stop("DHCP4_SHUTDOWN");
    assert!(!log.contains("WARN"), "{log}");

    // With no dataplane to read, statistics and scrapes say why.
    let gone = ask(r#"{"command": "statistic-get-all"}"#);
    assert_eq!(gone["result"], 1, "{gone}");
    let text = gone["text"].as_str().unwrap();
    assert!(
        text.contains(&format!("dataplane channel {channel}")),
        "{gone}"
    );
    let (status, said) = scrape(&lab);
    assert_eq!(status, "503", "{said}");

    // With no dataplane to take it, config-set fails and the running
    // configuration stays.
    let third: serde_json::Value =
        serde_json::from_str(&controlled(&lab.iface, dir, "third.example")).unwrap();
    let request = serde_json::json!({ "command": "config-set", "arguments": third });
    let refused = xdhcp_testlab::control(&control, &request.to_string());
    assert_eq!(refused["result"], 1, "{refused}");
    let text = refused["text"].as_str().unwrap();
    assert!(
        text.contains(&format!("dataplane channel {channel}")),
        "{refused}"
    );
    // (The restarted control plane read the file, as Kea does: config-set
    // is not written back without config-write.)
    let running = xdhcp_testlab::control(&control, r#"{"command": "config-get"}"#).to_string();
    assert!(
        running.contains("first.example") && !running.contains("third"),
        "{running}"
    );

    // The control plane noticed, once; a dataplane that starts again gets
    // the running configuration from it unasked, and counts from 0: the
    // reset made before no longer applies (it would make the count
    // negative).
    cp.wait_for("XDHCP_DATAPLANE_UNAVAILABLE");
    let mut dp = listening_dataplane(&lab, &channel);
    dp.wait_for("DHCP4_STARTED");
    let back = lease(&lab, dir);
    assert!(
        back.contains("option domain-name \"first.example\";"),
        "{back}"
    );
    assert!(statistic("pkt4-ack-sent") >= 1);
    let log = cp.stop("DHCP4_SHUTDOWN");
    assert!(log.contains("which started anew"), "{log}");
    assert_eq!(
        log.matches("XDHCP_DATAPLANE_UNAVAILABLE").count(),
        1,
        "{log}"
    );
    dp.stop("DHCP4_SHUTDOWN");
    let _ = std::fs::remove_dir_all(&scratch);
}

/// DHCPv6 across the split: the dataplane answers with the server DUID the
/// control plane keeps in the data directory and handed over in the
/// snapshot.
#[test]
fn dhcpv6_is_served_across_the_split_with_the_kept_server_duid() {
    let lab = Lab::new("dp6");
    let scratch = scratch_dir("dataplane-v6");
    let dir = scratch.to_str().unwrap();
    let iface = &lab.iface;
    let conf = scratch.join("kea.conf");
    std::fs::write(
        &conf,
        format!(
            r#"{{ "Dhcp6": {{
    "interfaces-config": {{ "interfaces": [ "{iface}" ] }},
    "control-socket": {{ "socket-type": "unix", "socket-name": "{dir}/control.sock" }},
    "data-directory": "{dir}",
    "lease-database": {{ "type": "memfile", "persist": false }},
    "preferred-lifetime": 3000, "valid-lifetime": 4000,
    "option-data": [ {{ "name": "dns-servers", "data": "2001:db8:7::53" }} ],
    "subnet6": [ {{ "id": 6, "subnet": "2001:db8:7::/64", "interface": "{iface}",
                    "pools": [ {{ "pool": "2001:db8:7::100 - 2001:db8:7::1ff" }} ] }} ]
  }} }}"#
        ),
    )
    .unwrap();
    let channel = format!("{dir}/dataplane.sock");
    let mut dp = listening_dataplane(&lab, &channel);
    let cp = handing_controlplane(&lab, &conf, &channel);
    dp.wait_for("DHCP4_STARTED");

    let out = lab.dhclient6(dir, "na", &[]).output().unwrap();
    let leases = std::fs::read_to_string(format!("{dir}/na.leases")).unwrap_or_default();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stop_daemon(&format!("{dir}/na.pid"));
    assert!(leases.contains("iaaddr 2001:db8:7::100"), "{leases}");
    assert!(
        leases.contains("option dhcp6.name-servers 2001:db8:7::53;"),
        "{leases}"
    );
    let duid = std::fs::read_to_string(format!("{dir}/kea-dhcp6-serverid")).unwrap();
    let as_dhclient_writes: Vec<String> = duid
        .trim()
        .split(':')
        .map(|b| format!("{:x}", u8::from_str_radix(b, 16).unwrap()))
        .collect();
    let server_id = format!("option dhcp6.server-id {};", as_dhclient_writes.join(":"));
    assert!(leases.contains(&server_id), "{duid}\n{leases}");
    let all = xdhcp_testlab::control(
        format!("{dir}/control.sock"),
        r#"{"command": "lease6-get-all"}"#,
    );
    assert_eq!(all["result"], 0, "{all}");
    assert_eq!(
        all["arguments"]["leases"][0]["ip-address"], "2001:db8:7::100",
        "{all}"
    );
    cp.stop("DHCP4_SHUTDOWN");
    dp.stop("DHCP4_SHUTDOWN");
    let _ = std::fs::remove_dir_all(&scratch);
}
