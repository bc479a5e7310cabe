//! The AF_PACKET backend (Kea's `raw` socket type): a packet socket bound
//! to one interface sees whole Ethernet frames, so replies can be addressed
//! at a client's hardware address before it has an IP address.
//!
//! A classic BPF socket filter keeps everything but UDP to the server
//! ports (IPv4 to 67, IPv6 to 547) of the families served out of the
//! socket, in the kernel. It is hand-written (eighteen instructions)
//! because no well-kept crate assembles classic BPF for socket filters.
//! Frames are received with `recvmmsg` and replies sent with `sendmmsg`,
//! in batches, into and out of buffers allocated once at open.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use super::batch::{self, Slots, MAX_BATCH};
use crate::events::Family;
use crate::frame::Frame;
use crate::wire::v4::SERVER_PORT;
use crate::worker::SERVER_PORT_V6;

const ETH_P_ALL: u16 = 0x0003;
const ETH_P_IP: u16 = 0x0800;
const ETH_P_IPV6: u16 = 0x86dd;
/// Most bytes of a sent frame.
pub const FRAME_SIZE: usize = 2048;
/// Most bytes of a received frame: a segmentation-offload frame carries up
/// to 64 KiB of datagrams.
const RX_SIZE: usize = (64 << 10) + 256;
/// `PACKET_VNET_HDR` (linux/if_packet.h): frames come and go behind a
/// `virtio_net_hdr`, which tells segmentation-offload frames apart.
const PACKET_VNET_HDR: i32 = 15;
const VNET_HDR_LEN: usize = 10;
const GSO_UDP_L4: u8 = 5;
const GSO_ECN: u8 = 0x80;

// Classic BPF opcodes (linux/filter.h), the few the filter uses.
const LD_H_ABS: u16 = 0x28;
const LD_B_ABS: u16 = 0x30;
const LD_W_ABS: u16 = 0x20;
const LD_H_IND: u16 = 0x48;
const LDX_B_MSH: u16 = 0xb1;
const JEQ_K: u16 = 0x15;
const JSET_K: u16 = 0x45;
const RET_K: u16 = 0x06;
/// Ancillary load of the packet type (SKF_AD_OFF + SKF_AD_PKTTYPE).
const AD_PKTTYPE: u32 = (-0x1000i32 + 4) as u32;
const PACKET_OUTGOING: u32 = 4;

const fn insn(code: u16, jt: u8, jf: u8, k: u32) -> libc::sock_filter {
    libc::sock_filter { code, jt, jf, k }
}

/// The socket filter: accept received (not our own outgoing) Ethernet
/// frames carrying IPv4 UDP to `v4_port` (first fragments only) or IPv6
/// UDP (no extension headers) to `v6_port`; drop the rest. A family not
/// served gets port 0, which no DHCP frame uses. A jump skips that many
/// instructions after itself.
pub const fn filter(v4_port: u16, v6_port: u16) -> [libc::sock_filter; 18] {
    [
        insn(LD_W_ABS, 0, 0, AD_PKTTYPE),
        insn(JEQ_K, 15, 0, PACKET_OUTGOING), // ours: drop
        insn(LD_H_ABS, 0, 0, 12),            // ethertype
        insn(JEQ_K, 0, 7, ETH_P_IP as u32),  // not IPv4: try IPv6
        insn(LD_B_ABS, 0, 0, 23),            // IP protocol
        insn(JEQ_K, 0, 11, 17),              // not UDP: drop
        insn(LD_H_ABS, 0, 0, 20),            // flags and fragment offset
        insn(JSET_K, 9, 0, 0x1fff),          // a later fragment: drop
        insn(LDX_B_MSH, 0, 0, 14),           // X = IP header length
        insn(LD_H_IND, 0, 0, 16),            // UDP destination port (14 + 2)
        insn(JEQ_K, 5, 6, v4_port as u32),
        insn(JEQ_K, 0, 5, ETH_P_IPV6 as u32), // neither: drop
        insn(LD_B_ABS, 0, 0, 20),             // next header
        insn(JEQ_K, 0, 3, 17),                // not UDP: drop
        insn(LD_H_ABS, 0, 0, 56),             // UDP destination port (14 + 40 + 2)
        insn(JEQ_K, 0, 1, v6_port as u32),
        insn(RET_K, 0, 0, 0x0004_0000), // accept the whole frame
        insn(RET_K, 0, 0, 0),           // drop
    ]
}

/// Replies built and not yet sent, in the TX slots.
struct Out {
    lens: [usize; MAX_BATCH],
    n: usize,
}

