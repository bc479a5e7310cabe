//! Reloading the configuration while serving load drops nothing: xdhcp-perf
//! runs full DORA exchanges against `xdhcp-controlplane -c` while the DNS
//! server option is changed three times, by `config-reload`, by SIGHUP and
//! by `config-set` (and a broken file is refused); a udhcpc after each
//! change gets the new value, and xdhcp-perf reports no drop. The load
//! comes as a relay over a second link of the lab, so that it does not
//! bury udhcpc's own frames. The same runs with the configuration handed
//! to a separate `xdhcp-dataplane` (`--dataplane`). Needs root, udhcpc and socat
//! (tools/install-deps.sh); fails, not skips, without.
//!
//! For measurements: `XDHCP_RELOAD_RATE` (exchanges/s, default 2000),
//! `XDHCP_RELOAD_SECONDS` (default 10), `XDHCP_RELOAD_SOCKET` (default
//! `raw`, Kea's default; over a veth `xdp` loses a few answers on a busy
//! machine with or without reloads, see perf/RESULTS.md) and
//! `XDHCP_RELOAD_BASELINE=1` (the same load without the changes).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use xdhcp_testlab::{run, workspace_binary, Lab, ServerProcess};

/// What a run serves: the lab, the load's link (server side), socket
/// type and API socket.
struct Setup<'a> {
    lab: &'a Lab,
    load_link: &'a str,
    kind: &'a str,
    socket: &'a str,
}

/// The load's link: 198.18.0.1 (server) and 198.18.0.2 (the relay).
const LOAD_SERVER: &str = "198.18.0.1";
const LOAD_RELAY: &str = "198.18.0.2";

