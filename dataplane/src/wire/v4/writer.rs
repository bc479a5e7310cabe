//! Building a DHCPv4 message in place.

use std::net::Ipv4Addr;

use super::code::{END, MESSAGE_TYPE, OVERLOAD};
use super::{
    MessageType, Packet4, BOOTREPLY, HEADER_LEN, MAGIC_COOKIE, MIN_BOOTP_LEN, OPTIONS_OFFSET,
};
use crate::wire::WireError;

/// Byte ranges options may occupy, in the order RFC 3396 joins them.
const MAIN: usize = 0;
const FILE: (usize, usize) = (108, HEADER_LEN);
const SNAME: (usize, usize) = (44, 108);
/// Room kept at the end of the options field for option 52 (code, length,
/// value), so that spilling into `file`/`sname` never needs to move anything.
const OVERLOAD_LEN: usize = 3;
const MAX_FRAGMENT: usize = 255;

/// Writes one DHCPv4 message into a caller's buffer, without allocating.
///
/// Options go into the options field; when the message would grow past its
/// size limit, they continue in `file` and then `sname` (option overload,
/// RFC 2131 §4.1) unless those fields were given content. Values longer than
/// 255 bytes are split into consecutive instances (RFC 3396).
#[derive(Debug)]
pub struct Writer4<'b> {
    buf: &'b mut [u8],
    /// Largest message this writer may produce.
    limit: usize,
    /// Area being filled: 0 options field, 1 `file`, 2 `sname`.
    area: usize,
    pos: usize,
    /// Where option 52 goes once options spill out of the options field.
    overload_at: usize,
    file_taken: bool,
    sname_taken: bool,
}

impl<'b> Writer4<'b> {
    /// Starts an empty message (all header fields zero) in `buf`, which must
    /// hold at least the 300 bytes of a minimum BOOTP message. `limit` caps
    /// the message length, e.g. at the client's maximum message size.
    pub fn new(buf: &'b mut [u8], limit: usize) -> Result<Self, WireError> {
        let limit = limit.min(buf.len());
        if limit < MIN_BOOTP_LEN {
            return Err(WireError::NoSpace {
                needed: MIN_BOOTP_LEN,
                available: limit,
            });
        }
        buf[..HEADER_LEN].fill(0);
        buf[HEADER_LEN..OPTIONS_OFFSET].copy_from_slice(&MAGIC_COOKIE);
        Ok(Writer4 {
            buf,
            limit,
            area: MAIN,
            pos: OPTIONS_OFFSET,
            overload_at: 0,
            file_taken: false,
            sname_taken: false,
        })
    }

    /// Starts a reply to `request`: BOOTREPLY with the request's hardware
    /// address, transaction id, flags and relay address copied (RFC 2131 §4.3.1
    /// table 3), and the message type set.
    pub fn reply_to(
        buf: &'b mut [u8],
        limit: usize,
        request: &Packet4<'_>,
        message_type: MessageType,
    ) -> Result<Self, WireError> {
        let mut w = Writer4::bootreply_to(buf, limit, request)?;
        w.put_option(MESSAGE_TYPE, &[message_type.to_u8()])?;
        Ok(w)
    }

    /// Starts a BOOTREPLY to `request` with its header fields copied as
    /// [`Writer4::reply_to`] does, but no message type: the answer to a
    /// BOOTP client (RFC 951).
    pub fn bootreply_to(
        buf: &'b mut [u8],
        limit: usize,
        request: &Packet4<'_>,
    ) -> Result<Self, WireError> {
        let w = Writer4::new(buf, limit)?;
        let req = request.as_bytes();
        w.buf[0] = BOOTREPLY;
        // htype, hlen; then xid; then flags; giaddr and the whole chaddr field.
        w.buf[1..3].copy_from_slice(&req[1..3]);
        w.buf[4..8].copy_from_slice(&req[4..8]);
        w.buf[10..12].copy_from_slice(&req[10..12]);
        w.buf[24..44].copy_from_slice(&req[24..44]);
        Ok(w)
    }

    /// Sets `op`.
    pub fn set_op(&mut self, op: u8) {
        self.buf[0] = op;
    }

    /// Sets `htype`, `hlen` and `chaddr`; `addr` holds at most 16 bytes.
    pub fn set_chaddr(&mut self, htype: u8, addr: &[u8]) -> Result<(), WireError> {
        let field = self
            .buf
            .get_mut(28..28 + addr.len())
            .filter(|_| addr.len() <= 16);
        let field = field.ok_or(WireError::BadValue {
            what: "chaddr longer than 16 bytes",
            offset: 28,
        })?;
        field.copy_from_slice(addr);
        self.buf[28 + addr.len()..44].fill(0);
        self.buf[1] = htype;
        self.buf[2] = addr.len() as u8;
        Ok(())
    }

    /// Sets `hops`.
    pub fn set_hops(&mut self, hops: u8) {
        self.buf[3] = hops;
    }

    /// Sets the transaction id.
    pub fn set_xid(&mut self, xid: u32) {
        self.buf[4..8].copy_from_slice(&xid.to_be_bytes());
    }

    /// Sets `secs`.
    pub fn set_secs(&mut self, secs: u16) {
        self.buf[8..10].copy_from_slice(&secs.to_be_bytes());
    }

