//! In-place DHCPv6 message writer.

use core::net::Ipv6Addr;

use super::message::{MessageType, RelayMessage};
use super::*;
use crate::wire::WireError;

/// Where an open option starts; returned by [`Message6Writer::begin_option`]
/// and consumed by [`Message6Writer::end_option`], which patches the length.
///
/// Not `Clone`, so an option cannot be closed twice by accident.
#[derive(Debug, PartialEq, Eq)]
#[must_use = "an option opened with begin_option must be closed with end_option"]
pub struct OptionMark(usize);

impl OptionMark {
    /// Offset of the option's code field in the buffer.
    pub fn offset(&self) -> usize {
        self.0
    }
}

/// The open RELAY_MSG options of a relay-reply chain, innermost last;
/// returned by [`Message6Writer::begin_relay_reply`].
///
/// A fixed array, so wrapping needs no allocation.
#[derive(Debug)]
#[must_use = "relay levels opened with begin_relay_reply must be closed with end_relay_reply"]
pub struct RelayReplyMark {
    marks: [usize; MAX_RELAY_DEPTH],
    count: usize,
}

/// Builds a DHCPv6 message into a caller's buffer without allocating.
///
/// Nested options are written by opening them ([`begin_option`]), writing
/// their content (fields and further options), and closing them
/// ([`end_option`]), which back-patches the length field. Every write
/// checks the remaining space and fails with [`WireError::NoSpace`].
///
/// [`begin_option`]: Message6Writer::begin_option
/// [`end_option`]: Message6Writer::end_option
#[derive(Debug)]
pub struct Message6Writer<'b> {
    buf: &'b mut [u8],
    len: usize,
    open: usize,
}

