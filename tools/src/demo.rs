//! `xdhcp demo`: the appliance end to end on one machine.

use std::path::PathBuf;
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
            let _ = Command::new("kill").arg(pid.trim()).status();
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

/// Runs the demo; `seconds` of load at `rate` DORA/s.
pub fn run(seconds: u32, rate: u32) -> Result<(), String> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Err("the demo builds network namespaces: run it as root".into());
    }
    let controlplane = std::env::current_exe()
        .map_err(|e| e.to_string())?
        .with_file_name("xdhcp-controlplane");
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
    // perfdhcp wants an address on its interface; dhclient does not mind.
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
    for (ns, dev) in [(SERVER_NS, SERVER_IF), (CLIENT_NS, CLIENT_IF)] {
        sh(&["ip", "-n", ns, "link", "set", dev, "up"])?;
    }
    println!(
        "lab: namespaces {SERVER_NS} ({SERVER_IF} 198.18.0.1/15) and {CLIENT_NS} ({CLIENT_IF})"
    );

    let config = dir.join("kea-dhcp4.conf");
    std::fs::write(&config, CONFIG).map_err(|e| e.to_string())?;
    let log = std::fs::File::create(dir.join("server.log")).map_err(|e| e.to_string())?;
    let cp = controlplane.to_string_lossy().into_owned();
    let cfg = config.to_string_lossy().into_owned();
    let server = Command::new("ip")
        .args(&in_ns(SERVER_NS, &[&cp, "-c", &cfg])[1..])
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

    // The bound dhclient keeps the client port; perfdhcp needs it.
    if let Ok(pid) = std::fs::read_to_string(&pid) {
        let _ = Command::new("kill").arg(pid.trim()).status();
        std::thread::sleep(Duration::from_millis(300));
    }
    println!("load: perfdhcp, {rate} DORA/s offered for {seconds} s ...");
    let (r, p) = (rate.to_string(), seconds.to_string());
    let perfdhcp = [
        "perfdhcp", "-4", "-l", CLIENT_IF, "-r", &r, "-R", "1000000", "-p", &p,
    ];
    // perfdhcp exits non-zero when it saw drops; its report is wanted anyway.
    let run = Command::new("ip")
        .args(&in_ns(CLIENT_NS, &perfdhcp)[1..])
        .output()
        .map_err(|e| format!("perfdhcp: {e}"))?;
    let report = String::from_utf8_lossy(&run.stdout).into_owned();
    if !report.contains("Rate:") {
        println!("perfdhcp: {}", String::from_utf8_lossy(&run.stderr).trim());
    }
    for line in report.lines().filter(|l| {
        l.starts_with("***Statistics")
            || l.starts_with("sent packets")
            || l.starts_with("received packets")
            || l.starts_with("drops ratio")
            || l.starts_with("Rate:")
    }) {
        println!("perfdhcp: {line}");
    }
    println!();
    println!(
        "What ran: xdhcp-controlplane -c {cfg} (a Kea configuration) served the lab over AF_XDP."
    );
    println!("Benchmarks beside Kea: sudo perf/bench-v4.sh; results in perf/RESULTS.md.");
    println!("The demo stops the server and removes its namespaces now.");
    drop(lab);
    Ok(())
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
