//! The raw backend's socket filter, attached to a packet socket in a lab:
//! serving DHCPv4 it passes IPv4 UDP to port 67 and nothing else (ARP,
//! ICMP, IPv6 neighbour discovery, other ports, our own outgoing frames);
//! serving DHCPv6, IPv6 UDP to port 547 and not DHCPv4. Needs root.

use std::net::{Ipv4Addr, UdpSocket};
use std::time::{Duration, Instant};

use xdhcp_dataplane::events::Family;
use xdhcp_dataplane::frame::{Frame, IpAddrs};
use xdhcp_dataplane::io::raw::RawSocket;
use xdhcp_testlab::{enter, Lab};

#[test]
fn the_filter_passes_only_udp_to_port_67() {
    let lab = Lab::new("bf");
    enter(&lab.server);
    let mut socket = RawSocket::open(&lab.iface, &[Family::V4]).unwrap();

    // From the client: ARP and ICMP (ping), UDP to another port, then one
    // datagram to port 67.
    let ping = lab
        .client_command(&["ping", "-c", "1", "-W", "1", "198.51.100.1"])
        .output()
        .unwrap();
    assert!(ping.status.success(), "{ping:?}");
    lab.in_client(|| {
        let s = UdpSocket::bind("198.51.100.2:6800").unwrap();
        s.send_to(b"not dhcp", "198.51.100.1:9999").unwrap();
        s.send_to(b"to the server port", "198.51.100.1:67").unwrap();
    })
    .join()
    .unwrap();

    // Everything that passes is echoed back out unchanged (an outgoing
    // frame to port 67): the filter must not let our own frame back in.
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(1);
    while Instant::now() < deadline {
        let n = socket.process(|rx, tx| {
            seen.push(rx.to_vec());
            tx[..rx.len()].copy_from_slice(rx);
            Some(rx.len())
        });
        if n == 0 {
            socket.wait(50);
        }
    }
    assert_eq!(seen.len(), 1, "frames passed: {seen:02x?}");
    let frame = Frame::parse(&seen[0]).unwrap();
    assert_eq!(frame.payload, b"to the server port");
    assert_eq!(frame.addressing.dst_port, 67);
    assert_eq!(
        frame.addressing.ip,
        IpAddrs::V4 {
            src: Ipv4Addr::new(198, 51, 100, 2),
            dst: Ipv4Addr::new(198, 51, 100, 1)
        }
    );
}

#[test]
fn a_segmentation_offload_frame_is_answered_datagram_by_datagram() {
    let lab = Lab::new("bg");
    enter(&lab.server);
    let mut socket = RawSocket::open(&lab.iface, &[Family::V4]).unwrap();
    // The client's kernel keeps three 100-byte datagrams in one frame over
    // the veth (UDP_SEGMENT), as a local relay or load generator may.
    lab.in_client(|| {
        let s = UdpSocket::bind("198.51.100.2:6801").unwrap();
        let size: i32 = 100;
        // SAFETY: an int option of the right size (SOL_UDP, UDP_SEGMENT).
        let rc = unsafe {
            libc::setsockopt(
                std::os::fd::AsRawFd::as_raw_fd(&s),
                libc::SOL_UDP,
                103,
                (&size as *const i32).cast(),
                4,
            )
        };
        assert_eq!(rc, 0, "UDP_SEGMENT");
        let mut data = [0u8; 300];
        for (i, b) in data.iter_mut().enumerate() {
            *b = (i / 100) as u8;
        }
        s.send_to(&data, "198.51.100.1:67").unwrap();
    })
    .join()
    .unwrap();
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(1);
    while Instant::now() < deadline && seen.len() < 3 {
        if socket.process(|rx, _| {
            seen.push(Frame::parse(rx).unwrap().payload.to_vec());
            None
        }) == 0
        {
            socket.wait(50);
        }
    }
    assert_eq!(seen, vec![vec![0u8; 100], vec![1u8; 100], vec![2u8; 100]]);
}

#[test]
fn a_dhcpv6_filter_passes_only_udp_to_port_547() {
    let lab = Lab::new("bf6");
    enter(&lab.server);
    let mut socket = RawSocket::open(&lab.iface, &[Family::V6]).unwrap();
    // DHCPv4 to port 67 and IPv6 UDP to another port stay out; one
    // datagram to the server's port 547 comes in.
    lab.in_client(|| {
        let s = UdpSocket::bind("198.51.100.2:6802").unwrap();
        s.send_to(b"dhcpv4", "198.51.100.1:67").unwrap();
        let s = UdpSocket::bind("[2001:db8:7::2]:6803").unwrap();
        s.send_to(b"not dhcp", "[2001:db8:7::1]:9999").unwrap();
        s.send_to(b"to port 547", "[2001:db8:7::1]:547").unwrap();
    })
    .join()
    .unwrap();
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(1);
    while Instant::now() < deadline {
        if socket.process(|rx, _| {
            seen.push(rx.to_vec());
            None
        }) == 0
        {
            socket.wait(50);
        }
    }
    assert_eq!(seen.len(), 1, "frames passed: {seen:02x?}");
    let frame = Frame::parse(&seen[0]).unwrap();
    assert_eq!(frame.payload, b"to port 547");
    assert_eq!(frame.addressing.dst_port, 547);
}
