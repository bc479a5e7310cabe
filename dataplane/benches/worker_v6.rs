//! CPU per request of the whole v6 worker step (frame in, frame out, lease
//! written), for IA_NA alone and IA_NA with IA_PD: where the extra cost of
//! prefix delegation goes. Results are recorded in perf/RESULTS.md.

use std::hint::black_box;
use std::net::Ipv6Addr;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use xdhcp_dataplane::alloc::{Allocator, AllocatorKind, Pool};
use xdhcp_dataplane::config::v6::{PdPool6, Reservations6};
use xdhcp_dataplane::config::{Config6, Lifetime, OptionSet, Subnet6};
use xdhcp_dataplane::engine::v6::Engine6;
use xdhcp_dataplane::frame::{write_udp, Addressing, IpAddrs};
use xdhcp_dataplane::lease::{LeaseStore, StoreConfig};
use xdhcp_dataplane::wire::v6::{Message6Writer, MessageType};
use xdhcp_dataplane::worker::{answer_v6, Link6};

const NOW: u32 = 1_800_000_000;
/// Distinct clients cycled through; fewer than either pool holds.
const CLIENTS: u32 = 50_000;

fn ip(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

fn config() -> Config6 {
    let na = Pool::v6(ip("2001:db8:5::1:0"), ip("2001:db8:5::ffff:ffff"), 5);
    Config6 {
        server_duid: vec![0, 3, 0, 1, 2, 0, 0, 0, 0, 1],
        subnets: vec![Subnet6 {
            id: 5,
            prefix: ip("2001:db8:5::"),
            prefix_len: 64,
            pools: vec![Arc::new(Allocator::new(na, AllocatorKind::Iterative))],
            pd_pools: vec![PdPool6 {
                alloc: Arc::new(Allocator::new(
                    Pool::pd(ip("2001:db8:8000::"), 32, 56, 5),
                    AllocatorKind::Iterative,
                )),
                delegated_len: 56,
                excluded: None,
                classes: Default::default(),
            }],
            interface: Some("veth0".into()),
            interface_id: None,
            relay: vec![],
            shared_network: None,
            preferred: Lifetime::fixed(3000),
            valid: Lifetime::fixed(4000),
            renew_timer: None,
            rebind_timer: None,
            rapid_commit: false,
            options: OptionSet::default(),
            reservations: Reservations6::default(),
            host_scope: Default::default(),
            guard: Default::default(),
            pool_classes: Vec::new(),
            required: Vec::new(),
            last_pool: Default::default(),
        }],
        ..Config6::default()
    }
}

/// Client `n`'s message of `kind` with an IA_NA, and an IA_PD when `pd`;
/// a REQUEST names the server.
fn message(kind: MessageType, n: u32, pd: bool) -> Vec<u8> {
    let mut buf = vec![0u8; 512];
    let mut w = Message6Writer::new(&mut buf);
    w.put_header(kind, n & 0xff_ffff).unwrap();
    let b = n.to_be_bytes();
    w.client_id(&[0, 3, 0, 1, 2, 0, b[0], b[1], b[2], b[3]])
        .unwrap();
    if kind == MessageType::Request {
        w.server_id(&[0, 3, 0, 1, 2, 0, 0, 0, 0, 1]).unwrap();
    }
    w.elapsed_time(0).unwrap();
    let m = w.begin_ia_na(1, 0, 0).unwrap();
    w.end_option(m).unwrap();
    if pd {
        let m = w.begin_ia_pd(2, 0, 0).unwrap();
        w.end_option(m).unwrap();
    }
    let len = w.finish().unwrap();
    buf.truncate(len);
    let mut frame = vec![0u8; 1500];
    let from = Addressing {
        eth_dst: [0x33, 0x33, 0, 1, 0, 2],
        eth_src: [2, 0, b[0], b[1], b[2], b[3]],
        vlans: [(0, 0); 2],
        vlan_count: 0,
        ip: IpAddrs::V6 {
            src: ip("fe80::9"),
            dst: ip("ff02::1:2"),
        },
        src_port: 546,
        dst_port: 547,
    };
    let len = write_udp(&mut frame, &from, |body| {
        body[..buf.len()].copy_from_slice(&buf);
        Ok(buf.len())
    })
    .unwrap();
    frame.truncate(len);
    frame
}

fn bench(c: &mut Criterion) {
    let config = config();
    let (leases, _) = LeaseStore::open(StoreConfig::memory(16, 1 << 23)).unwrap();
    let engine = Engine6 {
        config: &config,
        leases: &leases,
        events: None,
        stats: None,
    };
    let link = Link6 {
        name: "veth0".into(),
        mac: [2, 0, 0, 0, 0, 1],
        addr: ip("fe80::1"),
        unicast: None,
    };
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
