//! xdhcp-perf against real Kea 2.2, beside Kea's own perfdhcp with the same
//! arguments, in a throwaway network-namespace lab.
//!
//! Needs root, `ip`, `kea-dhcp4`, `kea-dhcp6` and `perfdhcp` (CI installs them with
//! tools/install-deps.sh); without them the test fails and says what is
//! missing, it never skips.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const XDHCP_PERF: &str = env!("CARGO_BIN_EXE_xdhcp-perf");

fn require(tool: &str) -> PathBuf {
    for dir in ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin"] {
        let p = Path::new(dir).join(tool);
        if p.exists() {
            return p;
        }
    }
    panic!("{tool} not found: install Kea 2.2 and iproute2 (tools/install-deps.sh)");
}

fn require_root() {
    // SAFETY: geteuid has no preconditions.
    let euid = unsafe { libc::geteuid() };
    assert_eq!(
        euid, 0,
        "the Kea lab needs root (network namespaces); run as root as CI does"
    );
}

fn sh(args: &[&str]) {
    let out = Command::new(args[0])
        .args(&args[1..])
        .output()
        .expect("run command");
    assert!(
        out.status.success(),
        "{:?} failed: {}",
        args,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A server and a client namespace joined by a veth pair; Kea runs in the
/// server one. Everything is removed on drop, Kea killed by its PID.
struct Lab {
    server_ns: String,
    client_ns: String,
    client_if: String,
    dir: PathBuf,
    kea: Option<Child>,
}

impl Lab {
    fn new(tag: &str) -> Lab {
        require_root();
        let id = format!("{}{}", tag, std::process::id() % 100_000);
        let lab = Lab {
            server_ns: format!("xpt-s-{id}"),
            client_ns: format!("xpt-c-{id}"),
            client_if: format!("xc{id}"),
            dir: std::env::temp_dir().join(format!("xdhcp-perf-lab-{id}")),
            kea: None,
        };
        let server_if = format!("xs{id}");
        std::fs::create_dir_all(&lab.dir).unwrap();
        std::fs::create_dir_all("/run/kea").unwrap();
        let (s, c) = (lab.server_ns.as_str(), lab.client_ns.as_str());
        sh(&["ip", "netns", "add", s]);
        sh(&["ip", "netns", "add", c]);
        sh(&[
            "ip",
            "link",
            "add",
            &server_if,
            "type",
            "veth",
            "peer",
            "name",
            &lab.client_if,
        ]);
        sh(&["ip", "link", "set", &server_if, "netns", s]);
        sh(&["ip", "link", "set", &lab.client_if, "netns", c]);
        for (ns, ifc, v4, v6) in [
            (s, server_if.as_str(), "192.0.2.1/24", "2001:db8:1::1/64"),
            (
                c,
                lab.client_if.as_str(),
                "192.0.2.2/24",
                "2001:db8:1::2/64",
            ),
        ] {
            sh(&["ip", "-n", ns, "addr", "add", v4, "dev", ifc]);
            sh(&["ip", "-n", ns, "addr", "add", v6, "dev", ifc, "nodad"]);
            sh(&["ip", "-n", ns, "link", "set", ifc, "up"]);
            sh(&["ip", "-n", ns, "link", "set", "lo", "up"]);
        }
        // Link-local addresses are unusable until duplicate address
        // detection ends; Kea binds them at startup.
        let deadline = Instant::now() + Duration::from_secs(10);
        for (ns, ifc) in [(s, server_if.as_str()), (c, lab.client_if.as_str())] {
            loop {
                let out = Command::new("ip")
                    .args(["-n", ns, "-6", "addr", "show", "dev", ifc, "tentative"])
                    .output()
                    .expect("ip addr");
                if out.stdout.is_empty() {
                    break;
                }
                assert!(Instant::now() < deadline, "{ifc}: IPv6 DAD did not finish");
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        lab
    }

    fn server_if(&self) -> String {
        self.client_if.replacen("xc", "xs", 1)
    }

    /// Starts Kea (`kea-dhcp4` or `kea-dhcp6`) with `config` and waits
    /// until it logs that it serves.
    fn start_kea(&mut self, binary: &str, config: &str) {
        let bin = require(binary);
        let cfg = self.dir.join("kea.json");
        std::fs::write(&cfg, config).unwrap();
        let log = self.dir.join("kea.log");
        let child = Command::new("ip")
            .args(["netns", "exec", &self.server_ns])
            .arg(&bin)
            .arg("-c")
            .arg(&cfg)
            .env("KEA_LOCKFILE_DIR", "none")
            .env("KEA_PIDFILE_DIR", &self.dir)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("start Kea");
        self.kea = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if text.contains("_STARTED") {
                break;
            }
            assert!(
                Instant::now() < deadline && !text.contains("ERROR"),
                "Kea did not start:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Runs `program` with `args` in the client namespace; returns stdout.
    fn run_client(&self, program: &Path, args: &[&str]) -> (String, i32) {
        let out = Command::new("ip")
            .args(["netns", "exec", &self.client_ns])
            .arg(program)
            .args(args)
            .output()
            .expect("run load generator");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.code().is_some_and(|c| c == 0 || c == 3),
            "{} {:?} failed ({:?}):\n{stdout}\n{}",
            program.display(),
            args,
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        (stdout, out.status.code().unwrap_or(-1))
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        if let Some(mut kea) = self.kea.take() {
            // `ip netns exec` execs Kea, so this PID is Kea's.
            let _ = kea.kill();
            let _ = kea.wait();
        }
        for ns in [&self.server_ns, &self.client_ns] {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The `received packets` of each `***Statistics for: NAME***` section.
fn received(report: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut section = None;
    for line in report.lines() {
        if let Some(name) = line.strip_prefix("***Statistics for: ") {
            section = Some(name.trim_end_matches('*').to_string());
        } else if let (Some(name), Some(n)) = (&section, line.strip_prefix("received packets: ")) {
            out.push((name.clone(), n.trim().parse().unwrap()));
        }
    }
    out
}

/// The keys of the report's `key: value` lines, in order.
fn keys(report: &str) -> Vec<&str> {
    report
        .lines()
        .filter_map(|l| l.split_once(':').map(|(k, _)| k))
        .filter(|k| !k.starts_with("delay percentiles"))
        .collect()
}

/// Runs perfdhcp, then xdhcp-perf, with `args`; checks the reports have the
/// same lines (ours adds percentiles) and both completed
/// within 5% of each other and of `target` exchanges of every kind.
fn compare(lab: &Lab, line: &str, target: u64) {
    let args: Vec<&str> = line.split_whitespace().collect();
    let args = args.as_slice();
    let (kea_out, _) = lab.run_client(&require("perfdhcp"), args);
    let (ours_out, _) = lab.run_client(Path::new(XDHCP_PERF), args);
    let (kea, ours) = (received(&kea_out), received(&ours_out));
    let names: Vec<&String> = kea.iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        ours.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        "same exchanges reported\nperfdhcp:\n{kea_out}\nxdhcp-perf:\n{ours_out}"
    );
    assert_eq!(keys(&kea_out), keys(&ours_out), "same report layout");
    let rate_unit = |r: &str| {
        r.lines()
            .find(|l| l.starts_with("Rate:"))
            .map(|l| l.split(' ').nth(2).unwrap_or("").to_string())
    };
    assert_eq!(rate_unit(&kea_out), rate_unit(&ours_out), "same rate unit");
    for ((name, k), (_, o)) in kea.iter().zip(&ours) {
        let (k, o) = (*k as f64, *o as f64);
        assert!(
            (k - o).abs() <= 0.05 * k.max(o),
            "{name}: perfdhcp completed {k}, xdhcp-perf {o}\nperfdhcp:\n{kea_out}\nxdhcp-perf:\n{ours_out}"
        );
        for (who, n) in [("perfdhcp", k), ("xdhcp-perf", o)] {
            assert!(
                n >= 0.95 * target as f64,
                "{name}: {who} completed {n} of {target}\nperfdhcp:\n{kea_out}\nxdhcp-perf:\n{ours_out}"
            );
        }
    }
}

#[test]
fn v4_relayed_dora_matches_perfdhcp_against_kea() {
    let mut lab = Lab::new("4");
    let iface = lab.server_if();
    lab.start_kea(
        "kea-dhcp4",
        &format!(
            r#"{{ "Dhcp4": {{
              "interfaces-config": {{ "interfaces": ["{iface}"], "dhcp-socket-type": "udp" }},
              "lease-database": {{ "type": "memfile", "persist": false }},
              "valid-lifetime": 3600,
              "subnet4": [
                {{ "id": 1, "subnet": "10.0.0.0/8", "relay": {{ "ip-addresses": ["192.0.2.2"] }},
                   "pools": [ {{ "pool": "10.0.0.1 - 10.255.255.254" }} ] }} ],
              "loggers": [ {{ "name": "kea-dhcp4", "severity": "INFO",
                             "output_options": [ {{ "output": "stderr" }} ] }} ]
            }} }}"#
        ),
    );
    compare(
        &lab,
        "-r 200 -n 1000 -R 1000 -W 500000 -l 192.0.2.2 192.0.2.1",
        1000,
    );
    // DISCOVER-OFFER only; -p since perfdhcp 2.2 fails "-i -n" in v4
    // ("Packets exchange not specified").
    compare(
        &lab,
        "-i -r 200 -p 3 -R 600 -W 500000 -l 192.0.2.2 192.0.2.1",
        600,
    );
}

#[test]
fn v6_relayed_and_direct_sarr_match_perfdhcp_against_kea() {
    let mut lab = Lab::new("6");
    let iface = lab.server_if();
    lab.start_kea(
        "kea-dhcp6",
        &format!(
            r#"{{ "Dhcp6": {{
              "interfaces-config": {{ "interfaces": ["{iface}/2001:db8:1::1"] }},
              "server-id": {{ "type": "EN", "enterprise-id": 2495, "identifier": "0102030405", "persist": false }},
              "lease-database": {{ "type": "memfile", "persist": false }},
              "preferred-lifetime": 3000, "valid-lifetime": 4000,
              "subnet6": [ {{ "id": 1, "subnet": "2001:db8:1::/64", "interface": "{iface}",
                 "pools": [ {{ "pool": "2001:db8:1::1:0/96" }} ],
                 "pd-pools": [ {{ "prefix": "2001:db8:8000::", "prefix-len": 34, "delegated-len": 64 }} ] }} ],
              "loggers": [ {{ "name": "kea-dhcp6", "severity": "INFO",
                             "output_options": [ {{ "output": "stderr" }} ] }} ]
            }} }}"#
        ),
    );
    let line = format!(
        "-6 -A 1 -e address-and-prefix -r 200 -n 600 -R 600 -W 500000 -l {} 2001:db8:1::1",
        lab.client_if
    );
    compare(&lab, &line, 600);
    // Direct: SOLICIT to ff02::1:2 out of the interface, from port 546.
    let line = format!("-6 -r 200 -n 400 -R 400 -W 500000 -l {}", lab.client_if);
    compare(&lab, &line, 400);
}
