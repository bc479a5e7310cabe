//! Packet capture for operators.
//!
//! Frames that XDP redirects to AF_XDP never reach tcpdump, so the workers
//! copy the frames they receive and send into a ring in a shared-memory file
//! (`<run dir>/capture/<interface>`) while a reader is attached, and the
//! reader (`xdhcp capture`) writes them to a pcap file. The file outlives
//! neither side's crash badly: the server recreates it at start, a reader
//! resets its rings when it attaches.
//!
//! Each worker has its own single-producer single-consumer ring: the worker
//! checks one flag per frame while nobody listens, and never waits when
//! somebody does: a full ring counts the frame as lost and goes on.
//! Hand-written because the ring lives in a file two processes map, which
//! the in-process queues of crossbeam cannot do.

use std::fs::{File, OpenOptions};
use std::io;
use std::mem::size_of;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use memmap2::MmapMut;

/// The file's first bytes, with the layout's version.
const MAGIC: [u8; 8] = *b"XDHCPCP1";
/// Frames each worker's ring holds.
const SLOTS: u64 = 1024;
/// Bytes per slot, header included; DHCP frames fit, longer ones are cut.
const SLOT_BYTES: usize = 2048;
/// The longest frame kept whole (pcap's snaplen).
pub const SNAPLEN: usize = SLOT_BYTES - size_of::<SlotHeader>();

/// The environment variable naming the run directory.
pub const RUN_DIR_ENV: &str = "XDHCP_RUN_DIR";

/// Where the server's run-time files live: `XDHCP_RUN_DIR`, else `/run/xdhcp`.
pub fn run_dir() -> PathBuf {
    std::env::var_os(RUN_DIR_ENV).map_or_else(|| PathBuf::from("/run/xdhcp"), PathBuf::from)
}

/// The capture file of interface `name`.
pub fn path(name: &str) -> PathBuf {
    run_dir().join("capture").join(name)
}

#[repr(C, align(64))]
struct FileHeader {
    magic: [u8; 8],
    rings: u32,
}

/// The worker's cache line: only it writes here.
#[repr(C, align(64))]
struct ProducerLine {
    head: AtomicU64,
    lost: AtomicU64,
}

/// The reader's cache line.
#[repr(C, align(64))]
struct ConsumerLine {
    tail: AtomicU64,
    attached: AtomicU32,
}

#[repr(C)]
struct SlotHeader {
    /// Capture time, nanoseconds since the Unix epoch.
    time_ns: u64,
    /// The frame's length on the wire.
    len: u32,
    /// Bytes kept in the slot.
    kept: u32,
}

const RING_BYTES: usize =
    size_of::<ProducerLine>() + size_of::<ConsumerLine>() + SLOTS as usize * SLOT_BYTES;

/// One ring's parts, as pointers into the mapping.
#[derive(Clone, Copy)]
struct Ring {
    producer: *const ProducerLine,
    consumer: *const ConsumerLine,
    slots: *mut u8,
}

impl Ring {
    /// Ring `i` of a mapping that holds at least `i + 1` rings.
    fn at(map: &MmapMut, i: usize) -> Ring {
        // SAFETY: the caller checked the mapping's size; every offset is a
        // multiple of 64 from a page-aligned base, so the lines are aligned.
        unsafe {
            let base = map.as_ptr().add(size_of::<FileHeader>() + i * RING_BYTES) as *mut u8;
            Ring {
                producer: base as *const ProducerLine,
                consumer: base.add(size_of::<ProducerLine>()) as *const ConsumerLine,
                slots: base.add(size_of::<ProducerLine>() + size_of::<ConsumerLine>()),
            }
        }
    }

    fn producer(&self) -> &ProducerLine {
        // SAFETY: points into a live mapping (see `at`); atomics only.
        unsafe { &*self.producer }
    }

    fn consumer(&self) -> &ConsumerLine {
        // SAFETY: as above.
        unsafe { &*self.consumer }
    }

    fn slot(&self, seq: u64) -> *mut u8 {
        // SAFETY: the index is reduced modulo the ring's slot count.
        unsafe { self.slots.add((seq % SLOTS) as usize * SLOT_BYTES) }
    }
}

/// The server's side: the capture file of one interface, one ring per worker.
pub struct CaptureFile {
    map: MmapMut,
    rings: usize,
    path: PathBuf,
}

// SAFETY: shared state in the mapping is touched through atomics only, and
// each slot by one side at a time as the ring's indexes order it.
unsafe impl Send for CaptureFile {}
unsafe impl Sync for CaptureFile {}