impl<'b> Message6Writer<'b> {
    /// A writer over `buf`, starting empty.
    pub fn new(buf: &'b mut [u8]) -> Self {
        Message6Writer {
            buf,
            len: 0,
            open: 0,
        }
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bytes written so far.
    pub fn written(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }

    /// Reserves `n` bytes and returns them for filling.
    fn reserve(&mut self, n: usize) -> Result<&mut [u8], WireError> {
        let start = self.len;
        let end = start.checked_add(n).ok_or(WireError::NoSpace {
            needed: usize::MAX,
            available: self.buf.len(),
        })?;
        let available = self.buf.len();
        let slot = self.buf.get_mut(start..end).ok_or(WireError::NoSpace {
            needed: end,
            available,
        })?;
        self.len = end;
        Ok(slot)
    }

    /// Appends raw bytes.
    pub fn put_bytes(&mut self, data: &[u8]) -> Result<(), WireError> {
        self.reserve(data.len())?.copy_from_slice(data);
        Ok(())
    }

    /// Appends a byte.
    pub fn put_u8(&mut self, v: u8) -> Result<(), WireError> {
        self.put_bytes(&[v])
    }

    /// Appends a big-endian u16.
    pub fn put_u16(&mut self, v: u16) -> Result<(), WireError> {
        self.put_bytes(&v.to_be_bytes())
    }

    /// Appends a big-endian u32.
    pub fn put_u32(&mut self, v: u32) -> Result<(), WireError> {
        self.put_bytes(&v.to_be_bytes())
    }

    /// Appends an IPv6 address.
    pub fn put_ipv6(&mut self, addr: Ipv6Addr) -> Result<(), WireError> {
        self.put_bytes(&addr.octets())
    }

    /// Writes a client/server header: type and the low 24 bits of `xid`.
    pub fn put_header(&mut self, msg_type: MessageType, xid: u32) -> Result<(), WireError> {
        let x = xid.to_be_bytes();
        self.put_bytes(&[msg_type.code(), x[1], x[2], x[3]])
    }

    /// Writes a relay header (RELAY-FORW or RELAY-REPL).
    pub fn put_relay_header(
        &mut self,
        msg_type: MessageType,
        hop_count: u8,
        link_address: Ipv6Addr,
        peer_address: Ipv6Addr,
    ) -> Result<(), WireError> {
        self.put_u8(msg_type.code())?;
        self.put_u8(hop_count)?;
        self.put_ipv6(link_address)?;
        self.put_ipv6(peer_address)
    }

    /// Opens an option: writes its code and a placeholder length.
    pub fn begin_option(&mut self, code: u16) -> Result<OptionMark, WireError> {
        let at = self.len;
        self.put_u16(code)?;
        self.put_u16(0)?;
        self.open += 1;
        Ok(OptionMark(at))
    }

    /// Closes an option opened by [`begin_option`](Self::begin_option),
    /// patching its length to cover everything written since.
    pub fn end_option(&mut self, mark: OptionMark) -> Result<(), WireError> {
        let body_start = mark.0 + 4;
        let len = self
            .len
            .checked_sub(body_start)
            .ok_or(WireError::BadValue {
                what: "option mark",
                offset: mark.0,
            })?;
        let len = u16::try_from(len).map_err(|_| WireError::BadValue {
            what: "option length",
            offset: mark.0,
        })?;
        let slot = self
            .buf
            .get_mut(mark.0 + 2..body_start)
            .ok_or(WireError::BadValue {
                what: "option mark",
                offset: mark.0,
            })?;
        slot.copy_from_slice(&len.to_be_bytes());
        self.open = self.open.saturating_sub(1);
        Ok(())
    }

    /// Writes a whole option from its body bytes.
    pub fn option(&mut self, code: u16, data: &[u8]) -> Result<(), WireError> {
        let len = u16::try_from(data.len()).map_err(|_| WireError::BadValue {
            what: "option length",
            offset: self.len,
        })?;
        // Reserve header and body together so a failure leaves nothing half-written.
        let slot = self.reserve(4 + data.len())?;
        if let Some((head, body)) = slot.split_first_chunk_mut::<4>() {
            let [c0, c1] = code.to_be_bytes();
            let [l0, l1] = len.to_be_bytes();
            *head = [c0, c1, l0, l1];
            body.copy_from_slice(data);
        }
        Ok(())
    }

    /// Writes an option holding one u16 (e.g. ELAPSED_TIME).
    pub fn option_u16(&mut self, code: u16, v: u16) -> Result<(), WireError> {
        self.option(code, &v.to_be_bytes())
    }

    /// Writes an option holding one u32 (e.g. INFORMATION_REFRESH_TIME).
    pub fn option_u32(&mut self, code: u16, v: u32) -> Result<(), WireError> {
        self.option(code, &v.to_be_bytes())
    }

    /// Writes CLIENTID with a raw DUID.
    pub fn client_id(&mut self, duid: &[u8]) -> Result<(), WireError> {
        self.option(OPTION_CLIENTID, duid)
    }

    /// Writes SERVERID with a raw DUID.
    pub fn server_id(&mut self, duid: &[u8]) -> Result<(), WireError> {
        self.option(OPTION_SERVERID, duid)
    }

    /// Writes ELAPSED_TIME.
    pub fn elapsed_time(&mut self, hundredths: u16) -> Result<(), WireError> {
        self.option_u16(OPTION_ELAPSED_TIME, hundredths)
    }

    /// Writes PREFERENCE.
    pub fn preference(&mut self, pref: u8) -> Result<(), WireError> {
        self.option(OPTION_PREFERENCE, &[pref])
    }

    /// Writes RAPID_COMMIT (empty).
    pub fn rapid_commit(&mut self) -> Result<(), WireError> {
        self.option(OPTION_RAPID_COMMIT, &[])
    }

    /// Writes an ORO listing `codes`.
    pub fn oro(&mut self, codes: &[u16]) -> Result<(), WireError> {
        let m = self.begin_option(OPTION_ORO)?;
        for &c in codes {
            self.put_u16(c)?;
        }
        self.end_option(m)
    }

    /// Writes STATUS_CODE.
    pub fn status_code(&mut self, code: u16, message: &str) -> Result<(), WireError> {
        let m = self.begin_option(OPTION_STATUS_CODE)?;
        self.put_u16(code)?;
        self.put_bytes(message.as_bytes())?;
        self.end_option(m)
    }

    /// Writes INTERFACE_ID.
    pub fn interface_id(&mut self, id: &[u8]) -> Result<(), WireError> {
        self.option(OPTION_INTERFACE_ID, id)
    }

    /// Writes REMOTE_ID.
    pub fn remote_id(&mut self, enterprise: u32, id: &[u8]) -> Result<(), WireError> {
        let m = self.begin_option(OPTION_REMOTE_ID)?;
        self.put_u32(enterprise)?;
        self.put_bytes(id)?;
        self.end_option(m)
    }

    /// Opens IA_NA with its fixed fields; add IAADDR/STATUS_CODE, then
    /// [`end_option`](Self::end_option).
    pub fn begin_ia_na(&mut self, iaid: u32, t1: u32, t2: u32) -> Result<OptionMark, WireError> {
        let m = self.begin_option(OPTION_IA_NA)?;
        self.put_u32(iaid)?;
        self.put_u32(t1)?;
        self.put_u32(t2)?;
        Ok(m)
    }

    /// Opens IA_TA with its IAID.
    pub fn begin_ia_ta(&mut self, iaid: u32) -> Result<OptionMark, WireError> {
        let m = self.begin_option(OPTION_IA_TA)?;
        self.put_u32(iaid)?;
        Ok(m)
    }

    /// Opens IA_PD with its fixed fields; add IAPREFIX/STATUS_CODE, then close.
    pub fn begin_ia_pd(&mut self, iaid: u32, t1: u32, t2: u32) -> Result<OptionMark, WireError> {
        let m = self.begin_option(OPTION_IA_PD)?;
        self.put_u32(iaid)?;
        self.put_u32(t1)?;
        self.put_u32(t2)?;
        Ok(m)
    }

    /// Opens IAADDR with its fixed fields.
    pub fn begin_ia_addr(
        &mut self,
        address: Ipv6Addr,
        preferred: u32,
        valid: u32,
    ) -> Result<OptionMark, WireError> {
        let m = self.begin_option(OPTION_IAADDR)?;
        self.put_ipv6(address)?;
        self.put_u32(preferred)?;
        self.put_u32(valid)?;
        Ok(m)
    }

    /// Writes an IAADDR without encapsulated options.
    pub fn ia_addr(
        &mut self,
        address: Ipv6Addr,
        preferred: u32,
        valid: u32,
    ) -> Result<(), WireError> {
        let m = self.begin_ia_addr(address, preferred, valid)?;
        self.end_option(m)
    }

    /// Opens IAPREFIX with its fixed fields.
    pub fn begin_ia_prefix(
        &mut self,
        preferred: u32,
        valid: u32,
        prefix_len: u8,
        prefix: Ipv6Addr,
    ) -> Result<OptionMark, WireError> {
        let m = self.begin_option(OPTION_IAPREFIX)?;
        self.put_u32(preferred)?;
        self.put_u32(valid)?;
        self.put_u8(prefix_len)?;
        self.put_ipv6(prefix)?;
        Ok(m)
    }

    /// Writes an IAPREFIX without encapsulated options.
    pub fn ia_prefix(
        &mut self,
        preferred: u32,
        valid: u32,
        prefix_len: u8,
        prefix: Ipv6Addr,
    ) -> Result<(), WireError> {
        let m = self.begin_ia_prefix(preferred, valid, prefix_len, prefix)?;
        self.end_option(m)
    }

    /// Opens one RELAY-REPL level per request relay level, outer→inner,
    /// mirroring the request (RFC 8415 §19.3): hop count, link and peer
    /// address copied, INTERFACE_ID echoed when the relay sent one, then
    /// OPTION_RELAY_MSG opened. Write the reply message next, then call
    /// [`end_relay_reply`](Self::end_relay_reply).
    ///
    /// With no relay levels this writes nothing, so callers need no branch.
    pub fn begin_relay_reply<'a, I>(&mut self, relays: I) -> Result<RelayReplyMark, WireError>
    where
        I: IntoIterator<Item = RelayMessage<'a>>,
    {
        let mut mark = RelayReplyMark {
            marks: [0; MAX_RELAY_DEPTH],
            count: 0,
        };
        for relay in relays {
            let slot = mark.marks.get_mut(mark.count).ok_or(WireError::TooDeep)?;
            self.put_relay_header(
                MessageType::RelayRepl,
                relay.hop_count(),
                relay.link_address(),
                relay.peer_address(),
            )?;
            if let Some(id) = relay.interface_id() {
                self.interface_id(id)?;
            }
            *slot = self.begin_option(OPTION_RELAY_MSG)?.0;
            mark.count += 1;
        }
        Ok(mark)
    }

    /// Closes the levels opened by [`begin_relay_reply`](Self::begin_relay_reply),
    /// innermost first.
    pub fn end_relay_reply(&mut self, mark: RelayReplyMark) -> Result<(), WireError> {
        let opened = mark.marks.get(..mark.count).unwrap_or(&[]);
        for &at in opened.iter().rev() {
            self.end_option(OptionMark(at))?;
        }
        Ok(())
    }

    /// Finishes the message and returns its length.
    ///
    /// Fails when an option is still open, since its length would be wrong.
    pub fn finish(self) -> Result<usize, WireError> {
        if self.open != 0 {
            return Err(WireError::BadValue {
                what: "unclosed option",
                offset: self.len,
            });
        }
        Ok(self.len)
    }
}
