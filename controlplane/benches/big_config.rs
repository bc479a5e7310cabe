//! Loading an ISP-sized configuration: 10,000 subnets with 100 host
//! reservations each (1,000,000 reservations), through the whole path an
//! operator's `kea-dhcp4.conf` takes: parse, validate (the time includes
//! freeing the parsed tree, as `config::load_str` does), plan, write the
//! snapshot file; then the dataplane's side: map and check the file, build
//! the engine's configuration. Prints the time of each step, the file's
//! size and the heap the engine's configuration keeps (counted by a
//! byte-counting allocator).
//!
//!     cargo bench -p xdhcp-controlplane --bench big_config

use std::alloc::{GlobalAlloc, Layout};

use mimalloc::MiMalloc;
use std::fmt::Write;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::Instant;

use xdhcp_dataplane::config::snapshot::Snapshot;

/// Live heap bytes, over the allocator the server binaries use.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards to mimalloc, only counting sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size() as isize, Ordering::Relaxed);
        MiMalloc.alloc(l)
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size() as isize, Ordering::Relaxed);
        MiMalloc.dealloc(p, l)
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        LIVE.fetch_add(new as isize - l.size() as isize, Ordering::Relaxed);
        MiMalloc.realloc(p, l, new)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const SUBNETS: u32 = 10_000;
const HOSTS_PER_SUBNET: u32 = 100;

/// The configuration text: subnet `i` is 10.(i/256).(i%256).0/24 with a
/// pool .100-.250, a router option and 100 reservations by MAC in .2-.101.
fn config() -> String {
    let mut s = String::with_capacity(80 << 20);
    s.push_str(
        r#"{ "Dhcp4": { "valid-lifetime": 3600,
  "option-data": [ { "name": "domain-name-servers", "data": "192.0.2.53" } ],
  "subnet4": ["#,
    );
    for i in 0..SUBNETS {
        let (a, b) = (i / 256, i % 256);
        if i > 0 {
            s.push(',');
        }
        let _ = write!(
            s,
            r#"
  {{ "id": {id}, "subnet": "10.{a}.{b}.0/24",
    "pools": [ {{ "pool": "10.{a}.{b}.100 - 10.{a}.{b}.250" }} ],
    "option-data": [ {{ "name": "routers", "data": "10.{a}.{b}.1" }} ],
    "reservations": ["#,
            id = i + 1
        );
        for h in 0..HOSTS_PER_SUBNET {
            let n = i * HOSTS_PER_SUBNET + h;
            let _ = write!(
                s,
                r#"{sep}{{ "hw-address": "02:00:{:02x}:{:02x}:{:02x}:{:02x}", "ip-address": "10.{a}.{b}.{host}" }}"#,
                n >> 24,
                (n >> 16) & 0xff,
                (n >> 8) & 0xff,
                n & 0xff,
                sep = if h > 0 { "," } else { "" },
                host = h + 2
            );
        }
        s.push_str(" ] }");
    }
    s.push_str("\n] } }\n");
    s
}

fn main() {
    // `cargo test --benches` runs benches once with --bench absent: skip the
    // large run there.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let text = config();
    println!(
        "config: {SUBNETS} subnets, {} reservations, {:.1} MB of JSON",
        SUBNETS * HOSTS_PER_SUBNET,
        text.len() as f64 / 1e6
    );
    let dir = std::env::temp_dir().join(format!("xdhcp-big-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    kea_check(&dir, &text);
    let start = Instant::now();
    // `config::load_str`'s two steps, timed apart.
    let tree = xdhcp_controlplane::json::parse_str("big.json", &text).expect("valid JSON");
    let parsed = start.elapsed();
    let model = xdhcp_controlplane::config::load_value(&tree).expect("valid config");
    drop(tree);
    let loaded = start.elapsed();
    let plans = xdhcp_controlplane::compile::compile(&model);
    let planned = start.elapsed();
    let file = dir.join("snapshot");
    let size = plans.write(&file).expect("snapshot written");
    let written = start.elapsed();
    drop((model, plans));
    // The dataplane's side: map and check the file, then build the engine's
    // configuration from it.
    let before = LIVE.load(Ordering::Relaxed);
    let snapshot = Snapshot::read(&file).expect("snapshot read back");
    let read = start.elapsed();
    let compiled = snapshot.config4().expect("a Dhcp4 server");
    let done = start.elapsed();
    drop(snapshot);
    let kept = LIVE.load(Ordering::Relaxed) - before;
    std::fs::remove_dir_all(&dir).expect("temporary directory removed");
    assert_eq!(compiled.subnets.len(), SUBNETS as usize);
    let secs = |d: std::time::Duration| d.as_secs_f64();
    println!(
        "control plane: parse {:.2} s + validate {:.2} s + plan {:.2} s + write snapshot {:.2} s = {:.2} s",
        secs(parsed),
        secs(loaded - parsed),
        secs(planned - loaded),
        secs(written - planned),
        secs(written)
    );
    println!(
        "dataplane: read snapshot {:.2} s + build {:.2} s = {:.2} s; end to end {:.2} s",
        secs(read - written),
        secs(done - read),
        secs(done - written),
        secs(done)
    );
    println!(
        "snapshot file: {:.1} MB ({} B per reservation); engine configuration: {:.1} MB of heap ({} B per reservation)",
        size as f64 / 1e6,
        size / u64::from(SUBNETS * HOSTS_PER_SUBNET),
        kept as f64 / 1e6,
        kept / i64::from(SUBNETS * HOSTS_PER_SUBNET) as isize
    );
    std::hint::black_box(&compiled);
}

/// Times Kea's own check of the same text (`kea-dhcp4 -t`: parse, validate
/// and build its configuration) when Kea is installed, for comparison.
fn kea_check(dir: &std::path::Path, text: &str) {
    let conf = dir.join("kea-dhcp4.conf");
    std::fs::write(&conf, text).expect("configuration written");
    let start = Instant::now();
    match std::process::Command::new("kea-dhcp4")
        .arg("-t")
        .arg(&conf)
        .output()
    {
        Ok(out) => println!(
            "kea-dhcp4 -t on the same text: {:.2} s, {}",
            start.elapsed().as_secs_f64(),
            if out.status.success() {
                "accepted"
            } else {
                "REJECTED"
            }
        ),
        Err(e) => println!("kea-dhcp4 -t not run ({e}): install kea-dhcp4-server to compare"),
    }
    std::fs::remove_file(&conf).expect("configuration removed");
}
