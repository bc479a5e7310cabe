//! What a DHCPv4 message offers to expressions.

use std::net::Ipv4Addr;

use super::ast::{Pkt4Field, PktField, Source};
use super::eval::{Bump, Input};
use crate::wire::v4::{code, offset, Packet4};

/// A received DHCPv4 message and how it arrived.
pub struct Input4<'a> {
    packet: &'a Packet4<'a>,
    iface: &'a str,
    /// `pkt.src` and `pkt.dst`, in network order.
    src: [u8; 4],
    dst: [u8; 4],
}

impl<'a> Input4<'a> {
    /// The message `packet`, received on `iface` from `src` to `dst`
    /// (`pkt.iface`, `pkt.src`, `pkt.dst` in expressions).
    pub fn new(packet: &'a Packet4<'a>, iface: &'a str, src: Ipv4Addr, dst: Ipv4Addr) -> Self {
        Input4 {
            packet,
            iface,
            src: src.octets(),
            dst: dst.octets(),
        }
    }

    /// Option `code` when it sits whole in the packet: `Some(None)` when
    /// absent, `None` when split over several instances (RFC 3396).
    #[inline(always)]
    fn whole(&self, code: u16) -> Option<Option<&'a [u8]>> {
        let Ok(code) = u8::try_from(code) else {
            return Some(None);
        };
        match self.packet.option_contiguous(code) {
            Some(v) => Some(Some(v)),
            None if self.packet.is_split(code) => None,
            None => Some(None),
        }
    }

    /// Option `code`'s instances joined in the arena.
    fn joined<'b>(&'b self, code: u16, bump: &mut Bump<'b>) -> Option<&'b [u8]> {
        let v = self.packet.option(u8::try_from(code).ok()?)?;
        Some(bump.build(|c| v.fragments().try_for_each(|f| c.push(f))))
    }
}

/// Sub-option `code` in a value made of (code, length, data) triples.
fn find_tlv(data: &[u8], code: u16) -> Option<&[u8]> {
    let mut i = 0;
    while i + 2 <= data.len() {
        let (c, l) = (data[i], usize::from(data[i + 1]));
        let body = data.get(i + 2..i + 2 + l)?;
        if u16::from(c) == code {
            return Some(body);
        }
        i += 2 + l;
    }
    None
}

/// The first block of a vendor option (124 or 125) for enterprise `ent`
/// (0: any): its enterprise number and data.
fn vendor_block(data: &[u8], ent: u32) -> Option<(&[u8], &[u8])> {
    let mut i = 0;
    while i + 5 <= data.len() {
        let id = &data[i..i + 4];
        let len = usize::from(data[i + 4]);
        let body = data.get(i + 5..i + 5 + len)?;
        if ent == 0 || u32::from_be_bytes([id[0], id[1], id[2], id[3]]) == ent {
            return Some((id, body));
        }
        i += 5 + len;
    }
    None
}

/// The `index`th length-prefixed chunk of vendor class data.
fn chunk(data: &[u8], index: u8) -> Option<&[u8]> {
    let mut i = 0;
    for _ in 0..index {
        i += 1 + usize::from(*data.get(i)?);
    }
    let len = usize::from(*data.get(i)?);
    data.get(i + 1..i + 1 + len)
}

/// One-byte fields (`hlen`, `htype`, the message type) as Kea's 4-byte
/// integers, so they too are borrowed rather than built per packet.
static AS_U32: [[u8; 4]; 256] = {
    let mut t = [[0; 4]; 256];
    let mut i = 0;
    while i < 256 {
        t[i][3] = i as u8;
        i += 1;
    }
    t
};

impl Input for Input4<'_> {
    #[inline(always)]
    fn borrowed(&self, src: Source) -> Option<Option<&[u8]>> {
        let p = self.packet;
        // Header words as they sit in the message (network order), as Kea
        // gives them.
        let word = |at: usize| Some(Some(&p.as_bytes()[at..at + 4]));
        let small = |v: u8| Some(Some(&AS_U32[usize::from(v)][..]));
        let sub = |code: u16, s: u16| self.whole(code).map(|v| v.and_then(|v| find_tlv(v, s)));
        let vendor = |code: u8, f: &dyn Fn(&'_ [u8]) -> Option<&'_ [u8]>| {
            Some(p.option_contiguous(code).and_then(f))
        };
        match src {
            Source::Option(c) => self.whole(c),
            Source::SubOption(c, s) => sub(c, s),
            Source::Relay4(s) => sub(u16::from(code::RELAY_AGENT_INFO), s),
            Source::Pkt(PktField::Iface) => Some(Some(self.iface.as_bytes())),
            Source::Pkt(PktField::Src) => Some(Some(&self.src)),
            Source::Pkt(PktField::Dst) => Some(Some(&self.dst)),
            Source::Pkt(PktField::Len) => None,
            Source::Pkt4(f) => match f {
                Pkt4Field::Mac => Some(Some(p.chaddr())),
                Pkt4Field::Hlen => small(p.hlen()),
                Pkt4Field::Htype => small(p.htype()),
                Pkt4Field::Ciaddr => word(offset::CIADDR),
                Pkt4Field::Giaddr => word(offset::GIADDR),
                Pkt4Field::Yiaddr => word(offset::YIADDR),
                Pkt4Field::Siaddr => word(offset::SIADDR),
                Pkt4Field::Transid => word(offset::XID),
                Pkt4Field::Msgtype => {
                    let t = p.option_contiguous(code::MESSAGE_TYPE);
                    small(t.and_then(|v| v.first().copied()).unwrap_or(0))
                }
            },
            Source::Vendor(ent) => vendor(125, &|v| vendor_block(v, ent).map(|(_, d)| d)),
            Source::VendorEnterprise => vendor(125, &|v| vendor_block(v, 0).map(|(id, _)| id)),
            Source::VendorOption(ent, c) => vendor(125, &|v| find_tlv(vendor_block(v, ent)?.1, c)),
            Source::VendorClass(ent) => vendor(124, &|v| vendor_block(v, ent).map(|(_, d)| d)),
            Source::VendorClassEnterprise => vendor(124, &|v| vendor_block(v, 0).map(|(id, _)| id)),
            Source::VendorClassData(ent, i) => vendor(124, &|v| chunk(vendor_block(v, ent)?.1, i)),
            Source::Relay6Option(..)
            | Source::Relay6Peer(_)
            | Source::Relay6Link(_)
            | Source::Pkt6(_) => Some(None),
        }
    }

    /// What [`Input4::borrowed`] cannot give: options split over several
    /// instances, joined in the arena, and the message length.
    fn fetch<'b>(&'b self, src: Source, bump: &mut Bump<'b>) -> Option<&'b [u8]> {
        if let Some(v) = self.borrowed(src) {
            return v;
        }
        match src {
            Source::Option(c) => self.joined(c, bump),
            Source::SubOption(c, s) => find_tlv(self.joined(c, bump)?, s),
            Source::Relay4(s) => find_tlv(self.joined(u16::from(code::RELAY_AGENT_INFO), bump)?, s),
            Source::Pkt(PktField::Len) => {
                let len = self.packet.as_bytes().len() as u32;
                Some(bump.join(&[&len.to_be_bytes()]))
            }
            // `borrowed` answers every other source.
            _ => None,
        }
    }
}
