//! The UDP engine's socket: a non-blocking datagram socket bound where a
//! relay (or a v6 client) sits, with batched `sendmmsg`/`recvmmsg` over
//! buffers allocated once.

use std::io;
use std::mem::{size_of, zeroed};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::os::fd::{AsRawFd, RawFd};
use std::time::Duration;

use super::io::{Sender, Staged, Transport};

/// Datagrams per `sendmmsg`/`recvmmsg` call.
pub const BATCH: usize = 64;
/// Largest datagram built or received.
pub const BUF_LEN: usize = 1536;
/// Socket buffer size asked for, so bursts at high rates are not dropped
/// by the local kernel.
const SOCKET_BUFFER: libc::c_int = 16 << 20;

/// Socket I/O split in a receive half and a send half, so a reply being read
/// can be answered into a send buffer without copying it.
pub struct UdpIo {
    /// Keeps the socket open; the halves use its descriptor.
    socket: UdpSocket,
    /// Receive half.
    pub rx: Rx,
    /// Send half.
    pub tx: Tx,
}

/// Batched receive buffers.
pub struct Rx {
    fd: RawFd,
    bufs: Box<[[u8; BUF_LEN]; BATCH]>,
    iov: Box<[libc::iovec; BATCH]>,
    hdr: Box<[libc::mmsghdr; BATCH]>,
    count: usize,
}

/// Batched send buffers, all to one destination.
pub struct Tx {
    fd: RawFd,
    staged: Staged,
    iov: Box<[libc::iovec; BATCH]>,
    hdr: Box<[libc::mmsghdr; BATCH]>,
    dest: Box<libc::sockaddr_storage>,
    dest_len: libc::socklen_t,
    /// Whether runs of equal-size datagrams go out as one UDP GSO send.
    gso: bool,
    /// Datagrams the kernel refused (counted as perfdhcp's "locallimit").
    refused: u64,
}

/// `SOL_UDP` and `UDP_SEGMENT` (linux/udp.h), missing from libc for glibc.
const SOL_UDP: libc::c_int = 17;
const UDP_SEGMENT: libc::c_int = 103;
/// Most segments one GSO send may carry (UDP_MAX_SEGMENTS is 64 on older
/// kernels).
const GSO_MAX_SEGMENTS: usize = 64;
/// Most payload bytes one GSO send may carry (one IP datagram's worth).
const GSO_MAX_BYTES: usize = 60_000;

impl UdpIo {
    /// Binds `local` and sends everything to `server`. For a link-scoped
    /// destination (v6 multicast) `ifindex` selects the interface.
    pub fn open(local: SocketAddr, server: SocketAddr, ifindex: u32) -> io::Result<Self> {
        let socket = UdpSocket::bind(local)?;
        socket.set_nonblocking(true)?;
        let fd = socket.as_raw_fd();
        for (opt, force) in [
            (libc::SO_RCVBUF, libc::SO_RCVBUFFORCE),
            (libc::SO_SNDBUF, libc::SO_SNDBUFFORCE),
        ] {
            // The FORCE variants pass the sysctl cap when running as root.
            if setsockopt(fd, libc::SOL_SOCKET, force, SOCKET_BUFFER).is_err() {
                let _ = setsockopt(fd, libc::SOL_SOCKET, opt, SOCKET_BUFFER);
            }
        }
        if let IpAddr::V6(a) = server.ip() {
            if a.is_multicast() {
                setsockopt(
                    fd,
                    libc::IPPROTO_IPV6,
                    libc::IPV6_MULTICAST_IF,
                    ifindex as i32,
                )?;
                setsockopt(fd, libc::IPPROTO_IPV6, libc::IPV6_MULTICAST_HOPS, 1)?;
            }
        }
        let (dest, dest_len) = sockaddr(server, ifindex);
        Ok(UdpIo {
            socket,
            rx: Rx::new(fd),
            tx: Tx::new(fd, Box::new(dest), dest_len),
        })
    }

    /// Allows broadcasting and sends out of interface `name` only.
    pub fn broadcast_on(&self, name: &str) -> io::Result<()> {
        self.socket.set_broadcast(true)?;
        // SAFETY: passes the name bytes and their length.
        let rc = unsafe {
            libc::setsockopt(
                self.rx.fd,
                libc::SOL_SOCKET,
                libc::SO_BINDTODEVICE,
                name.as_ptr().cast(),
                name.len() as libc::socklen_t,
            )
        };
        if rc == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }
}

