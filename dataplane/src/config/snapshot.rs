//! The snapshot file: the compiled configuration the control plane hands
//! to the dataplane. It holds each server's [`Plan`] and the DHCPv6 server
//! DUID, archived with rkyv behind a short header, and is read through a
//! memory map: the archive is checked in place (a truncated or foreign file
//! is an error, never undefined behaviour) and then turned into the
//! engines' runtime configuration.
//!
//! Why the runtime form is built rather than used in place: allocators
//! move their cursors with every lease and name rules hold compiled regular
//! expressions, so the engines need owned, mutable state beside the data.
//! Building it from the plan costs what compiling did before; the file
//! saves re-reading and re-validating the Kea JSON.

use std::fmt;
use std::fs::{self, File};
use std::io::{self, Write};
use std::os::fd::{AsRawFd, FromRawFd};
use std::path::{Path, PathBuf};

use memmap2::Mmap;
use rkyv::rancor;
use rkyv::util::AlignedVec;

use super::build;
use super::plan::Plan;
use super::{Config4, Config6};

/// Everything the dataplane needs to configure its engines.
#[derive(Debug, Clone, PartialEq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct Snapshot {
    /// The DHCPv4 server, if configured.
    pub dhcp4: Option<Plan>,
    /// The DHCPv6 server, if configured.
    pub dhcp6: Option<Plan>,
    /// The DUID the DHCPv6 server identifies itself with.
    pub server_duid: Vec<u8>,
}

/// First bytes of every snapshot file.
const MAGIC: &[u8; 8] = b"XDHCPSNP";
/// Layout version: bumped whenever an archived type changes shape, so an
/// old file is refused by name rather than misread.
const VERSION: u32 = 2;
/// Magic, version, and the CRC-32C of the archive: rkyv's check catches
/// offsets that point astray, the checksum catches changed values (a class
/// index, a pool bound) that would still look well formed. Sixteen bytes
/// keep the archive 16-byte aligned in the page-aligned map, as its `u128`
/// addresses need.
const HEADER: usize = 16;
/// What a sealed in-memory snapshot is called (in `/proc/PID/fd` and in
/// errors).
const MEMFD_NAME: &str = "xdhcp-snapshot";

/// A snapshot file that could not be written or read.
#[derive(Debug)]
pub struct SnapshotError {
    /// The file.
    pub path: PathBuf,
    /// What went wrong.
    pub reason: String,
}

impl fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "snapshot {}: {}", self.path.display(), self.reason)
    }
}

impl std::error::Error for SnapshotError {}

