//! The UDP backend (Kea's `udp` socket type): a datagram socket on the
//! server port of one family (67, or 547 joined to ff02::1:2) tied to one
//! interface. The kernel does the framing and neighbour resolution, so
//! DHCPv4 replies to clients without an address are broadcast
//! ([`crate::worker::udp_destination`]). `IP_PKTINFO`/`IPV6_PKTINFO` say
//! where a request was sent (broadcast or multicast, or which of our
//! addresses), and a DHCPv6 reply to a unicast request leaves from the
//! address it was sent to. Batched with `recvmmsg`/`sendmmsg` into buffers
//! allocated at open.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::{AsRawFd, FromRawFd, RawFd};

use super::batch::{self, Slots, MAX_BATCH};
use super::raw::{check, ifindex, set_buffer};
use crate::engine::v6::ALL_DHCP_SERVERS;
use crate::events::Family;
use crate::wire::v4::SERVER_PORT;
use crate::worker::SERVER_PORT_V6;

/// Most bytes of a received or sent DHCP message.
pub const MESSAGE_SIZE: usize = 1500;
/// Room for one packet-info control message (CMSG_SPACE of in6_pktinfo
/// is 40 bytes), in u64s for cmsghdr alignment.
const CONTROL_WORDS: usize = 8;

/// How a datagram arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Received {
    /// Its source: the client, or a relay.
    pub src: SocketAddr,
    /// The address it was sent to (broadcast, multicast or one of ours).
    pub dst: IpAddr,
}

/// Where a reply goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reply {
    /// Its destination.
    pub to: SocketAddr,
    /// The local address it leaves from; `None` lets the kernel choose.
    pub from: Option<IpAddr>,
}

/// A UDP socket bound to the server port of one family on one interface.
pub struct UdpSocket {
    socket: std::net::UdpSocket,
    family: Family,
    rx: Slots,
    tx: Slots,
    /// Control buffers of received and of sent messages.
    control: Box<[[[u64; CONTROL_WORDS]; MAX_BATCH]; 2]>,
}

impl UdpSocket {
    /// Opens the `family`'s server socket on `interface`.
    pub fn open(interface: &str, family: Family) -> io::Result<UdpSocket> {
        let socket = bind_port(interface, family, 4 << 20)?;
        let fd = socket.as_raw_fd();
        match family {
            Family::V4 => {
                set_int(fd, libc::SOL_SOCKET, libc::SO_BROADCAST, 1)?;
                set_int(fd, libc::IPPROTO_IP, libc::IP_PKTINFO, 1)?;
            }
            Family::V6 => set_int(fd, libc::IPPROTO_IPV6, libc::IPV6_RECVPKTINFO, 1)?,
        }
        Ok(UdpSocket {
            socket,
            family,
            rx: Slots::new(MESSAGE_SIZE),
            tx: Slots::new(MESSAGE_SIZE),
            control: Box::new([[[0; CONTROL_WORDS]; MAX_BATCH]; 2]),
        })
    }

    /// The family this socket serves.
    pub fn family(&self) -> Family {
        self.family
    }

    /// Receives one batch of up to `MAX_BATCH` datagrams, hands each to
    /// `handler` with how it arrived and a buffer for the reply, and sends
    /// the replies where the handler says. Returns how many datagrams were
    /// received.
    pub fn process(
        &mut self,
        mut handler: impl FnMut(&[u8], Received, &mut [u8]) -> Option<(usize, Reply)>,
    ) -> usize {
        let fd = self.socket.as_raw_fd();
        let [rx_control, tx_control] = &mut *self.control;
        // SAFETY: sockaddr_storage is plain data; all-zero is valid.
        let mut sources: [libc::sockaddr_storage; MAX_BATCH] = unsafe { std::mem::zeroed() };
        let mut iov = self.rx.iovecs(|_| MESSAGE_SIZE).map(|v| [v]);
        let mut msgs = batch::headers(&mut iov);
        for ((m, c), name) in msgs.iter_mut().zip(rx_control.iter_mut()).zip(&mut sources) {
            m.msg_hdr.msg_name = (name as *mut libc::sockaddr_storage).cast();
            m.msg_hdr.msg_namelen = std::mem::size_of::<libc::sockaddr_storage>() as u32;
            m.msg_hdr.msg_control = c.as_mut_ptr().cast();
            m.msg_hdr.msg_controllen = std::mem::size_of_val(c) as _;
        }
        let received = batch::receive(fd, &mut msgs);
        let mut lens = [0usize; MAX_BATCH];
        let mut replies = [None; MAX_BATCH];
        let mut n = 0;
        for (i, m) in msgs[..received].iter().enumerate() {
            if m.msg_hdr.msg_flags & libc::MSG_TRUNC != 0 {
                continue;
            }
            let Some(src) = socket_addr(&sources[i]) else {
                continue;
            };
            let dst = destination(&m.msg_hdr).unwrap_or(match self.family {
                Family::V4 => IpAddr::V4(Ipv4Addr::BROADCAST),
                Family::V6 => IpAddr::V6(ALL_DHCP_SERVERS),
            });
            let request = self.rx.get(i, m.msg_len as usize);
            if let Some((len, reply)) = handler(request, Received { src, dst }, self.tx.get_mut(n))
            {
                lens[n] = len;
                replies[n] = Some(reply);
                n += 1;
            }
        }
        if n > 0 {
            // SAFETY: as above.
            let mut names: [libc::sockaddr_storage; MAX_BATCH] = unsafe { std::mem::zeroed() };
            let mut iov = self.tx.iovecs(|i| lens[i]).map(|v| [v]);
            let mut msgs = batch::headers(&mut iov);
            for (i, m) in msgs[..n].iter_mut().enumerate() {
                let Some(reply) = replies[i] else { continue };
                m.msg_hdr.msg_namelen = sockaddr(reply.to, &mut names[i]);
                m.msg_hdr.msg_name = (&mut names[i] as *mut libc::sockaddr_storage).cast();
                if let Some(IpAddr::V6(from)) = reply.from {
                    source_info(&mut m.msg_hdr, &mut tx_control[i], from);
                }
            }
            batch::send(fd, &mut msgs[..n]);
        }
        received
    }

