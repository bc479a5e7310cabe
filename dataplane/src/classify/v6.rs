//! What a DHCPv6 message offers to expressions: the client message's
//! options, the relay chain (`relay6[n]`, 0 the relay nearest the server,
//! negative counting from the client), and how the datagram arrived.

use std::net::Ipv6Addr;

use super::ast::{Pkt6Field, PktField, Source};
use super::eval::{Bump, Input};
use crate::wire::v6::{Options, Packet6, RelayMessage};

/// Vendor-specific information (RFC 8415 §21.17).
const VENDOR_OPTS: u16 = 17;
/// Vendor class (RFC 8415 §21.16).
const VENDOR_CLASS: u16 = 16;

/// A received DHCPv6 message and how it arrived.
pub struct Input6<'a> {
    packet: &'a Packet6<'a>,
    iface: &'a str,
    src: [u8; 16],
    dst: [u8; 16],
}

impl<'a> Input6<'a> {
    /// The datagram `packet`, received on `iface` from `src` to `dst`.
    pub fn new(packet: &'a Packet6<'a>, iface: &'a str, src: Ipv6Addr, dst: Ipv6Addr) -> Self {
        Input6 {
            packet,
            iface,
            src: src.octets(),
            dst: dst.octets(),
        }
    }

    /// Relay level `nest`: 0 the outermost (nearest the server), negative
    /// counting from the client.
    fn relay(&self, nest: i8) -> Option<RelayMessage<'a>> {
        let depth = self.packet.relay_depth() as i64;
        let level = if nest < 0 {
            depth + i64::from(nest)
        } else {
            i64::from(nest)
        };
        self.packet.relays().nth(usize::try_from(level).ok()?)
    }

    fn option(&self, code: u16) -> Option<&'a [u8]> {
        self.packet.innermost().options().find(code)
    }
}

/// The block of a vendor option (16 or 17) for enterprise `ent` (0: any):
/// its enterprise number and the data after it. Only the first instance
/// is examined, as in Kea.
fn vendor_block(data: &[u8], ent: u32) -> Option<(&[u8], &[u8])> {
    let (id, rest) = data.split_at_checked(4)?;
    (ent == 0 || u32::from_be_bytes([id[0], id[1], id[2], id[3]]) == ent).then_some((id, rest))
}

/// The `index`th chunk of vendor class data (2-byte lengths).
fn chunk(data: &[u8], index: u8) -> Option<&[u8]> {
    let mut rest = data;
    for i in 0..=index {
        let (len, tail) = rest.split_at_checked(2)?;
        let (item, tail) =
            tail.split_at_checked(usize::from(u16::from_be_bytes([len[0], len[1]])))?;
        if i == index {
            return Some(item);
        }
        rest = tail;
    }
    None
}

impl Input for Input6<'_> {
    fn fetch<'b>(&'b self, src: Source, bump: &mut Bump<'b>) -> Option<&'b [u8]> {
        let client = self.packet.innermost();
        let mut u32v = |v: u32| Some(bump.join(&[&v.to_be_bytes()]));
        let sub = |data: &'b [u8], code: u16| Options::parse(data).ok()?.find(code);
        match src {
            Source::Option(c) => self.option(c),
            Source::SubOption(c, s) => sub(self.option(c)?, s),
            Source::Relay6Option(nest, c) => self.relay(nest)?.options().find(c),
            Source::Relay6Peer(nest) => {
                let a = self.relay(nest)?.peer_address().octets();
                Some(bump.join(&[&a]))
            }
            Source::Relay6Link(nest) => {
                let a = self.relay(nest)?.link_address().octets();
                Some(bump.join(&[&a]))
            }
            Source::Pkt(PktField::Iface) => Some(self.iface.as_bytes()),
            Source::Pkt(PktField::Src) => Some(&self.src),
            Source::Pkt(PktField::Dst) => Some(&self.dst),
            Source::Pkt(PktField::Len) => u32v(client.as_bytes().len() as u32),
            Source::Pkt6(Pkt6Field::Msgtype) => u32v(u32::from(client.msg_type().code())),
            Source::Pkt6(Pkt6Field::Transid) => u32v(client.xid()),
            Source::Vendor(ent) => vendor_block(self.option(VENDOR_OPTS)?, ent).map(|(_, d)| d),
            Source::VendorEnterprise => {
                vendor_block(self.option(VENDOR_OPTS)?, 0).map(|(id, _)| id)
            }
            Source::VendorOption(ent, c) => sub(vendor_block(self.option(VENDOR_OPTS)?, ent)?.1, c),
            Source::VendorClass(ent) => {
                vendor_block(self.option(VENDOR_CLASS)?, ent).map(|(_, d)| d)
            }
            Source::VendorClassEnterprise => {
                vendor_block(self.option(VENDOR_CLASS)?, 0).map(|(id, _)| id)
            }
            Source::VendorClassData(ent, i) => {
                chunk(vendor_block(self.option(VENDOR_CLASS)?, ent)?.1, i)
            }
            Source::Relay4(_) | Source::Pkt4(_) => None,
        }
    }
}

/// The vendor class value Kea builds `VENDOR_CLASS_` classes from in
/// DHCPv6: the first data chunk of option 16.
pub fn vendor_class<'a>(packet: &Packet6<'a>) -> Option<&'a [u8]> {
    let data = packet.innermost().options().find(VENDOR_CLASS)?;
    chunk(vendor_block(data, 0)?.1, 0)
}
