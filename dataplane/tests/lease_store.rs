//! Lease store behaviour: records, indexes, allocators, journal recovery,
//! reclamation, compaction and CSV.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::PathBuf;
use std::sync::Arc;

use xdhcp_dataplane::alloc::{Allocator, AllocatorKind, Pool};
use xdhcp_dataplane::journal::{FlushPolicy, JournalConfig, RecordKind};
use xdhcp_dataplane::lease::{
    csv, v4, ClientId, Hostname, HwAddr, Lease, Lease4, Lease6, LeaseState, LeaseStore, LeaseType,
    ReclaimConfig, StoreConfig, StoreError,
};

fn tmpdir(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let d = std::env::temp_dir().join(format!("xdhcp-{name}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn client(i: u32) -> Lease4 {
    let mut l = Lease4::new(Ipv4Addr::UNSPECIFIED, 1_000_000, 3600, 1);
    let m = i.to_be_bytes();
    l.hwaddr = HwAddr::new(1, &[0x02, 0, m[0], m[1], m[2], m[3]]).unwrap();
    l.client_id = ClientId::new(&[1, 0x02, 0, m[0], m[1], m[2], m[3]]);
    l
}

fn persistent(dir: &PathBuf, shards: usize) -> StoreConfig {
    let mut j = JournalConfig::persistent(dir, FlushPolicy::Os);
    j.segment_bytes = 1 << 20;
    StoreConfig {
        shards,
        capacity: 4096,
        journal: j,
    }
}

#[test]
fn records_are_small() {
    let s4 = std::mem::size_of::<Lease4>();
    let s6 = std::mem::size_of::<Lease6>();
    eprintln!("Lease4 {s4} bytes, Lease6 {s6} bytes");
    assert!(s4 <= 112, "Lease4 is {s4} bytes");
    assert!(s6 <= 136, "Lease6 is {s6} bytes");
    // Whole-store footprint per lease, indexes and headroom included, with
    // the store sized for exactly the leases it holds.
    let n = 100_000;
    let (st, _) = LeaseStore::<Lease4>::open(StoreConfig::memory(8, n)).unwrap();
    let pool = Allocator::new(
        Pool::v4(
            Ipv4Addr::new(10, 0, 0, 0),
            Ipv4Addr::new(10, 1, 255, 255),
            1,
        ),
        AllocatorKind::Iterative,
    );
    for i in 0..n as u32 {
        st.allocate(&pool, client(i), 1_000_000, |_| false).unwrap();
    }
    let per = st.heap_bytes() / n;
    eprintln!("store bytes per v4 lease (records + indexes): {per}");
    assert!(per < 200, "{per} bytes per lease");

    let (st, _) = LeaseStore::<Lease6>::open(StoreConfig::memory(8, n)).unwrap();
    let pool = Allocator::new(
        Pool::v6(
            "2001:db8::".parse().unwrap(),
            "2001:db8::ffff:ffff".parse().unwrap(),
            1,
        ),
        AllocatorKind::Iterative,
    );
    for i in 0..n as u32 {
        let duid = [
            0,
            3,
            0,
            1,
            2,
            0,
            (i >> 24) as u8,
            (i >> 16) as u8,
            (i >> 8) as u8,
            i as u8,
        ];
        let l = Lease6::new(Ipv6Addr::UNSPECIFIED, &duid, 1, 0, 3600);
        st.allocate(&pool, l, 0, |_| false).unwrap();
    }
    let per6 = st.heap_bytes() / n;
    eprintln!("store bytes per v6 lease (records + indexes): {per6}");
    assert!(per6 < 200, "{per6} bytes per v6 lease");
}

#[test]
fn indexes_find_leases_by_every_key() {
    let (st, _) = LeaseStore::<Lease4>::open(StoreConfig::memory(4, 64)).unwrap();
    let mut l = client(7);
    l.addr = Ipv4Addr::new(192, 0, 2, 7);
    l.hostname = Hostname::new(b"Host7.example.org");
    st.add(l.clone(), 0).unwrap();
    let mut n = 0;
    st.each_by_hw(v4::hw_hash(&l.hwaddr), |x| {
        assert_eq!(x.addr, l.addr);
        n += 1
    });
    st.each_by_client(v4::client_id_hash(l.client_id.as_bytes()), |_| n += 1);
    st.each_by_hostname("host7.EXAMPLE.org", |_| n += 1);
    assert_eq!(n, 3);
    // Changing the hostname moves the index entry.
    st.update(
        l.addr,
        RecordKind::AdminUpdate,
        |_| true,
        |x| x.hostname = Hostname::new(b"other"),
    )
    .unwrap();
    let mut m = 0;
    st.each_by_hostname("host7.example.org", |_| m += 1);
    st.each_by_hostname("other", |_| m += 10);
    assert_eq!(m, 10);
    st.check_consistency().unwrap();
    assert!(matches!(st.add(l, 0), Err(StoreError::Exists)));
}

#[test]
fn iterative_allocator_skips_reserved_declined_and_in_use() {
    let (st, _) = LeaseStore::<Lease4>::open(StoreConfig::memory(4, 64)).unwrap();
    let pool = Allocator::new(
        Pool::v4(
            Ipv4Addr::new(192, 0, 2, 10),
            Ipv4Addr::new(192, 0, 2, 19),
            1,
        ),
        AllocatorKind::Iterative,
    );
    let now = 1_000_000;
    let reserved = |a: Ipv4Addr| a == Ipv4Addr::new(192, 0, 2, 11);
    let (a0, _) = st.allocate(&pool, client(0), now, reserved).unwrap();
    assert_eq!(a0, Ipv4Addr::new(192, 0, 2, 10));
    let (a1, _) = st.allocate(&pool, client(1), now, reserved).unwrap();
    assert_eq!(a1, Ipv4Addr::new(192, 0, 2, 12));
    // Decline .12: it stays out of use for the probation period.
    st.decline(a1, |_| true, now as u32, 86400).unwrap();
    let mut got = Vec::new();
    while let Ok((a, _)) = st.allocate(&pool, client(100 + got.len() as u32), now, reserved) {
        got.push(a);
    }
    assert_eq!(got.len(), 7, "{got:?}");
    assert!(!got.contains(&a1) && !got.contains(&Ipv4Addr::new(192, 0, 2, 11)));
    assert!(matches!(
        st.allocate(&pool, client(999), now, reserved),
        Err(StoreError::Exhausted)
    ));
    // After the probation the declined address is reused.
    let later = now + 86400;
    let mut found = false;
    for i in 0..10 {
        if let Ok((a, _)) = st.allocate(&pool, client(2000 + i), later, reserved) {
            found |= a == a1;
        }
    }
    assert!(found, "declined address not reused after probation");
}

#[test]
fn expired_lease_is_reused_in_place() {
    let (st, _) = LeaseStore::<Lease4>::open(StoreConfig::memory(2, 16)).unwrap();
    let pool = Allocator::new(
        Pool::v4(Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 2), 1),
        AllocatorKind::Iterative,
    );
    let mut c = client(1);
    c.cltt = 100;
    c.valid_lft = 10;
    st.allocate(&pool, c.clone(), 100, |_| false).unwrap();
    st.allocate(&pool, c, 100, |_| false).unwrap();
    assert!(st.allocate(&pool, client(3), 105, |_| false).is_err());
    let (a, _) = st.allocate(&pool, client(3), 111, |_| false).unwrap();
    assert_eq!(st.get(a).unwrap().client_id, client(3).client_id);
    assert_eq!(st.len(), 2);
    st.check_consistency().unwrap();
}

#[test]
fn random_and_flq_allocators_cover_the_pool_once() {
    for kind in [AllocatorKind::Random, AllocatorKind::FreeLeaseQueue] {
        let (st, _) = LeaseStore::<Lease4>::open(StoreConfig::memory(4, 300)).unwrap();
        let pool = Arc::new(Allocator::new(
            Pool::v4(Ipv4Addr::new(10, 0, 0, 0), Ipv4Addr::new(10, 0, 0, 255), 1),
            kind,
        ));
        st.add_pool(pool.clone(), 0);
        let mut seen = std::collections::HashSet::new();
        for i in 0..256 {
            let (a, _) = st.allocate(&pool, client(i), 0, |_| false).unwrap();
            assert!(seen.insert(a));
        }
        assert!(st.allocate(&pool, client(999), 0, |_| false).is_err());
        // A release returns the address (flq pushes it back to its queue).
        let back = Ipv4Addr::new(10, 0, 0, 77);
        st.release(back, |_| true).unwrap();
        let (a, _) = st.allocate(&pool, client(1000), 0, |_| false).unwrap();
        assert_eq!(a, back, "{kind:?}");
    }
}

#[test]
fn pd_pool_delegates_prefixes() {
    let (st, _) = LeaseStore::<Lease6>::open(StoreConfig::memory(4, 300)).unwrap();
    let pool = Allocator::new(
        Pool::pd("2001:db8:1::".parse().unwrap(), 48, 56, 1),
        AllocatorKind::Iterative,
    );
    assert_eq!(pool.pool().count, 256);
    let mut t = Lease6::new(Ipv6Addr::UNSPECIFIED, b"\x00\x03\x00\x01abcdef", 9, 0, 3600);
    t.lease_type = LeaseType::Pd;
    t.prefix_len = 56;
    let (a, _) = st.allocate(&pool, t.clone(), 0, |_| false).unwrap();
    assert_eq!(a, "2001:db8:1::".parse::<Ipv6Addr>().unwrap());
    let (b, _) = st.allocate(&pool, t, 0, |_| false).unwrap();
    assert_eq!(b, "2001:db8:1:100::".parse::<Ipv6Addr>().unwrap());
    let key = xdhcp_dataplane::lease::v6::client_hash(b"\x00\x03\x00\x01abcdef", 9, LeaseType::Pd);
    let mut n = 0;
    st.each_by_client(key, |_| n += 1);
    assert_eq!(n, 2);
}

#[test]
fn journal_replays_every_kind_of_change() {
    let dir = tmpdir("replay");
    let now = 1_000_000;
    let expected = {
        let (st, rep) = LeaseStore::<Lease4>::open(persistent(&dir, 4)).unwrap();
        assert_eq!(rep.journal_records, 0);
        let pool = Allocator::new(
            Pool::v4(Ipv4Addr::new(10, 0, 0, 0), Ipv4Addr::new(10, 0, 3, 255), 1),
            AllocatorKind::Iterative,
        );
        for i in 0..500 {
            let mut c = client(i);
            if i % 7 == 0 {
                c.hostname =
                    Hostname::new(b"a,long-hostname-beyond-the-inline-capacity.example.org");
                c.user_context = Some(r#"{"k":"v"}"#.into());
            }
            st.allocate(&pool, c, now, |_| false).unwrap();
        }
        for i in (0..500u32).step_by(5) {
            let a = Ipv4Addr::from(0x0a00_0000 + i);
            st.renew(a, |_| true, now as u32 + 10, 7200).unwrap();
        }
        for i in (1..500u32).step_by(11) {
            st.release(Ipv4Addr::from(0x0a00_0000 + i), |_| true)
                .unwrap();
        }
        st.decline(Ipv4Addr::from(0x0a00_0000 + 3), |_| true, now as u32, 3600)
            .unwrap();
        st.snapshot_sorted()
    };
    let (st, rep) = LeaseStore::<Lease4>::open(persistent(&dir, 4)).unwrap();
    assert_eq!(rep.dropped_bytes(), 0);
    assert_eq!(st.snapshot_sorted(), expected);
    st.check_consistency().unwrap();
    // Opening with another shard count still finds everything.
    drop(st);
    let (st, _) = LeaseStore::<Lease4>::open(persistent(&dir, 16)).unwrap();
    assert_eq!(st.snapshot_sorted(), expected);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn compaction_runs_while_workers_allocate() {
    let dir = tmpdir("compact");
    let mut cfg = persistent(&dir, 8);
    cfg.capacity = 200_000;
    let (st, _) = LeaseStore::<Lease4>::open(cfg.clone()).unwrap();
    let pool = Arc::new(Allocator::new(
        Pool::v4(
            Ipv4Addr::new(10, 0, 0, 0),
            Ipv4Addr::new(10, 3, 255, 255),
            1,
        ),
        AllocatorKind::Iterative,
    ));
    for i in 0..50_000 {
        st.allocate(&pool, client(i), 0, |_| false).unwrap();
    }
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let worker = {
        let (st, pool, stop) = (st.clone(), pool.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut worst = std::time::Duration::ZERO;
            let mut i = 100_000u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let t = std::time::Instant::now();
                let (a, _) = st.allocate(&pool, client(i), 0, |_| false).unwrap();
                if i.is_multiple_of(3) {
                    st.release(a, |_| true).unwrap();
                }
                worst = worst.max(t.elapsed());
                i += 1;
            }
            worst
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(20));
    let rep = st.compact().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let rep2 = st.compact().unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let worst = worker.join().unwrap();
    eprintln!("compaction: {rep:?} {rep2:?}; slowest allocation meanwhile {worst:?}");
    assert!(rep.leases >= 50_000);
    assert!(rep2.removed_files > 0);
    // Compaction never holds a shard lock for long (debug build, shared
    // machine: a generous bound; the bench reports the real figure).
    assert!(
        rep.max_lock_hold < std::time::Duration::from_millis(20),
        "{rep:?}"
    );
    // Stall time is measured (against a no-compaction baseline) by the
    // bench: a debug build on a shared machine makes any bound here flaky.
    let expected = st.snapshot_sorted();
    drop(st);
    let (st, rep) = LeaseStore::<Lease4>::open(cfg).unwrap();
    assert_eq!(rep.snapshot_gen, rep2.gen);
    assert_eq!(st.snapshot_sorted(), expected);
    std::fs::remove_dir_all(dir).unwrap();
}

/// Compaction merges the previous snapshot with the journals written since,
/// over several generations and restarts (with a changed shard count): the
/// new snapshot alone holds exactly the live leases, each once.
#[test]
fn compaction_merges_snapshot_and_sealed_journals() {
    let dir = tmpdir("merge");
    let now = 1_000_000;
    let pool = Allocator::new(
        Pool::v4(Ipv4Addr::new(10, 0, 0, 0), Ipv4Addr::new(10, 0, 15, 255), 1),
        AllocatorKind::Iterative,
    );
    let addr = |i: u32| Ipv4Addr::from(0x0a00_0000 + i);
    {
        let (st, _) = LeaseStore::<Lease4>::open(persistent(&dir, 4)).unwrap();
        for i in 0..1000 {
            st.allocate(&pool, client(i), now, |_| false).unwrap();
        }
        let rep = st.compact().unwrap();
        assert_eq!((rep.leases, rep.records_read), (1000, 1000), "{rep:?}");
        // Changes after the first snapshot, in the journals it does not hold.
        for i in (0..1000).step_by(3) {
            st.renew(addr(i), |_| true, now as u32 + 10, 7200).unwrap();
        }
        for i in (1..1000).step_by(10) {
            st.delete(addr(i)).unwrap();
        }
        for i in (2..1000).step_by(10) {
            st.release(addr(i), |_| true).unwrap();
        }
        for i in 1000..1200 {
            st.allocate(&pool, client(i), now, |_| false).unwrap();
        }
    }
    // A restart starts a generation of its own; it deletes some more.
    let (st, _) = LeaseStore::<Lease4>::open(persistent(&dir, 8)).unwrap();
    for i in (5..1200).step_by(50) {
        st.delete(addr(i)).unwrap();
    }
    st.renew(addr(1100), |_| true, now as u32 + 20, 600)
        .unwrap();
    let expected = st.snapshot_sorted();
    let rep = st.compact().unwrap();
    assert_eq!(rep.leases as usize, expected.len(), "{rep:?}");
    assert_eq!(rep.dropped_bytes, 0);
    drop(st);
    // Only the snapshot and the new generation's empty journals are left.
    let (st, rec) = LeaseStore::<Lease4>::open(persistent(&dir, 4)).unwrap();
    assert_eq!(rec.snapshot_gen, rep.gen);
    assert_eq!(rec.snapshot_leases as usize, expected.len());
    assert_eq!(rec.journal_records, 0);
    assert_eq!(st.snapshot_sorted(), expected);
    st.check_consistency().unwrap();
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn reclamation_follows_expired_leases_processing() {
    let dir = tmpdir("reclaim");
    let (st, _) = LeaseStore::<Lease4>::open(persistent(&dir, 4)).unwrap();
    for i in 0..300u32 {
        let mut l = client(i);
        l.addr = Ipv4Addr::from(0x0a00_0000 + i);
        l.cltt = 1000;
        l.valid_lft = if i < 250 { 100 } else { 10_000 };
        st.add(l, 0).unwrap();
    }
    let cfg = ReclaimConfig {
        hold_reclaimed_time: 50,
        max_reclaim_leases: 100,
        max_reclaim_time_ms: 0,
        unwarned_reclaim_cycles: 5,
    };
    // Nothing has expired yet.
    assert_eq!(st.reclaim_expired(1099, &cfg).unwrap().reclaimed, 0);
    let r = st.reclaim_expired(1100, &cfg).unwrap();
    assert_eq!((r.reclaimed, r.incomplete), (100, true));
    let r = st.reclaim_expired(1100, &cfg).unwrap();
    assert_eq!(r.reclaimed, 100);
    let r = st.reclaim_expired(1100, &cfg).unwrap();
    assert_eq!((r.reclaimed, r.incomplete), (50, false));
    let mut reclaimed = 0;
    st.for_each(|l| reclaimed += (l.state == LeaseState::ExpiredReclaimed) as usize);
    assert_eq!(reclaimed, 250);
    // After the hold time, reclaimed leases go away.
    let r = st
        .reclaim_expired(
            1150,
            &ReclaimConfig {
                max_reclaim_leases: 0,
                ..cfg.clone()
            },
        )
        .unwrap();
    assert_eq!(r.flushed, 250);
    assert_eq!(st.len(), 50);
    st.check_consistency().unwrap();
    drop(st);
    let (st, _) = LeaseStore::<Lease4>::open(persistent(&dir, 4)).unwrap();
    assert_eq!(st.len(), 50);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn group_commit_and_periodic_flush() {
    for flush in [
        FlushPolicy::GroupCommit,
        FlushPolicy::Periodic(std::time::Duration::from_millis(5)),
    ] {
        let dir = tmpdir("flush");
        let mut cfg = persistent(&dir, 2);
        cfg.journal.flush = flush;
        let (st, _) = LeaseStore::<Lease4>::open(cfg.clone()).unwrap();
        let pool = Allocator::new(
            Pool::v4(Ipv4Addr::new(10, 0, 0, 0), Ipv4Addr::new(10, 0, 0, 255), 1),
            AllocatorKind::Iterative,
        );
        let mut last = None;
        for i in 0..100 {
            let (_, t) = st.allocate(&pool, client(i), 0, |_| false).unwrap();
            last = Some(t);
        }
        st.commit(last.unwrap()).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        drop(st);
        let (st, _) = LeaseStore::<Lease4>::open(cfg).unwrap();
        assert_eq!(st.len(), 100);
        std::fs::remove_dir_all(dir).unwrap();
    }
}

#[test]
fn csv_round_trip_keeps_every_field() {
    let mut a = client(1);
    a.addr = Ipv4Addr::new(192, 0, 2, 1);
    a.hostname = Hostname::new(b"a,b.example.org");
    a.user_context = Some(r#"{ "x": "a,b" }"#.into());
    a.fqdn_fwd = true;
    let mut b = Lease4::new(Ipv4Addr::new(192, 0, 2, 2), 5, 10, 2);
    b.state = LeaseState::Declined;
    b.hwaddr = HwAddr::new(1, &[1, 2, 3, 4, 5, 6]).unwrap();
    let mut out = Vec::new();
    csv::export4(&mut out, [&a, &b]).unwrap();
    let text = String::from_utf8(out.clone()).unwrap();
    assert!(text.starts_with(csv::HEADER4));
    assert!(text.contains("a&#x2cb.example.org"));
    assert_eq!(csv::import4(&out[..]).unwrap(), vec![a, b]);

    let mut l = Lease6::new("2001:db8::1".parse().unwrap(), &[0, 1, 2, 3], 77, 100, 3600);
    l.subnet_id = 3;
    l.hostname = Hostname::new(b"h,x");
    l.hwaddr = HwAddr::new(1, &[1, 2, 3, 4, 5, 6]).unwrap();
    l.hwaddr_source = 4;
    let mut p = Lease6::new("2001:db8:1:100::".parse().unwrap(), &[9; 30], 7, 100, 3600);
    p.lease_type = LeaseType::Pd;
    p.prefix_len = 56;
    let mut out = Vec::new();
    csv::export6(&mut out, [&l, &p]).unwrap();
    assert!(String::from_utf8(out.clone())
        .unwrap()
        .starts_with(csv::HEADER6));
    assert_eq!(csv::import6(&out[..]).unwrap(), vec![l, p]);
}

#[test]
fn journal_images_round_trip() {
    let mut l = client(5);
    l.addr = Ipv4Addr::new(1, 2, 3, 4);
    l.user_context = Some("{}".into());
    let mut buf = vec![0; l.encoded_len()];
    l.encode(&mut buf);
    assert_eq!(Lease4::decode(&buf), Some(l));
    let l6 = Lease6::new("2001:db8::9".parse().unwrap(), &[1; 40], 1, 2, 3);
    let mut buf = vec![0; l6.encoded_len()];
    l6.encode(&mut buf);
    assert_eq!(Lease6::decode(&buf), Some(l6));
}

#[test]
fn hint_is_honoured_when_free_and_in_pool() {
    let (st, _) = LeaseStore::<Lease4>::open(StoreConfig::memory(2, 64)).unwrap();
    let pool = Allocator::new(
        Pool::v4(Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 20), 1),
        AllocatorKind::Iterative,
    );
    let h = Ipv4Addr::new(10, 0, 0, 9);
    let (a, _) = st
        .allocate_with_hint(&pool, client(1), Some(h), 0, |_| false)
        .unwrap();
    assert_eq!(a, h);
    // Taken, reserved or outside the pool: the allocator decides.
    let (b, _) = st
        .allocate_with_hint(&pool, client(2), Some(h), 0, |_| false)
        .unwrap();
    assert_ne!(b, h);
    let r = Ipv4Addr::new(10, 0, 0, 10);
    let (c, _) = st
        .allocate_with_hint(&pool, client(3), Some(r), 0, |a| a == r)
        .unwrap();
    assert_ne!(c, r);
    let (d, _) = st
        .allocate_with_hint(
            &pool,
            client(4),
            Some(Ipv4Addr::new(10, 0, 1, 1)),
            0,
            |_| false,
        )
        .unwrap();
    assert!(pool.pool().offset_of(u32::from(d) as u128).is_some());
}

#[test]
fn v6_journal_replays_addresses_and_prefixes() {
    let dir = tmpdir("replay6");
    let mut cfg = persistent(&dir, 4);
    cfg.journal.flush = FlushPolicy::GroupCommit;
    let expected = {
        let (st, _) = LeaseStore::<Lease6>::open(cfg.clone()).unwrap();
        let na = Allocator::new(
            Pool::v6(
                "2001:db8::100".parse().unwrap(),
                "2001:db8::1ff".parse().unwrap(),
                1,
            ),
            AllocatorKind::Random,
        );
        let pd = Allocator::new(
            Pool::pd("2001:db8:8000::".parse().unwrap(), 40, 56, 1),
            AllocatorKind::Iterative,
        );
        let mut batch = st.batch();
        for i in 0..200u32 {
            let duid = [0, 3, 0, 1, 2, 0, 0, 0, 0, i as u8];
            let mut l = Lease6::new(Ipv6Addr::UNSPECIFIED, &duid, i, 1000, 3600);
            l.hwaddr = HwAddr::new(1, &duid[4..]).unwrap();
            l.hwaddr_source = 2;
            let (_, t) = st.allocate(&na, l.clone(), 1000, |_| false).unwrap();
            batch.add(t);
            l.lease_type = LeaseType::Pd;
            l.prefix_len = 56;
            l.hostname = Hostname::new(b"cpe.example.net");
            let (p, t) = st.allocate(&pd, l, 1000, |_| false).unwrap();
            batch.add(t);
            if i % 4 == 0 {
                st.release(p, |_| true).unwrap();
            }
        }
        st.commit_batch(&mut batch).unwrap();
        // Expire everything and reclaim half with a hold time.
        let cfg = ReclaimConfig {
            max_reclaim_leases: 150,
            ..ReclaimConfig::default()
        };
        let r = st.reclaim_expired(5_000, &cfg).unwrap();
        assert_eq!(r.reclaimed, 150);
        st.snapshot_sorted()
    };
    let (st, rep) = LeaseStore::<Lease6>::open(cfg).unwrap();
    assert_eq!(rep.dropped_bytes(), 0);
    assert_eq!(st.len(), 350);
    assert_eq!(st.snapshot_sorted(), expected);
    st.check_consistency().unwrap();
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn renewed_leases_are_not_reclaimed_at_their_old_expiry() {
    let (st, _) = LeaseStore::<Lease4>::open(StoreConfig::memory(4, 256)).unwrap();
    for i in 0..100u32 {
        let mut l = client(i);
        l.addr = Ipv4Addr::from(0x0a00_0000 + i);
        l.cltt = 1000;
        l.valid_lft = 100;
        st.add(l, 0).unwrap();
        if i % 2 == 0 {
            st.renew(Ipv4Addr::from(0x0a00_0000 + i), |_| true, 1050, 100)
                .unwrap();
        }
    }
    let cfg = ReclaimConfig {
        hold_reclaimed_time: 0,
        max_reclaim_leases: 10,
        ..ReclaimConfig::default()
    };
    let mut total = 0;
    loop {
        let r = st.reclaim_expired(1120, &cfg).unwrap();
        assert!(r.reclaimed <= 10);
        total += r.reclaimed;
        if !r.incomplete {
            break;
        }
    }
    // Only the 50 leases that were not renewed had expired.
    assert_eq!(total, 50);
    assert_eq!(st.len(), 50);
    st.for_each(|l| assert_eq!(l.cltt, 1050));
    st.check_consistency().unwrap();
}

#[test]
fn journals_grow_in_place_and_off_the_lock() {
    let dir = tmpdir("grow");
    let mut cfg = persistent(&dir, 1);
    cfg.journal.segment_bytes = 4096;
    let pool = Allocator::new(
        Pool::v4(Ipv4Addr::new(10, 0, 0, 0), Ipv4Addr::new(10, 0, 3, 255), 1),
        AllocatorKind::Iterative,
    );
    {
        let (st, _) = LeaseStore::<Lease4>::open(cfg.clone()).unwrap();
        for i in 0..1000 {
            st.allocate(&pool, client(i), 0, |_| false).unwrap();
            // Half the time growth happens in maintain(), half in append.
            if i % 20 == 0 && i < 500 {
                st.maintain().unwrap();
            }
        }
        assert!(st.journal_bytes() > 4096 * 8);
    }
    let len = std::fs::metadata(dir.join("journal-0-1.log"))
        .unwrap()
        .len();
    assert!(len >= 65536, "journal is {len} bytes");
    let (st, rep) = LeaseStore::<Lease4>::open(cfg).unwrap();
    assert_eq!(rep.dropped_bytes(), 0);
    assert_eq!(st.len(), 1000);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn flq_on_a_huge_v6_pool_falls_back_to_random() {
    let pool = Allocator::new(
        Pool::v6(
            "2001:db8::".parse().unwrap(),
            "2001:db8::ffff:ffff:ffff:ffff".parse().unwrap(),
            1,
        ),
        AllocatorKind::FreeLeaseQueue,
    );
    assert_eq!(pool.kind(), AllocatorKind::Random);
    let (st, _) = LeaseStore::<Lease6>::open(StoreConfig::memory(2, 64)).unwrap();
    let l = Lease6::new(Ipv6Addr::UNSPECIFIED, &[1, 2, 3], 1, 0, 3600);
    st.allocate(&pool, l, 0, |_| false).unwrap();
}
