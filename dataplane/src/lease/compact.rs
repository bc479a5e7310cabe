//! Compaction (Kea's lease file cleanup, `lfc-interval`) without stopping
//! service.
//!
//! 1. Each shard switches to a fresh journal of generation `g + 1`; the
//!    files are created and mapped before the shard lock is taken, so the
//!    lock covers only a pointer swap.
//! 2. Live leases are copied out in chunks of [`CHUNK`] under the lock and
//!    written to `snapshot-<g+1>.snap` outside it.
//! 3. The snapshot is synced and renamed into place; older files go.
//!
//! The snapshot is "fuzzy": a chunk copied after the switch may already
//! contain changes that are also in the new journal. Every journal record
//! is an idempotent whole-lease upsert or delete by address, so replaying
//! the new journal over the snapshot yields the same state either way.

use std::io;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::{Lease, LeaseStore};
use crate::journal::{self, snapshot::SnapshotWriter, Segment};

/// Leases copied per lock acquisition during compaction: a hold of a few
/// microseconds, so the compacting thread is seldom preempted while an
/// allocation waits for the lock (512 left 4-5 ms holds at 10 M leases).
pub const CHUNK: usize = 128;

/// What a compaction wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CompactReport {
    /// The new generation.
    pub gen: u64,
    /// Leases in the new snapshot.
    pub leases: u64,
    /// Old files removed.
    pub removed_files: usize,
    /// Longest time compaction held any shard lock: the most an
    /// allocation could have waited for it.
    pub max_lock_hold: std::time::Duration,
}

impl<L: Lease> LeaseStore<L> {
    /// Writes a snapshot of the live leases and starts new journals, while
    /// other threads keep using the store. No-op when not persistent.
    pub fn compact(&self) -> io::Result<CompactReport> {
        if !self.cfg.journal.persist {
            return Ok(CompactReport::default());
        }
        let _one = self.compacting.lock();
        let dir = self.cfg.journal.dir.clone();
        let gen = self.gen.load(Ordering::Relaxed) + 1;
        let mut max_lock_hold = Duration::ZERO;
        // 1. Switch journals.
        for (i, sh) in self.shards.iter().enumerate() {
            let seg = Segment::create(
                &journal::journal_path(&dir, i, gen),
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
        // 2. Copy live leases in chunks.
        let mut w = SnapshotWriter::create(&journal::snapshot_path(&dir, gen), L::FAMILY)?;
        let mut buf: Vec<L> = Vec::with_capacity(CHUNK);
        for sh in self.shards.iter() {
            let mut from = 0;
            loop {
                buf.clear();
                // Walk by slot number: a lease stays in its slot until it is
                // removed, so every lease live at the switch is visited.
                let (next, done) = {
                    let g = sh.lock();
                    let t = Instant::now();
                    let r = g.copy_slots(from, CHUNK, &mut buf);
                    max_lock_hold = max_lock_hold.max(t.elapsed());
                    r
                };
                from = next;
                for l in &buf {
                    w.push(l)?;
                }
                if done {
                    break;
                }
            }
        }
        let leases = w.finish()?;
        // 3. Remove what the new snapshot supersedes.
        let (journals, snaps) = journal::recover::list(&dir)?;
        let mut removed_files = 0;
        for p in journals
            .iter()
            .filter(|j| j.1 < gen)
            .map(|j| &j.2)
            .chain(snaps.iter().filter(|s| s.0 < gen).map(|s| &s.1))
        {
            std::fs::remove_file(p)?;
            removed_files += 1;
        }
        // Snapshots left half-written by a crash during an earlier run.
        for e in std::fs::read_dir(&dir)? {
            let p = e?.path();
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.starts_with("snapshot-") && name.ends_with(".tmp") {
                std::fs::remove_file(&p)?;
                removed_files += 1;
            }
        }
        Ok(CompactReport {
            gen,
            leases,
            removed_files,
            max_lock_hold,
        })
    }
}
