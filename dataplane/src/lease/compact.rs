//! Compaction (Kea's lease file cleanup, `lfc-interval`) without stopping
//! service.
//!
//! As Kea's LFC, compaction works on files the server no longer writes:
//!
//! 1. Each shard switches to a fresh journal of generation `g + 1`; the
//!    files are created and mapped before the shard lock is taken, so the
//!    lock covers only a pointer swap. That is the only moment compaction
//!    holds a shard lock.
//! 2. The newest older snapshot and the journals that followed it (now
//!    sealed) are merged into `snapshot-<g+1>.snap`: the journals' last
//!    record per address wins over the snapshot's entry, deletes drop it.
//!    Nothing here reads the live tables, so a compaction thread that is
//!    preempted (or slow) delays no allocation.
//! 3. The snapshot is synced and renamed into place; older files go.
//!
//! The merge holds one small entry per address changed since the last
//! compaction, not a copy of every lease, and copies unchanged snapshot
//! records as bytes without decoding them.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::io;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use memmap2::Mmap;

use super::{addr_value_hash, Lease, LeaseStore};
use crate::journal::frame::{damaged_len, scan, Op, ScanEnd};
use crate::journal::{self, snapshot::SnapshotWriter, Segment};

/// What a compaction wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CompactReport {
    /// The new generation.
    pub gen: u64,
    /// Leases in the new snapshot.
    pub leases: u64,
    /// Records read from the older snapshot and the sealed journals.
    pub records_read: u64,
    /// Damaged bytes in those files, left out as recovery leaves them out.
    pub dropped_bytes: usize,
    /// Old files removed.
    pub removed_files: usize,
    /// Longest time compaction held any shard lock (the journal switch):
    /// the most an allocation could have waited for it.
    pub max_lock_hold: Duration,
}

impl<L: Lease> LeaseStore<L> {
    /// Writes a snapshot of the live leases and starts new journals, while
    /// other threads keep using the store. Concurrent calls run one after
    /// the other. No-op when not persistent.
    pub fn compact(&self) -> io::Result<CompactReport> {
        if !self.cfg.journal.persist {
            return Ok(CompactReport::default());
        }
        let _one = self.compacting.lock();
        let dir = self.cfg.journal.dir.clone();
        let gen = self.gen.load(Ordering::Relaxed) + 1;
        let max_lock_hold = self.switch_journals(&dir, gen)?;
        let merged = merge(&dir, L::FAMILY, gen)?;
        let removed_files = remove_superseded(&dir, gen)?;
        Ok(CompactReport {
            gen,
            leases: merged.leases,
            records_read: merged.records,
            dropped_bytes: merged.dropped_bytes,
            removed_files,
            max_lock_hold,
        })
    }

    /// Runs [`compact`](Self::compact) in a thread of its own at the lowest
    /// CPU priority, so that on a machine whose cores all serve packets it
    /// takes idle time and never preempts a worker; `done` gets the result
    /// and how long it took.
    pub fn compact_in_background(
        self: &Arc<Self>,
        done: impl FnOnce(io::Result<CompactReport>, Duration) + Send + 'static,
    ) -> io::Result<JoinHandle<()>> {
        let store = self.clone();
        std::thread::Builder::new()
            .name("lease-compact".into())
            .spawn(move || {
                // SAFETY: plain syscalls about the calling thread; failing
                // leaves the default priority, which is only less polite.
                unsafe { libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, 19) };
                let t = Instant::now();
                let result = store.compact();
                done(result, t.elapsed());
            })
    }

    /// Step 1: every shard appends to a journal of generation `gen` from
    /// now on; the old journals are flushed so the merge reads them whole.
    fn switch_journals(&self, dir: &Path, gen: u64) -> io::Result<Duration> {
        let mut max_lock_hold = Duration::ZERO;
        for (i, sh) in self.shards.iter().enumerate() {
            let seg = Segment::create(
                &journal::journal_path(dir, i, gen),
                L::FAMILY,
                gen,
                self.cfg.journal.segment_bytes,
            )?;
            let old = {
                let mut g = sh.lock();
                let t = Instant::now();
                let old = g.journal.replace(seg);
                max_lock_hold = max_lock_hold.max(t.elapsed());
                old
            };
            // The old file must be durable before the snapshot replaces it.
            if let Some(old) = old {
                old.flush()?;
            }
        }
        self.gen.store(gen, Ordering::Relaxed);
        Ok(max_lock_hold)
    }
}

