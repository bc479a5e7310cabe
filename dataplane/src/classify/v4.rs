//! What a DHCPv4 message offers to expressions.

use std::cell::Cell;
use std::net::Ipv4Addr;

use super::ast::{Pkt4Field, PktField, Source};
use super::eval::{Bump, Input};
use crate::wire::v4::{code, Packet4};

/// A received DHCPv4 message and how it arrived.
pub struct Input4<'a> {
    packet: &'a Packet4<'a>,
    iface: &'a str,
    src: Ipv4Addr,
    dst: Ipv4Addr,
    /// Options already looked up for this packet: classes read the same few
    /// options over and over.
    seen: [Cell<Seen>; SEEN],
    seen_count: Cell<usize>,
}

/// How many distinct options one packet's evaluations remember.
const SEEN: usize = 8;

/// An option looked up: its code and where its value sits in the message
/// (`len == ABSENT`: not in the message).
#[derive(Clone, Copy, Default)]
struct Seen {
    code: u8,
    start: u16,
    len: u16,
}

const ABSENT: u16 = u16::MAX;

impl<'a> Input4<'a> {
    /// The message `packet`, received on `iface` from `src` to `dst`
    /// (`pkt.iface`, `pkt.src`, `pkt.dst` in expressions).
    pub fn new(packet: &'a Packet4<'a>, iface: &'a str, src: Ipv4Addr, dst: Ipv4Addr) -> Self {
        Input4 {
            packet,
            iface,
            src,
            dst,
            seen: Default::default(),
            seen_count: Cell::new(0),
        }
    }

    /// Option `code`'s payload; a value split over several instances
    /// (RFC 3396) is joined in the arena.
    fn option<'b>(&'b self, code: u16, bump: &mut Bump<'b>) -> Option<&'b [u8]> {
        let code = u8::try_from(code).ok()?;
        let msg = self.packet.as_bytes();
        let n = self.seen_count.get();
        if let Some(e) = self.seen[..n]
            .iter()
            .map(Cell::get)
            .find(|e| e.code == code)
        {
            let start = usize::from(e.start);
            return (e.len != ABSENT).then(|| &msg[start..start + usize::from(e.len)]);
        }
        let v = self.packet.option(code);
        let whole = v.as_ref().and_then(|v| v.contiguous());
        if n < SEEN && (v.is_none() || whole.is_some()) {
            let (start, len) = whole.map_or((0, ABSENT), |w| {
                (
                    (w.as_ptr() as usize - msg.as_ptr() as usize) as u16,
                    w.len() as u16,
                )
            });
            self.seen[n].set(Seen { code, start, len });
            self.seen_count.set(n + 1);
        }
        let v = v?;
        whole.or_else(|| Some(bump.build(|c| v.fragments().try_for_each(|f| c.push(f)))))
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

impl Input for Input4<'_> {
    fn fetch<'b>(&'b self, src: Source, bump: &mut Bump<'b>) -> Option<&'b [u8]> {
        let p = self.packet;
        let mut u32v = |v: u32| Some(bump.join(&[&v.to_be_bytes()]));
        let contiguous = |code: u8| p.option(code).and_then(|v| v.contiguous());
        match src {
            Source::Option(c) => self.option(c, bump),
            Source::SubOption(c, s) => find_tlv(self.option(c, bump)?, s),
            Source::Relay4(s) => find_tlv(self.option(u16::from(code::RELAY_AGENT_INFO), bump)?, s),
            Source::Pkt(PktField::Iface) => Some(self.iface.as_bytes()),
            Source::Pkt(PktField::Src) => u32v(u32::from(self.src)),
            Source::Pkt(PktField::Dst) => u32v(u32::from(self.dst)),
            Source::Pkt(PktField::Len) => u32v(p.as_bytes().len() as u32),
            Source::Pkt4(f) => match f {
                Pkt4Field::Mac => {
                    let hlen = usize::from(p.hlen()).min(p.chaddr().len());
                    Some(&p.chaddr()[..hlen])
                }
                Pkt4Field::Hlen => u32v(u32::from(p.hlen())),
                Pkt4Field::Htype => u32v(u32::from(p.htype())),
                Pkt4Field::Ciaddr => u32v(u32::from(p.ciaddr())),
                Pkt4Field::Giaddr => u32v(u32::from(p.giaddr())),
                Pkt4Field::Yiaddr => u32v(u32::from(p.yiaddr())),
                Pkt4Field::Siaddr => u32v(u32::from(p.siaddr())),
                Pkt4Field::Msgtype => {
                    let t = contiguous(code::MESSAGE_TYPE).and_then(|v| v.first().copied());
                    u32v(u32::from(t.unwrap_or(0)))
                }
                Pkt4Field::Transid => u32v(p.xid()),
            },
            Source::Vendor(ent) => vendor_block(contiguous(125)?, ent).map(|(_, d)| d),
            Source::VendorEnterprise => vendor_block(contiguous(125)?, 0).map(|(id, _)| id),
            Source::VendorOption(ent, c) => find_tlv(vendor_block(contiguous(125)?, ent)?.1, c),
            Source::VendorClass(ent) => vendor_block(contiguous(124)?, ent).map(|(_, d)| d),
            Source::VendorClassEnterprise => vendor_block(contiguous(124)?, 0).map(|(id, _)| id),
            Source::VendorClassData(ent, i) => chunk(vendor_block(contiguous(124)?, ent)?.1, i),
            Source::Relay6Option(..)
            | Source::Relay6Peer(_)
            | Source::Relay6Link(_)
            | Source::Pkt6(_) => None,
        }
    }
}