impl Out {
    /// Lets `build` write a reply into the next TX slot; sends the batch
    /// when the slots are full.
    fn answer(
        &mut self,
        tx: &mut Slots,
        fd: RawFd,
        to: &mut libc::sockaddr_ll,
        build: impl FnOnce(&mut [u8]) -> Option<usize>,
    ) {
        if let Some(len) = build(tx.get_mut(self.n)) {
            self.lens[self.n] = len;
            self.n += 1;
            if self.n == MAX_BATCH {
                self.flush(tx, fd, to);
            }
        }
    }

    /// Sends the replies built so far, each behind an empty virtio-net
    /// header (no offload asked).
    fn flush(&mut self, tx: &mut Slots, fd: RawFd, to: &mut libc::sockaddr_ll) {
        if self.n == 0 {
            return;
        }
        let mut none = [0u8; VNET_HDR_LEN];
        let frames = tx.iovecs(|i| self.lens[i]);
        let mut iov: [[libc::iovec; 2]; MAX_BATCH] = std::array::from_fn(|i| {
            [
                libc::iovec {
                    iov_base: none.as_mut_ptr().cast(),
                    iov_len: VNET_HDR_LEN,
                },
                frames[i],
            ]
        });
        let mut msgs = batch::headers(&mut iov);
        for m in &mut msgs[..self.n] {
            m.msg_hdr.msg_name = (to as *mut libc::sockaddr_ll).cast();
            m.msg_hdr.msg_namelen = std::mem::size_of::<libc::sockaddr_ll>() as u32;
        }
        batch::send(fd, &mut msgs[..self.n]);
        self.n = 0;
    }
}

/// Attaches the server filter for `families` to socket `fd`.
pub fn attach_filter(fd: RawFd, families: &[Family]) -> io::Result<()> {
    let port = |f: Family, port: u16| if families.contains(&f) { port } else { 0 };
    let mut prog = filter(
        port(Family::V4, SERVER_PORT),
        port(Family::V6, SERVER_PORT_V6),
    );
    let fprog = libc::sock_fprog {
        len: prog.len() as u16,
        filter: prog.as_mut_ptr(),
    };
    // SAFETY: `fprog` points at `prog`, alive for the call; the kernel copies it.
    let rc = unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_ATTACH_FILTER,
            (&fprog as *const libc::sock_fprog).cast(),
            std::mem::size_of::<libc::sock_fprog>() as u32,
        )
    };
    check(rc, "attaching the socket filter")
}

/// An AF_PACKET socket on one interface with the server filter attached.
pub struct RawSocket {
    fd: OwnedFd,
    /// Hold the server ports so the kernel does not answer unicast
    /// requests with ICMP port unreachable (and, for DHCPv6, join
    /// ff02::1:2 so the NIC takes its frames); never read, their tiny
    /// queues just drop.
    _port_holders: Vec<std::net::UdpSocket>,
    to: libc::sockaddr_ll,
    rx: Slots,
    tx: Slots,
    /// One datagram cut out of a segmentation-offload frame.
    segment: Box<[u8]>,
}

impl RawSocket {
    /// Opens the socket on `interface` for the DHCP `families` given.
    pub fn open(interface: &str, families: &[Family]) -> io::Result<RawSocket> {
        let ifindex = ifindex(interface)?;
        // Protocol 0 receives nothing until bound: the filter is in place
        // before the first frame is queued.
        // SAFETY: plain socket creation; the fd is owned below.
        let fd = unsafe {
            libc::socket(
                libc::AF_PACKET,
                libc::SOCK_RAW | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
                0,
            )
        };
        check(fd, "creating the packet socket")?;
        // SAFETY: a fresh descriptor nobody else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        attach_filter(fd.as_raw_fd(), families)?;
        let on: i32 = 1;
        // SAFETY: an int option of the right size.
        let rc = unsafe {
            libc::setsockopt(
                fd.as_raw_fd(),
                libc::SOL_PACKET,
                PACKET_VNET_HDR,
                (&on as *const i32).cast(),
                std::mem::size_of::<i32>() as u32,
            )
        };
        check(rc, "asking for virtio-net headers")?;
        set_buffer(fd.as_raw_fd(), libc::SO_RCVBUFFORCE, 4 << 20);
        // SAFETY: sockaddr_ll is plain data; all-zero is a valid start.
        let mut addr: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
        addr.sll_family = libc::AF_PACKET as u16;
        addr.sll_protocol = ETH_P_ALL.to_be();
        addr.sll_ifindex = ifindex;
        // SAFETY: `addr` is a valid sockaddr_ll of the given size.
        let rc = unsafe {
            libc::bind(
                fd.as_raw_fd(),
                (&addr as *const libc::sockaddr_ll).cast(),
                std::mem::size_of::<libc::sockaddr_ll>() as u32,
            )
        };
        check(rc, "binding the packet socket")?;
        let mut to = addr;
        to.sll_halen = 6;
        Ok(RawSocket {
            fd,
            _port_holders: families
                .iter()
                .filter_map(|&f| super::udp::bind_port(interface, f, 1).ok())
                .collect(),
            to,
            rx: Slots::new(RX_SIZE),
            tx: Slots::new(FRAME_SIZE),
            segment: vec![0; RX_SIZE].into_boxed_slice(),
        })
    }

