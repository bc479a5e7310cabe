//! A worker's per-message step. Layer-2 backends (AF_XDP, AF_PACKET) call
//! [`answer_v4`]: unwrap the request frame, let the engine answer, wrap the
//! reply frame addressed as the engine decided. The UDP backend calls
//! [`answer_v4_datagram`]: the kernel did the framing, so only the
//! destination is mapped. The backend owns the rings and the loop.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddrV4, SocketAddrV6};

use crate::engine::v4::{Destination, Engine4, Outcome, Request4};
use crate::engine::v6::{self, Engine6, Request6};
use crate::frame::{write_headers, Addressing, Frame, IpAddrs};
use crate::wire::v4::{Packet4, CLIENT_PORT, SERVER_PORT};
use crate::wire::v6::Packet6;

/// DHCPv6 client port (RFC 8415 §7.2).
pub const CLIENT_PORT_V6: u16 = 546;
/// DHCPv6 server and relay port.
pub const SERVER_PORT_V6: u16 = 547;

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

/// The interface a DHCPv6 worker serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link6 {
    /// Interface name (for subnets bound by `interface`).
    pub name: String,
    /// Its MAC address: the source of every reply frame.
    pub mac: [u8; 6],
    /// Its link-local address: the source of replies to multicast requests.
    pub addr: Ipv6Addr,
    /// The global address the server also listens on there
    /// (`"eth0/2001:db8::1"`): offered to clients in OPTION_UNICAST, and
    /// without it clients' unicast requests are refused (UseMulticast).
    pub unicast: Option<Ipv6Addr>,
}

const BROADCAST_MAC: [u8; 6] = [0xff; 6];

