//! Ethernet, VLAN, IPv4/IPv6 and UDP framing around a DHCP message.
//!
//! The kernel-bypass path sees whole layer-2 frames: [`Frame::parse`] finds
//! the UDP payload (zero-copy) and the addresses a reply needs, and
//! [`write_udp`] builds a reply frame in place around a payload the caller
//! writes, with lengths and checksums filled in afterwards.

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::wire::WireError;

const ETH_LEN: usize = 14;
const VLAN_LEN: usize = 4;
const IPV4_LEN: usize = 20;
const IPV6_LEN: usize = 40;
const UDP_LEN: usize = 8;
const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_IPV6: u16 = 0x86dd;
const ETHERTYPE_VLAN: u16 = 0x8100;
const ETHERTYPE_QINQ: u16 = 0x88a8;
const PROTO_UDP: u8 = 17;
/// IPv6 extension headers a DHCPv6 frame may carry before UDP.
const EXT_HOP_BY_HOP: u8 = 0;
const EXT_ROUTING: u8 = 43;
const EXT_FRAGMENT: u8 = 44;
const EXT_DEST_OPTS: u8 = 60;
/// Most extension headers walked, as in the XDP program.
const MAX_EXT_HEADERS: usize = 4;

/// The network-layer addresses of a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpAddrs {
    /// IPv4 source and destination.
    V4 {
        /// Source address.
        src: Ipv4Addr,
        /// Destination address.
        dst: Ipv4Addr,
    },
    /// IPv6 source and destination.
    V6 {
        /// Source address.
        src: Ipv6Addr,
        /// Destination address.
        dst: Ipv6Addr,
    },
}

/// Where a UDP frame comes from and goes to, from layer 2 up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Addressing {
    /// Destination MAC.
    pub eth_dst: [u8; 6],
    /// Source MAC.
    pub eth_src: [u8; 6],
    /// VLAN tags outer first, as tag protocol and TCI; `vlan_count` are used.
    pub vlans: [(u16, u16); 2],
    /// How many of `vlans` the frame carries.
    pub vlan_count: u8,
    /// Network-layer addresses.
    pub ip: IpAddrs,
    /// UDP source port.
    pub src_port: u16,
    /// UDP destination port.
    pub dst_port: u16,
}

impl Addressing {
    /// The addressing of a reply on the same path: MACs, IP addresses and
    /// ports swapped, VLAN tags kept. Callers override what DHCP says
    /// differently (broadcast, relay address, client port).
    pub fn reversed(&self) -> Addressing {
        let ip = match self.ip {
            IpAddrs::V4 { src, dst } => IpAddrs::V4 { src: dst, dst: src },
            IpAddrs::V6 { src, dst } => IpAddrs::V6 { src: dst, dst: src },
        };
        Addressing {
            eth_dst: self.eth_src,
            eth_src: self.eth_dst,
            ip,
            src_port: self.dst_port,
            dst_port: self.src_port,
            ..*self
        }
    }

    /// Bytes of headers before the UDP payload.
    pub fn header_len(&self) -> usize {
        let ip = match self.ip {
            IpAddrs::V4 { .. } => IPV4_LEN,
            IpAddrs::V6 { .. } => IPV6_LEN,
        };
        ETH_LEN + VLAN_LEN * usize::from(self.vlan_count) + ip + UDP_LEN
    }
}

/// A received UDP frame: its addressing and its payload, borrowed.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    /// Addresses and ports.
    pub addressing: Addressing,
    /// The UDP payload, trimmed to the UDP length.
    pub payload: &'a [u8],
}

