//! Start-up recovery: newest snapshot, then every journal of that
//! generation or later, stopping each file at its first damaged record.

use std::io;
use std::path::{Path, PathBuf};

use memmap2::Mmap;

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use super::frame::{scan, Op, FRAME_LEN, HEADER_LEN, PAYLOAD_HEAD};
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
    /// Records whose checksum was good but whose body did not decode.
    pub undecodable: u64,
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

/// Journal files as `(shard, gen, path)`, sorted by generation then shard.
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
    journals.sort_by_key(|j| (j.1, j.0));
    snaps.sort();
    Ok((journals, snaps))
}

/// Replays `dir` into `apply(op, body)`, in parallel where order does
/// not matter: the snapshot in chunks (its records are independent), then
/// each generation's journals one file per thread (files of a generation
/// hold disjoint addresses). Every file is verified (length, CRC32C, kind)
/// before any of it is applied; damaged tails are zeroed on disk and
/// logged. `apply` returns false for a body it cannot decode.
pub fn recover(
    dir: &Path,
    family: u8,
    apply: impl Fn(Op, &[u8]) -> bool + Sync,
) -> io::Result<RecoveryReport> {
    let mut rep = RecoveryReport::default();
    let (journals, snaps) = list(dir)?;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let bad = AtomicU64::new(0);
    if let Some((g, path)) = snaps.last() {
        rep.snapshot_gen = *g;
        rep.last_gen = *g;
        let v = verify(path, family, false)?;
        if let Some(map) = &v.map {
            let ranges = split(map, v.report.good_end, threads);
            std::thread::scope(|s| {
                for (from, to) in ranges {
                    let (apply, bad) = (&apply, &bad);
                    s.spawn(move || apply_range(map, from, to, apply, bad));
                }
            });
        }
        rep.snapshot_leases = v.report.records;
        rep.files.push(v.report);
    }
    let live: Vec<_> = journals
        .iter()
        .filter(|j| j.1 >= rep.snapshot_gen)
        .collect();
    for gen_files in live.chunk_by(|a, b| a.1 == b.1) {
        rep.last_gen = rep.last_gen.max(gen_files[0].1);
        let verified = gen_files
            .iter()
            .map(|(_, _, p)| verify(p, family, true))
            .collect::<io::Result<Vec<_>>>()?;
        let next = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..threads.min(verified.len()) {
                let (apply, bad, next, verified) = (&apply, &bad, &next, &verified);
                s.spawn(move || loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(v) = verified.get(i) else { break };
                    if let Some(map) = &v.map {
                        apply_range(map, HEADER_LEN, v.report.good_end, apply, bad);
                    }
                });
            }
        });
        for ((shard, _, _), v) in gen_files.iter().zip(verified) {
            rep.journal_records += v.report.records;
            rep.files.push(v.report);
            match rep.last_seq.iter_mut().find(|e| e.0 == *shard) {
                Some(e) => e.1 = e.1.max(v.max_seq),
                None => rep.last_seq.push((*shard, v.max_seq)),
            }
        }
    }
    rep.undecodable = bad.load(Ordering::Relaxed);
    if rep.undecodable > 0 {
        tracing::warn!(
            records = rep.undecodable,
            "lease records with valid checksums could not be decoded"
        );
    }
    Ok(rep)
}

/// What recovery would find in `path` (a journal or snapshot of
/// `family`), read without repairing anything: the `-T` check's view.
/// A file whose header is not one has `good_end` 0.
pub fn check(path: &Path, family: u8) -> io::Result<FileReport> {
    verify(path, family, false).map(|v| v.report)
}

struct Verified {
    map: Option<Mmap>,
    report: FileReport,
    max_seq: u64,
}

/// Checks every frame of `path`; zeroes a damaged tail when `fix`.
fn verify(path: &Path, family: u8, fix: bool) -> io::Result<Verified> {
    let file = std::fs::File::open(path)?;
    // SAFETY: read-only map of a file nobody else writes during recovery;
    // a damaged tail is cut only past `good_end`, which is never read.
    let map = unsafe { Mmap::map(&file)? };
    let mut max_seq = 0;
    let Some(end) = scan(&map, family, |r| {
        max_seq = max_seq.max(r.seq);
        true
    }) else {
        // Torn before its header was complete: nothing to keep.
        let dropped = super::frame::damaged_len(&map);
        tracing::warn!(path = %path.display(), dropped, "journal header damaged; file ignored");
        return Ok(Verified {
            map: None,
            report: FileReport {
                path: path.to_owned(),
                records: 0,
                good_end: 0,
                dropped_bytes: dropped,
            },
            max_seq: 0,
        });
    };
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
    Ok(Verified {
        map: Some(map),
        report: FileReport {
            path: path.to_owned(),
            records: end.records,
            good_end: end.good_end,
            dropped_bytes: end.dropped,
        },
        max_seq,
    })
}

/// Splits verified frames `[HEADER_LEN, end)` into about `n` ranges that
/// start on frame boundaries.
fn split(buf: &[u8], end: usize, n: usize) -> Vec<(usize, usize)> {
    let step = (end - HEADER_LEN) / n.max(1) + 1;
    let mut out = Vec::new();
    let (mut start, mut pos) = (HEADER_LEN, HEADER_LEN);
    while pos < end {
        pos += FRAME_LEN + u32::from_le_bytes(buf[pos..pos + 4].try_into().unwrap()) as usize;
        if pos - start >= step || pos >= end {
            out.push((start, pos));
            start = pos;
        }
    }
    out
}

/// Applies verified frames in `[from, to)`.
fn apply_range(
    buf: &[u8],
    from: usize,
    to: usize,
    apply: &(impl Fn(Op, &[u8]) -> bool + Sync),
    bad: &AtomicU64,
) {
    let mut pos = from;
    while pos < to {
        let len = u32::from_le_bytes(buf[pos..pos + 4].try_into().unwrap()) as usize;
        let p = &buf[pos + FRAME_LEN..pos + FRAME_LEN + len];
        let op = if p[1] == Op::Delete as u8 {
            Op::Delete
        } else {
            Op::Upsert
        };
        if !apply(op, &p[PAYLOAD_HEAD..]) {
            bad.fetch_add(1, Ordering::Relaxed);
        }
        pos += FRAME_LEN + len;
    }
}
