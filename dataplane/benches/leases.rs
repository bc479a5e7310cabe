//! Lease store costs: allocate+journal throughput with two threads, replay
//! speed of a one-million-lease journal, RAM per lease, and the longest
//! allocation stall while compaction runs.
//!
//! The RAM and compaction figures are printed (criterion times only).

use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use xdhcp_dataplane::alloc::{Allocator, AllocatorKind, Pool};
use xdhcp_dataplane::journal::{FlushPolicy, JournalConfig};
use xdhcp_dataplane::lease::{v4, ClientId, HwAddr, Lease4, Lease6, LeaseStore, StoreConfig};

/// Leases in the replayed journal: 1 M by default, or
/// `XDHCP_BENCH_REPLAY_LEASES` (the figure is for 10 M).
fn replay_leases() -> u32 {
    std::env::var("XDHCP_BENCH_REPLAY_LEASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("xdhcp-bench-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn config(dir: &PathBuf, capacity: usize) -> StoreConfig {
    let mut j = JournalConfig::persistent(dir, FlushPolicy::Os);
    j.segment_bytes = 64 << 20;
    StoreConfig {
        shards: 16,
        capacity,
        journal: j,
    }
}

fn client(i: u32) -> Lease4 {
    let mut l = Lease4::new(Ipv4Addr::UNSPECIFIED, 1_000_000, 3600, 1);
    let b = i.to_be_bytes();
    l.hwaddr = HwAddr::new(1, &[2, 0, b[0], b[1], b[2], b[3]]).unwrap();
    l.client_id = ClientId::new(&[1, 2, 0, b[0], b[1], b[2], b[3]]);
    l
}

/// 10.0.0.0/8: room for the 10 M-lease journal.
fn big_pool() -> Arc<Allocator> {
    Arc::new(Allocator::new(
        Pool::v4(
            Ipv4Addr::new(10, 0, 0, 0),
            Ipv4Addr::new(10, 255, 255, 255),
            1,
        ),
        AllocatorKind::Iterative,
    ))
}

/// Two threads each allocate (journalled) and, to stay in steady state,
/// release their oldest lease once they hold 1024: one element = one
/// allocation + one release, two journal records.
fn alloc_journal(c: &mut Criterion) {
    let d = dir("alloc");
    let (st, _) = LeaseStore::<Lease4>::open(config(&d, 1 << 16)).unwrap();
    let pool = big_pool();
    let mut g = c.benchmark_group("leases");
    g.throughput(Throughput::Elements(1));
    g.bench_function("allocate+release, journalled, 2 threads (per op)", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            std::thread::scope(|s| {
                for t in 0..2u32 {
                    let (st, pool) = (&st, &pool);
                    s.spawn(move || {
                        let mut ring = [Ipv4Addr::UNSPECIFIED; 1024];
                        for i in 0..iters / 2 {
                            let k = (i % 1024) as usize;
                            if i >= 1024 {
                                st.release(ring[k], |_| true).unwrap();
                            }
                            let (a, _) = st
                                .allocate(pool, client(i as u32 ^ t << 31), 0, |_| false)
                                .unwrap();
                            ring[k] = a;
                        }
                        for a in ring.iter().take((iters / 2).min(1024) as usize) {
                            st.release(*a, |_| true).unwrap();
                        }
                    });
                }
            });
            start.elapsed()
        })
    });
    g.finish();
    drop(st);
    let _ = std::fs::remove_dir_all(&d);
}

/// Finding a client's lease by client-id: the index is per address shard,
/// so a lookup visits every shard (16 here) in a 1M-lease store.
fn lookup_by_client(c: &mut Criterion) {
    let (st, _) = LeaseStore::<Lease4>::open(StoreConfig::memory(16, 1 << 20)).unwrap();
    let pool = big_pool();
    for i in 0..1_000_000u32 {
        st.allocate(&pool, client(i), 0, |_| false).unwrap();
    }
    let mut g = c.benchmark_group("leases");
    g.throughput(Throughput::Elements(1));
    let mut i = 0u32;
    g.bench_function("lookup by client-id, 16 shards, 1M leases", |b| {
        b.iter(|| {
            i = (i + 7919) % 1_000_000;
            let cid = client(i).client_id;
            let mut found = 0;
            st.each_by_client(v4::client_id_hash(cid.as_bytes()), |_| found += 1);
            found
        })
    });
    g.finish();
}