impl CaptureFile {
    /// Creates `path` afresh with `rings` rings. A file left by an earlier
    /// run is unlinked first, so a reader still mapping it cannot disturb
    /// the new one.
    pub fn create(path: &Path, rings: usize) -> io::Result<Arc<CaptureFile>> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        match std::fs::remove_file(path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        // Frames show who leases what: owner-only.
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)?;
        file.set_len((size_of::<FileHeader>() + rings * RING_BYTES) as u64)?;
        // SAFETY: a file we just created; nothing else maps it yet.
        let mut map = unsafe { MmapMut::map_mut(&file)? };
        // SAFETY: the map starts with room for the header.
        unsafe {
            let header = map.as_mut_ptr() as *mut FileHeader;
            (*header).rings = rings as u32;
            (*header).magic = MAGIC;
        }
        Ok(Arc::new(CaptureFile {
            map,
            rings,
            path: path.to_path_buf(),
        }))
    }

    /// Where the file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Worker `i`'s end of its ring.
    ///
    /// # Panics
    /// When `i` is not below the ring count given to [`CaptureFile::create`].
    pub fn tap(self: &Arc<Self>, i: usize) -> Tap {
        assert!(i < self.rings, "capture ring {i} of {}", self.rings);
        Tap {
            ring: Ring::at(&self.map, i),
            _file: self.clone(),
        }
    }
}

/// A worker's end of its capture ring.
pub struct Tap {
    ring: Ring,
    _file: Arc<CaptureFile>,
}

// SAFETY: a tap is the single producer of its ring; see `CaptureFile`.
unsafe impl Send for Tap {}

impl Tap {
    /// Copies `frame` into the ring when a reader listens. Never waits and
    /// never allocates: a full ring counts the frame as lost.
    pub fn record(&self, frame: &[u8]) {
        let (producer, consumer) = (self.ring.producer(), self.ring.consumer());
        if consumer.attached.load(Ordering::Relaxed) == 0 {
            return;
        }
        let head = producer.head.load(Ordering::Relaxed);
        if head.wrapping_sub(consumer.tail.load(Ordering::Acquire)) >= SLOTS {
            producer.lost.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let time_ns = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        let kept = frame.len().min(SNAPLEN);
        let header = SlotHeader {
            time_ns,
            len: frame.len() as u32,
            kept: kept as u32,
        };
        let slot = self.ring.slot(head);
        // SAFETY: slot `head` is outside the reader's window [tail, head)
        // until the release store below publishes it.
        unsafe {
            std::ptr::write_unaligned(slot as *mut SlotHeader, header);
            std::ptr::copy_nonoverlapping(frame.as_ptr(), slot.add(size_of::<SlotHeader>()), kept);
        }
        producer.head.store(head.wrapping_add(1), Ordering::Release);
    }
}

/// One captured frame.
pub struct Frame<'a> {
    /// Capture time, nanoseconds since the Unix epoch.
    pub time_ns: u64,
    /// The frame's length on the wire.
    pub len: u32,
    /// The bytes kept (at most [`SNAPLEN`]).
    pub data: &'a [u8],
}

/// The reader's side, attached to every ring of a capture file until dropped.
pub struct Reader {
    map: MmapMut,
    rings: usize,
    // Held for its lock: one reader per file.
    _file: File,
}

impl Reader {
    /// Attaches to the capture file at `path`; workers start copying frames.
    pub fn attach(path: &Path) -> io::Result<Reader> {
        let file = OpenOptions::new().read(true).write(true).open(path)?;
        // SAFETY: flock on a descriptor we own.
        if unsafe {
            libc::flock(
                std::os::fd::AsRawFd::as_raw_fd(&file),
                libc::LOCK_EX | libc::LOCK_NB,
            )
        } != 0
        {
            return Err(io::Error::new(
                io::ErrorKind::WouldBlock,
                "another capture of this interface is running",
            ));
        }
        // SAFETY: the server only grows the file at creation; we check the
        // size against the header before touching any ring.
        let map = unsafe { MmapMut::map_mut(&file)? };
        let bad = |why: &str| io::Error::new(io::ErrorKind::InvalidData, why.to_string());
        if map.len() < size_of::<FileHeader>() || map[..8] != MAGIC {
            return Err(bad("not an xdhcp capture file of this version"));
        }
        // SAFETY: the header is there (checked above).
        let rings = unsafe { (*(map.as_ptr() as *const FileHeader)).rings } as usize;
        if map.len() < size_of::<FileHeader>() + rings * RING_BYTES {
            return Err(bad("capture file shorter than its header says"));
        }
        let reader = Reader {
            map,
            rings,
            _file: file,
        };
        for ring in reader.rings() {
            // Whatever a crashed reader left unread is stale: start empty.
            let head = ring.producer().head.load(Ordering::Acquire);
            ring.consumer().tail.store(head, Ordering::Release);
            ring.consumer().attached.store(1, Ordering::Release);
        }
        Ok(reader)
    }

