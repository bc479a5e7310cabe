//! `xdhcp-controlplane -c` with an operator's Kea configuration serves a
//! real dhclient over AF_XDP, and shuts down cleanly on SIGTERM. Needs root.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

use xdhcp_testlab::Lab;

fn config(iface: &str, dir: &str) -> String {
    format!(
        r#"{{
  // Kea's own syntax, comments included.
  "Dhcp4": {{
    "interfaces-config": {{ "interfaces": [ "{iface}" ], "dhcp-socket-type": "xdp" }},
    "lease-database": {{ "type": "memfile", "persist": true, "name": "{dir}/leases4.csv" }},
    "control-socket": {{ "socket-type": "unix", "socket-name": "{dir}/control.sock" }},
    "valid-lifetime": 900,
    "option-data": [ {{ "name": "domain-name-servers", "data": "198.51.100.53, 198.51.100.54" }} ],
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

/// One command over the UNIX control socket, as socat sends it.
fn control(socket: &str, request: &str) -> serde_json::Value {
    use std::io::{Read, Write};
    let mut s = std::os::unix::net::UnixStream::connect(socket).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    serde_json::from_str(&answer).unwrap()
}

/// The server process, its log collected line by line.
struct Running {
    child: Child,
    log: Receiver<String>,
    seen: String,
}

impl Running {
    fn start(lab: &Lab, file: &str) -> Running {
        let bin = env!("CARGO_BIN_EXE_xdhcp-controlplane");
        let mut child = lab
            .server_command(&[bin, "-c", file])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, log) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut r = Running {
            child,
            log,
            seen: String::new(),
        };
        r.wait_for("DHCP4_STARTED");
        r
    }

    /// Waits (10 s at most) for a log line containing `what`.
    fn wait_for(&mut self, what: &str) {
        while !self.seen.contains(what) {
            match self.log.recv_timeout(Duration::from_secs(10)) {
                Ok(line) => {
                    self.seen.push_str(&line);
                    self.seen.push('\n');
                }
                Err(_) => panic!("no {what} in the server log:\n{}", self.seen),
            }
        }
    }

    /// Sends SIGTERM and waits for a clean exit; returns the whole log.
    fn stop(mut self) -> String {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        self.wait_for("DHCP4_SHUTDOWN");
        assert!(self.child.wait().unwrap().success(), "{}", self.seen);
        std::mem::take(&mut self.seen)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_kea_config_serves_dhclient_and_keeps_its_leases() {
    let lab = Lab::new("sv");
    let dir = std::env::temp_dir().join(format!("xdhcp-serve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let dir = dir.to_string_lossy().into_owned();
    let file = format!("{dir}/kea.conf");
    std::fs::write(&file, config(&lab.iface, &dir)).unwrap();
    let server = Running::start(&lab, &file);

    let leases = format!("{dir}/dhclient.leases");
    let out = lab.dhclient(&dir, &[]).output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "dhclient:\n{said}");
    assert!(
        said.contains("DHCPACK of 198.51.100.50 from 198.51.100.1"),
        "{said}"
    );
    let lease = std::fs::read_to_string(&leases).unwrap();
    assert!(
        lease.contains("option domain-name-servers 198.51.100.53,198.51.100.54;"),
        "{lease}"
    );
    assert!(
        lease.contains("option domain-name \"serve.example\";"),
        "{lease}"
    );
    assert!(lease.contains("option dhcp-lease-time 900;"), "{lease}");

    // The statistics saw the exchange, under Kea's names.
    let stats = control(
        &format!("{dir}/control.sock"),
        r#"{"command": "statistic-get-all"}"#,
    );
    let value = |name: &str| stats["arguments"][name][0][0].as_u64().unwrap_or(u64::MAX);
    assert_eq!(value("pkt4-discover-received"), 1, "{stats}");
    assert_eq!(value("pkt4-request-received"), 1, "{stats}");
    assert_eq!(value("pkt4-offer-sent"), 1, "{stats}");
    assert_eq!(value("pkt4-ack-sent"), 1, "{stats}");
    assert_eq!(value("subnet[7].total-addresses"), 10, "{stats}");
    assert_eq!(value("subnet[7].assigned-addresses"), 1, "{stats}");
    let lease = control(
        &format!("{dir}/control.sock"),
        r#"{"command": "lease4-get", "arguments": {"ip-address": "198.51.100.50"}}"#,
    );
    assert_eq!(lease["result"], 0, "{lease}");

    // SIGTERM: the server stops, reports its XDP counters and exits 0.
    let log = server.stop();
    assert!(
        log.contains("redirected: 2"),
        "DISCOVER and REQUEST went through AF_XDP: {log}"
    );

    // The lease journal survives: a restart loads the lease.
    let again = Running::start(&lab, &file);
    let log = again.stop();
    assert!(log.contains("1 lease(s) loaded"), "{log}");
    let _ = std::fs::remove_dir_all(&dir);
}
