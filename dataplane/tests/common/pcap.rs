//! Minimal classic-pcap reader for test fixtures.
//!
//! Supports the libpcap file format (microsecond and nanosecond magic, either byte order),
//! link types 1 (Ethernet, with any number of 802.1Q / 802.1ad tags) and 113 (Linux cooked
//! capture v1, what `tcpdump -i any` writes), IPv4 (with header options) and IPv6 (with the
//! common extension headers skipped), and UDP. Only unfragmented UDP datagrams are returned;
//! everything else in the file is skipped. Malformed input panics with a message: this is a
//! test helper, a broken fixture should fail the test loudly.
#![allow(dead_code)]

use std::path::Path;

/// One UDP datagram found in a capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Datagram {
    /// 1-based frame number in the file, as tshark/Wireshark count them.
    pub frame: usize,
    /// 4 or 6.
    pub ip_version: u8,
    pub src_port: u16,
    pub dst_port: u16,
    /// The UDP payload (the DHCP message), trimmed to the UDP length field.
    pub payload: Vec<u8>,
}

const LINKTYPE_ETHERNET: u32 = 1;
const LINKTYPE_LINUX_SLL: u32 = 113;

const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_IPV6: u16 = 0x86dd;
const ETHERTYPE_VLAN: u16 = 0x8100;
const ETHERTYPE_QINQ: u16 = 0x88a8;
const ETHERTYPE_QINQ_OLD: u16 = 0x9100;

const IPPROTO_UDP: u8 = 17;

/// Reads every UDP datagram of a classic pcap file.
pub fn udp_payloads(path: impl AsRef<Path>) -> Vec<Datagram> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    parse_pcap(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Parses an in-memory classic pcap file; returns every UDP datagram.
pub fn parse_pcap(bytes: &[u8]) -> Result<Vec<Datagram>, String> {
    if bytes.len() < 24 {
        return Err(format!(
            "file too short for a pcap header ({} bytes)",
            bytes.len()
        ));
    }
    let magic = [bytes[0], bytes[1], bytes[2], bytes[3]];
    let big_endian = match magic {
        // a1b2c3d4 (microseconds) and a1b23c4d (nanoseconds)
        [0xd4, 0xc3, 0xb2, 0xa1] | [0x4d, 0x3c, 0xb2, 0xa1] => false,
        [0xa1, 0xb2, 0xc3, 0xd4] | [0xa1, 0xb2, 0x3c, 0x4d] => true,
        [0x0a, 0x0d, 0x0d, 0x0a] => {
            return Err("pcapng is not supported; write classic pcap (tshark -F pcap)".into())
        }
        other => return Err(format!("bad pcap magic {other:02x?}")),
    };
    let u32_at = |off: usize| -> u32 {
        let b = [bytes[off], bytes[off + 1], bytes[off + 2], bytes[off + 3]];
        if big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        }
    };
    let major = if big_endian {
        u16::from_be_bytes([bytes[4], bytes[5]])
    } else {
        u16::from_le_bytes([bytes[4], bytes[5]])
    };
    if major != 2 {
        return Err(format!("unsupported pcap major version {major}"));
    }
    // The link type lives in the low 16 bits; the upper bits may carry FCS information.
    let linktype = u32_at(20) & 0xffff;
    if linktype != LINKTYPE_ETHERNET && linktype != LINKTYPE_LINUX_SLL {
        return Err(format!("unsupported link type {linktype}"));
    }

    let mut out = Vec::new();
    let mut off = 24;
    let mut frame = 0;
    while off < bytes.len() {
        if bytes.len() - off < 16 {
            return Err(format!("truncated record header at offset {off}"));
        }
        let incl_len = u32_at(off + 8) as usize;
        off += 16;
        if bytes.len() - off < incl_len {
            return Err(format!(
                "truncated record at offset {off}: needs {incl_len} bytes"
            ));
        }
        frame += 1;
        let data = &bytes[off..off + incl_len];
        off += incl_len;
        if let Some((ip_version, src_port, dst_port, payload)) = parse_frame(linktype, data) {
            out.push(Datagram {
                frame,
                ip_version,
                src_port,
                dst_port,
                payload: payload.to_vec(),
            });
        }
    }
    Ok(out)
}

fn be16(b: &[u8], off: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(off)?, *b.get(off + 1)?]))
}

/// Link layer -> (ip version, src port, dst port, udp payload).
fn parse_frame(linktype: u32, data: &[u8]) -> Option<(u8, u16, u16, &[u8])> {
    let (mut ethertype, mut off) = match linktype {
        LINKTYPE_ETHERNET => (be16(data, 12)?, 14),
        // SLL: packet type(2) arphrd(2) addr len(2) addr(8) protocol(2)
        LINKTYPE_LINUX_SLL => (be16(data, 14)?, 16),
        _ => return None,
    };
    while matches!(
        ethertype,
        ETHERTYPE_VLAN | ETHERTYPE_QINQ | ETHERTYPE_QINQ_OLD
    ) {
        // tag control info (2) then the next ethertype (2)
        ethertype = be16(data, off + 2)?;
        off += 4;
    }
    let l3 = data.get(off..)?;
    match ethertype {
        ETHERTYPE_IPV4 => parse_ipv4(l3),
        ETHERTYPE_IPV6 => parse_ipv6(l3),
        _ => None,
    }
}

