//! `xdhcp demo`: the appliance end to end on one machine: a namespace lab,
//! the server on the embedded configuration over AF_XDP, one real dhclient,
//! a few seconds of `xdhcp-perf` load from directly connected clients, then
//! the figures: leases/s, leases from `lease4-get-all`, and the Prometheus
//! metrics.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The lab: two network namespaces and a veth pair between them.
const SERVER_NS: &str = "xdhcp-demo-srv";
const CLIENT_NS: &str = "xdhcp-demo-cli";
const SERVER_IF: &str = "xdemo0";
const CLIENT_IF: &str = "xdemo1";

/// The embedded default configuration: Kea's syntax, as an operator would
/// write it, served over AF_XDP. 198.18.0.0/15 is the benchmarking range.
const CONFIG: &str = r#"{
  "Dhcp4": {
    // xdhcp adds "xdp" to Kea's socket types.
    "interfaces-config": { "interfaces": [ "xdemo0" ], "dhcp-socket-type": "xdp" },
    "lease-database": { "type": "memfile", "persist": false },
    "control-socket": { "socket-type": "unix", "socket-name": "@CONTROL@" },
    "loggers": [ { "name": "kea-dhcp4", "severity": "INFO", "output_options": [ { "output": "stdout" } ] },
                 { "name": "kea-dhcp4.leases", "severity": "WARN", "output_options": [ { "output": "stdout" } ] } ],
    "valid-lifetime": 3600, "renew-timer": 900, "rebind-timer": 1800,
    "authoritative": true,
    "option-data": [ { "name": "domain-name-servers", "data": "198.18.0.1" },
                     { "name": "domain-name", "data": "demo.example" } ],
    "subnet4": [ {
      "id": 1, "subnet": "198.18.0.0/15",
      "pools": [ { "pool": "198.18.1.1 - 198.19.255.254" } ],
      "option-data": [ { "name": "routers", "data": "198.18.0.1" } ]
    } ]
  }
}
"#;

/// Tears the lab down however the demo ends.
struct Lab {
    server: Option<Child>,
    dir: PathBuf,
}

