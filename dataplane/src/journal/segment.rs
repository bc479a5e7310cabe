//! One journal file, memory-mapped for appending.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use memmap2::MmapRaw;

use super::frame::{self, Op, RecordKind, FRAME_LEN, HEADER_LEN, PAYLOAD_HEAD};

/// An open journal file and its write position.
pub struct Segment {
    file: Arc<File>,
    map: Arc<MmapRaw>,
    path: PathBuf,
    gen: u64,
    end: usize,
}

impl Segment {
    /// Creates (or truncates) a journal file of `bytes` (sparse) and maps it.
    pub fn create(path: &Path, family: u8, gen: u64, bytes: usize) -> io::Result<Self> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)?;
        file.set_len(bytes.max(4096) as u64)?;
        let map = Arc::new(MmapRaw::map_raw(&file)?);
        let file = Arc::new(file);
        let h = frame::header(family);
        // SAFETY: the map is at least 4096 bytes and we are its only writer.
        unsafe { std::ptr::copy_nonoverlapping(h.as_ptr(), map.as_mut_ptr(), h.len()) };
        Ok(Segment {
            file,
            map,
            path: path.to_owned(),
            gen,
            end: HEADER_LEN,
        })
    }

    /// Generation this file belongs to.
    pub fn gen(&self) -> u64 {
        self.gen
    }

    /// File path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Offset just past the last record.
    pub fn end(&self) -> usize {
        self.end
    }

    /// The mapping, for flushing outside the shard lock.
    pub fn map(&self) -> &Arc<MmapRaw> {
        &self.map
    }

    /// Appends one record whose body is `body_len` bytes written by `body`.
    /// Grows the file (a remap: rare, amortised) when it is full.
    pub fn append(
        &mut self,
        kind: RecordKind,
        op: Op,
        seq: u64,
        body_len: usize,
        body: impl FnOnce(&mut [u8]),
    ) -> io::Result<()> {
        let total = FRAME_LEN + PAYLOAD_HEAD + body_len;
        // Keep 8 zero bytes after the record as the end marker.
        if self.end + total + FRAME_LEN > self.map.len() {
            self.grow(self.end + total + FRAME_LEN)?;
        }
        // SAFETY: in bounds (checked above); only this segment writes here,
        // and readers (flushers) only msync, never read the bytes.
        let out =
            unsafe { std::slice::from_raw_parts_mut(self.map.as_mut_ptr().add(self.end), total) };
        frame::write_record(out, kind, op, seq, body);
        self.end += total;
        Ok(())
    }

    fn grow(&mut self, need: usize) -> io::Result<()> {
        let new_len = (self.map.len() * 2).max(need.next_power_of_two());
        self.file.set_len(new_len as u64)?;
        self.map = Arc::new(MmapRaw::map_raw(&self.file)?);
        Ok(())
    }

    /// When more than half the file is used, the file handle and a new
    /// size, so the caller can grow it *outside* the shard lock
    /// ([`grow_file`]) and then [`install`](Self::install) the new map.
    pub fn wants_growth(&self) -> Option<(Arc<File>, usize)> {
        (self.end * 2 > self.map.len()).then(|| (self.file.clone(), self.map.len() * 2))
    }

    /// Switches to a larger map of the same file (see [`grow_file`]).
    pub fn install(&mut self, file: &Arc<File>, map: Arc<MmapRaw>) {
        if Arc::ptr_eq(file, &self.file) && map.len() > self.map.len() {
            self.map = map;
        }
    }

    /// `msync`s the whole written part.
    pub fn flush(&self) -> io::Result<()> {
        self.map.flush_range(0, self.end)
    }
}

/// Zeroes `path` from `good_end` on, so damaged bytes are gone for good
/// (a later scan stops at the same place and reports nothing new).
pub fn truncate_damage(path: &Path, good_end: usize) -> io::Result<()> {
    let file = OpenOptions::new().read(true).write(true).open(path)?;
    let len = file.metadata()?.len() as usize;
    if good_end < len {
        file.set_len(good_end as u64)?;
        // Restore the length with zero fill so the file keeps its room.
        file.set_len(len as u64)?;
        file.sync_all()?;
    }
    Ok(())
}

/// Extends `file` to `len` bytes and maps it: the slow half of a journal's
/// growth, done without the shard lock. Records written meanwhile through
/// the old map land in the same file pages, so the new map sees them.
pub fn grow_file(file: &File, len: usize) -> io::Result<Arc<MmapRaw>> {
    if (file.metadata()?.len() as usize) < len {
        file.set_len(len as u64)?;
    }
    Ok(Arc::new(MmapRaw::map_raw(file)?))
}