fn parse_ipv4(p: &[u8]) -> Option<(u8, u16, u16, &[u8])> {
    let first = *p.first()?;
    if first >> 4 != 4 {
        return None;
    }
    let ihl = usize::from(first & 0x0f) * 4;
    if ihl < 20 || p.len() < ihl {
        return None;
    }
    let total_len = usize::from(be16(p, 2)?);
    let flags_frag = be16(p, 6)?;
    // skip fragments (MF set or non-zero offset): no reassembly here
    if flags_frag & 0x3fff != 0 {
        return None;
    }
    if p[9] != IPPROTO_UDP {
        return None;
    }
    // Ethernet padding may follow the IP packet; trust the total length.
    let end = total_len.min(p.len());
    if end < ihl {
        return None;
    }
    parse_udp(&p[ihl..end]).map(|(s, d, pl)| (4, s, d, pl))
}

fn parse_ipv6(p: &[u8]) -> Option<(u8, u16, u16, &[u8])> {
    if p.len() < 40 || p[0] >> 4 != 6 {
        return None;
    }
    let payload_len = usize::from(be16(p, 4)?);
    let mut next = p[6];
    let end = (40 + payload_len).min(p.len());
    let mut off = 40;
    loop {
        match next {
            // hop-by-hop, routing, destination options: (next, len in 8-octet units - 1)
            0 | 43 | 60 => {
                next = *p.get(off)?;
                off += (usize::from(*p.get(off + 1)?) + 1) * 8;
            }
            // fragment header: no reassembly
            44 => return None,
            17 => break,
            _ => return None,
        }
        if off > end {
            return None;
        }
    }
    parse_udp(&p[off..end]).map(|(s, d, pl)| (6, s, d, pl))
}

fn parse_udp(u: &[u8]) -> Option<(u16, u16, &[u8])> {
    let src = be16(u, 0)?;
    let dst = be16(u, 2)?;
    let len = usize::from(be16(u, 4)?);
    if len < 8 || len > u.len() {
        return None;
    }
    Some((src, dst, &u[8..len]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn udp4_frame(vlan: bool, ip_options: usize) -> Vec<u8> {
        let mut f = vec![0xff; 6];
        f.extend([2, 0, 0, 0, 0, 1]);
        if vlan {
            f.extend([0x81, 0x00, 0x00, 0x07]);
        }
        f.extend([0x08, 0x00]);
        let ihl = 20 + ip_options;
        let payload = [1u8, 2, 3];
        let total = ihl + 8 + payload.len();
        f.push(0x40 | (ihl / 4) as u8);
        f.push(0);
        f.extend((total as u16).to_be_bytes());
        f.extend([0, 0, 0, 0, 64, 17, 0, 0]);
        f.extend([0, 0, 0, 0, 255, 255, 255, 255]);
        f.extend(vec![1u8; ip_options]); // NOPs
        f.extend(68u16.to_be_bytes());
        f.extend(67u16.to_be_bytes());
        f.extend(((8 + payload.len()) as u16).to_be_bytes());
        f.extend([0, 0]);
        f.extend(payload);
        f.extend([0; 5]); // ethernet padding
        f
    }

    fn pcap(big_endian: bool, frames: &[Vec<u8>]) -> Vec<u8> {
        let w32 = |v: u32| {
            if big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        };
        let w16 = |v: u16| {
            if big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        };
        let mut b = Vec::new();
        b.extend(w32(0xa1b2c3d4));
        b.extend(w16(2));
        b.extend(w16(4));
        b.extend(w32(0));
        b.extend(w32(0));
        b.extend(w32(65535));
        b.extend(w32(1));
        for f in frames {
            b.extend(w32(0));
            b.extend(w32(0));
            b.extend(w32(f.len() as u32));
            b.extend(w32(f.len() as u32));
            b.extend(f);
        }
        b
    }

    #[test]
    fn both_byte_orders_vlan_and_ip_options() {
        for be in [false, true] {
            let file = pcap(be, &[udp4_frame(false, 0), udp4_frame(true, 8)]);
            let d = parse_pcap(&file).unwrap();
            assert_eq!(d.len(), 2);
            for (i, g) in d.iter().enumerate() {
                assert_eq!(g.frame, i + 1);
                assert_eq!((g.ip_version, g.src_port, g.dst_port), (4, 68, 67));
                assert_eq!(g.payload, [1, 2, 3]);
            }
        }
    }

    #[test]
    fn linux_cooked_capture() {
        // Replace the 14-byte Ethernet header by a 16-byte SLL header.
        let eth = udp4_frame(false, 0);
        let mut sll = vec![0, 4, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00];
        sll.extend(&eth[14..]);
        let mut file = pcap(false, &[sll]);
        file[20] = 113;
        let d = parse_pcap(&file).unwrap();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].payload, [1, 2, 3]);
    }

    #[test]
    fn rejects_pcapng_and_garbage() {
        assert!(parse_pcap(&[0x0a, 0x0d, 0x0d, 0x0a]).is_err());
        assert!(parse_pcap(&[0u8; 24]).is_err());
    }
}
