//! Round trip through files written by the real Kea 2.2: kea-dhcp4 serves
//! perfdhcp in a pair of network namespaces (192.0.2.0/24) and gets extra
//! leases through `lease4-add`; kea-dhcp6 gets leases through `lease6-add`.
//! We import Kea's memfile CSV, export it again and require the very lines
//! Kea wrote. Kea missing is a failure, not a skip.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use xdhcp_dataplane::lease::{csv, Lease4, Lease6, LeaseStore, StoreConfig};

const LEASE_CMDS: &str = "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_cmds.so";

fn require(path: &str) {
    assert!(
        Path::new(path).exists(),
        "{path} is missing: this test needs Kea 2.2 (apt-get install kea-dhcp4-server \
         kea-dhcp6-server kea-admin kea-common)"
    );
}

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("xdhcp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn sh(args: &[&str]) {
    let st = Command::new(args[0]).args(&args[1..]).status().unwrap();
    assert!(st.success(), "{args:?} failed");
}

/// A server and a client namespace joined by a veth pair; removed on drop.
struct Lab {
    ns: String,
}

impl Lab {
    fn new() -> Self {
        let ns = format!("xdl{}", std::process::id());
        let (s, c) = (format!("{ns}s"), format!("{ns}c"));
        let (a, b) = (format!("{ns}a"), format!("{ns}b"));
        let lab = Lab { ns };
        sh(&["ip", "netns", "add", &s]);
        sh(&["ip", "netns", "add", &c]);
        sh(&["ip", "link", "add", &a, "type", "veth", "peer", "name", &b]);
        sh(&["ip", "link", "set", &a, "netns", &s]);
        sh(&["ip", "link", "set", &b, "netns", &c]);
        sh(&["ip", "-n", &s, "addr", "add", "192.0.2.1/24", "dev", &a]);
        sh(&["ip", "-n", &c, "addr", "add", "192.0.2.2/24", "dev", &b]);
        for (n, i) in [(&s, &a), (&c, &b)] {
            sh(&["ip", "-n", n, "link", "set", i, "up"]);
            sh(&["ip", "-n", n, "link", "set", "lo", "up"]);
        }
        lab
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for n in ["s", "c"] {
            let _ = Command::new("ip")
                .args(["netns", "del", &format!("{}{n}", self.ns)])
                .status();
        }
    }
}

struct Kea(Child);

