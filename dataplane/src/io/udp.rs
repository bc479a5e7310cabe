//! The UDP backend (Kea's `udp` socket type): a datagram socket on port 67
//! tied to one interface. The kernel does the framing and ARP, so replies
//! to clients without an address are broadcast
//! ([`crate::worker::udp_destination`]). `IP_PKTINFO` tells whether a
//! request was broadcast, which the engine needs for INIT-REBOOT and
//! renewals. Batched with `recvmmsg`/`sendmmsg` into buffers allocated at
//! open.

use std::io;
use std::net::{Ipv4Addr, SocketAddrV4, UdpSocket as StdUdpSocket};
use std::os::fd::{AsRawFd, FromRawFd, RawFd};

use super::batch::{self, Slots, MAX_BATCH};
use super::raw::{check, set_buffer};
use crate::wire::v4::SERVER_PORT;

/// Most bytes of a received or sent DHCP message.
pub const MESSAGE_SIZE: usize = 1500;
/// Room for one `IP_PKTINFO` control message (CMSG_SPACE(12) is 32).
const CONTROL_WORDS: usize = 8;

/// A UDP socket bound to port 67 on one interface.
pub struct UdpSocket {
    socket: StdUdpSocket,
    rx: Slots,
    tx: Slots,
    /// Control buffers of received messages (u64 for cmsghdr alignment).
    control: Box<[[u64; CONTROL_WORDS]; MAX_BATCH]>,
}

impl UdpSocket {
    /// Opens the socket on `interface`.
    pub fn open(interface: &str) -> io::Result<UdpSocket> {
        let socket = bind_port(interface, 4 << 20)?;
        set_int(socket.as_raw_fd(), libc::SOL_SOCKET, libc::SO_BROADCAST, 1)?;
        set_int(socket.as_raw_fd(), libc::IPPROTO_IP, libc::IP_PKTINFO, 1)?;
        Ok(UdpSocket {
            socket,
            rx: Slots::new(MESSAGE_SIZE),
            tx: Slots::new(MESSAGE_SIZE),
            control: Box::new([[0; CONTROL_WORDS]; MAX_BATCH]),
        })
    }

    /// Receives one batch of up to `MAX_BATCH` datagrams, hands each to
    /// `handler` with the address it was sent to and a buffer for the
    /// reply, and sends the replies where the handler says. Returns how
    /// many datagrams were received.
    pub fn process(
        &mut self,
        mut handler: impl FnMut(&[u8], Ipv4Addr, &mut [u8]) -> Option<(usize, SocketAddrV4)>,
    ) -> usize {
        let fd = self.socket.as_raw_fd();
        let mut iov = self.rx.iovecs(|_| MESSAGE_SIZE).map(|v| [v]);
        let mut msgs = batch::headers(&mut iov);
        for (m, c) in msgs.iter_mut().zip(self.control.iter_mut()) {
            m.msg_hdr.msg_control = c.as_mut_ptr().cast();
            m.msg_hdr.msg_controllen = std::mem::size_of_val(c) as _;
        }
        let received = batch::receive(fd, &mut msgs);
        let mut lens = [0usize; MAX_BATCH];
        // SAFETY: sockaddr_in is plain data; all-zero is valid.
        let mut names: [libc::sockaddr_in; MAX_BATCH] = unsafe { std::mem::zeroed() };
        let mut n = 0;
        for (i, m) in msgs[..received].iter().enumerate() {
            if m.msg_hdr.msg_flags & libc::MSG_TRUNC != 0 {
                continue;
            }
            let dst = destination(&m.msg_hdr).unwrap_or(Ipv4Addr::BROADCAST);
            let request = self.rx.get(i, m.msg_len as usize);
            if let Some((len, to)) = handler(request, dst, self.tx.get_mut(n)) {
                lens[n] = len;
                names[n] = sockaddr(to);
                n += 1;
            }
        }
        if n > 0 {
            let mut iov = self.tx.iovecs(|i| lens[i]).map(|v| [v]);
            let mut msgs = batch::headers(&mut iov);
            for (m, name) in msgs[..n].iter_mut().zip(names.iter_mut()) {
                m.msg_hdr.msg_name = (name as *mut libc::sockaddr_in).cast();
                m.msg_hdr.msg_namelen = std::mem::size_of::<libc::sockaddr_in>() as u32;
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

/// The destination address of a received datagram, from `IP_PKTINFO`.
fn destination(hdr: &libc::msghdr) -> Option<Ipv4Addr> {
    // SAFETY: the kernel filled the control buffer `hdr` points at and set
    // its length; the CMSG macros stay within it.
    unsafe {
        let mut c = libc::CMSG_FIRSTHDR(hdr);
        while let Some(cmsg) = c.as_ref() {
            if cmsg.cmsg_level == libc::IPPROTO_IP && cmsg.cmsg_type == libc::IP_PKTINFO {
                let info = libc::CMSG_DATA(cmsg)
                    .cast::<libc::in_pktinfo>()
                    .read_unaligned();
                return Some(Ipv4Addr::from(u32::from_be(info.ipi_addr.s_addr)));
            }
            c = libc::CMSG_NXTHDR(hdr, c);
        }
    }
    None
}

fn sockaddr(to: SocketAddrV4) -> libc::sockaddr_in {
    libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: to.port().to_be(),
        sin_addr: libc::in_addr {
            s_addr: u32::from(*to.ip()).to_be(),
        },
        sin_zero: [0; 8],
    }
}

/// A non-blocking UDP socket on 0.0.0.0:67 that only sees `interface`
/// (SO_BINDTODEVICE), with a receive buffer of about `rcvbuf` bytes.
pub(crate) fn bind_port(interface: &str, rcvbuf: i32) -> io::Result<StdUdpSocket> {
    // SAFETY: plain socket creation; the fd is owned right after.
    let fd = unsafe {
        libc::socket(
            libc::AF_INET,
            libc::SOCK_DGRAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            0,
        )
    };
    check(fd, "creating the UDP socket")?;
    // SAFETY: a fresh descriptor nobody else owns.
    let socket = unsafe { StdUdpSocket::from_raw_fd(fd) };
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
    let addr = sockaddr(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, SERVER_PORT));
    // SAFETY: a valid sockaddr_in of the given size.
    let rc = unsafe {
        libc::bind(
            fd,
            (&addr as *const libc::sockaddr_in).cast(),
            std::mem::size_of::<libc::sockaddr_in>() as u32,
        )
    };
    check(rc, "binding UDP port 67")?;
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
