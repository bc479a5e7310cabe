//! What a DHCPv4 message offers to expressions.

use std::net::Ipv4Addr;

use super::ast::{Pkt4Field, PktField, Source};
use super::eval::{Arena, Input, Val};
use crate::wire::v4::{code, Packet4};

/// A received DHCPv4 message and how it arrived.
pub struct Input4<'a> {
    /// The message.
    pub packet: &'a Packet4<'a>,
    /// Receiving interface name (`pkt.iface`).
    pub iface: &'a str,
    /// IP source address (`pkt.src`).
    pub src: Ipv4Addr,
    /// IP destination address (`pkt.dst`).
    pub dst: Ipv4Addr,
}

impl<'a> Input4<'a> {
    /// Option `code`'s payload; a value split over several instances
    /// (RFC 3396) is joined in the arena.
    fn option(&self, code: u16, arena: &mut Arena) -> Option<Val<'a>> {
        let v = self.packet.option(u8::try_from(code).ok()?)?;
        if let Some(s) = v.contiguous() {
            return Some(Val::Slice(s));
        }
        let mark = arena.mark();
        for frag in v.fragments() {
            arena.push(frag).ok()?;
        }
        Some(arena.since(mark))
    }

    fn sub_option(&self, code: u16, sub: u16, arena: &mut Arena) -> Option<Val<'a>> {
        let outer = self.option(code, arena)?;
        find_tlv(outer, sub)
    }
}

/// Sub-option `code` in a value made of (code, length, data) triples.
fn find_tlv(v: Val<'_>, code: u16) -> Option<Val<'_>> {
    // A value joined from RFC 3396 fragments lives in the arena; its
    // sub-options are not looked into.
    let Val::Slice(data) = v else { return None };
    let mut i = 0;
    while i + 2 <= data.len() {
        let (c, l) = (data[i], usize::from(data[i + 1]));
        let body = data.get(i + 2..i + 2 + l)?;
        if u16::from(c) == code {
            return Some(Val::Slice(body));
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

impl<'a> Input<'a> for Input4<'a> {
    fn fetch(&self, src: Source, arena: &mut Arena) -> Option<Val<'a>> {
        let p = self.packet;
        let u32v = |v: u32, arena: &mut Arena| {
            let mark = arena.mark();
            arena.push(&v.to_be_bytes()).ok()?;
            Some(arena.since(mark))
        };
        let addr = |a: Ipv4Addr, arena: &mut Arena| u32v(u32::from(a), arena);
        let contiguous = |code: u8| p.option(code).and_then(|v| v.contiguous());
        match src {
            Source::Option(c) => self.option(c, arena),
            Source::SubOption(c, s) => self.sub_option(c, s, arena),
            Source::Relay4(s) => self.sub_option(u16::from(code::RELAY_AGENT_INFO), s, arena),
            Source::Pkt(PktField::Iface) => Some(Val::Slice(self.iface.as_bytes())),
            Source::Pkt(PktField::Src) => addr(self.src, arena),
            Source::Pkt(PktField::Dst) => addr(self.dst, arena),
            Source::Pkt(PktField::Len) => u32v(p.as_bytes().len() as u32, arena),
            Source::Pkt4(f) => match f {
                Pkt4Field::Mac => {
                    let hlen = usize::from(p.hlen()).min(p.chaddr().len());
                    Some(Val::Slice(&p.chaddr()[..hlen]))
                }
                Pkt4Field::Hlen => u32v(u32::from(p.hlen()), arena),
                Pkt4Field::Htype => u32v(u32::from(p.htype()), arena),
                Pkt4Field::Ciaddr => addr(p.ciaddr(), arena),
                Pkt4Field::Giaddr => addr(p.giaddr(), arena),
                Pkt4Field::Yiaddr => addr(p.yiaddr(), arena),
                Pkt4Field::Siaddr => addr(p.siaddr(), arena),
                Pkt4Field::Msgtype => {
                    let t = contiguous(code::MESSAGE_TYPE).and_then(|v| v.first().copied());
                    u32v(u32::from(t.unwrap_or(0)), arena)
                }
                Pkt4Field::Transid => u32v(p.xid(), arena),
            },
            Source::Vendor(ent) => vendor_block(contiguous(125)?, ent).map(|(_, d)| Val::Slice(d)),
            Source::VendorEnterprise => vendor_block(contiguous(125)?, 0).map(|(id, _)| Val::Slice(id)),
            Source::VendorOption(ent, c) => {
                let (_, d) = vendor_block(contiguous(125)?, ent)?;
                find_tlv(Val::Slice(d), c)
            }
            Source::VendorClass(ent) => vendor_block(contiguous(124)?, ent).map(|(_, d)| Val::Slice(d)),
            Source::VendorClassEnterprise => {
                vendor_block(contiguous(124)?, 0).map(|(id, _)| Val::Slice(id))
            }
            Source::VendorClassData(ent, i) => {
                let (_, d) = vendor_block(contiguous(124)?, ent)?;
                chunk(d, i).map(Val::Slice)
            }
            Source::Relay6Option(..) | Source::Relay6Peer(_) | Source::Relay6Link(_) | Source::Pkt6(_) => None,
        }
    }
}