fn error(path: &Path, reason: impl fmt::Display) -> SnapshotError {
    SnapshotError {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

impl Snapshot {
    /// The DHCPv4 engine's configuration, if the snapshot has a v4 server.
    pub fn config4(&self) -> Option<Config4> {
        self.dhcp4.as_ref().map(build::config4)
    }

    /// The DHCPv6 engine's configuration, if the snapshot has a v6 server.
    pub fn config6(&self) -> Option<Config6> {
        let duid = &self.server_duid;
        self.dhcp6.as_ref().map(|p| build::config6(p, duid.clone()))
    }

    /// The header and the archive after it, as the file holds them (kept
    /// apart, so a large archive is written without a copy).
    fn encoded(&self) -> Result<([u8; HEADER], AlignedVec), rancor::Error> {
        let body = rkyv::to_bytes::<rancor::Error>(self)?;
        let mut header = [0u8; HEADER];
        header[..8].copy_from_slice(MAGIC);
        header[8..12].copy_from_slice(&VERSION.to_le_bytes());
        header[12..].copy_from_slice(&crc32c::crc32c(&body).to_le_bytes());
        Ok((header, body))
    }

    /// Writes the snapshot to `path` and returns its size in bytes. The
    /// file is written beside `path` and renamed over it, so a reader maps
    /// either the old snapshot or the new one, whole.
    pub fn write(&self, path: &Path) -> Result<u64, SnapshotError> {
        let (header, body) = self.encoded().map_err(|e| error(path, e))?;
        let mut name = path.file_name().unwrap_or_default().to_owned();
        name.push(".new");
        let next = path.with_file_name(name);
        let written = (|| -> io::Result<()> {
            let mut f = File::create(&next)?;
            f.write_all(&header)?;
            f.write_all(&body)?;
            f.sync_all()?;
            fs::rename(&next, path)
        })();
        written.map_err(|e| error(path, e))?;
        Ok((HEADER + body.len()) as u64)
    }

    /// The snapshot in an anonymous memory file, sealed against any
    /// change: what a server hands to its workers (and, split in two
    /// processes, passes over its socket) without touching a disk.
    pub fn sealed(&self) -> Result<File, SnapshotError> {
        let path = Path::new(MEMFD_NAME);
        let (header, body) = self.encoded().map_err(|e| error(path, e))?;
        let made = (|| -> io::Result<File> {
            let name = std::ffi::CString::new(MEMFD_NAME).map_err(io::Error::other)?;
            // SAFETY: a plain system call on a valid C string; the new
            // descriptor is owned by the `File` at once.
            let fd = unsafe {
                libc::memfd_create(name.as_ptr(), libc::MFD_CLOEXEC | libc::MFD_ALLOW_SEALING)
            };
            if fd < 0 {
                return Err(io::Error::last_os_error());
            }
            // SAFETY: `fd` was just opened and nothing else owns it.
            let mut f = unsafe { File::from_raw_fd(fd) };
            f.write_all(&header)?;
            f.write_all(&body)?;
            let seals =
                libc::F_SEAL_SHRINK | libc::F_SEAL_GROW | libc::F_SEAL_WRITE | libc::F_SEAL_SEAL;
            // SAFETY: fcntl on a descriptor this function owns.
            if unsafe { libc::fcntl(f.as_raw_fd(), libc::F_ADD_SEALS, seals) } < 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(f)
        })();
        made.map_err(|e| error(path, e))
    }

    /// Maps a snapshot sealed by [`Snapshot::sealed`] (here or in the
    /// process that handed it over), checks it and returns it.
    pub fn from_sealed(file: &File) -> Result<Snapshot, SnapshotError> {
        Snapshot::from_file(file, Path::new(MEMFD_NAME))
    }

    /// Maps the snapshot file at `path`, checks it and returns it.
    pub fn read(path: &Path) -> Result<Snapshot, SnapshotError> {
        let file = File::open(path).map_err(|e| error(path, e))?;
        Snapshot::from_file(&file, path)
    }

    /// Maps the snapshot in `file` (named `path` in errors), checks it and
    /// returns it.
    pub fn from_file(file: &File, path: &Path) -> Result<Snapshot, SnapshotError> {
        // SAFETY: snapshots are sealed memory files ([`Snapshot::sealed`])
        // or files only ever replaced by rename ([`Snapshot::write`]),
        // never written in place, so the mapped bytes do not change while
        // they are read.
        let map = unsafe { Mmap::map(file) }.map_err(|e| error(path, e))?;
        if map.len() < HEADER || &map[..8] != MAGIC {
            return Err(error(path, "not an xdhcp snapshot file"));
        }
        let word = |at: usize| u32::from_le_bytes([map[at], map[at + 1], map[at + 2], map[at + 3]]);
        let version = word(8);
        if version != VERSION {
            let why = format!("layout version {version}, this dataplane reads {VERSION}");
            return Err(error(path, why));
        }
        let body = &map[HEADER..];
        if crc32c::crc32c(body) != word(12) {
            return Err(error(path, "damaged: checksum mismatch"));
        }
        let archived = rkyv::access::<ArchivedSnapshot, rancor::Error>(body)
            .map_err(|e| error(path, format!("damaged: {e}")))?;
        rkyv::deserialize::<Snapshot, rancor::Error>(archived).map_err(|e| error(path, e))
    }
}
