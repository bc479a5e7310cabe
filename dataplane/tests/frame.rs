//! Layer 2-4 framing: what `write_udp` builds, `Frame::parse` reads back,
//! with VLAN tags and checksums right; anything else is an error, not a panic.

mod common;

use std::net::{Ipv4Addr, Ipv6Addr};

use common::rng::Rng;
use xdhcp_dataplane::frame::{write_udp, Addressing, Frame, IpAddrs};

/// Addressing with `vlans` tags: QinQ outer 100, inner 802.1Q with priority.
fn addressing(ip: IpAddrs, vlans: u8) -> Addressing {
    let mut tags = [(0x88a8, 100), (0x8100, 0x2005)];
    tags[usize::from(vlans)..].fill((0, 0));
    Addressing {
        eth_dst: [0xff; 6],
        eth_src: [2, 0, 0, 0, 0, 1],
        vlans: tags,
        vlan_count: vlans,
        ip,
        src_port: 67,
        dst_port: 68,
    }
}

fn v4() -> IpAddrs {
    IpAddrs::V4 {
        src: Ipv4Addr::new(198, 51, 100, 1),
        dst: Ipv4Addr::BROADCAST,
    }
}

fn v6() -> IpAddrs {
    IpAddrs::V6 {
        src: "fe80::1".parse().unwrap(),
        dst: "ff02::1:2".parse::<Ipv6Addr>().unwrap(),
    }
}

/// RFC 1071: summing a correct header (checksum included) gives all ones.
fn ones_sum(data: &[u8], mut acc: u32) -> u16 {
    for w in data.chunks(2) {
        acc += u32::from(u16::from_be_bytes([w[0], *w.get(1).unwrap_or(&0)]));
    }
    while acc > 0xffff {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    acc as u16
}

#[test]
fn written_frames_parse_back_with_valid_checksums() {
    for ip in [v4(), v6()] {
        for vlans in 0..=2u8 {
            let to = addressing(ip, vlans);
            let mut buf = [0u8; 600];
            let payload = b"odd-length payload";
            let n = write_udp(&mut buf, &to, |body| {
                body[..payload.len()].copy_from_slice(payload);
                Ok(payload.len())
            })
            .unwrap();
            let f = Frame::parse(&buf[..n]).unwrap();
            assert_eq!(f.addressing, to, "vlans {vlans}");
            assert_eq!(f.payload, payload);
            let l3 = 14 + 4 * usize::from(vlans);
            let (udp_at, pseudo) = match ip {
                IpAddrs::V4 { src, dst } => {
                    assert_eq!(
                        ones_sum(&buf[l3..l3 + 20], 0),
                        0xffff,
                        "IPv4 header checksum"
                    );
                    (l3 + 20, ones_sum(&[src.octets(), dst.octets()].concat(), 0))
                }
                IpAddrs::V6 { src, dst } => {
                    (l3 + 40, ones_sum(&[src.octets(), dst.octets()].concat(), 0))
                }
            };
            let udp = &buf[udp_at..n];
            let acc = u32::from(pseudo) + 17 + udp.len() as u32;
            assert_eq!(ones_sum(udp, acc), 0xffff, "UDP checksum, vlans {vlans}");
        }
    }
}

#[test]
fn reversed_swaps_both_ends_and_keeps_tags() {
    let a = addressing(v4(), 1);
    let r = a.reversed();
    assert_eq!((r.eth_src, r.eth_dst), (a.eth_dst, a.eth_src));
    assert_eq!((r.src_port, r.dst_port), (68, 67));
    assert_eq!(
        r.ip,
        IpAddrs::V4 {
            src: Ipv4Addr::BROADCAST,
            dst: Ipv4Addr::new(198, 51, 100, 1)
        }
    );
    assert_eq!((r.vlan_count, r.vlans), (1, a.vlans));
    assert_eq!(r.reversed(), a);
}

#[test]
fn a_reply_that_does_not_fit_is_refused() {
    let mut small = [0u8; 40];
    assert!(write_udp(&mut small, &addressing(v4(), 0), |_| Ok(0)).is_err());
}

#[test]
fn truncations_and_garbage_are_errors() {
    let mut buf = [0u8; 200];
    let n = write_udp(&mut buf, &addressing(v6(), 2), |body| {
        body[..10].fill(7);
        Ok(10)
    })
    .unwrap();
    for cut in 0..n {
        assert!(Frame::parse(&buf[..cut]).is_err(), "cut at {cut}");
    }
    let mut rng = Rng(7);
    let mut junk = [0u8; 128];
    for _ in 0..100_000 {
        junk.iter_mut().for_each(|b| *b = rng.next() as u8);
        // Steer the junk into the IP paths now and then.
        match rng.below(3) {
            0 => junk[12..14].copy_from_slice(&[0x08, 0x00]),
            1 => junk[12..14].copy_from_slice(&[0x86, 0xdd]),
            _ => {}
        }
        let _ = Frame::parse(&junk[..rng.below(128) as usize]);
    }
}