impl Kea {
    fn start(cmd: &mut Command, sock: &Path, dir: &Path) -> Self {
        std::fs::create_dir_all("/run/kea").unwrap();
        let child = cmd
            .env("KEA_LOCKFILE_DIR", "none")
            .env("KEA_PIDFILE_DIR", dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Kea");
        let k = Kea(child);
        let t = Instant::now();
        while !sock.exists() {
            assert!(
                t.elapsed() < Duration::from_secs(10),
                "Kea did not open {}",
                sock.display()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        k
    }

    /// SIGTERM, so Kea closes its lease file cleanly.
    fn stop(mut self) {
        sh(&["kill", "-TERM", &self.0.id().to_string()]);
        self.0.wait().unwrap();
    }
}

impl Drop for Kea {
    fn drop(&mut self) {
        let _ = self.0.kill();
    }
}

fn command(sock: &Path, json: &str) -> String {
    let mut s = UnixStream::connect(sock).unwrap();
    s.write_all(json.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    assert!(out.contains("\"result\": 0"), "{json} -> {out}");
    out
}

/// Kea appends a line per change: the last line of an address wins.
fn last_lines(text: &str) -> (String, BTreeMap<String, String>) {
    let mut lines = text.lines();
    let header = lines.next().unwrap().to_owned();
    let mut m = BTreeMap::new();
    for l in lines {
        m.insert(l.split(',').next().unwrap().to_owned(), l.to_owned());
    }
    (header, m)
}

#[test]
fn kea_dhcp4_csv_round_trips_exactly() {
    require("/usr/sbin/kea-dhcp4");
    require("/usr/sbin/perfdhcp");
    require(LEASE_CMDS);
    let dir = tmpdir("kea4");
    let lab = Lab::new();
    let (sock, file) = (dir.join("k4.sock"), dir.join("leases4.csv"));
    let cfg = format!(
        r#"{{"Dhcp4":{{"interfaces-config":{{"interfaces":["{ns}a"]}},
        "control-socket":{{"socket-type":"unix","socket-name":"{sock}"}},
        "lease-database":{{"type":"memfile","persist":true,"name":"{file}","lfc-interval":0}},
        "hooks-libraries":[{{"library":"{LEASE_CMDS}"}}],
        "subnet4":[{{"id":1,"subnet":"192.0.2.0/24","pools":[{{"pool":"192.0.2.10-192.0.2.200"}}]}}]}}}}"#,
        ns = lab.ns,
        sock = sock.display(),
        file = file.display()
    );
    std::fs::write(dir.join("k4.json"), cfg).unwrap();
    let kea = Kea::start(
        Command::new("ip").args([
            "netns",
            "exec",
            &format!("{}s", lab.ns),
            "kea-dhcp4",
            "-c",
            dir.join("k4.json").to_str().unwrap(),
        ]),
        &sock,
        &dir,
    );
    let out = Command::new("timeout")
        .args([
            "30",
            "ip",
            "netns",
            "exec",
            &format!("{}c", lab.ns),
            "perfdhcp",
            "-4",
        ])
        .args([
            "-l",
            &format!("{}b", lab.ns),
            "-r",
            "50",
            "-n",
            "40",
            "-R",
            "200",
            "-p",
            "10",
            "192.0.2.1",
        ])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("REQUEST-ACK"), "perfdhcp: {report}");
    command(
        &sock,
        r#"{"command":"lease4-add","arguments":{"ip-address":"192.0.2.250","hw-address":"1a:1b:1c:1d:1e:1f","client-id":"01:02:03","hostname":"a,b.example.org","valid-lft":3600,"expire":1900000000,"subnet-id":1,"fqdn-fwd":true,"user-context":{"x":"a,b","n":[1,2]}}}"#,
    );
    command(
        &sock,
        r#"{"command":"lease4-add","arguments":{"ip-address":"192.0.2.251","hw-address":"1a:1b:1c:1d:1e:20","state":1}}"#,
    );
    kea.stop();
    drop(lab);

    let text = std::fs::read_to_string(&file).unwrap();
    let (header, kea_rows) = last_lines(&text);
    assert_eq!(header, csv::HEADER4, "Kea 2.2's v4 header");
    assert!(
        kea_rows.len() >= 20,
        "perfdhcp got only {} leases",
        kea_rows.len()
    );
    eprintln!("Kea wrote {} v4 leases", kea_rows.len());

    let (st, _) = LeaseStore::<Lease4>::open(StoreConfig::memory(4, 1024)).unwrap();
    csv::load4(&st, text.as_bytes()).unwrap();
    assert_eq!(st.len(), kea_rows.len());
    let mut out = Vec::new();
    csv::save4(&st, &mut out).unwrap();
    let (h2, ours) = last_lines(std::str::from_utf8(&out).unwrap());
    assert_eq!(h2, header);
    assert_eq!(ours, kea_rows, "exported rows differ from Kea's");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn kea_dhcp6_csv_round_trips_exactly() {
    require("/usr/sbin/kea-dhcp6");
    require(LEASE_CMDS);
    let dir = tmpdir("kea6");
    let (sock, file) = (dir.join("k6.sock"), dir.join("leases6.csv"));
    let cfg = format!(
        r#"{{"Dhcp6":{{"interfaces-config":{{"interfaces":[]}},"server-id":{{"type":"LLT","persist":false}},
        "control-socket":{{"socket-type":"unix","socket-name":"{sock}"}},
        "lease-database":{{"type":"memfile","persist":true,"name":"{file}","lfc-interval":0}},
        "hooks-libraries":[{{"library":"{LEASE_CMDS}"}}],
        "subnet6":[{{"id":1,"subnet":"2001:db8::/64","pools":[{{"pool":"2001:db8::10-2001:db8::ff"}}],
          "pd-pools":[{{"prefix":"2001:db8:1::","prefix-len":48,"delegated-len":56}}]}}]}}}}"#,
        sock = sock.display(),
        file = file.display()
    );
    std::fs::write(dir.join("k6.json"), cfg).unwrap();
    let kea = Kea::start(
        Command::new("kea-dhcp6").args(["-c", dir.join("k6.json").to_str().unwrap()]),
        &sock,
        &dir,
    );
    for args in [
        r#"{"ip-address":"2001:db8::20","duid":"01:02:03:04:05:06","iaid":1234,"hw-address":"1a:1b:1c:1d:1e:1f","hostname":"h,x","valid-lft":3600,"preferred-lft":1800,"expire":1900000000,"subnet-id":1,"fqdn-rev":true,"user-context":{"a":[1,2]}}"#,
        r#"{"type":"IA_PD","ip-address":"2001:db8:1:100::","prefix-len":56,"duid":"01:02:03:04:05:07","iaid":7,"subnet-id":1}"#,
        r#"{"ip-address":"2001:db8::21","duid":"00:03:00:01:aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff","iaid":1,"subnet-id":1,"state":1}"#,
        r#"{"type":"IA_TA","ip-address":"2001:db8::22","duid":"01:02","iaid":2,"subnet-id":1}"#,
    ] {
        command(
            &sock,
            &format!(r#"{{"command":"lease6-add","arguments":{args}}}"#),
        );
    }
    kea.stop();

    let text = std::fs::read_to_string(&file).unwrap();
    let (header, kea_rows) = last_lines(&text);
    assert_eq!(header, csv::HEADER6, "Kea 2.2's v6 header");
    assert_eq!(kea_rows.len(), 4);
    let (st, _) = LeaseStore::<Lease6>::open(StoreConfig::memory(4, 64)).unwrap();
    csv::load6(&st, text.as_bytes()).unwrap();
    let mut out = Vec::new();
    csv::save6(&st, &mut out).unwrap();
    let (_, ours) = last_lines(std::str::from_utf8(&out).unwrap());
    assert_eq!(ours, kea_rows, "exported rows differ from Kea's");
    std::fs::remove_dir_all(dir).unwrap();
}