impl Drop for Lab {
    fn drop(&mut self) {
        // dhclient stays in the background once bound.
        if let Ok(pid) = std::fs::read_to_string(self.dir.join("dhclient.pid")) {
            // Usually gone already: the demo stops it before the load.
            let _ = Command::new("kill").arg(pid.trim()).output();
        }
        if let Some(mut s) = self.server.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &s.id().to_string()])
                .status();
            let _ = s.wait();
        }
        for ns in [SERVER_NS, CLIENT_NS] {
            let _ = Command::new("ip").args(["netns", "del", ns]).output();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn sh(args: &[&str]) -> Result<String, String> {
    let out = Command::new(args[0])
        .args(&args[1..])
        .output()
        .map_err(|e| format!("{}: {e}", args[0]))?;
    if !out.status.success() {
        return Err(format!(
            "{}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
}

fn in_ns<'a>(ns: &'a str, args: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec!["ip", "netns", "exec", ns];
    v.extend_from_slice(args);
    v
}

/// Where the server's Prometheus metrics are served, inside its namespace.
const METRICS: &str = "127.0.0.1:9547";

/// Runs the demo; `seconds` of load at `rate` DORA/s. With `keep`, the lab
/// keeps serving until Ctrl-C.
pub fn run(seconds: u32, rate: u32, keep: bool) -> Result<(), String> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Err("the demo builds network namespaces: run it as root".into());
    }
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let controlplane = exe.with_file_name("xdhcp-controlplane");
    let perf = exe.with_file_name("xdhcp-perf");
    let dir = std::env::temp_dir().join(format!("xdhcp-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let mut lab = Lab {
        server: None,
        dir: dir.clone(),
    };
    for ns in [SERVER_NS, CLIENT_NS] {
        let _ = Command::new("ip").args(["netns", "del", ns]).output();
        sh(&["ip", "netns", "add", ns])?;
    }
    sh(&[
        "ip", "-n", SERVER_NS, "link", "add", SERVER_IF, "type", "veth", "peer", "name", CLIENT_IF,
        "netns", CLIENT_NS,
    ])?;
    sh(&[
        "ip",
        "-n",
        SERVER_NS,
        "addr",
        "add",
        "198.18.0.1/15",
        "dev",
        SERVER_IF,
    ])?;
    // The load generator's clients share the link with dhclient.
    sh(&[
        "ip",
        "-n",
        CLIENT_NS,
        "addr",
        "add",
        "198.18.0.2/15",
        "dev",
        CLIENT_IF,
    ])?;
    // The server namespace's loopback carries the metrics listener.
    for (ns, dev) in [
        (SERVER_NS, SERVER_IF),
        (CLIENT_NS, CLIENT_IF),
        (SERVER_NS, "lo"),
    ] {
        sh(&["ip", "-n", ns, "link", "set", dev, "up"])?;
    }
    println!(
        "lab: namespaces {SERVER_NS} ({SERVER_IF} 198.18.0.1/15) and {CLIENT_NS} ({CLIENT_IF})"
    );

    let config = dir.join("kea-dhcp4.conf");
    let control = dir.join("control.sock").to_string_lossy().into_owned();
    std::fs::write(&config, CONFIG.replace("@CONTROL@", &control)).map_err(|e| e.to_string())?;
    let log = std::fs::File::create(dir.join("server.log")).map_err(|e| e.to_string())?;
    let cp = controlplane.to_string_lossy().into_owned();
    let cfg = config.to_string_lossy().into_owned();
    let server = Command::new("ip")
        .args(&in_ns(SERVER_NS, &[&cp, "-c", &cfg, "--metrics", METRICS])[1..])
        // Kea's default logger writes to stdout; start-up errors go to stderr.
        .stdout(Stdio::from(log.try_clone().map_err(|e| e.to_string())?))
        .stderr(Stdio::from(log))
        .spawn()
        .map_err(|e| format!("{cp}: {e}"))?;
    lab.server = Some(server);
    wait_for_log(&dir, "DHCP4_STARTED")?;
    println!("server: {}", last_line_with(&dir, "DHCP4_STARTED"));

    let leases = dir.join("dhclient.leases").to_string_lossy().into_owned();
    let pid = dir.join("dhclient.pid").to_string_lossy().into_owned();
    let out = sh(&in_ns(
        CLIENT_NS,
        &[
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
            &pid,
            CLIENT_IF,
        ],
    ))?;
    for line in out
        .lines()
        .filter(|l| l.starts_with("DHCP") || l.starts_with("bound"))
    {
        println!("dhclient: {line}");
    }

    // The bound dhclient keeps the client port.
    if let Ok(pid) = std::fs::read_to_string(&pid) {
        let _ = Command::new("kill").arg(pid.trim()).status();
        std::thread::sleep(Duration::from_millis(300));
    }
    println!("load: xdhcp-perf --xdp, {rate} DORA/s offered for {seconds} s ...");
    let (r, p, perf) = (
        rate.to_string(),
        seconds.to_string(),
        perf.to_string_lossy().into_owned(),
    );
    let load = [
        perf.as_str(),
        "-4",
        "--xdp",
        "-l",
        CLIENT_IF,
        "-r",
        &r,
        "-R",
        "1000000",
        "-p",
        &p,
    ];
    // xdhcp-perf exits 3 when exchanges were still in flight at the end,
    // as perfdhcp does; its report is wanted anyway.
    let run = Command::new("ip")
        .args(&in_ns(CLIENT_NS, &load)[1..])
        .output()
        .map_err(|e| format!("{perf}: {e}"))?;
    let report = String::from_utf8_lossy(&run.stdout).into_owned();
    let rate_line = report.lines().find(|l| l.starts_with("Rate:"));
    match rate_line {
        Some(line) => println!("leases/s: {line}"),
        None => println!(
            "xdhcp-perf: {}",
            String::from_utf8_lossy(&run.stderr).trim()
        ),
    }
    for line in report.lines().filter(|l| {
        l.starts_with("***Statistics")
            || l.starts_with("received packets")
            || l.starts_with("drops ratio")
            || l.starts_with("delay percentiles")
    }) {
        println!("xdhcp-perf: {line}");
    }

    let request = r#"{ "command": "lease4-get-all" }"#;
    let answer = crate::shell::unix(Path::new(&control), request, 10)?;
    let all: serde_json::Value =
        serde_json::from_str(&answer).map_err(|e| format!("{control}: {e}"))?;
    let leases: Vec<&serde_json::Value> = all["arguments"]["leases"]
        .as_array()
        .map(|l| l.iter().collect())
        .unwrap_or_default();
    println!(
        "lease4-get-all: {} leases ({}), the first three:",
        leases.len(),
        all["text"].as_str().unwrap_or_default()
    );
    for l in leases.iter().take(3) {
        println!("  {l}");
    }
    let url = format!("http://{METRICS}/metrics");
    let metrics = sh(&in_ns(SERVER_NS, &["curl", "-sS", &url]))?;
    println!("metrics: {url} inside {SERVER_NS}, for example:");
    for line in metrics.lines().filter(|l| {
        l.starts_with("kea_dhcp4_addresses_assigned_total")
            || l.starts_with("kea_dhcp4_packets_sent_total{operation=\"ack\"")
    }) {
        println!("  {line}");
    }
    println!();
    println!("What ran: xdhcp-controlplane -c {cfg} --metrics {METRICS} (a Kea configuration) served the lab over AF_XDP.");
    println!("Benchmarks beside Kea: sudo perf/bench-v4.sh; results in perf/RESULTS.md.");
    if keep {
        println!("The lab keeps serving: try `ip netns exec {SERVER_NS} curl {url}` or");
        println!("`xdhcp shell --socket {control} lease4-get-all`. Ctrl-C stops the server and removes the lab.");
        wait_for_interrupt();
    } else {
        println!("The demo stops the server and removes its namespaces now (--keep leaves them serving until Ctrl-C).");
    }
    drop(lab);
    Ok(())
}

/// Sleeps until SIGINT or SIGTERM.
fn wait_for_interrupt() {
    crate::interrupt::catch();
    while !crate::interrupt::interrupted() {
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn wait_for_log(dir: &std::path::Path, what: &str) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
        if log.contains(what) {
            return Ok(());
        }
        if log.contains("xdhcp-controlplane:") {
            return Err(format!("the server did not start:\n{log}"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
    Err(format!(
        "no {what} from the server within 15 s; its log:\n{log}"
    ))
}

fn last_line_with(dir: &std::path::Path, what: &str) -> String {
    let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
    log.lines()
        .rev()
        .find(|l| l.contains(what))
        .unwrap_or_default()
        .to_string()
}