impl Transport for UdpIo {
    type Tx = Tx;

    fn recv(&mut self) -> usize {
        self.rx.recv()
    }

    #[inline]
    fn reply_and_tx(&mut self, i: usize) -> (&[u8], &mut Tx) {
        (self.rx.packet(i), &mut self.tx)
    }

    fn tx(&mut self) -> &mut Tx {
        &mut self.tx
    }

    fn wait(&self, timeout: Duration) {
        wait_fd(self.rx.fd, libc::POLLIN, timeout);
    }
}

impl Sender for Tx {
    #[inline]
    fn slot(&mut self) -> &mut [u8] {
        if self.staged.full() {
            self.flush();
        }
        self.staged.slot()
    }

    #[inline]
    fn commit(&mut self, len: usize, _client: u32) {
        self.staged.commit(len);
    }

    /// Sends every queued datagram. A full socket buffer is waited out
    /// briefly; what still cannot be sent is counted in `refused`.
    ///
    /// Runs of equal-size datagrams (every v4 request is 300 bytes) go out
    /// as one UDP GSO send: the kernel walks its UDP/IP path once per run
    /// instead of once per datagram, which is where the time goes. Without
    /// kernel support it falls back to `sendmmsg` for good.
    fn flush(&mut self) {
        let mut done = 0;
        while self.gso && done < self.staged.queued {
            let len = self.staged.lens[done];
            let mut end = done + 1;
            while end < self.staged.queued
                && end - done < GSO_MAX_SEGMENTS
                && (end - done + 1) * len <= GSO_MAX_BYTES
                && self.staged.lens[end] == len
            {
                end += 1;
            }
            if end - done == 1 {
                break;
            }
            match self.send_gso(done, end, len) {
                Ok(()) => done = end,
                Err(_) => self.gso = false,
            }
        }
        self.flush_mmsg(done);
    }

    fn refused(&self) -> u64 {
        self.refused
    }
}

