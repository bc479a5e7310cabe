//! Crash safety: a child process allocating heavily (and compacting all the
//! while) is killed with SIGKILL; every allocation it acknowledged must be
//! there after restart. Then
//! random truncation and corruption of journal files: the store starts,
//! keeps every record before the damage and reports what it dropped.

use std::io::{BufRead, BufReader, Write};
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use xdhcp_dataplane::alloc::{Allocator, AllocatorKind, Pool};
use xdhcp_dataplane::journal::{FlushPolicy, JournalConfig};
use xdhcp_dataplane::lease::{ClientId, Lease4, LeaseStore, StoreConfig};

const CHILD_ENV: &str = "XDHCP_LEASE_CRASH_CHILD";

fn tmpdir(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let d = std::env::temp_dir().join(format!("xdhcp-{name}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn config(dir: &Path, shards: usize) -> StoreConfig {
    let mut j = JournalConfig::persistent(dir, FlushPolicy::Os);
    j.segment_bytes = 256 << 10;
    StoreConfig {
        shards,
        capacity: 100_000,
        journal: j,
    }
}

fn lease_for(i: u32) -> Lease4 {
    let mut l = Lease4::new(Ipv4Addr::UNSPECIFIED, 1_000_000 + i, 3600, 1);
    l.client_id = ClientId::new(&i.to_be_bytes());
    l
}

/// Not a test of its own: the body of the child process the crash test
/// spawns (a no-op unless the environment variable is set).
#[test]
fn crash_child() {
    let Ok(dir) = std::env::var(CHILD_ENV) else {
        return;
    };
    let (st, _) = LeaseStore::<Lease4>::open(config(Path::new(&dir), 8)).unwrap();
    let pool = std::sync::Arc::new(Allocator::new(
        Pool::v4(
            Ipv4Addr::new(10, 0, 0, 0),
            Ipv4Addr::new(10, 15, 255, 255),
            1,
        ),
        AllocatorKind::Iterative,
    ));
    let threads: Vec<_> = (0..2u32)
        .map(|t| {
            let (st, pool) = (st.clone(), pool.clone());
            std::thread::spawn(move || {
                let out = std::io::stdout();
                for i in (t..).step_by(2) {
                    let l = lease_for(i);
                    let exp = l.cltt as u64 + 3600;
                    let (a, _) = st.allocate(&pool, l, 0, |_| false).unwrap();
                    // Acknowledge only after the journal append returned.
                    let mut o = out.lock();
                    writeln!(o, "ACK {a} {i} {exp}").unwrap();
                    o.flush().unwrap();
                }
            })
        })
        .collect();
    // Compact continuously so the kill also lands mid-compaction: journals
    // half switched, a snapshot half written.
    let compactor = {
        let st = st.clone();
        std::thread::spawn(move || loop {
            st.compact().unwrap();
            std::thread::sleep(std::time::Duration::from_millis(3));
        })
    };
    for t in threads {
        t.join().unwrap();
    }
    compactor.join().unwrap();
}

#[test]
fn sigkill_loses_no_acknowledged_lease() {
    let dir = tmpdir("crash");
    for round in 0..3 {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, &dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut acks = Vec::new();
        while acks.len() < 20_000 {
            let line = lines.next().expect("child died early").unwrap();
            if line.starts_with("ACK ") {
                acks.push(line);
            }
        }
        child.kill().unwrap(); // SIGKILL
                               // Lines already printed before the kill are acknowledgements too.
        acks.extend(
            lines
                .map_while(Result::ok)
                .filter(|l| l.starts_with("ACK ")),
        );
        child.wait().unwrap();

        let (st, rep) = LeaseStore::<Lease4>::open(config(&dir, 8)).unwrap();
        eprintln!(
            "round {round}: {} acks, {} leases recovered, {} dropped bytes, snapshot gen {}, last gen {}",
            acks.len(),
            st.len(),
            rep.dropped_bytes(),
            rep.snapshot_gen,
            rep.last_gen
        );
        for a in &acks {
            let f: Vec<&str> = a.split(' ').collect();
            let addr: Ipv4Addr = f[1].parse().unwrap();
            let i: u32 = f[2].parse().unwrap();
            let exp: u64 = f[3].parse().unwrap();
            let l = st
                .get(addr)
                .unwrap_or_else(|| panic!("acknowledged {addr} lost"));
            assert_eq!(l.client_id.as_bytes(), &i.to_be_bytes());
            assert_eq!(l.cltt as u64 + l.valid_lft as u64, exp);
        }
        st.check_consistency().unwrap();
    }
    std::fs::remove_dir_all(dir).unwrap();
}

/// End offsets of each record in a journal file.
fn record_ends(buf: &[u8]) -> Vec<usize> {
    let mut pos = 16;
    let mut ends = Vec::new();
    while pos + 8 <= buf.len() {
        let len = u32::from_le_bytes(buf[pos..pos + 4].try_into().unwrap()) as usize;
        if len == 0 {
            break;
        }
        pos += 8 + len;
        ends.push(pos);
    }
    ends
}

#[test]
fn random_truncation_and_corruption_keep_records_before_the_damage() {
    // A one-shard journal of 1500 allocations.
    let pristine = tmpdir("pristine");
    let n = 1500u32;
    {
        let (st, _) = LeaseStore::<Lease4>::open(config(&pristine, 1)).unwrap();
        let pool = Allocator::new(
            Pool::v4(
                Ipv4Addr::new(10, 0, 0, 0),
                Ipv4Addr::new(10, 0, 255, 255),
                1,
            ),
            AllocatorKind::Iterative,
        );
        for i in 0..n {
            st.allocate(&pool, lease_for(i), 0, |_| false).unwrap();
        }
    }
    let jpath = pristine.join("journal-0-1.log");
    let bytes = std::fs::read(&jpath).unwrap();
    let ends = record_ends(&bytes);
    assert_eq!(ends.len(), n as usize);
    let data_end = *ends.last().unwrap();

    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut rnd = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let work = tmpdir("damage");
    for it in 0..400 {
        let mut b = bytes.clone();
        let truncate = it % 2 == 0;
        // The first byte that differs from the pristine file.
        let damage = if truncate {
            let at = 16 + (rnd() as usize % (data_end - 16));
            b.truncate(at);
            at
        } else {
            let at = 16 + (rnd() as usize % (data_end + 64 - 16));
            b[at] ^= 1 + (rnd() % 255) as u8;
            at
        };
        let _ = std::fs::remove_dir_all(&work);
        std::fs::create_dir_all(&work).unwrap();
        std::fs::write(work.join("journal-0-1.log"), &b).unwrap();

        let (st, rep) = LeaseStore::<Lease4>::open(config(&work, 1)).unwrap();
        let intact = ends.iter().take_while(|&&e| e <= damage).count();
        assert_eq!(st.len(), intact, "iteration {it}: damage at {damage}");
        let expect_drop = if truncate {
            // A cut exactly on a record boundary leaves nothing torn.
            !ends.contains(&damage)
        } else {
            true
        };
        assert_eq!(
            rep.dropped_bytes() > 0,
            expect_drop,
            "iteration {it}: damage at {damage}, report {rep:?}"
        );
        // Everything before the damage is there, nothing after it.
        for i in 0..n {
            let a = Ipv4Addr::from(0x0a00_0000 + i);
            assert_eq!(st.get(a).is_some(), (i as usize) < intact, "iteration {it}");
        }
        drop(st);
        // The damage was cut off for good: a second start reports nothing.
        let (st, rep) = LeaseStore::<Lease4>::open(config(&work, 1)).unwrap();
        assert_eq!(rep.dropped_bytes(), 0);
        assert_eq!(st.len(), intact);
    }
    std::fs::remove_dir_all(work).unwrap();
    std::fs::remove_dir_all(pristine).unwrap();
}
