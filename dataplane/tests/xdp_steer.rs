//! The kernel-bypass path on a real kernel: the steering program on a veth,
//! an AF_XDP socket on its queue, and a peer network namespace sending
//! DHCP-port datagrams (answered from the socket) and ordinary traffic
//! (answered by the kernel, untouched by XDP). Needs root, as CI has.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::process::Command;
use std::time::Duration;

use xdhcp_testlab::{enter, Lab};

use xdhcp_dataplane::frame::{write_udp, Frame};
use xdhcp_dataplane::io::xdp::{
    AttachMode, ModePolicy, Ports, SteeringProgram, XdpSocket, XskConfig,
};

/// Answers every steered datagram with "pong:" and its payload, on the
/// reversed path, the way a worker answers a request.
fn pong(request: &[u8], reply: &mut [u8]) -> Option<usize> {
    let frame = Frame::parse(request).ok()?;
    write_udp(reply, &frame.addressing.reversed(), |body| {
        let n = 5 + frame.payload.len();
        body[..5].copy_from_slice(b"pong:");
        body[5..n].copy_from_slice(frame.payload);
        Ok(n)
    })
    .ok()
}

#[test]
fn dhcp_ports_reach_the_socket_and_everything_else_the_kernel() {
    let lab = Lab::new("st");
    // This test's thread serves from inside the server namespace.
    enter(&lab.server);
    let mut program = SteeringProgram::attach(&lab.iface, Ports::SERVER, ModePolicy::Any).unwrap();
    assert_eq!(
        program.mode(),
        &AttachMode::Native,
        "veth supports native XDP"
    );
    let mut socket = XdpSocket::open(&lab.iface, 0, &XskConfig::default()).unwrap();
    program.register(0, &socket).unwrap();
    let tcp = TcpListener::bind("198.51.100.1:7070").unwrap();

    let peer = lab.in_client(|| {
        let ask = |local: &str, server: &str| {
            let s = UdpSocket::bind(local).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
            s.send_to(b"hello", server).unwrap();
            let mut buf = [0u8; 64];
            let (n, from) = s.recv_from(&mut buf).expect("a reply through AF_XDP");
            (buf[..n].to_vec(), from)
        };
        let v4 = ask("198.51.100.2:68", "198.51.100.1:67");
        let v6 = ask("[2001:db8:7::2]:546", "[2001:db8:7::1]:547");
        // Ordinary traffic on the same interface is the kernel's.
        let mut conn = TcpStream::connect("198.51.100.1:7070").expect("TCP to the host address");
        conn.write_all(b"tcp").unwrap();
        let ping = Command::new("ping")
            .args(["-c", "1", "-W", "2", "198.51.100.1"])
            .status();
        (v4, v6, ping.map(|s| s.success()).unwrap_or(false))
    });
    while !peer.is_finished() {
        if socket.process(pong) == 0 {
            socket.wait(5);
        }
    }
    let (v4, v6, ping_ok) = peer.join().unwrap();
    assert_eq!(
        v4,
        (
            b"pong:hello".to_vec(),
            "198.51.100.1:67".parse::<SocketAddr>().unwrap()
        )
    );
    assert_eq!(
        v6,
        (
            b"pong:hello".to_vec(),
            "[2001:db8:7::1]:547".parse::<SocketAddr>().unwrap()
        )
    );
    assert!(ping_ok, "ping passes the XDP program");
    let (mut conn, _) = tcp.accept().unwrap();
    let mut got = [0u8; 3];
    conn.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"tcp");

    let c = program.counters().unwrap();
    assert_eq!(c.redirected, 2, "{c:?}");
    assert!(c.passed >= 4, "ARP/ND, TCP and ICMP passed: {c:?}");
    assert_eq!(c.seen, c.redirected + c.passed, "{c:?}");
    assert_eq!((c.malformed, c.no_socket), (0, 0), "{c:?}");
}
