//! What `statistic-get-all` costs on an ISP-sized server: 10,000 subnets
//! and 1,000,000 leases, asked over a UNIX control socket, with the
//! counters read in-process and across the process split (the control
//! plane asking the dataplane's channel for a reading), beside Kea 2.2's
//! kea-dhcp4 holding the same subnets and leases (loaded from the memfile
//! CSV xdhcp writes, stat_cmds hook loaded) when it is installed; then
//! `stat-lease4-get` (a row per subnet) on both, and a `/metrics` render.
//! Prints the median of five requests of each, and the sizes.
//!
//!     cargo bench -p xdhcp-controlplane --bench stats_read

use std::fmt::Write;
use std::net::Ipv4Addr;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use xdhcp_controlplane::api::Api;
use xdhcp_controlplane::metrics::Metrics;
use xdhcp_controlplane::stats::{Counters, Stats};
use xdhcp_dataplane::config::Live;
use xdhcp_dataplane::lease::{csv, HwAddr, Lease4, LeaseStore, StoreConfig};
use xdhcp_dataplane::server::channel::{self, Request};
use xdhcp_dataplane::server::statistics::{Counting, Part, Sources};

// As the server binaries do.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SUBNETS: u32 = 10_000;
const LEASES_PER_SUBNET: u32 = 100;
const ASKED: usize = 5;

