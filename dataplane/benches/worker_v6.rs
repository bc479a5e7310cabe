//! CPU per request of the whole v6 worker step (frame in, frame out, lease
//! written), for IA_NA alone and IA_NA with IA_PD: where the extra cost of
//! prefix delegation goes. Results are recorded in perf/RESULTS.md.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use xdhcp_dataplane::engine::v6::Engine6;
use xdhcp_dataplane::lease::{LeaseStore, StoreConfig};
use xdhcp_dataplane::wire::v6::MessageType;
use xdhcp_dataplane::worker::answer_v6;

// Shared with the tests, which use more of it than this benchmark does.
#[path = "../tests/common/v6lab.rs"]
#[allow(dead_code)]
mod v6lab;

const NOW: u32 = 1_800_000_000;
/// Distinct clients cycled through; fewer than either pool holds.
const CLIENTS: u32 = 50_000;

fn message(kind: MessageType, n: u32, pd: bool) -> Vec<u8> {
    v6lab::client_frame(n, kind, None, pd)
}

fn bench(c: &mut Criterion) {
    let config = v6lab::config();
    let (leases, _) = LeaseStore::open(StoreConfig::memory(16, 1 << 23)).unwrap();
    let engine = Engine6 {
        config: &config,
        leases: &leases,
        events: None,
        stats: None,
    };
    let link = v6lab::link();
    let mut reply = [0u8; 1500];
    let mut g = c.benchmark_group("v6 worker step");
    for (pd, name) in [(false, "IA_NA"), (true, "IA_NA + IA_PD")] {
        // Clients of one run are their own: PD clients start past the NA ones.
        let first = if pd { CLIENTS } else { 0 };
        let solicits: Vec<_> = (first..first + CLIENTS)
            .map(|n| message(MessageType::Solicit, n, pd))
            .collect();
        let requests: Vec<_> = (first..first + CLIENTS)
            .map(|n| message(MessageType::Request, n, pd))
            .collect();
        // Every client gets its leases first, so the REQUESTs below renew.
        for r in &requests {
            answer_v6(&engine, &link, r, &mut reply, NOW).unwrap();
        }
        let mut i = 0;
        g.bench_function(
            format!("SOLICIT -> ADVERTISE, {name} (client with leases)"),
            |b| {
                b.iter(|| {
                    i = (i + 1) % solicits.len();
                    answer_v6(&engine, &link, black_box(&solicits[i]), &mut reply, NOW)
                })
            },
        );
        g.bench_function(format!("REQUEST -> REPLY, {name} (leases extended)"), |b| {
            b.iter(|| {
                i = (i + 1) % requests.len();
                answer_v6(&engine, &link, black_box(&requests[i]), &mut reply, NOW)
            })
        });
        // New clients: SOLICIT and REQUEST, the server allocating.
        let mut next = 1 << 24 | u32::from(pd) << 23;
        g.bench_function(format!("SOLICIT + REQUEST of a new client, {name}"), |b| {
            b.iter_batched(
                || {
                    next += 1;
                    (
                        message(MessageType::Solicit, next, pd),
                        message(MessageType::Request, next, pd),
                    )
                },
                |(s, r)| {
                    answer_v6(&engine, &link, &s, &mut reply, NOW);
                    answer_v6(&engine, &link, &r, &mut reply, NOW)
                },
                criterion::BatchSize::SmallInput,
            )
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