fn setsockopt(fd: RawFd, level: i32, name: i32, value: libc::c_int) -> io::Result<()> {
    // SAFETY: passes a pointer to a live c_int and its size.
    let rc = unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            (&value as *const libc::c_int).cast(),
            size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

fn sockaddr(addr: SocketAddr, ifindex: u32) -> (libc::sockaddr_storage, libc::socklen_t) {
    // SAFETY: an all-zero sockaddr_storage is a valid value.
    let mut ss: libc::sockaddr_storage = unsafe { zeroed() };
    let len = match addr {
        SocketAddr::V4(a) => {
            // SAFETY: sockaddr_storage is large and aligned enough for any sockaddr.
            let sin = unsafe { &mut *(&mut ss as *mut _ as *mut libc::sockaddr_in) };
            sin.sin_family = libc::AF_INET as libc::sa_family_t;
            sin.sin_port = a.port().to_be();
            sin.sin_addr.s_addr = u32::from(*a.ip()).to_be();
            size_of::<libc::sockaddr_in>()
        }
        SocketAddr::V6(a) => {
            // SAFETY: as above.
            let sin6 = unsafe { &mut *(&mut ss as *mut _ as *mut libc::sockaddr_in6) };
            sin6.sin6_family = libc::AF_INET6 as libc::sa_family_t;
            sin6.sin6_port = a.port().to_be();
            sin6.sin6_addr.s6_addr = a.ip().octets();
            sin6.sin6_scope_id = if a.scope_id() != 0 {
                a.scope_id()
            } else {
                ifindex
            };
            size_of::<libc::sockaddr_in6>()
        }
    };
    (ss, len as libc::socklen_t)
}

fn boxed_hdrs() -> Box<[libc::mmsghdr; BATCH]> {
    // SAFETY: mmsghdr is plain data; all-zero is a valid (empty) header.
    Box::new(unsafe { zeroed() })
}

fn boxed_iovs() -> Box<[libc::iovec; BATCH]> {
    Box::new(
        [libc::iovec {
            iov_base: std::ptr::null_mut(),
            iov_len: 0,
        }; BATCH],
    )
}

impl Rx {
    fn new(fd: RawFd) -> Self {
        let mut rx = Rx {
            fd,
            bufs: vec![[0u8; BUF_LEN]; BATCH]
                .into_boxed_slice()
                .try_into()
                .expect("BATCH buffers"),
            iov: boxed_iovs(),
            hdr: boxed_hdrs(),
            count: 0,
        };
        // The boxes never move, so the pointers stay valid for Rx's life.
        for i in 0..BATCH {
            rx.iov[i].iov_base = rx.bufs[i].as_mut_ptr().cast();
            rx.iov[i].iov_len = BUF_LEN;
            rx.hdr[i].msg_hdr.msg_iov = &mut rx.iov[i];
            rx.hdr[i].msg_hdr.msg_iovlen = 1;
        }
        rx
    }

    /// Reads up to [`BATCH`] datagrams without blocking; returns how many.
    pub fn recv(&mut self) -> usize {
        // SAFETY: the headers point at this Rx's own buffers.
        let n = unsafe {
            libc::recvmmsg(
                self.fd,
                self.hdr.as_mut_ptr(),
                BATCH as u32,
                libc::MSG_DONTWAIT,
                std::ptr::null_mut(),
            )
        };
        self.count = n.max(0) as usize;
        self.count
    }

    /// Datagram `i` of the last [`recv`](Self::recv).
    #[inline]
    pub fn packet(&self, i: usize) -> &[u8] {
        let len = (self.hdr[i].msg_len as usize).min(BUF_LEN);
        &self.bufs[i][..len]
    }
}

impl Tx {
    fn new(fd: RawFd, dest: Box<libc::sockaddr_storage>, dest_len: libc::socklen_t) -> Self {
        let mut tx = Tx {
            fd,
            staged: Staged::new(),
            iov: boxed_iovs(),
            hdr: boxed_hdrs(),
            dest,
            dest_len,
            gso: true,
            refused: 0,
        };
        for i in 0..BATCH {
            tx.iov[i].iov_base = tx.staged.bufs[i].as_mut_ptr().cast();
            tx.hdr[i].msg_hdr.msg_iov = &mut tx.iov[i];
            tx.hdr[i].msg_hdr.msg_iovlen = 1;
            tx.hdr[i].msg_hdr.msg_name = (&mut *tx.dest as *mut libc::sockaddr_storage).cast();
            tx.hdr[i].msg_hdr.msg_namelen = tx.dest_len;
        }
        tx
    }

    /// One `sendmsg` of datagrams `from..to`, all `seg` bytes, as GSO.
    fn send_gso(&mut self, from: usize, to: usize, seg: usize) -> Result<(), ()> {
        for i in from..to {
            self.iov[i].iov_len = self.staged.lens[i];
        }
        // A cmsghdr plus a u16, 8-byte aligned.
        let mut control = [0u64; 4];
        // SAFETY: msghdr is plain data; the pointers set below stay valid
        // for the call (our buffers, iovecs, destination and `control`).
        let mut msg: libc::msghdr = unsafe { zeroed() };
        msg.msg_name = (&mut *self.dest as *mut libc::sockaddr_storage).cast();
        msg.msg_namelen = self.dest_len;
        msg.msg_iov = self.iov[from..].as_mut_ptr();
        msg.msg_iovlen = to - from;
        msg.msg_control = control.as_mut_ptr().cast();
        // SAFETY: CMSG_SPACE/CMSG_LEN are pure arithmetic.
        msg.msg_controllen = unsafe { libc::CMSG_SPACE(size_of::<u16>() as u32) } as usize;
        // SAFETY: msg_control points at `control`, large enough for one cmsg.
        unsafe {
            let cm = libc::CMSG_FIRSTHDR(&msg);
            (*cm).cmsg_level = SOL_UDP;
            (*cm).cmsg_type = UDP_SEGMENT;
            (*cm).cmsg_len = libc::CMSG_LEN(size_of::<u16>() as u32) as usize;
            std::ptr::write_unaligned(libc::CMSG_DATA(cm).cast::<u16>(), seg as u16);
        }
        for _ in 0..100 {
            // SAFETY: see above.
            if unsafe { libc::sendmsg(self.fd, &msg, 0) } >= 0 {
                return Ok(());
            }
            match io::Error::last_os_error().raw_os_error() {
                Some(libc::EAGAIN) | Some(libc::ENOBUFS) => {
                    wait_fd(self.fd, libc::POLLOUT, Duration::from_micros(100))
                }
                Some(libc::EINTR) => {}
                _ => return Err(()),
            }
        }
        Err(())
    }

    fn flush_mmsg(&mut self, mut done: usize) {
        let mut retries = 0;
        while done < self.staged.queued {
            for i in done..self.staged.queued {
                self.iov[i].iov_len = self.staged.lens[i];
            }
            // SAFETY: headers point at this Tx's buffers and destination.
            let n = unsafe {
                libc::sendmmsg(
                    self.fd,
                    self.hdr[done..].as_mut_ptr(),
                    (self.staged.queued - done) as u32,
                    0,
                )
            };
            if n > 0 {
                done += n as usize;
                continue;
            }
            let e = io::Error::last_os_error().raw_os_error();
            if matches!(e, Some(libc::EAGAIN) | Some(libc::ENOBUFS)) && retries < 100 {
                retries += 1;
                wait_fd(self.fd, libc::POLLOUT, Duration::from_micros(100));
                continue;
            }
            if e == Some(libc::EINTR) {
                continue;
            }
            // Unsendable (e.g. no route): skip one datagram and go on.
            self.refused += 1;
            done += 1;
        }
        self.staged.queued = 0;
    }
}

/// Waits until `fd` is ready for `events` or `timeout` passes.
pub fn wait_fd(fd: RawFd, events: libc::c_short, timeout: Duration) {
    let mut p = libc::pollfd {
        fd,
        events,
        revents: 0,
    };
    let ts = libc::timespec {
        tv_sec: timeout.as_secs() as libc::time_t,
        tv_nsec: timeout.subsec_nanos() as libc::c_long,
    };
    // SAFETY: one valid pollfd, a valid timespec, no signal mask.
    unsafe { libc::ppoll(&mut p, 1, &ts, std::ptr::null()) };
}

/// An address of interface `name` of the wanted family: for v6, link-local
/// when `link_local` is set, otherwise global. Also returns its index.
pub fn interface_address(name: &str, v6: bool, link_local: bool) -> io::Result<(IpAddr, u32)> {
    let cname = std::ffi::CString::new(name)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "interface name"))?;
    // SAFETY: a NUL-terminated name.
    let index = unsafe { libc::if_nametoindex(cname.as_ptr()) };
    if index == 0 {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("no interface named {name}"),
        ));
    }
    let mut found = None;
    let mut ifap: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs fills a list we walk read-only and free once.
    unsafe {
        if libc::getifaddrs(&mut ifap) != 0 {
            return Err(io::Error::last_os_error());
        }
        let mut p = ifap;
        while !p.is_null() && found.is_none() {
            let ifa = &*p;
            p = ifa.ifa_next;
            if ifa.ifa_addr.is_null() || std::ffi::CStr::from_ptr(ifa.ifa_name) != cname.as_c_str()
            {
                continue;
            }
            match (*ifa.ifa_addr).sa_family as i32 {
                libc::AF_INET if !v6 => {
                    let sin = &*(ifa.ifa_addr as *const libc::sockaddr_in);
                    found = Some(IpAddr::V4(Ipv4Addr::from(u32::from_be(
                        sin.sin_addr.s_addr,
                    ))));
                }
                libc::AF_INET6 if v6 => {
                    let sin6 = &*(ifa.ifa_addr as *const libc::sockaddr_in6);
                    let a = Ipv6Addr::from(sin6.sin6_addr.s6_addr);
                    let is_ll = a.segments()[0] & 0xffc0 == 0xfe80;
                    if is_ll == link_local {
                        found = Some(IpAddr::V6(a));
                    }
                }
                _ => {}
            }
        }
        libc::freeifaddrs(ifap);
    }
    found.map(|a| (a, index)).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::NotFound,
            format!("interface {name} has no suitable address"),
        )
    })
}

/// The local address the kernel would send from to reach `server`.
pub fn route_source(server: IpAddr) -> io::Result<IpAddr> {
    let any: SocketAddr = match server {
        IpAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
        IpAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
    };
    let s = UdpSocket::bind(any)?;
    s.connect((server, 67))?;
    Ok(s.local_addr()?.ip())
}