    /// Receives one batch of up to `MAX_BATCH` frames, hands each DHCP
    /// datagram to `handler` with a buffer for the reply frame, and sends
    /// the replies. Returns how many datagrams were received.
    ///
    /// A local sender using UDP segmentation offload (a relay or load
    /// generator on a veth) hands the socket one frame carrying many
    /// datagrams; the virtio-net header says so, and each segment is
    /// answered as the frame it would have been on a wire.
    pub fn process(&mut self, mut handler: impl FnMut(&[u8], &mut [u8]) -> Option<usize>) -> usize {
        let fd = self.fd.as_raw_fd();
        let mut vnet = [[0u8; VNET_HDR_LEN]; MAX_BATCH];
        let frames = self.rx.iovecs(|_| RX_SIZE);
        let mut iov: [[libc::iovec; 2]; MAX_BATCH] = std::array::from_fn(|i| {
            [
                libc::iovec {
                    iov_base: vnet[i].as_mut_ptr().cast(),
                    iov_len: VNET_HDR_LEN,
                },
                frames[i],
            ]
        });
        let mut msgs = batch::headers(&mut iov);
        let received = batch::receive(fd, &mut msgs);
        let mut out = Out {
            lens: [0; MAX_BATCH],
            n: 0,
        };
        let mut datagrams = 0;
        for (i, m) in msgs[..received].iter().enumerate() {
            let len = (m.msg_len as usize).saturating_sub(VNET_HDR_LEN);
            if m.msg_hdr.msg_flags & libc::MSG_TRUNC != 0 || len == 0 {
                continue;
            }
            let frame = self.rx.get(i, len);
            let gso = vnet[i];
            let segment = u16::from_ne_bytes([gso[4], gso[5]]);
            if gso[1] & !GSO_ECN != GSO_UDP_L4 || segment == 0 {
                datagrams += 1;
                out.answer(&mut self.tx, fd, &mut self.to, |reply| {
                    handler(frame, reply)
                });
                continue;
            }
            let Ok(whole) = Frame::parse(frame) else {
                continue;
            };
            // The segments follow the headers to the end of the frame
            // (the UDP length may be the first segment's or the total).
            let head = whole.payload.as_ptr() as usize - frame.as_ptr() as usize;
            for chunk in frame[head..].chunks(usize::from(segment)) {
                let one = &mut self.segment[..head + chunk.len()];
                one[..head].copy_from_slice(&frame[..head]);
                one[head..].copy_from_slice(chunk);
                // Only the UDP length tells a datagram's end to the parser.
                let udp_len = (chunk.len() + 8) as u16;
                one[head - 4..head - 2].copy_from_slice(&udp_len.to_be_bytes());
                datagrams += 1;
                out.answer(&mut self.tx, fd, &mut self.to, |reply| handler(one, reply));
            }
        }
        out.flush(&mut self.tx, fd, &mut self.to);
        datagrams
    }

    /// Sleeps until frames arrive or `timeout_ms` passes; for idle workers.
    pub fn wait(&self, timeout_ms: i32) {
        batch::wait(self.fd.as_raw_fd(), timeout_ms);
    }
}

impl AsRawFd for RawSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

/// The index of `interface`.
pub(crate) fn ifindex(interface: &str) -> io::Result<i32> {
    let name = std::ffi::CString::new(interface)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    // SAFETY: a NUL-terminated name.
    match unsafe { libc::if_nametoindex(name.as_ptr()) } {
        0 => Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("interface {interface}: {}", io::Error::last_os_error()),
        )),
        i => Ok(i as i32),
    }
}

/// Sets a socket buffer size, best effort (the default still works).
pub(crate) fn set_buffer(fd: RawFd, option: i32, bytes: i32) {
    // SAFETY: an int option of the right size.
    unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            option,
            (&bytes as *const i32).cast(),
            std::mem::size_of::<i32>() as u32,
        )
    };
}

/// Turns a negative libc return into the OS error, named by `action`.
pub(crate) fn check(rc: i32, action: &str) -> io::Result<()> {
    if rc < 0 {
        let e = io::Error::last_os_error();
        return Err(io::Error::new(e.kind(), format!("{action}: {e}")));
    }
    Ok(())
}