/// A journal of `replay_leases()` allocations, then a cold start replaying it.
fn replay(c: &mut Criterion) {
    let d = dir("replay");
    let leases = replay_leases();
    let cfg = config(&d, leases as usize);
    {
        let (st, _) = LeaseStore::<Lease4>::open(cfg.clone()).unwrap();
        let pool = big_pool();
        for i in 0..leases {
            st.allocate(&pool, client(i), 0, |_| false).unwrap();
        }
        let per = st.heap_bytes() as f64 / st.len() as f64;
        println!(
            "RAM: {per:.0} bytes per v4 lease with all indexes ({} leases, {:.1} MiB); Lease4 record {} bytes",
            st.len(),
            st.heap_bytes() as f64 / (1 << 20) as f64,
            std::mem::size_of::<Lease4>()
        );
    }
    let mut g = c.benchmark_group("leases");
    g.sample_size(10);
    g.throughput(Throughput::Elements(u64::from(leases)));
    g.bench_function("replay journal (per lease)", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let t = Instant::now();
                let (st, rep) = LeaseStore::<Lease4>::open(cfg.clone()).unwrap();
                total += t.elapsed();
                assert_eq!(rep.journal_records, u64::from(leases));
                assert_eq!(st.len(), leases as usize);
                drop(st);
                // Drop the empty generation each start opens.
                for e in std::fs::read_dir(&d).unwrap() {
                    let p = e.unwrap().path();
                    if !p.to_str().unwrap().ends_with("-1.log") {
                        std::fs::remove_file(p).unwrap();
                    }
                }
            }
            total
        })
    });
    g.finish();

    // One more start, timed by wall clock and by the CPU time of the whole
    // process (all replay threads), to set the figure apart from load.
    let (c0, t) = (process_cpu(), Instant::now());
    let (st, rep) = LeaseStore::<Lease4>::open(cfg.clone()).unwrap();
    let (wall, cpu) = (t.elapsed(), process_cpu() - c0);
    println!(
        "replay of {} records: wall {wall:?}, CPU {cpu:?} (all threads)",
        rep.journal_records
    );
    drop(st);

    // Compaction of the leases while another thread allocates.
    let (st, _) = LeaseStore::<Lease4>::open(cfg).unwrap();
    let stop = AtomicBool::new(false);
    let pool = Arc::new(Allocator::new(
        Pool::v4(
            Ipv4Addr::new(11, 0, 0, 0),
            Ipv4Addr::new(11, 63, 255, 255),
            1,
        ),
        AllocatorKind::Iterative,
    ));
    let (during, took) = std::thread::scope(|s| {
        let w = s.spawn(|| {
            let mut lat = Vec::with_capacity(1 << 22);
            let mut n = 0u32;
            while !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                let (a, _) = st.allocate(&pool, client(n), 0, |_| false).unwrap();
                st.release(a, |_| true).unwrap();
                lat.push(t.elapsed());
                n += 1;
            }
            lat
        });
        // As the server's lease file cleanup runs it: its own thread, at
        // the lowest priority.
        let (tx, rx) = std::sync::mpsc::channel();
        st.compact_in_background(move |r, took| tx.send((r.unwrap(), took)).unwrap())
            .unwrap();
        let (rep, took) = rx.recv().unwrap();
        println!(
            "compaction held a shard lock at most {:?} (the longest an allocation waits for it)",
            rep.max_lock_hold
        );
        stop.store(true, Ordering::Relaxed);
        (w.join().unwrap(), took)
    });
    // The same worker loop for as long without compaction, for reference.
    let (mut base, mut m, t) = (Vec::with_capacity(1 << 22), 0u32, Instant::now());
    while t.elapsed() < took {
        let t = Instant::now();
        let (a, _) = st.allocate(&pool, client(m), 0, |_| false).unwrap();
        st.release(a, |_| true).unwrap();
        base.push(t.elapsed());
        m += 1;
    }
    println!("compaction of {} leases took {took:?}", st.len());
    println!("  allocate+release during compaction: {}", stalls(during));
    println!("  same loop without compaction:       {}", stalls(base));
    drop(st);
    let _ = std::fs::remove_dir_all(&d);
}

/// Summary of per-operation latencies.
fn stalls(mut v: Vec<Duration>) -> String {
    v.sort();
    let q = |p: f64| v[((v.len() - 1) as f64 * p) as usize];
    let over = v.iter().filter(|d| **d > Duration::from_millis(1)).count();
    format!(
        "{} ops, p50 {:?}, p99.9 {:?}, max {:?}, {} over 1 ms",
        v.len(),
        q(0.5),
        q(0.999),
        v[v.len() - 1],
        over
    )
}

/// On-CPU time of the calling thread (from the scheduler's accounting),
/// so a figure can be separated from time lost to other processes on a
/// shared machine.
fn thread_cpu() -> Duration {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    let ns = s
        .split_whitespace()
        .next()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    Duration::from_nanos(ns)
}

/// CPU time (user + system) of the whole process, all threads, from
/// /proc/self/stat (10 ms resolution).
fn process_cpu() -> Duration {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are the
    // 12th and 13th of those.
    let rest = s.rsplit(')').next().unwrap_or("");
    let f: Vec<u64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|v| v.parse().ok())
        .collect();
    Duration::from_millis(f.iter().sum::<u64>() * 10)
}

