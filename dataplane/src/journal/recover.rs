//! Start-up recovery: newest snapshot, then every journal of that
//! generation or later, stopping each file at its first damaged record.

use std::io;
use std::path::{Path, PathBuf};

use memmap2::Mmap;

use super::frame::{scan, Op, Record};
use super::segment::truncate_damage;

/// What recovery found in one file.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// The file.
    pub path: PathBuf,
    /// Good records read.
    pub records: u64,
    /// Offset of the end of the last good record.
    pub good_end: usize,
    /// Bytes of damaged data dropped after it (0 = clean).
    pub dropped_bytes: usize,
}

/// What recovery did.
#[derive(Debug, Clone, Default)]
pub struct RecoveryReport {
    /// Generation of the snapshot loaded (0 = none).
    pub snapshot_gen: u64,
    /// Leases read from the snapshot.
    pub snapshot_leases: u64,
    /// Journal records replayed.
    pub journal_records: u64,
    /// Highest generation seen on disk.
    pub last_gen: u64,
    /// Highest sequence number seen, per shard number in the file names.
    pub last_seq: Vec<(usize, u64)>,
    /// Per-file details (snapshot first).
    pub files: Vec<FileReport>,
}

impl RecoveryReport {
    /// Total damaged bytes dropped.
    pub fn dropped_bytes(&self) -> usize {
        self.files.iter().map(|f| f.dropped_bytes).sum()
    }
}

fn parse_name(name: &str) -> Option<(Option<usize>, u64)> {
    if let Some(g) = name
        .strip_prefix("snapshot-")
        .and_then(|s| s.strip_suffix(".snap"))
    {
        return Some((None, g.parse().ok()?));
    }
    let rest = name.strip_prefix("journal-")?.strip_suffix(".log")?;
    let (s, g) = rest.split_once('-')?;
    Some((Some(s.parse().ok()?), g.parse().ok()?))
}

/// Journal files as `(shard, gen, path)`, sorted.
pub type JournalFiles = Vec<(usize, u64, PathBuf)>;
/// Snapshot files as `(gen, path)`, sorted.
pub type SnapshotFiles = Vec<(u64, PathBuf)>;

/// Lists journals and snapshots in `dir`.
pub fn list(dir: &Path) -> io::Result<(JournalFiles, SnapshotFiles)> {
    let mut journals = Vec::new();
    let mut snaps = Vec::new();
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let name = e.file_name();
        match name.to_str().and_then(parse_name) {
            Some((Some(s), g)) => journals.push((s, g, e.path())),
            Some((None, g)) => snaps.push((g, e.path())),
            None => {}
        }
    }
    journals.sort();
    snaps.sort();
    Ok((journals, snaps))
}

/// Replays `dir` into `apply(op, body)`; `apply` returns false for a body
/// it cannot decode, which counts as damage. Damaged tails are zeroed on
/// disk and logged.
pub fn recover(
    dir: &Path,
    family: u8,
    mut apply: impl FnMut(Op, &[u8]) -> bool,
) -> io::Result<RecoveryReport> {
    let mut rep = RecoveryReport::default();
    let (journals, snaps) = list(dir)?;
    if let Some((g, path)) = snaps.last() {
        rep.snapshot_gen = *g;
        rep.last_gen = *g;
        let f = replay_file(path, family, &mut |r| apply(r.op, r.body), false)?;
        rep.snapshot_leases = f.records;
        rep.files.push(f);
    }
    for (shard, gen, path) in journals.iter().filter(|j| j.1 >= rep.snapshot_gen) {
        rep.last_gen = rep.last_gen.max(*gen);
        let mut max_seq = 0;
        let f = replay_file(
            path,
            family,
            &mut |r| {
                max_seq = max_seq.max(r.seq);
                apply(r.op, r.body)
            },
            true,
        )?;
        rep.journal_records += f.records;
        rep.files.push(f);
        match rep.last_seq.iter_mut().find(|e| e.0 == *shard) {
            Some(e) => e.1 = e.1.max(max_seq),
            None => rep.last_seq.push((*shard, max_seq)),
        }
    }
    Ok(rep)
}

fn replay_file(
    path: &Path,
    family: u8,
    f: &mut dyn FnMut(Record<'_>) -> bool,
    fix: bool,
) -> io::Result<FileReport> {
    let file = std::fs::File::open(path)?;
    // SAFETY: read-only map of a file nobody else writes during recovery.
    let map = unsafe { Mmap::map(&file)? };
    let end = match scan(&map, family, f) {
        Some(e) => e,
        None => {
            // Torn before its header was complete: nothing to keep.
            let dropped = super::frame::damaged_len(&map);
            tracing::warn!(path = %path.display(), dropped, "journal header damaged; file ignored");
            return Ok(FileReport {
                path: path.to_owned(),
                records: 0,
                good_end: 0,
                dropped_bytes: dropped,
            });
        }
    };
    drop(map);
    if end.dropped > 0 {
        tracing::warn!(
            path = %path.display(),
            good_end = end.good_end,
            dropped_bytes = end.dropped,
            records = end.records,
            "lease journal damaged: truncated at the last good record"
        );
        if fix {
            truncate_damage(path, end.good_end)?;
        }
    }
    Ok(FileReport {
        path: path.to_owned(),
        records: end.records,
        good_end: end.good_end,
        dropped_bytes: end.dropped,
    })
}
