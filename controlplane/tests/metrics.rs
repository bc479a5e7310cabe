//! Statistics and metrics under real load and real scrapers: xdhcp-perf
//! drives an exact number of relayed DORA exchanges through xdhcp (AF_XDP)
//! in a namespace lab; the packet counters match what it sent and got; a
//! real Prometheus, inside the lab's server namespace, scrapes `/metrics`
//! (with basic auth) and its PromQL API returns the subnet's assigned
//! addresses equal to the lease count; the community kea-exporter, pointed
//! at xdhcp's HTTP control API, exports nothing that `/metrics` lacks.
//! Needs root, prometheus, curl and kea-exporter (tools/install-deps.sh).

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{curl, key, parse_exposition, perf, post, socat};
use serde_json::Value;
use xdhcp_testlab::{Lab, ServerProcess};

const URL: &str = "http://198.51.100.1:8005/";
const AUTH: &str = "admin:1234";
const KEA_EXPORTER: &str = "/opt/xdhcp/kea-exporter/bin/kea-exporter";
/// Relayed exchanges driven (one client each).
const EXCHANGES: u64 = 40;

fn config(iface: &str) -> String {
    format!(
        r#"{{ "Dhcp4": {{
  "interfaces-config": {{ "interfaces": [ "{iface}" ], "dhcp-socket-type": "xdp" }},
  "control-sockets": [ {{ "socket-type": "http", "socket-address": "198.51.100.1", "socket-port": 8005,
    "authentication": {{ "type": "basic", "realm": "xdhcp-metrics",
                        "clients": [ {{ "user": "admin", "password": "1234" }} ] }} }} ],
  "lease-database": {{ "type": "memfile", "persist": false }},
  "valid-lifetime": 3600,
  "subnet4": [ {{ "id": 1, "subnet": "198.51.100.0/24",
                  "pools": [ {{ "pool": "198.51.100.10 - 198.51.100.250" }} ] }} ]
}} }}"#
    )
}