/// Subnet `i` is 10.(i/256).(i%256).0/24 with a pool .100-.250; Kea's
/// variant adds its control socket and lease file.
fn config(kea: Option<&Path>) -> String {
    let mut s = String::from(r#"{ "Dhcp4": { "valid-lifetime": 3600, "subnet4": ["#);
    for i in 0..SUBNETS {
        let (a, b) = (i / 256, i % 256);
        let sep = if i > 0 { "," } else { "" };
        let _ = write!(
            s,
            r#"{sep}
  {{ "id": {id}, "subnet": "10.{a}.{b}.0/24", "pools": [ {{ "pool": "10.{a}.{b}.100 - 10.{a}.{b}.250" }} ] }}"#,
            id = i + 1
        );
    }
    s.push_str("\n]");
    if let Some(dir) = kea {
        let dir = dir.display();
        let _ = write!(
            s,
            r#",
  "interfaces-config": {{ "interfaces": [] }},
  "control-socket": {{ "socket-type": "unix", "socket-name": "{dir}/kea.sock" }},
  "hooks-libraries": [ {{ "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_stat_cmds.so" }} ],
  "lease-database": {{ "type": "memfile", "persist": true, "name": "{dir}/leases4.csv", "lfc-interval": 0 }},
  "loggers": [ {{ "name": "kea-dhcp4", "severity": "WARN", "output_options": [ {{ "output": "{dir}/kea.log" }} ] }} ]"#
        );
    }
    s.push_str(" } }\n");
    s
}

/// The median time of [`ASKED`] `statistic-get-all` requests on the control
/// socket at `socket`, and the size of the last answer.
fn ask(socket: &Path) -> (Duration, usize) {
    median(|| {
        let answer = xdhcp_testlab::control(socket, r#"{"command": "statistic-get-all"}"#);
        assert_eq!(answer["result"], 0, "statistic-get-all");
        // Every server counted the same leases.
        let assigned = &answer["arguments"]["subnet[1].assigned-addresses"][0][0];
        assert_eq!(assigned, LEASES_PER_SUBNET, "{}", socket.display());
        answer.to_string().len()
    })
}

/// The same for `stat-lease4-get` (one row per subnet).
fn ask_rows(socket: &Path) -> (Duration, usize) {
    median(|| {
        let answer = xdhcp_testlab::control(socket, r#"{"command": "stat-lease4-get"}"#);
        assert_eq!(answer["result"], 0, "stat-lease4-get: {}", answer["text"]);
        let rows = &answer["arguments"]["result-set"]["rows"];
        assert_eq!(rows.as_array().map(Vec::len), Some(SUBNETS as usize));
        answer.to_string().len()
    })
}

/// Prints one figure: what was timed, its median time and the size of
/// what it produced (`kind`: the answer, a reading, a text).
fn report(what: &str, took: Duration, size: usize, kind: &str) {
    println!(
        "{what}: {:.1} ms, {kind} {:.1} MB",
        took.as_secs_f64() * 1e3,
        size as f64 / 1e6
    );
}

/// The median time of [`ASKED`] runs of `run`, and the size the last one
/// returned.
fn median(mut run: impl FnMut() -> usize) -> (Duration, usize) {
    let mut times = Vec::new();
    let mut size = 0;
    for _ in 0..ASKED {
        let start = Instant::now();
        size = run();
        times.push(start.elapsed());
    }
    times.sort();
    (times[ASKED / 2], size)
}

/// Serves `statistic-get-all` for DHCPv4 from `counters` on `socket`.
fn control_socket(socket: &Path, counters: Counters) {
    static STOP: AtomicBool = AtomicBool::new(false);
    let stats = Arc::new(Stats::new(4, Arc::new(counters)));
    let api = Api::metrics_only(&STOP).with_stats(stats);
    xdhcp_controlplane::api::unix::serve(socket, Arc::new(api)).expect("control socket");
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("xdhcp-stats-read-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    let model = xdhcp_controlplane::config::load_str("bench.json", &config(None)).expect("config");
    let snapshot = xdhcp_controlplane::compile::compile(&model);
    let config4 = snapshot.config4().expect("a Dhcp4 server");
    let total = (SUBNETS * LEASES_PER_SUBNET) as usize;
    let (leases, _) = LeaseStore::open(StoreConfig::memory(16, total)).expect("lease store");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as u32;
    for i in 0..SUBNETS {
        for h in 0..LEASES_PER_SUBNET {
            let addr = Ipv4Addr::new(10, (i / 256) as u8, (i % 256) as u8, 100 + h as u8);
            let mut lease = Lease4::new(addr, now, 3600, i + 1);
            let n = (i * LEASES_PER_SUBNET + h).to_be_bytes();
            lease.hwaddr = HwAddr::new(1, &[2, 0, n[0], n[1], n[2], n[3]]).expect("MAC");
            leases.add(lease, u64::from(now)).expect("lease added");
        }
    }
    println!("{SUBNETS} subnets, {} leases", leases.len());
    let counting = Arc::new(Counting::from_sources(
        Some(Sources {
            config: Arc::new(Live::from_pointee(config4)),
            workers: Vec::new(),
            leases: leases.clone(),
        }),
        None,
    ));

    // A scrape: the same statistics as Prometheus series, labelled from the
    // configuration.
    let stats = Arc::new(Stats::new(4, Arc::new(Counters::Here(counting.clone()))));
    stats.configure(&serde_json::from_str(&config(None)).expect("JSON"));
    let metrics = Metrics {
        stats: vec![stats],
        counters: Arc::new(Counters::Here(counting.clone())),
    };
    let (took, size) = median(|| metrics.render().expect("rendered").len());
    report("/metrics render", took, size, "text");

    let here = dir.join("here.sock");
    control_socket(&here, Counters::Here(counting.clone()));
    let (took, size) = ask(&here);
    report("in-process", took, size, "answer");
    let (took, size) = ask_rows(&here);
    report("stat-lease4-get in-process", took, size, "answer");

    // The dataplane's side of the channel, as xdhcp-dataplane answers it.
    let path = dir.join("dataplane.sock");
    let listener = channel::listen(&path).expect("channel");
    let answering = counting.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let stream = stream.expect("connection");
            if let Ok(Request::Read(part)) = channel::receive(&stream) {
                let text = serde_json::to_vec(&answering.read(part)).expect("JSON");
                std::io::Write::write_all(&mut &stream, &text).expect("answered");
            }
        }
    });
    let reading = channel::read(&path, Part::Dhcp4).expect("reading");
    let json = serde_json::to_string(&reading).expect("JSON").len();
    let split = dir.join("split.sock");
    control_socket(&split, Counters::Dataplane(path));
    let (took, _) = ask(&split);
    report("across the split", took, json, "reading");

    kea(&dir, &leases);
    std::fs::remove_dir_all(&dir).expect("temporary directory removed");
}

/// Kea 2.2 with the same subnets and leases (the leases as the memfile CSV
/// it loads at start), when installed.
fn kea(dir: &Path, leases: &LeaseStore<Lease4>) {
    let file = std::fs::File::create(dir.join("leases4.csv")).expect("lease file");
    csv::save4(leases, std::io::BufWriter::new(file)).expect("lease file written");
    let conf = dir.join("kea-dhcp4.conf");
    std::fs::write(&conf, config(Some(dir))).expect("Kea configuration");
    let start = Instant::now();
    let child = std::process::Command::new("kea-dhcp4")
        .arg("-c")
        .arg(&conf)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    let Ok(mut child) = child else {
        println!("kea-dhcp4 not run: install kea-dhcp4-server to compare");
        return;
    };
    let socket = dir.join("kea.sock");
    let up = |s: &Path| std::os::unix::net::UnixStream::connect(s).is_ok();
    while !up(&socket) && start.elapsed() < Duration::from_secs(300) {
        std::thread::sleep(Duration::from_millis(100));
    }
    println!(
        "kea-dhcp4 started with the leases in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    let (took, size) = ask(&socket);
    report("kea-dhcp4", took, size, "answer");
    let (took, size) = ask_rows(&socket);
    report("stat-lease4-get kea-dhcp4", took, size, "answer");
    let _ = child.kill();
    let _ = child.wait();
}
