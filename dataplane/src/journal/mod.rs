//! The lease journal: one append-only memory-mapped file per shard.
//!
//! Each record is framed as `len: u32 | crc32c: u32 | payload` where the
//! payload is `kind: u8 | op: u8 | seq: u64 | body`, `seq` being the shard's
//! monotonic sequence number and `body` the lease image (upsert) or address
//! (delete). A zero length marks the end of written data. Writing a record
//! is a memory copy into the map; the flush policy decides when `msync`
//! makes it survive a power loss (a process crash loses nothing written).
//!
//! Files of generation `g`: `journal-<shard>-<g>.log`, and the snapshot
//! `snapshot-<g>.snap` holding all live leases at the moment generation `g`
//! began (written while service goes on, see [`crate::lease::compact`]).

pub mod frame;
pub mod recover;
pub mod segment;
pub mod snapshot;

use std::path::PathBuf;
use std::time::Duration;

pub use frame::RecordKind;
pub use recover::{FileReport, RecoveryReport};
pub use segment::Segment;

/// When appended records are forced to stable storage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlushPolicy {
    /// Never `msync` explicitly: the kernel writes back dirty pages. Survives
    /// a process crash, not a power loss.
    Os,
    /// A background thread `msync`s every shard at this interval; a power
    /// loss loses at most one interval.
    Periodic(Duration),
    /// Group commit: a worker calls [`crate::lease::LeaseStore::commit`] for
    /// its batch before replying; one `msync` covers every record written so
    /// far, so concurrent batches share it.
    GroupCommit,
}

/// Journal settings (Kea's `lease-database` memfile `persist`, `name`).
#[derive(Clone, Debug)]
pub struct JournalConfig {
    /// `false` keeps leases in memory only (Kea's `persist: false`).
    pub persist: bool,
    /// Directory holding snapshots and journals.
    pub dir: PathBuf,
    /// Flush policy.
    pub flush: FlushPolicy,
    /// Initial size of each journal file (sparse; doubled when full).
    pub segment_bytes: usize,
}

impl JournalConfig {
    /// Memory only.
    pub fn memory() -> Self {
        JournalConfig {
            persist: false,
            dir: PathBuf::new(),
            flush: FlushPolicy::Os,
            segment_bytes: 0,
        }
    }

    /// Persistent in `dir` with the given policy and 64 MiB segments.
    pub fn persistent(dir: impl Into<PathBuf>, flush: FlushPolicy) -> Self {
        JournalConfig {
            persist: true,
            dir: dir.into(),
            flush,
            segment_bytes: 64 << 20,
        }
    }
}

/// Path of shard `shard`'s journal of generation `gen`.
pub fn journal_path(dir: &std::path::Path, shard: usize, gen: u64) -> PathBuf {
    dir.join(format!("journal-{shard}-{gen}.log"))
}

/// Path of the snapshot of generation `gen`.
pub fn snapshot_path(dir: &std::path::Path, gen: u64) -> PathBuf {
    dir.join(format!("snapshot-{gen}.snap"))
}