impl Setup<'_> {
    /// A second veth pair between the lab's namespaces, for the load.
    fn add_load_link(lab: &Lab, name: &str) {
        let (peer, s, c) = (format!("{name}c"), &lab.server, &lab.client);
        run(&[
            "ip", "-n", s, "link", "add", name, "type", "veth", "peer", "name", &peer, "netns", c,
        ]);
        for (ns, dev, addr) in [(s, name, LOAD_SERVER), (c, peer.as_str(), LOAD_RELAY)] {
            run(&[
                "ip",
                "-n",
                ns,
                "addr",
                "add",
                &format!("{addr}/24"),
                "dev",
                dev,
            ]);
            run(&["ip", "-n", ns, "link", "set", dev, "up"]);
        }
    }

    /// The configuration with `dns` as the DNS server option of the lab
    /// link's subnet; the load's subnet has 241 addresses for its 200
    /// clients.
    fn config(&self, dns: &str) -> String {
        let (iface, load, kind, socket) = (&self.lab.iface, self.load_link, self.kind, self.socket);
        format!(
            r#"{{ "Dhcp4": {{
  "interfaces-config": {{ "interfaces": [ "{iface}", "{load}" ], "dhcp-socket-type": "{kind}" }},
  "control-socket": {{ "socket-type": "unix", "socket-name": "{socket}" }},
  "lease-database": {{ "type": "memfile", "persist": false }},
  "valid-lifetime": 4000,
  "subnet4": [ {{ "id": 1, "subnet": "198.51.100.0/24",
                  "pools": [ {{ "pool": "198.51.100.10 - 198.51.100.250" }} ],
                  "option-data": [ {{ "name": "domain-name-servers", "data": "{dns}" }} ] }},
               {{ "id": 2, "subnet": "198.18.0.0/24",
                  "pools": [ {{ "pool": "198.18.0.10 - 198.18.0.250" }} ] }} ]
}} }}"#
        )
    }

    /// Sends one command to the control socket.
    fn ask(&self, request: &Value) -> Value {
        let mut socat = Command::new("socat")
            .args(["-t", "5", &format!("UNIX:{}", self.socket), "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("socat (tools/install-deps.sh installs it)");
        let sent = socat
            .stdin
            .take()
            .unwrap()
            .write_all(request.to_string().as_bytes());
        let out = socat.wait_with_output().unwrap();
        sent.unwrap();
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{request}: {e}: {}", String::from_utf8_lossy(&out.stdout)))
    }

    /// The DNS servers a fresh udhcpc is offered (`script` prints them).
    fn udhcpc_dns(&self, script: &Path) -> String {
        let out = self
            .lab
            .udhcpc_with_script(script.to_str().unwrap())
            .output()
            .expect("udhcpc (tools/install-deps.sh installs it)");
        let text = String::from_utf8_lossy(&out.stdout);
        let dns = text.lines().find_map(|l| l.strip_prefix("bound dns="));
        let dns = dns.unwrap_or_else(|| {
            let err = String::from_utf8_lossy(&out.stderr);
            let stats = self.ask(&json!({"command": "statistic-get-all"}));
            panic!("udhcpc got no lease:\n{text}{err}\nserver statistics: {stats}")
        });
        dns.trim().to_string()
    }

    /// The DNS option value in the running configuration.
    fn running_dns(&self) -> Value {
        let got = self.ask(&json!({"command": "config-get"}));
        got["arguments"]["Dhcp4"]["subnet4"][0]["option-data"][0]["data"].clone()
    }
}

/// Builds xdhcp-perf optimised, whatever this test's profile (a slow
/// generator would lose answers itself), and returns its path.
fn xdhcp_perf() -> String {
    let mut build = Command::new(env!("CARGO"));
    build.args(["build", "-q", "--release", "-p", "xdhcp-perf"]);
    let built = build.status().expect("cargo");
    assert!(built.success(), "building xdhcp-perf");
    let exe = std::env::current_exe().unwrap();
    // target/<profile>/deps/<this test> -> target/release/xdhcp-perf
    let target = exe.ancestors().nth(3).unwrap();
    target.join("release/xdhcp-perf").display().to_string()
}

/// The three changes, each checked with a udhcpc, then a refused file.
fn change_three_times(s: &Setup, conf: &Path, script: &Path, server: &ServerProcess) {
    // 1: config-reload of the edited file.
    std::fs::write(conf, s.config("198.51.100.54")).unwrap();
    let reloaded = s.ask(&json!({"command": "config-reload"}));
    assert_eq!(reloaded["result"], 0, "{reloaded}");
    assert_eq!(s.udhcpc_dns(script), "198.51.100.54");

    // 2: SIGHUP, on which Kea reloads its file too.
    std::fs::write(conf, s.config("198.51.100.55")).unwrap();
    server.signal(libc::SIGHUP);
    let asked = Instant::now();
    while s.running_dns() != "198.51.100.55" {
        assert!(
            asked.elapsed() < Duration::from_secs(5),
            "no reload on SIGHUP"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(s.udhcpc_dns(script), "198.51.100.55");

    // 3: config-set with the Dhcp4 map itself.
    let next: Value = serde_json::from_str(&s.config("198.51.100.56")).unwrap();
    let set = s.ask(&json!({"command": "config-set", "arguments": {"Dhcp4": next["Dhcp4"]}}));
    assert_eq!(set["result"], 0, "{set}");
    assert_eq!(s.udhcpc_dns(script), "198.51.100.56");

    // A broken file is refused and changes nothing.
    std::fs::write(conf, "{ \"Dhcp4\": { \"valid-lifetime\": \"x\" } }").unwrap();
    let refused = s.ask(&json!({"command": "config-reload"}));
    assert_eq!(refused["result"], 1, "{refused}");
    assert_eq!(s.running_dns(), "198.51.100.56");
}

#[test]
fn reload_under_load_drops_nothing_and_serves_the_new_option() {
    reload_under_load("rl", false);
}

/// The same with the control plane handing each configuration to a
/// separate `xdhcp-dataplane` over its channel.
#[test]
fn a_separate_dataplane_takes_reloads_under_load_without_a_drop() {
    reload_under_load("rs", true);
}

/// Runs the load and the changes in lab `tag`, the configuration served
/// by a separate dataplane process when `split`.
fn reload_under_load(tag: &str, split: bool) {
    let env = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.into());
    let rate: u32 = env("XDHCP_RELOAD_RATE", "2000").parse().unwrap();
    let seconds: u32 = env("XDHCP_RELOAD_SECONDS", "10").parse().unwrap();
    let kind = env("XDHCP_RELOAD_SOCKET", "raw");
    let changes = std::env::var("XDHCP_RELOAD_BASELINE").is_err();
    let perf = xdhcp_perf();
    let lab = Lab::new(tag);
    let dir = std::env::temp_dir().join(format!("xdhcp-reload-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let socket = dir.join("api.sock").display().to_string();
    let load_link = format!("{}l", lab.iface);
    Setup::add_load_link(&lab, &load_link);
    let s = Setup {
        lab: &lab,
        load_link: &load_link,
        kind: &kind,
        socket: &socket,
    };
    let conf = dir.join("kea.json");
    let script = dir.join("print-dns.sh");
    std::fs::write(&script, "#!/bin/sh\necho \"$1 dns=$dns\"\n").unwrap();
    let made_executable = Command::new("chmod").arg("+x").arg(&script).status();
    assert!(made_executable.unwrap().success());
    std::fs::write(&conf, s.config("198.51.100.53")).unwrap();
    let bin = env!("CARGO_BIN_EXE_xdhcp-controlplane");
    let mut args = vec![bin, "-c", conf.to_str().unwrap()];
    let channel = dir.join("dataplane.sock").display().to_string();
    let dataplane = split.then(|| {
        let exe = workspace_binary(bin, "xdhcp-dataplane", "xdhcp-dataplane");
        let exe = exe.to_str().unwrap();
        args.extend(["--dataplane", &channel]);
        let listen = lab.server_command(&[exe, "--listen", &channel]);
        ServerProcess::start(listen, "XDHCP_DATAPLANE_WAITING")
    });
    let server = ServerProcess::start(lab.server_command(&args), "COMMAND_SOCKET_OPENED");
    assert_eq!(s.udhcpc_dns(&script), "198.51.100.53");

    // 200 relayed clients: the pool never runs out.
    let (r, p) = (rate.to_string(), seconds.to_string());
    let load = lab
        .client_command(&[
            &perf,
            "--json",
            "-4",
            "-r",
            &r,
            "-R",
            "200",
            "-p",
            &p,
            // Answers in flight when the period ends are waited for (1 s),
            // so a drop is a request that got no answer.
            "-W",
            "1000000",
            "-l",
            LOAD_RELAY,
            LOAD_SERVER,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("xdhcp-perf");
    let started = Instant::now();
    std::thread::sleep(Duration::from_secs(1));
    if changes {
        change_three_times(&s, &conf, &script, &server);
        assert!(
            started.elapsed() < Duration::from_secs(u64::from(seconds)),
            "the changes must happen under load: raise XDHCP_RELOAD_SECONDS"
        );
    }
    let out = load.wait_with_output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        let (o, err) = (&out.stdout, &out.stderr);
        let (o, err) = (String::from_utf8_lossy(o), String::from_utf8_lossy(err));
        panic!("xdhcp-perf --json: {e}\n{o}{err}")
    });
    println!("xdhcp-perf over {kind}, changes: {changes}: {report}");
    let exchanges = report["exchanges"].as_array().unwrap();
    let mut answered = 0;
    for e in &exchanges[..2] {
        assert_eq!(e["drops"], 0, "{}: {report}", e["name"]);
        answered = e["received"].as_u64().unwrap();
    }
    // Completed exchanges over the test period (the report's own rate
    // counts the wait for the last answers).
    let done = answered as f64 / f64::from(seconds);
    assert!(
        done > f64::from(rate) * 0.95,
        "offered {rate}/s, completed {done}/s: {report}"
    );
    println!("completed {done:.1} exchanges/s");
    let _ = server.stop("DHCP4_SHUTDOWN");
    if let Some(dataplane) = dataplane {
        let log = dataplane.stop("DHCP4_SHUTDOWN");
        let reloads = log.matches("configuration reloaded from the control plane");
        assert_eq!(reloads.count(), if changes { 3 } else { 0 }, "{log}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
