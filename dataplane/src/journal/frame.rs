//! Record framing shared by journals and snapshots.

/// File header: magic (8 bytes), family (1 byte), 7 reserved bytes.
pub const HEADER_LEN: usize = 16;
/// Magic at the start of every journal and snapshot file.
pub const MAGIC: &[u8; 8] = b"XDHCPJ01";
/// `len` + `crc` in front of each payload.
pub const FRAME_LEN: usize = 8;
/// `kind` + `op` + `seq` at the start of each payload.
pub const PAYLOAD_HEAD: usize = 10;
/// Largest payload accepted on replay (guards against a corrupt length).
pub const MAX_PAYLOAD: usize = 1 << 20;

/// Why a record was written (Kea's lease events).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum RecordKind {
    /// New lease handed out.
    Allocate = 1,
    /// Lease extended.
    Renew = 2,
    /// Client released.
    Release = 3,
    /// Client declined.
    Decline = 4,
    /// Lease expired (state kept).
    Expire = 5,
    /// Expired lease reclaimed, or a held reclaimed lease flushed.
    Reclaim = 6,
    /// `lease4-add`-style administrative add.
    AdminAdd = 7,
    /// Administrative update.
    AdminUpdate = 8,
    /// Administrative delete.
    AdminDelete = 9,
    /// A snapshot entry.
    Snapshot = 10,
    /// Address held for an outstanding offer.
    OfferHold = 11,
}

impl RecordKind {
    /// Decodes a kind byte.
    pub fn from_u8(v: u8) -> Option<Self> {
        use RecordKind::*;
        Some(match v {
            1 => Allocate,
            2 => Renew,
            3 => Release,
            4 => Decline,
            5 => Expire,
            6 => Reclaim,
            7 => AdminAdd,
            8 => AdminUpdate,
            9 => AdminDelete,
            10 => Snapshot,
            11 => OfferHold,
            _ => return None,
        })
    }
}

/// Whether a record stores a lease or removes one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Op {
    /// Body is a full lease image: insert or replace.
    Upsert = 0,
    /// Body is an address: remove.
    Delete = 1,
}

/// Writes the file header into `out`.
pub fn header(family: u8) -> [u8; HEADER_LEN] {
    let mut h = [0u8; HEADER_LEN];
    h[..8].copy_from_slice(MAGIC);
    h[8] = family;
    h
}

/// Frames one record into `out` (which is `FRAME_LEN + PAYLOAD_HEAD + body`
/// long); `body` fills the body. The length goes in last so a reader never
/// sees a length without its payload (within one process's view).
pub fn write_record(
    out: &mut [u8],
    kind: RecordKind,
    op: Op,
    seq: u64,
    body: impl FnOnce(&mut [u8]),
) {
    let payload_len = out.len() - FRAME_LEN;
    {
        let p = &mut out[FRAME_LEN..];
        p[0] = kind as u8;
        p[1] = op as u8;
        p[2..10].copy_from_slice(&seq.to_le_bytes());
        body(&mut p[PAYLOAD_HEAD..]);
    }
    let crc = crc32c::crc32c(&out[FRAME_LEN..]);
    out[4..8].copy_from_slice(&crc.to_le_bytes());
    out[..4].copy_from_slice(&(payload_len as u32).to_le_bytes());
}

/// One decoded record.
pub struct Record<'a> {
    /// Why it was written.
    pub kind: RecordKind,
    /// Upsert or delete.
    pub op: Op,
    /// Shard sequence number.
    pub seq: u64,
    /// Lease image or address.
    pub body: &'a [u8],
}

/// Where scanning stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanEnd {
    /// Offset just past the last good record.
    pub good_end: usize,
    /// Bytes after `good_end` that held data (damage that was dropped).
    pub dropped: usize,
    /// Records read.
    pub records: u64,
}

/// Reads records from `buf` (a whole file, header included), calling `f`
/// for each good one, and stops at the end marker or the first damaged
/// record. `f` returning false counts as damage (e.g. undecodable body).
pub fn scan<'b>(
    buf: &'b [u8],
    family: u8,
    mut f: impl FnMut(Record<'b>) -> bool,
) -> Option<ScanEnd> {
    if buf.len() < HEADER_LEN || &buf[..8] != MAGIC || buf[8] != family {
        return None;
    }
    let mut pos = HEADER_LEN;
    let mut records = 0;
    loop {
        if pos + FRAME_LEN > buf.len() {
            break;
        }
        let len = u32::from_le_bytes(buf[pos..pos + 4].try_into().unwrap()) as usize;
        if len == 0 {
            break;
        }
        let end = pos + FRAME_LEN + len;
        if !(PAYLOAD_HEAD..=MAX_PAYLOAD).contains(&len) || end > buf.len() {
            break;
        }
        let crc = u32::from_le_bytes(buf[pos + 4..pos + 8].try_into().unwrap());
        let p = &buf[pos + FRAME_LEN..end];
        if crc32c::crc32c(p) != crc {
            break;
        }
        let (Some(kind), op) = (RecordKind::from_u8(p[0]), p[1]) else {
            break;
        };
        let op = match op {
            0 => Op::Upsert,
            1 => Op::Delete,
            _ => break,
        };
        let seq = u64::from_le_bytes(p[2..10].try_into().unwrap());
        if !f(Record {
            kind,
            op,
            seq,
            body: &p[PAYLOAD_HEAD..],
        }) {
            break;
        }
        records += 1;
        pos = end;
    }
    let dropped = damaged_len(&buf[pos.min(buf.len())..]);
    Some(ScanEnd {
        good_end: pos,
        dropped,
        records,
    })
}

/// Zero run that ends the damaged area: records are written back to back,
/// so data after a torn record is contiguous, and a journal file's unused
/// (sparse) remainder need not be read, which would fault in every page.
const ZERO_RUN: usize = 64 << 10;

/// Bytes of data (up to the last non-zero byte before a 64 KiB zero run) at
/// the start of `tail`.
pub fn damaged_len(tail: &[u8]) -> usize {
    let mut end = 0;
    for (i, block) in tail.chunks(4096).enumerate() {
        if let Some(j) = block.iter().rposition(|&b| b != 0) {
            end = i * 4096 + j + 1;
        } else if i * 4096 >= end + ZERO_RUN {
            break;
        }
    }
    end
}