/// Waits (20 s at most) for `f` to return something.
fn eventually<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[test]
fn counters_prometheus_and_kea_exporter_agree_with_the_traffic() {
    for tool in ["/usr/bin/prometheus", KEA_EXPORTER] {
        assert!(
            std::path::Path::new(tool).exists(),
            "{tool} missing: run tools/install-deps.sh"
        );
    }
    let lab = Lab::new("mx");
    let dir = std::env::temp_dir().join(format!("xdhcp-metrics-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let conf = dir.join("kea.json");
    std::fs::write(&conf, config(&lab.iface)).unwrap();
    let bin = env!("CARGO_BIN_EXE_xdhcp-controlplane");
    let args = [
        bin,
        "-c",
        conf.to_str().unwrap(),
        "--metrics",
        "127.0.0.1:9547",
    ];
    let _server = ServerProcess::start(lab.server_command(&args), "METRICS_LISTENER_OPENED");

    // Exactly EXCHANGES relayed DORAs, one client each.
    let line =
        format!("-r 100 -n {EXCHANGES} -R {EXCHANGES} -W 500000 -l 198.51.100.2 198.51.100.1");
    let stats = perf(&lab, &line);
    let (dora, rr) = (&stats.exchanges[0], &stats.exchanges[1]);
    assert_eq!(dora.sent, EXCHANGES);
    assert_eq!(rr.received, EXCHANGES, "every exchange completed");

    let all = post(
        &lab,
        URL,
        AUTH,
        r#"{"command": "statistic-get-all", "service": ["dhcp4"]}"#,
    );
    let value = |name: &str| {
        all[0]["arguments"][name][0][0]
            .as_u64()
            .unwrap_or_else(|| panic!("{name} missing: {all}"))
    };
    assert_eq!(value("pkt4-discover-received"), dora.sent);
    assert_eq!(value("pkt4-offer-sent"), dora.received);
    assert_eq!(value("pkt4-request-received"), rr.sent);
    assert_eq!(value("pkt4-ack-sent"), rr.received);
    assert_eq!(value("pkt4-received"), dora.sent + rr.sent);
    assert_eq!(value("pkt4-sent"), dora.received + rr.received);
    assert_eq!(value("pkt4-receive-drop"), 0);
    assert_eq!(value("subnet[1].total-addresses"), 241);
    assert_eq!(value("subnet[1].assigned-addresses"), EXCHANGES);
    assert_eq!(value("subnet[1].cumulative-assigned-addresses"), EXCHANGES);
    assert_eq!(value("subnet[1].pool[0].assigned-addresses"), EXCHANGES);
    assert_eq!(value("cumulative-assigned-addresses"), EXCHANGES);
    let leases = post(
        &lab,
        URL,
        AUTH,
        r#"{"command": "lease4-get-all", "service": ["dhcp4"]}"#,
    );
    let lease_count = leases[0]["arguments"]["leases"]
        .as_array()
        .map_or(0, Vec::len) as u64;
    assert_eq!(lease_count, EXCHANGES, "{leases}");

    // /metrics: behind the socket's basic auth, and on --metrics.
    let scrape = |user: &str| {
        let url = format!("{URL}metrics");
        curl(lab.client_command(&["curl", "-s", "-u", user, &url]))
    };
    assert!(scrape("admin:wrong").contains("Unauthorized"));
    let ours = parse_exposition(&scrape(AUTH), "");
    let local = curl(lab.server_command(&["curl", "-s", "http://127.0.0.1:9547/metrics"]));
    assert!(
        local.contains("# TYPE kea_dhcp4_addresses_assigned_total gauge"),
        "{local}"
    );
    let sample = |name: &str, labels: &[(&str, &str)]| {
        *ours
            .get(&key(name, labels))
            .unwrap_or_else(|| panic!("{name} {labels:?} missing"))
    };
    let subnet = [
        ("subnet", "198.51.100.0/24"),
        ("subnet_id", "1"),
        ("pool", ""),
    ];
    assert_eq!(
        sample("kea_dhcp4_addresses_assigned_total", &subnet),
        EXCHANGES as f64
    );
    let discover = [("operation", "discover")];
    assert_eq!(
        sample("kea_dhcp4_packets_received_total", &discover),
        dora.sent as f64
    );
    // The steering program's counters are copied once a second.
    let xdp = [("interface", lab.iface.as_str()), ("action", "redirected")];
    let redirected = eventually("the XDP counters", || {
        let now = parse_exposition(&scrape(AUTH), "xdhcp_xdp");
        now.get(&key("xdhcp_xdp_packets_total", &xdp))
            .copied()
            .filter(|&v| v >= (dora.sent + rr.sent) as f64)
    });
    assert_eq!(redirected, (dora.sent + rr.sent) as f64);
    let worker = [("interface", lab.iface.as_str()), ("worker", "0")];
    assert_eq!(
        sample("xdhcp_response_latency_seconds_count", &worker),
        (dora.sent + rr.sent) as f64
    );

    // A real Prometheus in the server namespace, with the shipped rules.
    let rules = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../deploy/prometheus/xdhcp-alerts.yml");
    let prom_conf = dir.join("prometheus.yml");
    std::fs::write(
        &prom_conf,
        format!(
            "global: {{ scrape_interval: 1s, evaluation_interval: 1s }}\n\
             rule_files: [ \"{}\" ]\n\
             scrape_configs:\n  - job_name: xdhcp\n    basic_auth: {{ username: admin, password: \"1234\" }}\n    \
             static_configs: [ {{ targets: [ \"198.51.100.1:8005\" ] }} ]\n",
            rules.display()
        ),
    )
    .unwrap();
    let prom_args = [
        "prometheus",
        &format!("--config.file={}", prom_conf.display()),
        &format!("--storage.tsdb.path={}", dir.join("tsdb").display()),
        "--web.listen-address=127.0.0.1:9090",
    ];
    let _prometheus = ServerProcess::start(
        lab.server_command(&prom_args),
        "Server is ready to receive web requests",
    );
    let query = |q: &str| -> Option<f64> {
        let text = curl(lab.server_command(&[
            "curl",
            "-s",
            "http://127.0.0.1:9090/api/v1/query",
            "--data-urlencode",
            &format!("query={q}"),
        ]));
        let v: Value = serde_json::from_str(&text).ok()?;
        v["data"]["result"][0]["value"][1].as_str()?.parse().ok()
    };
    let assigned = eventually("Prometheus to scrape xdhcp", || {
        query(r#"kea_dhcp4_addresses_assigned_total{subnet_id="1",pool=""}"#)
    });
    assert_eq!(assigned, lease_count as f64);
    let utilisation = query(
        r#"max(kea_dhcp4_addresses_assigned_total{pool=""} / kea_dhcp4_addresses_total{pool=""})"#,
    );
    assert_eq!(utilisation, Some(EXCHANGES as f64 / 241.0));

    // The community kea-exporter over xdhcp's HTTP control API: every series
    // it derives is on /metrics, with the same labels and value.
    let mut exporter = lab
        .server_command(&[
            KEA_EXPORTER,
            "-a",
            "127.0.0.1",
            "-p",
            "9548",
            "http://admin:1234@198.51.100.1:8005/",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("kea-exporter");
    let theirs = eventually("kea-exporter's metrics", || {
        let text = curl(lab.server_command(&["curl", "-s", "http://127.0.0.1:9548/metrics"]));
        let s = parse_exposition(&text, "kea_");
        s.keys()
            .any(|(n, _)| n == "kea_dhcp4_addresses_total")
            .then_some(s)
    });
    let _ = exporter.kill();
    let _ = exporter.wait();
    let ours = parse_exposition(&scrape(AUTH), "kea_");
    let mut missing = Vec::new();
    for (series, v) in &theirs {
        match ours.get(series) {
            Some(o) if o == v => {}
            other => missing.push(format!("{series:?} = {v}, ours {other:?}")),
        }
    }
    assert!(
        missing.is_empty(),
        "kea-exporter series not on /metrics:\n{}",
        missing.join("\n")
    );
    assert!(theirs.len() >= 10, "{theirs:?}");
    let _ = Command::new("rm").arg("-rf").arg(&dir).status();
}

#[test]
fn dhcpv6_counters_and_metrics_match_the_traffic() {
    let lab = Lab::new("m6");
    let dir = std::env::temp_dir().join(format!("xdhcp-metrics6-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let conf = dir.join("kea.json");
    let iface = &lab.iface;
    let socket6 = dir.join("v6.sock").to_string_lossy().into_owned();
    std::fs::write(
        &conf,
        format!(
            r#"{{
  "Dhcp4": {{
    "interfaces-config": {{ "interfaces": [ "{iface}" ], "dhcp-socket-type": "xdp" }},
    "control-sockets": [ {{ "socket-type": "http", "socket-address": "198.51.100.1", "socket-port": 8005 }} ],
    "lease-database": {{ "type": "memfile", "persist": false }},
    "subnet4": [ {{ "id": 1, "subnet": "198.51.100.0/24", "pools": [ {{ "pool": "198.51.100.50 - 198.51.100.59" }} ] }} ]
  }},
  "Dhcp6": {{
    "interfaces-config": {{ "interfaces": [ "{iface}" ] }},
    "control-socket": {{ "socket-type": "unix", "socket-name": "{socket6}" }},
    "lease-database": {{ "type": "memfile", "persist": false }},
    "subnet6": [ {{ "id": 6, "subnet": "2001:db8:7::/64", "interface": "{iface}",
                    "pools": [ {{ "pool": "2001:db8:7::100 - 2001:db8:7::1ff" }} ],
                    "pd-pools": [ {{ "prefix": "2001:db8:100::", "prefix-len": 56, "delegated-len": 64 }} ] }} ]
  }}
}}"#
        ),
    )
    .unwrap();
    let bin = env!("CARGO_BIN_EXE_xdhcp-controlplane");
    let _server = ServerProcess::start(
        lab.server_command(&[bin, "-c", conf.to_str().unwrap()]),
        "COMMAND_SOCKET_OPENED",
    );
    let n = 30;
    // Bound to the client's link-local address once DAD has passed.
    lab.wait_link_local();
    let line = format!(
        "-6 -e address-and-prefix -r 100 -n {n} -R {n} -W 500000 -l {}",
        lab.peer
    );
    let stats = perf(&lab, &line);
    let (sa, rr) = (&stats.exchanges[0], &stats.exchanges[1]);
    assert_eq!(rr.received, n, "every exchange completed");

    let both = post(
        &lab,
        URL,
        "x:y",
        r#"{"command": "statistic-get-all", "service": ["dhcp4", "dhcp6"]}"#,
    );
    let v6 = &both[1]["arguments"];
    let value = |name: &str| {
        v6[name][0][0]
            .as_u64()
            .unwrap_or_else(|| panic!("{name} missing: {v6}"))
    };
    assert_eq!(value("pkt6-solicit-received"), sa.sent);
    assert_eq!(value("pkt6-advertise-sent"), sa.received);
    assert_eq!(value("pkt6-request-received"), rr.sent);
    assert_eq!(value("pkt6-reply-sent"), rr.received);
    assert_eq!(value("subnet[6].total-nas"), 256);
    assert_eq!(value("subnet[6].total-pds"), 256);
    assert_eq!(value("subnet[6].assigned-nas"), n);
    assert_eq!(value("subnet[6].assigned-pds"), n);
    assert_eq!(value("subnet[6].cumulative-assigned-nas"), n);
    assert_eq!(value("subnet[6].pd-pool[0].cumulative-assigned-pds"), n);
    assert_eq!(
        both[0]["arguments"]["pkt4-received"][0][0], 0,
        "v4 saw nothing"
    );
    // The Dhcp6 section's own control socket answers for DHCPv6.
    let one = socat(
        &socket6,
        r#"{"command": "statistic-get", "arguments": {"name": "subnet[6].assigned-pds"}}"#,
    );
    assert_eq!(one["arguments"]["subnet[6].assigned-pds"][0][0], n, "{one}");
    let lease4 = socat(&socket6, r#"{"command": "lease4-get-all"}"#);
    assert_eq!(lease4["result"], 2, "{lease4}");

    let text = curl(lab.client_command(&["curl", "-s", &format!("{URL}metrics")]));
    let ours = parse_exposition(&text, "kea_dhcp6");
    let get = |name: &str, labels: &[(&str, &str)]| ours.get(&key(name, labels)).copied();
    let subnet = [("subnet", "2001:db8:7::/64"), ("subnet_id", "6")];
    assert_eq!(
        get("kea_dhcp6_pd_assigned_total", &subnet),
        Some(n as f64),
        "{text}"
    );
    let pool = [
        subnet[0],
        subnet[1],
        ("pool", "2001:db8:7::100 - 2001:db8:7::1ff"),
    ];
    assert_eq!(
        get("kea_dhcp6_na_assigned_total", &pool),
        Some(n as f64),
        "{text}"
    );
    let pd_pool = [subnet[0], subnet[1], ("pd_pool", "2001:db8:100::/56")];
    assert_eq!(get("kea_dhcp6_pd_total", &pd_pool), Some(256.0), "{text}");
    assert_eq!(
        get(
            "kea_dhcp6_packets_received_total",
            &[("operation", "solicit")]
        ),
        Some(sa.sent as f64)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
