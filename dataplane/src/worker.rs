//! A worker's per-frame step for layer-2 backends (AF_XDP, AF_PACKET):
//! unwrap the request frame, let the engine answer, wrap the reply frame
//! addressed as the engine decided. The backend owns the rings and the loop.

use std::net::Ipv4Addr;

use crate::engine::v4::{Destination, Engine4, Outcome, Request4};
use crate::frame::{write_headers, Addressing, Frame, IpAddrs};
use crate::wire::v4::{Packet4, CLIENT_PORT, SERVER_PORT};

/// The interface a worker serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Interface name (for subnets bound by `interface`).
    pub name: String,
    /// Its MAC address: the source of every reply frame.
    pub mac: [u8; 6],
    /// Its IPv4 address: server identifier and reply source.
    pub addr: Ipv4Addr,
}

const BROADCAST_MAC: [u8; 6] = [0xff; 6];

/// Answers one received frame with the v4 engine. Returns the length of
/// the reply frame written into `reply`, or `None` when nothing is sent.
pub fn answer_v4(
    engine: &Engine4<'_>,
    link: &Link,
    request: &[u8],
    reply: &mut [u8],
    now: u32,
) -> Option<usize> {
    let frame = Frame::parse(request).ok()?;
    let IpAddrs::V4 { dst, .. } = frame.addressing.ip else {
        return None;
    };
    if frame.addressing.dst_port != SERVER_PORT {
        return None;
    }
    let packet = Packet4::parse(frame.payload).ok()?;
    let req = Request4 {
        packet,
        interface: Some(&link.name),
        local_addr: link.addr,
        to_broadcast: dst == Ipv4Addr::BROADCAST || frame.addressing.eth_dst == BROADCAST_MAC,
    };
    // The reply keeps the request's VLAN tags and IP version, so its headers
    // are as long as the request's: the engine writes right after them.
    let offset = frame.addressing.header_len();
    let Outcome::Reply { len, to, .. } = engine.handle(&req, reply.get_mut(offset..)?, now) else {
        return None;
    };
    let to = addressing(&frame.addressing, &packet, link, to);
    write_headers(reply, &to, len).ok()
}

/// Layer 2-4 addressing of a reply (RFC 2131 §4.1).
fn addressing(
    request: &Addressing,
    packet: &Packet4<'_>,
    link: &Link,
    to: Destination,
) -> Addressing {
    let (eth_dst, ip_dst, port) = match to {
        Destination::Relay(giaddr) => (request.eth_src, giaddr, SERVER_PORT),
        Destination::Unicast(ciaddr) => (request.eth_src, ciaddr, CLIENT_PORT),
        Destination::Broadcast => (BROADCAST_MAC, Ipv4Addr::BROADCAST, CLIENT_PORT),
        Destination::Hardware(yiaddr) => {
            let mac = packet.chaddr().try_into().unwrap_or(BROADCAST_MAC);
            (mac, yiaddr, CLIENT_PORT)
        }
    };
    Addressing {
        eth_dst,
        eth_src: link.mac,
        ip: IpAddrs::V4 {
            src: link.addr,
            dst: ip_dst,
        },
        src_port: SERVER_PORT,
        dst_port: port,
        ..*request
    }
}