    fn rings(&self) -> impl Iterator<Item = Ring> + '_ {
        (0..self.rings).map(|i| Ring::at(&self.map, i))
    }

    /// Hands every frame the workers copied since the last call to `each`,
    /// ring by ring; returns how many there were.
    pub fn drain(&mut self, mut each: impl FnMut(Frame<'_>)) -> usize {
        let mut n = 0;
        for ring in self.rings() {
            let head = ring.producer().head.load(Ordering::Acquire);
            let mut tail = ring.consumer().tail.load(Ordering::Relaxed);
            while tail != head {
                let slot = ring.slot(tail);
                // SAFETY: slots in [tail, head) were published by the
                // worker's release store and are not written until the tail
                // store below hands them back.
                let frame = unsafe {
                    let h = std::ptr::read_unaligned(slot as *const SlotHeader);
                    let kept = (h.kept as usize).min(SNAPLEN);
                    Frame {
                        time_ns: h.time_ns,
                        len: h.len,
                        data: std::slice::from_raw_parts(slot.add(size_of::<SlotHeader>()), kept),
                    }
                };
                each(frame);
                tail = tail.wrapping_add(1);
                n += 1;
            }
            ring.consumer().tail.store(tail, Ordering::Release);
        }
        n
    }

    /// Frames the workers could not copy because a ring was full.
    pub fn lost(&self) -> u64 {
        self.rings()
            .map(|r| r.producer().lost.load(Ordering::Relaxed))
            .sum()
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        for ring in self.rings() {
            ring.consumer().attached.store(0, Ordering::Release);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A capture file in a directory removed when the test ends.
    struct Scratch {
        dir: PathBuf,
        file: Arc<CaptureFile>,
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }

    fn file(tag: &str, rings: usize) -> Scratch {
        let dir = std::env::temp_dir().join(format!("xdhcp-cap-{tag}-{}", std::process::id()));
        let file = CaptureFile::create(&dir.join("eth9"), rings).unwrap();
        Scratch { dir, file }
    }

    fn collect(reader: &mut Reader) -> Vec<Vec<u8>> {
        let mut got = Vec::new();
        reader.drain(|f| got.push(f.data.to_vec()));
        got
    }

    #[test]
    fn frames_reach_an_attached_reader_in_order_per_ring() {
        let scratch = file("order", 2);
        let cap = &scratch.file;
        let (a, b) = (cap.tap(0), cap.tap(1));
        a.record(b"before anyone listens");
        let mut reader = Reader::attach(cap.path()).unwrap();
        a.record(b"one");
        b.record(b"two");
        a.record(b"three");
        assert_eq!(collect(&mut reader), [&b"one"[..], b"three", b"two"]);
        assert!(collect(&mut reader).is_empty());
        drop(reader);
        a.record(b"after the reader left");
        let mut again = Reader::attach(cap.path()).unwrap();
        assert!(collect(&mut again).is_empty());
    }

    #[test]
    fn a_full_ring_counts_losses_and_long_frames_are_cut() {
        let scratch = file("full", 1);
        let cap = &scratch.file;
        let tap = cap.tap(0);
        let mut reader = Reader::attach(cap.path()).unwrap();
        let long = vec![7u8; SLOT_BYTES * 2];
        for _ in 0..SLOTS + 5 {
            tap.record(&long);
        }
        assert_eq!(reader.lost(), 5);
        let mut lens = Vec::new();
        reader.drain(|f| lens.push((f.len as usize, f.data.len())));
        assert_eq!(lens.len(), SLOTS as usize);
        assert!(lens.iter().all(|&l| l == (long.len(), SNAPLEN)));
    }

    #[test]
    fn one_reader_at_a_time() {
        let scratch = file("lock", 1);
        let cap = &scratch.file;
        let _first = Reader::attach(cap.path()).unwrap();
        let second = Reader::attach(cap.path()).err().unwrap();
        assert!(second.to_string().contains("another capture"), "{second}");
    }
}
