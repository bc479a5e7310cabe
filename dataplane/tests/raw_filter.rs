//! The raw backend's socket filter, attached to a packet socket in a lab:
//! it passes IPv4 UDP to port 67 and nothing else (ARP, ICMP, IPv6
//! neighbour discovery, other ports, our own outgoing frames). Needs root.

use std::net::{Ipv4Addr, UdpSocket};
use std::time::{Duration, Instant};

use xdhcp_dataplane::frame::{Frame, IpAddrs};
use xdhcp_dataplane::io::raw::RawSocket;
use xdhcp_testlab::{enter, Lab};

#[test]
fn the_filter_passes_only_udp_to_port_67() {
    let lab = Lab::new("bf");
    enter(&lab.server);
    let mut socket = RawSocket::open(&lab.iface).unwrap();

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
