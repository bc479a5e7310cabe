//! CPU per request of the whole v4 worker step (frame in, frame out, lease
//! written): the figure the AF_XDP path can at best reach per core.
//! Results are recorded in perf/RESULTS.md.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use xdhcp_dataplane::engine::v4::Engine4;
use xdhcp_dataplane::frame::Frame;
use xdhcp_dataplane::lease::{LeaseStore, StoreConfig};
use xdhcp_dataplane::wire::v4::Packet4;
use xdhcp_dataplane::worker::answer_v4;

// Shared with the tests, which use more of it than this benchmark does.
#[path = "../tests/common/v4lab.rs"]
#[allow(dead_code)]
mod v4lab;

const NOW: u32 = 1_800_000_000;
/// Distinct clients cycled through; fewer than the pool holds.
const CLIENTS: u16 = 50_000;

fn bench(c: &mut Criterion) {
    let config = v4lab::config();
    let (leases, _) = LeaseStore::open(StoreConfig::memory(16, 1 << 17)).unwrap();
    let engine = Engine4 {
        config: &config,
        leases: &leases,
        stats: None,
        events: None,
    };
    let link = v4lab::link();
    let discovers: Vec<Vec<u8>> = (0..CLIENTS).map(|n| v4lab::client_frame(n, None)).collect();
    let mut reply = [0u8; 1500];
    // Give every client its lease, so REQUESTs below are renewals of it.
    let requests: Vec<Vec<u8>> = discovers
        .iter()
        .enumerate()
        .map(|(n, d)| {
            let len = answer_v4(&engine, &link, d, &mut reply, NOW).unwrap();
            let yiaddr = Packet4::parse(Frame::parse(&reply[..len]).unwrap().payload)
                .unwrap()
                .yiaddr();
            let r = v4lab::client_frame(n as u16, Some(yiaddr));
            answer_v4(&engine, &link, &r, &mut reply, NOW).unwrap();
            r
        })
        .collect();

    let mut g = c.benchmark_group("v4 worker step");
    let mut i = 0;
    g.bench_function("DISCOVER -> OFFER (client with a lease)", |b| {
        b.iter(|| {
            i = (i + 1) % discovers.len();
            answer_v4(&engine, &link, black_box(&discovers[i]), &mut reply, NOW)
        })
    });
    g.bench_function("REQUEST -> ACK (lease renewed)", |b| {
        b.iter(|| {
            i = (i + 1) % requests.len();
            answer_v4(&engine, &link, black_box(&requests[i]), &mut reply, NOW)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