/// The address a record body starts with (an upsert's lease image and a
/// delete's body both do), as the merge's key.
fn record_key(family: u8, body: &[u8]) -> Option<u128> {
    let n = if family == 4 { 4 } else { 16 };
    let bytes = body.get(..n)?;
    Some(bytes.iter().fold(0u128, |k, &b| k << 8 | u128::from(b)))
}

/// Hashes the merge's keys with the store's address hash: SipHash, made
/// for keys an attacker picks, took most of a 10 M-lease merge.
#[derive(Default)]
struct AddrHash;

impl BuildHasher for AddrHash {
    type Hasher = AddrHasher;
    fn build_hasher(&self) -> AddrHasher {
        AddrHasher(0)
    }
}

/// See [`AddrHash`]; keys are `u128` addresses, hashed in one call.
struct AddrHasher(u64);

impl Hasher for AddrHasher {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = addr_value_hash(u128::from(self.0) << 8 | u128::from(*b));
        }
    }
    fn write_u128(&mut self, v: u128) {
        self.0 = addr_value_hash(v);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Maps a file read-only. SAFETY of the callers' use: the files merged are
/// sealed (no shard appends to a generation older than the current one)
/// and only compaction, which runs once at a time, removes them.
fn map_file(path: &Path) -> io::Result<Mmap> {
    let file = std::fs::File::open(path)?;
    // SAFETY: see above; nobody writes or truncates these files meanwhile.
    unsafe { Mmap::map(&file) }
}

/// Step 2: writes `snapshot-<gen>` from the newest snapshot older than
/// `gen` and the sealed journals of its generation up to `gen - 1`, as
/// recovery would replay them.
fn merge(dir: &Path, family: u8, gen: u64) -> io::Result<Merged> {
    let (journals, snaps) = journal::recover::list(dir)?;
    let base = snaps.iter().rev().find(|s| s.0 < gen);
    let base_gen = base.map_or(0, |s| s.0);
    let sealed = journals
        .iter()
        .filter(|j| j.1 >= base_gen && j.1 < gen)
        .map(|j| map_file(&j.2))
        .collect::<io::Result<Vec<_>>>()?;
    let mut out = Merged::default();
    // Files come in generation order and a generation's files hold
    // disjoint addresses, so inserting in this order leaves each address's
    // last record.
    let mut latest: HashMap<u128, Option<&[u8]>, AddrHash> = HashMap::default();
    for map in &sealed {
        let end = scan(map, family, |r| {
            if let Some(k) = record_key(family, r.body) {
                latest.insert(k, (r.op == Op::Upsert).then_some(r.body));
            }
            true
        });
        out.count(end, map);
    }
    let mut w = SnapshotWriter::create(&journal::snapshot_path(dir, gen), family)?;
    if let Some((_, path)) = base {
        let map = map_file(path)?;
        let mut failed = Ok(());
        let end = scan(&map, family, |r| {
            let changed = record_key(family, r.body).is_none_or(|k| latest.contains_key(&k));
            if !changed {
                failed = w.push_body(r.body);
            }
            failed.is_ok()
        });
        failed?;
        out.count(end, &map);
    }
    for body in latest.values().flatten() {
        w.push_body(body)?;
    }
    out.leases = w.finish()?;
    Ok(out)
}

/// What [`merge`] read and wrote.
#[derive(Default)]
struct Merged {
    leases: u64,
    records: u64,
    dropped_bytes: usize,
}

impl Merged {
    /// Adds one input file's scan. Damage ends a file's records exactly as
    /// recovery would stop there, so the snapshot holds what a restart
    /// would have loaded; the dropped bytes are reported.
    fn count(&mut self, end: Option<ScanEnd>, file: &[u8]) {
        match end {
            Some(e) => {
                self.records += e.records;
                self.dropped_bytes += e.dropped;
            }
            None => self.dropped_bytes += damaged_len(file),
        }
    }
}

/// Step 3: removes the journals and snapshots `snapshot-<gen>` supersedes,
/// and snapshots a crash left half-written; returns how many files went.
fn remove_superseded(dir: &Path, gen: u64) -> io::Result<usize> {
    let (journals, snaps) = journal::recover::list(dir)?;
    let mut removed = 0;
    for p in journals
        .iter()
        .filter(|j| j.1 < gen)
        .map(|j| &j.2)
        .chain(snaps.iter().filter(|s| s.0 < gen).map(|s| &s.1))
    {
        std::fs::remove_file(p)?;
        removed += 1;
    }
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with("snapshot-") && name.ends_with(".tmp") {
            std::fs::remove_file(&p)?;
            removed += 1;
        }
    }
    Ok(removed)
}
