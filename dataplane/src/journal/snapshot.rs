//! Snapshot files: every live lease of one moment, written off to the side
//! and renamed into place, so a snapshot is either whole or absent.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::frame::{self, Op, RecordKind, FRAME_LEN, PAYLOAD_HEAD};
use crate::lease::Lease;

/// Writes a snapshot to `<path>.tmp`, then renames it on [`finish`](Self::finish).
pub struct SnapshotWriter {
    out: BufWriter<File>,
    tmp: PathBuf,
    path: PathBuf,
    buf: Vec<u8>,
    count: u64,
}

impl SnapshotWriter {
    /// Starts a snapshot that will land at `path`.
    pub fn create(path: &Path, family: u8) -> io::Result<Self> {
        let tmp = path.with_extension("tmp");
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        out.write_all(&frame::header(family))?;
        Ok(SnapshotWriter {
            out,
            tmp,
            path: path.to_owned(),
            buf: Vec::new(),
            count: 0,
        })
    }

    /// Appends one lease.
    pub fn push<L: Lease>(&mut self, l: &L) -> io::Result<()> {
        self.push_with(l.encoded_len(), |b| l.encode(b))
    }

    /// Appends a lease image already encoded (a record body copied from
    /// another snapshot or a journal).
    pub fn push_body(&mut self, body: &[u8]) -> io::Result<()> {
        self.push_with(body.len(), |b| b.copy_from_slice(body))
    }

    fn push_with(&mut self, body_len: usize, body: impl FnOnce(&mut [u8])) -> io::Result<()> {
        let n = FRAME_LEN + PAYLOAD_HEAD + body_len;
        self.buf.resize(n, 0);
        frame::write_record(&mut self.buf, RecordKind::Snapshot, Op::Upsert, 0, body);
        self.count += 1;
        self.out.write_all(&self.buf)
    }

    /// Syncs, renames into place and syncs the directory; returns the count.
    pub fn finish(mut self) -> io::Result<u64> {
        self.out.write_all(&[0u8; FRAME_LEN])?;
        self.out.flush()?;
        self.out.get_ref().sync_all()?;
        std::fs::rename(&self.tmp, &self.path)?;
        if let Some(dir) = self.path.parent() {
            File::open(dir)?.sync_all()?;
        }
        Ok(self.count)
    }
}
