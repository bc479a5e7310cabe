//! Reading a DHCPv4/BOOTP message in place.

use std::net::Ipv4Addr;

use super::code;
use super::offset;
use super::options::{step, Area, Areas, CodeSet, OptionValue, Options};
use super::{MessageType, FLAG_BROADCAST, HEADER_LEN, MAGIC_COOKIE, OPTIONS_OFFSET};
use crate::wire::WireError;

const SNAME: Area = Area {
    start: 44,
    end: 108,
};
const FILE: Area = Area {
    start: 108,
    end: HEADER_LEN as u16,
};

/// A received DHCPv4 or BOOTP message, borrowed from the frame.
///
/// [`Packet4::parse`] validates every option in every area once, so the
/// accessors never fail and never read out of bounds.
#[derive(Debug, Clone, Copy)]
pub struct Packet4<'a> {
    buf: &'a [u8],
    areas: Areas,
    /// Codes present at least once.
    present: CodeSet,
    /// Codes present more than once: their value is split (RFC 3396).
    split: CodeSet,
    /// Code and offset of the first instance of the first [`INDEXED`]
    /// distinct codes, so a lookup is a short byte search, not an option walk.
    index_codes: [u8; INDEXED],
    index_pos: [u16; INDEXED],
    indexed: u8,
}

/// How many distinct option codes are indexed; typical client messages carry
/// 5 to 15, and codes past the limit are found by walking the options.
const INDEXED: usize = 24;

impl<'a> Packet4<'a> {
    /// Validates `buf` as a DHCPv4 message.
    ///
    /// A message that ends right after the fixed header is plain BOOTP without
    /// options, as Kea accepts it; anything longer must carry the magic cookie.
    /// Option 52 is honoured only in the options field, so an overload option
    /// inside `file` or `sname` cannot make the walk revisit an area.
    pub fn parse(buf: &'a [u8]) -> Result<Self, WireError> {
        if buf.len() < HEADER_LEN {
            return Err(WireError::Truncated {
                offset: buf.len(),
                needed: HEADER_LEN - buf.len(),
            });
        }
        if buf.len() > usize::from(u16::MAX) {
            return Err(WireError::BadValue {
                what: "message length over 65535 bytes",
                offset: usize::from(u16::MAX),
            });
        }
        let mut pkt = Packet4 {
            buf,
            areas: Areas::default(),
            present: CodeSet::default(),
            split: CodeSet::default(),
            index_codes: [0; INDEXED],
            index_pos: [0; INDEXED],
            indexed: 0,
        };
        if buf.len() == HEADER_LEN {
            return Ok(pkt);
        }
        if buf.len() < OPTIONS_OFFSET {
            return Err(WireError::Truncated {
                offset: buf.len(),
                needed: OPTIONS_OFFSET - buf.len(),
            });
        }
        if buf[HEADER_LEN..OPTIONS_OFFSET] != MAGIC_COOKIE {
            return Err(WireError::BadMagicCookie);
        }
        let main = Area {
            start: OPTIONS_OFFSET as u16,
            end: buf.len() as u16,
        };
        let overload = pkt.scan(main)?;
        pkt.areas[0] = main;
        let mut next = 1;
        for (bit, area) in [(1, FILE), (2, SNAME)] {
            if overload & bit != 0 {
                pkt.scan(area)?;
                pkt.areas[next] = area;
                next += 1;
            }
        }
        Ok(pkt)
    }

    /// Validates one area and records its codes; returns the overload value
    /// found in it, if any.
    fn scan(&mut self, area: Area) -> Result<u8, WireError> {
        let mut overload = 0;
        let mut pos = area.start.into();
        while let Some((opt, next)) = step(self.buf, pos, area.end.into())? {
            if self.present.contains(opt.code) {
                self.split.insert(opt.code);
            } else if usize::from(self.indexed) < INDEXED {
                let i = usize::from(self.indexed);
                self.index_codes[i] = opt.code;
                self.index_pos[i] = (next - 2 - opt.data.len()) as u16;
                self.indexed += 1;
            }
            self.present.insert(opt.code);
            if opt.code == code::OVERLOAD {
                overload = match opt.data {
                    [v @ 1..=3] => *v,
                    _ => {
                        return Err(WireError::BadValue {
                            what: "option overload (52)",
                            offset: pos,
                        })
                    }
                };
            }
            pos = next;
        }
        Ok(overload)
    }