    /// Sleeps until datagrams arrive or `timeout_ms` passes.
    pub fn wait(&self, timeout_ms: i32) {
        batch::wait(self.socket.as_raw_fd(), timeout_ms);
    }
}

impl AsRawFd for UdpSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.socket.as_raw_fd()
    }
}

/// The destination address of a received datagram, from its packet info.
fn destination(hdr: &libc::msghdr) -> Option<IpAddr> {
    // SAFETY: the kernel filled the control buffer `hdr` points at and set
    // its length; the CMSG macros stay within it.
    unsafe {
        let mut c = libc::CMSG_FIRSTHDR(hdr);
        while let Some(cmsg) = c.as_ref() {
            let data = libc::CMSG_DATA(cmsg);
            match (cmsg.cmsg_level, cmsg.cmsg_type) {
                (libc::IPPROTO_IP, libc::IP_PKTINFO) => {
                    let info = data.cast::<libc::in_pktinfo>().read_unaligned();
                    return Some(Ipv4Addr::from(u32::from_be(info.ipi_addr.s_addr)).into());
                }
                (libc::IPPROTO_IPV6, libc::IPV6_PKTINFO) => {
                    let info = data.cast::<libc::in6_pktinfo>().read_unaligned();
                    return Some(Ipv6Addr::from(info.ipi6_addr.s6_addr).into());
                }
                _ => {}
            }
            c = libc::CMSG_NXTHDR(hdr, c);
        }
    }
    None
}

/// Asks, through `control`, that the message of `hdr` leave from `from`.
fn source_info(hdr: &mut libc::msghdr, control: &mut [u64; CONTROL_WORDS], from: Ipv6Addr) {
    hdr.msg_control = control.as_mut_ptr().cast();
    // SAFETY: CMSG_SPACE of in6_pktinfo (40) fits the 64-byte buffer, and
    // the first header is written within it.
    unsafe {
        hdr.msg_controllen = libc::CMSG_SPACE(std::mem::size_of::<libc::in6_pktinfo>() as u32) as _;
        let cmsg = &mut *libc::CMSG_FIRSTHDR(hdr);
        cmsg.cmsg_level = libc::IPPROTO_IPV6;
        cmsg.cmsg_type = libc::IPV6_PKTINFO;
        cmsg.cmsg_len = libc::CMSG_LEN(std::mem::size_of::<libc::in6_pktinfo>() as u32) as _;
        let info = libc::in6_pktinfo {
            ipi6_addr: libc::in6_addr {
                s6_addr: from.octets(),
            },
            ipi6_ifindex: 0,
        };
        libc::CMSG_DATA(cmsg)
            .cast::<libc::in6_pktinfo>()
            .write_unaligned(info);
    }
}

/// Writes `addr` into `out`; returns its length.
fn sockaddr(addr: SocketAddr, out: &mut libc::sockaddr_storage) -> u32 {
    let p = (out as *mut libc::sockaddr_storage).cast::<u8>();
    match addr {
        SocketAddr::V4(a) => {
            let sin = libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: a.port().to_be(),
                sin_addr: libc::in_addr {
                    s_addr: u32::from(*a.ip()).to_be(),
                },
                sin_zero: [0; 8],
            };
            // SAFETY: sockaddr_storage is larger than sockaddr_in and aligned for it.
            unsafe { p.cast::<libc::sockaddr_in>().write(sin) };
            std::mem::size_of::<libc::sockaddr_in>() as u32
        }
        SocketAddr::V6(a) => {
            let sin6 = libc::sockaddr_in6 {
                sin6_family: libc::AF_INET6 as libc::sa_family_t,
                sin6_port: a.port().to_be(),
                sin6_flowinfo: 0,
                sin6_addr: libc::in6_addr {
                    s6_addr: a.ip().octets(),
                },
                sin6_scope_id: a.scope_id(),
            };
            // SAFETY: sockaddr_storage is larger than sockaddr_in6 and aligned for it.
            unsafe { p.cast::<libc::sockaddr_in6>().write(sin6) };
            std::mem::size_of::<libc::sockaddr_in6>() as u32
        }
    }
}