impl<'a> Frame<'a> {
    /// Parses Ethernet (up to two VLAN tags), IPv4 or IPv6 and UDP. Frames
    /// that are not UDP, or are later IP fragments, are `BadValue` errors.
    pub fn parse(frame: &'a [u8]) -> Result<Frame<'a>, WireError> {
        let mut r = Reader { buf: frame, pos: 0 };
        let eth = r.take(ETH_LEN)?;
        let mut addressing = Addressing {
            eth_dst: eth[0..6].try_into().unwrap_or_default(),
            eth_src: eth[6..12].try_into().unwrap_or_default(),
            vlans: [(0, 0); 2],
            vlan_count: 0,
            ip: IpAddrs::V4 {
                src: Ipv4Addr::UNSPECIFIED,
                dst: Ipv4Addr::UNSPECIFIED,
            },
            src_port: 0,
            dst_port: 0,
        };
        let mut ethertype = be16(&eth[12..]);
        while matches!(ethertype, ETHERTYPE_VLAN | ETHERTYPE_QINQ) {
            let slot = addressing.vlans.get_mut(usize::from(addressing.vlan_count));
            let slot = slot.ok_or(WireError::BadValue {
                what: "more than two VLAN tags",
                offset: r.pos,
            })?;
            let tag = r.take(VLAN_LEN)?;
            *slot = (ethertype, be16(tag));
            addressing.vlan_count += 1;
            ethertype = be16(&tag[2..]);
        }
        let not_udp = |offset| WireError::BadValue {
            what: "not a first-fragment UDP datagram",
            offset,
        };
        match ethertype {
            ETHERTYPE_IPV4 => {
                let at = r.pos;
                let ip = r.take(IPV4_LEN)?;
                let ihl = usize::from(ip[0] & 0x0f) * 4;
                if ip[0] >> 4 != 4 || ihl < IPV4_LEN {
                    return Err(WireError::BadValue {
                        what: "IPv4 header",
                        offset: at,
                    });
                }
                r.take(ihl - IPV4_LEN)?;
                if ip[9] != PROTO_UDP || be16(&ip[6..]) & 0x1fff != 0 {
                    return Err(not_udp(at));
                }
                addressing.ip = IpAddrs::V4 {
                    src: addr4(&ip[12..]),
                    dst: addr4(&ip[16..]),
                };
            }
            ETHERTYPE_IPV6 => {
                let at = r.pos;
                let ip = r.take(IPV6_LEN)?;
                let mut next = ip[6];
                for _ in 0..MAX_EXT_HEADERS {
                    match next {
                        EXT_HOP_BY_HOP | EXT_ROUTING | EXT_DEST_OPTS => {
                            let ext = r.take(2)?;
                            next = ext[0];
                            r.take(usize::from(ext[1]) * 8 + 6)?;
                        }
                        EXT_FRAGMENT => {
                            let ext = r.take(8)?;
                            if be16(&ext[2..]) & 0xfff8 != 0 {
                                return Err(not_udp(at));
                            }
                            next = ext[0];
                        }
                        _ => break,
                    }
                }
                if next != PROTO_UDP {
                    return Err(not_udp(at));
                }
                addressing.ip = IpAddrs::V6 {
                    src: addr6(&ip[8..]),
                    dst: addr6(&ip[24..]),
                };
            }
            _ => return Err(not_udp(r.pos)),
        }
        let at = r.pos;
        let udp = r.take(UDP_LEN)?;
        addressing.src_port = be16(udp);
        addressing.dst_port = be16(&udp[2..]);
        let len = usize::from(be16(&udp[4..]));
        let payload = len
            .checked_sub(UDP_LEN)
            .and_then(|n| frame.get(r.pos..r.pos + n))
            .ok_or(WireError::BadValue {
                what: "UDP length",
                offset: at + 4,
            })?;
        Ok(Frame {
            addressing,
            payload,
        })
    }
}

/// Builds a UDP frame in `buf`: `payload` writes the message into the slice
/// after the headers and returns its length; headers, lengths and checksums
/// are written afterwards. Returns the frame length.
pub fn write_udp(
    buf: &mut [u8],
    to: &Addressing,
    payload: impl FnOnce(&mut [u8]) -> Result<usize, WireError>,
) -> Result<usize, WireError> {
    let hdr = to.header_len();
    let available = buf.len();
    let body = buf.get_mut(hdr..).ok_or(WireError::NoSpace {
        needed: hdr,
        available,
    })?;
    let len = payload(body)?;
    write_headers(buf, to, len)
}

/// Writes the headers in front of a `len`-byte payload that already sits
/// at `to.header_len()` in `buf`, with lengths and checksums. Returns the
/// frame length.
pub fn write_headers(buf: &mut [u8], to: &Addressing, len: usize) -> Result<usize, WireError> {
    let hdr = to.header_len();
    let udp_len = UDP_LEN + len;
    let total = hdr + len;
    if total > buf.len() {
        return Err(WireError::NoSpace {
            needed: total,
            available: buf.len(),
        });
    }
    let udp_len16 = u16::try_from(udp_len).map_err(|_| WireError::BadValue {
        what: "UDP datagram over 65535 bytes",
        offset: hdr,
    })?;

    buf[0..6].copy_from_slice(&to.eth_dst);
    buf[6..12].copy_from_slice(&to.eth_src);
    let mut pos = 12;
    for &(tpid, tci) in &to.vlans[..usize::from(to.vlan_count)] {
        buf[pos..pos + 2].copy_from_slice(&tpid.to_be_bytes());
        buf[pos + 2..pos + 4].copy_from_slice(&tci.to_be_bytes());
        pos += VLAN_LEN;
    }
    let udp_at = match to.ip {
        IpAddrs::V4 { src, dst } => {
            buf[pos..pos + 2].copy_from_slice(&ETHERTYPE_IPV4.to_be_bytes());
            let ip = &mut buf[pos + 2..pos + 2 + IPV4_LEN];
            ip[0] = 0x45;
            ip[1] = 0;
            ip[2..4].copy_from_slice(&((IPV4_LEN + udp_len) as u16).to_be_bytes());
            ip[4..8].fill(0); // id, flags, fragment offset
            ip[8] = 64; // TTL
            ip[9] = PROTO_UDP;
            ip[10..12].fill(0);
            ip[12..16].copy_from_slice(&src.octets());
            ip[16..20].copy_from_slice(&dst.octets());
            let sum = !fold(sum16(ip, 0));
            ip[10..12].copy_from_slice(&sum.to_be_bytes());
            pos + 2 + IPV4_LEN
        }
        IpAddrs::V6 { src, dst } => {
            buf[pos..pos + 2].copy_from_slice(&ETHERTYPE_IPV6.to_be_bytes());
            let ip = &mut buf[pos + 2..pos + 2 + IPV6_LEN];
            ip[0..4].copy_from_slice(&[0x60, 0, 0, 0]);
            ip[4..6].copy_from_slice(&udp_len16.to_be_bytes());
            ip[6] = PROTO_UDP;
            ip[7] = 64; // hop limit
            ip[8..24].copy_from_slice(&src.octets());
            ip[24..40].copy_from_slice(&dst.octets());
            pos + 2 + IPV6_LEN
        }
    };
    let udp = &mut buf[udp_at..total];
    udp[0..2].copy_from_slice(&to.src_port.to_be_bytes());
    udp[2..4].copy_from_slice(&to.dst_port.to_be_bytes());
    udp[4..6].copy_from_slice(&udp_len16.to_be_bytes());
    udp[6..8].fill(0);
    let pseudo = match to.ip {
        IpAddrs::V4 { src, dst } => sum16(&dst.octets(), sum16(&src.octets(), 0)),
        IpAddrs::V6 { src, dst } => sum16(&dst.octets(), sum16(&src.octets(), 0)),
    } + u32::from(PROTO_UDP)
        + udp_len as u32;
    // A computed zero is sent as all ones: zero means "no checksum" (RFC 768).
    let sum = match !fold(sum16(udp, pseudo)) {
        0 => 0xffff,
        s => s,
    };
    udp[6..8].copy_from_slice(&sum.to_be_bytes());
    Ok(total)
}

/// Ones'-complement sum of 16-bit words (RFC 1071), not yet folded.
fn sum16(data: &[u8], mut acc: u32) -> u32 {
    let mut words = data.chunks_exact(2);
    for w in &mut words {
        acc += u32::from(u16::from_be_bytes([w[0], w[1]]));
    }
    if let [last] = words.remainder() {
        acc += u32::from(*last) << 8;
    }
    acc
}

fn fold(mut acc: u32) -> u16 {
    while acc > 0xffff {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    acc as u16
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], WireError> {
        let out = self
            .buf
            .get(self.pos..self.pos + n)
            .ok_or_else(|| WireError::Truncated {
                offset: self.pos,
                needed: self.pos + n - self.buf.len(),
            })?;
        self.pos += n;
        Ok(out)
    }
}

fn be16(b: &[u8]) -> u16 {
    u16::from_be_bytes([b[0], b[1]])
}

fn addr4(b: &[u8]) -> Ipv4Addr {
    Ipv4Addr::new(b[0], b[1], b[2], b[3])
}

fn addr6(b: &[u8]) -> Ipv6Addr {
    let mut a = [0u8; 16];
    a.copy_from_slice(&b[..16]);
    Ipv6Addr::from(a)
}