/// Two threads each do a fixed number of allocate+release pairs; prints
/// wall-clock throughput and the throughput their on-CPU time implies
/// (what two dedicated cores would do).
fn alloc_journal_cpu(_: &mut Criterion) {
    let d = dir("alloccpu");
    let (st, _) = LeaseStore::<Lease4>::open(config(&d, 1 << 16)).unwrap();
    let pool = big_pool();
    let per_thread = 1_000_000u32;
    let t = Instant::now();
    let cpu: Vec<Duration> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..2u32)
            .map(|k| {
                let (st, pool) = (&st, &pool);
                s.spawn(move || {
                    let c0 = thread_cpu();
                    let mut ring = [Ipv4Addr::UNSPECIFIED; 1024];
                    for i in 0..per_thread {
                        let j = (i % 1024) as usize;
                        if i >= 1024 {
                            st.release(ring[j], |_| true).unwrap();
                        }
                        let (a, _) = st.allocate(pool, client(i << 1 | k), 0, |_| false).unwrap();
                        ring[j] = a;
                    }
                    thread_cpu() - c0
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let wall = t.elapsed();
    let ops = 2.0 * per_thread as f64;
    let by_cpu: f64 = cpu
        .iter()
        .map(|c| per_thread as f64 / c.as_secs_f64())
        .sum();
    println!(
        "allocate+release (journalled), 2 threads, {} pairs: wall {:.2} M/s; on-CPU {:?} per thread => {:.2} M/s on 2 dedicated cores ({:.0} ns per pair per core)",
        ops,
        ops / wall.as_secs_f64() / 1e6,
        cpu,
        by_cpu / 1e6,
        2e9 / by_cpu
    );
    drop(st);
    let _ = std::fs::remove_dir_all(&d);
}

/// Two threads allocate two million leases (journalled) without releasing.
fn allocate_only(_: &mut Criterion) {
    let d = dir("alloconly");
    let n = 2_000_000u32;
    let (st, _) = LeaseStore::<Lease4>::open(config(&d, n as usize)).unwrap();
    let pool = big_pool();
    let t = Instant::now();
    let cpu: Vec<Duration> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..2u32)
            .map(|k| {
                let (st, pool) = (&st, &pool);
                s.spawn(move || {
                    let c0 = thread_cpu();
                    for i in 0..n / 2 {
                        st.allocate(pool, client(i << 1 | k), 0, |_| false).unwrap();
                    }
                    thread_cpu() - c0
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let took = t.elapsed();
    let by_cpu: f64 = cpu.iter().map(|c| (n / 2) as f64 / c.as_secs_f64()).sum();
    println!(
        "allocate only, journalled, 2 threads: {n} leases in {took:?} = {:.2} M/s wall; on-CPU {cpu:?} => {:.2} M/s on 2 dedicated cores",
        n as f64 / took.as_secs_f64() / 1e6,
        by_cpu / 1e6
    );
    drop(st);
    let _ = std::fs::remove_dir_all(&d);
}

/// Leases the RAM figure is taken at (the 10 M).
const RAM_LEASES: u32 = 10_000_000;

/// RAM per lease, records and every index, in a store of 10 M v4 and then
/// 10 M v6 leases (printed; there is nothing to time).
fn ram_per_lease(_: &mut Criterion) {
    let show = |family: &str, bytes: usize, record: usize| {
        println!(
            "RAM at {RAM_LEASES} leases: {:.1} bytes per {family} lease with all indexes ({:.0} MiB); record {record} bytes",
            bytes as f64 / f64::from(RAM_LEASES),
            bytes as f64 / (1 << 20) as f64,
        )
    };
    let config = StoreConfig::memory(16, RAM_LEASES as usize);
    let (st, _) = LeaseStore::<Lease4>::open(config.clone()).unwrap();
    let pool = Allocator::new(
        Pool::v4(
            Ipv4Addr::new(10, 0, 0, 0),
            Ipv4Addr::new(10, 255, 255, 255),
            1,
        ),
        AllocatorKind::Iterative,
    );
    for i in 0..RAM_LEASES {
        st.allocate(&pool, client(i), 0, |_| false).unwrap();
    }
    show("v4", st.heap_bytes(), std::mem::size_of::<Lease4>());
    drop(st);
    let (st, _) = LeaseStore::<Lease6>::open(config).unwrap();
    let first: Ipv6Addr = "2001:db8::".parse().unwrap();
    let last: Ipv6Addr = "2001:db8::ff:ffff".parse().unwrap();
    let pool = Allocator::new(Pool::v6(first, last, 1), AllocatorKind::Iterative);
    for i in 0..RAM_LEASES {
        // A DUID-LL of a MAC, the commonest short DUID.
        let b = i.to_be_bytes();
        let duid = [0, 3, 0, 1, 2, 0, b[0], b[1], b[2], b[3]];
        let l = Lease6::new(Ipv6Addr::UNSPECIFIED, &duid, 1, 0, 3600);
        st.allocate(&pool, l, 0, |_| false).unwrap();
    }
    show("v6", st.heap_bytes(), std::mem::size_of::<Lease6>());
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = alloc_journal, alloc_journal_cpu, allocate_only, lookup_by_client, replay, ram_per_lease
}
criterion_main!(benches);