/// The address in `s`, as the kernel wrote it.
fn socket_addr(s: &libc::sockaddr_storage) -> Option<SocketAddr> {
    let p = (s as *const libc::sockaddr_storage).cast::<u8>();
    // SAFETY: the family says which sockaddr type the storage holds.
    unsafe {
        match i32::from(s.ss_family) {
            libc::AF_INET => {
                let sin = p.cast::<libc::sockaddr_in>().read();
                let ip = Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr));
                Some(SocketAddrV4::new(ip, u16::from_be(sin.sin_port)).into())
            }
            libc::AF_INET6 => {
                let sin6 = p.cast::<libc::sockaddr_in6>().read();
                let ip = Ipv6Addr::from(sin6.sin6_addr.s6_addr);
                let port = u16::from_be(sin6.sin6_port);
                Some(SocketAddrV6::new(ip, port, 0, sin6.sin6_scope_id).into())
            }
            _ => None,
        }
    }
}

/// A non-blocking UDP socket on the `family`'s server port (any address)
/// that only sees `interface` (SO_BINDTODEVICE), with a receive buffer of
/// about `rcvbuf` bytes. A DHCPv6 socket also joins ff02::1:2 there, which
/// makes the NIC accept the group's frames.
pub(crate) fn bind_port(
    interface: &str,
    family: Family,
    rcvbuf: i32,
) -> io::Result<std::net::UdpSocket> {
    let domain = match family {
        Family::V4 => libc::AF_INET,
        Family::V6 => libc::AF_INET6,
    };
    // SAFETY: plain socket creation; the fd is owned right after.
    let fd = unsafe {
        libc::socket(
            domain,
            libc::SOCK_DGRAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            0,
        )
    };
    check(fd, "creating the UDP socket")?;
    // SAFETY: a fresh descriptor nobody else owns.
    let socket = unsafe { std::net::UdpSocket::from_raw_fd(fd) };
    set_int(fd, libc::SOL_SOCKET, libc::SO_REUSEADDR, 1)?;
    // SAFETY: the name and its length, without NUL, as the option takes.
    let rc = unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_BINDTODEVICE,
            interface.as_ptr().cast(),
            interface.len() as u32,
        )
    };
    check(rc, "binding the UDP socket to its interface")?;
    set_buffer(fd, libc::SO_RCVBUFFORCE, rcvbuf);
    let local: SocketAddr = match family {
        Family::V4 => SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, SERVER_PORT).into(),
        Family::V6 => {
            set_int(fd, libc::IPPROTO_IPV6, libc::IPV6_V6ONLY, 1)?;
            SocketAddrV6::new(Ipv6Addr::UNSPECIFIED, SERVER_PORT_V6, 0, 0).into()
        }
    };
    // SAFETY: sockaddr_storage is plain data; all-zero is valid.
    let mut addr: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let len = sockaddr(local, &mut addr);
    // SAFETY: a valid socket address of the given length.
    let rc = unsafe { libc::bind(fd, (&addr as *const libc::sockaddr_storage).cast(), len) };
    check(rc, &format!("binding UDP port {}", local.port()))?;
    if family == Family::V6 {
        let group = libc::ipv6_mreq {
            ipv6mr_multiaddr: libc::in6_addr {
                s6_addr: ALL_DHCP_SERVERS.octets(),
            },
            ipv6mr_interface: ifindex(interface)? as u32,
        };
        // SAFETY: an ipv6_mreq of the right size.
        let rc = unsafe {
            libc::setsockopt(
                fd,
                libc::IPPROTO_IPV6,
                libc::IPV6_ADD_MEMBERSHIP,
                (&group as *const libc::ipv6_mreq).cast(),
                std::mem::size_of::<libc::ipv6_mreq>() as u32,
            )
        };
        check(rc, "joining ff02::1:2")?;
    }
    Ok(socket)
}

fn set_int(fd: RawFd, level: i32, option: i32, value: i32) -> io::Result<()> {
    // SAFETY: an int option of the right size.
    let rc = unsafe {
        libc::setsockopt(
            fd,
            level,
            option,
            (&value as *const i32).cast(),
            std::mem::size_of::<i32>() as u32,
        )
    };
    check(rc, "setting a socket option")
}