/// The step both families share: unwrap a frame sent to `server_port`,
/// let `decide` write the DHCP reply right after where the reply's headers
/// go and say where it is addressed, then write those headers.
fn answer_frame(
    request: &[u8],
    reply: &mut [u8],
    server_port: u16,
    decide: impl FnOnce(&Frame<'_>, &mut [u8]) -> Option<(usize, Addressing)>,
) -> Option<usize> {
    let frame = Frame::parse(request).ok()?;
    if frame.addressing.dst_port != server_port {
        return None;
    }
    // The reply keeps the request's VLAN tags and IP version, so its headers
    // are as long as the request's: the engine writes right after them.
    let offset = frame.addressing.header_len();
    let (len, to) = decide(&frame, reply.get_mut(offset..)?)?;
    write_headers(reply, &to, len).ok()
}

/// Answers one received frame with the v4 engine. Returns the length of
/// the reply frame written into `reply`, or `None` when nothing is sent.
pub fn answer_v4(
    engine: &Engine4<'_>,
    link: &Link,
    request: &[u8],
    reply: &mut [u8],
    now: u32,
) -> Option<usize> {
    answer_frame(request, reply, SERVER_PORT, |frame, out| {
        let IpAddrs::V4 { src, dst } = frame.addressing.ip else {
            return None;
        };
        let to_broadcast = dst == Ipv4Addr::BROADCAST || frame.addressing.eth_dst == BROADCAST_MAC;
        let (packet, len, to) = answer(
            engine,
            link,
            frame.payload,
            Some(src),
            to_broadcast,
            out,
            now,
        )?;
        Some((len, addressing(&frame.addressing, &packet, link, to)))
    })
}

/// Answers one received frame with the v6 engine: the reply goes from the
/// link's address (or the unicast address the request was sent to) to the
/// request's source (the client's link-local address
/// at its MAC, port 546, or the relay, port 547). Returns the length of the
/// reply frame written into `reply`, or `None` when nothing is sent.
pub fn answer_v6(
    engine: &Engine6<'_>,
    link: &Link6,
    request: &[u8],
    reply: &mut [u8],
    now: u32,
) -> Option<usize> {
    answer_frame(request, reply, SERVER_PORT_V6, |frame, out| {
        let IpAddrs::V6 { src, dst } = frame.addressing.ip else {
            return None;
        };
        let seen = Seen6 {
            src,
            dst,
            src_mac: Some(frame.addressing.eth_src),
        };
        let (len, to) = answer6(engine, link, frame.payload, seen, out, now)?;
        let to = Addressing {
            eth_dst: frame.addressing.eth_src,
            eth_src: link.mac,
            ip: IpAddrs::V6 {
                src: reply_source6(link, dst),
                dst: src,
            },
            src_port: SERVER_PORT_V6,
            dst_port: port6(to),
            ..frame.addressing
        };
        Some((len, to))
    })
}

/// Answers one DHCPv6 datagram from `src` sent to `dst` (UDP backend).
/// Returns the length of the reply written into `reply`, where it goes
/// and the local address it leaves from.
pub fn answer_v6_datagram(
    engine: &Engine6<'_>,
    link: &Link6,
    request: &[u8],
    (src, dst): (SocketAddrV6, Ipv6Addr),
    reply: &mut [u8],
    now: u32,
) -> Option<(usize, SocketAddrV6, Ipv6Addr)> {
    let seen = Seen6 {
        src: *src.ip(),
        dst,
        src_mac: None,
    };
    let (len, to) = answer6(engine, link, request, seen, reply, now)?;
    let to = SocketAddrV6::new(*src.ip(), port6(to), 0, src.scope_id());
    Some((len, to, reply_source6(link, dst)))
}

/// The UDP port a DHCPv6 reply goes to (RFC 8415 §7.2).
fn port6(to: v6::Destination) -> u16 {
    match to {
        v6::Destination::Client => CLIENT_PORT_V6,
        v6::Destination::Relay => SERVER_PORT_V6,
    }
}

/// What a backend saw of a DHCPv6 request's arrival.
struct Seen6 {
    src: Ipv6Addr,
    dst: Ipv6Addr,
    src_mac: Option<[u8; 6]>,
}

/// A request sent to one of our unicast addresses (a relay's, usually to
/// a global one) is answered from that address; one sent to the group,
/// from the link-local address.
fn reply_source6(link: &Link6, dst: Ipv6Addr) -> Ipv6Addr {
    if dst.is_multicast() {
        link.addr
    } else {
        dst
    }
}

/// The step both DHCPv6 backends share: decode, let the engine write the
/// reply into `out`, and say how long it is and where it goes.
fn answer6(
    engine: &Engine6<'_>,
    link: &Link6,
    message: &[u8],
    seen: Seen6,
    out: &mut [u8],
    now: u32,
) -> Option<(usize, v6::Destination)> {
    let packet = match Packet6::parse(message) {
        Ok(p) => p,
        Err(_) => {
            if let Some(stats) = engine.stats {
                stats.packets.parse_failed();
            }
            return None;
        }
    };
    let req = Request6 {
        packet,
        interface: Some(&link.name),
        src: seen.src,
        dst: seen.dst,
        src_mac: seen.src_mac,
        unicast: link.unicast,
    };
    match engine.handle(&req, out, now) {
        v6::Outcome::Reply { len, to, .. } => Some((len, to)),
        v6::Outcome::Silent(_) => None,
    }
}

/// Answers one received UDP datagram (the DHCP message alone) that was
/// sent to `dst`. Returns the length of the reply written into `reply` and
/// the address to send it to, or `None` when nothing is sent.
pub fn answer_v4_datagram(
    engine: &Engine4<'_>,
    link: &Link,
    request: &[u8],
    dst: Ipv4Addr,
    reply: &mut [u8],
    now: u32,
) -> Option<(usize, SocketAddrV4)> {
    let to_broadcast = dst == Ipv4Addr::BROADCAST;
    let (_, len, to) = answer(engine, link, request, None, to_broadcast, reply, now)?;
    Some((len, udp_destination(to)))
}

/// Where a reply goes from a UDP socket. A socket cannot address a client
/// that has no address yet (the kernel would ARP for it), so offers and
/// acks "at chaddr" are broadcast, as Kea's udp mode does.
pub fn udp_destination(to: Destination) -> SocketAddrV4 {
    match to {
        Destination::Relay(giaddr) => SocketAddrV4::new(giaddr, SERVER_PORT),
        Destination::Unicast(ciaddr) => SocketAddrV4::new(ciaddr, CLIENT_PORT),
        Destination::Broadcast | Destination::Hardware(_) => {
            SocketAddrV4::new(Ipv4Addr::BROADCAST, CLIENT_PORT)
        }
    }
}

/// The step both backends share: decode the DHCP message, let the engine
/// write the reply into `out`, and say how long it is and where it goes.
/// `src` is the IP source when the backend knows it; otherwise the relay
/// or the client's own address stands in for it.
fn answer<'a>(
    engine: &Engine4<'_>,
    link: &Link,
    message: &'a [u8],
    src: Option<Ipv4Addr>,
    to_broadcast: bool,
    out: &mut [u8],
    now: u32,
) -> Option<(Packet4<'a>, usize, Destination)> {
    let packet = match Packet4::parse(message) {
        Ok(p) => p,
        Err(_) => {
            if let Some(stats) = engine.stats {
                stats.packets.parse_failed();
            }
            return None;
        }
    };
    let src = src.unwrap_or(if packet.giaddr().is_unspecified() {
        packet.ciaddr()
    } else {
        packet.giaddr()
    });
    let req = Request4 {
        packet,
        interface: Some(&link.name),
        local_addr: link.addr,
        src,
        to_broadcast,
    };
    match engine.handle(&req, out, now) {
        Outcome::Reply { len, to, .. } => Some((packet, len, to)),
        Outcome::Silent(_) => None,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn udp_destinations_follow_rfc_2131_without_arp() {
        let a = Ipv4Addr::new(198, 51, 100, 7);
        let bcast = SocketAddrV4::new(Ipv4Addr::BROADCAST, CLIENT_PORT);
        assert_eq!(
            udp_destination(Destination::Relay(a)),
            SocketAddrV4::new(a, SERVER_PORT)
        );
        assert_eq!(
            udp_destination(Destination::Unicast(a)),
            SocketAddrV4::new(a, CLIENT_PORT)
        );
        assert_eq!(udp_destination(Destination::Broadcast), bcast);
        assert_eq!(udp_destination(Destination::Hardware(a)), bcast);
    }
}
