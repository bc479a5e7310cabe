//! Runs against a minimal DHCPv4 responder on loopback (no root needed):
//! the load loop allocates nothing per packet (a run of 20× more exchanges,
//! with renewals and releases, performs the same number of allocations on
//! the engine's thread as a short one), and `--json` reports the run.

use std::net::{Ipv4Addr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use xdhcp_dataplane::wire::v4::{code, MessageType, Packet4, Writer4};
use xdhcp_perf::cli::{self, Command};
use xdhcp_testlab::{allocations, CountingAllocator};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Answers DISCOVER with OFFER and REQUEST with ACK, like a relay's server.
fn responder(stop: Arc<AtomicBool>) -> u16 {
    let sock = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(20)))
        .unwrap();
    let port = sock.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let (mut buf, mut out) = ([0u8; 1500], [0u8; 1500]);
        while !stop.load(Ordering::Relaxed) {
            let Ok((n, from)) = sock.recv_from(&mut buf) else {
                continue;
            };
            let Ok(req) = Packet4::parse(&buf[..n]) else {
                continue;
            };
            let t = match req.message_type() {
                Some(MessageType::Discover) => MessageType::Offer,
                Some(MessageType::Request) => MessageType::Ack,
                _ => continue,
            };
            let mut w = Writer4::reply_to(&mut out, 576, &req, t).unwrap();
            let x = req.xid().to_be_bytes();
            w.set_yiaddr(Ipv4Addr::new(10, x[1], x[2], x[3] | 1));
            w.put_option(code::SERVER_ID, &[127, 0, 0, 1]).unwrap();
            let len = w.finish().unwrap();
            let _ = sock.send_to(&out[..len], from);
        }
    });
    port
}

fn options(server_port: u16, n: u64) -> cli::Options {
    let local_port = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let line = format!(
        "-r 20000 -f 2000 -F 1000 -R 500 -n {n} -W 50000 -l 127.0.0.1 -L {local_port} -N {server_port} 127.0.0.1"
    );
    let args: Vec<&str> = line.split_whitespace().collect();
    let Ok(Command::Run(opts)) = cli::parse(&args) else {
        panic!("bad test command line");
    };
    *opts
}

fn allocations_of_run(server_port: u16, n: u64) -> usize {
    let opts = options(server_port, n);
    let before = allocations();
    // The load loop only: the report's formatting allocates by design.
    xdhcp_perf::load(&opts, &mut std::io::sink()).unwrap();
    allocations() - before
}

#[test]
fn allocations_do_not_grow_with_packets() {
    let stop = Arc::new(AtomicBool::new(false));
    let port = responder(stop.clone());
    let short = allocations_of_run(port, 200);
    let long = allocations_of_run(port, 4000);
    // The runs really exchanged, renewed and released.
    let mut report = Vec::new();
    xdhcp_perf::run(&options(port, 400), &mut report).unwrap();
    stop.store(true, Ordering::Relaxed);
    let report = String::from_utf8(report).unwrap();
    let count = |section: &str, line: usize| -> u64 {
        report
            .split(section)
            .nth(1)
            .and_then(|s| s.lines().nth(line))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no {section} in\n{report}"))
    };
    // A busy machine may make the loopback responder lose a few.
    assert!(count("REQUEST-ACK***", 2) >= 300, "{report}");
    assert!(count("REQUEST-ACK (renewal)***", 2) > 0, "{report}");
    assert!(count("RELEASE***", 1) > 0, "{report}");
    assert_eq!(
        short, long,
        "allocations: {short} for 200 exchanges, {long} for 4000"
    );
}

#[test]
fn json_report_carries_perfdhcps_numbers_and_percentiles() {
    let stop = Arc::new(AtomicBool::new(false));
    let port = responder(stop.clone());
    let mut opts = options(port, 300);
    opts.json = true;
    let mut out = Vec::new();
    let code = xdhcp_perf::run(&opts, &mut out).unwrap();
    stop.store(true, Ordering::Relaxed);
    let v: serde_json::Value = serde_json::from_slice(&out).expect("stdout is one JSON object");
    assert_eq!(v["family"], 4);
    assert_eq!(v["expected_rate"], 20000);
    assert_eq!(v["exit_reason"], "max-requests");
    assert_eq!(v["exit_code"], code);
    let names: Vec<&str> = v["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "DISCOVER-OFFER",
            "REQUEST-ACK",
            "REQUEST-ACK (renewal)",
            "RELEASE"
        ]
    );
    let first = &v["exchanges"][0];
    assert_eq!(first["sent"], 300);
    // How many come back depends on the machine's load (CI runs other
    // tests beside this one); that the counts agree does not.
    let received = first["received"].as_u64().unwrap();
    assert!(received > 0, "{first}");
    assert_eq!(first["drops"].as_u64().unwrap(), 300 - received);
    let d = &first["delay_ms"];
    for k in [
        "min_ms", "avg_ms", "max_ms", "std_ms", "p50_ms", "p90_ms", "p99_ms", "p999_ms",
    ] {
        assert!(d[k].as_f64().is_some(), "{k} missing in {d}");
    }
    assert!(d["p50_ms"].as_f64() <= d["p99_ms"].as_f64());
    assert!(d["min_ms"].as_f64() <= d["max_ms"].as_f64());
}

#[test]
fn pacing_holds_the_rate_and_periodic_reports_follow_t() {
    let stop = Arc::new(AtomicBool::new(false));
    let port = responder(stop.clone());
    let mut opts = options(port, 1);
    opts.num_requests.clear();
    opts.renew_rate = 0;
    opts.release_rate = 0;
    opts.rate = 2000;
    opts.period = Some(Duration::from_millis(1500));
    opts.report_interval = Some(Duration::from_secs(1));
    let mut progress = Vec::new();
    let outcome = xdhcp_perf::load(&opts, &mut progress).unwrap();
    stop.store(true, Ordering::Relaxed);
    let sent = outcome.stats.exchanges[0].sent;
    assert!(
        (2940..=3060).contains(&sent),
        "sent {sent} DISCOVERs in 1.5 s at 2000/s"
    );
    let progress = String::from_utf8(progress).unwrap();
    let lines: Vec<&str> = progress.lines().collect();
    assert_eq!(lines.len(), 1, "one -t 1 report in 1.5 s: {progress}");
    assert!(lines[0].starts_with("sent: "), "{progress}");
    assert!(
        lines[0].contains("; received: ") && lines[0].contains("; rejected: "),
        "{progress}"
    );
}