    /// Sets `flags`.
    pub fn set_flags(&mut self, flags: u16) {
        self.buf[10..12].copy_from_slice(&flags.to_be_bytes());
    }

    /// Sets `ciaddr`.
    pub fn set_ciaddr(&mut self, a: Ipv4Addr) {
        self.buf[12..16].copy_from_slice(&a.octets());
    }

    /// Sets `yiaddr`.
    pub fn set_yiaddr(&mut self, a: Ipv4Addr) {
        self.buf[16..20].copy_from_slice(&a.octets());
    }

    /// Sets `siaddr` (next server).
    pub fn set_siaddr(&mut self, a: Ipv4Addr) {
        self.buf[20..24].copy_from_slice(&a.octets());
    }

    /// Sets `giaddr`.
    pub fn set_giaddr(&mut self, a: Ipv4Addr) {
        self.buf[24..28].copy_from_slice(&a.octets());
    }

    /// Sets the server host name field (at most 64 bytes); the field is then
    /// no longer available for overloaded options.
    pub fn set_sname(&mut self, name: &[u8]) -> Result<(), WireError> {
        self.set_text_field(SNAME, name, 2, "sname")?;
        self.sname_taken = true;
        Ok(())
    }

    /// Sets the boot file name field (at most 128 bytes); the field is then
    /// no longer available for overloaded options.
    pub fn set_file(&mut self, name: &[u8]) -> Result<(), WireError> {
        self.set_text_field(FILE, name, 1, "file")?;
        self.file_taken = true;
        Ok(())
    }

    fn set_text_field(
        &mut self,
        (start, end): (usize, usize),
        text: &[u8],
        area: usize,
        what: &'static str,
    ) -> Result<(), WireError> {
        if self.area >= area || text.len() > end - start {
            return Err(WireError::BadValue {
                what,
                offset: start,
            });
        }
        self.buf[start..start + text.len()].copy_from_slice(text);
        self.buf[start + text.len()..end].fill(0);
        Ok(())
    }

    /// Appends option `code` with `data`, split into 255-byte instances when
    /// longer. On error nothing of the option is kept.
    pub fn put_option(&mut self, code: u8, data: &[u8]) -> Result<(), WireError> {
        let saved = (self.area, self.pos, self.overload_at);
        let mut chunks = data.chunks(MAX_FRAGMENT);
        let first = chunks.next().unwrap_or(&[]);
        for chunk in core::iter::once(first).chain(chunks) {
            if let Err(e) = self.put_fragment(code, chunk) {
                (self.area, self.pos, self.overload_at) = saved;
                return Err(e);
            }
        }
        Ok(())
    }

    fn put_fragment(&mut self, code: u8, chunk: &[u8]) -> Result<(), WireError> {
        let needed = 2 + chunk.len();
        while self.pos + needed > self.area_end() {
            self.next_area().ok_or(WireError::NoSpace {
                needed,
                available: self.area_end().saturating_sub(self.pos),
            })?;
        }
        self.buf[self.pos] = code;
        self.buf[self.pos + 1] = chunk.len() as u8;
        self.buf[self.pos + 2..self.pos + needed].copy_from_slice(chunk);
        self.pos += needed;
        Ok(())
    }

    /// Last byte (exclusive) options may use in the current area: one byte is
    /// always kept for END, and in the options field room for option 52.
    fn area_end(&self) -> usize {
        match self.area {
            MAIN => self.limit - 1 - OVERLOAD_LEN,
            1 => FILE.1 - 1,
            _ => SNAME.1 - 1,
        }
    }

    /// Moves to the next free area, closing the current one.
    fn next_area(&mut self) -> Option<()> {
        let next = (self.area + 1..=2).find(|&a| match a {
            1 => !self.file_taken,
            _ => !self.sname_taken,
        })?;
        self.close_area();
        self.area = next;
        self.pos = if next == 1 { FILE.0 } else { SNAME.0 };
        Some(())
    }

    /// Ends the current overflow area, or remembers where option 52 goes when
    /// leaving the options field.
    fn close_area(&mut self) {
        if self.area == MAIN {
            self.overload_at = self.pos;
        } else {
            let end = if self.area == 1 { FILE.1 } else { SNAME.1 };
            self.buf[self.pos] = END;
            self.buf[self.pos + 1..end].fill(0);
        }
    }

    /// Writes the END option, option 52 if options overflowed, and padding up
    /// to the BOOTP minimum. Returns the message length.
    pub fn finish(mut self) -> Result<usize, WireError> {
        let mut end = self.pos;
        if self.area != MAIN {
            self.close_area();
            let used = match (self.area, self.file_taken) {
                (1, _) => 1,
                (_, true) => 2,
                _ => 3,
            };
            end = self.overload_at;
            self.buf[end..end + OVERLOAD_LEN].copy_from_slice(&[OVERLOAD, 1, used]);
            end += OVERLOAD_LEN;
        }
        self.buf[end] = END;
        end += 1;
        if end < MIN_BOOTP_LEN {
            self.buf[end..MIN_BOOTP_LEN].fill(0);
            end = MIN_BOOTP_LEN;
        }
        Ok(end)
    }
}