    /// The message's bytes as received.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.buf
    }

    /// `op`: 1 BOOTREQUEST, 2 BOOTREPLY.
    pub fn op(&self) -> u8 {
        self.buf[0]
    }

    /// Hardware address type (1 for Ethernet).
    pub fn htype(&self) -> u8 {
        self.buf[1]
    }

    /// Hardware address length as sent, which may exceed 16.
    pub fn hlen(&self) -> u8 {
        self.buf[2]
    }

    /// Relay hops.
    pub fn hops(&self) -> u8 {
        self.buf[3]
    }

    /// Transaction id.
    pub fn xid(&self) -> u32 {
        u32::from_be_bytes(self.array(offset::XID))
    }

    /// Seconds since the client began acquiring or renewing.
    pub fn secs(&self) -> u16 {
        u16::from_be_bytes(self.array(8))
    }

    /// The flags field.
    pub fn flags(&self) -> u16 {
        u16::from_be_bytes(self.array(10))
    }

    /// True when the client asked for a broadcast reply.
    pub fn broadcast(&self) -> bool {
        self.flags() & FLAG_BROADCAST != 0
    }

    /// Client IP address (set when the client is bound, renewing or rebinding).
    pub fn ciaddr(&self) -> Ipv4Addr {
        self.array::<4>(offset::CIADDR).into()
    }

    /// "Your" IP address.
    pub fn yiaddr(&self) -> Ipv4Addr {
        self.array::<4>(offset::YIADDR).into()
    }

    /// Next server IP address.
    pub fn siaddr(&self) -> Ipv4Addr {
        self.array::<4>(offset::SIADDR).into()
    }

    /// Relay agent IP address.
    pub fn giaddr(&self) -> Ipv4Addr {
        self.array::<4>(offset::GIADDR).into()
    }

    /// Client hardware address: the first `hlen` bytes of `chaddr`, at most 16.
    pub fn chaddr(&self) -> &'a [u8] {
        &self.buf[28..28 + usize::from(self.hlen().min(16))]
    }

    /// Server host name up to its first NUL, or `None` when it holds options.
    pub fn sname(&self) -> Option<&'a [u8]> {
        self.text_field(SNAME)
    }

    /// Boot file name up to its first NUL, or `None` when it holds options.
    pub fn file(&self) -> Option<&'a [u8]> {
        self.text_field(FILE)
    }

    /// Every option instance in wire order: options field, `file`, `sname`.
    pub fn options(&self) -> Options<'a> {
        Options::new(self.buf, self.areas)
    }

    /// The value of option `code`, joined over its instances if it is split.
    pub fn option(&self, code: u8) -> Option<OptionValue<'a>> {
        if !self.present.contains(code) {
            return None;
        }
        let indexed = &self.index_codes[..usize::from(self.indexed)];
        let mut rest = match indexed.iter().position(|&c| c == code) {
            Some(i) => Options::resume(self.buf, self.areas, self.index_pos[i].into()),
            None => self.options(),
        };
        let first = rest.by_ref().find(|o| o.code == code)?;
        Some(OptionValue::new(
            code,
            first.data,
            self.split.contains(code),
            rest,
        ))
    }

    /// The value of option `code` when it sits in one instance (the usual
    /// case), read straight from the index; `None` when the option is absent
    /// or split, where [`Packet4::option`] joins the instances.
    #[inline(always)]
    pub fn option_contiguous(&self, code: u8) -> Option<&'a [u8]> {
        if !self.present.contains(code) || self.split.contains(code) {
            return None;
        }
        let indexed = &self.index_codes[..usize::from(self.indexed)];
        match indexed.iter().position(|&c| c == code) {
            Some(i) => {
                // `pos` is the code byte of an instance `scan` validated.
                let pos = usize::from(self.index_pos[i]);
                let len = usize::from(self.buf[pos + 1]);
                Some(&self.buf[pos + 2..pos + 2 + len])
            }
            None => self.option(code).and_then(|v| v.contiguous()),
        }
    }

    /// True when option `code` appears more than once, so its value is the
    /// instances joined (RFC 3396).
    #[inline(always)]
    pub fn is_split(&self, code: u8) -> bool {
        self.split.contains(code)
    }

    /// The DHCP message type, or `None` for BOOTP (no option 53).
    pub fn message_type(&self) -> Option<MessageType> {
        self.option(code::MESSAGE_TYPE)
            .and_then(|v| v.to_array::<1>())
            .map(|[t]| MessageType::from_u8(t))
    }

    /// An option holding exactly one IPv4 address, such as 50 or 54.
    pub fn option_ipv4(&self, code: u8) -> Option<Ipv4Addr> {
        self.option(code)?.to_array::<4>().map(Ipv4Addr::from)
    }

    /// An option holding one 16-bit integer, such as 57.
    pub fn option_u16(&self, code: u8) -> Option<u16> {
        self.option(code)?.to_array::<2>().map(u16::from_be_bytes)
    }

    /// An option holding one 32-bit integer, such as 51.
    pub fn option_u32(&self, code: u8) -> Option<u32> {
        self.option(code)?.to_array::<4>().map(u32::from_be_bytes)
    }

    fn array<const N: usize>(&self, at: usize) -> [u8; N] {
        let mut out = [0; N];
        out.copy_from_slice(&self.buf[at..at + N]);
        out
    }

    fn text_field(&self, area: Area) -> Option<&'a [u8]> {
        if self.areas.contains(&area) {
            return None;
        }
        let field = &self.buf[area.range()];
        let len = field.iter().position(|&b| b == 0).unwrap_or(field.len());
        Some(&field[..len])
    }
}
